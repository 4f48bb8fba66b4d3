// SPDX-License-Identifier: MIT
//===--- FrameTypes.cpp - framealloc-tidy ---------------------------------===//
//
// What objects keep of the frame memory they are built from, by their type:
// pointers, references and views (string_view, span, iterators, closures)
// keep the address; owners (a non-trivial destructor: std::string,
// std::vector<int>) copy what they are given, and keep only what their
// elements keep. The standard library's containers, atomics and threads are
// modelled here, like pthread_create is.
//
//===----------------------------------------------------------------------===//

#include "FrameTransfer.h"
#include "clang/AST/DeclCXX.h"
#include "llvm/ADT/StringSwitch.h"

namespace clang::tidy::framealloc {

/// std::thread and std::jthread.
bool isThreadClass(const CXXRecordDecl *RD) {
  if (!isStdClass(RD) || !RD->getDeclName().isIdentifier())
    return false;
  return RD->getName() == "thread" || RD->getName() == "jthread";
}

/// The element type of an owning class (its value_type), or null.
static QualType ownedElementType(const CXXRecordDecl *RD) {
  ASTContext &Ctx = RD->getASTContext();
  for (const NamedDecl *ND : RD->lookup(&Ctx.Idents.get("value_type")))
    if (const auto *TD = dyn_cast<TypedefNameDecl>(ND))
      return TD->getUnderlyingType();
  return QualType();
}

bool isOwningClass(QualType T) {
  const auto *RD = T.getCanonicalType()->getAsCXXRecordDecl();
  return RD && RD->hasDefinition() && !RD->hasTrivialDestructor();
}

bool keepsAddresses(QualType T, unsigned Depth) {
  if (T.isNull())
    return false;
  T = T.getCanonicalType();
  if (T->isDependentType() || T->isPointerType() || T->isReferenceType() ||
      T->isMemberPointerType() || T->isBlockPointerType())
    return true;
  if (const auto *AT = dyn_cast<ArrayType>(T.getTypePtr()))
    return keepsAddresses(AT->getElementType(), Depth + 1);
  const RecordDecl *RD = T->getAsRecordDecl();
  if (!RD)
    return false;
  RD = RD->getDefinition();
  // Unknown layouts and deep nests: assume the worst.
  if (!RD || Depth > 6)
    return true;
  if (const auto *CRD = dyn_cast<CXXRecordDecl>(RD)) {
    if (CRD->isLambda())
      return true;
    // An owner keeps what its elements keep (its own buffer is a copy).
    if (!CRD->hasTrivialDestructor())
      if (QualType Elem = ownedElementType(CRD); !Elem.isNull())
        return keepsAddresses(Elem, Depth + 1);
    for (const CXXBaseSpecifier &B : CRD->bases())
      if (keepsAddresses(B.getType(), Depth + 1))
        return true;
  }
  for (const FieldDecl *F : RD->fields())
    if (keepsAddresses(F->getType(), Depth + 1))
      return true;
  return false;
}

bool isFrameView(QualType T) {
  const auto *RD = T.getCanonicalType()->getAsCXXRecordDecl();
  return RD && RD->hasDefinition() && RD->hasTrivialDestructor() &&
         !RD->isLambda() && keepsAddresses(T);
}

bool isMemoryHandle(QualType T) {
  T = T.getNonReferenceType();
  if (T->isPointerType())
    T = T->getPointeeType();
  const auto *RD = T.getCanonicalType()->getAsCXXRecordDecl();
  if (!RD || !RD->hasDefinition() || RD->isLambda())
    return false;
  if (isFrameView(T))
    return true;
  // An owner of elements (std::vector<T *>) returns addresses into its own
  // buffer; one without (a smart pointer) returns what it points to.
  return !RD->hasTrivialDestructor() && ownedElementType(RD).isNull() &&
         keepsAddresses(T);
}

/// A standard container's insertion: the argument is kept in the container.
/// \p Elem: the container's element type.
bool isContainerInsert(const CXXMemberCallExpr *MC, QualType &Elem) {
  const CXXMethodDecl *MD = MC->getMethodDecl();
  if (!MD || MD->isConst() || !isStdClass(MD->getParent()) ||
      !MD->getDeclName().isIdentifier())
    return false;
  Elem = ownedElementType(MD->getParent());
  if (Elem.isNull())
    return false;
  return llvm::StringSwitch<bool>(MD->getName())
      .Cases("push_back", "emplace_back", "push_front", "emplace_front", true)
      .Cases("insert", "emplace", "emplace_hint", "insert_or_assign", true)
      .Cases("try_emplace", "push", "assign", true)
      .Default(false);
}

/// A pointer to elements of type \p Elem (a range's first or last): the
/// elements are copied from it.
static bool pointsToElements(const Expr *Arg, QualType Elem) {
  QualType T = Arg->getType();
  if (!T->isPointerType())
    return false;
  return T->getPointeeType().getCanonicalType().getUnqualifiedType() ==
         Elem.getCanonicalType().getUnqualifiedType();
}

/// A member type of a container (key_type, mapped_type, iterator), or null.
static QualType memberType(const CXXRecordDecl *RD, llvm::StringRef Name) {
  ASTContext &Ctx = RD->getASTContext();
  for (const NamedDecl *ND : RD->lookup(&Ctx.Idents.get(Name)))
    if (const auto *TD = dyn_cast<TypedefNameDecl>(ND))
      return TD->getUnderlyingType();
  return QualType();
}

/// The part of the element argument \p I of an in-place insertion builds:
/// a map's try_emplace(k, m...) and insert_or_assign(k, m) build the key,
/// then the mapped value; emplace(a, b) into a pair or an aggregate builds
/// its fields in order (a std::string key from frame characters is a copy,
/// whatever the mapped pointer keeps). Otherwise the whole element. A
/// leading position (an iterator) is part of no element.
static QualType insertedPart(const CXXMemberCallExpr *MC, QualType Elem,
                             unsigned I) {
  const CXXMethodDecl *MD = MC->getMethodDecl();
  const CXXRecordDecl *Cont = MD->getParent();
  llvm::StringRef Name = MD->getName();
  unsigned N = MC->getNumArgs();
  auto SameType = [](QualType A, QualType B) {
    return !A.isNull() && !B.isNull() &&
           A.getCanonicalType().getUnqualifiedType() ==
               B.getCanonicalType().getUnqualifiedType();
  };
  unsigned Off = 0;
  if (N > 0) {
    QualType First = MC->getArg(0)->getType();
    if (SameType(First, memberType(Cont, "iterator")) ||
        SameType(First, memberType(Cont, "const_iterator")))
      Off = 1;
  }
  if (I < Off)
    return Elem;
  if (Name == "try_emplace" || Name == "insert_or_assign") {
    QualType Key = memberType(Cont, "key_type");
    QualType Mapped = memberType(Cont, "mapped_type");
    if (Key.isNull() || Mapped.isNull())
      return Elem;
    return I == Off ? Key : Mapped;
  }
  if (!Name.startswith("emplace") || N - Off < 2)
    return Elem;
  const auto *RD = Elem->getAsCXXRecordDecl();
  if (!RD || !RD->hasDefinition() || RD->isUnion() ||
      !(RD->isAggregate() || isStdClass(RD)))
    return Elem;
  llvm::SmallVector<const FieldDecl *, 4> Fields(RD->fields());
  return Fields.size() == N - Off ? Fields[I - Off]->getType() : Elem;
}

bool FunctionAnalysis::handleContainerInsert(const CXXMemberCallExpr *MC,
                                             Disjunct &D) {
  QualType Elem;
  if (!isContainerInsert(MC, Elem))
    return false;
  PathId P = NoPath;
  if (keepsAddresses(Elem)) {
    P = lvaluePath(MC->getImplicitObjectArgument());
    if (P == NoPath)
      return false;
  }
  OriginSet V;
  const Expr *Last = nullptr;
  for (unsigned I = 0, N = MC->getNumArgs(); I < N; ++I) {
    const Expr *Arg = MC->getArg(I);
    // A part that keeps no address (a number, a std::string, a plain
    // struct) is a copy of what the argument points to: reading it after
    // the end is a use, and nothing is kept.
    if (!keepsAddresses(insertedPart(MC, Elem, I))) {
      if (!Arg->getType()->isPointerType() || !Reporting)
        continue;
      // Arguments bind to references (`emplace_back(Args &&...)`).
      OriginSet Read = valueOf(Arg, D);
      if (PathId LP = Arg->isGLValue() ? lvaluePath(Arg) : NoPath;
          LP != NoPath)
        setUnion(Read, lookup(LP, D));
      OriginId Dead = firstDead(Read);
      if (Dead == NoOrigin)
        continue;
      Finding F{FindingKind::UseAfterFrame, {}, {}};
      F.Warning.Loc = loc(Arg);
      std::string Name = spelling(Arg);
      F.Warning.Format = "'%0' passed to '%1' after its frame ended";
      F.Warning.Args = {Name.empty() ? "frame memory" : Name,
                        MC->getMethodDecl()->getNameAsString()};
      addOriginNotes(F, Dead, F.Warning.Loc, /*WithEnd=*/true);
      addUseFinding(std::move(F), Dead);
      continue;
    }
    if (pointsToElements(Arg, Elem)) {
      // `insert(end, first, last)`: the elements are copied, with what they
      // hold; the range's own memory is read, not kept.
      checkDeref(Arg, D);
      if (PathId Src = pointeePath(Arg); Src != NoPath)
        setUnion(V, heldBy(Src, D, /*ThroughDeref=*/false));
    } else {
      // Arguments bind to references: an lvalue hands over what it holds.
      setUnion(V, valueOf(Arg, D));
      PathId Src = Arg->isGLValue() ? lvaluePath(stripCopies(Arg)) : NoPath;
      if (Src != NoPath)
        setUnion(V, heldBy(Src, D, /*ThroughDeref=*/false));
    }
    Last = Arg;
    // `nodes_.push_back(n)` links the node n points to (FrameLinks.cpp).
    if (P != NoPath && Arg->getType()->isPointerType())
      if (SmallSet<const ValueDecl *> L = linksOf(Arg, D); !L.empty())
        setUnion(D.Links[P], L);
  }
  if (Last && !V.empty() && P != NoPath)
    store(P, V, MC, Last, /*Weak=*/true, D);
  return true;
}

bool FunctionAnalysis::handleRangeVar(const VarDecl *VD, const Stmt *Site,
                                      Disjunct &D) {
  auto It = RangeLoopVars.find(VD);
  if (It == RangeLoopVars.end())
    return false;
  const Expr *Range = It->second->getRangeInit();
  if (!Range)
    return false;
  // What the range holds: a container's or an array's elements
  // (`std::vector<T *>`, `T *a[4]`), or the memory a view points to.
  OriginSet Held = valueOf(Range, D);
  PathId RP = Range->isGLValue() ? lvaluePath(stripCopies(Range)) : NoPath;
  if (RP != NoPath)
    setUnion(Held, heldBy(RP, D, /*ThroughDeref=*/false));
  PathId Var = Paths.root(VD);
  clearPath(Var, D);
  QualType RT = Range->getType();
  if (isFrameView(RT) &&
      !isa<CXXStdInitializerListExpr>(stripCopies(Range)->IgnoreImplicit())) {
    // Iterating a view dereferences it (begin(), *it): its elements are the
    // frame memory itself.
    if (Reporting)
      if (OriginId Dead = firstDead(Held); Dead != NoOrigin) {
        Finding F{FindingKind::UseAfterFrame, {}, {}};
        F.Warning.Loc = loc(Range);
        std::string Name = spelling(Range);
        F.Warning.Format = Name.empty()
                               ? "frame memory iterated after its frame ended"
                               : "'%0' iterated after its frame ended";
        F.Warning.Args = {Name};
        addOriginNotes(F, Dead, F.Warning.Loc, /*WithEnd=*/true);
        addUseFinding(std::move(F), Dead);
      }
    return true;
  }
  // A reference to the elements of a container or an array is the elements:
  // stores and reads through it use their path.
  if (rangeElementPath(VD) != NoPath)
    return true;
  // The loop variable is an element: it holds what the elements hold, when
  // its type can hold an address.
  QualType T = VD->getType();
  if (Held.empty() || !keepsAddresses(T.getNonReferenceType()))
    return true;
  // A reference binds to the element (`T *const &p`): no store, no use.
  PathId P = T->isReferenceType() ? Paths.child(Var, nullptr) : Var;
  setUnion(D.Vals[P], Held);
  return true;
}

const Expr *atomicStoredValue(const AtomicExpr *AE, bool &ByPointer,
                              bool &MayFail) {
  ByPointer = MayFail = false;
  switch (AE->getOp()) {
  case AtomicExpr::AO__c11_atomic_init:
  case AtomicExpr::AO__c11_atomic_store:
  case AtomicExpr::AO__c11_atomic_exchange:
  case AtomicExpr::AO__atomic_store_n:
  case AtomicExpr::AO__atomic_exchange_n:
    return AE->getVal1();
  case AtomicExpr::AO__atomic_store:
  case AtomicExpr::AO__atomic_exchange:
    ByPointer = true;
    return AE->getVal1();
  case AtomicExpr::AO__c11_atomic_compare_exchange_strong:
  case AtomicExpr::AO__c11_atomic_compare_exchange_weak:
  case AtomicExpr::AO__atomic_compare_exchange_n:
    MayFail = true;
    return AE->getVal2();
  case AtomicExpr::AO__atomic_compare_exchange:
    MayFail = ByPointer = true;
    return AE->getVal2();
  default:
    return nullptr;
  }
}

const Expr *atomicMemberStore(const CXXMemberCallExpr *MC, bool &MayFail) {
  MayFail = false;
  const CXXMethodDecl *MD = MC->getMethodDecl();
  if (!MD || !isStdClass(MD->getParent()) ||
      !MD->getParent()->getDeclName().isIdentifier() ||
      !MD->getDeclName().isIdentifier())
    return nullptr;
  llvm::StringRef Class = MD->getParent()->getName();
  if (Class != "atomic" && Class != "atomic_ref" && Class != "__atomic_base")
    return nullptr;
  llvm::StringRef N = MD->getName();
  unsigned Arg = ~0u;
  if (N == "store" || N == "exchange")
    Arg = 0;
  else if (N == "compare_exchange_strong" || N == "compare_exchange_weak") {
    Arg = 1;
    MayFail = true;
  }
  return Arg < MC->getNumArgs() ? MC->getArg(Arg) : nullptr;
}

} // namespace clang::tidy::framealloc

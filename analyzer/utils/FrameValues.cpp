// SPDX-License-Identifier: MIT
//===--- FrameValues.cpp - framealloc-tidy --------------------------------===//
//
// Values and access paths: which origins of frame memory an expression yields,
// which tracked path an lvalue denotes, and how long the object behind a path
// lives (its slot kind).
//
//===----------------------------------------------------------------------===//

#include "FrameTransfer.h"

namespace clang::tidy::framealloc {

/// The array operand of `a[i]` when `a` is an array (not a pointer).
const Expr *arrayOperand(const ArraySubscriptExpr *AS) {
  const auto *ICE = dyn_cast<ImplicitCastExpr>(AS->getBase()->IgnoreParens());
  if (ICE && ICE->getCastKind() == CK_ArrayToPointerDecay)
    return ICE->getSubExpr();
  return nullptr;
}

/// Looks through the wrappers C++ puts around copies of objects.
const Expr *stripCopies(const Expr *E) {
  while (E) {
    E = E->IgnoreParens();
    if (const auto *FE = dyn_cast<FullExpr>(E)) {
      E = FE->getSubExpr();
    } else if (const auto *MT = dyn_cast<MaterializeTemporaryExpr>(E)) {
      E = MT->getSubExpr();
    } else if (const auto *BT = dyn_cast<CXXBindTemporaryExpr>(E)) {
      E = BT->getSubExpr();
    } else if (const auto *ICE = dyn_cast<ImplicitCastExpr>(E)) {
      CastKind K = ICE->getCastKind();
      if (K != CK_NoOp && K != CK_LValueToRValue && K != CK_DerivedToBase &&
          K != CK_UncheckedDerivedToBase)
        return E;
      E = ICE->getSubExpr();
    } else if (const auto *CE = dyn_cast<CXXConstructExpr>(E)) {
      const CXXConstructorDecl *Ctor = CE->getConstructor();
      if (CE->getNumArgs() != 1 || !Ctor ||
          !(Ctor->isCopyConstructor() || Ctor->isMoveConstructor()))
        return E;
      E = CE->getArg(0);
    } else {
      return E;
    }
  }
  return E;
}

/// A class of the standard library (std:: or a nested inline namespace).
bool isStdClass(const CXXRecordDecl *RD) {
  if (!RD)
    return false;
  const DeclContext *DC = RD->getDeclContext();
  while (DC && DC->isInlineNamespace())
    DC = DC->getParent();
  return DC && DC->isStdNamespace();
}

const Expr *optionalObject(const Expr *E) {
  const auto *Call = dyn_cast<CallExpr>(E);
  const auto *MD =
      Call ? dyn_cast_or_null<CXXMethodDecl>(Call->getDirectCallee()) : nullptr;
  if (!MD || !isStdClass(MD->getParent()) ||
      !MD->getParent()->getDeclName().isIdentifier() ||
      MD->getParent()->getName() != "optional")
    return nullptr;
  if (const auto *OC = dyn_cast<CXXOperatorCallExpr>(Call))
    return (OC->getOperator() == OO_Star || OC->getOperator() == OO_Arrow) &&
                   OC->getNumArgs() == 1
               ? OC->getArg(0)
               : nullptr;
  const auto *MC = dyn_cast<CXXMemberCallExpr>(Call);
  return MC && MD->getDeclName().isIdentifier() && MD->getName() == "value"
             ? MC->getImplicitObjectArgument()
             : nullptr;
}

/// A standard container's element access (`v[i]`, `m.at(k)`, `q.front()`,
/// `*o` of a std::optional): the container object, whose elements share its
/// path.
static const Expr *containerElementBase(const Expr *E) {
  if (const Expr *Obj = optionalObject(E))
    return E->isGLValue() ? Obj : nullptr;
  if (const auto *OC = dyn_cast<CXXOperatorCallExpr>(E)) {
    const auto *MD = dyn_cast_or_null<CXXMethodDecl>(OC->getDirectCallee());
    if (OC->getOperator() == OO_Subscript && MD && OC->getNumArgs() == 2 &&
        isStdClass(MD->getParent()) && MD->getReturnType()->isReferenceType())
      return OC->getArg(0);
    return nullptr;
  }
  if (const auto *MC = dyn_cast<CXXMemberCallExpr>(E)) {
    const CXXMethodDecl *MD = MC->getMethodDecl();
    if (!MD || !isStdClass(MD->getParent()) ||
        !MD->getReturnType()->isReferenceType() ||
        !MD->getDeclName().isIdentifier())
      return nullptr;
    llvm::StringRef N = MD->getName();
    if (N == "at" || N == "front" || N == "back" || N == "top")
      return MC->getImplicitObjectArgument();
  }
  return nullptr;
}

const Expr *handleAccessorObject(
    const CallExpr *Call,
    llvm::function_ref<bool(QualType)> IsFrameContainer) {
  const auto *MD = dyn_cast_or_null<CXXMethodDecl>(Call->getDirectCallee());
  if (!MD || MD->isStatic() || isa<CXXConstructorDecl>(MD) ||
      isa<CXXDestructorDecl>(MD))
    return nullptr;
  const Expr *Obj = nullptr;
  if (const auto *MC = dyn_cast<CXXMemberCallExpr>(Call)) {
    Obj = MC->getImplicitObjectArgument();
  } else if (const auto *OC = dyn_cast<CXXOperatorCallExpr>(Call)) {
    if (OC->isAssignmentOp() || OC->getNumArgs() == 0)
      return nullptr;
    Obj = OC->getArg(0);
  }
  if (!Obj)
    return nullptr;
  QualType R = MD->getReturnType();
  if (!R->isPointerType() && !R->isReferenceType() && !isFrameView(R))
    return nullptr;
  if (isMemoryHandle(Obj->getType()))
    return Obj;
  // A container over a frame allocator: data(), begin(), v[i] are its
  // frame buffer.
  QualType OT = Obj->getType();
  if (OT->isPointerType())
    OT = OT->getPointeeType();
  return IsFrameContainer && IsFrameContainer(OT) ? Obj : nullptr;
}

OriginSet FunctionAnalysis::heldThroughAccessor(const CallExpr *Call,
                                                const Disjunct &D) {
  const Expr *Obj = handleAccessorObject(
      Call, [this](QualType T) { return isFrameContainer(T); });
  if (!Obj)
    return {};
  if (Obj->getType()->isPointerType()) {
    PathId P = pointeePath(Obj);
    return P == NoPath ? OriginSet() : heldBy(P, D, /*ThroughDeref=*/false);
  }
  OriginSet S;
  if (!Obj->isGLValue())
    S = valueOf(Obj, D);
  if (PathId P = lvaluePath(stripCopies(Obj)); P != NoPath)
    setUnion(S, heldBy(P, D, /*ThroughDeref=*/false));
  else if (Obj->isGLValue())
    S = valueOf(stripCopies(Obj), D);
  return S;
}

const Expr *FunctionAnalysis::currentScope(const Disjunct &D) const {
  return newestCheckpoint(frameScope(D), D);
}

const Expr *FunctionAnalysis::newestCheckpoint(const Expr *Scope,
                                               const Disjunct &D) const {
  // What is allocated after a checkpoint of the scope is released by a
  // rollback to it, or else with the scope.
  for (auto It = D.Checkpoints.rbegin(), End = D.Checkpoints.rend(); It != End;
       ++It)
    if (It->second == Scope)
      return It->first;
  return Scope;
}

const Expr *FunctionAnalysis::frameScope(const Disjunct &D) const {
  return D.Stack.empty() ? nullptr : D.Stack.back();
}

OriginId FunctionAnalysis::newOrigin(const Expr *Site, const Disjunct &D) {
  return Origins.get(Site, currentScope(D), nullptr);
}

bool FunctionAnalysis::isFrameAlloc(const CallExpr *CE) {
  const FunctionDecl *Callee = CE->getDirectCallee();
  if (!Callee)
    return false;
  const CalleeInfo &Info = Index.callee(Callee);
  if (Info.ReturnsFrame)
    return true;
  if (Info.isFrameRelevant() || isa<CXXOperatorCallExpr>(CE))
    return false;
  const FunctionSummary *S = Analyzer.summary(Callee);
  return S && (S->ReturnsCallerFrame || S->ArenaParam != keyed::None);
}

/// The allocator of a container type (its allocator_type), or null.
static const CXXRecordDecl *allocatorOf(QualType T, ASTContext &Ctx) {
  const auto *RD = T.getNonReferenceType()->getAsCXXRecordDecl();
  if (!RD || !RD->hasDefinition())
    return nullptr;
  for (const NamedDecl *ND : RD->lookup(&Ctx.Idents.get("allocator_type")))
    if (const auto *TD = dyn_cast<TypedefNameDecl>(ND))
      if (const auto *AD = TD->getUnderlyingType()->getAsCXXRecordDecl())
        return AD->hasDefinition() ? AD : nullptr;
  return nullptr;
}

/// std::pmr::polymorphic_allocator: a container using it allocates from the
/// memory_resource it is built with.
static bool isResourceContainer(QualType T, ASTContext &Ctx) {
  const CXXRecordDecl *AD = allocatorOf(T, Ctx);
  if (!AD || !AD->getDeclName().isIdentifier() ||
      AD->getName() != "polymorphic_allocator")
    return false;
  const auto *NS = dyn_cast<NamespaceDecl>(AD->getDeclContext());
  while (NS && NS->isInline())
    NS = dyn_cast<NamespaceDecl>(NS->getParent());
  return NS && NS->getDeclName().isIdentifier() && NS->getName() == "pmr";
}

bool FunctionAnalysis::isFrameContainer(QualType T) {
  const CXXRecordDecl *AD = allocatorOf(T, Ctx);
  if (!AD)
    return false;
  for (const NamedDecl *M : AD->lookup(&Ctx.Idents.get("allocate")))
    if (const auto *MD = dyn_cast<CXXMethodDecl>(M))
      if (Index.callee(MD).ReturnsFrame)
        return true;
  // A pmr container's buffer is frame memory when its resource allocates
  // frame memory (valueOf of its construction decides, per object).
  return isResourceContainer(T, Ctx);
}

/// Is \p CC built over a memory resource whose do_allocate is
/// FA_RETURNS_FRAME (`std::pmr::vector<T> v(&frame_res)`)?
static bool onFrameResource(const CXXConstructExpr *CC, AnnotationIndex &Index,
                            ASTContext &Ctx) {
  llvm::SmallVector<const Stmt *, 8> Work(CC->arg_begin(), CC->arg_end());
  while (!Work.empty()) {
    const Stmt *S = Work.pop_back_val();
    if (!S || isa<LambdaExpr>(S))
      continue;
    if (const auto *E = dyn_cast<Expr>(S))
      if (E->getType()->isPointerType())
        if (const auto *RD = E->getType()->getPointeeCXXRecordDecl())
          if (RD->hasDefinition())
            for (const NamedDecl *M :
                 RD->lookup(&Ctx.Idents.get("do_allocate")))
              if (const auto *MD = dyn_cast<CXXMethodDecl>(M))
                if (Index.callee(MD).ReturnsFrame)
                  return true;
    for (const Stmt *C : S->children())
      Work.push_back(C);
  }
  return false;
}

OriginSet FunctionAnalysis::valueOf(const Expr *E, const Disjunct &D) {
  if (!E)
    return {};
  E = E->IgnoreParens();
  if (const auto *CE = dyn_cast<CastExpr>(E)) {
    switch (CE->getCastKind()) {
    case CK_LValueToRValue: {
      if (const auto *CL = dyn_cast<CompoundLiteralExpr>(
              CE->getSubExpr()->IgnoreParens()))
        return valueOf(CL->getInitializer(), D);
      PathId P = lvaluePath(CE->getSubExpr());
      if (P == NoPath)
        return OriginSet();
      // A number read from an object holding frame memory is a number; only
      // an address stored in it as an integer (`u = (uintptr_t)p`) is not.
      QualType T = CE->getType();
      if (!T->isPointerType() && !T->isRecordType() && !T->isArrayType() &&
          !T->isReferenceType()) {
        const OriginSet *Own = D.Vals.find(P);
        return Own ? *Own : OriginSet();
      }
      return lookup(P, D);
    }
    case CK_ArrayToPointerDecay:
      return addressOf(CE->getSubExpr(), D);
    case CK_FunctionToPointerDecay:
    case CK_NullToPointer:
    case CK_BuiltinFnToFnPtr:
      return {};
    case CK_IntegralToPointer:
      // `(T *)h` with `h = (uintptr_t)p` points where p did; a constant
      // address holds no origin anyway.
      return valueOf(CE->getSubExpr(), D);
    default:
      return valueOf(CE->getSubExpr(), D);
    }
  }
  if (const auto *Call = dyn_cast<CallExpr>(E)) {
    if (Call->isGLValue())
      if (const Expr *Base = containerElementBase(Call)) {
        PathId P = lvaluePath(Base);
        return P == NoPath ? OriginSet() : lookup(P, D);
      }
    // `o->f` of a std::optional points into the optional itself.
    if (optionalObject(Call))
      return {};
    // `p.get()`, `s.data()`, `*it`: the memory a handle object holds.
    if (!isFrameAlloc(Call))
      return heldThroughAccessor(Call, D);
    const Expr *Scope = nullptr;
    PathId Arena = NoPath;
    if (!allocScope(Call, D, Scope, Arena))
      return {};
    OriginSet S;
    S.push_back(Origins.get(Call, Scope, nullptr, Arena));
    return S;
  }
  if (const auto *CO = dyn_cast<AbstractConditionalOperator>(E)) {
    // `big ? big : fallback` where this path knows big is null.
    bool Negated = false;
    unsigned Key = condKey(CO->getCond(), Negated);
    if (const bool *Known = Key == NoCond ? nullptr : D.Conds.find(Key))
      return valueOf(*Known != Negated ? CO->getTrueExpr() : CO->getFalseExpr(),
                     D);
    OriginSet S = valueOf(CO->getTrueExpr(), D);
    setUnion(S, valueOf(CO->getFalseExpr(), D));
    return S;
  }
  if (const auto *BO = dyn_cast<BinaryOperator>(E)) {
    if (BO->getOpcode() == BO_Comma)
      return valueOf(BO->getRHS(), D);
    if (BO->isAssignmentOp()) {
      PathId P = lvaluePath(BO->getLHS());
      return P == NoPath ? OriginSet() : lookup(P, D);
    }
    if (BO->isAdditiveOp() && BO->getType()->isPointerType())
      return valueOf(BO->getLHS()->getType()->isPointerType() ? BO->getLHS()
                                                              : BO->getRHS(),
                     D);
    // An address kept as an integer keeps pointing where it did through
    // offsets and masks (`(T *)(h + off)`, `(h + 15) & ~15`); the difference
    // of two addresses is a distance.
    if (BO->getType()->isIntegerType()) {
      BinaryOperatorKind Op = BO->getOpcode();
      if (Op != BO_Add && Op != BO_Sub && Op != BO_Or && Op != BO_And &&
          Op != BO_Xor)
        return {};
      OriginSet L = valueOf(BO->getLHS(), D);
      OriginSet R = valueOf(BO->getRHS(), D);
      if (Op == BO_Sub)
        return R.empty() ? L : OriginSet();
      setUnion(L, R);
      return L;
    }
    return {};
  }
  if (const auto *UO = dyn_cast<UnaryOperator>(E)) {
    if (UO->getOpcode() == UO_AddrOf)
      return addressOf(UO->getSubExpr(), D);
    if (UO->isIncrementDecrementOp()) {
      PathId P = lvaluePath(UO->getSubExpr());
      return P == NoPath ? OriginSet() : lookup(P, D);
    }
    return {};
  }
  if (const auto *LE = dyn_cast<LambdaExpr>(E)) {
    // A closure holds what it captures; a capture by reference reads the
    // variable when the closure runs.
    OriginSet S;
    for (const Expr *Init : LE->capture_inits()) {
      if (!Init)
        continue;
      if (Init->isGLValue()) {
        PathId P = lvaluePath(Init);
        if (P != NoPath)
          setUnion(S, heldBy(P, D, /*ThroughDeref=*/false));
      } else {
        setUnion(S, valueOf(Init, D));
        if (Init->getType()->isRecordType()) {
          PathId P = lvaluePath(stripCopies(Init));
          if (P != NoPath)
            setUnion(S, heldBy(P, D, /*ThroughDeref=*/false));
        }
      }
    }
    return S;
  }
  if (const auto *CC = dyn_cast<CXXConstructExpr>(E)) {
    // An object built from closures or objects holding frame memory holds
    // it (std::function from a lambda); one built from a pointer holds it
    // only if it owns nothing (a view): an owner (non-trivial destructor,
    // like std::string) copies the data.
    const CXXRecordDecl *RD = CC->getConstructor()
                                  ? CC->getConstructor()->getParent()
                                  : nullptr;
    bool View = RD && RD->hasDefinition() && RD->hasTrivialDestructor();
    // A container over a frame allocator: its buffer is frame memory of
    // the scope open where it is built (a copy of one, of its source's).
    if (!View && isFrameContainer(CC->getType())) {
      const CXXConstructorDecl *Ctor = CC->getConstructor();
      bool Resource = isResourceContainer(CC->getType(), Ctx);
      // A copy of a pmr container uses the default resource, a move keeps
      // its source's.
      if (Resource && Ctor->isCopyConstructor())
        return {};
      if (Resource && !Ctor->isMoveConstructor() &&
          !onFrameResource(CC, Index, Ctx))
        return {};
      if ((Ctor->isCopyConstructor() || Ctor->isMoveConstructor()) &&
          CC->getNumArgs() >= 1) {
        PathId Src = lvaluePath(stripCopies(CC->getArg(0)));
        if (Src != NoPath)
          return heldBy(Src, D, /*ThroughDeref=*/false);
      }
      OriginSet S;
      S.push_back(newOrigin(CC, D));
      return S;
    }
    // An owner whose elements keep no address (std::string from a
    // string_view, std::vector<int> from a range) copies everything.
    if (!View && !keepsAddresses(CC->getType()))
      return {};
    OriginSet S;
    for (const Expr *Arg : CC->arguments()) {
      QualType T = Arg->getType();
      if (T->isRecordType()) {
        setUnion(S, valueOf(Arg, D));
        PathId P = Arg->isGLValue() ? lvaluePath(stripCopies(Arg)) : NoPath;
        if (P != NoPath)
          setUnion(S, heldBy(P, D, /*ThroughDeref=*/false));
      } else if (View && T->isPointerType()) {
        setUnion(S, valueOf(Arg, D));
      }
    }
    return S;
  }
  // `(struct view){p, n}`, `return {p, n};`: the aggregate holds its
  // elements' frame memory.
  if (const auto *IL = dyn_cast<InitListExpr>(E)) {
    OriginSet S;
    for (const Expr *Init : IL->inits())
      setUnion(S, valueOf(Init, D));
    return S;
  }
  if (const auto *CL = dyn_cast<CompoundLiteralExpr>(E))
    return valueOf(CL->getInitializer(), D);
  if (const auto *BT = dyn_cast<CXXBindTemporaryExpr>(E))
    return valueOf(BT->getSubExpr(), D);
  if (const auto *FE = dyn_cast<FullExpr>(E))
    return valueOf(FE->getSubExpr(), D);
  if (const auto *MT = dyn_cast<MaterializeTemporaryExpr>(E))
    return valueOf(MT->getSubExpr(), D);
  if (const auto *CE = dyn_cast<ChooseExpr>(E))
    return CE->isConditionDependent() ? OriginSet()
                                      : valueOf(CE->getChosenSubExpr(), D);
  return {};
}

OriginSet FunctionAnalysis::addressOf(const Expr *L, const Disjunct &D) {
  L = L->IgnoreParens();
  if (const auto *UO = dyn_cast<UnaryOperator>(L))
    return UO->getOpcode() == UO_Deref ? valueOf(UO->getSubExpr(), D)
                                       : OriginSet();
  if (const auto *ME = dyn_cast<MemberExpr>(L))
    return ME->isArrow() ? valueOf(ME->getBase(), D)
                         : addressOf(ME->getBase(), D);
  if (const auto *AS = dyn_cast<ArraySubscriptExpr>(L)) {
    if (const Expr *Array = arrayOperand(AS))
      return addressOf(Array, D);
    return valueOf(AS->getBase(), D);
  }
  if (const auto *ICE = dyn_cast<ImplicitCastExpr>(L))
    if (ICE->getCastKind() == CK_NoOp)
      return addressOf(ICE->getSubExpr(), D);
  // `&s[i]`, `&*p`: a reference into the memory a handle holds.
  if (const auto *Call = dyn_cast<CallExpr>(L))
    if (Call->getType()->isReferenceType() || Call->isGLValue())
      return heldThroughAccessor(Call, D);
  return {};
}

OriginSet FunctionAnalysis::lookup(PathId P, const Disjunct &D) const {
  // An entry on an enclosing object ("s holds frame memory") covers its
  // fields, but not what its pointers point to.
  for (PathId Q = P; Q != NoPath; Q = Paths[Q].Parent) {
    if (const OriginSet *S = D.Vals.find(Q))
      return *S;
    if (Paths[Q].IsDeref)
      break;
  }
  return {};
}

OriginSet FunctionAnalysis::heldBy(PathId P, const Disjunct &D,
                                   bool ThroughDeref) const {
  OriginSet S = lookup(P, D);
  for (const auto &Entry : D.Vals)
    if (Paths.isPrefix(P, Entry.first, ThroughDeref))
      setUnion(S, Entry.second);
  return S;
}

const LambdaExpr *wrappedLambda(const Expr *E) {
  for (int Depth = 0; E && Depth < 4; ++Depth) {
    E = stripCopies(E);
    if (const auto *LE = dyn_cast<LambdaExpr>(E))
      return LE;
    if (const auto *ICE = dyn_cast<ImplicitCastExpr>(E))
      if (ICE->getCastKind() == CK_ConstructorConversion) {
        E = ICE->getSubExpr();
        continue;
      }
    const auto *CE = dyn_cast<CXXConstructExpr>(E);
    if (!CE || CE->getNumArgs() != 1)
      return nullptr;
    E = CE->getArg(0);
  }
  return nullptr;
}

OriginSet FunctionAnalysis::reachableFrom(const Expr *E, const Disjunct &D,
                                          PathId *Carrier) {
  // A closure hands over what each capture reaches: `[req] { use(req->buf);
  // }` takes the frame memory held in req's object along.
  if (const LambdaExpr *LE = wrappedLambda(E)) {
    OriginSet S = valueOf(E, D);
    for (const Expr *Init : LE->capture_inits())
      if (Init)
        setUnion(S, reachableFrom(Init, D, Carrier));
    return S;
  }
  OriginSet S = valueOf(E, D);
  QualType T = E->getType();
  // An argument bound to a reference (std::thread's Args&&...) hands over
  // what the named object holds.
  if (E->isGLValue() && !T->isRecordType()) {
    PathId LP = lvaluePath(E);
    if (LP != NoPath)
      setUnion(S, lookup(LP, D));
  }
  PathId P = NoPath;
  if (T->isPointerType() || T->isArrayType())
    P = pointeePath(E);
  else if (T->isRecordType())
    P = lvaluePath(stripCopies(E));
  if (P == NoPath)
    return S;
  for (const auto &Entry : D.Vals) {
    if (Entry.second.empty() || !Paths.isPrefix(P, Entry.first, true))
      continue;
    setUnion(S, Entry.second);
    if (Carrier && *Carrier == NoPath)
      *Carrier = Entry.first;
  }
  return S;
}

PathId FunctionAnalysis::lvaluePath(const Expr *E) {
  // Before the solve (the pre-scan notes range-for variables) and before the
  // slot aliases are known a path may still change.
  if (!SlotAliasesReady || !Cfg)
    return lvaluePathUncached(E);
  auto It = LvalueMemo.find(E);
  if (It != LvalueMemo.end())
    return It->second;
  PathId P = lvaluePathUncached(E);
  LvalueMemo[E] = P;
  return P;
}

PathId FunctionAnalysis::lvaluePathUncached(const Expr *E) {
  E = E->IgnoreParens();
  if (const auto *ICE = dyn_cast<ImplicitCastExpr>(E)) {
    CastKind K = ICE->getCastKind();
    if (K == CK_NoOp || K == CK_DerivedToBase ||
        K == CK_UncheckedDerivedToBase || K == CK_LValueBitCast)
      return lvaluePath(ICE->getSubExpr());
    return NoPath;
  }
  if (const auto *DRE = dyn_cast<DeclRefExpr>(E)) {
    const auto *VD = dyn_cast<VarDecl>(DRE->getDecl());
    if (!VD)
      return NoPath;
    // A reference is a pointer that is dereferenced at every use: `out.pts`
    // through `Path &out` is the caller's object.
    if (VD->getType()->isReferenceType()) {
      if (PathId Slot = slotAlias(VD); Slot != NoPath)
        return Slot;
      return Paths.child(Paths.root(VD), nullptr);
    }
    return Paths.root(VD);
  }
  if (const auto *Call = dyn_cast<CallExpr>(E))
    if (const Expr *Base = containerElementBase(Call))
      return lvaluePath(Base);
  if (const auto *ME = dyn_cast<MemberExpr>(E)) {
    const auto *Field = dyn_cast<FieldDecl>(ME->getMemberDecl());
    if (!Field) {
      const auto *VD = dyn_cast<VarDecl>(ME->getMemberDecl());
      return VD ? Paths.root(VD) : NoPath;
    }
    PathId Base =
        ME->isArrow() ? pointeePath(ME->getBase()) : lvaluePath(ME->getBase());
    return Base == NoPath ? NoPath : Paths.child(Base, Field);
  }
  if (const auto *UO = dyn_cast<UnaryOperator>(E))
    return UO->getOpcode() == UO_Deref ? pointeePath(UO->getSubExpr()) : NoPath;
  if (const auto *AS = dyn_cast<ArraySubscriptExpr>(E)) {
    if (const Expr *Array = arrayOperand(AS))
      return lvaluePath(Array);
    return pointeePath(AS->getBase());
  }
  return NoPath;
}

PathId FunctionAnalysis::pointeePath(const Expr *E) {
  if (!SlotAliasesReady || !Cfg)
    return pointeePathUncached(E);
  auto It = PointeeMemo.find(E);
  if (It != PointeeMemo.end())
    return It->second;
  PathId P = pointeePathUncached(E);
  PointeeMemo[E] = P;
  return P;
}

PathId FunctionAnalysis::pointeePathUncached(const Expr *E) {
  E = E->IgnoreParens();
  // `this` is rooted at the method: the object outlives the call.
  if (isa<CXXThisExpr>(E))
    return Paths.child(Paths.root(FD), nullptr);
  // `o->f` of a std::optional: the value stored in it.
  if (const Expr *Obj = optionalObject(E))
    return Obj->getType()->isPointerType() ? pointeePath(Obj)
                                           : lvaluePath(stripCopies(Obj));
  if (const auto *CE = dyn_cast<CastExpr>(E)) {
    switch (CE->getCastKind()) {
    case CK_LValueToRValue: {
      if (const auto *DRE =
              dyn_cast<DeclRefExpr>(CE->getSubExpr()->IgnoreParens()))
        if (const auto *VD = dyn_cast<VarDecl>(DRE->getDecl()))
          if (PathId Slot = slotAlias(VD); Slot != NoPath)
            return Slot;
      PathId P = lvaluePath(CE->getSubExpr());
      return P == NoPath ? NoPath : Paths.child(P, nullptr);
    }
    case CK_ArrayToPointerDecay:
      return lvaluePath(CE->getSubExpr());
    case CK_NoOp:
    case CK_BitCast:
    case CK_DerivedToBase:
    case CK_UncheckedDerivedToBase:
      return pointeePath(CE->getSubExpr());
    default:
      return NoPath;
    }
  }
  if (const auto *UO = dyn_cast<UnaryOperator>(E))
    return UO->getOpcode() == UO_AddrOf ? lvaluePath(UO->getSubExpr()) : NoPath;
  if (const auto *BO = dyn_cast<BinaryOperator>(E)) {
    if (BO->isAdditiveOp() && BO->getType()->isPointerType())
      return pointeePath(BO->getLHS()->getType()->isPointerType()
                             ? BO->getLHS()
                             : BO->getRHS());
    if (BO->getOpcode() == BO_Comma)
      return pointeePath(BO->getRHS());
  }
  return NoPath;
}

PathId FunctionAnalysis::rebase(PathId P, PathId From, PathId To) {
  if (P == From)
    return To;
  const PathInfo &Info = Paths[P];
  PathId Parent = rebase(Info.Parent, From, To);
  return Paths.child(Parent, Info.IsDeref ? nullptr : Info.Field);
}

SlotKind FunctionAnalysis::slotKind(PathId P) {
  for (PathId Q = P; Q != NoPath; Q = Paths[Q].Parent) {
    const FieldDecl *Field = Paths[Q].Field;
    if (Field && (Index.isLongLived(Field) ||
                  Index.isLongLivedRecord(Field->getParent())))
      return SlotKind::LongLived;
  }
  const auto *VD = dyn_cast<VarDecl>(Paths[P].Base);
  if (!VD) {
    // Paths rooted at `this`: the object of a method, or a long-lived type.
    if (const auto *MD = dyn_cast<CXXMethodDecl>(Paths[P].Base)) {
      if (Index.isLongLivedRecord(MD->getParent()))
        return SlotKind::LongLived;
      return Paths[P].Parent == NoPath ? SlotKind::Local : SlotKind::Outliving;
    }
    return SlotKind::Local;
  }
  if (Index.isLongLived(VD) || Index.isLongLivedType(VD->getType()))
    return SlotKind::LongLived;
  PathId Pointer = Paths.pointerRoot(P);
  if (Pointer == NoPath)
    return VD->hasGlobalStorage() ? SlotKind::Global : SlotKind::Local;
  if (Paths[Pointer].Parent == NoPath && VD->getType()->isPointerType() &&
      Index.isLongLivedType(VD->getType()->getPointeeType()))
    return SlotKind::LongLived;
  if (VD->hasGlobalStorage())
    return SlotKind::Global;
  if (const auto *PVD = dyn_cast<ParmVarDecl>(VD))
    return Index.isThreadEntryParam(PVD) ? SlotKind::ThreadShared
                                         : SlotKind::Outliving;
  if (!LocalPointerKindsDone) {
    LocalPointerKindsDone = true;
    computeLocalPointerKinds();
  }
  auto It = LocalPointerKinds.find(VD);
  return It == LocalPointerKinds.end() ? SlotKind::Local : It->second;
}

} // namespace clang::tidy::framealloc

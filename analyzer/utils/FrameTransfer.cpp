// SPDX-License-Identifier: MIT
//===--- FrameTransfer.cpp - framealloc-tidy ------------------------------===//
//
// Transfer functions of the frame analysis: what each CFG element does to the
// frame stack and to the origins held by access paths, and the findings that
// fall out of it.
//
//===----------------------------------------------------------------------===//

#include "FrameTransfer.h"
#include "clang/AST/Attr.h"
#include "clang/AST/DeclCXX.h"
#include "clang/AST/DeclTemplate.h"
#include "clang/Lex/Lexer.h"
#include "llvm/ADT/StringSwitch.h"

namespace clang::tidy::framealloc {

/// An integer-typed expression (an address converted to uintptr_t).
static bool isIntegral(const Expr *E) {
  return E && E->getType()->isIntegerType();
}

//===----------------------------------------------------------------------===//
// Elements
//===----------------------------------------------------------------------===//

void FunctionAnalysis::transferElement(const CFGElement &E, Disjunct &D) {
  if (auto S = E.getAs<CFGStmt>()) {
    transferStmt(S->getStmt(), D);
    return;
  }
  // __attribute__((cleanup(fn))) is not in the CFG; its variable's lifetime
  // end is where fn runs.
  if (auto L = E.getAs<CFGLifetimeEnds>()) {
    const VarDecl *VD = L->getVarDecl();
    const auto *Cleanup = VD ? VD->getAttr<CleanupAttr>() : nullptr;
    if (Cleanup && Cleanup->getFunctionDecl() &&
        Index.callee(Cleanup->getFunctionDecl()).Ends) {
      const Stmt *Site = L->getTriggerStmt() ? L->getTriggerStmt()
                                             : FD->getBody();
      // The cleanup function receives the address of its variable: a keyed
      // one ends the scope of the token it holds.
      if (Index.callee(Cleanup->getFunctionDecl()).EndsOn != keyed::None &&
          endToken(Site, Paths.root(VD), D, /*Implicit=*/true))
        return;
      endFrame(Site, D);
    }
    return;
  }
  // C++ scope guards: a destructor declared FA_ENDS_FRAME.
  if (auto Dtor = E.getAs<CFGAutomaticObjDtor>()) {
    const CXXDestructorDecl *DD = Dtor->getDestructorDecl(Ctx);
    if (DD && Index.callee(DD).Ends) {
      if (Reporting && !D.Retained.empty())
        checkSlotsAfterGuard(Dtor->getVarDecl(), D);
      const Stmt *Site =
          Dtor->getTriggerStmt() ? Dtor->getTriggerStmt() : FD->getBody();
      // A guard whose construction began a keyed scope ends that scope; if
      // it was ended already (released early), the destructor does nothing.
      if (const TokenInfo *T = HasKeyed ? D.Tokens.find(Paths.root(
                                              Dtor->getVarDecl()))
                                        : nullptr) {
        if (llvm::is_contained(D.Stack, T->Scope))
          endToken(Site, Paths.root(Dtor->getVarDecl()), D, /*Implicit=*/true);
        return;
      }
      leaveGuard(Site, Dtor->getVarDecl(), D);
    }
  }
}

void FunctionAnalysis::transferStmt(const Stmt *S, Disjunct &D) {
  if (const auto *CE = dyn_cast<CallExpr>(S))
    return handleCall(CE, D);
  if (const auto *CC = dyn_cast<CXXConstructExpr>(S))
    return handleConstruct(CC, D);
  if (const auto *AE = dyn_cast<AtomicExpr>(S))
    return handleAtomic(AE, D);
  if (const auto *BO = dyn_cast<BinaryOperator>(S)) {
    if (BO->isAssignmentOp())
      handleAssign(BO, D);
    return;
  }
  if (const auto *UO = dyn_cast<UnaryOperator>(S)) {
    if (UO->getOpcode() == UO_Deref) {
      checkDeref(UO->getSubExpr(), D);
    } else if (UO->isIncrementDecrementOp()) {
      PathId P = lvaluePath(UO->getSubExpr());
      if (P != NoPath) {
        forgetConds(Paths[P].Base, D);
        forgetCopies(P, D);
      }
    }
    return;
  }
  if (const auto *ME = dyn_cast<MemberExpr>(S)) {
    if (ME->isArrow())
      checkDeref(ME->getBase(), D);
    return;
  }
  if (const auto *AS = dyn_cast<ArraySubscriptExpr>(S)) {
    if (!arrayOperand(AS))
      checkDeref(AS->getBase(), D);
    return;
  }
  if (const auto *DS = dyn_cast<DeclStmt>(S)) {
    for (const Decl *Dl : DS->decls())
      if (const auto *VD = dyn_cast<VarDecl>(Dl))
        handleVarInit(VD, DS, D);
    return;
  }
  if (const auto *RS = dyn_cast<ReturnStmt>(S))
    return handleReturn(RS, D);
}

//===----------------------------------------------------------------------===//
// Calls
//===----------------------------------------------------------------------===//

void FunctionAnalysis::handleCall(const CallExpr *CE, Disjunct &D) {
  const FunctionDecl *Callee = CE->getDirectCallee();

  // In C++ a struct assignment is a call to a trivial operator=.
  if (const auto *OC = dyn_cast<CXXOperatorCallExpr>(CE)) {
    const auto *MD = dyn_cast_or_null<CXXMethodDecl>(Callee);
    if (OC->getOperator() == OO_Equal && OC->getNumArgs() == 2 && MD &&
        MD->isTrivial() &&
        (MD->isCopyAssignmentOperator() || MD->isMoveAssignmentOperator())) {
      PathId P = lvaluePath(OC->getArg(0));
      if (P != NoPath) {
        forgetConds(Paths[P].Base, D);
        assignRecord(P, OC->getArg(1), CE, /*Weak=*/false, D);
        if (HasKeyed)
          bindToken(P, OC->getArg(1), D);
      }
      return;
    }
  }

  // `*p`, `s[i]` of a handle (frame_ptr, span, iterator) read the memory
  // it holds.
  if (const auto *OC = dyn_cast<CXXOperatorCallExpr>(CE))
    if ((OC->getOperator() == OO_Star || OC->getOperator() == OO_Subscript) &&
        !optionalObject(OC) &&
        handleAccessorObject(
            OC, [this](QualType T) { return isFrameContainer(T); }))
      checkDeref(OC, D);

  // Assignment to a class object (std::function = lambda, a handle's
  // operator=): the object now holds what the right-hand side holds.
  if (const auto *OC = dyn_cast<CXXOperatorCallExpr>(CE))
    if (OC->getOperator() == OO_Equal && OC->getNumArgs() == 2) {
      PathId P = lvaluePath(OC->getArg(0));
      if (P != NoPath) {
        const Expr *RHS = OC->getArg(1);
        OriginSet V = valueOf(RHS, D);
        if (RHS->getType()->isRecordType()) {
          PathId Src = RHS->isGLValue() ? lvaluePath(stripCopies(RHS)) : NoPath;
          if (Src != NoPath && Src != P)
            setUnion(V, heldBy(Src, D, /*ThroughDeref=*/false));
        }
        // An owner copies what it is assigned (`name_ = tmp;` for a
        // std::string): it keeps an address only through an object whose
        // holdings its elements keep (a std::function from a closure).
        QualType LT = OC->getArg(0)->getType();
        if (isOwningClass(LT) &&
            (!RHS->getType()->isRecordType() || !keepsAddresses(LT))) {
          // The copy reads the memory.
          if (RHS->getType()->isPointerType())
            checkDeref(RHS, D);
          V.clear();
        }
        forgetConds(Paths[P].Base, D);
        store(P, V, CE, RHS, /*Weak=*/false, D);
        return;
      }
    }

  // std::atomic<T *>::store and friends store like an assignment; another
  // thread reading the object is the escape's business, not a crossing.
  if (const auto *MC = dyn_cast<CXXMemberCallExpr>(CE)) {
    bool MayFail = false;
    if (const Expr *Val = atomicMemberStore(MC, MayFail)) {
      PathId P = lvaluePath(MC->getImplicitObjectArgument());
      if (P != NoPath) {
        forgetConds(Paths[P].Base, D);
        store(P, valueOf(Val, D), CE, Val, /*Weak=*/MayFail, D);
      }
      return;
    }
  }

  // A standard container's insertion keeps the element in the container.
  if (const auto *MC = dyn_cast<CXXMemberCallExpr>(CE))
    if (handleContainerInsert(MC, D))
      return;

  // A call through a function pointer (a job API, a table of operations)
  // whose declarator marks parameters FA_CROSSES_THREAD.
  if (!Callee && Reporting) {
    llvm::SmallVector<unsigned, 2> Crossing;
    Index.crossingParamsOfPointer(CE->getCallee(), Crossing);
    for (unsigned I : Crossing)
      if (I < CE->getNumArgs())
        checkCrossing(nullptr, I, CE->getArg(I), D, spelling(CE->getCallee()),
                      CE);
  }

  // Operator calls of member functions pass the object as argument 0.
  unsigned Skip = 0;
  if (isa<CXXOperatorCallExpr>(CE))
    if (const auto *MD = dyn_cast_or_null<CXXMethodDecl>(Callee))
      Skip = MD->isStatic() ? 0 : 1;
  for (unsigned I = Skip, N = CE->getNumArgs(); I < N; ++I) {
    unsigned ParamIndex = I - Skip;
    QualType ParamType;
    if (Callee && ParamIndex < Callee->getNumParams())
      ParamType = Callee->getParamDecl(ParamIndex)->getType();
    CurrentCall = CE;
    handleArgument(Callee, ParamIndex, CE->getArg(I), ParamType, D);
    CurrentCall = nullptr;
  }
  if (!Callee || handleZeroing(CE, D))
    return;

  const CalleeInfo &Info = Index.callee(Callee);
  if (Reporting && !Info.BadKey.empty()) {
    Finding F{Info.BadKeyIsAlloc ? FindingKind::Escape : FindingKind::Pairing,
              {}, {}};
    F.Warning.Loc = loc(CE);
    F.Warning.Format = "'%0' is declared %1, which names none of its "
                       "parameters; the call is treated as unkeyed";
    F.Warning.Args = {Callee->getNameAsString(), Info.BadKey};
    addFinding(std::move(F));
  }
  for (unsigned I : Info.RetainSlotArgs)
    if (I < CE->getNumArgs())
      retainSlot(CE, Callee, CE->getArg(I), D);
  if (Info.Checkpoint)
    takeCheckpoint(CE, D);
  else if (Info.Rollback)
    rollBack(CE, D);
  if (Info.Begins && !Info.Ends)
    beginFrame(CE, D);
  else if (Info.Ends && !Info.Begins) {
    ExplicitEnd = CE;
    endCall(CE, Info, D);
    ExplicitEnd = nullptr;
  }
  // Helpers (annotated allocators included) may also fill caller objects,
  // or clear them.
  if (!Info.changesFrames()) {
    applySummary(CE, Callee, D);
    applyClears(CE, Callee, D);
    if (const auto *MC = dyn_cast<CXXMemberCallExpr>(CE))
      applyMemberStores(MC, Callee, D);
  }
}

void FunctionAnalysis::handleArgument(const FunctionDecl *Callee,
                                      unsigned ArgIndex, const Expr *Arg,
                                      QualType ParamType, Disjunct &D) {
  if (Callee && Index.crossesThread(Callee, ArgIndex, Arg->getType()))
    return checkCrossing(Callee, ArgIndex, Arg, D, {}, CurrentCall);
  if (Callee && Reporting)
    checkParamEffects(Callee, ArgIndex, Arg, D);
  // A retained slot is registered by the call (retainSlot).
  if (Callee &&
      llvm::is_contained(Index.callee(Callee).RetainSlotArgs, ArgIndex))
    return;

  std::string CalleeName = Callee && Callee->getDeclName().isIdentifier()
                               ? Callee->getName().str()
                               : std::string();
  auto ReportDead = [&](OriginId Dead) {
    if (!Reporting || Dead == NoOrigin)
      return;
    std::string Name = spelling(Arg);
    Finding F{FindingKind::UseAfterFrame, {}, {}};
    F.Warning.Loc = loc(Arg);
    if (Name.empty())
      Name = "frame memory";
    F.Warning.Format = CalleeName.empty()
                           ? "'%0' passed to a function after its frame ended"
                           : "'%0' passed to '%1' after its frame ended";
    F.Warning.Args = {Name, CalleeName};
    addOriginNotes(F, Dead, F.Warning.Loc, /*WithEnd=*/true);
    addUseFinding(std::move(F), Dead);
  };

  // An address printed or compared as an integer is not a use.
  if (isIntegral(Arg))
    return;
  // A dangling pointer handed to any function.
  OriginSet Value = valueOf(Arg, D);
  OriginId Dead = firstDead(Value);
  if (Dead != NoOrigin)
    return ReportDead(Dead);

  QualType T = Arg->getType();
  // An object passed by non-const reference may be re-initialized, like one
  // passed by non-const pointer.
  if (!ParamType.isNull() && ParamType->isReferenceType() &&
      !ParamType->getPointeeType().isConstQualified() && Arg->isGLValue()) {
    PathId P = lvaluePath(Arg);
    if (P != NoPath && firstDead(heldBy(P, D, false)) != NoOrigin) {
      for (auto &Entry : D.Vals)
        if (Paths.isPrefix(P, Entry.first, /*ThroughDeref=*/false))
          Entry.second.erase(
              std::remove_if(Entry.second.begin(), Entry.second.end(),
                             [this](OriginId O) { return Origins.isDead(O); }),
              Entry.second.end());
      D.Vals.eraseIf([](const std::pair<PathId, OriginSet> &E) {
        return E.second.empty();
      });
    }
    return;
  }
  // A struct passed by value hands over the frame pointers it holds.
  if (T->isRecordType()) {
    PathId P = lvaluePath(stripCopies(Arg));
    if (P != NoPath)
      ReportDead(firstDead(heldBy(P, D, /*ThroughDeref=*/false)));
    return;
  }
  if (!T->isPointerType())
    return;

  // An object passed by pointer: a pointer-to-const parameter reads what it
  // holds; any other parameter may (re)initialize it, so forget its dangling
  // fields rather than report them (the scratch-filling helper pattern).
  PathId Pointee = pointeePath(Arg);
  if (Pointee == NoPath)
    return;
  bool ReadOnly = !ParamType.isNull() && ParamType->isPointerType() &&
                  ParamType->getPointeeType().isConstQualified();
  // `f(&c)` may change c; `f(cfg)` is assumed not to change what the
  // conditions read through cfg (calls are treated optimistically).
  const auto *AddrOf = dyn_cast<UnaryOperator>(Arg->IgnoreParenImpCasts());
  if (!ReadOnly && AddrOf && AddrOf->getOpcode() == UO_AddrOf) {
    forgetConds(Paths[Pointee].Base, D);
    forgetCopies(Pointee, D);
  }
  if (ReadOnly)
    return ReportDead(firstDead(heldBy(Pointee, D, /*ThroughDeref=*/false)));
  if (firstDead(heldBy(Pointee, D, /*ThroughDeref=*/false)) == NoOrigin)
    return;
  for (auto &Entry : D.Vals) {
    if (!Paths.isPrefix(Pointee, Entry.first, /*ThroughDeref=*/false))
      continue;
    Entry.second.erase(
        std::remove_if(Entry.second.begin(), Entry.second.end(),
                       [this](OriginId O) { return Origins.isDead(O); }),
        Entry.second.end());
  }
  D.Vals.eraseIf(
      [](const std::pair<PathId, OriginSet> &E) { return E.second.empty(); });
}

void FunctionAnalysis::handleConstruct(const CXXConstructExpr *CE,
                                       Disjunct &D) {
  const CXXConstructorDecl *Ctor = CE->getConstructor();
  if (!Ctor)
    return;
  const CalleeInfo &Info = Index.callee(Ctor);
  // An owner that keeps no address copies what its pointer arguments point
  // to (`std::string s(p)`): reading it after the end is a use.
  if (Reporting && isOwningClass(CE->getType()) &&
      !keepsAddresses(CE->getType()))
    for (const Expr *Arg : CE->arguments())
      if (Arg->getType()->isPointerType())
        checkDeref(Arg, D);
  if (Info.Begins && !Info.Ends)
    beginFrame(CE, D);
  else if (Info.Ends && !Info.Begins)
    endCall(CE, Info, D);
  // std::thread / std::jthread run their callable and arguments on a new
  // thread, like pthread_create.
  if (isThreadClass(Ctor->getParent()))
    for (unsigned I = 0, N = CE->getNumArgs(); I < N; ++I)
      checkCrossing(Ctor, I, CE->getArg(I), D, {}, CE);
  else if (Info.crossesThreads())
    for (unsigned I = 0, N = CE->getNumArgs(); I < N; ++I)
      if (Index.crossesThread(Ctor, I, CE->getArg(I)->getType()))
        checkCrossing(Ctor, I, CE->getArg(I), D, {}, CE);
}

void FunctionAnalysis::reportEscape(PathId P, OriginId O, const Disjunct &D,
                                    const Message &Why) {
  const auto *Sites = D.Stores.find(P);
  if (!Sites)
    return;
  SlotKind K = slotKind(P);
  const auto *VD = dyn_cast<VarDecl>(Paths[P].Base);
  bool Bare = Paths[P].Parent == NoPath;
  for (const Stmt *Site : *Sites) {
    Finding F{FindingKind::Escape, {}, {}};
    F.Warning.Loc = loc(Site);
    if (K == SlotKind::LongLived)
      F.Warning.Format = "frame memory stored in long-lived '%0' outlives its "
                         "frame";
    else if (K == SlotKind::Global && Bare && VD && VD->isStaticLocal())
      F.Warning.Format = "frame memory stored in static '%0' outlives its "
                         "frame";
    else if (K == SlotKind::Global && Bare)
      F.Warning.Format = "frame memory stored in global '%0' outlives its "
                         "frame";
    else
      F.Warning.Format = "frame memory stored in '%0' outlives its frame";
    F.Warning.Args = {pathName(P)};
    addOriginNotes(F, O, F.Warning.Loc, /*WithEnd=*/false);
    F.Notes.push_back(Why);
    noteLinkedNode(F, P, D);
    PathId Root = Paths.pointerRoot(P);
    const auto *RootVar =
        Root != NoPath ? dyn_cast<VarDecl>(Paths[Root].Base) : nullptr;
    auto Published = RootVar ? PublishedAt.find(RootVar) : PublishedAt.end();
    if (Published != PublishedAt.end()) {
      Message Link;
      Link.Loc = loc(Published->second.Site);
      std::string Into = spelling(Published->second.Into);
      Link.Format = Into.empty() ? "'%0' is linked into an object that "
                                   "outlives the frame here"
                                 : "'%0' is linked into '%1' here";
      Link.Args = {RootVar->getNameAsString(), Into};
      F.Notes.push_back(Link);
    }
    addFinding(std::move(F));
  }
}

//===----------------------------------------------------------------------===//
// Stores, returns, dereferences
//===----------------------------------------------------------------------===//

void FunctionAnalysis::clearPath(PathId P, Disjunct &D) {
  auto Under = [&](PathId Q) { return Paths.isPrefix(P, Q, true); };
  D.Vals.eraseIf(
      [&](const std::pair<PathId, OriginSet> &E) { return Under(E.first); });
  D.Stores.eraseIf([&](const std::pair<PathId, SmallSet<const Stmt *>> &E) {
    return Under(E.first);
  });
  if (!D.Links.empty())
    D.Links.eraseIf([&](const auto &E) { return Under(E.first); });
  forgetCopies(P, D);
  // A slot written (or found null) after its retain: the retention is not
  // trusted to cover the new value.
  if (!D.Retained.empty())
    D.Retained.eraseIf([&](const auto &E) { return Under(E.first); });
}

void FunctionAnalysis::store(PathId P, const OriginSet &V, const Stmt *Site,
                             const Expr *ValueExpr, bool Weak, Disjunct &D) {
  SlotKind K = slotKind(P);
  // Copying a dangling pointer into another local variable is not yet a use;
  // writing it into an object (through a pointer) or outliving storage is.
  if (Reporting && (K != SlotKind::Local || Paths[P].HasDeref)) {
    // An address kept as an integer (`(uintptr_t)p`) reads nothing.
    OriginId Dead = isIntegral(ValueExpr) ? NoOrigin : firstDead(V);
    if (Dead != NoOrigin) {
      Finding F{FindingKind::UseAfterFrame, {}, {}};
      F.Warning.Loc = loc(ValueExpr);
      std::string Name = spelling(ValueExpr);
      F.Warning.Format = Name.empty()
                             ? "frame memory stored in '%1' after its frame "
                               "ended"
                             : "'%0' stored in '%1' after its frame ended";
      F.Warning.Args = {Name, pathName(P)};
      addOriginNotes(F, Dead, F.Warning.Loc, /*WithEnd=*/true);
      addUseFinding(std::move(F), Dead);
    }
    OriginId Live = firstLive(V);
    if (K == SlotKind::ThreadShared && Live != NoOrigin) {
      Finding F{FindingKind::ThreadCrossing, {}, {}};
      F.Warning.Loc = loc(Site);
      F.Warning.Format = "frame memory stored in '%0', which is shared with "
                         "another thread";
      F.Warning.Args = {pathName(P)};
      addOriginNotes(F, Live, F.Warning.Loc, /*WithEnd=*/false);
      Message N;
      N.Loc = loc(Paths[P].Base->getLocation());
      N.Format = "'%0' comes from another thread (FA_THREAD_ENTRY_ARG)";
      N.Args = {Paths[P].Base->getNameAsString()};
      F.Notes.push_back(N);
      addFinding(std::move(F));
    }
  }
  if (!Weak)
    clearPath(P, D);
  else
    forgetCopies(P, D);
  if (V.empty())
    return;
  setUnion(D.Vals[P], V);
  // Store sites are notes of escapes and crossings, which need an object
  // reached through a pointer or outliving storage, and live frame memory
  // (a dangling store is reported as a use).
  if ((K != SlotKind::Local || Paths[P].HasDeref) && firstLive(V) != NoOrigin)
    setInsert(D.Stores[P], Site);
}

void FunctionAnalysis::assignRecord(PathId P, const Expr *Init,
                                    const Stmt *Site, bool Weak, Disjunct &D) {
  if (!Weak)
    clearPath(P, D);
  const Expr *E = stripCopies(Init);
  if (const auto *CL = dyn_cast<CompoundLiteralExpr>(E))
    E = CL->getInitializer()->IgnoreParens();

  if (const auto *IL = dyn_cast<InitListExpr>(E)) {
    const RecordDecl *RD = IL->getType()->getAsRecordDecl();
    const auto *CRD = dyn_cast_or_null<CXXRecordDecl>(RD);
    if (!RD || (CRD && CRD->getNumBases() != 0)) {
      // Arrays (and anything else): every element lands in the collapsed path.
      for (const Expr *Elem : IL->inits()) {
        if (Elem->getType()->isRecordType() || Elem->getType()->isArrayType())
          assignRecord(P, Elem, Site, /*Weak=*/true, D);
        else
          store(P, valueOf(Elem, D), Site, Elem, /*Weak=*/true, D);
      }
      return;
    }
    if (RD->isUnion()) {
      const FieldDecl *F = IL->getInitializedFieldInUnion();
      if (F && IL->getNumInits() == 1)
        store(Paths.child(P, F), valueOf(IL->getInit(0), D), Site,
              IL->getInit(0), /*Weak=*/true, D);
      return;
    }
    unsigned I = 0;
    for (const FieldDecl *F : RD->fields()) {
      if (I >= IL->getNumInits())
        break;
      const Expr *FI = IL->getInit(I++);
      PathId FP = Paths.child(P, F);
      if (F->getType()->isRecordType() || F->getType()->isArrayType())
        assignRecord(FP, FI, Site, /*Weak=*/true, D);
      else
        store(FP, valueOf(FI, D), Site, FI, /*Weak=*/true, D);
    }
    return;
  }

  // A copy of another tracked object: copy what it holds.
  PathId Src = E->isGLValue() ? lvaluePath(E) : NoPath;
  if (Src != NoPath) {
    if (Src == P)
      return;
    std::vector<std::pair<PathId, OriginSet>> Copied;
    for (const auto &Entry : std::as_const(D.Vals))
      if (Paths.isPrefix(Src, Entry.first, /*ThroughDeref=*/true))
        Copied.push_back(Entry);
    for (const auto &Entry : Copied)
      store(rebase(Entry.first, Src, P), Entry.second, Site, Init,
            /*Weak=*/true, D);
    return;
  }
  // A struct returned by a call (an FA_RETURNS_FRAME helper), and the rest.
  store(P, valueOf(E, D), Site, Init, /*Weak=*/true, D);
}

void FunctionAnalysis::handleAssign(const BinaryOperator *BO, Disjunct &D) {
  const Expr *LHS = BO->getLHS();
  PathId P = lvaluePath(LHS);
  if (P == NoPath)
    return;
  forgetConds(Paths[P].Base, D);
  // p += n keeps pointing into the same object (but no longer holds a copy).
  if (BO->isCompoundAssignmentOp())
    return forgetCopies(P, D);
  if (HasKeyed) {
    bindToken(P, BO->getRHS(), D);
    if (Reporting && !Self.isFrameRelevant() &&
        BO->getRHS()->getType()->isPointerType())
      noteArenaFill(P, BO->getRHS(), D);
  }
  if (LHS->getType()->isRecordType()) {
    assignRecord(P, BO->getRHS(), BO, /*Weak=*/false, D);
    return storeReturnedHeld(P, BO->getRHS(), BO, D);
  }
  // `a[i] = NULL` for every i of a loop clears the whole (collapsed) array.
  bool Element = isa<ArraySubscriptExpr>(LHS->IgnoreParenImpCasts()) &&
                 !LoopClears.count(BO);
  if (!UnwindLoops.empty())
    if (const auto *DRE = dyn_cast<DeclRefExpr>(LHS->IgnoreParenImpCasts()))
      if (SnapshotVars.count(dyn_cast<VarDecl>(DRE->getDecl())))
        D.Snapshots[DRE->getDecl()] = D.Stack.size();
  store(P, valueOf(BO->getRHS(), D), BO, BO->getRHS(), /*Weak=*/Element, D);
  noteLinkAndCopy(P, BO->getRHS(), /*Weak=*/Element, D);
  if (LHS->getType()->isPointerType())
    storeReturnedFields(P, BO->getRHS(), BO, D);
  // `opened = 1` decides a later `if (opened)`.
  if (CondTests.empty())
    return;
  bool Negated = false;
  unsigned Key = condKey(LHS, Negated);
  if (!Negated)
    recordConstantAssign(Key, BO->getRHS(), D);
}

void FunctionAnalysis::handleAtomic(const AtomicExpr *AE, Disjunct &D) {
  bool ByPointer = false, MayFail = false;
  const Expr *Val = atomicStoredValue(AE, ByPointer, MayFail);
  if (!Val)
    return;
  PathId P = pointeePath(AE->getPtr());
  if (P == NoPath)
    return;
  OriginSet V;
  if (!ByPointer) {
    V = valueOf(Val, D);
  } else if (PathId Src = pointeePath(Val); Src != NoPath) {
    V = lookup(Src, D);
  }
  forgetConds(Paths[P].Base, D);
  store(P, V, AE, Val, /*Weak=*/MayFail, D);
}

void FunctionAnalysis::handleVarInit(const VarDecl *VD, const Stmt *Site,
                                     Disjunct &D) {
  // Statics are initialized once, with constants; externs are not ours.
  if (!VD->hasLocalStorage())
    return;
  PathId P = Paths.root(VD);
  forgetConds(VD, D);
  clearPath(P, D);
  if (!UnwindLoops.empty() && SnapshotVars.count(VD))
    D.Snapshots[VD] = D.Stack.size();
  if (!RangeLoopVars.empty() && handleRangeVar(VD, Site, D))
    return;
  const Expr *Init = VD->getInit();
  if (!Init || VD->getType()->isReferenceType())
    return;
  QualType T = VD->getType();
  if (HasKeyed)
    bindToken(P, Init, D);
  if (const auto *CC = dyn_cast<CXXConstructExpr>(stripCopies(Init)))
    if (CC->getConstructor() && Index.callee(CC->getConstructor()).Begins)
      GuardOf[CC] = VD;
  if (T->isRecordType() || T->isArrayType()) {
    assignRecord(P, Init, Site, /*Weak=*/false, D);
    if (T->isRecordType())
      storeReturnedHeld(P, Init, Site, D);
    return;
  }
  store(P, valueOf(Init, D), Site, Init, /*Weak=*/false, D);
  noteLinkAndCopy(P, Init, /*Weak=*/false, D);
  if (T->isPointerType())
    storeReturnedFields(P, Init, Site, D);
  if (!CondTests.empty() &&
      (T->isIntegralOrEnumerationType() || T->isPointerType()))
    recordConstantAssign(varCondKey(VD), Init, D);
}

void FunctionAnalysis::handleReturn(const ReturnStmt *RS, Disjunct &D) {
  const Expr *E = RS->getRetValue();
  if (!E)
    return;
  if (Reporting && HasKeyed && !Self.isFrameRelevant())
    noteArenaReturn(E, D);
  if (Reporting && E->getType()->isPointerType())
    noteReturnedFields(E, D);
  if (Reporting && E->getType()->isRecordType())
    noteReturnedHeld(E, D);
  OriginSet V = valueOf(E, D);
  if (E->getType()->isRecordType()) {
    PathId P = lvaluePath(stripCopies(E));
    if (P != NoPath)
      setUnion(V, heldBy(P, D, /*ThroughDeref=*/false));
  }
  if (V.empty() || !Reporting)
    return;
  std::string Name = spelling(E);

  OriginId Dead = isIntegral(E) ? NoOrigin : firstDead(V);
  if (Dead != NoOrigin) {
    Finding F{FindingKind::UseAfterFrame, {}, {}};
    F.Warning.Loc = loc(E);
    F.Warning.Format = "'%0' returned after its frame ended";
    F.Warning.Args = {Name.empty() ? "frame memory" : Name};
    addOriginNotes(F, Dead, F.Warning.Loc, /*WithEnd=*/true);
    addUseFinding(std::move(F), Dead);
  }

  OriginId Live = firstLive(V);
  if (Live == NoOrigin)
    return;
  if (!Origins[Live].Scope)
    Result.Summary.ReturnsCallerFrame = true;
  if (Self.ReturnsFrame)
    return;
  Finding F{FindingKind::Escape, {}, {}};
  F.Warning.Loc = loc(E);
  F.Warning.Format = "frame memory returned from '%0', which is not declared "
                     "FA_RETURNS_FRAME";
  F.Warning.Args = {functionName()};
  // The annotation is the fix when the memory is the caller's to use: it is
  // still live here, so it belongs to a frame open at the call.
  if (E->getType()->isPointerType() && !FixOffered && canAnnotate(FD)) {
    FixOffered = true;
    F.Warning.Fix = FixKind::ReturnsFrame;
    F.Warning.FixLoc = declaratorEnd(FD);
  }
  addOriginNotes(F, Live, F.Warning.Loc, /*WithEnd=*/false);
  addFinding(std::move(F));
}

void FunctionAnalysis::checkDeref(const Expr *Ptr, Disjunct &D) {
  if (!Reporting)
    return;
  OriginId Dead = firstDead(valueOf(Ptr, D));
  if (Dead == NoOrigin)
    return;
  Finding F{FindingKind::UseAfterFrame, {}, {}};
  F.Warning.Loc = loc(Ptr);
  std::string Name = spelling(Ptr);
  F.Warning.Format = Name.empty() ? "frame memory used after its frame ended"
                                  : "'%0' used after its frame ended";
  F.Warning.Args = {Name};
  addOriginNotes(F, Dead, F.Warning.Loc, /*WithEnd=*/true);
  addUseFinding(std::move(F), Dead);
}

} // namespace clang::tidy::framealloc

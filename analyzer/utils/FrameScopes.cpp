// SPDX-License-Identifier: MIT
//===--- FrameScopes.cpp - framealloc-tidy --------------------------------===//
//
// Frame scopes: beginning and ending them on the implicit per-thread stack
// and on arena-keyed stacks (FA_BEGINS_FRAME_ON, FA_ENDS_FRAME_ON,
// FA_RETURNS_FRAME_OF): which arena a call names, which scope its memory
// belongs to, scope tokens, and ending a scope by token or by arena.
//
// Keys are access paths of the arena object, computed from the argument
// expression the way thread-safety analysis canonicalises lock expressions:
// `a` (a pointer) names `*a`, `&g` names `g`, `e->arena` names `*(e->arena)`,
// a scope token or its member names the arena recorded at its begin, and a
// local pointer set once at its declaration names what it was set to. An
// expression we cannot name (a call, an array element) has no key: it falls
// back to the implicit per-thread stack, which never separates two known
// arenas. Scopes of all arenas share Disjunct::Stack in begin order; a keyed
// end removes its own arena's innermost scope wherever it is in the stack.
//
//===----------------------------------------------------------------------===//

#include "FrameTransfer.h"
#include "clang/Basic/SourceManager.h"

namespace clang::tidy::framealloc {

//===----------------------------------------------------------------------===//
// Frames of the implicit stack
//===----------------------------------------------------------------------===//

void FunctionAnalysis::beginFrame(const Expr *Site, Disjunct &D) {
  // The same begin again before its end: only a loop gets here, and LIFO
  // nesting means the frame of the previous iteration is never ended.
  if (llvm::is_contained(D.Stack, Site)) {
    // A loop that opens a counted number of frames, unwound by a later loop
    // (`while (opened-- > 0) end(fa);`): one entry stands for all of them.
    if (LoopBegins.count(Site) && !UnwindLoops.empty())
      return;
    if (Reporting && !D.Coarse) {
      Finding F{FindingKind::Pairing, {}, {}};
      F.Warning.Loc = loc(Site);
      F.Warning.Format = "frame begun in a loop is not ended before the next "
                         "iteration begins it again";
      addFinding(std::move(F));
    }
    return;
  }
  D.Stack.push_back(Site);
  // A keyed begin's arena, named once per call site.
  if (HasKeyed && !ScopeKeys.count(Site)) {
    const FunctionDecl *Callee = nullptr;
    if (const auto *CE = dyn_cast<CallExpr>(Site))
      Callee = CE->getDirectCallee();
    else if (const auto *CC = dyn_cast<CXXConstructExpr>(Site))
      Callee = CC->getConstructor();
    unsigned On = Callee ? Index.callee(Callee).BeginsOn : keyed::None;
    if (On != keyed::None)
      ScopeKeys[Site] = arenaKey(keyedArgument(Site, On), D);
  }
}

void FunctionAnalysis::endFrame(const Stmt *Site, Disjunct &D) {
  if (!D.Stack.empty()) {
    const Expr *Scope = D.Stack.pop_back_val();
    if (!D.Coarse)
      noteGuardScopeEnded(Scope, Site);
    // The wrapper may have declined, and then this ends the caller's frame.
    if (Reporting && !D.Coarse && IgnoredBegins.count(Scope)) {
      const auto *Begin = cast<CallExpr>(Scope);
      std::string Name = Begin->getDirectCallee()->getNameAsString();
      Finding F{FindingKind::Pairing, {}, {}};
      F.Warning.Loc = loc(Site);
      F.Warning.Format = "frame ended here may not be open: '%0' may decline "
                         "to begin it and its result is not tested";
      F.Warning.Args = {Name};
      Message N;
      N.Loc = loc(Begin);
      N.Format = "result of '%0' ignored here";
      N.Args = {Name};
      F.Notes.push_back(N);
      addFinding(std::move(F));
    }
    killScope(Scope, Site, D);
    D.LastEnds.assign(1, Site);
    return;
  }
  endOuter(Site, NoPath, D);
}

void FunctionAnalysis::endOuter(const Stmt *Site, PathId Arena, Disjunct &D) {
  // An unwinding loop runs until the frames it was written for are closed;
  // its condition (a counter, a depth) is not modelled, its exit is.
  if (UnwindEnds.count(Site))
    return;
  // Joined paths with different frames: the frame this ends is not known.
  if (D.Coarse)
    return;
  // No frame of ours is open: this ends the caller's frame, which only an
  // FA_ENDS_FRAME function may do, and only once.
  bool Allowed = Self.Ends && D.OuterPops == 0;
  if (!Allowed && Reporting) {
    Finding F{FindingKind::Pairing, {}, {}};
    F.Warning.Loc = loc(Site);
    F.Warning.Format = "frame ended here is not open in '%0'";
    F.Warning.Args = {functionName()};
    if (!D.LastEnds.empty()) {
      const Stmt *Prev = D.LastEnds.front();
      Message N;
      N.Loc = loc(Prev);
      bool Earlier =
          Prev == Site || Ctx.getSourceManager().isBeforeInTranslationUnit(
                              F.Warning.Loc, N.Loc);
      N.Format = Earlier ? "frame already ended here, in an earlier loop "
                           "iteration"
                         : "frame already ended here";
      F.Notes.push_back(N);
    } else if (!HasBeginCall && !Self.Ends &&
               canAnnotate(FD, /*InHeader=*/true)) {
      Message N;
      N.Loc = loc(FD->getFirstDecl()->getLocation());
      N.Format = "declare '%0' FA_ENDS_FRAME if it ends its caller's frame";
      N.Args = {functionName()};
      N.Fix = FixKind::EndsFrame;
      N.FixLoc = declaratorEnd(FD);
      F.Notes.push_back(N);
    }
    addFinding(std::move(F));
  }
  if (D.OuterPops < 2) {
    ++D.OuterPops;
    killScope(nullptr, Site, D, Arena);
  }
  D.LastEnds.assign(1, Site);
}

void FunctionAnalysis::killScope(const Expr *Scope, const Stmt *EndSite,
                                 Disjunct &D, PathId Arena) {
  // Retained slots now point at their pool or heap copy.
  if (!D.Retained.empty()) {
    llvm::SmallVector<PathId, 2> Copied;
    for (const auto &R : std::as_const(D.Retained))
      if (R.second.first == Scope)
        Copied.push_back(R.first);
    for (PathId P : Copied)
      clearPath(P, D);
  }
  // Tokens of the scope now name an ended scope.
  if (Scope && !D.Tokens.empty() &&
      llvm::any_of(std::as_const(D.Tokens),
                   [Scope](const std::pair<PathId, TokenInfo> &T) {
                     return T.second.Scope == Scope && !T.second.EndedAt;
                   }))
    for (auto &T : D.Tokens)
      if (T.second.Scope == Scope && !T.second.EndedAt)
        T.second.EndedAt = EndSite;
  // The scope's checkpoints end with it.
  llvm::SmallVector<const Expr *, 2> Scopes{Scope};
  if (!D.Checkpoints.empty()) {
    for (const auto &C : D.Checkpoints)
      if (C.second == Scope)
        Scopes.push_back(C.first);
    llvm::erase_if(D.Checkpoints,
                   [Scope](const auto &C) { return C.second == Scope; });
  }
  killOrigins(Scopes, EndSite, D, Arena);
}

void FunctionAnalysis::killOrigins(llvm::ArrayRef<const Expr *> Scopes,
                                   const Stmt *EndSite, Disjunct &D,
                                   PathId Arena) {
  for (auto &Entry : D.Vals) {
    OriginId Killed = NoOrigin;
    for (OriginId &O : Entry.second) {
      const OriginInfo &Info = Origins[O];
      if (Info.EndedAt || !llvm::is_contained(Scopes, Info.Scope))
        continue;
      // Ending the caller's scope on one arena leaves other arenas' memory.
      if (!Info.Scope && Arena != NoPath && Info.Arena != NoPath &&
          Info.Arena != Arena)
        continue;
      Killed = O;
      O = Origins.get(Info.Site, Info.Scope, EndSite, Info.Arena);
    }
    if (Killed == NoOrigin)
      continue;
    llvm::sort(Entry.second);
    Entry.second.erase(std::unique(Entry.second.begin(), Entry.second.end()),
                       Entry.second.end());
    // A slot that outlives the frame is reported at function exit if it
    // still dangles then (checkExit): it may be cleared first.
  }
}

//===----------------------------------------------------------------------===//
// Arena keys
//===----------------------------------------------------------------------===//

const Expr *FunctionAnalysis::keyedArgument(const Expr *Call,
                                            unsigned Which) const {
  if (Which == keyed::None)
    return nullptr;
  if (const auto *CE = dyn_cast<CallExpr>(Call)) {
    const auto *MD = dyn_cast_or_null<CXXMethodDecl>(CE->getDirectCallee());
    bool Member = MD && !MD->isStatic();
    // Operator calls of member functions pass the object as argument 0.
    unsigned Skip = isa<CXXOperatorCallExpr>(CE) && Member ? 1 : 0;
    if (Which == keyed::This) {
      if (const auto *MC = dyn_cast<CXXMemberCallExpr>(CE))
        return MC->getImplicitObjectArgument();
      return Skip && CE->getNumArgs() ? CE->getArg(0) : nullptr;
    }
    return Which + Skip < CE->getNumArgs() ? CE->getArg(Which + Skip)
                                           : nullptr;
  }
  if (const auto *CC = dyn_cast<CXXConstructExpr>(Call))
    return Which < CC->getNumArgs() ? CC->getArg(Which) : nullptr;
  return nullptr;
}

const Expr *FunctionAnalysis::aliasOf(const VarDecl *VD) {
  if (!AliasesDone) {
    AliasesDone = true;
    // Candidates: local pointers and references with an initializer; any
    // later assignment, increment or address taken disqualifies a pointer.
    llvm::SmallPtrSet<const VarDecl *, 8> Changed;
    llvm::SmallVector<const Stmt *, 64> Work{FD->getBody()};
    auto Target = [](const Expr *E) -> const VarDecl * {
      const auto *DRE = dyn_cast<DeclRefExpr>(E->IgnoreParenImpCasts());
      return DRE ? dyn_cast<VarDecl>(DRE->getDecl()) : nullptr;
    };
    while (!Work.empty()) {
      const Stmt *S = Work.pop_back_val();
      if (const auto *DS = dyn_cast<DeclStmt>(S)) {
        for (const Decl *Dl : DS->decls())
          if (const auto *V = dyn_cast<VarDecl>(Dl))
            if (V->hasLocalStorage() && !isa<ParmVarDecl>(V) && V->getInit() &&
                (V->getType()->isPointerType() ||
                 V->getType()->isReferenceType()))
              Aliases[V] = V->getInit();
      } else if (const auto *BO = dyn_cast<BinaryOperator>(S)) {
        if (BO->isAssignmentOp())
          if (const VarDecl *V = Target(BO->getLHS()))
            Changed.insert(V);
      } else if (const auto *UO = dyn_cast<UnaryOperator>(S)) {
        if (UO->isIncrementDecrementOp() || UO->getOpcode() == UO_AddrOf)
          if (const VarDecl *V = Target(UO->getSubExpr()))
            Changed.insert(V);
      }
      for (const Stmt *Child : S->children())
        if (Child)
          Work.push_back(Child);
    }
    for (const VarDecl *V : Changed)
      if (!V->getType()->isReferenceType())
        Aliases.erase(V);
  }
  auto It = Aliases.find(VD);
  return It == Aliases.end() ? nullptr : It->second;
}

PathId FunctionAnalysis::objectKey(const Expr *E, unsigned Depth) {
  // Variables and fields only: an array element or a call's result may be a
  // different arena each time.
  for (const Expr *X = E->IgnoreParenImpCasts();;) {
    if (const auto *ME = dyn_cast<MemberExpr>(X)) {
      X = ME->getBase()->IgnoreParenImpCasts();
    } else if (const auto *UO = dyn_cast<UnaryOperator>(X)) {
      if (UO->getOpcode() != UO_Deref && UO->getOpcode() != UO_AddrOf)
        return NoPath;
      X = UO->getSubExpr()->IgnoreParenImpCasts();
    } else if (isa<DeclRefExpr, CXXThisExpr>(X)) {
      break;
    } else {
      return NoPath;
    }
  }
  const auto *DRE = dyn_cast<DeclRefExpr>(E->IgnoreParenImpCasts());
  // A reference bound once names its initializer.
  if (DRE && Depth < 4)
    if (const auto *VD = dyn_cast<VarDecl>(DRE->getDecl()))
      if (VD->getType()->isReferenceType() && VD->hasLocalStorage() &&
          !isa<ParmVarDecl>(VD))
        if (const Expr *Init = aliasOf(VD))
          return objectKey(Init, Depth + 1);
  return lvaluePath(E);
}

PathId FunctionAnalysis::arenaKey(const Expr *Arg, const Disjunct &D) {
  return arenaKeyAt(Arg, D, 0);
}

PathId FunctionAnalysis::arenaKeyAt(const Expr *E, const Disjunct &D,
                                    unsigned Depth) {
  if (!E)
    return NoPath;
  E = stripCopies(E);
  while (const auto *CE = dyn_cast<CastExpr>(E->IgnoreParens())) {
    CastKind K = CE->getCastKind();
    if (K != CK_NoOp && K != CK_BitCast && K != CK_LValueToRValue &&
        K != CK_DerivedToBase && K != CK_UncheckedDerivedToBase)
      break;
    E = CE->getSubExpr();
  }
  E = E->IgnoreParens();
  if (isa<CXXThisExpr>(E))
    return Paths.child(Paths.root(FD), nullptr);
  if (const auto *UO = dyn_cast<UnaryOperator>(E))
    if (UO->getOpcode() == UO_AddrOf) {
      PathId P = objectKey(UO->getSubExpr());
      return P != NoPath ? P : shapeKey(UO->getSubExpr(), /*Deref=*/false);
    }
  // An accessor without arguments (`scratch_arena()`, a thread's arena)
  // names the same arena at every call, like a global.
  if (const auto *CE = dyn_cast<CallExpr>(E)) {
    const FunctionDecl *Callee = CE->getDirectCallee();
    if (!Callee || CE->getNumArgs() != 0 || isa<CXXMemberCallExpr>(CE) ||
        Callee == FD)
      return NoPath;
    QualType R = Callee->getReturnType();
    if (R->isPointerType())
      return Paths.child(Paths.root(Callee), nullptr);
    return R->isReferenceType() ? Paths.root(Callee) : NoPath;
  }
  if (!E->isGLValue())
    return NoPath;
  if (!E->getType()->isPointerType()) {
    // An arena object (by reference), or a scope token.
    PathId P = objectKey(E);
    if (P == NoPath)
      return shapeKey(E, /*Deref=*/false);
    if (const TokenInfo *T = D.Tokens.find(P))
      return scopeKey(T->Scope);
    return P;
  }
  // A pointer member of a scope token: the arena it was begun on.
  if (const auto *ME = dyn_cast<MemberExpr>(E)) {
    PathId Base = ME->isArrow() ? pointeePath(ME->getBase())
                                : lvaluePath(ME->getBase());
    if (Base != NoPath)
      if (const TokenInfo *T = D.Tokens.find(Base))
        return scopeKey(T->Scope);
  }
  // A local pointer set once names what it was set to (when we can name
  // that; otherwise the pointer itself is a stable name).
  if (const auto *DRE = dyn_cast<DeclRefExpr>(E))
    if (const auto *VD = dyn_cast<VarDecl>(DRE->getDecl()))
      if (VD->hasLocalStorage() && !isa<ParmVarDecl>(VD) &&
          !VD->getType()->isReferenceType() && Depth < 4)
        if (const Expr *Init = aliasOf(VD)) {
          PathId K = arenaKeyAt(Init, D, Depth + 1);
          if (K != NoPath)
            return K;
        }
  PathId P = objectKey(E);
  return P == NoPath ? shapeKey(E, /*Deref=*/true) : Paths.child(P, nullptr);
}

PathId FunctionAnalysis::shapeKey(const Expr *E, bool Deref) {
  // Array elements (`ctx->arenas[ARENA_FRAME]`, `pool[i]`) have no access
  // path of their own; the same expression names the same arena, as in
  // thread-safety analysis. Side effects and calls are not keys.
  for (const Expr *X = E->IgnoreParenImpCasts();;) {
    if (const auto *ME = dyn_cast<MemberExpr>(X)) {
      X = ME->getBase()->IgnoreParenImpCasts();
    } else if (const auto *AS = dyn_cast<ArraySubscriptExpr>(X)) {
      const Expr *Idx = AS->getIdx()->IgnoreParenImpCasts();
      if (!isa<DeclRefExpr>(Idx) && !Idx->isIntegerConstantExpr(Ctx))
        return NoPath;
      X = AS->getBase()->IgnoreParenImpCasts();
    } else if (const auto *UO = dyn_cast<UnaryOperator>(X)) {
      if (UO->getOpcode() != UO_Deref)
        return NoPath;
      X = UO->getSubExpr()->IgnoreParenImpCasts();
    } else if (isa<DeclRefExpr, CXXThisExpr>(X)) {
      break;
    } else {
      return NoPath;
    }
  }
  llvm::FoldingSetNodeID ID;
  E->IgnoreParenImpCasts()->Profile(ID, Ctx, /*Canonical=*/true);
  ID.AddBoolean(Deref);
  for (unsigned I = 0, N = ShapeKeys.size(); I < N; ++I)
    if (ShapeKeys[I] == ID)
      return FirstShapeKey + I;
  ShapeKeys.push_back(ID);
  return FirstShapeKey + ShapeKeys.size() - 1;
}

PathId FunctionAnalysis::scopeKey(const Expr *Site) const {
  auto It = ScopeKeys.find(Site);
  return It == ScopeKeys.end() ? NoPath : It->second;
}

bool FunctionAnalysis::allocScope(const CallExpr *CE, const Disjunct &D,
                                  const Expr *&Scope, PathId &Arena) {
  Scope = nullptr;
  Arena = NoPath;
  const FunctionDecl *Callee = CE->getDirectCallee();
  const CalleeInfo &Info = Index.callee(Callee);
  unsigned Which = Info.ReturnsOf;
  bool HasBase = Info.ArenaHasBase;
  if (!Info.ReturnsFrame)
    if (const FunctionSummary *S = Analyzer.summary(Callee)) {
      Which = S->ArenaParam;
      HasBase = !S->ReturnsCallerFrame;
    }
  if (Which == keyed::None) {
    Scope = currentScope(D);
    return true;
  }
  return arenaScope(keyedArgument(CE, Which), HasBase, D, Scope, Arena);
}

bool FunctionAnalysis::arenaScope(const Expr *ArenaArg, bool HasBase,
                                  const Disjunct &D, const Expr *&Scope,
                                  PathId &Arena) {
  Scope = nullptr;
  Arena = arenaKey(ArenaArg, D);
  // The innermost scope open on the arena. A scope we cannot key may be on
  // it too; an arena with a permanent level is not assumed to be in one.
  for (auto It = D.Stack.rbegin(), End = D.Stack.rend(); It != End; ++It) {
    PathId K = scopeKey(*It);
    bool Match = Arena != NoPath ? K == Arena || (K == NoPath && !HasBase)
                                 : K == NoPath || !HasBase;
    if (Match) {
      Scope = newestCheckpoint(*It, D);
      return true;
    }
  }
  // None: the caller's frame, unless the arena outlives frames.
  Scope = newestCheckpoint(nullptr, D);
  return !HasBase;
}

void FunctionAnalysis::noteGuardScopeEnded(const Expr *Scope,
                                           const Stmt *Site) {
  if (!Site || Site != ExplicitEnd)
    return;
  auto It = GuardOf.find(Scope);
  if (It == GuardOf.end())
    return;
  GuardEndsTaken.insert(Scope);
  if (!Reporting)
    return;
  Finding F{FindingKind::Pairing, {}, {}};
  F.Warning.Loc = loc(Site);
  F.Warning.Format = "frame owned by the scope guard '%0' ended here; the "
                     "guard ends it again when its scope is left";
  F.Warning.Args = {It->second->getNameAsString()};
  Message N;
  N.Loc = loc(Scope);
  N.Format = "scope of '%0' begun here";
  N.Args = {It->second->getNameAsString()};
  F.Notes.push_back(N);
  addFinding(std::move(F));
}

void FunctionAnalysis::popScopeAt(unsigned I, const Stmt *Site, Disjunct &D) {
  const Expr *Scope = D.Stack[I];
  if (!D.Coarse)
    noteGuardScopeEnded(Scope, Site);
  D.Stack.erase(D.Stack.begin() + I);
  killScope(Scope, Site, D);
  D.LastEnds.assign(1, Site);
}

void FunctionAnalysis::endCall(const Expr *Call, const CalleeInfo &Info,
                               Disjunct &D) {
  if (Info.EndsOn == keyed::None)
    return endFrame(Call, D);
  endKeyed(Call, keyedArgument(Call, Info.EndsOn), D);
}

void FunctionAnalysis::reportLeftOpen(const Expr *Begin, const Stmt *Site,
                                      PathId Guard) {
  // Leaving a guard's scope at a return is leaving the function: the frame
  // begun inside it is the one left open, as in plain C.
  bool AtExit = isa<ReturnStmt>(Site) || Site == FD->getBody();
  Finding F{FindingKind::Pairing, {}, {}};
  F.Warning.Loc = loc(Begin);
  Message N;
  N.Loc = loc(Site);
  if (AtExit) {
    F.Warning.Format = "frame begun here is not ended before '%0' returns";
    F.Warning.Args = {functionName()};
    N.Format = isa<ReturnStmt>(Site)
                   ? "'%0' returns here with the frame still open"
                   : "'%0' reaches its end here with the frame still open";
    N.Args = {functionName()};
  } else {
    F.Warning.Format =
        "frame begun here is not ended before the scope of '%0' ends";
    F.Warning.Args = {pathName(Guard)};
    N.Format = "the scope of '%0' ends here with the frame still open";
    N.Args = {pathName(Guard)};
  }
  F.Notes.push_back(N);
  addFinding(std::move(F));
}

void FunctionAnalysis::leaveGuard(const Stmt *Site, const VarDecl *Guard,
                                  Disjunct &D) {
  const Expr *Begin = Guard->getInit() ? stripCopies(Guard->getInit())
                                       : nullptr;
  auto *It = Begin ? llvm::find(D.Stack, Begin) : D.Stack.end();
  // Its scope was ended by an explicit call, reported there.
  if (It == D.Stack.end() && Begin && GuardEndsTaken.count(Begin))
    return;
  if (It != D.Stack.end()) {
    // The guard's end is meant for its own frame: frames begun after it and
    // still open are left open by leaving its scope.
    unsigned Index = It - D.Stack.begin();
    while (D.Stack.size() > Index + 1) {
      if (Reporting && !D.Coarse)
        reportLeftOpen(D.Stack.back(), Site, Paths.root(Guard));
      popScopeAt(D.Stack.size() - 1, Site, D);
    }
  }
  endFrame(Site, D);
}

bool FunctionAnalysis::endToken(const Stmt *Site, PathId TokenPath,
                                Disjunct &D, bool Implicit) {
  const TokenInfo *T = D.Tokens.find(TokenPath);
  if (!T)
    return false;
  const Expr *Scope = T->Scope;
  const Stmt *EndedAt = T->EndedAt;
  auto It = llvm::find(D.Stack, Scope);
  if (It == D.Stack.end()) {
    // Ended before on this path: the second end rewinds a scope that is not
    // open. (A coarse disjunct does not know.)
    if (Reporting && EndedAt && !D.Coarse) {
      Finding F{FindingKind::Pairing, {}, {}};
      F.Warning.Loc = loc(Site);
      F.Warning.Format = "frame ended here is not open in '%0'";
      F.Warning.Args = {functionName()};
      Message N;
      N.Loc = loc(EndedAt);
      bool Earlier = EndedAt == Site ||
                     Ctx.getSourceManager().isBeforeInTranslationUnit(
                         F.Warning.Loc, N.Loc);
      N.Format = Earlier ? "scope of '%0' already ended here, in an earlier "
                           "loop iteration"
                         : "scope of '%0' already ended here";
      N.Args = {pathName(TokenPath)};
      F.Notes.push_back(N);
      addFinding(std::move(F));
    }
    return true;
  }
  unsigned Index = It - D.Stack.begin();
  // Scopes begun later on the same arena are rewound with it: ending this
  // token first is a LIFO mistake (usually the wrong token).
  PathId Key = scopeKey(Scope);
  for (unsigned J = D.Stack.size(); Key != NoPath && J-- > Index + 1;) {
    if (scopeKey(D.Stack[J]) != Key)
      continue;
    if (Reporting && !D.Coarse && Implicit) {
      reportLeftOpen(D.Stack[J], Site, TokenPath);
    } else if (Reporting && !D.Coarse) {
      Finding F{FindingKind::Pairing, {}, {}};
      F.Warning.Loc = loc(Site);
      F.Warning.Format = "scope of '%0' ended while a scope begun later on "
                         "the same arena is still open";
      F.Warning.Args = {pathName(TokenPath)};
      Message N;
      N.Loc = loc(D.Stack[J]);
      N.Format = "that scope was begun here; end it first";
      F.Notes.push_back(N);
      addFinding(std::move(F));
    }
    popScopeAt(J, Site, D);
  }
  popScopeAt(Index, Site, D);
  return true;
}

void FunctionAnalysis::endKeyed(const Stmt *Site, const Expr *Arg,
                                Disjunct &D) {
  if (!Arg)
    return endFrame(Site, D);
  // A scope token (by value, by reference or by pointer).
  const Expr *Tok = stripCopies(Arg);
  PathId TokenPath = NoPath;
  if (Tok->getType()->isPointerType())
    TokenPath = pointeePath(Tok);
  else if (Tok->isGLValue())
    TokenPath = lvaluePath(Tok);
  // Ending a guard's scope through its token (`scope.release()`) is what
  // the guard's own API is for.
  if (TokenPath != NoPath && D.Tokens.find(TokenPath))
    ExplicitEnd = nullptr;
  if (TokenPath != NoPath && endToken(Site, TokenPath, D))
    return;
  PathId Key = arenaKey(Arg, D);
  if (Key == NoPath)
    return endFrame(Site, D);
  // The arena's innermost scope; a scope we cannot key may be on it too.
  for (unsigned I = D.Stack.size(); I-- > 0;) {
    PathId K = scopeKey(D.Stack[I]);
    if (K == Key || K == NoPath)
      return popScopeAt(I, Site, D);
  }
  endOuter(Site, Key, D);
}

void FunctionAnalysis::bindToken(PathId P, const Expr *Init, Disjunct &D) {
  if (!D.Tokens.empty())
    D.Tokens.eraseIf([&](const std::pair<PathId, TokenInfo> &T) {
      return Paths.isPrefix(P, T.first, /*ThroughDeref=*/false);
    });
  if (!Init)
    return;
  const Expr *E = stripCopies(Init);
  if (isa<CallExpr, CXXConstructExpr>(E)) {
    if (!ScopeKeys.count(E) || !llvm::is_contained(D.Stack, E))
      return;
    D.Tokens[P] = TokenInfo{E, nullptr};
    return;
  }
  if (D.Tokens.empty() || !E->isGLValue())
    return;
  // A copy of a token names the same scope.
  PathId Src = lvaluePath(E);
  if (Src == NoPath || Src == P)
    return;
  if (const TokenInfo *T = D.Tokens.find(Src)) {
    TokenInfo Copy = *T;
    D.Tokens[P] = Copy;
  }
}

unsigned FunctionAnalysis::arenaParamOf(const Expr *E, const Disjunct &D,
                                        bool &NotParam) {
  NotParam = false;
  E = E->IgnoreParenCasts();
  if (const auto *DRE = dyn_cast<DeclRefExpr>(E))
    if (const auto *VD = dyn_cast<VarDecl>(DRE->getDecl()))
      if (VD->hasLocalStorage() && !isa<ParmVarDecl>(VD) &&
          VD->getType()->isPointerType())
        if (const Expr *Init = aliasOf(VD))
          E = Init->IgnoreParenCasts();
  const auto *CE = dyn_cast<CallExpr>(E);
  const FunctionDecl *Callee = CE ? CE->getDirectCallee() : nullptr;
  if (!Callee)
    return keyed::None;
  const CalleeInfo &Info = Index.callee(Callee);
  unsigned Which = Info.ReturnsOf;
  if (!Info.ReturnsFrame)
    if (const FunctionSummary *S = Analyzer.summary(Callee))
      Which = S->ArenaParam;
  if (Which == keyed::None)
    return keyed::None;
  PathId Key = arenaKey(keyedArgument(CE, Which), D);
  // `*p` of a pointer parameter, or the object of a reference parameter.
  const ParmVarDecl *PVD = nullptr;
  if (Key < FirstShapeKey && Paths[Key].IsDeref && Paths[Key].Depth == 1)
    PVD = dyn_cast<ParmVarDecl>(Paths[Key].Base);
  if (!PVD) {
    NotParam = true;
    return keyed::None;
  }
  return PVD->getFunctionScopeIndex();
}

void FunctionAnalysis::noteArenaReturn(const Expr *E, const Disjunct &D) {
  if (ArenaReturnConflict)
    return;
  bool NotParam = false;
  unsigned Param = arenaParamOf(E, D, NotParam);
  if (Param == keyed::None) {
    ArenaReturnConflict |= NotParam;
    return;
  }
  if (ArenaReturnParam != keyed::None && ArenaReturnParam != Param)
    ArenaReturnConflict = true;
  ArenaReturnParam = Param;
}

void FunctionAnalysis::noteArenaFill(PathId P, const Expr *Value,
                                     const Disjunct &D) {
  // Only stores into the caller's objects through a pointer parameter.
  PathId Root = Paths.pointerRoot(P);
  if (Root == NoPath || Paths[Root].Parent != NoPath)
    return;
  const auto *Filled = dyn_cast<ParmVarDecl>(Paths[Root].Base);
  if (!Filled)
    return;
  unsigned Target = Filled->getFunctionScopeIndex();
  if (llvm::is_contained(ArenaFillConflicts, Target))
    return;
  bool NotParam = false;
  unsigned Param = arenaParamOf(Value, D, NotParam);
  if (Param == keyed::None) {
    if (NotParam)
      ArenaFillConflicts.push_back(Target);
    return;
  }
  for (const auto &F : ArenaFills)
    if (F.first == Target && F.second != Param) {
      ArenaFillConflicts.push_back(Target);
      return;
    }
  if (!llvm::is_contained(ArenaFills, std::make_pair(Target, Param)))
    ArenaFills.emplace_back(Target, Param);
}

//===----------------------------------------------------------------------===//
// Retained slots and checkpoints
//===----------------------------------------------------------------------===//

/// fa_frame_retain(..., FA_RETAIN_DISCARD): a constant 0 for an
/// fa_retain_policy parameter keeps nothing and cancels an earlier retain.
static bool discardsRetention(const CallExpr *CE, const FunctionDecl *Callee,
                              const ASTContext &Ctx) {
  for (unsigned I = 0, N = std::min(CE->getNumArgs(), Callee->getNumParams());
       I < N; ++I) {
    const auto *ET = Callee->getParamDecl(I)->getType()->getAs<EnumType>();
    if (!ET || !ET->getDecl()->getDeclName().isIdentifier() ||
        ET->getDecl()->getName() != "fa_retain_policy")
      continue;
    Expr::EvalResult R;
    const Expr *Arg = CE->getArg(I);
    return !Arg->isValueDependent() && Arg->EvaluateAsInt(R, Ctx) &&
           R.Val.getInt() == 0;
  }
  return false;
}

void FunctionAnalysis::retainSlot(const CallExpr *CE,
                                  const FunctionDecl *Callee,
                                  const Expr *Arg, Disjunct &D) {
  PathId Slot = pointeePath(Arg);
  if (Slot == NoPath)
    return;
  // The slot keeps pointing into the frame until the scope ends: copies
  // taken from it before then keep the frame address.
  if (discardsRetention(CE, Callee, Ctx)) {
    D.Retained.erase(Slot);
    return;
  }
  D.Retained[Slot] = {frameScope(D), CE};
  if (Reporting)
    checkBlockLocalSlot(CE, Slot, frameScope(D));
}

void FunctionAnalysis::takeCheckpoint(const CallExpr *CE, Disjunct &D) {
  // Taken again (a loop): the same checkpoint, at a new position.
  auto *It = llvm::find_if(D.Checkpoints,
                           [CE](const auto &C) { return C.first == CE; });
  if (It != D.Checkpoints.end())
    D.Checkpoints.erase(It);
  D.Checkpoints.emplace_back(CE, frameScope(D));
}

void FunctionAnalysis::rollBack(const CallExpr *CE, Disjunct &D) {
  if (D.Checkpoints.empty() || CE->getNumArgs() < 2)
    return;
  const CallExpr *Target = nullptr;
  bool Known = false;
  if (const auto *DRE = dyn_cast<DeclRefExpr>(
          stripCopies(CE->getArg(1))->IgnoreParenImpCasts()))
    if (const auto *VD = dyn_cast<VarDecl>(DRE->getDecl())) {
      auto It = CheckpointVars.find(VD);
      if (It != CheckpointVars.end()) {
        Target = It->second;
        Known = true;
      }
    }
  // An unknown checkpoint releases at least what the newest one of the
  // innermost scope covers.
  const Expr *Frame = frameScope(D);
  int Index = -1;
  for (int I = static_cast<int>(D.Checkpoints.size()) - 1; I >= 0; --I) {
    const auto &C = D.Checkpoints[I];
    if (C.second != Frame)
      break;
    if (Known ? C.first == Target : true) {
      Index = I;
      break;
    }
  }
  if (Index < 0)
    return;
  // The checkpoint stays valid; newer ones are released with their memory.
  llvm::SmallVector<const Expr *, 2> Released;
  for (size_t I = Index; I < D.Checkpoints.size(); ++I)
    Released.push_back(D.Checkpoints[I].first);
  killOrigins(Released, CE, D);
  D.Checkpoints.resize(Index + 1);
}

} // namespace clang::tidy::framealloc

// SPDX-License-Identifier: MIT
//===--- FrameAnalysis.cpp - framealloc-tidy ------------------------------===//
//
// The driver of the frame analysis: which functions are worth analyzing, the
// fixpoint over the CFG with branch refinement on correlated conditions, the
// checks at function exit, and the findings' notes and deduplication.
//
//===----------------------------------------------------------------------===//

#include "FrameTransfer.h"
#include "clang/AST/Attr.h"
#include "clang/AST/DeclCXX.h"
#include "clang/AST/ExprCXX.h"
#include "clang/Lex/Lexer.h"
#include "llvm/ADT/BitVector.h"
#include "llvm/ADT/ScopeExit.h"
#include <queue>

namespace clang::tidy::framealloc {

/// Bail-out limits: a function past them is not analyzed (no findings)
/// rather than analyzed slowly.
/// Disjuncts kept apart at a program point before they are widened.
static constexpr unsigned MaxDisjuncts = 16;
static constexpr unsigned MaxSummaryNesting = 4;

//===----------------------------------------------------------------------===//
// FrameAnalyzer
//===----------------------------------------------------------------------===//

FrameAnalyzer::FrameAnalyzer(ASTContext &Ctx, const FrameConfig &Config)
    : Ctx(Ctx), Config(Config), Index(Config) {}

const FunctionResult &FrameAnalyzer::analyze(const FunctionDecl *FD) {
  auto It = Results.find(FD);
  if (It != Results.end())
    return *It->second;
  // Nested analyses (callee summaries) insert into Results: keep a pointer to
  // the result, not an iterator.
  auto Owned = std::make_unique<FunctionResult>();
  FunctionResult *R = Owned.get();
  Results.try_emplace(FD, std::move(Owned));
  InProgress.insert(FD);
  ++NestingDepth;
  FunctionAnalysis(*this, FD, *R).run();
  --NestingDepth;
  InProgress.erase(FD);
  return *R;
}

const FunctionSummary *FrameAnalyzer::summary(const FunctionDecl *Callee) {
  const FunctionDecl *Def = nullptr;
  if (!Callee->hasBody(Def) || !Def || InProgress.count(Def) ||
      NestingDepth >= MaxSummaryNesting || Def->isDependentContext())
    return nullptr;
  if (Ctx.getSourceManager().isInSystemHeader(Def->getLocation()))
    return nullptr;
  const FunctionResult &R = analyze(Def);
  return R.Analyzed ? &R.Summary : nullptr;
}

/// The pointer expression \p E as a parameter-rooted path (see ClearedPath).
static bool lvalueElems(const Expr *E, const ParmVarDecl *&P,
                        llvm::SmallVectorImpl<const FieldDecl *> &Out);

static bool pointerElems(const Expr *E, const ParmVarDecl *&P,
                         llvm::SmallVectorImpl<const FieldDecl *> &Out) {
  E = E->IgnoreParenImpCasts();
  if (const auto *DRE = dyn_cast<DeclRefExpr>(E)) {
    P = dyn_cast<ParmVarDecl>(DRE->getDecl());
    return P && P->getType()->isPointerType();
  }
  if (!lvalueElems(E, P, Out))
    return false;
  return true;
}

static bool lvalueElems(const Expr *E, const ParmVarDecl *&P,
                        llvm::SmallVectorImpl<const FieldDecl *> &Out) {
  E = E->IgnoreParens();
  if (const auto *ME = dyn_cast<MemberExpr>(E)) {
    const auto *F = dyn_cast<FieldDecl>(ME->getMemberDecl());
    if (!F)
      return false;
    if (ME->isArrow()) {
      if (!pointerElems(ME->getBase(), P, Out))
        return false;
      Out.push_back(nullptr);
    } else if (!lvalueElems(ME->getBase(), P, Out)) {
      return false;
    }
    Out.push_back(F);
    return true;
  }
  if (const auto *UO = dyn_cast<UnaryOperator>(E)) {
    if (UO->getOpcode() != UO_Deref || !pointerElems(UO->getSubExpr(), P, Out))
      return false;
    Out.push_back(nullptr);
    return true;
  }
  return false;
}

static bool containsReturn(const Stmt *S) {
  if (!S)
    return false;
  if (isa<ReturnStmt>(S))
    return true;
  for (const Stmt *C : S->children())
    if (containsReturn(C))
      return true;
  return false;
}

const std::vector<ClearedPath> &
FrameAnalyzer::clears(const FunctionDecl *Callee) {
  const FunctionDecl *Def = nullptr;
  static const std::vector<ClearedPath> None;
  if (!Callee->hasBody(Def) || !Def)
    return None;
  auto It = Clears.find(Def);
  if (It != Clears.end())
    return It->second;
  std::vector<ClearedPath> &Out = Clears[Def];
  const auto *Body = dyn_cast_or_null<CompoundStmt>(Def->getBody());
  if (!Body || Ctx.getSourceManager().isInSystemHeader(Def->getLocation()))
    return Out;
  // Only statements every call runs: top-level ones before the first that
  // may return.
  for (const Stmt *S : Body->body()) {
    if (containsReturn(S))
      break;
    const auto *BO = dyn_cast<BinaryOperator>(S);
    if (!BO || BO->getOpcode() != BO_Assign ||
        !BO->getLHS()->getType()->isPointerType() ||
        BO->getRHS()->isNullPointerConstant(
            Ctx, Expr::NPC_ValueDependentIsNotNull) == Expr::NPCK_NotNull)
      continue;
    const ParmVarDecl *P = nullptr;
    ClearedPath C;
    if (!lvalueElems(BO->getLHS(), P, C.Elems) || !P || C.Elems.empty() ||
        C.Elems.front() != nullptr)
      continue;
    C.Param = P->getFunctionScopeIndex();
    Out.push_back(std::move(C));
  }
  return Out;
}

//===----------------------------------------------------------------------===//
// Setup
//===----------------------------------------------------------------------===//

FunctionAnalysis::FunctionAnalysis(FrameAnalyzer &Analyzer,
                                   const FunctionDecl *FD,
                                   FunctionResult &Result)
    : Analyzer(Analyzer), Ctx(Analyzer.context()), Index(Analyzer.index()),
      FD(FD), Result(Result), Self(Analyzer.index().callee(FD)) {}

/// Calls children of \p S into \p Work, skipping nested function bodies.
static void pushChildren(const Stmt *S,
                         llvm::SmallVectorImpl<const Stmt *> &Work) {
  if (const auto *LE = dyn_cast<LambdaExpr>(S)) {
    for (const Expr *Init : LE->capture_inits())
      Work.push_back(Init);
    return;
  }
  if (isa<BlockExpr>(S))
    return;
  for (const Stmt *Child : S->children())
    if (Child)
      Work.push_back(Child);
}

bool FunctionAnalysis::isWorthAnalyzing() {
  // The pre-filter: a function that calls nothing frame-related has nothing
  // to report, and most functions of a code base are like that.
  bool Relevant = false;
  llvm::SmallVector<const Stmt *, 64> Work{FD->getBody()};
  while (!Work.empty()) {
    const Stmt *S = Work.pop_back_val();
    const FunctionDecl *Callee = nullptr;
    if (const auto *CE = dyn_cast<CallExpr>(S))
      Callee = CE->getDirectCallee();
    else if (const auto *CC = dyn_cast<CXXConstructExpr>(S))
      Callee = CC->getConstructor();
    else if (const auto *DS = dyn_cast<DeclStmt>(S))
      for (const Decl *Dl : DS->decls())
        if (const auto *VD = dyn_cast<VarDecl>(Dl))
          if (const auto *Cleanup = VD->getAttr<CleanupAttr>()) {
            Callee = Cleanup->getFunctionDecl();
            HasCleanupVar = true;
          }
    if (Callee) {
      const CalleeInfo &Info = Index.callee(Callee);
      HasBeginCall |= Info.Begins;
      HasEndCall |= Info.Ends;
      HasKeyed |= Info.BeginsOn != keyed::None ||
                  Info.EndsOn != keyed::None || Info.ReturnsOf != keyed::None;
      Relevant |= Info.isFrameRelevant();
      // An unannotated helper of this file may hand out frame memory too.
      if (!Relevant && !Info.changesFrames() && isa<CallExpr>(S))
        if (const FunctionSummary *Sum = Analyzer.summary(Callee))
          Relevant |= Sum->ReturnsCallerFrame || !Sum->FilledParams.empty() ||
                      Sum->ArenaParam != keyed::None ||
                      !Sum->FilledArenaParams.empty();
    }
    pushChildren(S, Work);
  }
  return Relevant;
}

namespace {
struct LoopScan {
  const Stmt *Loop;
  const VarDecl *Index = nullptr; ///< A `for` loop's stepped variable.
  bool HasBegin = false, HasEnd = false;
  llvm::SmallVector<const Stmt *, 2> Begins, Ends;
  llvm::SmallVector<const VarDecl *, 2> Stepped;
};
} // namespace

static const VarDecl *steppedVar(const Expr *Inc) {
  if (!Inc)
    return nullptr;
  Inc = Inc->IgnoreParenImpCasts();
  const Expr *Target = nullptr;
  if (const auto *UO = dyn_cast<UnaryOperator>(Inc)) {
    if (UO->isIncrementDecrementOp())
      Target = UO->getSubExpr();
  } else if (const auto *BO = dyn_cast<BinaryOperator>(Inc)) {
    if (BO->isCompoundAssignmentOp() || BO->getOpcode() == BO_Assign)
      Target = BO->getLHS();
  }
  if (!Target)
    return nullptr;
  const auto *DRE = dyn_cast<DeclRefExpr>(Target->IgnoreParenImpCasts());
  return DRE ? dyn_cast<VarDecl>(DRE->getDecl()) : nullptr;
}

void FunctionAnalysis::scanStructure() {
  llvm::SmallVector<LoopScan, 4> Loops;
  llvm::SmallVector<LoopScan, 2> Candidates;
  llvm::SmallPtrSet<const VarDecl *, 4> CounterVars;
  std::function<void(const Stmt *)> Walk = [&](const Stmt *S) {
    if (!S || isa<BlockExpr>(S))
      return;
    if (const auto *LE = dyn_cast<LambdaExpr>(S)) {
      for (const Expr *Init : LE->capture_inits())
        Walk(Init);
      return;
    }
    bool IsLoop = isa<WhileStmt, DoStmt, ForStmt, CXXForRangeStmt>(S);
    if (const auto *RS = dyn_cast<CXXForRangeStmt>(S))
      RangeLoopVars[RS->getLoopVariable()] = RS;
    if (IsLoop) {
      Loops.emplace_back();
      Loops.back().Loop = S;
      if (const auto *FS = dyn_cast<ForStmt>(S))
        Loops.back().Index = steppedVar(FS->getInc());
    }
    if (const auto *CE = dyn_cast<CallExpr>(S)) {
      if (const FunctionDecl *Callee = CE->getDirectCallee()) {
        const CalleeInfo &Info = Index.callee(Callee);
        for (LoopScan &L : Loops) {
          if (Info.Begins && !Info.Ends) {
            L.HasBegin = true;
            L.Begins.push_back(CE);
          } else if (Info.Ends && !Info.Begins) {
            L.HasEnd = true;
            L.Ends.push_back(CE);
          }
        }
      }
    } else if (const auto *CC = dyn_cast<CXXConstructExpr>(S)) {
      // A scope guard in a loop both begins and ends there.
      if (const CXXConstructorDecl *Ctor = CC->getConstructor())
        if (Index.callee(Ctor).changesFrames())
          for (LoopScan &L : Loops)
            L.HasBegin = L.HasEnd = true;
    } else if (const auto *BO = dyn_cast<BinaryOperator>(S)) {
      const Expr *LHS = BO->getLHS()->IgnoreParenImpCasts();
      if (BO->getOpcode() == BO_Assign) {
        if (const auto *AS = dyn_cast<ArraySubscriptExpr>(LHS)) {
          const auto *Idx = dyn_cast<DeclRefExpr>(AS->getIdx()->IgnoreParenImpCasts());
          bool Null = BO->getRHS()->isNullPointerConstant(
                          Ctx, Expr::NPC_ValueDependentIsNotNull) !=
                      Expr::NPCK_NotNull;
          if (Idx && Null)
            for (const LoopScan &L : Loops)
              if (L.Index && L.Index == Idx->getDecl()) {
                LoopClears.insert(BO);
                ClearingLoops[L.Loop].push_back(BO->getLHS());
              }
        }
        if (const auto *DRE = dyn_cast<DeclRefExpr>(LHS))
          if (const auto *VD = dyn_cast<VarDecl>(DRE->getDecl()))
            noteResultVar(VD, BO->getRHS());
      }
    } else if (const auto *DS = dyn_cast<DeclStmt>(S)) {
      for (const Decl *Dl : DS->decls())
        if (const auto *VD = dyn_cast<VarDecl>(Dl))
          if (VD->getInit())
            noteResultVar(VD, VD->getInit());
    } else if (const auto *SS = dyn_cast<SwitchStmt>(S)) {
      countSwitch(SS);
    }
    if (const auto *UO = dyn_cast<UnaryOperator>(S)) {
      if (UO->isIncrementDecrementOp())
        if (const VarDecl *VD = steppedVar(UO))
          for (LoopScan &L : Loops)
            L.Stepped.push_back(VD);
    } else if (const auto *CS = dyn_cast<CompoundStmt>(S)) {
      // `begin(fa); ++opened;` counts the frames it opens.
      bool Begins = llvm::any_of(CS->body(), [&](const Stmt *C) {
        const auto *CE = dyn_cast<CallExpr>(C);
        const FunctionDecl *Callee = CE ? CE->getDirectCallee() : nullptr;
        return Callee && Index.callee(Callee).Begins;
      });
      if (Begins)
        for (const Stmt *C : CS->body())
          if (const auto *E = dyn_cast<Expr>(C))
            if (const VarDecl *VD = steppedVar(E))
              CounterVars.insert(VD);
    }
    if (const auto *CS = dyn_cast<CompoundStmt>(S)) {
      for (const Stmt *C : CS->body())
        noteIgnoredBegin(C);
    } else if (const auto *If = dyn_cast<IfStmt>(S)) {
      noteIgnoredBegin(If->getThen());
      noteIgnoredBegin(If->getElse());
    }
    for (const Stmt *Child : S->children())
      Walk(Child);
    if (IsLoop) {
      LoopScan L = Loops.pop_back_val();
      if (L.HasEnd && !L.HasBegin) {
        Candidates.push_back(std::move(L));
      } else if (L.HasBegin && !L.HasEnd) {
        LoopBegins.insert(L.Begins.begin(), L.Begins.end());
        CounterVars.insert(L.Stepped.begin(), L.Stepped.end());
      }
    }
  };
  Walk(FD->getBody());

  // A loop that only ends frames unwinds them when its condition counts
  // them: a counter of begins, or a depth query compared with its snapshot
  // (`while (fa_frame_depth(fa) > base)`). `for (i = 0; i < n; ++i) end(fa);`
  // is not one.
  for (LoopScan &L : Candidates) {
    const Expr *Cond = nullptr;
    if (const auto *WS = dyn_cast<WhileStmt>(L.Loop))
      Cond = WS->getCond();
    else if (const auto *DS = dyn_cast<DoStmt>(L.Loop))
      Cond = DS->getCond();
    else if (const auto *FS = dyn_cast<ForStmt>(L.Loop))
      Cond = FS->getCond();
    if (!Cond)
      continue;
    bool Counts = false;
    llvm::SmallPtrSet<const FunctionDecl *, 2> Called;
    llvm::SmallVector<const VarDecl *, 4> Vars;
    llvm::SmallVector<const Stmt *, 8> Work{Cond};
    while (!Work.empty()) {
      const Stmt *X = Work.pop_back_val();
      if (const auto *DRE = dyn_cast<DeclRefExpr>(X))
        if (const auto *VD = dyn_cast<VarDecl>(DRE->getDecl()))
          Vars.push_back(VD);
      if (const auto *CE = dyn_cast<CallExpr>(X))
        if (CE->getDirectCallee())
          Called.insert(CE->getDirectCallee());
      for (const Stmt *C : X->children())
        if (C)
          Work.push_back(C);
    }
    for (const VarDecl *VD : Vars) {
      auto It = SnapshotVars.find(VD);
      Counts |= CounterVars.count(VD) ||
                (It != SnapshotVars.end() && Called.count(It->second));
    }
    if (!Counts)
      continue;
    UnwindLoops.insert(L.Loop);
    UnwindEnds.insert(L.Ends.begin(), L.Ends.end());
  }
}

void FunctionAnalysis::noteIgnoredBegin(const Stmt *S) {
  const auto *E = dyn_cast_or_null<Expr>(S);
  if (!E)
    return;
  E = E->IgnoreImplicit()->IgnoreParens();
  // `(void)try_begin(e);` throws the result away just as well.
  if (const auto *Cast = dyn_cast<ExplicitCastExpr>(E))
    if (Cast->getType()->isVoidType())
      E = Cast->getSubExpr()->IgnoreImplicit()->IgnoreParens();
  const auto *CE = dyn_cast<CallExpr>(E);
  const FunctionDecl *Callee = CE ? CE->getDirectCallee() : nullptr;
  if (!Callee || !Callee->getReturnType()->isIntegralOrEnumerationType())
    return;
  const CalleeInfo &Info = Index.callee(Callee);
  if (Info.Begins && !Info.Ends)
    IgnoredBegins.insert(CE);
}

void FunctionAnalysis::noteResultVar(const VarDecl *VD, const Expr *Init) {
  if (!VD->hasLocalStorage())
    return;
  // `fa_checkpoint saved = cp;` names the same checkpoint.
  if (const auto *DRE =
          dyn_cast<DeclRefExpr>(stripCopies(Init)->IgnoreParenImpCasts()))
    if (const auto *From = dyn_cast<VarDecl>(DRE->getDecl())) {
      auto It = CheckpointVars.find(From);
      if (It != CheckpointVars.end())
        CheckpointVars[VD] = It->second;
      return;
    }
  const auto *CE =
      dyn_cast<CallExpr>(stripCopies(Init)->IgnoreParenCasts());
  const FunctionDecl *Callee = CE ? CE->getDirectCallee() : nullptr;
  if (!Callee)
    return;
  const CalleeInfo &Info = Index.callee(Callee);
  if (Info.Checkpoint)
    CheckpointVars[VD] = CE;
  else if (Info.Begins && !Info.Ends && !Callee->getReturnType()->isVoidType())
    TryBeginVars[VD] = CE;
  else if (!Info.isFrameRelevant() &&
           VD->getType()->isIntegralOrEnumerationType())
    SnapshotVars[VD] = Callee;
}

/// The strongest of two slot kinds for pointer provenance.
static SlotKind strongest(SlotKind A, SlotKind B) {
  auto Rank = [](SlotKind K) {
    switch (K) {
    case SlotKind::Local:
      return 0;
    case SlotKind::Outliving:
      return 1;
    case SlotKind::LongLived:
      return 2;
    case SlotKind::Global:
      return 3;
    case SlotKind::ThreadShared:
      return 4;
    }
    llvm_unreachable("unknown slot kind");
  };
  return Rank(A) >= Rank(B) ? A : B;
}

void FunctionAnalysis::computeLocalPointerKinds() {
  // Flow-insensitive: a local pointer that is ever set from a parameter or a
  // global reaches the caller's (or global) objects, so `p->f = frame` through
  // it may outlive the frame.
  llvm::SmallVector<std::pair<const VarDecl *, const Expr *>, 16> Sources;
  // `g_list = n;`, `root->next = n;`: a local pointer linked into an object
  // that outlives the function publishes what it points to (a heap or pool
  // node filled before or after the link).
  llvm::SmallVector<std::pair<const VarDecl *, const BinaryOperator *>, 4> Sinks;
  auto LocalPointer = [](const Expr *E) -> const VarDecl * {
    const auto *DRE = dyn_cast<DeclRefExpr>(E->IgnoreParenCasts());
    const auto *VD = DRE ? dyn_cast<VarDecl>(DRE->getDecl()) : nullptr;
    return VD && VD->hasLocalStorage() && !isa<ParmVarDecl>(VD) &&
                   VD->getType()->isPointerType()
               ? VD
               : nullptr;
  };
  llvm::SmallVector<const Stmt *, 64> Work{FD->getBody()};
  while (!Work.empty()) {
    const Stmt *S = Work.pop_back_val();
    if (const auto *BO = dyn_cast<BinaryOperator>(S)) {
      if (BO->getOpcode() == BO_Assign) {
        const auto *DRE =
            dyn_cast<DeclRefExpr>(BO->getLHS()->IgnoreParenImpCasts());
        if (const VarDecl *VD = DRE ? LocalPointer(DRE) : nullptr)
          Sources.emplace_back(VD, BO->getRHS());
        const auto *LV = DRE ? dyn_cast<VarDecl>(DRE->getDecl()) : nullptr;
        bool LocalSlot = DRE && (!LV || LV->hasLocalStorage());
        if (!LocalSlot)
          if (const VarDecl *Linked = LocalPointer(BO->getRHS()))
            Sinks.emplace_back(Linked, BO);
      }
    } else if (const auto *DS = dyn_cast<DeclStmt>(S)) {
      for (const Decl *Dl : DS->decls())
        if (const auto *VD = dyn_cast<VarDecl>(Dl))
          if (VD->hasLocalStorage() && VD->getInit() &&
              (VD->getType()->isPointerType() ||
               VD->getType()->isReferenceType()))
            Sources.emplace_back(VD, VD->getInit());
    }
    pushChildren(S, Work);
  }
  if (Sources.empty() && Sinks.empty())
    return;

  std::function<SlotKind(const Expr *)> KindOf = [&](const Expr *E) {
    E = E->IgnoreParenCasts();
    if (const auto *DRE = dyn_cast<DeclRefExpr>(E)) {
      const auto *VD = dyn_cast<VarDecl>(DRE->getDecl());
      if (!VD)
        return SlotKind::Local;
      if (const auto *PVD = dyn_cast<ParmVarDecl>(VD))
        return Index.isThreadEntryParam(PVD) ? SlotKind::ThreadShared
                                             : SlotKind::Outliving;
      if (VD->hasGlobalStorage())
        return SlotKind::Global;
      auto It = LocalPointerKinds.find(VD);
      return It == LocalPointerKinds.end() ? SlotKind::Local : It->second;
    }
    if (const auto *ME = dyn_cast<MemberExpr>(E))
      return KindOf(ME->getBase());
    if (const auto *UO = dyn_cast<UnaryOperator>(E))
      return UO->getOpcode() == UO_AddrOf || UO->getOpcode() == UO_Deref
                 ? KindOf(UO->getSubExpr())
                 : SlotKind::Local;
    if (const auto *AS = dyn_cast<ArraySubscriptExpr>(E))
      return KindOf(AS->getBase());
    if (const auto *BO = dyn_cast<BinaryOperator>(E)) {
      if (BO->isAdditiveOp())
        return strongest(KindOf(BO->getLHS()), KindOf(BO->getRHS()));
      if (BO->getOpcode() == BO_Comma || BO->isAssignmentOp())
        return KindOf(BO->getRHS());
    }
    if (const auto *CO = dyn_cast<AbstractConditionalOperator>(E))
      return strongest(KindOf(CO->getTrueExpr()), KindOf(CO->getFalseExpr()));
    // `n = list_find(g_list, id)`: a lookup returning an element of the
    // structure it is given (same pointee type) reaches that structure.
    if (const auto *CE = dyn_cast<CallExpr>(E)) {
      QualType RT = CE->getType();
      if (!RT->isPointerType() || !CE->getDirectCallee())
        return SlotKind::Local;
      QualType Elem = RT->getPointeeType().getCanonicalType().getUnqualifiedType();
      if (Elem->isVoidType() || Elem->isCharType())
        return SlotKind::Local;
      SlotKind K = SlotKind::Local;
      for (const Expr *Arg : CE->arguments()) {
        QualType AT = Arg->IgnoreParenImpCasts()->getType();
        if (AT->isPointerType() &&
            AT->getPointeeType().getCanonicalType().getUnqualifiedType() ==
                Elem)
          K = strongest(K, KindOf(Arg));
      }
      return K == SlotKind::ThreadShared ? SlotKind::Local : K;
    }
    return SlotKind::Local;
  };
  auto Raise = [this](const VarDecl *VD, SlotKind K) {
    auto It = LocalPointerKinds.find(VD);
    SlotKind Old = It == LocalPointerKinds.end() ? SlotKind::Local : It->second;
    SlotKind New = strongest(Old, K);
    if (New == Old && It != LocalPointerKinds.end())
      return false;
    LocalPointerKinds[VD] = New;
    return New != Old;
  };
  // Chains of local pointers (q = p; p = param) settle in a few rounds.
  for (unsigned Round = 0; Round < 3; ++Round) {
    bool Changed = false;
    for (const auto &Src : Sources) {
      SlotKind K = KindOf(Src.second);
      if (K != SlotKind::Local)
        Changed |= Raise(Src.first, K);
    }
    for (const auto &Sink : Sinks) {
      SlotKind K = KindOf(Sink.second->getLHS());
      // What another thread's object points to is not this thread's.
      if (K == SlotKind::Local || K == SlotKind::ThreadShared)
        continue;
      Changed |= Raise(Sink.first, K);
      PublishedAt.try_emplace(Sink.first, Sink.second);
    }
    if (!Changed)
      break;
  }
}

void FunctionAnalysis::run() {
  if (Self.NoAnalysis || !FD->hasBody() || FD->isDependentContext())
    return;
  if (!isWorthAnalyzing())
    return;
  scanStructure();

  CFG::BuildOptions BO;
  BO.setAllAlwaysAdd();
  // Lifetime ends carry cleanup-attribute calls; implicit destructors carry
  // C++ scope guards.
  BO.AddLifetime = HasCleanupVar && !Ctx.getLangOpts().CPlusPlus;
  BO.AddImplicitDtors = Ctx.getLangOpts().CPlusPlus;
  Cfg = CFG::buildCFG(FD, FD->getBody(), &Ctx, BO);
  if (!Cfg)
    return;
  if (!solve()) {
    // Not converged even with joined states: no findings, but a remark.
    Result.Findings.clear();
    return;
  }
  Result.Analyzed = true;
  reportPass();
  if (!ArenaReturnConflict)
    Result.Summary.ArenaParam = ArenaReturnParam;
  for (const auto &F : ArenaFills)
    if (!llvm::is_contained(ArenaFillConflicts, F.first))
      Result.Summary.FilledArenaParams.push_back(F);
  finishFindings();
}

//===----------------------------------------------------------------------===//
// Fixpoint
//===----------------------------------------------------------------------===//

/// Does \p B end with a two-way branch on its last evaluated expression?
static const Expr *branchCondition(const CFGBlock &B) {
  if (B.succ_size() != 2)
    return nullptr;
  const Stmt *T = B.getTerminatorStmt();
  if (!T)
    return nullptr;
  if (const auto *BO = dyn_cast<BinaryOperator>(T)) {
    if (!BO->isLogicalOp())
      return nullptr;
  } else if (!isa<IfStmt, WhileStmt, ForStmt, DoStmt,
                  AbstractConditionalOperator>(T)) {
    return nullptr;
  }
  for (const auto *It = B.rbegin(); It != B.rend(); ++It)
    if (auto S = It->getAs<CFGStmt>())
      return dyn_cast<Expr>(S->getStmt());
  return nullptr;
}

bool FunctionAnalysis::isAbnormalExit(const CFGBlock &B) const {
  if (B.hasNoReturnElement())
    return true;
  if (const Stmt *T = B.getTerminatorStmt())
    if (isa<CXXThrowExpr>(T))
      return true;
  // A throw ends its block as the last element.
  for (const auto *It = B.rbegin(); It != B.rend(); ++It)
    if (auto S = It->getAs<CFGStmt>())
      return isa<CXXThrowExpr>(S->getStmt());
  return false;
}

void FunctionAnalysis::transferBlock(const CFGBlock &B, const FlowState &InS,
                                     llvm::SmallVectorImpl<FlowState> &Out) {
  Out.assign(B.succ_size(), FlowState());
  const Expr *Cond = branchCondition(B);
  bool Abnormal = isAbnormalExit(B);

  auto Route = [&](unsigned I, Disjunct Edge) {
    const CFGBlock *Succ = *(B.succ_begin() + I);
    // Pruned edges are null; paths that never return (abort(), throw) do not
    // reach the exit checks.
    if (!Succ || (Abnormal && Succ == &Cfg->getExit()))
      return;
    // Successor 0 is taken when the condition is true; a path that
    // contradicts what it already knows is infeasible.
    if (!refineEdge(B, I, Edge))
      return;
    if (Cond && I <= 1 && !assume(Edge, Cond, I == 0))
      return;
    // Facts no later branch tests only keep paths apart.
    if (!Edge.Conds.empty())
      Edge.Conds.eraseIf([&](const std::pair<unsigned, bool> &C) {
        return !condLiveAt(C.first, Succ);
      });
    Out[I].add(std::move(Edge));
  };
  for (const Disjunct &Start : InS.Disjuncts) {
    Disjunct D = Start;
    for (const CFGElement &E : B)
      transferElement(E, D);
    if (B.succ_empty())
      continue;
    unsigned Last = B.succ_size() - 1;
    for (unsigned I = 0; I < Last; ++I)
      Route(I, D);
    // The last successor takes the state itself.
    Route(Last, std::move(D));
  }
}

/// The pointer a condition tests for null (`p`, `!p`, `p == NULL`), and
/// whether the condition's truth means it is null.
static const Expr *testedPointer(const Expr *Cond, bool &TrueMeansNull) {
  bool Negated = false;
  const Expr *E = Cond->IgnoreParens();
  while (true) {
    if (const auto *ICE = dyn_cast<ImplicitCastExpr>(E))
      if (ICE->getCastKind() == CK_PointerToBoolean ||
          ICE->getCastKind() == CK_NoOp) {
        E = ICE->getSubExpr()->IgnoreParens();
        continue;
      }
    if (const auto *UO = dyn_cast<UnaryOperator>(E)) {
      if (UO->getOpcode() != UO_LNot)
        break;
      Negated = !Negated;
      E = UO->getSubExpr()->IgnoreParens();
      continue;
    }
    const auto *BO = dyn_cast<BinaryOperator>(E);
    if (!BO || !BO->isEqualityOp())
      break;
    auto IsNull = [](const Expr *X) {
      X = X->IgnoreParenCasts();
      if (isa<CXXNullPtrLiteralExpr, GNUNullExpr>(X))
        return true;
      const auto *IL = dyn_cast<IntegerLiteral>(X);
      return IL && IL->getValue() == 0;
    };
    const Expr *Other = IsNull(BO->getRHS())   ? BO->getLHS()
                        : IsNull(BO->getLHS()) ? BO->getRHS()
                                               : nullptr;
    if (!Other)
      break;
    if (BO->getOpcode() == BO_EQ)
      Negated = !Negated;
    E = Other->IgnoreParens();
    // The null side's conversion leaves the pointer side as is; strip the
    // pointer side's own no-op casts.
    while (const auto *ICE = dyn_cast<ImplicitCastExpr>(E)) {
      if (ICE->getCastKind() != CK_NoOp && ICE->getCastKind() != CK_BitCast)
        break;
      E = ICE->getSubExpr()->IgnoreParens();
    }
  }
  if (!E->getType()->isPointerType())
    return nullptr;
  // A truthy pointer is non-null: `!p` true means null.
  TrueMeansNull = Negated;
  return E;
}

const CallExpr *FunctionAnalysis::testedBegin(const Expr *Cond,
                                              bool &TrueIsSuccess) {
  bool Negated = false;
  const Expr *E = Cond->IgnoreParenImpCasts();
  while (true) {
    if (const auto *UO = dyn_cast<UnaryOperator>(E)) {
      if (UO->getOpcode() != UO_LNot)
        break;
      Negated = !Negated;
      E = UO->getSubExpr()->IgnoreParenImpCasts();
      continue;
    }
    const auto *BO = dyn_cast<BinaryOperator>(E);
    if (!BO || !BO->isEqualityOp())
      break;
    auto IsZero = [&](const Expr *X) {
      Expr::EvalResult R;
      if (X->isValueDependent())
        return false;
      if (X->isNullPointerConstant(Ctx, Expr::NPC_ValueDependentIsNotNull) !=
          Expr::NPCK_NotNull)
        return true;
      return X->EvaluateAsInt(R, Ctx) && R.Val.getInt() == 0;
    };
    const Expr *Other = IsZero(BO->getRHS())   ? BO->getLHS()
                        : IsZero(BO->getLHS()) ? BO->getRHS()
                                               : nullptr;
    if (!Other)
      break;
    if (BO->getOpcode() == BO_EQ)
      Negated = !Negated;
    E = Other->IgnoreParenImpCasts();
  }
  const CallExpr *Begin = nullptr;
  if (const auto *CE = dyn_cast<CallExpr>(E)) {
    const FunctionDecl *Callee = CE->getDirectCallee();
    if (Callee && !Callee->getReturnType()->isVoidType()) {
      const CalleeInfo &Info = Index.callee(Callee);
      if (Info.Begins && !Info.Ends)
        Begin = CE;
    }
  } else if (const auto *DRE = dyn_cast<DeclRefExpr>(E)) {
    if (const auto *VD = dyn_cast<VarDecl>(DRE->getDecl())) {
      auto It = TryBeginVars.find(VD);
      if (It != TryBeginVars.end())
        Begin = It->second;
    }
  }
  if (!Begin)
    return nullptr;
  // A wrapper returning a flag, a count or a handle succeeds when it is
  // nonzero; one returning a status enumeration succeeds with 0 (FA_OK).
  bool ZeroIsSuccess = Begin->getCallReturnType(Ctx)->isEnumeralType();
  TrueIsSuccess = Negated == ZeroIsSuccess;
  return Begin;
}

void FunctionAnalysis::popTo(unsigned Depth, const Stmt *Site, Disjunct &D,
                             bool LoopBegunOnly) {
  bool Popped = false;
  while (D.Stack.size() > Depth) {
    if (LoopBegunOnly && !LoopBegins.count(D.Stack.back()))
      break;
    const Expr *Scope = D.Stack.pop_back_val();
    killScope(Scope, Site, D);
    Popped = true;
  }
  if (Popped)
    D.LastEnds.assign(1, Site);
}

bool FunctionAnalysis::refineEdge(const CFGBlock &B, unsigned I,
                                  Disjunct &D) {
  const Stmt *T = B.getTerminatorStmt();
  if (!T)
    return true;
  if (isa<SwitchStmt>(T)) {
    const CFGBlock *Succ = *(B.succ_begin() + I);
    return !Succ || refineSwitch(B, *Succ, D);
  }
  if (I > 1 || B.succ_size() != 2)
    return true;
  const Expr *Cond = branchCondition(B);
  if (!Cond)
    return true;
  // `if (!w->items) { end(fa); return; }`: on the null edge the pointer holds
  // no frame memory, whatever was stored in it on other paths.
  if (!D.Vals.empty()) {
    bool TrueMeansNull = false;
    if (const Expr *Ptr = testedPointer(Cond, TrueMeansNull)) {
      bool Null = (I == 0) == TrueMeansNull;
      if (Null) {
        const auto *ICE = dyn_cast<ImplicitCastExpr>(Ptr);
        PathId P = ICE && ICE->getCastKind() == CK_LValueToRValue
                       ? lvaluePath(ICE->getSubExpr())
                       : NoPath;
        if (P != NoPath)
          clearPath(P, D);
      }
    }
  }
  // `if (!engine_begin(e)) return;`: no frame was begun on the failure edge.
  bool TrueIsSuccess = true;
  if (const CallExpr *Begin = testedBegin(Cond, TrueIsSuccess)) {
    bool Success = (I == 0) == TrueIsSuccess;
    // Keyed scopes of other arenas may have been begun after it.
    auto It = Success ? D.Stack.end() : llvm::find(D.Stack, Begin);
    if (It != D.Stack.end()) {
      D.Stack.erase(It);
      killScope(Begin, Cond, D);
    }
  }
  if (I == 1 && !ClearingLoops.empty()) {
    auto It = ClearingLoops.find(T);
    if (It != ClearingLoops.end())
      for (const Expr *LHS : It->second) {
        PathId P = lvaluePath(LHS);
        if (P != NoPath)
          clearPath(P, D);
      }
  }
  // The exit of a loop that ends frames until a condition holds: the frames
  // it was written to unwind are closed. `while (depth(fa) > base)` pops to
  // the depth saved in base; a counter pops the frames begun in a loop.
  if (UnwindLoops.count(T)) {
    const Expr *C = Cond->IgnoreParenImpCasts();
    const unsigned *Saved = nullptr;
    if (const auto *BO = dyn_cast<BinaryOperator>(C))
      if (BO->isComparisonOp())
        for (int Side = 0; Side < 2 && !Saved; ++Side) {
          const Expr *VarSide = (Side ? BO->getRHS() : BO->getLHS());
          const Expr *CallSide = (Side ? BO->getLHS() : BO->getRHS());
          const auto *DRE =
              dyn_cast<DeclRefExpr>(VarSide->IgnoreParenImpCasts());
          const auto *CE = dyn_cast<CallExpr>(CallSide->IgnoreParenImpCasts());
          const auto *VD = DRE ? dyn_cast<VarDecl>(DRE->getDecl()) : nullptr;
          if (!VD || !CE)
            continue;
          auto It = SnapshotVars.find(VD);
          if (It != SnapshotVars.end() && It->second == CE->getDirectCallee())
            Saved = D.Snapshots.find(VD);
        }
    // The body runs only while frames above the snapshot are open.
    if (I == 0)
      return !Saved || D.Stack.size() > *Saved;
    if (Saved)
      popTo(*Saved, T, D, /*LoopBegunOnly=*/false);
    else
      popTo(0, T, D, /*LoopBegunOnly=*/true);
  }
  return true;
}

bool FunctionAnalysis::solve() {
  unsigned N = Cfg->getNumBlockIDs();
  In.assign(N, FlowState());

  // Reverse post-order, so that loops converge in few rounds.
  Rank.assign(N, ~0u);
  {
    std::vector<const CFGBlock *> PostOrder;
    llvm::BitVector Seen(N);
    std::vector<std::pair<const CFGBlock *, CFGBlock::const_succ_iterator>>
        Stack;
    const CFGBlock *Entry = &Cfg->getEntry();
    Seen.set(Entry->getBlockID());
    Stack.emplace_back(Entry, Entry->succ_begin());
    while (!Stack.empty()) {
      auto &Top = Stack.back();
      if (Top.second == Top.first->succ_end()) {
        PostOrder.push_back(Top.first);
        Stack.pop_back();
        continue;
      }
      const CFGBlock *Succ = *Top.second;
      ++Top.second;
      if (!Succ || Seen.test(Succ->getBlockID()))
        continue;
      Seen.set(Succ->getBlockID());
      Stack.emplace_back(Succ, Succ->succ_begin());
    }
    for (unsigned I = 0, E = PostOrder.size(); I < E; ++I)
      Rank[PostOrder[E - 1 - I]->getBlockID()] = I;
    // The lowest rank reachable from each block: through a loop's back edge
    // a block reaches the tests at the top of the loop again.
    MinReach = Rank;
    for (bool Changed = true; Changed;) {
      Changed = false;
      for (const CFGBlock *B : PostOrder)
        for (const CFGBlock *Succ : B->succs())
          if (Succ && MinReach[Succ->getBlockID()] < MinReach[B->getBlockID()]) {
            MinReach[B->getBlockID()] = MinReach[Succ->getBlockID()];
            Changed = true;
          }
    }
  }
  for (const CFGBlock *B : *Cfg) {
    unsigned R = Rank[B->getBlockID()];
    if (R == ~0u)
      continue;
    if (const Expr *Cond = branchCondition(*B))
      countTests(Cond, R);
    if (const auto *SS = dyn_cast_or_null<SwitchStmt>(B->getTerminatorStmt()))
      noteSwitchTested(SS, R);
  }

  using Item = std::pair<unsigned, const CFGBlock *>;
  std::priority_queue<Item, std::vector<Item>, std::greater<>> Queue;
  llvm::BitVector Queued(N);
  auto Enqueue = [&](const CFGBlock *B) {
    if (Queued.test(B->getBlockID()) || Rank[B->getBlockID()] == ~0u)
      return;
    Queued.set(B->getBlockID());
    Queue.emplace(Rank[B->getBlockID()], B);
  };

  const CFGBlock &Entry = Cfg->getEntry();
  In[Entry.getBlockID()].Disjuncts.emplace_back().Paths = &Paths;
  Enqueue(&Entry);
  // Steps are disjuncts carried through a block. Past the budget every state
  // is joined into one (coarse) disjunct, which converges quickly; past four
  // budgets the function is abandoned, with a remark.
  uint64_t Budget = Analyzer.config().MaxSteps;
  uint64_t Steps = 0;
  llvm::SmallVector<FlowState, 2> Out;
  while (!Queue.empty()) {
    const CFGBlock *B = Queue.top().second;
    Queue.pop();
    Queued.reset(B->getBlockID());
    if (B == &Cfg->getExit())
      continue;
    FlowState &Here = In[B->getBlockID()];
    Steps += Here.Disjuncts.size();
    Result.Steps = Steps;
    if (!Coarse && Steps > Budget) {
      Coarse = true;
      Result.BudgetHit = true;
      for (FlowState &S : In)
        if (S.Disjuncts.size() > 1)
          S.coarsen();
    }
    if (Steps > 4 * Budget + 4 * N) {
      Result.Abandoned = true;
      return false;
    }
    transferBlock(*B, Here, Out);
    unsigned I = 0;
    for (auto It = B->succ_begin(), End = B->succ_end(); It != End; ++It, ++I) {
      const CFGBlock *Succ = *It;
      if (!Succ || Out[I].empty())
        continue;
      FlowState &Target = In[Succ->getBlockID()];
      if (!Target.join(std::move(Out[I])))
        continue;
      if (Coarse ? Target.Disjuncts.size() > 1
                 : Target.Disjuncts.size() > MaxDisjuncts) {
        // Keep what the disjuncts agree on; frames that differ make one
        // coarse disjunct, which reports no pairing mistakes.
        if (!Coarse)
          Target.widen();
        if (Target.Disjuncts.size() > (Coarse ? 1u : MaxDisjuncts))
          Target.coarsen();
      }
      Enqueue(Succ);
    }
  }
  return true;
}

bool FunctionAnalysis::condLiveAt(unsigned Key, const CFGBlock *B) const {
  if (Key >= LastTestRank.size())
    return false;
  unsigned Last = LastTestRank[Key];
  if (Last == ~0u)
    return false;
  unsigned Id = B->getBlockID();
  return Rank[Id] <= Last || MinReach[Id] <= Last;
}

void FunctionAnalysis::reportPass() {
  // Findings come from the converged states, each block visited once, so a
  // loop does not report a mistake once per iteration of the fixpoint.
  Reporting = true;
  llvm::SmallVector<FlowState, 2> Out;
  for (const CFGBlock *B : *Cfg) {
    if (B == &Cfg->getExit() || In[B->getBlockID()].empty())
      continue;
    transferBlock(*B, In[B->getBlockID()], Out);
    unsigned I = 0;
    for (auto It = B->succ_begin(), End = B->succ_end(); It != End; ++It, ++I)
      if (*It == &Cfg->getExit())
        for (const Disjunct &D : Out[I].Disjuncts)
          checkExit(*B, D);
  }
  Reporting = false;
}

//===----------------------------------------------------------------------===//
// Function exit
//===----------------------------------------------------------------------===//

void FunctionAnalysis::checkExit(const CFGBlock &Pred, const Disjunct &D) {
  const ReturnStmt *Return = nullptr;
  for (const auto *It = Pred.rbegin(); It != Pred.rend() && !Return; ++It)
    if (auto S = It->getAs<CFGStmt>())
      Return = dyn_cast<ReturnStmt>(S->getStmt());
  SourceLocation ExitLoc = Return ? loc(Return) : loc(FD->getBody());

  // Frames begun here and still open. An FA_BEGINS_FRAME function leaves its
  // first one open for the caller.
  unsigned Allowed = Self.Begins ? 1 : 0;
  // A coarse disjunct does not know which frames are open.
  for (unsigned I = Allowed; !D.Coarse && I < D.Stack.size(); ++I) {
    Finding F{FindingKind::Pairing, {}, {}};
    F.Warning.Loc = loc(D.Stack[I]);
    F.Warning.Format = "frame begun here is not ended before '%0' returns";
    F.Warning.Args = {functionName()};
    Message Exit;
    Exit.Loc = ExitLoc;
    Exit.Format = Return ? "'%0' returns here with the frame still open"
                         : "'%0' reaches its end here with the frame still "
                           "open";
    Exit.Args = {functionName()};
    F.Notes.push_back(Exit);
    if (!HasEndCall && !Self.Begins && D.Stack.size() == 1 &&
        canAnnotate(FD, /*InHeader=*/true)) {
      Message Hint;
      Hint.Loc = loc(FD->getFirstDecl()->getLocation());
      Hint.Format =
          "declare '%0' FA_BEGINS_FRAME if it begins a frame for its caller";
      Hint.Args = {functionName()};
      Hint.Fix = FixKind::BeginsFrame;
      Hint.FixLoc = declaratorEnd(FD);
      F.Notes.push_back(Hint);
    }
    addFinding(std::move(F));
  }

  // A retention still pending when the function returns belongs to a scope
  // that ends later: the slot must outlive it, and a local does not.
  auto Pending = [&](PathId P) {
    for (const auto &R : D.Retained)
      if (Paths.isPrefix(R.first, P, /*ThroughDeref=*/true))
        return true;
    return false;
  };
  for (const auto &R : D.Retained) {
    PathId Slot = R.first;
    if (slotKind(Slot) != SlotKind::Local || Paths[Slot].HasDeref)
      continue;
    Finding F{FindingKind::Escape, {}, {}};
    F.Warning.Loc = loc(R.second.second);
    F.Warning.Format = "retain slot '%0' is a local of '%1' and dies before "
                       "the frame scope ends, when the retained copy is "
                       "written into it";
    F.Warning.Args = {pathName(Slot), functionName()};
    Message Exit;
    Exit.Loc = ExitLoc;
    Exit.Format = "'%0' returns here with the retention pending";
    Exit.Args = {functionName()};
    F.Notes.push_back(Exit);
    addFinding(std::move(F));
  }

  for (const auto &Entry : D.Vals) {
    if (!D.Retained.empty() && Pending(Entry.first))
      continue;
    OriginId Live = firstLive(Entry.second);
    // A slot that outlives the frame and still points into it when the
    // function returns: the store was an escape. Clearing it after the end
    // (`fa_end_frame(fa); s->p = NULL;`) is not, like `free(p); p = NULL;`.
    OriginId Dead = firstDead(Entry.second);
    if (Dead != NoOrigin) {
      SlotKind DK = slotKind(Entry.first);
      if (DK != SlotKind::Local && DK != SlotKind::ThreadShared) {
        Message Why;
        Why.Loc = loc(Origins[Dead].EndedAt);
        Why.Format = endedByRollback(Origins[Dead].EndedAt)
                         ? "released here by the rollback to its checkpoint "
                           "while '%0' still points into it"
                         : "frame ended here while '%0' still points into it";
        Why.Args = {pathName(Entry.first)};
        reportEscape(Entry.first, Dead, D, Why);
      }
    }
    if (Live == NoOrigin)
      continue;
    SlotKind K = slotKind(Entry.first);
    // Globals and long-lived objects outlive every frame, the caller's too.
    if (K == SlotKind::Global || K == SlotKind::LongLived) {
      Message Why;
      Why.Loc = ExitLoc;
      Why.Format = "'%0' still points to frame memory when '%1' returns";
      Why.Args = {pathName(Entry.first), functionName()};
      reportEscape(Entry.first, Live, D, Why);
      continue;
    }
    // The summary: the caller's frame memory left in the caller's objects.
    if (K != SlotKind::Outliving || Origins[Live].Scope)
      continue;
    PathId Root = Paths.pointerRoot(Entry.first);
    if (Root == NoPath || Paths[Root].Parent != NoPath)
      continue;
    if (const auto *PVD = dyn_cast<ParmVarDecl>(Paths[Root].Base))
      setInsert(Result.Summary.FilledParams, PVD->getFunctionScopeIndex());
  }
}

//===----------------------------------------------------------------------===//
// Diagnostics
//===----------------------------------------------------------------------===//

SourceLocation FunctionAnalysis::loc(SourceLocation L) const {
  return Ctx.getSourceManager().getExpansionLoc(L);
}

SourceLocation FunctionAnalysis::loc(const Stmt *S) const {
  // A scope's end (cleanup variables, destructors) is its closing brace.
  if (const auto *CS = dyn_cast<CompoundStmt>(S))
    return loc(CS->getRBracLoc());
  return loc(S->getBeginLoc());
}

std::string FunctionAnalysis::spelling(const Expr *E) const {
  const SourceManager &SM = Ctx.getSourceManager();
  SourceRange R = E->IgnoreImpCasts()->getSourceRange();
  if (R.isInvalid() || R.getBegin().isMacroID() || R.getEnd().isMacroID())
    return {};
  llvm::StringRef Text = Lexer::getSourceText(CharSourceRange::getTokenRange(R),
                                              SM, Ctx.getLangOpts());
  if (Text.empty() || Text.size() > 48 || Text.contains('\n'))
    return {};
  return Text.str();
}

std::string FunctionAnalysis::pathName(PathId P) const {
  const PathInfo &Info = Paths[P];
  if (Info.Parent == NoPath)
    return isa<FunctionDecl>(Info.Base) ? "this"
                                        : Info.Base->getNameAsString();
  // A reference reads like the object it names.
  auto IsReference = [this](PathId Q) {
    const PathInfo &R = Paths[Q];
    return R.Parent == NoPath && !isa<FunctionDecl>(R.Base) &&
           R.Base->getType()->isReferenceType();
  };
  if (Info.IsDeref)
    return IsReference(Info.Parent) ? pathName(Info.Parent)
                                    : "*" + pathName(Info.Parent);
  const PathInfo &Parent = Paths[Info.Parent];
  std::string Prefix;
  if (Parent.Field && Parent.Field->isAnonymousStructOrUnion())
    Prefix = pathName(Info.Parent); // already ends with its separator
  else if (Parent.IsDeref && Parent.Parent != NoPath)
    Prefix = pathName(Parent.Parent) + (IsReference(Parent.Parent) ? "." : "->");
  else
    Prefix = pathName(Info.Parent) + ".";
  // Members of anonymous structs and unions are named through them.
  if (Info.Field->isAnonymousStructOrUnion())
    return Prefix;
  return Prefix + Info.Field->getNameAsString();
}

std::string FunctionAnalysis::functionName() const {
  if (const auto *MD = dyn_cast<CXXMethodDecl>(FD))
    if (MD->getParent()->isLambda())
      return "lambda";
  return FD->getNameAsString();
}

void FunctionAnalysis::addOriginNotes(Finding &F, OriginId O,
                                      SourceLocation UseLoc,
                                      bool WithEnd) const {
  const OriginInfo &Info = Origins[O];
  Message Alloc;
  Alloc.Loc = loc(Info.Site);
  Alloc.Format = "frame memory allocated here";
  // `return fa_frame_alloc(...)` needs no note pointing at itself.
  if (Alloc.Loc != F.Warning.Loc)
    F.Notes.push_back(Alloc);
  if (!WithEnd || !Info.EndedAt)
    return;
  Message End;
  End.Loc = loc(Info.EndedAt);
  bool Earlier =
      Ctx.getSourceManager().isBeforeInTranslationUnit(UseLoc, End.Loc);
  if (endedByRollback(Info.EndedAt))
    End.Format = Earlier ? "released here by the rollback to its checkpoint, "
                           "in an earlier loop iteration"
                         : "released here by the rollback to its checkpoint";
  else
    End.Format = Earlier ? "frame ended here, in an earlier loop iteration"
                         : "frame ended here";
  F.Notes.push_back(End);
}

void FunctionAnalysis::addFinding(Finding F) {
  auto Key = std::make_tuple(static_cast<int>(F.Kind),
                             F.Warning.Loc.getRawEncoding(), F.Warning.Format);
  if (!Seen.insert(Key).second)
    return;
  Result.Findings.push_back(std::move(F));
}

void FunctionAnalysis::addUseFinding(Finding F, OriginId O) {
  // One report per dangling allocation and end: the first use.
  const OriginInfo &Info = Origins[O];
  auto Key = std::make_pair(static_cast<const void *>(Info.Site),
                            static_cast<const void *>(Info.EndedAt));
  auto It = FirstUses.find(Key);
  if (It == FirstUses.end()) {
    FirstUses.emplace(Key, std::move(F));
    return;
  }
  if (Ctx.getSourceManager().isBeforeInTranslationUnit(F.Warning.Loc,
                                                       It->second.Warning.Loc))
    It->second = std::move(F);
}

void FunctionAnalysis::finishFindings() {
  for (auto &Entry : FirstUses)
    addFinding(std::move(Entry.second));
  FirstUses.clear();
  const SourceManager &SM = Ctx.getSourceManager();
  std::stable_sort(Result.Findings.begin(), Result.Findings.end(),
                   [&SM](const Finding &A, const Finding &B) {
                     return SM.isBeforeInTranslationUnit(A.Warning.Loc,
                                                         B.Warning.Loc);
                   });
}

bool FunctionAnalysis::endedByRollback(const Stmt *EndSite) const {
  const auto *Call = dyn_cast_or_null<CallExpr>(EndSite);
  const FunctionDecl *Callee = Call ? Call->getDirectCallee() : nullptr;
  return Callee && Index.callee(Callee).Rollback;
}

OriginId FunctionAnalysis::firstDead(const OriginSet &S) const {
  for (OriginId O : S)
    if (Origins.isDead(O))
      return O;
  return NoOrigin;
}

OriginId FunctionAnalysis::firstLive(const OriginSet &S) const {
  for (OriginId O : S)
    if (!Origins.isDead(O))
      return O;
  return NoOrigin;
}

SourceLocation FunctionAnalysis::declaratorEnd(const FunctionDecl *F) const {
  const FunctionDecl *First = F->getFirstDecl();
  FunctionTypeLoc TL = First->getFunctionTypeLoc();
  if (!TL)
    return {};
  SourceLocation RParen = TL.getRParenLoc();
  if (RParen.isInvalid() || RParen.isMacroID())
    return {};
  return Lexer::getLocForEndOfToken(RParen, 0, Ctx.getSourceManager(),
                                    Ctx.getLangOpts());
}

bool FunctionAnalysis::canAnnotate(const FunctionDecl *F,
                                   bool InHeader) const {
  // Methods take the attribute before their cv-qualifiers. A warning's own
  // fix-it (applied by plain -fix) stays in the main file; the fix-its of
  // the begin/end notes (applied with --fix-notes) may edit the project
  // header that declares the wrapper. System headers are never edited.
  if (isa<CXXMethodDecl>(F))
    return false;
  const FunctionDecl *First = F->getFirstDecl();
  const SourceManager &SM = Ctx.getSourceManager();
  SourceLocation L = SM.getExpansionLoc(First->getLocation());
  if (InHeader ? SM.isInSystemHeader(L) : !SM.isInMainFile(L))
    return false;
  return declaratorEnd(F).isValid();
}

} // namespace clang::tidy::framealloc

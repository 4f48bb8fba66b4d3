// SPDX-License-Identifier: MIT
//===--- FrameAnalysis.cpp - framealloc-tidy ------------------------------===//
//
// The driver of the frame analysis: which functions are worth analyzing, the
// fixpoint over the CFG with branch refinement on correlated conditions
// (the body's structure: FrameStructure.cpp; exit checks and findings:
// FrameExit.cpp).
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

//===----------------------------------------------------------------------===//
// Setup
//===----------------------------------------------------------------------===//

FunctionAnalysis::FunctionAnalysis(FrameAnalyzer &Analyzer,
                                   const FunctionDecl *FD,
                                   FunctionResult &Result)
    : Analyzer(Analyzer), Ctx(Analyzer.context()), Index(Analyzer.index()),
      FD(FD), Result(Result), Self(Analyzer.index().callee(FD)) {}

void pushChildren(const Stmt *S, llvm::SmallVectorImpl<const Stmt *> &Work) {
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
    // Entering a loop that runs at least once, not coming back around it.
    Edge.FreshLoop = Edge.DoneLoop = nullptr;
    if (!RunsOnceTests.empty()) {
      auto It = RunsOnceTests.find(Succ);
      if (It != RunsOnceTests.end()) {
        if (B.getLoopTarget() != It->second)
          Edge.FreshLoop = It->second;
        else if (RunsExactlyOnce.count(It->second))
          Edge.DoneLoop = It->second;
      }
    }
    // Facts no later branch tests only keep paths apart.
    if (!Edge.Conds.empty())
      Edge.Conds.eraseIf([&](const std::pair<unsigned, bool> &C) {
        return !condLiveAt(C.first, Succ) &&
               !(ClearsMode && ParamKeys.count(C.first));
      });
    Out[I].add(std::move(Edge), ChoiceKeys[Succ->getBlockID()]);
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
  // Leaving a loop that cleared every element (a range-for too, whose
  // condition is not a branch condition here).
  if (I == 1 && !ClearingLoops.empty()) {
    auto It = ClearingLoops.find(T);
    if (It != ClearingLoops.end())
      for (const Expr *LHS : It->second) {
        PathId P = lvaluePath(LHS);
        if (P != NoPath)
          clearPath(P, D);
      }
  }
  const Expr *Cond = branchCondition(B);
  if (!Cond)
    return true;
  // The first test of a loop with constant bounds does not exit it; the
  // second test of one that runs once does.
  if (I == 1 && D.FreshLoop && D.FreshLoop == T)
    return false;
  if (I == 0 && D.DoneLoop && D.DoneLoop == T)
    return false;
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
          assumeNull(ICE->getSubExpr(), P, D);
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
  ChoiceKeys.assign(N, {});
  // Keys of such arguments: paths that differ in them stay apart until the
  // call, where the helper's clear depends on them.
  llvm::SmallVector<unsigned, 1> ArgKeys;
  for (const CFGBlock *B : *Cfg) {
    if (const Stmt *T = B->getTerminatorStmt())
      if (RunsOnce.count(T))
        RunsOnceTests[B] = T;
    for (const CFGElement &E : *B)
      if (auto S = E.getAs<CFGStmt>())
        if (const auto *CO = dyn_cast<AbstractConditionalOperator>(S->getStmt())) {
          bool Negated = false;
          unsigned Key = condKey(CO->getCond(), Negated);
          if (Key != NoCond)
            ChoiceKeys[B->getBlockID()].push_back(Key);
        }
    unsigned R = Rank[B->getBlockID()];
    if (R == ~0u)
      continue;
    if (const Expr *Cond = branchCondition(*B))
      countTests(Cond, R);
    // A helper that clears a slot unless a parameter says otherwise tests
    // the argument (FrameClears.cpp).
    for (const CFGElement &E : *B)
      if (auto S = E.getAs<CFGStmt>())
        if (const auto *CE = dyn_cast<CallExpr>(S->getStmt()))
          if (const FunctionDecl *Callee = CE->getDirectCallee())
            if (!isa<CXXOperatorCallExpr>(CE) && Callee->hasBody() &&
                !Index.callee(Callee).changesFrames())
              for (const ClearedPath &C : Analyzer.clears(Callee))
                for (const auto &U : C.Unless)
                  if (U.first < CE->getNumArgs()) {
                    const Expr *Arg = CE->getArg(U.first);
                    countTests(Arg, R);
                    bool Negated = false;
                    unsigned Key = condKey(Arg, Negated);
                    if (Key != NoCond)
                      ArgKeys.push_back(Key);
                  }
    if (const auto *SS = dyn_cast_or_null<SwitchStmt>(B->getTerminatorStmt()))
      noteSwitchTested(SS, R);
  }
  if (!ArgKeys.empty())
    for (auto &Keys : ChoiceKeys)
      Keys.append(ArgKeys.begin(), ArgKeys.end());

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
  Disjunct &Start = In[Entry.getBlockID()].Disjuncts.emplace_back();
  Start.Paths = &Paths;
  for (const auto &Seed : Seeds)
    setInsert(Start.Vals[Seed.first], Seed.second);
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
      if (!Target.join(std::move(Out[I]), ChoiceKeys[Succ->getBlockID()]))
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

} // namespace clang::tidy::framealloc

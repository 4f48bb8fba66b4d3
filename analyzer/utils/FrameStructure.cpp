// SPDX-License-Identifier: MIT
//===--- FrameStructure.cpp - framealloc-tidy -----------------------------===//
//
// The structure of a function's body, scanned once before the fixpoint:
// unwinding and clearing loops, snapshot and checkpoint variables, range-for
// variables, and the provenance of local pointers.
//
//===----------------------------------------------------------------------===//

#include "FrameTransfer.h"
#include "clang/AST/Attr.h"
#include "clang/AST/DeclCXX.h"
#include "clang/AST/ExprCXX.h"
#include "clang/Lex/Lexer.h"
#include "llvm/ADT/BitVector.h"
#include "llvm/ADT/ScopeExit.h"
#include <functional>

namespace clang::tidy::framealloc {

namespace {
struct LoopScan {
  const Stmt *Loop;
  const VarDecl *Index = nullptr; ///< A `for` loop's stepped variable.
  const VarDecl *Element = nullptr; ///< A range-for's reference variable.
  bool HasBegin = false, HasEnd = false;
  llvm::SmallVector<const Stmt *, 2> Begins, Ends;
  llvm::SmallVector<const VarDecl *, 2> Stepped;
};
} // namespace

/// For a slot in an element of an array or a standard container (`a[i]`,
/// `a[i].f.g`, `v[i].f`, `it.f` of a reference variable `it`), the variable
/// that selects the element: the index, or `it` itself.
static const ValueDecl *elementSlotIndex(const Expr *LHS) {
  const Expr *E = LHS->IgnoreParenImpCasts();
  bool Member = false;
  while (const auto *ME = dyn_cast<MemberExpr>(E)) {
    if (ME->isArrow())
      return nullptr;
    Member = true;
    E = ME->getBase()->IgnoreParenImpCasts();
  }
  const Expr *Idx = nullptr;
  if (const auto *AS = dyn_cast<ArraySubscriptExpr>(E))
    Idx = AS->getIdx();
  else if (const auto *OC = dyn_cast<CXXOperatorCallExpr>(E))
    if (OC->getOperator() == OO_Subscript && OC->getNumArgs() == 2)
      Idx = OC->getArg(1);
  if (Idx) {
    const auto *DRE = dyn_cast<DeclRefExpr>(Idx->IgnoreParenImpCasts());
    return DRE ? DRE->getDecl() : nullptr;
  }
  const auto *DRE = dyn_cast<DeclRefExpr>(E);
  if (Member && DRE && DRE->getDecl()->getType()->isReferenceType())
    return DRE->getDecl();
  return nullptr;
}

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

/// The value of \p E when \p Var holds \p Value and everything else in it
/// is a constant (literals, enumerators, macros, sizeof).
static bool evalWith(const Expr *E, const VarDecl *Var, int64_t Value,
                     const ASTContext &Ctx, int64_t &Out) {
  E = E->IgnoreParens();
  if (E->isValueDependent())
    return false;
  if (const auto *DRE = dyn_cast<DeclRefExpr>(E->IgnoreParenCasts()))
    if (DRE->getDecl() == Var) {
      Out = Value;
      return true;
    }
  Expr::EvalResult R;
  if (E->EvaluateAsInt(R, Ctx)) {
    Out = R.Val.getInt().getExtValue();
    return true;
  }
  if (const auto *CE = dyn_cast<CastExpr>(E))
    return CE->getSubExpr()->getType()->isIntegralOrEnumerationType() &&
           evalWith(CE->getSubExpr(), Var, Value, Ctx, Out);
  if (const auto *UO = dyn_cast<UnaryOperator>(E)) {
    int64_t V;
    if (!evalWith(UO->getSubExpr(), Var, Value, Ctx, V))
      return false;
    if (UO->getOpcode() == UO_LNot)
      Out = !V;
    else if (UO->getOpcode() == UO_Minus)
      Out = -V;
    else if (UO->getOpcode() == UO_Plus)
      Out = V;
    else
      return false;
    return true;
  }
  const auto *BO = dyn_cast<BinaryOperator>(E);
  int64_t L, Rv;
  if (!BO || !evalWith(BO->getLHS(), Var, Value, Ctx, L) ||
      !evalWith(BO->getRHS(), Var, Value, Ctx, Rv))
    return false;
  switch (BO->getOpcode()) {
  case BO_LT: Out = L < Rv; return true;
  case BO_LE: Out = L <= Rv; return true;
  case BO_GT: Out = L > Rv; return true;
  case BO_GE: Out = L >= Rv; return true;
  case BO_EQ: Out = L == Rv; return true;
  case BO_NE: Out = L != Rv; return true;
  case BO_Add: Out = L + Rv; return true;
  case BO_Sub: Out = L - Rv; return true;
  case BO_Mul: Out = L * Rv; return true;
  case BO_LAnd: Out = L && Rv; return true;
  case BO_LOr: Out = L || Rv; return true;
  default: return false;
  }
}

/// Does the first test of \p FS hold: its init sets a variable to a
/// constant (`int i = 0`, `i = 0`) and the condition, evaluated with that
/// value, is true (`i < 4`, `i < N`, `i < sizeof a / sizeof a[0]`)? A bound
/// that is a variable is not a constant: such loops may run zero times.
static bool runsOnce(const ForStmt *FS, const ASTContext &Ctx,
                     bool &ExactlyOnce) {
  ExactlyOnce = false;
  const Expr *Cond = FS->getCond();
  const Stmt *Init = FS->getInit();
  if (!Cond || !Init)
    return false;
  const VarDecl *Var = nullptr;
  const Expr *Start = nullptr;
  if (const auto *DS = dyn_cast<DeclStmt>(Init)) {
    if (!DS->isSingleDecl())
      return false;
    Var = dyn_cast<VarDecl>(DS->getSingleDecl());
    Start = Var ? Var->getInit() : nullptr;
  } else if (const auto *BO = dyn_cast<BinaryOperator>(Init)) {
    const auto *DRE =
        BO->getOpcode() == BO_Assign
            ? dyn_cast<DeclRefExpr>(BO->getLHS()->IgnoreParenImpCasts())
            : nullptr;
    Var = DRE ? dyn_cast<VarDecl>(DRE->getDecl()) : nullptr;
    Start = BO->getRHS();
  }
  if (!Var || !Start || !Var->getType()->isIntegralOrEnumerationType())
    return false;
  // `(begin(fa), 0)` in scope macros starts at 0.
  Start = Start->IgnoreParenImpCasts();
  while (const auto *BO = dyn_cast<BinaryOperator>(Start)) {
    if (BO->getOpcode() != BO_Comma)
      break;
    Start = BO->getRHS()->IgnoreParenImpCasts();
  }
  Expr::EvalResult R;
  if (Start->isValueDependent() || !Start->EvaluateAsInt(R, Ctx))
    return false;
  int64_t Start0 = R.Val.getInt().getExtValue();
  int64_t Holds = 0;
  if (!evalWith(Cond, Var, Start0, Ctx, Holds) || Holds == 0)
    return false;
  // The value after the first pass: the body leaves the variable alone and
  // the increment sets it (`once = (end, 1)`) or steps it (`++i`).
  const Expr *Inc = FS->getInc() ? FS->getInc()->IgnoreParenImpCasts() : nullptr;
  int64_t Next = 0;
  bool Known = false;
  auto IsVar = [Var](const Expr *E) {
    const auto *DRE = dyn_cast<DeclRefExpr>(E->IgnoreParenImpCasts());
    return DRE && DRE->getDecl() == Var;
  };
  if (const auto *UO = dyn_cast_or_null<UnaryOperator>(Inc)) {
    if (UO->isIncrementDecrementOp() && IsVar(UO->getSubExpr())) {
      Next = UO->isIncrementOp() ? Start0 + 1 : Start0 - 1;
      Known = true;
    }
  } else if (const auto *BO = dyn_cast_or_null<BinaryOperator>(Inc)) {
    const Expr *RHS = BO->getRHS()->IgnoreParenImpCasts();
    while (const auto *C = dyn_cast<BinaryOperator>(RHS)) {
      if (C->getOpcode() != BO_Comma)
        break;
      RHS = C->getRHS()->IgnoreParenImpCasts();
    }
    Expr::EvalResult V;
    if (IsVar(BO->getLHS()) && !RHS->isValueDependent() &&
        RHS->EvaluateAsInt(V, Ctx)) {
      int64_t K = V.Val.getInt().getExtValue();
      Known = true;
      if (BO->getOpcode() == BO_Assign)
        Next = K;
      else if (BO->getOpcode() == BO_AddAssign)
        Next = Start0 + K;
      else if (BO->getOpcode() == BO_SubAssign)
        Next = Start0 - K;
      else
        Known = false;
    }
  }
  if (!Known)
    return true;
  llvm::SmallVector<const Stmt *, 16> Work{FS->getBody()};
  while (!Work.empty()) {
    const Stmt *S = Work.pop_back_val();
    if (!S)
      continue;
    if (const auto *BO = dyn_cast<BinaryOperator>(S))
      if (BO->isAssignmentOp() && IsVar(BO->getLHS()))
        return true;
    if (const auto *UO = dyn_cast<UnaryOperator>(S))
      if ((UO->isIncrementDecrementOp() || UO->getOpcode() == UO_AddrOf) &&
          IsVar(UO->getSubExpr()))
        return true;
    for (const Stmt *C : S->children())
      Work.push_back(C);
  }
  int64_t Again = 1;
  ExactlyOnce = evalWith(Cond, Var, Next, Ctx, Again) && Again == 0;
  return true;
}

void FunctionAnalysis::scanStructure() {
  llvm::SmallVector<LoopScan, 4> Loops;
  llvm::SmallVector<LoopScan, 2> Candidates;
  llvm::SmallPtrSet<const VarDecl *, 4> CounterVars;
  // A generic lambda recursing through itself: no std::function call per
  // node.
  auto Walk = [&](auto &Self, const Stmt *S) -> void {
    if (!S || isa<BlockExpr>(S))
      return;
    if (const auto *LE = dyn_cast<LambdaExpr>(S)) {
      for (const Expr *Init : LE->capture_inits())
        Self(Self, Init);
      return;
    }
    bool IsLoop = isa<WhileStmt, DoStmt, ForStmt, CXXForRangeStmt>(S);
    if (const auto *RS = dyn_cast<CXXForRangeStmt>(S))
      RangeLoopVars[RS->getLoopVariable()] = RS;
    if (IsLoop) {
      Loops.emplace_back();
      Loops.back().Loop = S;
      if (const auto *RS = dyn_cast<CXXForRangeStmt>(S))
        if (RS->getLoopVariable()->getType()->isReferenceType())
          Loops.back().Element = RS->getLoopVariable();
      if (const auto *FS = dyn_cast<ForStmt>(S)) {
        Loops.back().Index = steppedVar(FS->getInc());
        bool ExactlyOnce = false;
        if (runsOnce(FS, Ctx, ExactlyOnce))
          RunsOnce.insert(FS);
        if (ExactlyOnce)
          RunsExactlyOnce.insert(FS);
      }
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
        // `a[i] = NULL`, `a[i].ptr = NULL`, `v[i].ptr = nullptr` for the
        // loop's index, or `it.ptr = nullptr` for a range-for's element:
        // every element is cleared when the loop is done.
        bool Null = BO->getRHS()->isNullPointerConstant(
                        Ctx, Expr::NPC_ValueDependentIsNotNull) !=
                    Expr::NPCK_NotNull;
        if (Null)
          if (const ValueDecl *Over = elementSlotIndex(LHS))
            for (const LoopScan &L : Loops)
              if ((L.Index && L.Index == Over) ||
                  (L.Element && L.Element == Over)) {
                LoopClears.insert(BO);
                ClearingLoops[L.Loop].push_back(BO->getLHS());
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
      Self(Self, Child);
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
  Walk(Walk, FD->getBody());

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
  // `g_list = n;`, `root->next = n;`, `nodes_.push_back(n)`: a local pointer
  // linked into an object that outlives the function publishes what it
  // points to (a heap or pool node filled before or after the link).
  struct Sink {
    const VarDecl *Node;
    const Expr *Into;
    const Stmt *Site;
  };
  llvm::SmallVector<Sink, 4> Sinks;
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
            Sinks.push_back({Linked, BO->getLHS(), BO});
      }
    } else if (const auto *MC = dyn_cast<CXXMemberCallExpr>(S)) {
      QualType Elem;
      if (isContainerInsert(MC, Elem) && Elem->isPointerType())
        for (const Expr *Arg : MC->arguments())
          if (const VarDecl *Linked = LocalPointer(Arg))
            Sinks.push_back({Linked, MC->getImplicitObjectArgument(), MC});
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
    // A method's object is the caller's.
    if (isa<CXXThisExpr>(E))
      return SlotKind::Outliving;
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
  auto Settle = [&](bool WithSinks) {
    for (unsigned Round = 0; Round < 3; ++Round) {
      bool Changed = false;
      for (const auto &Src : Sources) {
        SlotKind K = KindOf(Src.second);
        if (K != SlotKind::Local)
          Changed |= Raise(Src.first, K);
      }
      for (const Sink &Into : Sinks) {
        if (!WithSinks)
          break;
        SlotKind K = KindOf(Into.Into);
        // What another thread's object points to is not this thread's.
        if (K == SlotKind::Local || K == SlotKind::ThreadShared)
          continue;
        Changed |= Raise(Into.Node, K);
        PublishedAt.try_emplace(Into.Node, Publication{Into.Site, Into.Into});
      }
      if (!Changed)
        break;
    }
  };
  Settle(/*WithSinks=*/false);
  if (Sinks.empty())
    return;
  llvm::SmallPtrSet<const VarDecl *, 8> FromSources;
  for (const auto &E : LocalPointerKinds)
    FromSources.insert(E.first);
  Settle(/*WithSinks=*/true);
  // A node that outlives the function only through its links is followed
  // along the paths (Disjunct::Links), so that unlinking it counts; a link
  // into something we cannot name keeps the flow-insensitive answer.
  llvm::SmallPtrSet<const VarDecl *, 4> Untracked;
  for (const Sink &Into : Sinks)
    if (lvaluePath(Into.Into) == NoPath)
      Untracked.insert(Into.Node);
  for (const Sink &Into : Sinks)
    if (PublishedAt.count(Into.Node) && !FromSources.count(Into.Node) &&
        !Untracked.count(Into.Node))
      LinkedOnly.insert(Into.Node);
}

} // namespace clang::tidy::framealloc

// SPDX-License-Identifier: MIT
//===--- FrameConditions.cpp - framealloc-tidy ----------------------------===//
//
// Branch conditions: keys for side-effect-free conditions, facts assumed on
// branch edges (correlated `if (c) begin ... if (c) end`), facts set by
// constant assignments (`opened = 1`), and their invalidation.
//
//===----------------------------------------------------------------------===//

#include "FrameTransfer.h"
#include "clang/AST/ExprCXX.h"

namespace clang::tidy::framealloc {

static bool isZero(const Expr *E, ASTContext &Ctx) {
  if (E->isValueDependent())
    return false;
  if (const auto *IL = dyn_cast<IntegerLiteral>(E->IgnoreParenImpCasts()))
    return IL->getValue() == 0;
  return E->isNullPointerConstant(Ctx, Expr::NPC_ValueDependentIsNotNull) !=
         Expr::NPCK_NotNull;
}

bool FunctionAnalysis::collectCondVars(
    const Expr *E, llvm::SmallVectorImpl<const ValueDecl *> &Vars) {
  E = E->IgnoreParenCasts();
  if (const auto *DRE = dyn_cast<DeclRefExpr>(E)) {
    if (isa<EnumConstantDecl>(DRE->getDecl()))
      return true;
    const auto *VD = dyn_cast<VarDecl>(DRE->getDecl());
    if (!VD)
      return false;
    Vars.push_back(VD);
    return true;
  }
  if (const auto *ME = dyn_cast<MemberExpr>(E))
    return isa<FieldDecl>(ME->getMemberDecl()) &&
           collectCondVars(ME->getBase(), Vars);
  if (isa<IntegerLiteral, CharacterLiteral, FloatingLiteral, CXXBoolLiteralExpr,
          CXXNullPtrLiteralExpr, UnaryExprOrTypeTraitExpr>(E))
    return true;
  if (const auto *UO = dyn_cast<UnaryOperator>(E))
    return !UO->isIncrementDecrementOp() &&
           collectCondVars(UO->getSubExpr(), Vars);
  if (const auto *BO = dyn_cast<BinaryOperator>(E))
    return !BO->isAssignmentOp() && BO->getOpcode() != BO_Comma &&
           collectCondVars(BO->getLHS(), Vars) &&
           collectCondVars(BO->getRHS(), Vars);
  if (const auto *AS = dyn_cast<ArraySubscriptExpr>(E))
    return collectCondVars(AS->getBase(), Vars) &&
           collectCondVars(AS->getIdx(), Vars);
  return false;
}

unsigned FunctionAnalysis::varCondKey(const VarDecl *VD) {
  auto It = VarCondKeys.find(VD);
  if (It != VarCondKeys.end())
    return It->second;
  unsigned Key = CondProfiles.size();
  CondProfiles.emplace_back();
  CondVarsOf.emplace_back();
  CondVarsOf.back().push_back(VD);
  VarCondKeys[VD] = Key;
  return Key;
}

unsigned FunctionAnalysis::condKey(const Expr *E, bool &Negated) {
  auto Cached = CondKeys.find(E);
  if (Cached != CondKeys.end()) {
    Negated = Cached->second.second;
    return Cached->second.first;
  }
  unsigned Key = computeCondKey(E, Negated);
  CondKeys[E] = std::make_pair(Key, Negated);
  return Key;
}

unsigned FunctionAnalysis::computeCondKey(const Expr *E, bool &Negated) {
  Negated = false;
  E = E->IgnoreParenImpCasts();
  // !c, c == 0 and c != 0 test the same fact as c.
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
    const Expr *Other = nullptr;
    if (isZero(BO->getRHS(), Ctx))
      Other = BO->getLHS();
    else if (isZero(BO->getLHS(), Ctx))
      Other = BO->getRHS();
    if (!Other) {
      // `mode == MODE_A` is the fact a `case MODE_A:` edge sets.
      Expr::EvalResult R;
      const Expr *L = BO->getLHS(), *Rhs = BO->getRHS();
      const Expr *Var = nullptr;
      if (!Rhs->isValueDependent() && Rhs->EvaluateAsInt(R, Ctx))
        Var = L;
      else if (!L->isValueDependent() && L->EvaluateAsInt(R, Ctx))
        Var = Rhs;
      if (!Var)
        break;
      bool VarNegated = false;
      unsigned VarKey = condKey(Var, VarNegated);
      if (VarKey == NoCond || VarNegated)
        return NoCond;
      if (BO->getOpcode() == BO_NE)
        Negated = !Negated;
      return caseKey(VarKey, R.Val.getInt().getExtValue());
    }
    if (BO->getOpcode() == BO_EQ)
      Negated = !Negated;
    E = Other->IgnoreParenImpCasts();
  }

  if (const auto *DRE = dyn_cast<DeclRefExpr>(E))
    if (const auto *VD = dyn_cast<VarDecl>(DRE->getDecl()))
      return varCondKey(VD);

  // Any other side-effect-free expression over variables is keyed by its
  // structure: `if (cfg->debug && level > 2)` twice is the same fact.
  llvm::SmallVector<const ValueDecl *, 2> Vars;
  if (!collectCondVars(E, Vars) || Vars.empty())
    return NoCond;
  llvm::FoldingSetNodeID ID;
  E->Profile(ID, Ctx, /*Canonical=*/true);
  for (unsigned I = 0, N = CondProfiles.size(); I < N; ++I)
    if (CondProfiles[I] == ID && !CondVarsOf[I].empty())
      return I;
  CondProfiles.push_back(ID);
  CondVarsOf.emplace_back(Vars.begin(), Vars.end());
  return CondProfiles.size() - 1;
}

unsigned FunctionAnalysis::caseKey(unsigned SwitchKey, int64_t Value) {
  auto It = CaseKeys.find({SwitchKey, Value});
  if (It != CaseKeys.end())
    return It->second;
  unsigned Key = CondProfiles.size();
  CondProfiles.emplace_back();
  llvm::SmallVector<const ValueDecl *, 2> Vars = CondVarsOf[SwitchKey];
  CondVarsOf.push_back(std::move(Vars));
  CaseKeys[{SwitchKey, Value}] = Key;
  return Key;
}

/// The value of `case V:`, or false for a range or a non-constant.
static bool caseValue(const SwitchCase *SC, ASTContext &Ctx, int64_t &V) {
  const auto *CS = dyn_cast<CaseStmt>(SC);
  if (!CS || CS->caseStmtIsGNURange() || CS->getLHS()->isValueDependent())
    return false;
  Expr::EvalResult R;
  if (!CS->getLHS()->EvaluateAsInt(R, Ctx))
    return false;
  V = R.Val.getInt().getExtValue();
  return true;
}

void FunctionAnalysis::countSwitch(const SwitchStmt *SS) {
  bool Negated = false;
  unsigned Key = condKey(SS->getCond(), Negated);
  if (Key == NoCond || Negated)
    return;
  for (const SwitchCase *SC = SS->getSwitchCaseList(); SC;
       SC = SC->getNextSwitchCase()) {
    int64_t V;
    if (caseValue(SC, Ctx, V))
      ++CondTests[caseKey(Key, V)];
  }
}

bool FunctionAnalysis::refineSwitch(const CFGBlock &B, const CFGBlock &Succ,
                                    Disjunct &D) {
  const auto *SS = cast<SwitchStmt>(B.getTerminatorStmt());
  bool Negated = false;
  unsigned Key = condKey(SS->getCond(), Negated);
  if (Key == NoCond || Negated)
    return true;
  // The case this edge enters, if it is a constant one: the default edge
  // (or the edge past a switch without default) excludes every case.
  const auto *Label = dyn_cast_or_null<SwitchCase>(Succ.getLabel());
  int64_t Taken = 0;
  bool HasTaken = Label && caseValue(Label, Ctx, Taken);
  if (Label && !HasTaken && !isa<DefaultStmt>(Label))
    return true;
  for (const SwitchCase *SC = SS->getSwitchCaseList(); SC;
       SC = SC->getNextSwitchCase()) {
    int64_t V;
    if (!caseValue(SC, Ctx, V))
      continue;
    unsigned K = caseKey(Key, V);
    bool Fact = HasTaken && V == Taken;
    if (const bool *Known = D.Conds.find(K)) {
      if (*Known != Fact)
        return false;
      continue;
    }
    auto Tests = CondTests.find(K);
    if (Tests != CondTests.end() && Tests->second > 1)
      D.Conds[K] = Fact;
  }
  return true;
}

bool FunctionAnalysis::assume(Disjunct &D, const Expr *Cond, bool Value) {
  Cond = Cond->IgnoreParenImpCasts();
  if (const auto *UO = dyn_cast<UnaryOperator>(Cond))
    if (UO->getOpcode() == UO_LNot)
      return assume(D, UO->getSubExpr(), !Value);
  // `a && b` true (as in `if (!(a && b)) abort();`) means both hold; `a || b`
  // false means neither does.
  if (const auto *BO = dyn_cast<BinaryOperator>(Cond)) {
    if ((BO->getOpcode() == BO_LAnd && Value) ||
        (BO->getOpcode() == BO_LOr && !Value))
      return assume(D, BO->getLHS(), Value) && assume(D, BO->getRHS(), Value);
  }
  bool Negated = false;
  unsigned Key = condKey(Cond, Negated);
  if (Key == NoCond)
    return true;
  bool Fact = Value != Negated;
  if (const bool *Known = D.Conds.find(Key))
    return *Known == Fact;
  // A fact no later branch tests again would only split paths for nothing;
  // a helper's parameters are tested again by its callers (FrameClears.cpp).
  auto Tests = CondTests.find(Key);
  if ((Tests != CondTests.end() && Tests->second > 1) ||
      (ClearsMode && ParamKeys.count(Key)))
    D.Conds[Key] = Fact;
  return true;
}

void FunctionAnalysis::noteTested(unsigned Key, unsigned BlockRank) {
  if (LastTestRank.size() <= Key)
    LastTestRank.resize(Key + 1, ~0u);
  unsigned &Last = LastTestRank[Key];
  if (Last == ~0u || Last < BlockRank)
    Last = BlockRank;
}

void FunctionAnalysis::countTests(const Expr *Cond, unsigned BlockRank) {
  Cond = Cond->IgnoreParenImpCasts();
  if (const auto *UO = dyn_cast<UnaryOperator>(Cond))
    if (UO->getOpcode() == UO_LNot)
      return countTests(UO->getSubExpr(), BlockRank);
  if (const auto *BO = dyn_cast<BinaryOperator>(Cond))
    if (BO->isLogicalOp()) {
      countTests(BO->getLHS(), BlockRank);
      countTests(BO->getRHS(), BlockRank);
      return;
    }
  bool Negated = false;
  unsigned Key = condKey(Cond, Negated);
  if (Key == NoCond)
    return;
  ++CondTests[Key];
  noteTested(Key, BlockRank);
}

void FunctionAnalysis::noteSwitchTested(const SwitchStmt *SS,
                                        unsigned BlockRank) {
  bool Negated = false;
  unsigned Key = condKey(SS->getCond(), Negated);
  if (Key == NoCond || Negated)
    return;
  for (const SwitchCase *SC = SS->getSwitchCaseList(); SC;
       SC = SC->getNextSwitchCase()) {
    int64_t V;
    if (caseValue(SC, Ctx, V))
      noteTested(caseKey(Key, V), BlockRank);
  }
}

void FunctionAnalysis::forgetConds(const ValueDecl *V, Disjunct &D) {
  if (D.Conds.empty())
    return;
  D.Conds.eraseIf([&](const std::pair<unsigned, bool> &C) {
    return llvm::is_contained(CondVarsOf[C.first], V);
  });
}

/// The value a (possibly comma-separated) expression yields: `(begin(), 0)`
/// in scope macros is 0.
static const Expr *yieldedValue(const Expr *E) {
  E = E->IgnoreParenImpCasts();
  while (const auto *BO = dyn_cast<BinaryOperator>(E)) {
    if (BO->getOpcode() != BO_Comma)
      break;
    E = BO->getRHS()->IgnoreParenImpCasts();
  }
  return E;
}

void FunctionAnalysis::recordConstantAssign(unsigned Key, const Expr *RHS,
                                            Disjunct &D) {
  if (Key == NoCond)
    return;
  // Only a condition some branch tests can correlate anything: the variable
  // itself (`if (opened)`) or one of its values (`switch (state)`,
  // `if (state == LOADING)`).
  bool Tested = CondTests.count(Key);
  auto FirstCase = CaseKeys.lower_bound({Key, INT64_MIN});
  bool HasCases = FirstCase != CaseKeys.end() && FirstCase->first.first == Key;
  if (!Tested && !HasCases)
    return;
  RHS = yieldedValue(RHS);
  if (RHS->isValueDependent())
    return;
  Expr::EvalResult R;
  if (RHS->getType()->isIntegralOrEnumerationType() &&
      RHS->EvaluateAsInt(R, Ctx)) {
    const llvm::APSInt &V = R.Val.getInt();
    if (Tested)
      D.Conds[Key] = V.getBoolValue();
    // `state = DECODING` decides every later `case` of a switch on state, so
    // a state machine that begins in one state and ends in a later one,
    // across loop iterations, keeps its paths apart.
    if (V.getMinSignedBits() > 64)
      return;
    int64_t Value = V.getExtValue();
    for (auto It = FirstCase; It != CaseKeys.end() && It->first.first == Key;
         ++It)
      if (CondTests.count(It->second))
        D.Conds[It->second] = It->first.second == Value;
    return;
  }
  if (Tested && RHS->getType()->isPointerType() && isZero(RHS, Ctx))
    D.Conds[Key] = false;
}

} // namespace clang::tidy::framealloc

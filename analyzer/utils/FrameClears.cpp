// SPDX-License-Identifier: MIT
//===--- FrameClears.cpp - framealloc-tidy --------------------------------===//
//
// Helper clears: the slots a same-file function sets to null (or zeroes) on
// every path, so that a caller's frame memory stored there does not outlive
// the frame when the caller calls it before returning (`reset_cache();`,
// `clear_scene(s);`, `memset(&g_ctx, 0, sizeof g_ctx)`).
//
// The helper is run through the same analysis as any function, with every
// candidate slot (a global, or a field below a pointer parameter or `this`)
// holding a marker at entry: a slot whose marker reaches no exit is cleared
// on every path, with the null edge of a test (`if (g.p) g.p = NULL;`)
// counting as a clear, and the helpers it calls applying their own clears.
// A clear on some paths only is a must-clear question: it counts only when
// the other paths are ruled out at the call, and the only such paths this
// knows are those decided by a parameter (`if (c) g = NULL;` called with
// c = 1, or with a flag the caller knows is set). Any other path that may
// leave the slot set keeps the caller's report.
//
//===----------------------------------------------------------------------===//

#include "FrameTransfer.h"
#include "clang/Basic/Builtins.h"
#include "clang/Basic/SourceManager.h"

namespace clang::tidy::framealloc {

/// Helpers whose clears are being computed at once (a chain of calls).
static constexpr unsigned MaxClearsNesting = 4;

const std::vector<ClearedPath> &
FrameAnalyzer::clears(const FunctionDecl *Callee) {
  static const std::vector<ClearedPath> None;
  const FunctionDecl *Def = nullptr;
  if (!Callee->hasBody(Def) || !Def || Def->isDependentContext())
    return None;
  auto It = Clears.find(Def);
  if (It != Clears.end())
    return It->second;
  if (ClearsInProgress.count(Def) ||
      ClearsInProgress.size() >= MaxClearsNesting)
    return None;
  std::vector<ClearedPath> Out;
  if (!Ctx.getSourceManager().isInSystemHeader(Def->getLocation()) &&
      !Index.callee(Def).NoAnalysis && !Index.callee(Def).changesFrames()) {
    ClearsInProgress.insert(Def);
    FunctionResult Scratch;
    FunctionAnalysis(*this, Def, Scratch).collectClears(Out);
    ClearsInProgress.erase(Def);
  }
  return Clears[Def] = std::move(Out);
}

/// memset(p, 0, n), bzero(p, n): the destination and the byte count.
static bool zeroingCall(const CallExpr *CE, const ASTContext &Ctx,
                        const Expr *&Dst, const Expr *&Size) {
  const FunctionDecl *Callee = CE->getDirectCallee();
  if (!Callee)
    return false;
  unsigned Id = Callee->getBuiltinID();
  const Expr *Val = nullptr;
  if ((Id == Builtin::BImemset || Id == Builtin::BI__builtin_memset ||
       Id == Builtin::BI__builtin___memset_chk) &&
      CE->getNumArgs() >= 3) {
    Val = CE->getArg(1);
    Size = CE->getArg(2);
  } else if (Id == Builtin::BIbzero && CE->getNumArgs() == 2) {
    Size = CE->getArg(1);
  } else {
    return false;
  }
  Expr::EvalResult R;
  if (Val && (Val->isValueDependent() || !Val->EvaluateAsInt(R, Ctx) ||
              R.Val.getInt() != 0))
    return false;
  Dst = CE->getArg(0);
  return true;
}

bool FunctionAnalysis::handleZeroing(const CallExpr *CE, Disjunct &D) {
  const Expr *Dst = nullptr, *Size = nullptr;
  if (!zeroingCall(CE, Ctx, Dst, Size))
    return false;
  // The object the destination names: `&g` is g, an array is all of it,
  // `p` is *p. Only a count that covers it clears all of it.
  const Expr *E = Dst->IgnoreParenCasts();
  QualType T;
  if (const auto *UO = dyn_cast<UnaryOperator>(E);
      UO && UO->getOpcode() == UO_AddrOf)
    T = UO->getSubExpr()->getType();
  else if (E->getType()->isArrayType())
    T = E->getType();
  else if (E->getType()->isPointerType())
    T = E->getType()->getPointeeType();
  Expr::EvalResult R;
  if (T.isNull() || T->isIncompleteType() || !T->isConstantSizeType() ||
      Size->isValueDependent() || !Size->EvaluateAsInt(R, Ctx) ||
      R.Val.getInt().getZExtValue() <
          static_cast<uint64_t>(Ctx.getTypeSizeInChars(T).getQuantity()))
    return true;
  PathId P = pointeePath(Dst);
  if (P != NoPath) {
    forgetConds(Paths[P].Base, D);
    clearPath(P, D);
  }
  return true;
}

bool FunctionAnalysis::knownTruth(const Expr *Arg, const Disjunct &D,
                                  bool &Truth) {
  if (Arg->isValueDependent())
    return false;
  Expr::EvalResult R;
  if (Arg->getType()->isIntegralOrEnumerationType() &&
      Arg->EvaluateAsInt(R, Ctx)) {
    Truth = R.Val.getInt().getBoolValue();
    return true;
  }
  if (Arg->getType()->isPointerType() &&
      Arg->isNullPointerConstant(Ctx, Expr::NPC_ValueDependentIsNotNull) !=
          Expr::NPCK_NotNull) {
    Truth = false;
    return true;
  }
  bool Negated = false;
  unsigned Key = condKey(Arg, Negated);
  const bool *Known = Key == NoCond ? nullptr : D.Conds.find(Key);
  if (!Known)
    return false;
  Truth = *Known != Negated;
  return true;
}

PathId FunctionAnalysis::clearedSlot(const CallExpr *CE,
                                     const FunctionDecl *Callee,
                                     const ClearedPath &C) {
  PathId P = NoPath;
  unsigned First = 1;
  switch (C.Root) {
  case ClearedPath::GlobalRoot:
    P = Paths.root(C.Global);
    First = 0;
    break;
  case ClearedPath::ThisRoot: {
    const auto *MC = dyn_cast<CXXMemberCallExpr>(CE);
    const Expr *Obj = MC ? MC->getImplicitObjectArgument() : nullptr;
    if (!Obj)
      return NoPath;
    P = Obj->getType()->isPointerType() ? pointeePath(Obj) : lvaluePath(Obj);
    break;
  }
  case ClearedPath::ParamRoot: {
    if (C.Param >= CE->getNumArgs() || C.Param >= Callee->getNumParams())
      return NoPath;
    const Expr *Arg = CE->getArg(C.Param);
    P = Callee->getParamDecl(C.Param)->getType()->isReferenceType()
            ? lvaluePath(Arg)
            : pointeePath(Arg);
    break;
  }
  }
  for (unsigned I = First; P != NoPath && I < C.Elems.size(); ++I)
    P = Paths.child(P, C.Elems[I]);
  return P;
}

void FunctionAnalysis::applyClears(const CallExpr *CE,
                                   const FunctionDecl *Callee, Disjunct &D) {
  if (D.Vals.empty() || isa<CXXOperatorCallExpr>(CE))
    return;
  for (const ClearedPath &C : Analyzer.clears(Callee)) {
    // A path of the helper that may leave the slot set must be ruled out
    // by what this path knows of the arguments.
    bool RuledOut = llvm::all_of(C.Unless, [&](const auto &U) {
      bool Truth = false;
      return U.first < CE->getNumArgs() &&
             knownTruth(CE->getArg(U.first), D, Truth) && Truth != U.second;
    });
    if (!RuledOut)
      continue;
    PathId P = clearedSlot(CE, Callee, C);
    if (P != NoPath)
      clearPath(P, D);
  }
}

bool FunctionAnalysis::describeSlot(PathId P, ClearedPath &C) {
  llvm::SmallVector<PathId, 4> Chain;
  for (PathId Q = P; Q != NoPath; Q = Paths[Q].Parent)
    Chain.insert(Chain.begin(), Q);
  const ValueDecl *Base = Paths[P].Base;
  for (unsigned I = 1; I < Chain.size(); ++I)
    C.Elems.push_back(Paths[Chain[I]].Field);
  if (Base == FD) {
    C.Root = ClearedPath::ThisRoot;
    return !C.Elems.empty() && !C.Elems.front();
  }
  if (const auto *PVD = dyn_cast<ParmVarDecl>(Base)) {
    if (PVD->getDeclContext() != FD || C.Elems.empty() || C.Elems.front())
      return false;
    C.Root = ClearedPath::ParamRoot;
    C.Param = PVD->getFunctionScopeIndex();
    return true;
  }
  const auto *VD = dyn_cast<VarDecl>(Base);
  if (!VD || !VD->hasGlobalStorage() || VD->isStaticLocal())
    return false;
  C.Root = ClearedPath::GlobalRoot;
  C.Global = VD;
  return true;
}

void FunctionAnalysis::collectClears(std::vector<ClearedPath> &Out) {
  if (!FD->hasBody() || FD->isDependentContext())
    return;
  // Candidates: slots set to null or reassigned as a whole, zeroed, or
  // cleared by a helper this one calls. Each gets its own marker.
  llvm::DenseMap<PathId, OriginId> Seeded;
  auto Candidate = [&](PathId P, const Expr *Site) {
    ClearedPath C;
    if (P == NoPath || Seeded.count(P) || !describeSlot(P, C))
      return;
    OriginId O = Origins.unique(Site, Site);
    Seeded[P] = O;
    Seeds.emplace_back(P, O);
  };
  llvm::SmallVector<const Stmt *, 64> Work{FD->getBody()};
  while (!Work.empty()) {
    const Stmt *S = Work.pop_back_val();
    pushChildren(S, Work);
    if (const auto *BO = dyn_cast<BinaryOperator>(S)) {
      QualType T = BO->getLHS()->getType();
      if (BO->getOpcode() == BO_Assign &&
          (T->isRecordType() ||
           (T->isPointerType() &&
            BO->getRHS()->isNullPointerConstant(
                Ctx, Expr::NPC_ValueDependentIsNotNull) !=
                Expr::NPCK_NotNull)))
        Candidate(lvaluePath(BO->getLHS()), BO->getLHS());
      continue;
    }
    const auto *CE = dyn_cast<CallExpr>(S);
    if (!CE)
      continue;
    if (const auto *OC = dyn_cast<CXXOperatorCallExpr>(CE)) {
      if (OC->getOperator() == OO_Equal && OC->getNumArgs() == 2 &&
          OC->getArg(0)->getType()->isRecordType())
        Candidate(lvaluePath(OC->getArg(0)), OC->getArg(0));
      continue;
    }
    const Expr *Dst = nullptr, *Size = nullptr;
    if (zeroingCall(CE, Ctx, Dst, Size)) {
      Candidate(pointeePath(Dst), Dst);
      continue;
    }
    const FunctionDecl *Callee = CE->getDirectCallee();
    if (!Callee || Callee == FD)
      continue;
    for (const ClearedPath &C : Analyzer.clears(Callee))
      Candidate(clearedSlot(CE, Callee, C), CE);
  }
  if (Seeds.empty())
    return;

  ClearsMode = true;
  for (const ParmVarDecl *PVD : FD->parameters())
    ParamKeys[varCondKey(PVD)] = PVD->getFunctionScopeIndex();
  scanStructure();
  CFG::BuildOptions BO;
  BO.setAllAlwaysAdd();
  BO.AddImplicitDtors = Ctx.getLangOpts().CPlusPlus;
  Cfg = CFG::buildCFG(FD, FD->getBody(), &Ctx, BO);
  if (!Cfg || !solve())
    return;
  const FlowState &Exit = In[Cfg->getExit().getBlockID()];
  for (const auto &Seed : Seeds) {
    ClearedPath C;
    describeSlot(Seed.first, C);
    bool Cleared = true;
    for (const Disjunct &D : Exit.Disjuncts) {
      if (!llvm::is_contained(heldBy(Seed.first, D, /*ThroughDeref=*/false),
                              Seed.second))
        continue;
      // Left set on this path: only a parameter's value can rule it out.
      auto Fact = llvm::find_if(D.Conds, [this](const auto &F) {
        return ParamKeys.count(F.first) != 0;
      });
      if (Fact == D.Conds.end()) {
        Cleared = false;
        break;
      }
      std::pair<unsigned, bool> U(ParamKeys[Fact->first], Fact->second);
      if (!llvm::is_contained(C.Unless, U))
        C.Unless.push_back(U);
    }
    if (Cleared)
      Out.push_back(std::move(C));
  }
}

} // namespace clang::tidy::framealloc

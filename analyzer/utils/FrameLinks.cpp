// SPDX-License-Identifier: MIT
//===--- FrameLinks.cpp - framealloc-tidy ---------------------------------===//
//
// Facts about pointer values that the origins alone do not carry, followed
// along the paths: which slots link a node held by a local pointer (so that
// unlinking the node before it matters counts), and which slots hold a copy
// of another slot's pointer (so that finding one null makes the others null).
//
//===----------------------------------------------------------------------===//

#include "FrameTransfer.h"

namespace clang::tidy::framealloc {

/// An lvalue naming one object by variables, fields and dereferences only:
/// array elements collapse into their array, so a fact about one element
/// would be a fact about all of them.
static bool isExactLValue(const Expr *E) {
  while (true) {
    E = E->IgnoreParens();
    if (isa<DeclRefExpr>(E))
      return true;
    if (const auto *ME = dyn_cast<MemberExpr>(E)) {
      E = ME->getBase();
      continue;
    }
    if (const auto *UO = dyn_cast<UnaryOperator>(E)) {
      if (UO->getOpcode() != UO_Deref)
        return false;
      E = UO->getSubExpr();
      continue;
    }
    if (const auto *IC = dyn_cast<ImplicitCastExpr>(E)) {
      if (IC->getCastKind() != CK_LValueToRValue && IC->getCastKind() != CK_NoOp)
        return false;
      E = IC->getSubExpr();
      continue;
    }
    return false;
  }
}

SmallSet<const ValueDecl *> FunctionAnalysis::linksOf(const Expr *E,
                                                      const Disjunct &D) {
  SmallSet<const ValueDecl *> Out;
  E = E->IgnoreParenCasts();
  if (const auto *CO = dyn_cast<AbstractConditionalOperator>(E)) {
    Out = linksOf(CO->getTrueExpr(), D);
    setUnion(Out, linksOf(CO->getFalseExpr(), D));
    return Out;
  }
  if (const auto *BO = dyn_cast<BinaryOperator>(E)) {
    if (BO->getOpcode() == BO_Comma || BO->isAssignmentOp())
      return linksOf(BO->getRHS(), D);
    return Out;
  }
  if (!E->isGLValue() || !E->getType()->isPointerType())
    return Out;
  PathId Q = lvaluePath(E);
  if (Q == NoPath)
    return Out;
  if (const SmallSet<const ValueDecl *> *L = D.Links.find(Q))
    Out = *L;
  // A local pointer's value is its node.
  if (const auto *DRE = dyn_cast<DeclRefExpr>(E))
    if (const auto *VD = dyn_cast<VarDecl>(DRE->getDecl()))
      if (VD->hasLocalStorage() && !isa<ParmVarDecl>(VD))
        setInsert(Out, static_cast<const ValueDecl *>(VD));
  return Out;
}

void FunctionAnalysis::noteLinkAndCopy(PathId P, const Expr *Value, bool Weak,
                                       Disjunct &D) {
  if (!Value || !Value->getType()->isPointerType())
    return;
  SmallSet<const ValueDecl *> L = linksOf(Value, D);
  if (!L.empty())
    setUnion(D.Links[P], L);
  if (Weak || D.Vals.empty())
    return;
  // Copies matter only for what a later null test can take away.
  const Expr *Src = Value->IgnoreParenCasts();
  if (!Src->isGLValue() || !Src->getType()->isPointerType() ||
      !isExactLValue(Src))
    return;
  PathId Q = lvaluePath(Src);
  if (Q == NoPath || Q == P || Paths[Q].Depth >= PathTable::MaxDepth ||
      Paths[P].Depth >= PathTable::MaxDepth)
    return;
  if (const PathId *Orig = D.Copies.find(Q))
    Q = *Orig;
  if (Q != P)
    D.Copies[P] = Q;
}

void FunctionAnalysis::forgetCopies(PathId P, Disjunct &D) {
  if (D.Copies.empty())
    return;
  D.Copies.eraseIf([&](const std::pair<PathId, PathId> &E) {
    return Paths.isPrefix(P, E.first, /*ThroughDeref=*/true) ||
           Paths.isPrefix(P, E.second, /*ThroughDeref=*/true);
  });
}

void FunctionAnalysis::assumeNull(const Expr *LValue, PathId P,
                                  Disjunct &D) {
  // `g_slot.path = p; if (p) retain(&g_slot.path);`: on the null side the
  // slot holds what p does, null.
  llvm::SmallVector<PathId, 4> Null;
  if (!D.Copies.empty() && isExactLValue(LValue) &&
      Paths[P].Depth < PathTable::MaxDepth) {
    PathId Orig = P;
    if (const PathId *O = D.Copies.find(P))
      Orig = *O;
    if (Orig != P)
      Null.push_back(Orig);
    for (const auto &E : D.Copies)
      if (E.second == Orig && E.first != P)
        Null.push_back(E.first);
  }
  clearPath(P, D);
  for (PathId X : Null)
    clearPath(X, D);
}

bool FunctionAnalysis::unlinkedNode(PathId P, const Disjunct &D) {
  slotKind(P); // computes LinkedOnly
  if (LinkedOnly.empty())
    return false;
  PathId Root = Paths.pointerRoot(P);
  if (Root == NoPath || Paths[Root].Parent != NoPath)
    return false;
  const auto *VD = dyn_cast<VarDecl>(Paths[Root].Base);
  if (!VD || !LinkedOnly.count(VD) ||
      Index.isLongLivedType(VD->getType()->getPointeeType()))
    return false;
  // A long-lived field outlives the frame whatever holds it.
  for (PathId Q = P; Q != NoPath; Q = Paths[Q].Parent)
    if (const FieldDecl *F = Paths[Q].Field)
      if (Index.isLongLived(F) || Index.isLongLivedRecord(F->getParent()))
        return false;
  // A node in the frame dies with what it holds; the link that keeps it is
  // the escape, reported at the link.
  if (const OriginSet *Node = D.Vals.find(Root))
    if (firstDead(*Node) != NoOrigin)
      return true;
  for (const auto &E : D.Links) {
    if (!llvm::is_contained(E.second, static_cast<const ValueDecl *>(VD)))
      continue;
    const PathInfo &I = Paths[E.first];
    const auto *Holder = dyn_cast<VarDecl>(I.Base);
    bool LocalVar =
        I.Parent == NoPath && Holder && Holder->hasLocalStorage();
    if (!LocalVar)
      return false;
  }
  return true;
}

void FunctionAnalysis::noteLinkedNode(Finding &F, PathId P,
                                      const Disjunct &D) {
  const auto *Linked = D.Links.find(P);
  if (!Linked)
    return;
  for (const ValueDecl *Node : *Linked) {
    const auto *VD = dyn_cast<VarDecl>(Node);
    if (!VD || !LinkedOnly.count(VD))
      continue;
    PathId Root = Paths.root(VD);
    for (const auto &S : D.Stores) {
      if (S.second.empty() || Paths.pointerRoot(S.first) != Root)
        continue;
      Message M;
      M.Loc = loc(S.second.front());
      M.Format = "the linked node also points to frame memory through '%0', "
                 "stored here";
      M.Args = {pathName(S.first)};
      F.Notes.push_back(M);
      return;
    }
  }
}

} // namespace clang::tidy::framealloc

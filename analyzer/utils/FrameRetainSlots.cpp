// SPDX-License-Identifier: MIT
//===--- FrameRetainSlots.cpp - framealloc-tidy ---------------------------===//
//
// Retain slots that die before the retained copy is written into them: a
// local of an inner block whose frame scope ends after the block, and a
// local declared after the scope guard whose destructor ends the scope
// (destroyed first, in reverse order of declaration). Locals of the function
// itself are checked when it returns (FrameExit.cpp).
//
//===----------------------------------------------------------------------===//

#include "FrameTransfer.h"
#include "clang/AST/ParentMapContext.h"
#include "clang/Basic/SourceManager.h"

namespace clang::tidy::framealloc {

/// Whether \p S contains a call that ends frames.
static bool containsEnd(const Stmt *S, AnnotationIndex &Index) {
  if (!S)
    return false;
  if (const auto *CE = dyn_cast<CallExpr>(S))
    if (const FunctionDecl *Callee = CE->getDirectCallee())
      if (Index.callee(Callee).Ends)
        return true;
  for (const Stmt *Child : S->children())
    if (containsEnd(Child, Index))
      return true;
  return false;
}

/// The statement whose end ends a local's life: the block holding its
/// declaration (or the loop or `if` declaring it).
static const Stmt *lifetimeBlock(const VarDecl *VD, ASTContext &Ctx) {
  auto Parents = Ctx.getParents(*VD);
  const auto *DS = Parents.empty() ? nullptr : Parents[0].get<DeclStmt>();
  if (!DS)
    return nullptr;
  auto Up = Ctx.getParents(*DS);
  return Up.empty() ? nullptr : Up[0].get<Stmt>();
}

void FunctionAnalysis::checkSlotsAfterGuard(const VarDecl *Guard,
                                            const Disjunct &D) {
  if (!Guard)
    return;
  const Stmt *GuardBlock = lifetimeBlock(Guard, Ctx);
  const SourceManager &SM = Ctx.getSourceManager();
  for (const auto &R : D.Retained) {
    PathId Slot = R.first;
    if (Paths[Slot].Parent != NoPath)
      continue;
    const auto *VD = dyn_cast<VarDecl>(Paths[Slot].Base);
    if (!VD || VD == Guard || !VD->hasLocalStorage() || isa<ParmVarDecl>(VD) ||
        !SM.isBeforeInTranslationUnit(Guard->getLocation(),
                                      VD->getLocation()) ||
        lifetimeBlock(VD, Ctx) != GuardBlock)
      continue;
    Finding F{FindingKind::Escape, {}, {}};
    F.Warning.Loc = loc(R.second.second);
    F.Warning.Format = "retain slot '%0' is declared after the scope guard "
                       "'%1' and dies before its destructor ends the frame "
                       "scope, when the retained copy is written into it";
    F.Warning.Args = {VD->getNameAsString(), Guard->getNameAsString()};
    Message G;
    G.Loc = loc(Guard->getLocation());
    G.Format = "'%0' is destroyed after '%1', in reverse order of declaration";
    G.Args = {Guard->getNameAsString(), VD->getNameAsString()};
    F.Notes.push_back(G);
    addFinding(std::move(F));
  }
}

void FunctionAnalysis::checkBlockLocalSlot(const CallExpr *CE, PathId Slot,
                                           const Expr *Scope) {
  if (Paths[Slot].Parent != NoPath)
    return;
  const auto *VD = dyn_cast<VarDecl>(Paths[Slot].Base);
  if (!VD || !VD->hasLocalStorage() || isa<ParmVarDecl>(VD))
    return;
  const Stmt *Block = lifetimeBlock(VD, Ctx);
  if (!Block || Block == FD->getBody())
    return; // function-level locals: checked when the function returns
  const SourceManager &SM = Ctx.getSourceManager();
  auto Within = [&](SourceLocation L) {
    SourceRange R = Block->getSourceRange();
    return L.isValid() && !SM.isBeforeInTranslationUnit(L, R.getBegin()) &&
           !SM.isBeforeInTranslationUnit(R.getEnd(), L);
  };
  // A scope begun inside the block, or ended inside it, closes in time.
  if ((Scope && Within(Scope->getBeginLoc())) || containsEnd(Block, Index))
    return;
  Finding F{FindingKind::Escape, {}, {}};
  F.Warning.Loc = loc(CE);
  F.Warning.Format = "retain slot '%0' is a local of an inner block and dies "
                     "before the frame scope ends, when the retained copy is "
                     "written into it";
  F.Warning.Args = {VD->getNameAsString()};
  Message Out;
  Out.Loc = loc(Block->getEndLoc());
  Out.Format = "'%0' goes out of scope here";
  Out.Args = {VD->getNameAsString()};
  F.Notes.push_back(Out);
  addFinding(std::move(F));
}

} // namespace clang::tidy::framealloc

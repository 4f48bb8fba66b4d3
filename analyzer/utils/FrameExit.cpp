// SPDX-License-Identifier: MIT
//===--- FrameExit.cpp - framealloc-tidy ----------------------------------===//
//
// The checks at function exit (frames left open, outliving slots still
// pointing into ended frames, pending retentions) and the findings' notes,
// fix-its and deduplication.
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
    // A node no longer linked into anything outliving (or dying with the
    // frame itself) keeps its fields to itself.
    if (Paths[Entry.first].HasDeref && unlinkedNode(Entry.first, D))
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
    const auto *PVD = dyn_cast<ParmVarDecl>(Paths[Root].Base);
    if (!PVD)
      continue;
    unsigned Param = PVD->getFunctionScopeIndex();
    setInsert(Result.Summary.FilledParams, Param);
    ClearedPath Filled;
    Filled.Param = Param;
    for (PathId Q = Entry.first; Q != Root; Q = Paths[Q].Parent)
      Filled.Elems.insert(Filled.Elems.begin(), Paths[Q].Field);
    auto &Fields = Result.Summary.FilledFields;
    if (llvm::none_of(Fields, [&](const ClearedPath &C) {
          return C.Param == Param && C.Elems == Filled.Elems;
        }))
      Fields.push_back(std::move(Filled));
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
  // `p->f` through a class's operator->: the source range of the call is
  // `p->`; name the object.
  if (const auto *OC = dyn_cast<CXXOperatorCallExpr>(E->IgnoreImpCasts()))
    if (OC->getOperator() == OO_Arrow && OC->getNumArgs() == 1)
      return spelling(OC->getArg(0));
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

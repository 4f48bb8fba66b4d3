// SPDX-License-Identifier: MIT
//===--- FrameEffects.cpp - framealloc-tidy -------------------------------===//
//
// Thread hand-offs of frame memory at a call, and helper effects: what a
// same-file function does with its pointer parameters that makes frame memory
// passed there outlive its frame (a store into a global, a static or a
// long-lived object) or leave its thread. Callers get the escape or crossing
// at the call, with notes down to the store.
//
// The scan is flow-insensitive over the helper's body, like the summaries of
// filled parameters: a store counts unless a later top-level statement of the
// body assigns the same slot again (`g_ctx = c; draw(); g_ctx = NULL;` sets a
// context for the duration of the call). Helpers called with the parameter
// pass their effects on, to a bounded depth; recursion cuts the chain.
//
// Also where callers apply the summaries of the helpers they call: the
// fields a helper fills, and what a returned object's fields and pointers
// hold.
//
//===----------------------------------------------------------------------===//

#include "FrameTransfer.h"
#include "clang/AST/DeclCXX.h"
#include "clang/AST/ExprCXX.h"
#include "clang/Basic/SourceManager.h"

namespace clang::tidy::framealloc {

/// Helpers whose effects are being computed at once (a chain of calls).
static constexpr unsigned MaxEffectNesting = 4;
/// Trail notes kept per effect (calls passing the parameter on, the store).
static constexpr unsigned MaxTrail = 4;

const std::vector<ParamEffect> &
FrameAnalyzer::effects(const FunctionDecl *Callee) {
  static const std::vector<ParamEffect> None;
  const FunctionDecl *Def = nullptr;
  if (!Callee->hasBody(Def) || !Def || Def->isDependentContext())
    return None;
  auto It = Effects.find(Def);
  if (It != Effects.end())
    return It->second;
  if (EffectsInProgress.count(Def) ||
      EffectsInProgress.size() >= MaxEffectNesting)
    return None;
  std::vector<ParamEffect> Out;
  if (!Ctx.getSourceManager().isInSystemHeader(Def->getLocation()) &&
      !Index.callee(Def).NoAnalysis) {
    EffectsInProgress.insert(Def);
    FunctionResult Scratch;
    FunctionAnalysis(*this, Def, Scratch).collectEffects(Out);
    EffectsInProgress.erase(Def);
  }
  return Effects[Def] = std::move(Out);
}

/// A parameter whose value can carry an address: a pointer, or an integer
/// as wide as one (a handle made with `(uintptr_t)p`).
static bool carriesAddress(const ParmVarDecl *P, const ASTContext &Ctx) {
  QualType T = P->getType();
  if (T->isPointerType())
    return true;
  return T->isIntegerType() && !T->isBooleanType() &&
         Ctx.getTypeSize(T) == Ctx.getTypeSize(Ctx.VoidPtrTy);
}

namespace {
/// Which parameter's value an expression is (through casts, offsets and
/// local copies), if any.
struct ParamValues {
  ParamValues(const FunctionDecl *FD, const ASTContext &Ctx)
      : FD(FD), Ctx(Ctx) {}
  const FunctionDecl *FD;
  const ASTContext &Ctx;
  llvm::DenseMap<const VarDecl *, unsigned> Aliases;

  int of(const Expr *E) const {
    if (!E)
      return -1;
    E = E->IgnoreParenCasts();
    if (const auto *DRE = dyn_cast<DeclRefExpr>(E)) {
      if (const auto *P = dyn_cast<ParmVarDecl>(DRE->getDecl()))
        return P->getDeclContext() == FD && carriesAddress(P, Ctx)
                   ? static_cast<int>(P->getFunctionScopeIndex())
                   : -1;
      if (const auto *VD = dyn_cast<VarDecl>(DRE->getDecl())) {
        auto It = Aliases.find(VD);
        return It == Aliases.end() ? -1 : static_cast<int>(It->second);
      }
      return -1;
    }
    if (const auto *BO = dyn_cast<BinaryOperator>(E)) {
      if (BO->isAdditiveOp() && BO->getType()->isPointerType())
        return of(BO->getLHS()->getType()->isPointerType() ? BO->getLHS()
                                                           : BO->getRHS());
      if (BO->getOpcode() == BO_Comma)
        return of(BO->getRHS());
      return -1;
    }
    if (const auto *CO = dyn_cast<AbstractConditionalOperator>(E)) {
      int T = of(CO->getTrueExpr());
      return T >= 0 ? T : of(CO->getFalseExpr());
    }
    if (const auto *UO = dyn_cast<UnaryOperator>(E))
      if (UO->getOpcode() == UO_AddrOf)
        if (const auto *AS =
                dyn_cast<ArraySubscriptExpr>(UO->getSubExpr()->IgnoreParens()))
          if (AS->getBase()->getType()->isPointerType())
            return of(AS->getBase());
    return -1;
  }
};
} // namespace

/// Calls children of \p S into \p Work, skipping nested function bodies.
static void pushBodyChildren(const Stmt *S,
                             llvm::SmallVectorImpl<const Stmt *> &Work) {
  if (const auto *LE = dyn_cast<LambdaExpr>(S)) {
    for (const Expr *Init : LE->capture_inits())
      if (Init)
        Work.push_back(Init);
    return;
  }
  if (isa<BlockExpr>(S))
    return;
  for (const Stmt *Child : S->children())
    if (Child)
      Work.push_back(Child);
}

void FunctionAnalysis::collectEffects(std::vector<ParamEffect> &Out) {
  const auto *Body = dyn_cast_or_null<CompoundStmt>(FD->getBody());
  if (!Body)
    return;
  bool AnyParam = llvm::any_of(FD->parameters(), [this](const ParmVarDecl *P) {
    return carriesAddress(P, Ctx);
  });
  if (!AnyParam)
    return;

  ParamValues Values(FD, Ctx);
  // Local copies of parameters (`node *n = p;`, `uintptr_t h = (uintptr_t)p;`)
  // settle in a few rounds.
  llvm::SmallVector<std::pair<const VarDecl *, const Expr *>, 8> Copies;
  {
    llvm::SmallVector<const Stmt *, 64> Work;
    Work.push_back(Body);
    while (!Work.empty()) {
      const Stmt *S = Work.pop_back_val();
      if (const auto *BO = dyn_cast<BinaryOperator>(S)) {
        if (BO->getOpcode() == BO_Assign)
          if (const auto *DRE =
                  dyn_cast<DeclRefExpr>(BO->getLHS()->IgnoreParenImpCasts()))
            if (const auto *VD = dyn_cast<VarDecl>(DRE->getDecl()))
              if (VD->hasLocalStorage() && !isa<ParmVarDecl>(VD))
                Copies.emplace_back(VD, BO->getRHS());
      } else if (const auto *DS = dyn_cast<DeclStmt>(S)) {
        for (const Decl *Dl : DS->decls())
          if (const auto *VD = dyn_cast<VarDecl>(Dl))
            if (VD->hasLocalStorage() && VD->getInit() &&
                !VD->getType()->isReferenceType())
              Copies.emplace_back(VD, VD->getInit());
      }
      pushBodyChildren(S, Work);
    }
  }
  for (unsigned Round = 0; Round < 3; ++Round) {
    bool Changed = false;
    for (const auto &C : Copies) {
      QualType T = C.first->getType();
      if (!T->isPointerType() && !T->isIntegerType())
        continue;
      int P = Values.of(C.second);
      if (P >= 0 && Values.Aliases.try_emplace(C.first, P).second)
        Changed = true;
    }
    if (!Changed)
      break;
  }

  auto NameOf = [this](unsigned Param) {
    const ParmVarDecl *P = FD->getParamDecl(Param);
    return P->getDeclName().isIdentifier() && !P->getName().empty()
               ? P->getName().str()
               : "parameter " + std::to_string(Param + 1);
  };
  auto Add = [&](ParamEffect::EffectKind Kind, unsigned Param,
                 std::string Target, Message Last,
                 llvm::ArrayRef<Message> Inner) {
    for (const ParamEffect &E : Out)
      if (E.Kind == Kind && E.Param == Param)
        return;
    ParamEffect E;
    E.Kind = Kind;
    E.Param = Param;
    E.Target = std::move(Target);
    E.Trail.push_back(std::move(Last));
    for (const Message &M : Inner)
      if (E.Trail.size() < MaxTrail)
        E.Trail.push_back(M);
    Out.push_back(std::move(E));
  };
  auto Crossing = [&](unsigned Param, const Expr *Arg, std::string Target) {
    Message M;
    M.Loc = loc(Arg);
    M.Format = "'%0' hands '%1' to another thread here";
    M.Args = {functionName(), NameOf(Param)};
    Add(ParamEffect::Crosses, Param, std::move(Target), std::move(M), {});
  };

  // Stores into long-lived slots, found per top-level statement so that a
  // later top-level reassignment of the slot can take them back.
  struct Candidate {
    unsigned Param;
    PathId Slot;
    const Stmt *Site;
    unsigned Top;
  };
  llvm::SmallVector<Candidate, 4> Stores;
  // A method's stores into members of its object, which may outlive the
  // frame depending on the object each caller names.
  PathId ThisObj =
      isa<CXXMethodDecl>(FD) && !cast<CXXMethodDecl>(FD)->isStatic()
          ? Paths.child(Paths.root(FD), nullptr)
          : NoPath;
  llvm::SmallVector<Candidate, 2> ThisStores;
  llvm::SmallVector<std::pair<PathId, unsigned>, 8> Reassigned;
  auto StoreTo = [&](PathId Slot, const Expr *RHS, const Stmt *Site,
                     unsigned Top) {
    int P = Values.of(RHS);
    if (P < 0 || Slot == NoPath)
      return;
    SlotKind K = slotKind(Slot);
    if (K == SlotKind::Global || K == SlotKind::LongLived)
      Stores.push_back({static_cast<unsigned>(P), Slot, Site, Top});
    else if (ThisObj != NoPath && Slot != ThisObj &&
             Paths.isPrefix(ThisObj, Slot, /*ThroughDeref=*/false))
      ThisStores.push_back({static_cast<unsigned>(P), Slot, Site, Top});
  };

  unsigned Top = 0;
  for (const Stmt *TopStmt : Body->body()) {
    ++Top;
    if (const auto *E = dyn_cast<Expr>(TopStmt)) {
      const auto *BO = dyn_cast<BinaryOperator>(E->IgnoreImplicit());
      if (BO && BO->getOpcode() == BO_Assign) {
        PathId Slot = lvaluePath(BO->getLHS());
        if (Slot != NoPath)
          Reassigned.emplace_back(Slot, Top);
      }
    }
    llvm::SmallVector<const Stmt *, 32> Work;
    Work.push_back(TopStmt);
    while (!Work.empty()) {
      const Stmt *S = Work.pop_back_val();
      pushBodyChildren(S, Work);
      if (const auto *BO = dyn_cast<BinaryOperator>(S)) {
        if (BO->getOpcode() == BO_Assign)
          StoreTo(lvaluePath(BO->getLHS()), BO->getRHS(), BO, Top);
        continue;
      }
      if (const auto *AE = dyn_cast<AtomicExpr>(S)) {
        bool ByPointer = false, MayFail = false;
        const Expr *Val = atomicStoredValue(AE, ByPointer, MayFail);
        if (Val && !ByPointer)
          StoreTo(pointeePath(AE->getPtr()), Val, AE, Top);
        continue;
      }
      if (const auto *MC = dyn_cast<CXXMemberCallExpr>(S)) {
        bool MayFail = false;
        if (const Expr *Val = atomicMemberStore(MC, MayFail)) {
          StoreTo(lvaluePath(MC->getImplicitObjectArgument()), Val, MC, Top);
          continue;
        }
        // `items_.push_back(p)`: the container keeps pointer elements.
        QualType Elem;
        if (isContainerInsert(MC, Elem) && keepsAddresses(Elem)) {
          for (const Expr *Arg : MC->arguments())
            StoreTo(lvaluePath(MC->getImplicitObjectArgument()), Arg, MC, Top);
          continue;
        }
      }
      if (const auto *CC = dyn_cast<CXXConstructExpr>(S)) {
        const CXXConstructorDecl *Ctor = CC->getConstructor();
        if (!Ctor)
          continue;
        bool Thread = isThreadClass(Ctor->getParent());
        for (unsigned I = 0, N = CC->getNumArgs(); I < N; ++I) {
          const Expr *Arg = CC->getArg(I);
          if (!Thread && !Index.crossesThread(Ctor, I, Arg->getType()))
            continue;
          std::string Target = Ctor->getParent()->getNameAsString();
          int P = Values.of(Arg);
          if (P >= 0) {
            Crossing(P, Arg, Target);
            continue;
          }
          // A closure capturing the parameter runs on the new thread.
          const auto *LE = dyn_cast<LambdaExpr>(stripCopies(Arg));
          if (!LE)
            continue;
          for (const Expr *Init : LE->capture_inits()) {
            int CP = Values.of(Init);
            if (CP >= 0)
              Crossing(CP, Arg, Target);
          }
        }
        continue;
      }
      const auto *CE = dyn_cast<CallExpr>(S);
      if (!CE)
        continue;
      const FunctionDecl *Callee = CE->getDirectCallee();
      if (!Callee) {
        llvm::SmallVector<unsigned, 2> Params;
        Index.crossingParamsOfPointer(CE->getCallee(), Params);
        for (unsigned I : Params) {
          int P = I < CE->getNumArgs() ? Values.of(CE->getArg(I)) : -1;
          if (P >= 0) {
            std::string Target = spelling(CE->getCallee());
            Crossing(P, CE->getArg(I),
                     Target.empty() ? "a function pointer" : Target);
          }
        }
        continue;
      }
      if (isa<CXXOperatorCallExpr>(CE))
        continue;
      std::string CalleeName = Callee->getNameAsString();
      for (unsigned I = 0, N = CE->getNumArgs(); I < N; ++I) {
        int P = Values.of(CE->getArg(I));
        if (P < 0)
          continue;
        if (Index.crossesThread(Callee, I, CE->getArg(I)->getType())) {
          Crossing(P, CE->getArg(I), CalleeName);
          continue;
        }
        // A helper of this file that stores or hands on its parameter.
        for (const ParamEffect &Inner : Analyzer.effects(Callee)) {
          if (Inner.Param != I || Inner.Trail.size() >= MaxTrail ||
              Inner.IntoThis)
            continue;
          Message M;
          M.Loc = loc(CE->getArg(I));
          M.Format = "'%0' passes '%1' to '%2' here";
          M.Args = {functionName(), NameOf(P), CalleeName};
          Add(Inner.Kind, P, Inner.Target, std::move(M), Inner.Trail);
        }
      }
    }
  }

  for (const Candidate &C : Stores) {
    bool TakenBack = llvm::any_of(Reassigned, [&C](const auto &R) {
      return R.first == C.Slot && R.second > C.Top;
    });
    if (TakenBack)
      continue;
    std::string Target = slotDescription(C.Slot);
    Message M;
    M.Loc = loc(C.Site);
    M.Format = "'%0' stores '%1' in %2 here";
    M.Args = {functionName(), NameOf(C.Param), Target};
    Add(ParamEffect::Stores, C.Param, std::move(Target), std::move(M), {});
  }

  for (const Candidate &C : ThisStores) {
    bool TakenBack = llvm::any_of(Reassigned, [&C](const auto &R) {
      return R.first == C.Slot && R.second > C.Top;
    });
    if (TakenBack)
      continue;
    ParamEffect E;
    E.Kind = ParamEffect::Stores;
    E.Param = C.Param;
    E.IntoThis = true;
    for (PathId Q = C.Slot; Q != ThisObj; Q = Paths[Q].Parent)
      E.ThisPath.insert(E.ThisPath.begin(), Paths[Q].Field);
    E.Target = "'" + pathName(C.Slot) + "'";
    Message M;
    M.Loc = loc(C.Site);
    M.Format = "'%0' stores '%1' in %2 here";
    M.Args = {functionName(), NameOf(C.Param), E.Target};
    E.Trail.push_back(std::move(M));
    Out.push_back(std::move(E));
  }
}

SourceLocation FunctionAnalysis::callLoc(const Expr *Call,
                                         const Expr *Arg) const {
  SourceLocation ArgLoc = loc(Arg);
  if (!Call)
    return ArgLoc;
  SourceLocation Name;
  if (const auto *CE = dyn_cast<CallExpr>(Call)) {
    const Expr *Callee = CE->getCallee()->IgnoreParenImpCasts();
    if (const auto *DRE = dyn_cast<DeclRefExpr>(Callee))
      Name = DRE->getLocation();
    else if (const auto *ME = dyn_cast<MemberExpr>(Callee))
      Name = ME->getMemberLoc();
    else
      Name = Callee->getExprLoc();
  } else {
    Name = Call->getBeginLoc();
  }
  Name = loc(Name);
  const SourceManager &SM = Ctx.getSourceManager();
  if (Name.isInvalid() || ArgLoc.isInvalid() ||
      SM.getFileID(Name) != SM.getFileID(ArgLoc) ||
      SM.getSpellingLineNumber(Name) == SM.getSpellingLineNumber(ArgLoc))
    return ArgLoc;
  return Name;
}

void FunctionAnalysis::checkCrossing(const FunctionDecl *Callee,
                                     unsigned ArgIndex, const Expr *Arg,
                                     Disjunct &D, std::string Target,
                                     const Expr *Call) {
  if (!Reporting)
    return;
  PathId Carrier = NoPath;
  OriginSet Reached = reachableFrom(Arg, D, &Carrier);
  if (Reached.empty())
    return;
  OriginId O = firstLive(Reached);
  if (O == NoOrigin)
    O = Reached.front();

  Finding F{FindingKind::ThreadCrossing, {}, {}};
  // A call spanning several lines is reported on the callee's line, the
  // argument in a note.
  F.Warning.Loc = callLoc(Call, Arg);
  if (F.Warning.Loc != loc(Arg)) {
    Message N;
    N.Loc = loc(Arg);
    N.Format = "argument %0 passed here";
    N.Args = {std::to_string(ArgIndex + 1)};
    F.Notes.push_back(N);
  }
  std::string Name = spelling(Arg);
  if (Target.empty() && Callee)
    Target = isa<CXXConstructorDecl>(Callee)
                 ? cast<CXXConstructorDecl>(Callee)->getParent()->getNameAsString()
                 : Callee->getNameAsString();
  if (Target.empty())
    Target = "a function pointer";
  std::string Position = std::to_string(ArgIndex + 1);
  bool Direct = !valueOf(Arg, D).empty();
  if (!Direct && Arg->isGLValue() && Arg->getType()->isPointerType()) {
    PathId LP = lvaluePath(Arg);
    Direct = LP != NoPath && !lookup(LP, D).empty();
  }
  if (Direct) {
    F.Warning.Format = Name.empty()
                           ? "frame memory handed to another thread through "
                             "argument %1 of '%2'"
                           : "frame memory '%0' handed to another thread "
                             "through argument %1 of '%2'";
  } else if (Carrier != NoPath && wrappedLambda(Arg)) {
    F.Warning.Format = "a closure whose captures reach frame memory ('%0') "
                       "is handed to another thread through argument %1 of "
                       "'%2'";
    Name = pathName(Carrier);
  } else {
    F.Warning.Format = "'%0' holds frame memory and is handed to another "
                       "thread through argument %1 of '%2'";
    if (Name.empty())
      Name = "argument";
  }
  F.Warning.Args = {Name, Position, Target};
  if (!Direct && Carrier != NoPath) {
    if (const auto *Sites = D.Stores.find(Carrier)) {
      Message N;
      N.Loc = loc(Sites->front());
      N.Format = "'%0' is set to frame memory here";
      N.Args = {pathName(Carrier)};
      F.Notes.push_back(N);
    }
  }
  addOriginNotes(F, O, F.Warning.Loc, /*WithEnd=*/false);
  Message Hint;
  Hint.Loc = F.Warning.Loc;
  Hint.Format = "frame memory belongs to the thread that allocated it; copy "
                "the data into a transfer handle to hand it over";
  F.Notes.push_back(Hint);
  addFinding(std::move(F));
}

std::string FunctionAnalysis::slotDescription(PathId P) {
  SlotKind K = slotKind(P);
  const auto *VD = dyn_cast<VarDecl>(Paths[P].Base);
  bool Bare = Paths[P].Parent == NoPath;
  std::string Name = "'" + pathName(P) + "'";
  if (K == SlotKind::LongLived)
    return "long-lived " + Name;
  if (K == SlotKind::Global && Bare && VD && VD->isStaticLocal())
    return "static " + Name;
  if (K == SlotKind::Global && Bare)
    return "global " + Name;
  return Name;
}

void FunctionAnalysis::checkParamEffects(const FunctionDecl *Callee,
                                         unsigned ArgIndex, const Expr *Arg,
                                         const Disjunct &D) {
  if (D.Vals.empty())
    return;
  QualType T = Arg->getType();
  if (!T->isPointerType() && !T->isIntegerType())
    return;
  OriginId Live = firstLive(valueOf(Arg, D));
  if (Live == NoOrigin)
    return;
  const std::vector<ParamEffect> &Effects = Analyzer.effects(Callee);
  std::string Name = spelling(Arg);
  std::string CalleeName = Callee->getNameAsString();
  for (const ParamEffect &E : Effects) {
    // Stores into the method's object are stores at the call
    // (applyMemberStores).
    if (E.Param != ArgIndex || E.IntoThis)
      continue;
    bool Stores = E.Kind == ParamEffect::Stores;
    Finding F{Stores ? FindingKind::Escape : FindingKind::ThreadCrossing,
              {},
              {}};
    F.Warning.Loc = loc(Arg);
    if (Stores)
      F.Warning.Format =
          Name.empty()
              ? "frame memory passed to '%1' outlives its frame: '%1' stores "
                "it in %2"
              : "frame memory '%0' passed to '%1' outlives its frame: '%1' "
                "stores it in %2";
    else
      F.Warning.Format =
          Name.empty() ? "frame memory passed to '%1' is handed to another "
                         "thread (through '%2')"
                       : "frame memory '%0' passed to '%1' is handed to "
                         "another thread (through '%2')";
    F.Warning.Args = {Name, CalleeName, E.Target};
    addOriginNotes(F, Live, F.Warning.Loc, /*WithEnd=*/false);
    for (const Message &M : E.Trail)
      F.Notes.push_back(M);
    if (!Stores) {
      Message Hint;
      Hint.Loc = F.Warning.Loc;
      Hint.Format = "frame memory belongs to the thread that allocated it; "
                    "copy the data into a transfer handle to hand it over";
      F.Notes.push_back(Hint);
    }
    addFinding(std::move(F));
  }
}

void FunctionAnalysis::applySummary(const CallExpr *CE,
                                    const FunctionDecl *Callee, Disjunct &D) {
  if (isa<CXXOperatorCallExpr>(CE))
    return;
  const FunctionSummary *S = Analyzer.summary(Callee);
  if (!S)
    return;
  // Into the fields the helper fills, so that clearing one of them in the
  // caller clears what the helper put there.
  auto Fill = [&](unsigned I, PathId P, const OriginSet &V) {
    bool Stored = false;
    for (const ClearedPath &F : S->FilledFields) {
      if (F.Param != I || F.Elems.empty() || F.Elems.front())
        continue;
      PathId Q = P;
      for (unsigned E = 1; E < F.Elems.size(); ++E)
        Q = Paths.child(Q, F.Elems[E]);
      store(Q, V, CE, CE, /*Weak=*/true, D);
      Stored = true;
    }
    if (!Stored)
      store(P, V, CE, CE, /*Weak=*/true, D);
  };
  // Memory of an argument's arena: the scope open on that arena, if any.
  for (const auto &F : S->FilledArenaParams) {
    if (F.first >= CE->getNumArgs() || F.second >= CE->getNumArgs())
      continue;
    bool FrameOnly = llvm::is_contained(S->FilledParams, F.first);
    const Expr *Scope = nullptr;
    PathId Arena = NoPath;
    if (!arenaScope(CE->getArg(F.second), !FrameOnly, D, Scope, Arena))
      continue;
    bool ByRef = F.first < Callee->getNumParams() &&
                 Callee->getParamDecl(F.first)->getType()->isReferenceType();
    PathId P = ByRef ? lvaluePath(CE->getArg(F.first))
                     : pointeePath(CE->getArg(F.first));
    if (P == NoPath)
      continue;
    OriginSet V;
    V.push_back(Origins.get(CE, Scope, nullptr, Arena));
    Fill(F.first, P, V);
  }
  for (unsigned I : S->FilledParams) {
    if (I >= CE->getNumArgs())
      continue;
    if (llvm::any_of(S->FilledArenaParams,
                     [I](const std::pair<unsigned, unsigned> &F) {
                       return F.first == I;
                     }))
      continue;
    bool ByRef = I < Callee->getNumParams() &&
                 Callee->getParamDecl(I)->getType()->isReferenceType();
    PathId P = ByRef ? lvaluePath(CE->getArg(I)) : pointeePath(CE->getArg(I));
    if (P == NoPath)
      continue;
    OriginSet V;
    V.push_back(newOrigin(CE, D));
    Fill(I, P, V);
  }
}

void FunctionAnalysis::noteFieldChains(PathId Obj, bool Held,
                                       const Disjunct &D,
                                       llvm::SmallVectorImpl<FieldChain> &Out) {
  for (const auto &Entry : D.Vals) {
    if (Held) {
      // Fields of the object itself travel with the returned value already.
      if (!Paths.isPrefix(Obj, Entry.first, /*ThroughDeref=*/true) ||
          Paths.isPrefix(Obj, Entry.first, /*ThroughDeref=*/false))
        continue;
    } else if (Entry.first == Obj ||
               !Paths.isPrefix(Obj, Entry.first, false)) {
      continue;
    }
    // Only memory the caller sees as its own frame's: the helper's own
    // scopes have ended by then.
    if (llvm::none_of(Entry.second, [this](OriginId O) {
          return !Origins.isDead(O) && !Origins[O].Scope;
        }))
      continue;
    FieldChain Chain;
    for (PathId Q = Entry.first; Q != Obj; Q = Paths[Q].Parent)
      Chain.insert(Chain.begin(), Paths[Q].Field);
    if (!llvm::is_contained(Out, Chain))
      Out.push_back(std::move(Chain));
  }
}

void FunctionAnalysis::storeFieldChains(PathId Base, const Expr *Init,
                                        const Stmt *Site, bool Held,
                                        Disjunct &D) {
  const auto *CE = dyn_cast<CallExpr>(stripCopies(Init)->IgnoreParenCasts());
  const FunctionDecl *Callee = CE ? CE->getDirectCallee() : nullptr;
  if (!Callee || isa<CXXOperatorCallExpr>(CE))
    return;
  const FunctionSummary *S = Analyzer.summary(Callee);
  if (!S)
    return;
  llvm::ArrayRef<FieldChain> Chains =
      Held ? llvm::ArrayRef<FieldChain>(S->ReturnedHeld)
           : llvm::ArrayRef<FieldChain>(S->ReturnedFields);
  if (Chains.empty())
    return;
  // The memory belongs to the scope the returned object does.
  OriginSet V = valueOf(CE, D);
  if (V.empty())
    V.push_back(newOrigin(CE, D));
  for (const FieldChain &Chain : Chains) {
    PathId Q = Base;
    for (const FieldDecl *F : Chain)
      Q = Paths.child(Q, F);
    store(Q, V, Site, Init, /*Weak=*/false, D);
  }
}

void FunctionAnalysis::noteReturnedFields(const Expr *E, const Disjunct &D) {
  PathId Obj = pointeePath(E);
  if (Obj != NoPath)
    noteFieldChains(Obj, /*Held=*/false, D, Result.Summary.ReturnedFields);
}

void FunctionAnalysis::storeReturnedFields(PathId P, const Expr *Init,
                                           const Stmt *Site, Disjunct &D) {
  storeFieldChains(Paths.child(P, nullptr), Init, Site, /*Held=*/false, D);
}

void FunctionAnalysis::noteReturnedHeld(const Expr *E, const Disjunct &D) {
  PathId Obj = lvaluePath(stripCopies(E));
  if (Obj != NoPath)
    noteFieldChains(Obj, /*Held=*/true, D, Result.Summary.ReturnedHeld);
}

void FunctionAnalysis::storeReturnedHeld(PathId P, const Expr *Init,
                                         const Stmt *Site, Disjunct &D) {
  storeFieldChains(P, Init, Site, /*Held=*/true, D);
}

void FunctionAnalysis::applyMemberStores(const CXXMemberCallExpr *MC,
                                         const FunctionDecl *Callee,
                                         Disjunct &D) {
  if (D.Vals.empty())
    return;
  const Expr *Obj = MC->getImplicitObjectArgument();
  if (!Obj)
    return;
  PathId Base = NoPath;
  for (const ParamEffect &E : Analyzer.effects(Callee)) {
    if (!E.IntoThis || E.Param >= MC->getNumArgs())
      continue;
    const Expr *Arg = MC->getArg(E.Param);
    OriginSet V = valueOf(Arg, D);
    if (V.empty())
      continue;
    if (Base == NoPath)
      Base = Obj->getType()->isPointerType() ? pointeePath(Obj)
                                             : lvaluePath(Obj);
    if (Base == NoPath)
      return;
    PathId Q = Base;
    for (const FieldDecl *F : E.ThisPath)
      Q = Paths.child(Q, F);
    store(Q, V, MC, Arg, /*Weak=*/true, D);
  }
}

} // namespace clang::tidy::framealloc

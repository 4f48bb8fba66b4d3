// SPDX-License-Identifier: MIT
//===--- FrameAliases.cpp - framealloc-tidy -------------------------------===//
//
// Locals that name one slot of another object for their whole life: a
// range-for reference to a container's elements, a reference bound to an
// element (`Body &b = bodies_[i]`), a pointer only ever set to the address
// of the same (collapsed) slot (`e = &emitters[i]`). Stores and reads through
// them use the slot's path, so a store through `e->burst` is cleared by
// `emitters[i].burst = NULL` for every i, and a store through `b.contacts`
// is a store into the member container.
//
//===----------------------------------------------------------------------===//

#include "FrameTransfer.h"
#include "clang/AST/ExprCXX.h"

namespace clang::tidy::framealloc {

PathId FunctionAnalysis::rangeElementPath(const VarDecl *VD) {
  auto It = RangeLoopVars.find(VD);
  if (It == RangeLoopVars.end() || !VD->getType()->isReferenceType())
    return NoPath;
  const Expr *Range = It->second->getRangeInit();
  if (!Range || !Range->isGLValue() || isFrameView(Range->getType()))
    return NoPath;
  // Only containers and arrays of what the loop variable names: a range of
  // another shape (a generator, a proxy) is a local as before.
  QualType Elem = VD->getType().getNonReferenceType().getUnqualifiedType();
  QualType RT = Range->getType().getCanonicalType();
  if (const auto *AT = RT->getAsArrayTypeUnsafe()) {
    if (!Ctx.hasSameUnqualifiedType(AT->getElementType(), Elem))
      return NoPath;
  } else {
    const auto *RD = RT->getAsCXXRecordDecl();
    if (!RD || !isStdClass(RD))
      return NoPath;
  }
  return lvaluePath(stripCopies(Range));
}

/// The variable a plain `v` or `v = ...` names.
static const VarDecl *namedVar(const Expr *E) {
  const auto *DRE = dyn_cast<DeclRefExpr>(E->IgnoreParenImpCasts());
  return DRE ? dyn_cast<VarDecl>(DRE->getDecl()) : nullptr;
}

/// Whether \p LV names the same slot wherever it is evaluated: variables
/// that never change, fields, elements (collapsed, so the index does not
/// matter), dereferences of such.
static bool isStableSlot(const Expr *LV,
                         const llvm::SmallPtrSetImpl<const VarDecl *> &Changed) {
  const Expr *E = LV;
  while (true) {
    E = E->IgnoreParens();
    if (isa<CXXThisExpr>(E))
      return true;
    if (const auto *DRE = dyn_cast<DeclRefExpr>(E)) {
      const auto *VD = dyn_cast<VarDecl>(DRE->getDecl());
      return VD && !Changed.count(VD);
    }
    if (const auto *ME = dyn_cast<MemberExpr>(E)) {
      if (!isa<FieldDecl>(ME->getMemberDecl()))
        return false;
      E = ME->getBase();
      continue;
    }
    if (const auto *AS = dyn_cast<ArraySubscriptExpr>(E)) {
      E = AS->getBase();
      continue;
    }
    if (const auto *OC = dyn_cast<CXXOperatorCallExpr>(E)) {
      if (OC->getOperator() != OO_Subscript || OC->getNumArgs() != 2)
        return false;
      E = OC->getArg(0);
      continue;
    }
    if (const auto *UO = dyn_cast<UnaryOperator>(E)) {
      if (UO->getOpcode() != UO_Deref)
        return false;
      E = UO->getSubExpr();
      continue;
    }
    if (const auto *IC = dyn_cast<ImplicitCastExpr>(E)) {
      CastKind K = IC->getCastKind();
      if (K != CK_LValueToRValue && K != CK_NoOp &&
          K != CK_ArrayToPointerDecay && K != CK_DerivedToBase &&
          K != CK_UncheckedDerivedToBase)
        return false;
      E = IC->getSubExpr();
      continue;
    }
    return false;
  }
}

PathId FunctionAnalysis::slotAlias(const VarDecl *VD) {
  if (!RangeLoopVars.empty())
    if (PathId Elem = rangeElementPath(VD); Elem != NoPath)
      return Elem;
  if (!SlotAliasesDone) {
    SlotAliasesDone = true;
    // Every value each candidate is given; any other change (increment,
    // compound assignment, address taken) disqualifies it.
    llvm::DenseMap<const VarDecl *, llvm::SmallVector<const Expr *, 2>> Given;
    llvm::SmallPtrSet<const VarDecl *, 8> Changed, Disqualified;
    llvm::SmallVector<const Stmt *, 64> Work{FD->getBody()};
    while (!Work.empty()) {
      const Stmt *S = Work.pop_back_val();
      if (!S || isa<BlockExpr>(S))
        continue;
      if (const auto *LE = dyn_cast<LambdaExpr>(S)) {
        // The body is another function; a by-reference capture may change
        // the variable there.
        for (const LambdaCapture &C : LE->captures())
          if (C.capturesVariable() && C.getCaptureKind() == LCK_ByRef)
            if (const auto *V = dyn_cast<VarDecl>(C.getCapturedVar())) {
              Disqualified.insert(V);
              Changed.insert(V);
            }
        for (const Expr *Init : LE->capture_inits())
          Work.push_back(Init);
        continue;
      }
      if (const auto *DS = dyn_cast<DeclStmt>(S)) {
        for (const Decl *Dl : DS->decls())
          if (const auto *V = dyn_cast<VarDecl>(Dl))
            // Not the implicit `__range` of a range-for: iterating a view
            // reads its memory (handleRangeVar), which an alias would hide.
            if (V->hasLocalStorage() && !isa<ParmVarDecl>(V) &&
                !V->isImplicit() && !RangeLoopVars.count(V) &&
                (V->getType()->isPointerType() ||
                 V->getType()->isReferenceType())) {
              if (V->getInit())
                Given[V].push_back(V->getInit());
              else
                Disqualified.insert(V);
            }
      } else if (const auto *BO = dyn_cast<BinaryOperator>(S)) {
        if (BO->isAssignmentOp())
          if (const VarDecl *V = namedVar(BO->getLHS())) {
            Changed.insert(V);
            if (BO->getOpcode() == BO_Assign)
              Given[V].push_back(BO->getRHS());
            else
              Disqualified.insert(V);
          }
      } else if (const auto *UO = dyn_cast<UnaryOperator>(S)) {
        if (UO->isIncrementDecrementOp() || UO->getOpcode() == UO_AddrOf)
          if (const VarDecl *V = namedVar(UO->getSubExpr())) {
            Changed.insert(V);
            Disqualified.insert(V);
          }
      }
      for (const Stmt *Child : S->children())
        Work.push_back(Child);
    }
    for (const auto &Entry : Given) {
      const VarDecl *V = Entry.first;
      if (Disqualified.count(V))
        continue;
      bool IsRef = V->getType()->isReferenceType();
      PathId Slot = NoPath;
      bool Ok = true;
      for (const Expr *Value : Entry.second) {
        const Expr *LV = nullptr;
        if (IsRef) {
          LV = Value;
        } else {
          const Expr *E = Value->IgnoreParenImpCasts();
          // A null pointer names nothing, so it cannot name another slot.
          if (E->isNullPointerConstant(Ctx, Expr::NPC_ValueDependentIsNotNull))
            continue;
          const auto *UO = dyn_cast<UnaryOperator>(E);
          if (UO && UO->getOpcode() == UO_AddrOf)
            LV = UO->getSubExpr();
        }
        if (!LV || !LV->isGLValue() || !isStableSlot(LV, Changed)) {
          Ok = false;
          break;
        }
        PathId P = lvaluePath(LV);
        if (P == NoPath || (Slot != NoPath && P != Slot)) {
          Ok = false;
          break;
        }
        Slot = P;
      }
      if (Ok && Slot != NoPath)
        SlotAliases[V] = Slot;
    }
    SlotAliasesReady = true;
  }
  auto It = SlotAliases.find(VD);
  return It == SlotAliases.end() ? NoPath : It->second;
}

} // namespace clang::tidy::framealloc

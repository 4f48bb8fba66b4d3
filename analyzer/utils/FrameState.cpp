// SPDX-License-Identifier: MIT
//===--- FrameState.cpp - framealloc-tidy ---------------------------------===//
//
// The dataflow lattice of the frame analysis.
//
//===----------------------------------------------------------------------===//

#include "FrameState.h"
#include "llvm/ADT/STLExtras.h"

namespace clang::tidy::framealloc {

PathId PathTable::root(const ValueDecl *Base) {
  auto Key = std::make_pair(static_cast<const void *>(Base), uintptr_t(0));
  auto It = Index.find(Key);
  if (It != Index.end())
    return It->second;
  PathInfo Info;
  Info.Base = Base;
  Paths.push_back(Info);
  PathId Id = Paths.size() - 1;
  Index[Key] = Id;
  return Id;
}

PathId PathTable::child(PathId Parent, const FieldDecl *Field) {
  assert(Parent < Paths.size() && "unknown parent path");
  if (Paths[Parent].Depth >= MaxDepth)
    return Parent;
  // Key: the element (field or null for deref) and the parent id; the +1 keeps
  // the key distinct from root keys, whose second half is 0.
  auto Key =
      std::make_pair(static_cast<const void *>(Field), uintptr_t(Parent) + 1);
  auto It = Index.find(Key);
  if (It != Index.end())
    return It->second;
  PathInfo Info;
  Info.Base = Paths[Parent].Base;
  Info.Field = Field;
  Info.Parent = Parent;
  Info.Depth = Paths[Parent].Depth + 1;
  Info.IsDeref = Field == nullptr;
  Info.HasDeref = Paths[Parent].HasDeref || Info.IsDeref;
  Paths.push_back(Info);
  PathId Id = Paths.size() - 1;
  Index[Key] = Id;
  return Id;
}

bool PathTable::isPrefix(PathId Ancestor, PathId P, bool ThroughDeref) const {
  if (Paths[Ancestor].Base != Paths[P].Base ||
      Paths[Ancestor].Depth > Paths[P].Depth)
    return false;
  while (P != NoPath && Paths[P].Depth > Paths[Ancestor].Depth) {
    if (!ThroughDeref && Paths[P].IsDeref)
      return false;
    P = Paths[P].Parent;
  }
  return P == Ancestor;
}

PathId PathTable::pointerRoot(PathId P) const {
  PathId Found = NoPath;
  for (; P != NoPath; P = Paths[P].Parent)
    if (Paths[P].IsDeref)
      Found = Paths[P].Parent;
  return Found;
}

OriginId OriginTable::get(const Expr *Site, const Expr *Scope,
                          const Stmt *EndedAt, PathId Arena) {
  auto Key = std::make_pair(std::make_pair(static_cast<const void *>(Site),
                                           static_cast<const void *>(Scope)),
                            static_cast<const void *>(EndedAt));
  auto It = Index.find(Key);
  if (It != Index.end())
    return It->second;
  Origins.push_back(OriginInfo{Site, Scope, EndedAt, Arena});
  OriginId Id = Origins.size() - 1;
  Index[Key] = Id;
  return Id;
}

bool Disjunct::mergeData(const Disjunct &O) {
  assert(sameFrames(O) && "merging disjuncts with different frame stacks");
  bool Changed = setUnion(LastEnds, O.LastEnds);
  return mergeMaps(O) || Changed;
}

bool Disjunct::holdsFrameMemory(PathId Slot) const {
  for (const auto &E : Vals) {
    if (E.second.empty())
      continue;
    if (E.first == Slot ||
        (Paths && (Paths->isPrefix(Slot, E.first, /*ThroughDeref=*/true) ||
                   Paths->isPrefix(E.first, Slot, /*ThroughDeref=*/true))))
      return true;
  }
  return false;
}

bool Disjunct::retentionsAgree(const Disjunct &O) const {
  auto Covers = [](const Disjunct &A, const Disjunct &B) {
    for (const auto &E : A.Retained) {
      const auto *Other = B.Retained.find(E.first);
      if (Other ? Other->first != E.second.first
                : B.holdsFrameMemory(E.first))
        return false;
    }
    return true;
  };
  return Retained.shares(O.Retained) || (Covers(*this, O) && Covers(O, *this));
}

bool Disjunct::mergeMaps(const Disjunct &O) {
  bool Changed = false;
  // A retention holds on the joined paths when each of them made it, or
  // never put frame memory into the slot (`if (keep) { slot = tmp;
  // retain(&slot); }`): the slot then holds no frame memory to copy out on
  // those paths. Decided before the origins are joined.
  if (!Retained.shares(O.Retained)) {
    llvm::SmallVector<std::pair<PathId, std::pair<const Expr *, const Stmt *>>,
                      1>
        Adopted;
    for (const auto &E : O.Retained)
      if (!Retained.find(E.first) && !holdsFrameMemory(E.first))
        Adopted.push_back(E);
    Retained.eraseIf([&](const auto &E) {
      const auto *Other = O.Retained.find(E.first);
      // Retains at different calls into the same scope agree.
      bool Drop = Other ? Other->first != E.second.first
                        : O.holdsFrameMemory(E.first);
      Changed |= Drop;
      return Drop;
    });
    for (const auto &E : Adopted)
      Retained[E.first] = E.second;
    Changed |= !Adopted.empty();
  }
  // Copies of one state share their maps; look before writing (a write
  // clones).
  if (!Vals.shares(O.Vals))
    for (const auto &E : O.Vals) {
      const OriginSet *Mine = Vals.find(E.first);
      if (Mine && std::includes(Mine->begin(), Mine->end(), E.second.begin(),
                                E.second.end()))
        continue;
      Changed |= setUnion(Vals[E.first], E.second);
    }
  if (!Stores.shares(O.Stores))
    for (const auto &E : O.Stores) {
      const auto *Mine = Stores.find(E.first);
      if (Mine && std::includes(Mine->begin(), Mine->end(), E.second.begin(),
                                E.second.end()))
        continue;
      Changed |= setUnion(Stores[E.first], E.second);
    }
  // A node linked on either path may be linked; a copy holds on both only.
  if (!Links.shares(O.Links))
    for (const auto &E : O.Links) {
      const auto *Mine = Links.find(E.first);
      if (Mine && std::includes(Mine->begin(), Mine->end(), E.second.begin(),
                                E.second.end()))
        continue;
      Changed |= setUnion(Links[E.first], E.second);
    }
  if (!Copies.shares(O.Copies))
    Copies.eraseIf([&](const std::pair<PathId, PathId> &E) {
      const PathId *Other = O.Copies.find(E.first);
      bool Drop = !Other || *Other != E.second;
      Changed |= Drop;
      return Drop;
    });
  return Changed;
}

namespace {
/// How two sets of known conditions relate.
enum class CondRelation {
  Equal,
  FirstImplied,
  SecondImplied,
  Resolvable,
  Unrelated
};
} // namespace

/// FirstImplied: every condition of A is in B (A covers B's paths).
/// Resolvable: they differ only in the value of one key (*Key).
static CondRelation relate(const VecMap<unsigned, bool> &A,
                           const VecMap<unsigned, bool> &B, unsigned *Key) {
  unsigned OnlyA = 0;
  unsigned OnlyB = 0;
  unsigned Opposite = 0;
  auto IA = A.begin();
  auto IB = B.begin();
  while (IA != A.end() || IB != B.end()) {
    if (IB == B.end() || (IA != A.end() && IA->first < IB->first)) {
      ++OnlyA;
      ++IA;
    } else if (IA == A.end() || IB->first < IA->first) {
      ++OnlyB;
      ++IB;
    } else {
      if (IA->second != IB->second) {
        ++Opposite;
        *Key = IA->first;
      }
      ++IA;
      ++IB;
    }
  }
  if (Opposite == 0 && OnlyA == 0 && OnlyB == 0)
    return CondRelation::Equal;
  if (Opposite == 0 && OnlyA == 0)
    return CondRelation::FirstImplied;
  if (Opposite == 0 && OnlyB == 0)
    return CondRelation::SecondImplied;
  if (Opposite == 1 && OnlyA == 0 && OnlyB == 0)
    return CondRelation::Resolvable;
  return CondRelation::Unrelated;
}

bool FlowState::add(Disjunct &&D, llvm::ArrayRef<unsigned> KeepApart) {
  bool Changed = false;
  for (bool Merged = true; Merged;) {
    Merged = false;
    for (size_t I = 0; I < Disjuncts.size(); ++I) {
      Disjunct &Mine = Disjuncts[I];
      // A path that retained a slot and one that left frame memory in it
      // unretained stay apart, so that only the latter reports.
      if (!Mine.sameFrames(D) || !Mine.retentionsAgree(D))
        continue;
      unsigned Key = 0;
      switch (relate(Mine.Conds, D.Conds, &Key)) {
      case CondRelation::Equal:
      case CondRelation::FirstImplied:
        // Mine already covers D's paths.
        return Mine.mergeData(D) || Changed;
      case CondRelation::SecondImplied:
        D.mergeData(Mine);
        break;
      case CondRelation::Resolvable:
        // c and !c together cover both branches, but only equal data can
        // forget c: a flag that chose frame or heap memory is tested again
        // after the end (`if (!use_frame) free(buf);`).
        if (Mine.Vals != D.Vals || llvm::is_contained(KeepApart, Key))
          continue;
        D.mergeData(Mine);
        D.Conds.erase(Key);
        break;
      case CondRelation::Unrelated:
        continue;
      }
      // D absorbed Mine and may now absorb others.
      Disjuncts.erase(Disjuncts.begin() + I);
      Changed = Merged = true;
      break;
    }
  }
  Disjuncts.push_back(std::move(D));
  return true;
}

bool FlowState::join(FlowState &&O, llvm::ArrayRef<unsigned> KeepApart) {
  bool Changed = false;
  for (Disjunct &D : O.Disjuncts)
    Changed |= add(std::move(D), KeepApart);
  return Changed;
}

void FlowState::widen() {
  llvm::SmallVector<Disjunct, 2> Old;
  Old.swap(Disjuncts);
  for (Disjunct &D : Old) {
    auto *Same = llvm::find_if(
        Disjuncts, [&D](const Disjunct &Mine) { return Mine.sameFrames(D); });
    if (Same == Disjuncts.end()) {
      Disjuncts.push_back(std::move(D));
      continue;
    }
    Same->mergeData(D);
    Same->Conds.eraseIf([&D](const std::pair<unsigned, bool> &C) {
      const bool *Other = D.Conds.find(C.first);
      return !Other || *Other != C.second;
    });
  }
}

void FlowState::coarsen() {
  if (Disjuncts.size() <= 1)
    return;
  Disjunct Joined = std::move(Disjuncts.front());
  for (size_t I = 1; I < Disjuncts.size(); ++I) {
    Disjunct &D = Disjuncts[I];
    // A joined state no longer knows that it enters a loop.
    if (Joined.FreshLoop != D.FreshLoop)
      Joined.FreshLoop = D.FreshLoop = nullptr;
    if (Joined.DoneLoop != D.DoneLoop)
      Joined.DoneLoop = D.DoneLoop = nullptr;
    if (!Joined.sameFrames(D)) {
      size_t Common = 0;
      while (Common < Joined.Stack.size() && Common < D.Stack.size() &&
             Joined.Stack[Common] == D.Stack[Common])
        ++Common;
      Joined.Stack.resize(Common);
      size_t CommonCp = 0;
      while (CommonCp < Joined.Checkpoints.size() &&
             CommonCp < D.Checkpoints.size() &&
             Joined.Checkpoints[CommonCp] == D.Checkpoints[CommonCp])
        ++CommonCp;
      Joined.Checkpoints.resize(CommonCp);
      Joined.OuterPops = std::max(Joined.OuterPops, D.OuterPops);
      Joined.Snapshots.eraseIf([&D](const std::pair<const void *, unsigned> &S) {
        const unsigned *Other = D.Snapshots.find(S.first);
        return !Other || *Other != S.second;
      });
      Joined.Tokens.eraseIf([&D](const std::pair<PathId, TokenInfo> &T) {
        const TokenInfo *Other = D.Tokens.find(T.first);
        return !Other || *Other != T.second;
      });
      Joined.Coarse = true;
    }
    setUnion(Joined.LastEnds, D.LastEnds);
    Joined.mergeMaps(D);
    Joined.Conds.eraseIf([&D](const std::pair<unsigned, bool> &C) {
      const bool *Other = D.Conds.find(C.first);
      return !Other || *Other != C.second;
    });
  }
  Disjuncts.clear();
  Disjuncts.push_back(std::move(Joined));
}

} // namespace clang::tidy::framealloc

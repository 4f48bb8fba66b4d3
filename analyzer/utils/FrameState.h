/* SPDX-License-Identifier: MIT */
//===--- FrameState.h - framealloc-tidy -------------------------*- C++ -*-===//
//
// The dataflow lattice of the frame analysis: access paths, origins of frame
// memory, and the per-path state ("disjunct") that flows over the CFG.
//
//===----------------------------------------------------------------------===//

#ifndef FRAMEALLOC_TIDY_UTILS_FRAMESTATE_H
#define FRAMEALLOC_TIDY_UTILS_FRAMESTATE_H

#include "clang/AST/Decl.h"
#include "clang/AST/Expr.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/SmallVector.h"
#include <algorithm>
#include <memory>
#include <vector>

namespace clang::tidy::framealloc {

using PathId = unsigned;
using OriginId = unsigned;
constexpr PathId NoPath = ~0u;
constexpr OriginId NoOrigin = ~0u;

/// A small map kept as a vector sorted by key. States are copied at every
/// CFG edge and most blocks change none of their maps, so the vector is
/// shared between copies and cloned on the first write (copy-on-write).
template <typename K, typename V> class VecMap {
public:
  using Entry = std::pair<K, V>;
  using Vec = std::vector<Entry>;

  const V *find(K Key) const {
    if (!Items)
      return nullptr;
    auto It = lower(*Items, Key);
    return It != Items->end() && It->first == Key ? &It->second : nullptr;
  }
  V &operator[](K Key) {
    Vec &M = mut();
    auto It = lower(M, Key);
    if (It == M.end() || It->first != Key)
      It = M.insert(It, Entry(Key, V()));
    return It->second;
  }
  bool erase(K Key) {
    if (!find(Key))
      return false;
    Vec &M = mut();
    M.erase(lower(M, Key));
    return true;
  }
  template <typename Pred> void eraseIf(Pred P) {
    if (!Items || std::none_of(Items->begin(), Items->end(), P))
      return;
    Vec &M = mut();
    M.erase(std::remove_if(M.begin(), M.end(), P), M.end());
  }
  bool empty() const { return !Items || Items->empty(); }
  size_t size() const { return Items ? Items->size() : 0; }
  /// Mutable iteration clones a shared vector.
  typename Vec::iterator begin() { return mut().begin(); }
  typename Vec::iterator end() { return mut().end(); }
  typename Vec::const_iterator begin() const {
    return Items ? Items->cbegin() : empty_().cbegin();
  }
  typename Vec::const_iterator end() const {
    return Items ? Items->cend() : empty_().cend();
  }
  /// Both maps share one vector (so they are equal).
  bool shares(const VecMap &O) const { return Items == O.Items; }
  bool operator==(const VecMap &O) const {
    if (Items == O.Items)
      return true;
    if (empty() || O.empty())
      return empty() && O.empty();
    return *Items == *O.Items;
  }
  bool operator!=(const VecMap &O) const { return !(*this == O); }

private:
  static const Vec &empty_() {
    static const Vec E;
    return E;
  }
  Vec &mut() {
    if (!Items)
      Items = std::make_shared<Vec>();
    else if (Items.use_count() > 1)
      Items = std::make_shared<Vec>(*Items);
    return *Items;
  }
  static typename Vec::iterator lower(Vec &M, K Key) {
    return std::lower_bound(
        M.begin(), M.end(), Key,
        [](const Entry &E, const K &Key) { return E.first < Key; });
  }
  static typename Vec::const_iterator lower(const Vec &M, K Key) {
    return std::lower_bound(
        M.begin(), M.end(), Key,
        [](const Entry &E, const K &Key) { return E.first < Key; });
  }
  std::shared_ptr<Vec> Items;
};

/// A sorted set of small values (origins, statements).
template <typename T> using SmallSet = llvm::SmallVector<T, 2>;

template <typename T> bool setInsert(SmallSet<T> &S, T V) {
  auto It = std::lower_bound(S.begin(), S.end(), V);
  if (It != S.end() && *It == V)
    return false;
  S.insert(It, V);
  return true;
}

template <typename T> bool setUnion(SmallSet<T> &S, const SmallSet<T> &O) {
  bool Changed = false;
  for (T V : O)
    Changed |= setInsert(S, V);
  return Changed;
}

using OriginSet = SmallSet<OriginId>;

/// An access path: a variable followed by fields and dereferences, e.g.
/// `s.pos`, `q->items` (= q, *, items) or `*out`. Arrays collapse into their
/// variable, so `a[i]` is `a` and `p[i]` is `*p`.
struct PathInfo {
  const ValueDecl *Base = nullptr;
  const FieldDecl *Field = nullptr; ///< Last element; null for a deref.
  PathId Parent = NoPath;           ///< NoPath for the bare variable.
  unsigned Depth = 0;
  bool IsDeref = false;  ///< The last element is a dereference.
  bool HasDeref = false; ///< Some element is a dereference.
};

/// Interns access paths of one function.
class PathTable {
public:
  static constexpr unsigned MaxDepth = 6;

  PathId root(const ValueDecl *Base);
  /// \p Field == nullptr appends a dereference. Past MaxDepth the path
  /// itself is returned (deeper accesses collapse).
  PathId child(PathId Parent, const FieldDecl *Field);
  const PathInfo &operator[](PathId P) const { return Paths[P]; }
  /// \p Ancestor == \p P counts as a prefix. With \p ThroughDeref false, the
  /// walk from P up to Ancestor must not cross a dereference.
  bool isPrefix(PathId Ancestor, PathId P, bool ThroughDeref) const;
  /// The first dereference element's parent (the pointer variable path), or
  /// NoPath when the path has no dereference.
  PathId pointerRoot(PathId P) const;

private:
  std::vector<PathInfo> Paths;
  llvm::DenseMap<std::pair<const void *, uintptr_t>, PathId> Index;
};

/// Where frame memory came from: an allocation site, the frame scope it
/// belongs to, and (once the scope ended) the end call that released it.
struct OriginInfo {
  const Expr *Site = nullptr;
  /// The begin call of the scope, or nullptr for the caller's innermost scope
  /// (memory allocated before this function began a frame).
  const Expr *Scope = nullptr;
  const Stmt *EndedAt = nullptr; ///< Null while the scope is open.
  /// The arena the memory was pushed into (its key path), NoPath when not
  /// known: ending the caller's scope on another arena leaves it alive.
  PathId Arena = NoPath;
};

class OriginTable {
public:
  /// \p Arena is recorded when the origin is first created.
  OriginId get(const Expr *Site, const Expr *Scope, const Stmt *EndedAt,
               PathId Arena = NoPath);
  const OriginInfo &operator[](OriginId O) const { return Origins[O]; }
  bool isDead(OriginId O) const { return Origins[O].EndedAt != nullptr; }
  /// A new origin of its own, never returned by get() (a marker).
  OriginId unique(const Expr *Site, const Expr *Scope) {
    Origins.push_back(OriginInfo{Site, Scope, nullptr, NoPath});
    return Origins.size() - 1;
  }

private:
  std::vector<OriginInfo> Origins;
  llvm::DenseMap<std::pair<std::pair<const void *, const void *>, const void *>,
                 OriginId>
      Index;
};

/// What a scope token (the variable that received a keyed begin's result, or
/// a scope guard object) refers to.
struct TokenInfo {
  const Expr *Scope = nullptr;   ///< The begin call.
  const Stmt *EndedAt = nullptr; ///< Where its scope was ended on this path.
  bool operator==(const TokenInfo &O) const {
    return Scope == O.Scope && EndedAt == O.EndedAt;
  }
  bool operator!=(const TokenInfo &O) const { return !(*this == O); }
};

/// The state along one set of paths with the same frame stack. Disjuncts with
/// different stacks are kept apart so that correlated branches
/// (`if (c) begin ... if (c) end`) do not look like open frames.
struct Disjunct {
  /// Frames begun in this function and still open, innermost last. Keyed
  /// scopes of different arenas share it in begin order; each begin's arena
  /// key is a property of the call (FunctionAnalysis::scopeKey).
  llvm::SmallVector<const Expr *, 4> Stack;
  /// Scope tokens held by tracked paths.
  VecMap<PathId, TokenInfo> Tokens;
  /// Frames of the caller ended in this function (FA_ENDS_FRAME wrappers).
  unsigned OuterPops = 0;
  /// Where the caller's frame (or the last own frame) was ended on this path;
  /// used for "frame already ended here" notes.
  SmallSet<const Stmt *> LastEnds;
  /// Origins held by each tracked path.
  VecMap<PathId, OriginSet> Vals;
  /// Stores of frame memory into tracked paths (for notes on escapes).
  VecMap<PathId, SmallSet<const Stmt *>> Stores;
  /// Local pointers whose value (a node) was stored into each path and may
  /// still be there: the path links the node, until it is overwritten.
  VecMap<PathId, SmallSet<const ValueDecl *>> Links;
  /// Paths holding the same pointer value as another path (copied from it,
  /// neither written since): a path found null makes its copies null too.
  VecMap<PathId, PathId> Copies;
  /// Known truth values of branch conditions (keyed by CondTable ids).
  VecMap<unsigned, bool> Conds;
  /// Slots registered with a retain (FA_RETAIN_SLOT) and not cancelled or
  /// overwritten since: the frame scope whose end copies them out (null for
  /// the caller's), and the retain call. Joined paths keep a retention when
  /// each of them made it or never put frame memory into the slot.
  VecMap<PathId, std::pair<const Expr *, const Stmt *>> Retained;
  /// The function's access paths (set on the entry state, copied along), so
  /// that a join can tell which paths lie inside a retained slot.
  const PathTable *Paths = nullptr;
  /// Checkpoints taken and not released, oldest first: the checkpoint call
  /// and the frame scope it marks (null: the caller's). Memory allocated
  /// after one belongs to it, so a rollback can release it.
  llvm::SmallVector<std::pair<const Expr *, const Expr *>, 1> Checkpoints;
  /// Frame depth (Stack size) saved in a variable (`base = depth(fa)`).
  VecMap<const void *, unsigned> Snapshots;
  /// Joined from paths with different frames: Stack is what they share, more
  /// frames may be open above it. Such a disjunct reports no pairing mistake.
  bool Coarse = false;
  /// Set on the edge entering a `for` loop whose condition holds for its
  /// initial value (`for (i = 0; i < 4; ++i)`): that first test cannot exit
  /// the loop. Paths entering the loop are kept apart from those coming
  /// back around it.
  const Stmt *FreshLoop = nullptr;
  /// Set on the back edge of such a loop whose second test fails (`for
  /// (int once = (begin, 0); once < 1; once = (end, 1))`): it exits.
  const Stmt *DoneLoop = nullptr;

  bool sameFrames(const Disjunct &O) const {
    return Stack == O.Stack && OuterPops == O.OuterPops &&
           Snapshots == O.Snapshots && Coarse == O.Coarse &&
           Tokens == O.Tokens && Checkpoints == O.Checkpoints &&
           FreshLoop == O.FreshLoop && DoneLoop == O.DoneLoop;
  }
  /// Joins the facts of \p O (paths, stores, ends) into this disjunct; the
  /// conditions are the caller's business.
  bool mergeData(const Disjunct &O);
  /// Joins the origins and stores of \p O (any frames).
  bool mergeMaps(const Disjunct &O);
  /// Does some path inside (or enclosing) \p Slot hold frame memory?
  bool holdsFrameMemory(PathId Slot) const;
  /// Joining \p O keeps every retention of both: each slot is retained
  /// into the same scope on both sides, or holds no frame memory on the
  /// side that did not retain it.
  bool retentionsAgree(const Disjunct &O) const;
  bool operator==(const Disjunct &O) const {
    return sameFrames(O) && LastEnds == O.LastEnds && Vals == O.Vals &&
           Stores == O.Stores && Conds == O.Conds && Retained == O.Retained &&
           Links == O.Links && Copies == O.Copies;
  }
};

/// The state at a program point: a small set of disjuncts. Disjuncts with the
/// same frames are merged when that loses no path information: equal
/// conditions, one set of conditions implied by the other, or conditions that
/// differ in one key only (c and !c). `if (a && b) begin ... if (a && b) end`
/// needs the rest kept apart.
struct FlowState {
  llvm::SmallVector<Disjunct, 2> Disjuncts;

  /// Adds \p D; returns whether the state changed. Disjuncts that differ in
  /// a key of \p KeepApart only are not merged (a conditional expression
  /// evaluated next chooses its value by that key).
  bool add(Disjunct &&D, llvm::ArrayRef<unsigned> KeepApart = {});
  bool join(FlowState &&O, llvm::ArrayRef<unsigned> KeepApart = {});
  /// Over-approximates when there are too many disjuncts: disjuncts with the
  /// same frames are merged and keep only the conditions they agree on.
  void widen();
  /// Joins every disjunct into one coarse disjunct (see Disjunct::Coarse).
  void coarsen();
  bool empty() const { return Disjuncts.empty(); }
};

} // namespace clang::tidy::framealloc

#endif // FRAMEALLOC_TIDY_UTILS_FRAMESTATE_H

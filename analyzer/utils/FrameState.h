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
#include <vector>

namespace clang::tidy::framealloc {

using PathId = unsigned;
using OriginId = unsigned;
constexpr PathId NoPath = ~0u;
constexpr OriginId NoOrigin = ~0u;

/// A small map kept as a vector sorted by key: states are copied and compared
/// at every CFG edge, and they hold a handful of entries.
template <typename K, typename V> class VecMap {
public:
  using Entry = std::pair<K, V>;

  const V *find(K Key) const {
    auto It = lower(Key);
    return It != Items.end() && It->first == Key ? &It->second : nullptr;
  }
  V &operator[](K Key) {
    auto It = lower(Key);
    if (It == Items.end() || It->first != Key)
      It = Items.insert(It, Entry(Key, V()));
    return It->second;
  }
  bool erase(K Key) {
    auto It = lower(Key);
    if (It == Items.end() || It->first != Key)
      return false;
    Items.erase(It);
    return true;
  }
  template <typename Pred> void eraseIf(Pred P) {
    Items.erase(std::remove_if(Items.begin(), Items.end(), P), Items.end());
  }
  bool empty() const { return Items.empty(); }
  size_t size() const { return Items.size(); }
  typename std::vector<Entry>::iterator begin() { return Items.begin(); }
  typename std::vector<Entry>::iterator end() { return Items.end(); }
  typename std::vector<Entry>::const_iterator begin() const {
    return Items.begin();
  }
  typename std::vector<Entry>::const_iterator end() const {
    return Items.end();
  }
  bool operator==(const VecMap &O) const { return Items == O.Items; }
  bool operator!=(const VecMap &O) const { return Items != O.Items; }

private:
  typename std::vector<Entry>::iterator lower(K Key) {
    return std::lower_bound(
        Items.begin(), Items.end(), Key,
        [](const Entry &E, const K &Key) { return E.first < Key; });
  }
  typename std::vector<Entry>::const_iterator lower(K Key) const {
    return std::lower_bound(
        Items.begin(), Items.end(), Key,
        [](const Entry &E, const K &Key) { return E.first < Key; });
  }
  std::vector<Entry> Items;
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
};

class OriginTable {
public:
  OriginId get(const Expr *Site, const Expr *Scope, const Stmt *EndedAt);
  const OriginInfo &operator[](OriginId O) const { return Origins[O]; }
  bool isDead(OriginId O) const { return Origins[O].EndedAt != nullptr; }

private:
  std::vector<OriginInfo> Origins;
  llvm::DenseMap<std::pair<std::pair<const void *, const void *>, const void *>,
                 OriginId>
      Index;
};

/// The state along one set of paths with the same frame stack. Disjuncts with
/// different stacks are kept apart so that correlated branches
/// (`if (c) begin ... if (c) end`) do not look like open frames.
struct Disjunct {
  /// Frames begun in this function and still open, innermost last.
  llvm::SmallVector<const Expr *, 4> Stack;
  /// Frames of the caller ended in this function (FA_ENDS_FRAME wrappers).
  unsigned OuterPops = 0;
  /// Where the caller's frame (or the last own frame) was ended on this path;
  /// used for "frame already ended here" notes.
  SmallSet<const Stmt *> LastEnds;
  /// Origins held by each tracked path.
  VecMap<PathId, OriginSet> Vals;
  /// Stores of frame memory into tracked paths (for notes on escapes).
  VecMap<PathId, SmallSet<const Stmt *>> Stores;
  /// Known truth values of branch conditions (keyed by CondTable ids).
  VecMap<unsigned, bool> Conds;
  /// Frame depth (Stack size) saved in a variable (`base = depth(fa)`).
  VecMap<const void *, unsigned> Snapshots;

  bool sameFrames(const Disjunct &O) const {
    return Stack == O.Stack && OuterPops == O.OuterPops &&
           Snapshots == O.Snapshots;
  }
  /// Joins the facts of \p O (paths, stores, ends) into this disjunct; the
  /// conditions are the caller's business.
  bool mergeData(const Disjunct &O);
  bool operator==(const Disjunct &O) const {
    return sameFrames(O) && LastEnds == O.LastEnds && Vals == O.Vals &&
           Stores == O.Stores && Conds == O.Conds;
  }
};

/// The state at a program point: a small set of disjuncts. Disjuncts with the
/// same frames are merged when that loses no path information: equal
/// conditions, one set of conditions implied by the other, or conditions that
/// differ in one key only (c and !c). `if (a && b) begin ... if (a && b) end`
/// needs the rest kept apart.
struct FlowState {
  llvm::SmallVector<Disjunct, 2> Disjuncts;

  /// Adds \p D; returns whether the state changed.
  bool add(Disjunct D);
  bool join(FlowState &&O);
  /// Over-approximates when there are too many disjuncts: disjuncts with the
  /// same frames are merged and keep only the conditions they agree on.
  void widen();
  bool empty() const { return Disjuncts.empty(); }
};

} // namespace clang::tidy::framealloc

#endif // FRAMEALLOC_TIDY_UTILS_FRAMESTATE_H

/* SPDX-License-Identifier: MIT */
//===--- FrameAnalysis.h - framealloc-tidy ----------------------*- C++ -*-===//
//
// The flow-sensitive frame analysis shared by every framealloc check: one run
// per function and configuration, whose findings each check filters by kind.
//
//===----------------------------------------------------------------------===//

#ifndef FRAMEALLOC_TIDY_UTILS_FRAMEANALYSIS_H
#define FRAMEALLOC_TIDY_UTILS_FRAMEANALYSIS_H

#include "FrameAnnotations.h"
#include "clang/AST/ASTContext.h"
#include "clang/Basic/SourceLocation.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/SmallPtrSet.h"
#include "llvm/ADT/SmallVector.h"
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace clang::tidy::framealloc {

enum class FindingKind { Escape, UseAfterFrame, Pairing, ThreadCrossing };

/// An annotation macro a fix-it may insert after a function declarator.
enum class FixKind { None, ReturnsFrame, BeginsFrame, EndsFrame };

/// A diagnostic message: a format string with %0, %1... and its arguments.
struct Message {
  SourceLocation Loc;
  std::string Format;
  llvm::SmallVector<std::string, 2> Args;
  FixKind Fix = FixKind::None;
  SourceLocation FixLoc; ///< Where the annotation macro goes (after ')').
};

struct Finding {
  FindingKind Kind;
  Message Warning;
  llvm::SmallVector<Message, 3> Notes;
};

/// A slot a helper sets to null (or zeroes) on every path it returns by:
/// below a pointer (or reference) parameter, below `this`, or a global.
/// Elems: for a parameter and `this`, Elems[0] is the dereference, then
/// fields (null = another dereference); for a global, the elements below
/// the variable (none: the variable itself).
struct ClearedPath {
  enum RootKind { ParamRoot, ThisRoot, GlobalRoot } Root = ParamRoot;
  unsigned Param = 0;
  const VarDecl *Global = nullptr;
  llvm::SmallVector<const FieldDecl *, 3> Elems;
  /// The helper's paths that leave the slot set, each known by the truth
  /// value of a parameter (`if (c) g = NULL;`: (c, false)). The clear holds
  /// at a call whose caller knows every such parameter has the other value;
  /// empty: it always holds.
  llvm::SmallVector<std::pair<unsigned, bool>, 1> Unless;
};

/// Fields from an object down to a slot (null entries cross a dereference).
using FieldChain = llvm::SmallVector<const FieldDecl *, 2>;

/// What callers learn about an unannotated function defined in the same
/// translation unit.
struct FunctionSummary {
  /// Returns memory of its caller's frame (it should be FA_RETURNS_FRAME).
  bool ReturnsCallerFrame = false;
  /// Parameters (0-based) whose pointee receives memory of the caller's frame
  /// (scratch-filling helpers).
  llvm::SmallVector<unsigned, 2> FilledParams;
  /// The fields of those pointees that receive it (`l->cmds = ...`, as
  /// parameter paths), so
  /// that a caller clearing the field (`r->list.cmds = NULL;`) clears what
  /// the helper stored.
  llvm::SmallVector<ClearedPath, 2> FilledFields;
  /// Returns memory pushed into the arena of this parameter (0-based), as if
  /// declared FA_RETURNS_FRAME_OF it; keyed::None when not known.
  unsigned ArenaParam = keyed::None;
  /// (P, Q): the pointee of parameter P receives memory pushed into the arena
  /// of parameter Q (0-based), like a FilledParams entry keyed by Q's arena.
  llvm::SmallVector<std::pair<unsigned, unsigned>, 1> FilledArenaParams;
  /// Fields of the returned object (paths below the returned pointer's
  /// pointee, without dereferences) set to memory of the caller's frame
  /// (`f->name = fa_frame_strdup(...); return f;`).
  llvm::SmallVector<FieldChain, 2> ReturnedFields;
  /// The same for a record returned by value, through its pointers: paths
  /// below the returned object that cross a dereference (null), e.g. the
  /// elements of `t.argv` for a tokenizer that fills them with frame strings.
  llvm::SmallVector<FieldChain, 1> ReturnedHeld;
};

/// What a same-file helper does with one of its pointer parameters that makes
/// frame memory passed there outlive its frame (a store into a global, a
/// static or a long-lived object) or leave its thread (pthread_create,
/// std::thread, an FA_CROSSES_THREAD parameter), directly or through the
/// helpers it calls.
struct ParamEffect {
  enum EffectKind { Stores, Crosses } Kind = Stores;
  unsigned Param = 0;
  /// "global 'g_cache'", "long-lived 'w->meshes'", or the thread API.
  std::string Target;
  /// A method's store into a member of its object (`last_ = p;`): the
  /// fields below `*this` (Stores only). The caller stores into the
  /// object it calls the method on, which decides whether that outlives
  /// the frame.
  bool IntoThis = false;
  llvm::SmallVector<const FieldDecl *, 2> ThisPath;
  /// Where it happens: the calls passing the parameter on, then the store
  /// or hand-off in the innermost helper.
  llvm::SmallVector<Message, 2> Trail;
};


struct FunctionResult {
  bool Analyzed = false;
  /// The step budget was exceeded: path states were joined (coarse), so
  /// pairing mistakes may be missed. Abandoned: not even that converged.
  bool BudgetHit = false;
  bool Abandoned = false;
  uint64_t Steps = 0;
  /// Set by the first check that reported the budget remark.
  mutable bool BudgetReported = false;
  std::vector<Finding> Findings;
  FunctionSummary Summary;
};

/// Runs the analysis on demand and caches results per function. One instance
/// per translation unit and configuration.
class FrameAnalyzer {
public:
  FrameAnalyzer(ASTContext &Ctx, const FrameConfig &Config);

  /// The findings and summary of \p FD's body (FD must have a body).
  const FunctionResult &analyze(const FunctionDecl *FD);
  /// The summary of a callee, or null when its body is not available, it is
  /// being analyzed (recursion) or it is in a system header.
  const FunctionSummary *summary(const FunctionDecl *Callee);

  /// Slots a same-file helper clears on every path (`s->p = NULL;`,
  /// `if (g.p) g.p = NULL;`, memset, helpers it calls), computed by running
  /// the analysis over its body (FrameClears.cpp), cached.
  const std::vector<ClearedPath> &clears(const FunctionDecl *Callee);

  /// What a same-file helper does with its pointer parameters (see
  /// ParamEffect); computed from its body on first use, cached. Empty for
  /// functions without a body, in system headers, or being computed
  /// (recursion).
  const std::vector<ParamEffect> &effects(const FunctionDecl *Callee);

  ASTContext &context() const { return Ctx; }
  const FrameConfig &config() const { return Config; }
  AnnotationIndex &index() { return Index; }

private:
  ASTContext &Ctx;
  FrameConfig Config;
  AnnotationIndex Index;
  llvm::DenseMap<const FunctionDecl *, std::unique_ptr<FunctionResult>> Results;
  llvm::SmallPtrSet<const FunctionDecl *, 8> InProgress;
  llvm::DenseMap<const FunctionDecl *, std::vector<ClearedPath>> Clears;
  llvm::SmallPtrSet<const FunctionDecl *, 4> ClearsInProgress;
  std::map<const FunctionDecl *, std::vector<ParamEffect>> Effects;
  llvm::SmallPtrSet<const FunctionDecl *, 4> EffectsInProgress;
  unsigned NestingDepth = 0;
};

} // namespace clang::tidy::framealloc

#endif // FRAMEALLOC_TIDY_UTILS_FRAMEANALYSIS_H

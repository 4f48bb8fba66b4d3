/* SPDX-License-Identifier: MIT */
//===--- FrameAnnotations.h - framealloc-tidy -------------------*- C++ -*-===//
//
// Reading the framealloc annotations (<framealloc/annotations.h>) and the
// CheckOptions function lists that stand in for them on third-party APIs.
//
//===----------------------------------------------------------------------===//

#ifndef FRAMEALLOC_TIDY_UTILS_FRAMEANNOTATIONS_H
#define FRAMEALLOC_TIDY_UTILS_FRAMEANNOTATIONS_H

#include "clang/AST/Decl.h"
#include "clang/AST/Expr.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/SmallVector.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/ADT/StringRef.h"
#include <string>
#include <unordered_map>
#include <vector>

namespace clang::tidy::framealloc {

/// The annotate() strings of <framealloc/annotations.h>. They are the contract
/// between that header and the checks: change them together.
namespace annotation {
constexpr llvm::StringLiteral BeginsFrame = "framealloc.begins_frame";
constexpr llvm::StringLiteral EndsFrame = "framealloc.ends_frame";
constexpr llvm::StringLiteral ReturnsFrame = "framealloc.returns_frame";
constexpr llvm::StringLiteral CrossesThread = "framealloc.crosses_thread";
constexpr llvm::StringLiteral LongLived = "framealloc.long_lived";
constexpr llvm::StringLiteral NoAnalysis = "framealloc.no_analysis";
constexpr llvm::StringLiteral ThreadEntryArg = "framealloc.thread_entry_arg";
constexpr llvm::StringLiteral RetainSlot = "framealloc.retain_slot";
/// Keyed forms: the prefix is followed by a parameter name, a 1-based
/// position or `this`.
constexpr llvm::StringLiteral BeginsFrameOn = "framealloc.begins_frame_on:";
constexpr llvm::StringLiteral EndsFrameOn = "framealloc.ends_frame_on:";
constexpr llvm::StringLiteral ReturnsFrameOf = "framealloc.returns_frame_of:";
} // namespace annotation

/// True if \p D, or any redeclaration of it, carries annotate(\p Name).
bool hasAnnotation(const Decl *D, llvm::StringRef Name);

/// Splits a ';'- or ','-separated option value into trimmed, non-empty items.
std::vector<std::string> splitList(llvm::StringRef Raw);

/// One entry of a ThreadCrossingFunctions list: "name" (every pointer
/// argument crosses) or "name:N" (the N-th argument, 1-based, crosses).
struct CrossingEntry {
  std::string Name;
  unsigned ArgPosition = 0; ///< 1-based; 0 = every pointer argument.
};

/// Parses a ';'/','-separated ThreadCrossingFunctions list. Malformed
/// entries are appended to \p Bad (for a configuration diagnostic).
std::vector<CrossingEntry> parseCrossingList(llvm::StringRef Raw,
                                             std::vector<std::string> *Bad);

/// What the analysis needs from CheckOptions. Every framealloc check reads the
/// same keys (local or global), so all of them normally share one analysis.
struct FrameConfig {
  std::vector<std::string> BeginFunctions;
  std::vector<std::string> EndFunctions;
  std::vector<std::string> AllocFunctions;
  std::vector<CrossingEntry> CrossingFunctions;
  bool AnalyzeHeaders = false;
  /// Per-function step budget (disjuncts carried through blocks) before the
  /// analysis joins its path states; see FrameCheckBase.
  uint64_t MaxSteps = 20000;
  /// Report a function that exceeded its budget as a warning, not a remark.
  bool WarnOnBudget = false;

  /// A fingerprint; checks with equal keys share analysis results.
  std::string key() const;
};

/// The argument of a keyed contract (FA_BEGINS_FRAME_ON and friends).
namespace keyed {
constexpr unsigned None = ~0u; ///< Not keyed: the thread's implicit stack.
constexpr unsigned This = ~1u; ///< The object of a member call.
} // namespace keyed

/// What a call to a function means for frames, from its annotations, the
/// configured lists and the built-in thread-crossing functions.
struct CalleeInfo {
  bool Begins = false;
  bool Ends = false;
  bool ReturnsFrame = false;
  /// 0-based parameters (or keyed::This) naming the arena or scope token of
  /// a keyed contract; keyed::None for the implicit per-thread stack.
  unsigned BeginsOn = keyed::None;
  unsigned EndsOn = keyed::None;
  unsigned ReturnsOf = keyed::None;
  /// FA_RETURNS_FRAME_OF without FA_RETURNS_FRAME: the arena has a permanent
  /// level, so memory pushed outside the analysed function's own scopes on
  /// it is not frame memory there.
  bool ArenaHasBase = false;
  /// A keyed annotation whose argument names no parameter ("FA_ENDS_FRAME_ON
  /// (t)"): the contract falls back to the implicit stack, and calls say so.
  std::string BadKey;
  bool BadKeyIsAlloc = false;
  bool NoAnalysis = false;
  /// fa_frame_checkpoint / fa_frame_rollback: memory allocated after the
  /// checkpoint is released by the rollback.
  bool Checkpoint = false;
  bool Rollback = false;
  bool CrossesAllPointerArgs = false;
  llvm::SmallVector<unsigned, 2> CrossingArgs;   ///< 0-based argument indices.
  llvm::SmallVector<unsigned, 1> RetainSlotArgs; ///< FA_RETAIN_SLOT, 0-based.

  bool changesFrames() const { return Begins || Ends; }
  bool isFrameRelevant() const { return Begins || Ends || ReturnsFrame; }
  bool crossesThreads() const {
    return CrossesAllPointerArgs || !CrossingArgs.empty();
  }
};

/// Classifies declarations; caches per canonical declaration. One per
/// translation unit and configuration.
class AnnotationIndex {
public:
  explicit AnnotationIndex(const FrameConfig &Config);

  const CalleeInfo &callee(const FunctionDecl *FD);

  /// Is argument \p ArgIndex of a call to \p FD handed to another thread?
  bool crossesThread(const FunctionDecl *FD, unsigned ArgIndex,
                     QualType ArgType);

  /// Parameters marked FA_CROSSES_THREAD in the declarator of a function
  /// pointer that \p CalleeExpr calls through (a field, variable or
  /// parameter, possibly through typedefs).
  void crossingParamsOfPointer(const Expr *CalleeExpr,
                               llvm::SmallVectorImpl<unsigned> &Out);

  bool isLongLived(const ValueDecl *D);
  bool isLongLivedType(QualType T);
  bool isLongLivedRecord(const RecordDecl *RD);
  bool isThreadEntryParam(const ParmVarDecl *P);

private:
  static bool nameListed(const FunctionDecl *FD,
                         const llvm::StringMap<bool> &List);

  llvm::StringMap<bool> Begin, End, Alloc;
  llvm::StringMap<llvm::SmallVector<unsigned, 1>> Crossing;
  // References into Callees outlive later insertions (analyses nest through
  // callee summaries), so the map must not move its elements.
  std::unordered_map<const FunctionDecl *, CalleeInfo> Callees;
  llvm::DenseMap<const Decl *, bool> LongLived;
};

} // namespace clang::tidy::framealloc

#endif // FRAMEALLOC_TIDY_UTILS_FRAMEANNOTATIONS_H

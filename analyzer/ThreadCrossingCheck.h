/* SPDX-License-Identifier: MIT */
//===--- ThreadCrossingCheck.h - framealloc-tidy ----------------*- C++ -*-===//
//
// framealloc-thread-crossing
//
//===----------------------------------------------------------------------===//

#ifndef FRAMEALLOC_TIDY_THREADCROSSINGCHECK_H
#define FRAMEALLOC_TIDY_THREADCROSSINGCHECK_H

#include "utils/FrameCheckBase.h"

namespace clang::tidy::framealloc {

/// Finds frame memory, or objects holding frame pointers, handed to another
/// thread: passed to an FA_CROSSES_THREAD parameter (pthread_create's and
/// thrd_create's argument included) or stored into an object received through
/// an FA_THREAD_ENTRY_ARG parameter.
///
/// For the user-facing documentation see:
/// docs/analyzer/thread-crossing.md
class ThreadCrossingCheck : public FrameCheckBase {
public:
  ThreadCrossingCheck(llvm::StringRef Name, ClangTidyContext *Context)
      : FrameCheckBase(Name, Context, FindingKind::ThreadCrossing) {}
};

} // namespace clang::tidy::framealloc

#endif // FRAMEALLOC_TIDY_THREADCROSSINGCHECK_H

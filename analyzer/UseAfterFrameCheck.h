/* SPDX-License-Identifier: MIT */
//===--- UseAfterFrameCheck.h - framealloc-tidy -----------------*- C++ -*-===//
//
// framealloc-use-after-frame
//
//===----------------------------------------------------------------------===//

#ifndef FRAMEALLOC_TIDY_USEAFTERFRAMECHECK_H
#define FRAMEALLOC_TIDY_USEAFTERFRAMECHECK_H

#include "utils/FrameCheckBase.h"

namespace clang::tidy::framealloc {

/// Finds frame memory used after the frame that allocated it ended: read or
/// written through, passed to a function, returned or stored away, through
/// aliases, struct fields and later loop iterations.
///
/// For the user-facing documentation see:
/// docs/analyzer/use-after-frame.md
class UseAfterFrameCheck : public FrameCheckBase {
public:
  UseAfterFrameCheck(llvm::StringRef Name, ClangTidyContext *Context)
      : FrameCheckBase(Name, Context, FindingKind::UseAfterFrame) {}
};

} // namespace clang::tidy::framealloc

#endif // FRAMEALLOC_TIDY_USEAFTERFRAMECHECK_H

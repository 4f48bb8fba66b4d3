/* SPDX-License-Identifier: MIT */
//===--- FrameEscapeCheck.h - framealloc-tidy -------------------*- C++ -*-===//
//
// framealloc-frame-escape
//
//===----------------------------------------------------------------------===//

#ifndef FRAMEALLOC_TIDY_FRAMEESCAPECHECK_H
#define FRAMEALLOC_TIDY_FRAMEESCAPECHECK_H

#include "utils/FrameCheckBase.h"

namespace clang::tidy::framealloc {

/// Finds frame memory that outlives its frame: returned from a function not
/// declared FA_RETURNS_FRAME, or stored into a global, a static, a long-lived
/// object or an object of the caller that the function ends the frame under.
///
/// For the user-facing documentation see:
/// docs/analyzer/frame-escape.md
class FrameEscapeCheck : public FrameCheckBase {
public:
  FrameEscapeCheck(llvm::StringRef Name, ClangTidyContext *Context);
  void storeOptions(ClangTidyOptions::OptionMap &Opts) override;

protected:
  std::string fixMacro(FixKind K) const override;

private:
  const std::string ReturnsFrameMacro;
};

} // namespace clang::tidy::framealloc

#endif // FRAMEALLOC_TIDY_FRAMEESCAPECHECK_H

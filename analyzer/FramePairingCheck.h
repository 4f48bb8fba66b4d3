/* SPDX-License-Identifier: MIT */
//===--- FramePairingCheck.h - framealloc-tidy ------------------*- C++ -*-===//
//
// framealloc-frame-pairing
//
//===----------------------------------------------------------------------===//

#ifndef FRAMEALLOC_TIDY_FRAMEPAIRINGCHECK_H
#define FRAMEALLOC_TIDY_FRAMEPAIRINGCHECK_H

#include "utils/FrameCheckBase.h"

namespace clang::tidy::framealloc {

/// Finds frames begun but not ended on some path to the function's exit,
/// frames begun again by a loop before they are ended, and frame ends with no
/// open frame (double ends, ends in a loop, ends of a caller's frame in a
/// function not declared FA_ENDS_FRAME).
///
/// For the user-facing documentation see:
/// docs/analyzer/frame-pairing.md
class FramePairingCheck : public FrameCheckBase {
public:
  FramePairingCheck(llvm::StringRef Name, ClangTidyContext *Context);
  void storeOptions(ClangTidyOptions::OptionMap &Opts) override;

protected:
  std::string fixMacro(FixKind K) const override;

private:
  const std::string BeginsFrameMacro;
  const std::string EndsFrameMacro;
};

} // namespace clang::tidy::framealloc

#endif // FRAMEALLOC_TIDY_FRAMEPAIRINGCHECK_H

// SPDX-License-Identifier: MIT
//===--- FramePairingCheck.cpp - framealloc-tidy --------------------------===//
//
// framealloc-frame-pairing
//
//===----------------------------------------------------------------------===//

#include "FramePairingCheck.h"

namespace clang::tidy::framealloc {

FramePairingCheck::FramePairingCheck(llvm::StringRef Name,
                                     ClangTidyContext *Context)
    : FrameCheckBase(Name, Context, FindingKind::Pairing),
      BeginsFrameMacro(Options.get("BeginsFrameMacro", "FA_BEGINS_FRAME")),
      EndsFrameMacro(Options.get("EndsFrameMacro", "FA_ENDS_FRAME")) {}

void FramePairingCheck::storeOptions(ClangTidyOptions::OptionMap &Opts) {
  FrameCheckBase::storeOptions(Opts);
  Options.store(Opts, "BeginsFrameMacro", BeginsFrameMacro);
  Options.store(Opts, "EndsFrameMacro", EndsFrameMacro);
}

std::string FramePairingCheck::fixMacro(FixKind K) const {
  if (K == FixKind::BeginsFrame)
    return BeginsFrameMacro;
  if (K == FixKind::EndsFrame)
    return EndsFrameMacro;
  return {};
}

} // namespace clang::tidy::framealloc

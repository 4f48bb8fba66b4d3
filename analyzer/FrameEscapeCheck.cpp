// SPDX-License-Identifier: MIT
//===--- FrameEscapeCheck.cpp - framealloc-tidy ---------------------------===//
//
// framealloc-frame-escape
//
//===----------------------------------------------------------------------===//

#include "FrameEscapeCheck.h"

namespace clang::tidy::framealloc {

FrameEscapeCheck::FrameEscapeCheck(llvm::StringRef Name,
                                   ClangTidyContext *Context)
    : FrameCheckBase(Name, Context, FindingKind::Escape),
      ReturnsFrameMacro(Options.get("ReturnsFrameMacro", "FA_RETURNS_FRAME")) {}

void FrameEscapeCheck::storeOptions(ClangTidyOptions::OptionMap &Opts) {
  FrameCheckBase::storeOptions(Opts);
  Options.store(Opts, "ReturnsFrameMacro", ReturnsFrameMacro);
}

std::string FrameEscapeCheck::fixMacro(FixKind K) const {
  return K == FixKind::ReturnsFrame ? ReturnsFrameMacro : std::string();
}

} // namespace clang::tidy::framealloc

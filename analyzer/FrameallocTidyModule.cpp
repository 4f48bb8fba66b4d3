// SPDX-License-Identifier: MIT
//===--- FrameallocTidyModule.cpp - framealloc-tidy -----------------------===//
//
// The framealloc clang-tidy module: loaded with
//   clang-tidy --load=framealloc-tidy.so -checks='-*,framealloc-*' ...
//
//===----------------------------------------------------------------------===//

#include "FrameEscapeCheck.h"
#include "FramePairingCheck.h"
#include "ThreadCrossingCheck.h"
#include "UseAfterFrameCheck.h"
#include "clang-tidy/ClangTidyModule.h"
#include "clang-tidy/ClangTidyModuleRegistry.h"

namespace clang::tidy::framealloc {

class FrameallocModule : public ClangTidyModule {
public:
  void addCheckFactories(ClangTidyCheckFactories &CheckFactories) override {
    CheckFactories.registerCheck<FrameEscapeCheck>("framealloc-frame-escape");
    CheckFactories.registerCheck<FramePairingCheck>("framealloc-frame-pairing");
    CheckFactories.registerCheck<ThreadCrossingCheck>(
        "framealloc-thread-crossing");
    CheckFactories.registerCheck<UseAfterFrameCheck>(
        "framealloc-use-after-frame");
  }
};

// Registers the module when clang-tidy loads the plugin.
static ClangTidyModuleRegistry::Add<FrameallocModule>
    X("framealloc-module", "Checks that enforce framealloc frame lifetimes.");

} // namespace clang::tidy::framealloc

/* SPDX-License-Identifier: MIT */
//===--- FrameCheckBase.h - framealloc-tidy ---------------------*- C++ -*-===//
//
// What every framealloc check shares: the options that configure the
// analysis, the function matcher, the per-translation-unit analysis cache and
// the rendering of findings as diagnostics.
//
//===----------------------------------------------------------------------===//

#ifndef FRAMEALLOC_TIDY_UTILS_FRAMECHECKBASE_H
#define FRAMEALLOC_TIDY_UTILS_FRAMECHECKBASE_H

#include "FrameAnalysis.h"
#include "clang-tidy/ClangTidyCheck.h"

namespace clang {
class Preprocessor;
} // namespace clang

namespace clang::tidy::framealloc {

/// Base of the framealloc checks. Each check reports the findings of one kind
/// from the shared analysis; checks configured alike share one analysis run
/// per function.
///
/// Options (each read as `<check>.<Name>` or, failing that, the global
/// `<Name>`):
///   BeginFrameFunctions, EndFrameFunctions, FrameAllocFunctions:
///     ';'-separated function names treated as FA_BEGINS_FRAME,
///     FA_ENDS_FRAME and FA_RETURNS_FRAME.
///   ThreadCrossingFunctions: ';'-separated `name` or `name:N` (N = 1-based
///     argument position) treated as FA_CROSSES_THREAD; pthread_create:4 and
///     thrd_create:3 are built in.
///   AnalyzeHeaders: analyze function bodies in non-system headers too.
class FrameCheckBase : public ClangTidyCheck {
public:
  FrameCheckBase(llvm::StringRef Name, ClangTidyContext *Context,
                 FindingKind Kind);

  bool isLanguageVersionSupported(const LangOptions &LangOpts) const override {
    return true;
  }
  void storeOptions(ClangTidyOptions::OptionMap &Opts) override;
  void registerMatchers(ast_matchers::MatchFinder *Finder) override;
  void registerPPCallbacks(const SourceManager &SM, Preprocessor *PP,
                           Preprocessor *ModuleExpanderPP) override;
  void check(const ast_matchers::MatchFinder::MatchResult &Result) override;
  void onStartOfTranslationUnit() override;
  void onEndOfTranslationUnit() override;
  llvm::Optional<TraversalKind> getCheckTraversalKind() const override {
    return TK_AsIs;
  }

protected:
  /// The annotation macro a fix-it of kind \p K inserts; empty = no fix-it.
  virtual std::string fixMacro(FixKind K) const { return {}; }

private:
  void emit(const Finding &F);
  void emitMessage(const Message &M, DiagnosticIDs::Level Level);

  FindingKind Kind;
  std::string RawBegin, RawEnd, RawAlloc, RawCrossing;
  FrameConfig Config;
  Preprocessor *PP = nullptr;
};

} // namespace clang::tidy::framealloc

#endif // FRAMEALLOC_TIDY_UTILS_FRAMECHECKBASE_H

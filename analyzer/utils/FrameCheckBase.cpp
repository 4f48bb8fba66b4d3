// SPDX-License-Identifier: MIT
//===--- FrameCheckBase.cpp - framealloc-tidy -----------------------------===//
//
// Options, matching, the shared analysis cache and diagnostics rendering.
//
//===----------------------------------------------------------------------===//

#include "FrameCheckBase.h"
#include "clang/AST/ASTContext.h"
#include "clang/ASTMatchers/ASTMatchFinder.h"
#include "clang/Lex/Preprocessor.h"
#include <map>

using namespace clang::ast_matchers;

namespace clang::tidy::framealloc {

namespace {
/// The analyzers of the current translation unit, one per configuration. The
/// checks of one clang-tidy run are created per translation unit and see the
/// same functions, so the first check to reach a function analyzes it and the
/// others reuse the result.
struct AnalyzerCache {
  const ASTContext *Ctx = nullptr;
  std::map<std::string, std::unique_ptr<FrameAnalyzer>> ByConfig;
};
} // namespace

static AnalyzerCache &analyzerCache() {
  static AnalyzerCache Cache;
  return Cache;
}

static FrameAnalyzer &analyzerFor(ASTContext &Ctx, const FrameConfig &Config) {
  AnalyzerCache &Cache = analyzerCache();
  if (Cache.Ctx != &Ctx) {
    Cache.ByConfig.clear();
    Cache.Ctx = &Ctx;
  }
  std::unique_ptr<FrameAnalyzer> &Slot = Cache.ByConfig[Config.key()];
  if (!Slot)
    Slot = std::make_unique<FrameAnalyzer>(Ctx, Config);
  return *Slot;
}

FrameCheckBase::FrameCheckBase(llvm::StringRef Name, ClangTidyContext *Context,
                               FindingKind Kind)
    : ClangTidyCheck(Name, Context), Kind(Kind),
      RawBegin(Options.getLocalOrGlobal("BeginFrameFunctions", "")),
      RawEnd(Options.getLocalOrGlobal("EndFrameFunctions", "")),
      RawAlloc(Options.getLocalOrGlobal("FrameAllocFunctions", "")),
      RawCrossing(Options.getLocalOrGlobal("ThreadCrossingFunctions", "")) {
  Config.BeginFunctions = splitList(RawBegin);
  Config.EndFunctions = splitList(RawEnd);
  Config.AllocFunctions = splitList(RawAlloc);
  Config.AnalyzeHeaders = Options.getLocalOrGlobal("AnalyzeHeaders", false);
  Config.MaxSteps = Options.getLocalOrGlobal("MaxStepsPerFunction",
                                             Config.MaxSteps);
  if (Config.MaxSteps == 0)
    Config.MaxSteps = 1;
  Config.WarnOnBudget =
      Options.getLocalOrGlobal("WarnOnAnalysisBudget", false);

  std::vector<std::string> Bad;
  Config.CrossingFunctions = parseCrossingList(RawCrossing, &Bad);
  // Every framealloc check reads the list; a global value is diagnosed once,
  // by the thread-crossing check.
  bool Local = Options.get("ThreadCrossingFunctions").hasValue();
  if (Local || Kind == FindingKind::ThreadCrossing)
    for (const std::string &Entry : Bad)
      configurationDiag(
          "invalid entry '%0' in option '%1.ThreadCrossingFunctions'"
          ": expected 'name' or 'name:N' with N >= 1")
          << Entry << Name;
}

void FrameCheckBase::storeOptions(ClangTidyOptions::OptionMap &Opts) {
  Options.store(Opts, "BeginFrameFunctions", RawBegin);
  Options.store(Opts, "EndFrameFunctions", RawEnd);
  Options.store(Opts, "FrameAllocFunctions", RawAlloc);
  Options.store(Opts, "ThreadCrossingFunctions", RawCrossing);
  Options.store(Opts, "AnalyzeHeaders", Config.AnalyzeHeaders);
  Options.store(Opts, "MaxStepsPerFunction", Config.MaxSteps);
  Options.store(Opts, "WarnOnAnalysisBudget", Config.WarnOnBudget);
}

void FrameCheckBase::registerMatchers(MatchFinder *Finder) {
  // Main file only by default: system and library headers are where most of
  // clang-tidy's time goes on large code bases, and their bodies are not the
  // user's to fix.
  if (Config.AnalyzeHeaders)
    Finder->addMatcher(
        functionDecl(isDefinition(), unless(isExpansionInSystemHeader()))
            .bind("fn"),
        this);
  else
    Finder->addMatcher(
        functionDecl(isDefinition(), isExpansionInMainFile()).bind("fn"), this);
}

void FrameCheckBase::registerPPCallbacks(const SourceManager & /*SM*/,
                                         Preprocessor *PP,
                                         Preprocessor * /*ModuleExpanderPP*/) {
  this->PP = PP;
}

void FrameCheckBase::onStartOfTranslationUnit() {
  analyzerCache().ByConfig.clear();
  analyzerCache().Ctx = nullptr;
}

void FrameCheckBase::onEndOfTranslationUnit() {
  analyzerCache().ByConfig.clear();
  analyzerCache().Ctx = nullptr;
}

void FrameCheckBase::check(const MatchFinder::MatchResult &Result) {
  const auto *FD = Result.Nodes.getNodeAs<FunctionDecl>("fn");
  if (!FD || !FD->hasBody() || FD->isImplicit() || FD->isDependentContext())
    return;
  FrameAnalyzer &Analyzer = analyzerFor(*Result.Context, Config);
  const FunctionResult &R = Analyzer.analyze(FD);
  for (const Finding &F : R.Findings)
    if (F.Kind == Kind)
      emit(F);
  // A function past the step budget is never skipped silently: the first
  // check to see it says so.
  if ((R.BudgetHit || R.Abandoned) && !R.BudgetReported) {
    R.BudgetReported = true;
    DiagnosticIDs::Level Level =
        Config.WarnOnBudget ? DiagnosticIDs::Warning : DiagnosticIDs::Remark;
    std::string Name = FD->getDeclName().isIdentifier()
                           ? FD->getName().str()
                           : FD->getNameAsString();
    if (R.Abandoned)
      diag(FD->getLocation(),
           "'%0' was not analyzed: its path states did not converge within "
           "%1 steps (MaxStepsPerFunction)",
           Level)
          << Name << std::to_string(Config.MaxSteps * 4);
    else
      diag(FD->getLocation(),
           "'%0' exceeded the analysis budget of %1 steps "
           "(MaxStepsPerFunction): its paths were joined, so frame-pairing "
           "mistakes in it may be missed",
           Level)
          << Name << std::to_string(Config.MaxSteps);
  }
}

void FrameCheckBase::emitMessage(const Message &M, DiagnosticIDs::Level Level) {
  DiagnosticBuilder Diag = diag(M.Loc, M.Format, Level);
  for (const std::string &Arg : M.Args)
    Diag << Arg;
  if (M.Fix == FixKind::None || M.FixLoc.isInvalid())
    return;
  // Insert the project's macro, and only when this translation unit has it
  // (the annotations header is included), so the fix compiles.
  std::string Macro = fixMacro(M.Fix);
  if (Macro.empty() || !PP || !PP->isMacroDefined(Macro))
    return;
  Diag << FixItHint::CreateInsertion(M.FixLoc, " " + Macro);
}

void FrameCheckBase::emit(const Finding &F) {
  emitMessage(F.Warning, DiagnosticIDs::Warning);
  for (const Message &Note : F.Notes)
    emitMessage(Note, DiagnosticIDs::Note);
}

} // namespace clang::tidy::framealloc

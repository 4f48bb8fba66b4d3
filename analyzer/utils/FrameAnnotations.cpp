// SPDX-License-Identifier: MIT
//===--- FrameAnnotations.cpp - framealloc-tidy ---------------------------===//
//
// Reading the framealloc annotations and the configured function lists.
//
//===----------------------------------------------------------------------===//

#include "FrameAnnotations.h"
#include "clang/AST/Attr.h"
#include "clang/AST/DeclCXX.h"
#include "clang/AST/Type.h"
#include "clang/AST/TypeLoc.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/StringExtras.h"
#include <algorithm>

namespace clang::tidy::framealloc {

static bool declHasAnnotation(const Decl *D, llvm::StringRef Name) {
  return llvm::any_of(
      D->specific_attrs<AnnotateAttr>(),
      [Name](const AnnotateAttr *A) { return A->getAnnotation() == Name; });
}

bool hasAnnotation(const Decl *D, llvm::StringRef Name) {
  if (!D)
    return false;
  // AnnotateAttr is inheritable, but a definition written before the annotated
  // prototype is not covered by inheritance: look at every redeclaration.
  return llvm::any_of(D->redecls(), [Name](const Decl *R) {
    return R->hasAttrs() && declHasAnnotation(R, Name);
  });
}

std::vector<std::string> splitList(llvm::StringRef Raw) {
  std::string Normalized = Raw.str();
  std::replace(Normalized.begin(), Normalized.end(), ',', ';');
  llvm::SmallVector<llvm::StringRef, 8> Parts;
  llvm::StringRef(Normalized).split(Parts, ';', -1, /*KeepEmpty=*/false);
  std::vector<std::string> Items;
  for (llvm::StringRef Part : Parts)
    if (!Part.trim().empty())
      Items.push_back(Part.trim().str());
  return Items;
}

std::vector<CrossingEntry> parseCrossingList(llvm::StringRef Raw,
                                             std::vector<std::string> *Bad) {
  std::vector<CrossingEntry> Result;
  for (const std::string &Item : splitList(Raw)) {
    llvm::StringRef Part(Item);
    CrossingEntry Entry;
    // "ns::f:2": the position follows the last ':' that is not part of "::".
    size_t Colon = Part.rfind(':');
    bool HasPosition = Colon != llvm::StringRef::npos &&
                       (Colon == 0 || Part[Colon - 1] != ':') &&
                       (Colon + 1 >= Part.size() || Part[Colon + 1] != ':');
    llvm::StringRef Name = HasPosition ? Part.take_front(Colon).trim() : Part;
    if (HasPosition) {
      llvm::StringRef Pos = Part.drop_front(Colon + 1).trim();
      if (Pos.getAsInteger(10, Entry.ArgPosition) || Entry.ArgPosition == 0 ||
          Name.empty()) {
        if (Bad)
          Bad->push_back(Part.str());
        continue;
      }
    }
    Entry.Name = Name.str();
    Result.push_back(std::move(Entry));
  }
  return Result;
}

std::string FrameConfig::key() const {
  std::string Key;
  auto Append = [&Key](const std::vector<std::string> &List) {
    for (const std::string &S : List)
      Key += S + ";";
    Key += "|";
  };
  Append(BeginFunctions);
  Append(EndFunctions);
  Append(AllocFunctions);
  for (const CrossingEntry &E : CrossingFunctions)
    Key += E.Name + ":" + std::to_string(E.ArgPosition) + ";";
  Key += AnalyzeHeaders ? "|H" : "|M";
  Key += "|" + std::to_string(MaxSteps) + (WarnOnBudget ? "W" : "R");
  return Key;
}

AnnotationIndex::AnnotationIndex(const FrameConfig &Config) {
  for (const std::string &N : Config.BeginFunctions)
    Begin[N] = true;
  for (const std::string &N : Config.EndFunctions)
    End[N] = true;
  for (const std::string &N : Config.AllocFunctions)
    Alloc[N] = true;
  // The standard thread-creation functions cross without annotation.
  Crossing["pthread_create"].push_back(3);
  Crossing["thrd_create"].push_back(2);
  for (const CrossingEntry &E : Config.CrossingFunctions)
    Crossing[E.Name].push_back(E.ArgPosition == 0 ? ~0u : E.ArgPosition - 1);
}

bool AnnotationIndex::nameListed(const FunctionDecl *FD,
                                 const llvm::StringMap<bool> &List) {
  if (List.empty() || !FD->getDeclName().isIdentifier())
    return false;
  if (List.count(FD->getName()))
    return true;
  if (!FD->isCXXClassMember() && FD->isExternC())
    return false;
  return List.count(FD->getQualifiedNameAsString()) != 0;
}

/// The parameter a keyed annotation names on \p FD (any redeclaration's
/// spelling), or keyed::None when it names none (its argument in \p Bad).
static unsigned keyedParam(const FunctionDecl *FD, llvm::StringRef Prefix,
                           std::string &Bad) {
  for (const FunctionDecl *R : FD->redecls()) {
    if (!R->hasAttrs())
      continue;
    for (const AnnotateAttr *A : R->specific_attrs<AnnotateAttr>()) {
      llvm::StringRef S = A->getAnnotation();
      if (!S.consume_front(Prefix))
        continue;
      S = S.trim();
      unsigned Position = 0;
      if (!S.getAsInteger(10, Position)) {
        if (Position >= 1 && Position <= FD->getNumParams())
          return Position - 1;
        Bad = S.str();
        continue;
      }
      if (S == "this") {
        if (isa<CXXMethodDecl>(FD) && !cast<CXXMethodDecl>(FD)->isStatic())
          return keyed::This;
        Bad = S.str();
        continue;
      }
      // Prototype and definition may name the parameters differently.
      for (const FunctionDecl *Named : FD->redecls())
        for (unsigned I = 0, N = Named->getNumParams(); I < N; ++I)
          if (Named->getParamDecl(I)->getName() == S)
            return I;
      Bad = S.str();
    }
  }
  return keyed::None;
}

/// Does any redeclaration of \p FD carry an annotation starting with
/// \p Prefix?
static bool hasKeyedAnnotation(const FunctionDecl *FD, llvm::StringRef Prefix) {
  return llvm::any_of(FD->redecls(), [Prefix](const FunctionDecl *R) {
    return R->hasAttrs() &&
           llvm::any_of(R->specific_attrs<AnnotateAttr>(),
                        [Prefix](const AnnotateAttr *A) {
                          return A->getAnnotation().startswith(Prefix);
                        });
  });
}

const CalleeInfo &AnnotationIndex::callee(const FunctionDecl *FD) {
  FD = FD->getCanonicalDecl();
  auto It = Callees.find(FD);
  if (It != Callees.end())
    return It->second;

  CalleeInfo Info;
  Info.Begins =
      hasAnnotation(FD, annotation::BeginsFrame) || nameListed(FD, Begin);
  Info.Ends = hasAnnotation(FD, annotation::EndsFrame) || nameListed(FD, End);
  Info.ReturnsFrame =
      hasAnnotation(FD, annotation::ReturnsFrame) || nameListed(FD, Alloc);
  Info.NoAnalysis = hasAnnotation(FD, annotation::NoAnalysis);
  // The keyed forms imply the plain contract; a parameter they do not name
  // leaves the contract on the implicit stack.
  std::string Bad;
  if (hasKeyedAnnotation(FD, annotation::BeginsFrameOn)) {
    Info.Begins = true;
    Info.BeginsOn = keyedParam(FD, annotation::BeginsFrameOn, Bad);
    if (Info.BeginsOn == keyed::None)
      Info.BadKey = "FA_BEGINS_FRAME_ON(" + Bad + ")";
  }
  if (hasKeyedAnnotation(FD, annotation::EndsFrameOn)) {
    Info.Ends = true;
    Info.EndsOn = keyedParam(FD, annotation::EndsFrameOn, Bad);
    if (Info.EndsOn == keyed::None)
      Info.BadKey = "FA_ENDS_FRAME_ON(" + Bad + ")";
  }
  if (hasKeyedAnnotation(FD, annotation::ReturnsFrameOf)) {
    Info.ArenaHasBase = !Info.ReturnsFrame;
    Info.ReturnsFrame = true;
    Info.ReturnsOf = keyedParam(FD, annotation::ReturnsFrameOf, Bad);
    if (Info.ReturnsOf == keyed::None) {
      Info.BadKey = "FA_RETURNS_FRAME_OF(" + Bad + ")";
      Info.BadKeyIsAlloc = true;
    }
  }

  // Parameter annotations may sit on any redeclaration (prototype in a header,
  // definition in the source file).
  for (const FunctionDecl *R : FD->redecls()) {
    for (unsigned I = 0, N = R->getNumParams(); I < N; ++I) {
      const ParmVarDecl *P = R->getParamDecl(I);
      if (!P->hasAttrs())
        continue;
      if (declHasAnnotation(P, annotation::CrossesThread) &&
          !llvm::is_contained(Info.CrossingArgs, I))
        Info.CrossingArgs.push_back(I);
      if (declHasAnnotation(P, annotation::RetainSlot) &&
          !llvm::is_contained(Info.RetainSlotArgs, I))
        Info.RetainSlotArgs.push_back(I);
    }
  }

  if (FD->getDeclName().isIdentifier() && !FD->isCXXClassMember()) {
    Info.Checkpoint = FD->getName() == "fa_frame_checkpoint";
    Info.Rollback = FD->getName() == "fa_frame_rollback";
  }

  // std::async runs its callable and arguments on another thread.
  if (FD->isInStdNamespace() && FD->getDeclName().isIdentifier() &&
      FD->getName() == "async")
    Info.CrossesAllPointerArgs = true;
  if (FD->getDeclName().isIdentifier()) {
    auto Listed = Crossing.find(FD->getName());
    if (Listed == Crossing.end() && FD->isCXXClassMember())
      Listed = Crossing.find(FD->getQualifiedNameAsString());
    if (Listed != Crossing.end())
      for (unsigned Index : Listed->second) {
        if (Index == ~0u)
          Info.CrossesAllPointerArgs = true;
        else if (!llvm::is_contained(Info.CrossingArgs, Index))
          Info.CrossingArgs.push_back(Index);
      }
  }
  return Callees.try_emplace(FD, std::move(Info)).first->second;
}

bool AnnotationIndex::crossesThread(const FunctionDecl *FD, unsigned ArgIndex,
                                    QualType ArgType) {
  const CalleeInfo &Info = callee(FD);
  if (llvm::is_contained(Info.CrossingArgs, ArgIndex))
    return true;
  return Info.CrossesAllPointerArgs && !ArgType.isNull() &&
         (ArgType->isPointerType() || ArgType->isRecordType());
}

void AnnotationIndex::crossingParamsOfPointer(
    const Expr *E, llvm::SmallVectorImpl<unsigned> &Out) {
  E = E->IgnoreParenImpCasts();
  if (const auto *UO = dyn_cast<UnaryOperator>(E))
    if (UO->getOpcode() == UO_Deref)
      E = UO->getSubExpr()->IgnoreParenImpCasts();
  const DeclaratorDecl *DD = nullptr;
  if (const auto *ME = dyn_cast<MemberExpr>(E))
    DD = dyn_cast<DeclaratorDecl>(ME->getMemberDecl());
  else if (const auto *DRE = dyn_cast<DeclRefExpr>(E))
    DD = dyn_cast<DeclaratorDecl>(DRE->getDecl());
  if (!DD || !DD->getTypeSourceInfo())
    return;
  TypeLoc TL = DD->getTypeSourceInfo()->getTypeLoc();
  for (unsigned Depth = 0; Depth < 16 && !TL.isNull(); ++Depth) {
    if (auto FTL = TL.getAs<FunctionProtoTypeLoc>()) {
      for (unsigned I = 0, N = FTL.getNumParams(); I < N; ++I)
        if (const ParmVarDecl *P = FTL.getParam(I))
          if (P->hasAttrs() && declHasAnnotation(P, annotation::CrossesThread))
            Out.push_back(I);
      return;
    }
    if (auto PTL = TL.getAs<PointerTypeLoc>())
      TL = PTL.getPointeeLoc();
    else if (auto RTL = TL.getAs<ReferenceTypeLoc>())
      TL = RTL.getPointeeLoc();
    else if (auto PaTL = TL.getAs<ParenTypeLoc>())
      TL = PaTL.getInnerLoc();
    else if (auto QTL = TL.getAs<QualifiedTypeLoc>())
      TL = QTL.getUnqualifiedLoc();
    else if (auto ATL = TL.getAs<AttributedTypeLoc>())
      TL = ATL.getModifiedLoc();
    else if (auto ETL = TL.getAs<ElaboratedTypeLoc>())
      TL = ETL.getNamedTypeLoc();
    else if (auto TTL = TL.getAs<TypedefTypeLoc>()) {
      const TypeSourceInfo *TSI = TTL.getTypedefNameDecl()->getTypeSourceInfo();
      if (!TSI)
        return;
      TL = TSI->getTypeLoc();
    } else
      return;
  }
}

bool AnnotationIndex::isLongLived(const ValueDecl *D) {
  if (!D)
    return false;
  auto It = LongLived.find(D);
  if (It != LongLived.end())
    return It->second;
  bool Result = hasAnnotation(D, annotation::LongLived);
  LongLived[D] = Result;
  return Result;
}

bool AnnotationIndex::isLongLivedType(QualType T) {
  if (T.isNull())
    return false;
  // typedef T FA_LONG_LIVED Name; marks the typedef itself.
  while (const auto *TT = T->getAs<TypedefType>()) {
    const TypedefNameDecl *TD = TT->getDecl();
    if (TD->hasAttrs() && declHasAnnotation(TD, annotation::LongLived))
      return true;
    T = TD->getUnderlyingType();
  }
  return isLongLivedRecord(T->getAsRecordDecl());
}

bool AnnotationIndex::isLongLivedRecord(const RecordDecl *RD) {
  if (!RD)
    return false;
  auto It = LongLived.find(RD->getCanonicalDecl());
  if (It != LongLived.end())
    return It->second;
  bool Result = hasAnnotation(RD, annotation::LongLived);
  LongLived[RD->getCanonicalDecl()] = Result;
  return Result;
}

bool AnnotationIndex::isThreadEntryParam(const ParmVarDecl *P) {
  if (!P)
    return false;
  if (P->hasAttrs() && declHasAnnotation(P, annotation::ThreadEntryArg))
    return true;
  // The annotation may be on the prototype's parameter.
  const auto *FD = dyn_cast<FunctionDecl>(P->getDeclContext());
  if (!FD)
    return false;
  unsigned Index = P->getFunctionScopeIndex();
  return llvm::any_of(FD->redecls(), [Index](const FunctionDecl *R) {
    return Index < R->getNumParams() &&
           declHasAnnotation(R->getParamDecl(Index),
                             annotation::ThreadEntryArg);
  });
}

} // namespace clang::tidy::framealloc

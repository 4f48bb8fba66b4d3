// SPDX-License-Identifier: MIT
//===--- UseAfterFrameCheck.cpp - framealloc-tidy -------------------------===//
//
// framealloc-use-after-frame: everything lives in the shared analysis
// (utils/FrameTransfer.cpp: checkDeref, handleArgument, handleReturn, store).
//
//===----------------------------------------------------------------------===//

#include "UseAfterFrameCheck.h"

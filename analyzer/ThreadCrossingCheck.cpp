// SPDX-License-Identifier: MIT
//===--- ThreadCrossingCheck.cpp - framealloc-tidy ------------------------===//
//
// framealloc-thread-crossing: everything lives in the shared analysis
// (utils/FrameTransfer.cpp: checkCrossing and store).
//
//===----------------------------------------------------------------------===//

#include "ThreadCrossingCheck.h"

# SPDX-License-Identifier: MIT
# Cross-compiling for 64-bit Windows with Debian's MinGW-w64 (gcc-mingw-w64-x86-64, win32
# threads). Test and example programs run under wine64 when it is installed: CMake uses it as
# the emulator for ctest and custom commands.
set(CMAKE_SYSTEM_NAME Windows)
set(CMAKE_SYSTEM_PROCESSOR x86_64)

set(_fa_mingw x86_64-w64-mingw32)
set(CMAKE_C_COMPILER ${_fa_mingw}-gcc)
set(CMAKE_CXX_COMPILER ${_fa_mingw}-g++)
set(CMAKE_RC_COMPILER ${_fa_mingw}-windres)

set(CMAKE_FIND_ROOT_PATH /usr/${_fa_mingw})
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE ONLY)

# Self-contained executables: no libgcc/libwinpthread DLLs to put next to them.
set(CMAKE_EXE_LINKER_FLAGS_INIT "-static -static-libgcc")
set(CMAKE_SHARED_LINKER_FLAGS_INIT "-static-libgcc")

find_program(FRAMEALLOC_WINE NAMES wine64 wine PATHS /usr/lib/wine NO_CMAKE_FIND_ROOT_PATH)
if(FRAMEALLOC_WINE)
  set(CMAKE_CROSSCOMPILING_EMULATOR ${FRAMEALLOC_WINE})
endif()

# SPDX-License-Identifier: MIT
# Integration tests (included from tests/CMakeLists.txt): the installed package (Debug and
# Release side by side) consumed through find_package and pkg-config, and the public header
# compiled as C11 and C++ by every compiler present.

if(NOT FRAMEALLOC_SANITIZE)
  # The consumer is built without sanitizer flags, so it can only link an uninstrumented library.
  # Builds its own Release and Debug libraries (library only, ~30 files each way) and installs
  # them side by side; see consumer/run.sh.
  add_test(NAME install-consumer
           COMMAND bash ${CMAKE_CURRENT_LIST_DIR}/consumer/run.sh ${PROJECT_SOURCE_DIR}
                   ${CMAKE_C_COMPILER})
  set_tests_properties(install-consumer PROPERTIES LABELS "integration" TIMEOUT 600)
endif()

enable_language(CXX)
add_executable(cxx-header-test ${CMAKE_CURRENT_LIST_DIR}/cxx/header_test.cpp)
target_link_libraries(cxx-header-test PRIVATE framealloc_rel)
target_compile_features(cxx-header-test PRIVATE cxx_std_11)
target_compile_options(cxx-header-test PRIVATE -Wall -Wextra -Werror -pedantic)
add_test(NAME cxx-header COMMAND cxx-header-test)
set_tests_properties(cxx-header PROPERTIES LABELS "integration")

set(_fa_inc -I${PROJECT_SOURCE_DIR}/runtime/include -I${PROJECT_SOURCE_DIR}/annotations)
foreach(cc gcc clang-14)
  find_program(_fa_${cc} ${cc})
  if(_fa_${cc})
    add_test(NAME header-c11-${cc}
             COMMAND ${_fa_${cc}} -std=c11 -Wall -Wextra -Werror -pedantic -fsyntax-only ${_fa_inc}
                     ${CMAKE_CURRENT_LIST_DIR}/consumer/main.c)
    set_tests_properties(header-c11-${cc} PROPERTIES LABELS "integration")
  endif()
endforeach()
foreach(cxx g++ clang++-14)
  find_program(_fa_${cxx} ${cxx})
  if(_fa_${cxx})
    string(MAKE_C_IDENTIFIER ${cxx} _id)
    add_test(NAME header-cxx-${_id}
             COMMAND ${_fa_${cxx}} -std=c++11 -Wall -Wextra -Werror -pedantic -fsyntax-only
                     ${_fa_inc} ${CMAKE_CURRENT_LIST_DIR}/cxx/header_test.cpp)
    set_tests_properties(header-cxx-${_id} PROPERTIES LABELS "integration")
  endif()
endforeach()

# SPDX-License-Identifier: MIT
# cmake -DCLANG_TIDY=... -DPLUGIN=... -DCHECKS="a;b" -P check-plugin-loads.cmake
# Fails unless `clang-tidy --load=PLUGIN --list-checks` lists every check in CHECKS.
execute_process(COMMAND "${CLANG_TIDY}" "--load=${PLUGIN}" --list-checks "-checks=-*,framealloc-*"
                OUTPUT_VARIABLE _out ERROR_VARIABLE _err RESULT_VARIABLE _rc)
if(NOT _rc EQUAL 0)
  message(FATAL_ERROR "clang-tidy failed (${_rc}) loading ${PLUGIN}:\n${_out}${_err}")
endif()
foreach(_check IN LISTS CHECKS)
  string(FIND "${_out}" "    ${_check}\n" _pos)
  if(_pos EQUAL -1)
    message(FATAL_ERROR "'${_check}' is not listed by ${CLANG_TIDY} --load=${PLUGIN}:\n${_out}${_err}")
  endif()
endforeach()
message(STATUS "framealloc-tidy loads; checks: ${CHECKS}")

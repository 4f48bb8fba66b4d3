# Asserts the shared library's static TLS budget: the PT_TLS segment (every thread-local of the
# library, which a module with initial-exec accesses must fit into static TLS as a whole) stays
# within 128 bytes, and the FA_DYNAMIC_TLS build is not marked STATIC_TLS at all.
# Usage: cmake -DREADELF=<readelf> -DLIB=<lib.so> -DDTLS_LIB=<lib.so> -P tls_size.cmake
set(FA_TLS_BUDGET 128)

function(_fa_tls_memsz lib out)
  execute_process(COMMAND ${READELF} -lW ${lib} OUTPUT_VARIABLE ph RESULT_VARIABLE rc)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "readelf -lW ${lib} failed")
  endif()
  # TLS  Offset VirtAddr PhysAddr FileSiz MemSiz Flg Align
  if(ph MATCHES "\n *TLS +0x[0-9a-f]+ +0x[0-9a-f]+ +0x[0-9a-f]+ +0x[0-9a-f]+ +(0x[0-9a-f]+)")
    math(EXPR memsz "${CMAKE_MATCH_1}")
  else()
    set(memsz 0)
  endif()
  set(${out} ${memsz} PARENT_SCOPE)
endfunction()

_fa_tls_memsz(${LIB} memsz)
message(STATUS "PT_TLS memsz of ${LIB}: ${memsz} bytes")
if(memsz EQUAL 0 OR memsz GREATER FA_TLS_BUDGET)
  message(FATAL_ERROR "PT_TLS memsz ${memsz} is 0 or exceeds the ${FA_TLS_BUDGET}-byte budget")
endif()

execute_process(COMMAND ${READELF} -dW ${DTLS_LIB} OUTPUT_VARIABLE dyn RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "readelf -dW ${DTLS_LIB} failed")
endif()
if(dyn MATCHES "STATIC_TLS")
  message(FATAL_ERROR "${DTLS_LIB} is marked STATIC_TLS although built with FA_DYNAMIC_TLS")
endif()
_fa_tls_memsz(${DTLS_LIB} dmemsz)
message(STATUS "PT_TLS memsz of ${DTLS_LIB}: ${dmemsz} bytes, not STATIC_TLS")

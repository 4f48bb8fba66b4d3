// SPDX-License-Identifier: MIT
// The C header on its own as C++11: its macros and inline fast path must not trip
// -Weverything / -Wold-style-cast / -Wzero-as-null-pointer-constant in a C++ program.
// Compiled, never run (see CMakeLists.txt here).
#include <framealloc.h>

struct alignas(32) Vec {
    float v[8];
};

int use_c_header(fa_alloc *fa);
int use_c_header(fa_alloc *fa) {
    fa_begin_frame(fa);
    Vec *one = FA_FRAME_NEW(fa, Vec);
    Vec *many = FA_FRAME_ARRAY(fa, Vec, 16);
    void *raw = fa_frame_alloc(fa, 64, FA_FRAME_GRANULE);
    void *arr = fa_frame_alloc_array(fa, 4, 16, 16);
    int ok = one != nullptr && many != nullptr && raw != nullptr && arr != nullptr;
    fa_end_frame(fa);
    Vec *pooled = FA_POOL_NEW(fa, Vec);
    ok += pooled != nullptr && FA_MAX_ALIGN > FA_POOL_MAX_SIZE && FA_MAX_ALLOC_SIZE > FA_MAX_ALIGN;
    fa_pool_free(fa, pooled);
    ok += fa_check_ptr(fa, pooled) != FA_OK;
    return ok;
}

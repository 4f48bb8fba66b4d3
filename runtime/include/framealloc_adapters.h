/* SPDX-License-Identifier: MIT */
/*
 * framealloc_adapters.h - ready allocator hooks for libraries an engine embeds, over the
 * general-purpose calls of framealloc.h (fa_malloc family; pools up to FA_POOL_MAX_SIZE, the
 * tracked heap above), each charging a tag so the library shows in per-tag statistics and
 * budgets.
 *
 * Include it after the library's own header: the Lua adapter is defined when <lua.h> came
 * first, the SQLite one when <sqlite3.h> did. The malloc-shaped set for function tables
 * without a user pointer (SDL_SetMemoryFunctions and the like) is fa_general_* in
 * framealloc.h, bound with fa_general_bind.
 *
 *   Lua 5.4:  static fa_tagged lua_mem;  lua_mem = fa_tagged_get(fa, "lua");
 *             lua_State *L = lua_newstate(fa_lua_alloc, &lua_mem);   (lua_mem outlives L)
 *   SQLite:   fa_general_bind(fa_tagged_get(fa, "sqlite"));
 *             sqlite3_mem_methods m = fa_sqlite3_mem_methods();
 *             sqlite3_config(SQLITE_CONFIG_MALLOC, &m);              (before sqlite3_initialize)
 *   SDL:      fa_general_bind(fa_tagged_get(fa, "sdl"));
 *             SDL_SetMemoryFunctions(fa_general_malloc, fa_general_calloc, fa_general_realloc,
 *                                    fa_general_free);
 */
#ifndef FRAMEALLOC_ADAPTERS_H
#define FRAMEALLOC_ADAPTERS_H

#include <framealloc.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(LUA_VERSION_NUM)
/* lua_Alloc. ud points to the fa_tagged to charge; it must outlive the Lua state. osize is not
 * needed: the pools and the heap know every block. */
static inline void *fa_lua_alloc(void *ud, void *ptr, size_t osize, size_t nsize) {
    const fa_tagged *h = (const fa_tagged *)ud;
    (void)osize;
    if (nsize == 0) {
        fa_free(h->fa, ptr);
        return NULL;
    }
    return fa_tagged_realloc(*h, ptr, nsize);
}
#endif

#if defined(SQLITE_VERSION_NUMBER)
static inline void *fai_sqlite3_malloc(int n) {
    return n > 0 ? fa_general_malloc((size_t)n) : NULL;
}
static inline void fai_sqlite3_free(void *p) { fa_general_free(p); }
static inline void *fai_sqlite3_realloc(void *p, int n) {
    return n > 0 ? fa_general_realloc(p, (size_t)n) : NULL;
}
static inline int fai_sqlite3_size(void *p) { return (int)fa_general_usable_size(p); }
/* SQLite wants multiples of 8; the pools round further, which xSize then reports. */
static inline int fai_sqlite3_roundup(int n) { return (n + 7) & ~7; }
static inline int fai_sqlite3_init(void *app) { (void)app; return SQLITE_OK; }
static inline void fai_sqlite3_shutdown(void *app) { (void)app; }

/* For sqlite3_config(SQLITE_CONFIG_MALLOC, &methods), after fa_general_bind. */
static inline sqlite3_mem_methods fa_sqlite3_mem_methods(void) {
    sqlite3_mem_methods m = {fai_sqlite3_malloc, fai_sqlite3_free, fai_sqlite3_realloc,
                             fai_sqlite3_size, fai_sqlite3_roundup, fai_sqlite3_init,
                             fai_sqlite3_shutdown, NULL};
    return m;
}
#endif

#ifdef __cplusplus
}
#endif

#endif /* FRAMEALLOC_ADAPTERS_H */

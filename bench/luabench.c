/* SPDX-License-Identifier: MIT */
/*
 * luabench.c - a scripting VM as a real workload: Lua 5.4 running allocation-heavy scripts
 * through lua_newstate with three allocators, in one process:
 *   ours      fa_lua_alloc (framealloc_adapters.h): pools and tracked heap, charged to a tag;
 *   libc      Lua's own allocator shape (realloc / free) on the process's malloc;
 *   mimalloc  mi_realloc / mi_free, loaded with dlopen (skipped when it is not installed).
 * Every run checks the script's result, so a faster wrong answer cannot pass.
 *
 *   fa-luabench [--rounds R] [--only SCRIPT]   timed: each round runs every allocator in a fresh
 *       random order; one JSON line per (script, allocator) with the median time and the median
 *       of per-round ratios to libc;
 *   fa-luabench --ir ALLOC SCRIPT N            runs SCRIPT N times on ALLOC, untimed, for the
 *       callgrind differential (Ir(2N) - Ir(N)) / N: the VM's work is the same for every
 *       allocator, so the differences between allocators are allocator instructions.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <lauxlib.h>
#include <lua.h>
#include <lualib.h>
#include <stdbool.h>

#include <framealloc_adapters.h>

#include "bench_util.h"

static const struct script {
    const char *name, *code;
} scripts[] = {
    {"strings",
     "local parts, n = {}, 0\n"
     "for i = 1, 30000 do parts[#parts + 1] = ('item%d:%s'):format(i, ('ab'):rep(i % 40)) end\n"
     "local s = table.concat(parts, ',')\n"
     "for w in s:gmatch('item(%d+)') do n = n + tonumber(w) % 7 end\n"
     "local g = s:gsub('ab', 'c')\n"
     "return n + #g\n"},
    {"tables",
     "local objs, sum = {}, 0\n"
     "for round = 1, 20 do\n"
     "  for i = 1, 5000 do objs[i] = {x = i, y = round, tag = 'e' .. (i % 50), kids = {i, i + 1}} end\n"
     "  for i = 1, 5000, 3 do objs[i] = nil end\n"
     "  for _, o in pairs(objs) do sum = sum + o.x + #o.kids end\n"
     "end\n"
     "return sum\n"},
    {"closures",
     "local function counter(start) local c = start return function() c = c + 1 return c end end\n"
     "local total = 0\n"
     "for i = 1, 20000 do local f = counter(i) total = total + f() + f() end\n"
     "local co = coroutine.wrap(function() for i = 1, 20000 do coroutine.yield({i}) end end)\n"
     "for i = 1, 20000 do total = total + co()[1] end\n"
     "return total\n"},
};
#define NSCRIPTS (sizeof scripts / sizeof scripts[0])

enum { ALLOC_OURS, ALLOC_LIBC, ALLOC_MIMALLOC, NALLOCS };
static const char *const alloc_names[NALLOCS] = {"ours", "libc", "mimalloc"};

static void fail(const char *what) {
    fprintf(stderr, "luabench: %s\n", what);
    exit(1);
}

static fa_alloc *g_fa;
static fa_tagged g_lua_mem;
static void *(*mi_realloc_fn)(void *, size_t);
static void (*mi_free_fn)(void *);

static void *libc_alloc(void *ud, void *ptr, size_t osize, size_t nsize) {
    (void)ud, (void)osize;
    if (nsize == 0) {
        free(ptr);
        return NULL;
    }
    return realloc(ptr, nsize);
}

static void *mi_alloc(void *ud, void *ptr, size_t osize, size_t nsize) {
    (void)ud, (void)osize;
    if (nsize == 0) {
        mi_free_fn(ptr);
        return NULL;
    }
    return mi_realloc_fn(ptr, nsize);
}

static lua_Integer run_script(int alloc, const struct script *sc) {
    lua_Alloc f = alloc == ALLOC_OURS ? fa_lua_alloc : alloc == ALLOC_LIBC ? libc_alloc : mi_alloc;
    lua_State *L = lua_newstate(f, alloc == ALLOC_OURS ? (void *)&g_lua_mem : NULL);
    if (L == NULL) fail("lua_newstate failed");
    luaL_openlibs(L);
    if (luaL_loadstring(L, sc->code) != LUA_OK || lua_pcall(L, 0, 1, 0) != LUA_OK) {
        fprintf(stderr, "luabench: %s on %s: %s\n", sc->name, alloc_names[alloc],
                lua_tostring(L, -1));
        exit(1);
    }
    lua_Integer r = lua_tointeger(L, -1);
    lua_close(L);
    return r;
}

static void check_result(int alloc, const struct script *sc, lua_Integer got, lua_Integer want) {
    if (got != want) {
        fprintf(stderr, "luabench: %s on %s returned %lld, expected %lld\n", sc->name,
                alloc_names[alloc], (long long)got, (long long)want);
        exit(1);
    }
}

static void usage(void) {
    fprintf(stderr, "usage: fa-luabench [--rounds R] [--only SCRIPT]\n"
                    "       fa-luabench --ir ours|libc|mimalloc SCRIPT N\n");
    exit(2);
}

int main(int argc, char **argv) {
    int rounds = 15;
    const char *only = NULL, *ir_alloc = NULL, *ir_script = NULL;
    long ir_n = 0;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--rounds") && i + 1 < argc) rounds = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--only") && i + 1 < argc) only = argv[++i];
        else if (!strcmp(argv[i], "--ir") && i + 3 < argc) {
            ir_alloc = argv[++i];
            ir_script = argv[++i];
            ir_n = atol(argv[++i]);
        } else usage();
    }
    if (rounds < 1 || rounds > 256) usage();
    g_fa = fa_create(&(fa_config){.name = "luabench"});
    if (g_fa == NULL) fail("fa_create failed");
    g_lua_mem = fa_tagged_get(g_fa, "lua");
    void *mi = dlopen("libmimalloc.so.2", RTLD_NOW | RTLD_LOCAL);
    if (mi != NULL) {
        *(void **)&mi_realloc_fn = dlsym(mi, "mi_realloc");
        *(void **)&mi_free_fn = dlsym(mi, "mi_free");
    }
    bool have_mi = mi_realloc_fn != NULL && mi_free_fn != NULL;

    /* Reference results: libc first, every allocator must agree. */
    lua_Integer want[NSCRIPTS];
    for (size_t s = 0; s < NSCRIPTS; s++) want[s] = run_script(ALLOC_LIBC, &scripts[s]);

    if (ir_alloc != NULL) {
        int a = -1;
        for (int k = 0; k < NALLOCS; k++)
            if (!strcmp(ir_alloc, alloc_names[k])) a = k;
        size_t s = 0;
        while (s < NSCRIPTS && strcmp(scripts[s].name, ir_script) != 0) s++;
        if (a < 0 || s == NSCRIPTS || ir_n <= 0 || (a == ALLOC_MIMALLOC && !have_mi)) usage();
        for (long r = 0; r < ir_n; r++)
            check_result(a, &scripts[s], run_script(a, &scripts[s]), want[s]);
        fa_destroy(g_fa);
        return 0;
    }

    int nallocs = have_mi ? NALLOCS : NALLOCS - 1;
    bench_rng rng = {77};
    for (size_t s = 0; s < NSCRIPTS; s++) {
        if (only != NULL && strcmp(only, scripts[s].name) != 0) continue;
        double t[NALLOCS][256], ratio[NALLOCS][256];
        for (int r = 0; r < rounds; r++) {
            int order[NALLOCS] = {0, 1, 2};
            bench_shuffle_int(order, nallocs, &rng);
            for (int k = 0; k < nallocs; k++) {
                int a = order[k];
                uint64_t t0 = bench_mono_ns();
                lua_Integer got = run_script(a, &scripts[s]);
                t[a][r] = (double)(bench_mono_ns() - t0) / 1e6;
                check_result(a, &scripts[s], got, want[s]);
            }
            for (int a = 0; a < nallocs; a++) ratio[a][r] = t[a][r] / t[ALLOC_LIBC][r];
        }
        for (int a = 0; a < nallocs; a++)
            printf("{\"type\":\"lua\",\"script\":\"%s\",\"alloc\":\"%s\",\"rounds\":%d,"
                   "\"p50_ms\":%.3f,\"min_ms\":%.3f,\"ratio_to_libc\":%.3f}\n",
                   scripts[s].name, alloc_names[a], rounds, bench_median(t[a], (size_t)rounds),
                   bench_min(t[a], (size_t)rounds), bench_median(ratio[a], (size_t)rounds));
    }
    fa_stats st;
    fa_get_stats(g_fa, &st);
    if (st.pool_count + st.heap_count != 0 || st.errors != 0) {
        fprintf(stderr, "luabench: the Lua states left %zu blocks / %llu errors behind\n",
                st.pool_count + st.heap_count, (unsigned long long)st.errors);
        return 1;
    }
    fa_destroy(g_fa);
    return 0;
}

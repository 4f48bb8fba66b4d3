/* SPDX-License-Identifier: MIT */
/*
 * test_adapters.c - framealloc_adapters.h with the real libraries: a Lua 5.4 state and SQLite
 * running entirely on the general-purpose calls, charged to their tags, leaving nothing behind
 * when closed; a hard budget on Lua's tag becomes a Lua memory error the VM survives.
 */
#include <lauxlib.h>
#include <lua.h>
#include <lualib.h>
#include <sqlite3.h>

#include <framealloc_adapters.h>

#include <stdio.h>
#include <stdlib.h>

#include "fa_test.h"
#include "test_util.h"

static fa_alloc *fa;
static void setup(void) {
    tu_setup();
    fa = tu_create(NULL);
}
static void teardown(void) { fa_destroy(fa); }

#define ADAPTER_TEST(name, ...) \
    Test(adapters, name, .init = setup, .fini = teardown, ##__VA_ARGS__)

static fa_tag_stats tag_stats(fa_tag t) {
    fa_tag_stats s;
    cr_assert_eq(fa_get_tag_stats(fa, t, &s), FA_OK);
    return s;
}

static const char *const lua_workload =
    "local t = {}\n"
    "for i = 1, 20000 do t[i] = string.rep('x', i % 300) .. i end\n"
    "local big = {}\n"
    "for i = 1, 200 do big[i] = string.rep('y', 20000 + i) end\n"
    "local n = 0\n"
    "for _, s in ipairs(t) do n = n + #s end\n"
    "t = nil; big = nil; collectgarbage()\n"
    "return n\n";

ADAPTER_TEST(lua_state_runs_on_the_pools_and_heap) {
    static fa_tagged lua_mem;
    lua_mem = fa_tagged_get(fa, "lua");
    lua_State *L = lua_newstate(fa_lua_alloc, &lua_mem);
    cr_assert_not_null(L);
    luaL_openlibs(L);
    cr_assert_eq(luaL_dostring(L, lua_workload), LUA_OK, "%s", lua_tostring(L, -1));
    cr_assert(lua_isinteger(L, -1));
    lua_Integer expect = 0;
    for (int i = 1; i <= 20000; i++) {
        char num[16];
        expect += i % 300 + snprintf(num, sizeof num, "%d", i);
    }
    cr_assert_eq(lua_tointeger(L, -1), expect, "the script computed the right thing");
    fa_stats st;
    fa_get_stats(fa, &st);
    cr_assert_gt(st.pool_count, 100, "the VM's objects live in the pools");
    cr_assert_neq(tag_stats(lua_mem.tag).pool_bytes, 0, "charged to the lua tag");
    lua_close(L);
    fa_get_stats(fa, &st);
    cr_assert_eq(st.pool_count, 0, "lua_close returned every object");
    cr_assert_eq(st.heap_count, 0);
    cr_assert_eq(tag_stats(lua_mem.tag).heap_bytes, 0);
    cr_assert_eq(tu_total(), 0);
}

ADAPTER_TEST(lua_over_its_hard_budget_gets_a_memory_error) {
    static fa_tagged lua_mem;
    lua_mem = fa_tagged_get(fa, "lua");
    cr_assert_eq(fa_tag_set_budget(fa, lua_mem.tag, 0, 2u << 20), FA_OK);
    lua_State *L = lua_newstate(fa_lua_alloc, &lua_mem);
    cr_assert_not_null(L);
    luaL_openlibs(L);
    const char *hog = "local t = {} for i = 1, 1e6 do t[i] = string.rep('z', 100) .. i end";
    cr_assert_eq(luaL_loadstring(L, hog), LUA_OK);
    int rc = lua_pcall(L, 0, 0, 0); /* luaL_dostring would fold the status into 0 / 1 */
    cr_assert_eq(rc, LUA_ERRMEM, "the budget surfaces as a Lua memory error (rc %d)", rc);
    cr_assert_geq(tu_count(FA_ERR_BUDGET), 1);
    lua_settop(L, 0);
    lua_gc(L, LUA_GCCOLLECT, 0);
    cr_assert_eq(luaL_dostring(L, "return 6 * 7"), LUA_OK, "the VM goes on");
    cr_assert_eq(lua_tointeger(L, -1), 42);
    lua_close(L);
    fa_stats st;
    fa_get_stats(fa, &st);
    cr_assert_eq(st.pool_count + st.heap_count, 0);
}

static int count_row(void *user, int ncol, char **vals, char **names) {
    (void)ncol, (void)names;
    *(long *)user = atol(vals[0]);
    return 0;
}

ADAPTER_TEST(sqlite_runs_on_the_general_calls) {
    fa_tagged sql = fa_tagged_get(fa, "sqlite");
    fa_general_bind(sql);
    sqlite3_mem_methods m = fa_sqlite3_mem_methods();
    cr_assert_eq(sqlite3_config(SQLITE_CONFIG_MALLOC, &m), SQLITE_OK);
    cr_assert_eq(sqlite3_initialize(), SQLITE_OK);
    sqlite3 *db = NULL;
    cr_assert_eq(sqlite3_open(":memory:", &db), SQLITE_OK);
    char *err = NULL;
    cr_assert_eq(sqlite3_exec(db, "CREATE TABLE t(id INTEGER PRIMARY KEY, name TEXT, v BLOB);"
                                  "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c "
                                  "WHERE x < 5000) INSERT INTO t SELECT x, 'entity-' || x, "
                                  "randomblob(200 + x % 3000) FROM c;",
                              NULL, NULL, &err),
                 SQLITE_OK, "%s", err ? err : "");
    long rows = 0;
    cr_assert_eq(sqlite3_exec(db, "SELECT count(*) FROM t WHERE name LIKE 'entity-1%'",
                              count_row, &rows, &err),
                 SQLITE_OK);
    cr_assert_eq(rows, 1111, "1, 10-19, 100-199, 1000-1999");
    fa_tag_stats ts = tag_stats(sql.tag);
    cr_assert_neq(ts.pool_bytes + ts.heap_bytes, 0, "SQLite's memory is charged to its tag");
    sqlite3_close(db);
    sqlite3_shutdown();
    fa_stats st;
    fa_get_stats(fa, &st);
    cr_assert_eq(st.pool_count + st.heap_count, 0, "shutdown returned everything");
    cr_assert_eq(tu_total(), 0);
    fa_general_bind((fa_tagged){NULL, 0});
}

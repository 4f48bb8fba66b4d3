/* SPDX-License-Identifier: MIT */
/*
 * fa_test.h - what the test sources include instead of <criterion/criterion.h>.
 *
 * Normally this is Criterion. Criterion 2.4 cannot start under ThreadSanitizer (its boxfort
 * arena mmap collides with TSan's address-space layout, Snaipe/Criterion#274), so the TSan
 * build defines FA_TEST_SHIM and gets the small subset below instead, run by
 * fa_test_runner.c: tests register themselves from constructors, every test runs in its own
 * forked process (like Criterion's workers), and a test passes only if it ran to the end (or
 * died of the expected signal / exit code). A disabled test is reported as skipped, a crash or
 * a timeout as a failure; the exit status is non-zero if anything failed.
 *
 * Only what the suite uses is provided. Assertions called from a non-main thread are allowed
 * by the shim, but not by Criterion (its abort longjmps), so worker threads in the tests
 * record problems and the test thread asserts.
 */
#ifndef FA_TEST_H
#define FA_TEST_H

#ifndef FA_TEST_SHIM

#include <criterion/criterion.h>
#include <criterion/logging.h>

#else /* FA_TEST_SHIM */

#include <stdbool.h>
#include <stddef.h>
#include <string.h>

struct fa_test_def {
    const char *suite, *name;
    void (*fn)(void);
    /* The Criterion test options the suite uses. */
    void (*init)(void);
    void (*fini)(void);
    int signal;        /* expected terminating signal, 0 = none */
    int exit_code;     /* expected exit status */
    bool disabled;
    double timeout;    /* seconds, 0 = none */
    const char *description;
    struct fa_test_def *next;
};

void fa_test_register(struct fa_test_def *t);
_Noreturn void fa_test_fail(const char *file, int line, const char *what, const char *fmt, ...);
void fa_test_log(const char *level, const char *fmt, ...);

#define FAT_CAT3_(a, b, c) a##_##b##_##c
#define FAT_ID_(suite, name, what) FAT_CAT3_(suite, name, what)

#define Test(s_, n_, ...)                                                                      \
    static void FAT_ID_(s_, n_, fn)(void);                                                     \
    static struct fa_test_def FAT_ID_(s_, n_, def) = {                                         \
        .suite = #s_, .name = #n_, .fn = FAT_ID_(s_, n_, fn), __VA_ARGS__};                    \
    __attribute__((constructor)) static void FAT_ID_(s_, n_, reg)(void) {                      \
        fa_test_register(&FAT_ID_(s_, n_, def));                                               \
    }                                                                                          \
    static void FAT_ID_(s_, n_, fn)(void)

/* The optional message is a printf format plus arguments, as in Criterion. */
#define FAT_CHECK_(cond, what, ...)                                                            \
    do {                                                                                       \
        if (!(cond)) fa_test_fail(__FILE__, __LINE__, what, "" __VA_ARGS__);                   \
    } while (0)

#define cr_assert(cond, ...) FAT_CHECK_(cond, #cond, __VA_ARGS__)
#define cr_assert_not(cond, ...) FAT_CHECK_(!(cond), "!(" #cond ")", __VA_ARGS__)
#define cr_assert_eq(a, b, ...) FAT_CHECK_((a) == (b), #a " == " #b, __VA_ARGS__)
#define cr_assert_neq(a, b, ...) FAT_CHECK_((a) != (b), #a " != " #b, __VA_ARGS__)
#define cr_assert_lt(a, b, ...) FAT_CHECK_((a) < (b), #a " < " #b, __VA_ARGS__)
#define cr_assert_leq(a, b, ...) FAT_CHECK_((a) <= (b), #a " <= " #b, __VA_ARGS__)
#define cr_assert_gt(a, b, ...) FAT_CHECK_((a) > (b), #a " > " #b, __VA_ARGS__)
#define cr_assert_geq(a, b, ...) FAT_CHECK_((a) >= (b), #a " >= " #b, __VA_ARGS__)
#define cr_assert_null(p, ...) FAT_CHECK_((p) == NULL, #p " == NULL", __VA_ARGS__)
#define cr_assert_not_null(p, ...) FAT_CHECK_((p) != NULL, #p " != NULL", __VA_ARGS__)
#define cr_assert_str_eq(a, b, ...) FAT_CHECK_(strcmp((a), (b)) == 0, #a " equals " #b, __VA_ARGS__)
#define cr_assert_arr_eq(a, b, n, ...) \
    FAT_CHECK_(memcmp((a), (b), (n)) == 0, #a " matches " #b, __VA_ARGS__)
#define cr_assert_fail(...) fa_test_fail(__FILE__, __LINE__, "cr_assert_fail", "" __VA_ARGS__)

#define cr_log_info(...) fa_test_log("info", __VA_ARGS__)
#define cr_log_warn(...) fa_test_log("warn", __VA_ARGS__)

#endif /* FA_TEST_SHIM */

#endif /* FA_TEST_H */

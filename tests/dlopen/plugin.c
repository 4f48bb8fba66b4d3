/* A loadable module that uses framealloc: frames (the inline fast path, so the module refers to
 * the TLS cursor), pools, the heap and an error report (the per-thread report buffers). Built
 * twice by tests/dlopen/CMakeLists.txt: against the shared library and with the static archive
 * linked in. */
#include <framealloc.h>

#include <string.h>

#if defined(__GNUC__)
#define PLUGIN_EXPORT __attribute__((visibility("default")))
#else
#define PLUGIN_EXPORT
#endif

typedef struct seen {
    fa_status status;
    int calls;
    int report_ok;
} seen;

static void on_error(const fa_error *e, void *user) {
    seen *s = user;
    s->status = e->status;
    s->calls++;
    s->report_ok = e->message != NULL && e->report != NULL &&
                   strstr(e->report, fa_status_name(e->status)) != NULL;
}

/* Returns 0 when everything behaved, else the number of the first failed check. */
PLUGIN_EXPORT int plugin_run(int rounds);
PLUGIN_EXPORT int plugin_run(int rounds) {
    seen s = {FA_OK, 0, 0};
    fa_config cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.name = "plugin";
    cfg.error_handler = on_error;
    cfg.error_user = &s;
    fa_alloc *fa = fa_create(&cfg);
    if (fa == NULL) return 1;
    for (int r = 0; r < rounds; r++) {
        fa_begin_frame(fa);
        int *a = FA_FRAME_ARRAY(fa, int, 256);
        if (a == NULL) return 2;
        for (int i = 0; i < 256; i++) a[i] = i * r;
        for (int i = 0; i < 256; i++)
            if (a[i] != i * r) return 3;
        fa_end_frame(fa);
    }
    void *p = fa_pool_alloc(fa, 40);
    void *h = fa_heap_alloc(fa, 1 << 14, 64);
    if (p == NULL || h == NULL) return 4;
    memset(p, 0xab, 40);
    memset(h, 0xcd, 1 << 14);
    fa_pool_free(fa, p);
    fa_heap_free(fa, h);
    /* A misuse the library reports and survives in every build. */
    fa_end_frame(fa);
    if (s.calls != 1 || s.status != FA_ERR_END_WITHOUT_BEGIN || !s.report_ok) return 5;
    if (fa_last_error() != FA_ERR_END_WITHOUT_BEGIN) return 6;
    fa_clear_error();
    fa_destroy(fa);
    return 0;
}

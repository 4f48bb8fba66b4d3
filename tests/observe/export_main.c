// SPDX-License-Identifier: MIT
/*
 * export_main.c - writes the history of a small two-thread run as a Chrome trace, CSV and an
 * HTML report into the directory given, for check_observe.py to validate. Prints (stdout) the
 * number of records per thread, as "thread <id> <records>" lines, and the tag names.
 */
#include <framealloc.h>

#include <pthread.h>
#include <stdio.h>
#include <string.h>

static fa_alloc *fa;
static fa_tag tags[3];

static void *run(void *arg) {
    int frames = *(int *)arg;
    for (int f = 0; f < frames; f++) {
        fa_begin_frame(fa);
        for (int k = 0; k < 3; k++) {
            fa_tag_push(fa, tags[k]);
            fa_frame_alloc(fa, (size_t)(1000 * (k + 1) + 64 * (f % 7)), 16);
            fa_tag_pop(fa);
        }
        if (f % 10 == 0) {
            fa_tag_push(fa, tags[1]);
            void *h = fa_heap_alloc(fa, 600, 16); /* above the soft budget: a warning */
            fa_tag_pop(fa);
            fa_heap_free(fa, h);
        }
        fa_end_frame(fa);
    }
    return NULL;
}

static void ignore(const fa_error *e, void *u) {
    (void)e;
    (void)u;
}

int main(int argc, char **argv) {
    if (argc != 2) {
        fprintf(stderr, "usage: export_main DIR\n");
        return 2;
    }
    fa_config cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.history_frames = 50;
    cfg.name = "export \"test\"";
    cfg.error_handler = ignore;
    fa = fa_create(&cfg);
    tags[0] = fa_tag_register(fa, "render");
    tags[1] = fa_tag_register(fa, "audio \"fx\"");
    tags[2] = fa_tag_register(fa, "<ui>&co");
    fa_tag_set_budget(fa, tags[1], 500, 0);
    int main_frames = 70, worker_frames = 30;
    pthread_t th;
    pthread_create(&th, NULL, run, &worker_frames);
    run(&main_frames);
    pthread_join(th, NULL);

    const char *names[3] = {"trace.json", "history.csv", "report.html"};
    fa_status (*fns[3])(fa_alloc *, void *) = {fa_export_trace_file, fa_export_csv_file,
                                               fa_export_html_file};
    for (int i = 0; i < 3; i++) {
        char path[4096];
        snprintf(path, sizeof path, "%s/%s", argv[1], names[i]);
        FILE *f = fopen(path, "wb");
        if (f == NULL || fns[i](fa, f) != FA_OK || fclose(f) != 0) {
            fprintf(stderr, "export_main: writing %s failed\n", path);
            return 1;
        }
    }
    uint64_t ids[8];
    size_t n = fa_history_threads(fa, ids, 8);
    fa_frame_record rec[64];
    for (size_t i = 0; i < n && i < 8; i++)
        printf("thread %llu %zu\n", (unsigned long long)ids[i], fa_history_read(fa, ids[i], rec, 64));
    fa_destroy(fa);
    return 0;
}

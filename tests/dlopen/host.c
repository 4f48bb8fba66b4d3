/* dlopen()s every module named on the command line (RTLD_NOW | RTLD_LOCAL, like a plugin
 * loader), then runs each module's plugin_run on the main thread and on a second thread.
 * Each module that links framealloc statically carries its own copy of the library's TLS, so
 * loading several of them draws repeatedly on glibc's small static TLS surplus. */
#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>

typedef int (*run_fn)(int rounds);

static void *run_thread(void *arg) {
    run_fn fn = (run_fn)arg;
    return (void *)(size_t)fn(50);
}

int main(int argc, char **argv) {
    if (argc < 2) {
        fprintf(stderr, "usage: %s <module.so>...\n", argv[0]);
        return 2;
    }
    run_fn fns[64];
    int n = 0;
    for (int i = 1; i < argc && n < 64; i++) {
        void *h = dlopen(argv[i], RTLD_NOW | RTLD_LOCAL);
        if (h == NULL) {
            fprintf(stderr, "dlopen %s: %s\n", argv[i], dlerror());
            return 1;
        }
        /* POSIX guarantees that a function pointer round-trips through void *. */
        void *sym = dlsym(h, "plugin_run");
        if (sym == NULL) {
            fprintf(stderr, "dlsym %s: %s\n", argv[i], dlerror());
            return 1;
        }
        *(void **)&fns[n++] = sym;
    }
    for (int i = 0; i < n; i++) {
        int rc = fns[i](50);
        if (rc != 0) {
            fprintf(stderr, "%s: plugin_run failed check %d on the main thread\n", argv[i + 1], rc);
            return 1;
        }
        pthread_t th;
        void *ret = NULL;
        /* A cast between function and object pointer, as dlsym itself requires. */
        if (pthread_create(&th, NULL, run_thread, *(void **)&fns[i]) != 0) return 1;
        pthread_join(th, &ret);
        if (ret != NULL) {
            fprintf(stderr, "%s: plugin_run failed check %d on a thread\n", argv[i + 1],
                    (int)(size_t)ret);
            return 1;
        }
    }
    printf("host: %d module(s) loaded and run\n", n);
    return 0;
}

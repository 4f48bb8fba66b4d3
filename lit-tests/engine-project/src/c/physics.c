/* physics.c - contact generation with a nested frame per island. */
#include <engine/engine.h>
#include <pthread.h>
#include <string.h>

typedef struct Contact { uint32_t a, b; float depth; } Contact;

typedef struct Island {
    Contact *contacts;
    size_t count;
} Island;

typedef struct Solver {
    Engine *engine;
    Island islands[16];
    int island_count;
} Solver;

void *solver_worker(void *arg);
void solve_island(const Contact *c, size_t n);

static size_t collide(Engine *e, Contact **out, size_t max) {
    Contact *c = eng_scratch(e, max * sizeof(Contact));
    size_t n = 0;
    for (size_t i = 0; c && i < max; ++i)
        if (i % 3 == 0)
            c[n++] = (Contact){(uint32_t)i, (uint32_t)i + 1, 0.1f};
    *out = c;
    return n;
}

float physics_step(Solver *s, size_t max) {
    float total = 0.0f;
    eng_frame_begin(s->engine);
    Contact *all;
    size_t n = collide(s->engine, &all, max);
    for (int i = 0; i < s->island_count; ++i) {
        eng_frame_begin(s->engine);
        Contact *tmp = eng_scratch(s->engine, n * sizeof(Contact) + 1);
        if (tmp && n) {
            memcpy(tmp, all, n * sizeof(Contact));
            solve_island(tmp, n);
            total += tmp[0].depth;
        }
        eng_frame_end(s->engine);
    }
    if (n)
        total += all[0].depth; /* outer frame still open */
    eng_frame_end(s->engine);
    return total;
}

float physics_step_nested_bug(Solver *s, size_t max) {
    Contact *inner = NULL;
    float total = 0.0f;
    eng_frame_begin(s->engine);
    eng_frame_begin(s->engine);
    size_t n = collide(s->engine, &inner, max);
    eng_frame_end(s->engine);
    if (n)
        total = inner[0].depth; // FINDING: use-after-frame
    eng_frame_end(s->engine);
    return total;
}

void physics_solve_threaded(Solver *s, size_t max) {
    pthread_t th;
    eng_frame_begin(s->engine);
    Island *job = eng_scratch(s->engine, sizeof(Island));
    if (job) {
        job->count = collide(s->engine, &job->contacts, max);
        pthread_create(&th, NULL, solver_worker, job); // FINDING: thread-crossing
        pthread_join(th, NULL);
    }
    eng_frame_end(s->engine);
}

void physics_solve_threaded_ok(Solver *s, size_t max) {
    pthread_t th;
    eng_frame_begin(s->engine);
    Contact *c;
    size_t n = collide(s->engine, &c, max);
    fa_transfer *t = fa_transfer_create(s->engine->fa, c, n * sizeof(Contact) + 1);
    if (t) {
        pthread_create(&th, NULL, solver_worker, t);
        pthread_join(th, NULL);
    }
    eng_frame_end(s->engine);
}

void physics_cache_islands(Solver *s, size_t max) {
    eng_frame_begin(s->engine);
    Island *isl = &s->islands[0];
    isl->count = collide(s->engine, &isl->contacts, max); // FINDING: frame-escape
    s->island_count = 1;
    eng_frame_end(s->engine);
}

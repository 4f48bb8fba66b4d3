/* SPDX-License-Identifier: MIT */
/*
 * loop/game_loop.c - where fa_begin_frame / fa_end_frame go in a game loop with a variable
 * render step and a fixed simulation step.
 *
 * One outermost frame per displayed frame; each fixed simulation step runs in a nested scope, so
 * its contact scratch is gone before the next step. The accumulator caps the steps per frame
 * (no "spiral of death" after a hitch) and render interpolates between the last two states.
 *
 * Checked: the simulation is frame-rate independent (a steady 60 Hz run, a jittery 30-144 Hz
 * run and a run with a long hitch reach bit-identical states after the same number of fixed
 * steps), the hitch is clamped, the interpolated position lies between the two states, and the
 * frame arena holds nothing between frames.
 */
#include "../common/example.h"

#define BODIES 256
#define FIXED_DT (1.0 / 120.0)
#define MAX_STEPS_PER_FRAME 8

typedef struct Body {
    double y, vy;
} Body;

typedef struct Sim {
    Body now[BODIES], prev[BODIES];
    double accumulator;
    uint64_t steps;
    uint64_t clamped_frames;
    uint64_t bounces;
} Sim;

typedef struct Contact {
    uint32_t body;
    double depth;
} Contact;

/* One fixed step: integrate, collect ground contacts in frame scratch, resolve them. */
static void fixed_step(fa_alloc *fa, Sim *s) {
    fa_begin_frame(fa); /* nested scope: this step's scratch only */
    Contact *contacts = FA_FRAME_ARRAY(fa, Contact, BODIES);
    CHECK(contacts != NULL);
    size_t n = 0;
    memcpy(s->prev, s->now, sizeof s->now);
    for (uint32_t i = 0; i < BODIES; i++) {
        Body *b = &s->now[i];
        b->vy -= 9.81 * FIXED_DT;
        b->y += b->vy * FIXED_DT;
        if (b->y < 0.0) contacts[n++] = (Contact){i, -b->y};
    }
    for (size_t c = 0; c < n; c++) {
        Body *b = &s->now[contacts[c].body];
        b->y = contacts[c].depth * 0.5; /* push out, lose half the energy */
        b->vy = -b->vy * 0.5;
    }
    s->bounces += n;
    s->steps++;
    fa_end_frame(fa);
}

/* The variable part of a frame: accumulate real time, run whole fixed steps, return alpha. */
static double advance(fa_alloc *fa, Sim *s, double frame_dt) {
    s->accumulator += frame_dt;
    int steps = 0;
    while (s->accumulator >= FIXED_DT && steps < MAX_STEPS_PER_FRAME) {
        fixed_step(fa, s);
        s->accumulator -= FIXED_DT;
        steps++;
    }
    if (s->accumulator >= FIXED_DT) { /* a hitch: drop the time we cannot catch up on */
        s->accumulator = 0.0;
        s->clamped_frames++;
    }
    return s->accumulator / FIXED_DT;
}

/* Render: interpolated positions into a frame array (a stand-in for a vertex buffer). */
static double render(fa_alloc *fa, const Sim *s, double alpha) {
    float *ys = FA_FRAME_ARRAY(fa, float, BODIES);
    CHECK(ys != NULL);
    double sum = 0.0;
    for (int i = 0; i < BODIES; i++) {
        double y = s->prev[i].y + (s->now[i].y - s->prev[i].y) * alpha;
        double lo = s->prev[i].y < s->now[i].y ? s->prev[i].y : s->now[i].y;
        double hi = s->prev[i].y < s->now[i].y ? s->now[i].y : s->prev[i].y;
        CHECK(y >= lo - 1e-12 && y <= hi + 1e-12);
        ys[i] = (float)y;
        sum += ys[i];
    }
    return sum;
}

typedef enum Pace { STEADY_60, JITTER, HITCH } Pace;

/* Frame time of frame f in each pace; the totals are what the loop would measure. */
static double frame_time(Pace pace, unsigned f, ExampleRng *rng) {
    switch (pace) {
    case STEADY_60: return 1.0 / 60.0;
    case JITTER: return 1.0 / (double)example_randf(rng, 30.0f, 144.0f);
    case HITCH: return f == 10 ? 1.0 : 1.0 / 60.0; /* one second stall (a level load) */
    }
    return 0.0;
}

/* Runs frames until target_steps fixed steps were taken; returns the state reached. */
static void run(fa_alloc *fa, Pace pace, uint64_t target_steps, Sim *s) {
    memset(s, 0, sizeof *s);
    for (int i = 0; i < BODIES; i++) s->now[i] = s->prev[i] = (Body){1.0 + i * 0.05, 0.0};
    ExampleRng rng = {0x1234567u};
    for (unsigned f = 0; s->steps < target_steps; f++) {
        fa_begin_frame(fa);
        double dt = frame_time(pace, f, &rng);
        /* never overshoot the target, so every run ends on the same step */
        double room = (double)(target_steps - s->steps) * FIXED_DT - s->accumulator;
        if (dt > room && pace != HITCH) dt = room + 1e-9;
        double alpha = advance(fa, s, dt);
        CHECK(alpha >= 0.0 && alpha < 1.0);
        render(fa, s, alpha);
        fa_end_frame(fa);

        fa_thread_stats ts;
        fa_get_my_thread_stats(fa, &ts);
        CHECK(ts.frame_depth == 0 && ts.frame_bytes == 0);
    }
}

int main(int argc, char **argv) {
    unsigned frames = example_frames(argc, argv, 600);
    fa_alloc *fa = fa_create(&(fa_config){.name = "game-loop"});
    CHECK(fa != NULL);

    /* frames at 60 Hz = frames * 2 fixed steps at 120 Hz */
    uint64_t steps = (uint64_t)frames * 2;
    static Sim steady, jitter, hitch;
    run(fa, STEADY_60, steps, &steady);
    run(fa, JITTER, steps, &jitter);
    run(fa, HITCH, steps, &hitch);

    CHECK(steady.steps == steps && jitter.steps == steps);
    CHECK(memcmp(steady.now, jitter.now, sizeof steady.now) == 0);
    CHECK(steady.bounces == jitter.bounces);
    CHECK(steady.clamped_frames == 0 && hitch.clamped_frames == 1);
    /* the hitch lost time but not determinism: the same steps give the same state */
    CHECK(hitch.steps >= steps && hitch.steps <= steps + MAX_STEPS_PER_FRAME);
    if (hitch.steps == steps) CHECK(memcmp(steady.now, hitch.now, sizeof steady.now) == 0);

    fa_stats st;
    fa_get_stats(fa, &st);
    CHECK(st.frame_bytes == 0);
    CHECK(st.frames_completed >= 3ull * frames / 2);
    printf("game_loop: %llu fixed steps per run, %llu bounces, hitch clamped once\n",
           (unsigned long long)steps, (unsigned long long)steady.bounces);
    example_finish(fa);
    return 0;
}

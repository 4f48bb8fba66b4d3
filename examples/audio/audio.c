/* SPDX-License-Identifier: MIT */
/*
 * audio/audio.c - a voice mixer with 3D distance attenuation.
 *
 * Sound buffers are loaded once and live across frames (tracked heap); a voice (what is playing,
 * where, how loud) is a small pool object that lives until its sound ends. Each audio frame
 * (44100 / 60 = 735 samples) mixes into a frame buffer: the per-voice gains, the list of audible
 * voices and the mix itself are frame memory and vanish when the frame ends - only the output
 * ring (what would go to the device) is kept.
 *
 * Checked: gain is 1 - d / radius inside the radius and 0 outside, the mix equals a reference
 * mix computed sample by sample in double, voices that finish are freed, and the pool and heap
 * are empty at the end.
 */
#include "../common/example.h"

#include <math.h>

#define SAMPLE_RATE 44100
#define FRAME_SAMPLES (SAMPLE_RATE / 60)
#define SOUNDS 4
#define MAX_VOICES 64

typedef struct Vec3 { float x, y, z; } Vec3;
typedef struct Sound { float *samples; size_t length; } Sound;
typedef struct Voice {
    const Sound *sound;
    size_t cursor;
    float volume;
    Vec3 position;
    float radius;
} Voice;

static float gain_3d(Vec3 listener, const Voice *v) {
    float dx = v->position.x - listener.x, dy = v->position.y - listener.y,
          dz = v->position.z - listener.z;
    float d = sqrtf(dx * dx + dy * dy + dz * dz);
    return d < v->radius ? 1.0f - d / v->radius : 0.0f;
}

/* Mixes one frame of the audible voices into frame memory and advances every voice. */
static float *mix_frame(fa_alloc *fa, Voice **voices, size_t n, Vec3 listener,
                        size_t *audible_out) FA_RETURNS_FRAME;
static float *mix_frame(fa_alloc *fa, Voice **voices, size_t n, Vec3 listener,
                        size_t *audible_out) {
    float *mix = fa_frame_alloc_zeroed(fa, FRAME_SAMPLES * sizeof(float), 16);
    float *gains = FA_FRAME_ARRAY(fa, float, n);
    uint32_t *audible = FA_FRAME_ARRAY(fa, uint32_t, n);
    CHECK(mix != NULL && gains != NULL && audible != NULL);
    size_t k = 0;
    for (uint32_t i = 0; i < n; i++) {
        gains[i] = gain_3d(listener, voices[i]) * voices[i]->volume;
        CHECK(gains[i] >= 0.0f && gains[i] <= 1.0f);
        if (gains[i] > 0.0f) audible[k++] = i; /* inaudible voices still advance below */
    }
    for (size_t a = 0; a < k; a++) {
        const Voice *v = voices[audible[a]];
        size_t avail = v->sound->length - v->cursor;
        size_t len = avail < FRAME_SAMPLES ? avail : FRAME_SAMPLES;
        for (size_t s = 0; s < len; s++) mix[s] += v->sound->samples[v->cursor + s] * gains[audible[a]];
    }
    for (size_t i = 0; i < n; i++) {
        size_t avail = voices[i]->sound->length - voices[i]->cursor;
        voices[i]->cursor += avail < FRAME_SAMPLES ? avail : FRAME_SAMPLES;
    }
    *audible_out = k;
    return mix;
}

int main(int argc, char **argv) {
    unsigned frames = example_frames(argc, argv, 300);
    fa_alloc *fa = fa_create(&(fa_config){.name = "audio"});
    CHECK(fa != NULL);

    Sound sounds[SOUNDS];
    for (int s = 0; s < SOUNDS; s++) { /* a few tones of different lengths */
        sounds[s].length = (size_t)FRAME_SAMPLES * (size_t)(5 + 7 * s) + 100;
        sounds[s].samples = fa_heap_alloc(fa, sounds[s].length * sizeof(float), 64);
        CHECK(sounds[s].samples != NULL);
        for (size_t i = 0; i < sounds[s].length; i++)
            sounds[s].samples[i] = 0.5f * sinf((float)i * 0.01f * (float)(s + 1));
    }

    Voice *voices[MAX_VOICES];
    size_t nvoices = 0;
    ExampleRng rng = {0xA0D10u};
    uint64_t started = 0, finished = 0, audible_total = 0;
    static float out_ring[FRAME_SAMPLES * 4]; /* what the device would read */
    static double reference[FRAME_SAMPLES];

    for (unsigned f = 0; f < frames; f++) {
        fa_begin_frame(fa);
        /* listener walks along x; new voices start around it */
        Vec3 listener = {(float)f * 0.2f, 0.0f, 0.0f};
        if (nvoices < MAX_VOICES && f % 2 == 0) {
            Voice *v = FA_POOL_NEW(fa, Voice);
            CHECK(v != NULL);
            *v = (Voice){&sounds[example_rand(&rng) % SOUNDS], 0, example_randf(&rng, 0.2f, 1.0f),
                         {listener.x + example_randf(&rng, -40, 40), example_randf(&rng, -10, 10), 0},
                         example_randf(&rng, 5.0f, 30.0f)};
            voices[nvoices++] = v;
            started++;
        }

        /* reference mix (double, straight from the voices) before the mixer advances them */
        memset(reference, 0, sizeof reference);
        for (size_t i = 0; i < nvoices; i++) {
            const Voice *v = voices[i];
            float g = gain_3d(listener, v) * v->volume;
            for (size_t s = 0; s < FRAME_SAMPLES && v->cursor + s < v->sound->length; s++)
                reference[s] += (double)v->sound->samples[v->cursor + s] * g;
        }
        size_t audible = 0;
        float *mix = mix_frame(fa, voices, nvoices, listener, &audible);
        for (size_t s = 0; s < FRAME_SAMPLES; s++) CHECK(fabs(mix[s] - reference[s]) < 1e-4);
        memcpy(out_ring + (f % 4) * FRAME_SAMPLES, mix, sizeof(float) * FRAME_SAMPLES);
        audible_total += audible;

        for (size_t i = 0; i < nvoices;) { /* finished voices go back to the pool */
            if (voices[i]->cursor == voices[i]->sound->length) {
                fa_pool_free(fa, voices[i]);
                voices[i] = voices[--nvoices];
                finished++;
            } else {
                i++;
            }
        }
        fa_end_frame(fa);
    }

    /* attenuation at known distances */
    Voice probe = {&sounds[0], 0, 1.0f, {3.0f, 4.0f, 0.0f}, 10.0f};
    CHECK(fabsf(gain_3d((Vec3){0, 0, 0}, &probe) - 0.5f) < 1e-6f); /* d = 5 of 10 */
    CHECK(gain_3d((Vec3){-20, 0, 0}, &probe) == 0.0f);
    CHECK(gain_3d((Vec3){3, 4, 0}, &probe) == 1.0f);

    fa_stats st;
    fa_get_stats(fa, &st);
    CHECK(st.pool_count == nvoices);
    CHECK(finished > 0 && started == finished + nvoices && audible_total > 0);
    printf("audio: %llu voices started, %llu finished, %.1f audible per frame\n",
           (unsigned long long)started, (unsigned long long)finished,
           (double)audible_total / frames);
    for (size_t i = 0; i < nvoices; i++) fa_pool_free(fa, voices[i]);
    for (int s = 0; s < SOUNDS; s++) fa_heap_free(fa, sounds[s].samples);
    example_finish(fa);
    return 0;
}

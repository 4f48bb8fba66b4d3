/* audio.c - mixing on the game thread, playback on the audio thread. */
#include <engine/engine.h>
#include <string.h>

typedef struct Mix { float *samples; size_t frames; fa_transfer *payload; } Mix;

static void play_mix(void *arg) {
    Mix *m = arg;
    (void)m;
}

void audio_tick(Engine *e, size_t frames) {
    eng_frame_begin(e);
    float *buf = eng_scratch(e, frames * 2 * sizeof(float));
    if (buf) {
        memset(buf, 0, frames * 2 * sizeof(float));
        Mix *m = eng_alloc(sizeof *m);
        if (m) {
            m->samples = NULL;
            m->frames = frames;
            m->payload = fa_transfer_create(e->fa, buf, frames * 2 * sizeof(float));
            eng_post(play_mix, m);
        }
    }
    eng_frame_end(e);
}

void audio_tick_direct(Engine *e, size_t frames) {
    eng_frame_begin(e);
    Mix *m = eng_alloc(sizeof *m);
    if (m) {
        m->samples = eng_scratch(e, frames * 2 * sizeof(float));
        m->frames = frames;
        m->payload = NULL;
        eng_post(play_mix, m); // FINDING: thread-crossing
    }
    eng_frame_end(e);
}

void audio_stop(Engine *e) {
    eng_flush();
    eng_frame_end(e); // FINDING: frame-pairing
}

void audio_label(Engine *e, int voice) {
    eng_frame_begin(e);
    char *label = eng_format(e, "voice %d", voice);
    eng_log("%s", label);
    eng_frame_end(e);
    label = NULL;
    (void)label;
}

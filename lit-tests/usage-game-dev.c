/* SPDX-License-Identifier: MIT */
// RUN: %check_framealloc_tidy %s 'framealloc-*' %t
//
// Game-development usage patterns (ECS, rendering, audio, assets, saves) in C
// against <framealloc.h>. The correct patterns must not be reported; the
// literal versions that are lifetime mistakes are reported where the mistake
// is (each names the engine type it mimics).

#include <framealloc.h>
#include <string.h>

typedef struct vec3 {
  float x, y, z;
} vec3;
typedef uint32_t entity_id;

//===--- Basic Game Loop (correct) ---===//

typedef struct game {
  fa_alloc *fa;
  int quit;
  float time;
} game;

static void input_update(game *g) { (void)g; }
static void physics_step_with_events(game *g) {
  vec3 *events = FA_FRAME_ARRAY(g->fa, vec3, 32);
  events[0].x = g->time;
}
static void render(game *g) {
  void **commands = FA_FRAME_ARRAY(g->fa, void *, 256);
  commands[0] = NULL;
}

void game_run(game *g) {
  for (;;) {
    fa_begin_frame(g->fa);
    input_update(g);
    physics_step_with_events(g);
    render(g);
    fa_end_frame(g->fa);
    if (g->quit)
      break;
  }
}

//===--- Variable Frame Rate / Frame Rate Independence (correct) ---===//

typedef struct variable_step_game {
  fa_alloc *fa;
  float accumulator, fixed_dt;
  int max_steps;
} variable_step_game;

static void fixed_update(variable_step_game *g, float dt) {
  float *forces = FA_FRAME_ARRAY(g->fa, float, 64);
  forces[0] = dt;
}

void variable_step_update(variable_step_game *g, float dt) {
  fa_begin_frame(g->fa);
  g->accumulator += dt;
  int steps = 0;
  while (g->accumulator >= g->fixed_dt && steps++ < g->max_steps) {
    fixed_update(g, g->fixed_dt);
    g->accumulator -= g->fixed_dt;
  }
  fa_end_frame(g->fa);
}

//===--- Component Storage + Movement System (wrong) ---===//
// Literal ComponentStorage::get_frame_snapshot caches a frame snapshot in the
// long-lived storage; MovementSystem::update ends the frame while the storage
// still points into it, and the next frame reads the stale snapshot.

typedef struct component_storage {
  vec3 *components;
  size_t count;
  vec3 *frame_snapshot;
} component_storage;

static const vec3 *storage_snapshot(component_storage *s, fa_alloc *fa) FA_RETURNS_FRAME {
  if (!s->frame_snapshot) {
    s->frame_snapshot = FA_FRAME_ARRAY(fa, vec3, s->count);
    memcpy(s->frame_snapshot, s->components, s->count * sizeof(vec3));
  }
  return s->frame_snapshot;
}

typedef struct movement_system {
  component_storage velocity_storage;
  component_storage position_storage;
} movement_system;

void movement_update(movement_system *m, fa_alloc *fa, float dt) {
  fa_begin_frame(fa);
  const vec3 *velocities = storage_snapshot(&m->velocity_storage, fa);
  // CHECK-MESSAGES: :[[@LINE-1]]:28: warning: frame memory stored in 'm->velocity_storage.frame_snapshot' outlives its frame [framealloc-frame-escape]
  vec3 *positions = m->position_storage.components;
  for (size_t i = 0; i < m->position_storage.count; ++i)
    positions[i].x += velocities[i].x * dt;
  fa_end_frame(fa);
}

//===--- Query System (wrong) ---===//
// Literal Query::new begins a frame, builds the entity list in it, ends the
// frame and returns the query holding the list.

typedef struct query {
  entity_id *entities;
  size_t count;
} query;

query query_new(const component_storage *storage, fa_alloc *fa) {
  fa_begin_frame(fa);
  query q;
  q.entities = FA_FRAME_ARRAY(fa, entity_id, storage->count);
  for (size_t i = 0; i < storage->count; ++i)
    q.entities[i] = (entity_id)i;
  q.count = storage->count;
  fa_end_frame(fa);
  return q;
  // CHECK-MESSAGES: :[[@LINE-1]]:10: warning: 'q' returned after its frame ended [framealloc-use-after-frame]
}

//===--- Command Buffer: RenderFrame::new (wrong) ---===//
// Literal RenderFrame::new begins a frame and never ends it.

typedef struct render_frame {
  void **commands;
  size_t command_count;
} render_frame;

void render_frame_new(render_frame *rf, fa_alloc *fa) {
  fa_begin_frame(fa);
  // CHECK-MESSAGES: :[[@LINE-1]]:3: warning: frame begun here is not ended before 'render_frame_new' returns [framealloc-frame-pairing]
  rf->commands = FA_FRAME_ARRAY(fa, void *, 128);
  rf->command_count = 0;
}

// Its uniform buffers are allocated in the caller's frame: correct.
void *render_frame_uniform_buffer(render_frame *rf, fa_alloc *fa, size_t size) FA_RETURNS_FRAME {
  void *buffer = fa_frame_alloc(fa, size, 256);
  rf->commands[rf->command_count++] = buffer;
  return buffer;
}

//===--- Batching System (correct) ---===//
// Batches live inside the caller's frame and are flushed before it ends.

typedef struct render_batch {
  int material, mesh;
  vec3 *instances;
  size_t count;
} render_batch;
typedef struct batching_renderer {
  render_batch batches[16];
  size_t batch_count;
} batching_renderer;

void batching_add_instance(batching_renderer *r, fa_alloc *fa, int material, int mesh, vec3 t) {
  render_batch *batch = &r->batches[r->batch_count % 16];
  if (!batch->instances) {
    batch->material = material;
    batch->mesh = mesh;
    batch->instances = FA_FRAME_ARRAY(fa, vec3, 1024);
    r->batch_count++;
  }
  batch->instances[batch->count++] = t;
}

static void draw_instanced(int mesh, int material, const vec3 *instances, size_t n) {
  (void)mesh, (void)material, (void)instances, (void)n;
}

void batching_flush(batching_renderer *r) {
  for (size_t i = 0; i < r->batch_count; ++i) {
    render_batch *b = &r->batches[i];
    draw_instanced(b->mesh, b->material, b->instances, b->count);
    b->instances = NULL;
    b->count = 0;
  }
  r->batch_count = 0;
}

//===--- Culling System (wrong) ---===//
// Literal CullingSystem::cull_entities stores the visible list in the system and
// ends the frame.

typedef struct culling_system {
  entity_id *visible_entities;
  size_t visible_count;
} culling_system;

void cull_entities(culling_system *cs, fa_alloc *fa, const entity_id *entities, size_t n) {
  fa_begin_frame(fa);
  cs->visible_entities = FA_FRAME_ARRAY(fa, entity_id, n);
  // CHECK-MESSAGES: :[[@LINE-1]]:3: warning: frame memory stored in 'cs->visible_entities' outlives its frame [framealloc-frame-escape]
  cs->visible_count = 0;
  for (size_t i = 0; i < n; ++i)
    if (entities[i] % 2)
      cs->visible_entities[cs->visible_count++] = entities[i];
  fa_end_frame(fa);
}

//===--- Audio Mixer: AudioFrame::new (wrong) ---===//
// Literal AudioFrame::new begins a frame, never ends it, and returns the samples.

typedef struct audio_frame {
  float *samples;
  size_t sample_count;
} audio_frame;

audio_frame audio_frame_new(size_t sample_rate, fa_alloc *fa) {
  fa_begin_frame(fa);
  // CHECK-MESSAGES: :[[@LINE-1]]:3: warning: frame begun here is not ended before 'audio_frame_new' returns [framealloc-frame-pairing]
  audio_frame f;
  f.sample_count = sample_rate / 60;
  f.samples = FA_FRAME_ARRAY(fa, float, f.sample_count);
  return f;
  // CHECK-MESSAGES: :[[@LINE-1]]:10: warning: frame memory returned from 'audio_frame_new', which is not declared FA_RETURNS_FRAME [framealloc-frame-escape]
}

void audio_frame_mix(audio_frame *f, const float *voice, float volume) {
  for (size_t i = 0; i < f->sample_count; ++i)
    f->samples[i] += voice[i] * volume;
}

//===--- Asset Loading (wrong) ---===//
// Literal AssetLoader::update keeps a frame snapshot of the loaded assets in the
// loader and ends the frame.

typedef struct asset_loader {
  int *loaded_assets;
  size_t loaded_count;
  int *frame_assets;
} asset_loader;

void asset_loader_update(asset_loader *l, fa_alloc *fa) {
  fa_begin_frame(fa);
  int *snapshot = FA_FRAME_ARRAY(fa, int, l->loaded_count);
  memcpy(snapshot, l->loaded_assets, l->loaded_count * sizeof(int));
  l->frame_assets = snapshot;
  // CHECK-MESSAGES: :[[@LINE-1]]:3: warning: frame memory stored in 'l->frame_assets' outlives its frame [framealloc-frame-escape]
  fa_end_frame(fa);
}

//===--- Texture Streaming, World Grid, Streaming System (correct) ---===//

typedef struct texture {
  vec3 position;
  int loaded_mip;
} texture;

static unsigned char *load_mip_level(fa_alloc *fa, int level) FA_RETURNS_FRAME {
  return FA_FRAME_ARRAY(fa, unsigned char, 4096u >> level);
}
static void upload_mip(texture *t, int level, const unsigned char *data) {
  (void)data;
  t->loaded_mip = level;
}

void texture_streamer_update(texture *textures, size_t n, fa_alloc *fa, float radius) {
  fa_begin_frame(fa);
  for (size_t i = 0; i < n; ++i) {
    texture *t = &textures[i];
    if (t->position.x < radius) {
      while (t->loaded_mip < 4) {
        unsigned char *mip = load_mip_level(fa, t->loaded_mip + 1);
        if (!mip)
          break;
        upload_mip(t, t->loaded_mip + 1, mip);
      }
    } else {
      while (t->loaded_mip > 0)
        t->loaded_mip--;
    }
  }
  fa_end_frame(fa);
}

typedef struct chunk_coord {
  int x, y, z;
} chunk_coord;
typedef struct world_grid {
  chunk_coord *loading_queue;
  size_t queued;
  int load_radius;
} world_grid;

static void load_chunk(world_grid *w, chunk_coord c) { w->loading_queue[w->queued++ % 64] = c; }

void world_grid_update(world_grid *w, fa_alloc *fa, vec3 player) {
  fa_begin_frame(fa);
  chunk_coord *nearby = FA_FRAME_ARRAY(fa, chunk_coord, 27);
  int k = 0;
  for (int x = -1; x <= 1; ++x)
    for (int y = -1; y <= 1; ++y)
      for (int z = -1; z <= 1; ++z)
        nearby[k++] = (chunk_coord){(int)player.x + x, (int)player.y + y, (int)player.z + z};
  for (int i = 0; i < k; ++i)
    load_chunk(w, nearby[i]);
  fa_end_frame(fa);
}

//===--- Save Data (wrong) and Checkpoint System (wrong) ---===//
// Literal SaveData::capture begins a frame, builds the save data in it, ends the
// frame, then allocates the result (in the caller's frame) and returns it:
// the copy holds pointers into the ended frame.

typedef struct save_data {
  uint32_t version;
  vec3 player_position;
  int *inventory;
  size_t inventory_count;
} save_data;

save_data *save_data_capture(const game *g, fa_alloc *fa, const int *items, size_t n) {
  fa_begin_frame(fa);
  save_data data;
  data.version = 1;
  data.player_position = (vec3){g->time, 0, 0};
  data.inventory = FA_FRAME_ARRAY(fa, int, n);
  memcpy(data.inventory, items, n * sizeof(int));
  data.inventory_count = n;
  fa_end_frame(fa);
  save_data *boxed = FA_FRAME_NEW(fa, save_data);
  *boxed = data;
  // CHECK-MESSAGES: :[[@LINE-1]]:12: warning: 'data' stored in 'boxed->inventory' after its frame ended [framealloc-use-after-frame]
  return boxed;
  // CHECK-MESSAGES: :[[@LINE-1]]:10: warning: frame memory returned from 'save_data_capture', which is not declared FA_RETURNS_FRAME [framealloc-frame-escape]
}
// CHECK-FIXES: save_data *save_data_capture(const game *g, fa_alloc *fa, const int *items, size_t n) FA_RETURNS_FRAME {

// Literal CheckpointSystem::create_checkpoint captures in a frame, ends it, then
// copies the captured data into the pool.
typedef struct checkpoint {
  float timestamp;
  save_data *save;
} checkpoint;

void create_checkpoint(checkpoint *cp, const game *g, fa_alloc *fa) {
  static const int items[4] = {1, 2, 3, 4};
  fa_begin_frame(fa);
  save_data *captured = save_data_capture(g, fa, items, 4);
  fa_end_frame(fa);
  cp->timestamp = g->time;
  cp->save = fa_promote_to_pool(fa, captured, sizeof(*captured));
  // CHECK-MESSAGES: :[[@LINE-1]]:37: warning: 'captured' passed to 'fa_promote_to_pool' after its frame ended [framealloc-use-after-frame]
}

//===--- Memory Budgeting and Object Pooling (correct) ---===//

typedef struct resource_usage {
  size_t textures, meshes, audio, total;
} resource_usage;

int resource_budget_check(const resource_usage *budget, const resource_usage *current) {
  return current->textures <= budget->textures && current->meshes <= budget->meshes &&
         current->audio <= budget->audio && current->total <= budget->total;
}

typedef struct game_object_pool {
  void *available[64];
  size_t available_count;
  size_t max_size, active_count;
} game_object_pool;

void *game_object_pool_get(game_object_pool *p, fa_alloc *fa, size_t size) {
  if (p->available_count > 0)
    return p->available[--p->available_count];
  if (p->active_count < p->max_size) {
    p->active_count++;
    return fa_pool_alloc(fa, size);
  }
  return NULL;
}

void game_object_pool_return(game_object_pool *p, void *obj) {
  p->available[p->available_count++] = obj;
}

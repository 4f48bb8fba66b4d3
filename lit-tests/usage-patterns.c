/* SPDX-License-Identifier: MIT */
// RUN: %check_framealloc_tidy %s 'framealloc-*' %t
// RUN: %check_framealloc_tidy %s 'framealloc-*' %t-debug -- -- -DFA_DEBUG=1
//
// Every correct usage pattern of the library (scratch, builders, pools, jobs...), in C against
// <framealloc.h>: none may be reported by any framealloc check.

#include <framealloc.h>
#include <pthread.h>
#include <string.h>

typedef struct vec3 {
  float x, y, z;
} vec3;

//===--- The Scratch Buffer Pattern ---===//

typedef struct frame_scratch {
  vec3 *positions;
  vec3 *velocities;
  vec3 *forces;
  uint32_t *indices;
  size_t count;
} frame_scratch;

static void frame_scratch_init(frame_scratch *s, fa_alloc *fa, size_t n) {
  s->positions = FA_FRAME_ARRAY(fa, vec3, n);
  s->velocities = FA_FRAME_ARRAY(fa, vec3, n);
  s->forces = FA_FRAME_ARRAY(fa, vec3, n);
  s->indices = FA_FRAME_ARRAY(fa, uint32_t, n);
  s->count = n;
}

static void process_physics(frame_scratch *s) {
  for (size_t i = 0; i < s->count; ++i)
    s->positions[i].x += s->velocities[i].x + s->forces[i].x;
}

void scratch_buffer_pattern(fa_alloc *fa) {
  fa_begin_frame(fa);
  frame_scratch scratch;
  frame_scratch_init(&scratch, fa, 256);
  process_physics(&scratch);
  fa_end_frame(fa); // everything freed
}

//===--- The Builder Pattern ---===//

typedef struct vertex {
  vec3 pos;
} vertex;
typedef struct mesh {
  vertex *vertices;
  uint32_t *indices;
  size_t vertex_count, index_count;
} mesh;
typedef struct mesh_builder {
  vertex *vertices;
  uint32_t *indices;
  vec3 *normals;
  size_t count, capacity;
  fa_alloc *fa;
} mesh_builder;

static void mesh_builder_init(mesh_builder *b, fa_alloc *fa) {
  b->fa = fa;
  b->capacity = 16;
  b->count = 0;
  b->vertices = FA_FRAME_ARRAY(fa, vertex, b->capacity);
  b->indices = FA_FRAME_ARRAY(fa, uint32_t, b->capacity);
  b->normals = FA_FRAME_ARRAY(fa, vec3, b->capacity);
}

static mesh_builder *mesh_builder_add_vertex(mesh_builder *b, vec3 pos) {
  if (b->count == b->capacity) {
    b->vertices = fa_frame_realloc(b->fa, b->vertices, b->capacity * sizeof(vertex),
                                   2 * b->capacity * sizeof(vertex), _Alignof(vertex));
    b->capacity *= 2;
  }
  b->vertices[b->count].pos = pos;
  b->indices[b->count % 16] = (uint32_t)b->count;
  b->count++;
  return b;
}

// The mesh points into the builder's frame memory: the caller's frame.
static mesh mesh_builder_build(const mesh_builder *b) FA_RETURNS_FRAME {
  mesh m = {b->vertices, b->indices, b->count, b->count};
  return m;
}

static void draw_mesh(const mesh *m) { (void)m; }

void builder_pattern(fa_alloc *fa) {
  fa_begin_frame(fa);
  mesh_builder b;
  mesh_builder_init(&b, fa);
  mesh_builder_add_vertex(mesh_builder_add_vertex(&b, (vec3){0, 0, 0}), (vec3){1, 0, 0});
  mesh_builder_add_vertex(&b, (vec3){0, 1, 0});
  mesh m = mesh_builder_build(&b);
  draw_mesh(&m);
  fa_end_frame(fa);
}

//===--- The Temporary View Pattern ---===//

typedef struct sub_slice {
  const vertex *data;
  size_t offset, len;
} sub_slice;

static sub_slice sub_slice_from(const vertex *all, size_t start, size_t end) {
  sub_slice s = {all + start, start, end - start};
  return s;
}

static void process_visible(const sub_slice *v) { (void)v; }

void temporary_view_pattern(fa_alloc *fa) {
  fa_begin_frame(fa);
  vertex *all_vertices = FA_FRAME_ARRAY(fa, vertex, 1000);
  sub_slice visible_subset = sub_slice_from(all_vertices, 100, 200);
  process_visible(&visible_subset);
  fa_end_frame(fa);
}

//===--- The Component Pool Pattern ---===//

typedef struct transform {
  vec3 position;
  float rotation[4];
} transform;
typedef struct entity_world {
  transform **transforms;
  size_t count, capacity;
  fa_alloc *fa;
} entity_world;

void entity_world_init(entity_world *w, fa_alloc *fa) {
  w->fa = fa;
  w->capacity = 64;
  w->count = 0;
  w->transforms = fa_heap_alloc(fa, w->capacity * sizeof(transform *), 16);
}

size_t entity_world_spawn(entity_world *w, vec3 pos) {
  transform *t = FA_POOL_NEW(w->fa, transform);
  t->position = pos;
  w->transforms[w->count] = t;
  return w->count++;
}

//===--- The Cache Pattern and the Resource Pool Pattern ---===//

typedef struct object_cache {
  void *available[32];
  size_t count;
} object_cache;

void *object_cache_get(object_cache *c, fa_alloc *fa, size_t size) {
  if (c->count > 0)
    return c->available[--c->count];
  return fa_pool_alloc(fa, size);
}

void object_cache_return(object_cache *c, void *obj) { c->available[c->count++] = obj; }

typedef struct resource_pool {
  size_t max_size, current_size;
} resource_pool;

void *resource_pool_acquire(resource_pool *p, fa_alloc *fa, size_t size) {
  if (p->current_size >= p->max_size)
    return NULL;
  p->current_size++;
  return fa_pool_alloc(fa, size);
}

void resource_pool_release(resource_pool *p, fa_alloc *fa, void *handle) {
  p->current_size--;
  fa_pool_free(fa, handle);
}

//===--- The Job System Pattern ---===//

typedef struct job {
  fa_alloc *fa;
  int id;
} job;

static void job_execute(job *j) {
  float *tmp = FA_FRAME_ARRAY(j->fa, float, 64);
  tmp[0] = (float)j->id;
}

static void *job_thread(void *arg) {
  job *j = arg;
  fa_begin_frame(j->fa);
  job_execute(j);
  fa_end_frame(j->fa);
  return NULL;
}

void dispatch_jobs(fa_alloc *fa, int count) {
  pthread_t workers[16];
  job *jobs = fa_heap_alloc(fa, 16 * sizeof(job), 16);
  int n = count < 16 ? count : 16;
  for (int i = 0; i < n; ++i) {
    jobs[i].fa = fa;
    jobs[i].id = i;
    pthread_create(&workers[i], NULL, job_thread, &jobs[i]);
  }
  for (int i = 0; i < n; ++i)
    pthread_join(workers[i], NULL);
  fa_heap_free(fa, jobs);
}

//===--- The Producer-Consumer Pattern ---===//

typedef struct data {
  float samples[32];
} data;

typedef struct channel channel;
void channel_send(channel *ch, fa_transfer *t FA_CROSSES_THREAD);
fa_transfer *channel_recv(channel *ch);
int producer_running(void);

void producer_thread(fa_alloc *fa, channel *sender) {
  while (producer_running()) {
    fa_begin_frame(fa);
    data *d = FA_FRAME_NEW(fa, data);
    d->samples[0] = 1.0f;
    fa_transfer *handle = fa_transfer_create(fa, d, sizeof(*d));
    channel_send(sender, handle);
    fa_end_frame(fa);
  }
}

static void process_data(const data *d) { (void)d; }

void consumer_thread(channel *receiver) {
  fa_transfer *handle;
  while ((handle = channel_recv(receiver)) != NULL) {
    const data *d = fa_transfer_receive(handle);
    process_data(d);
    fa_transfer_free(handle);
  }
}

//===--- The Thread-Local Pattern ---===//

typedef struct work_item {
  int id;
} work_item;

void process_on_thread(fa_alloc *fa) {
  fa_begin_frame(fa);
  work_item *local_data = FA_FRAME_ARRAY(fa, work_item, 32);
  local_data[0].id = 1;
  fa_end_frame(fa);
}

//===--- The Tag Pattern, the Budget Pattern and the Scoped Pattern ---===//

typedef struct contact {
  int a, b;
} contact;
typedef struct draw_call {
  int mesh;
} draw_call;
typedef struct system_allocators {
  fa_tag physics, rendering, audio, ai;
} system_allocators;

void system_allocators_init(system_allocators *s, fa_alloc *fa) {
  s->physics = fa_tag_register(fa, "physics");
  s->rendering = fa_tag_register(fa, "rendering");
  s->audio = fa_tag_register(fa, "audio");
  s->ai = fa_tag_register(fa, "ai");
  fa_tag_set_budget(fa, s->physics, 1 << 20, 4 << 20);
}

static void *tagged_frame_alloc(fa_alloc *fa, fa_tag tag, size_t size) FA_RETURNS_FRAME {
  fa_tag_push(fa, tag);
  void *p = fa_frame_alloc(fa, size, 16);
  fa_tag_pop(fa);
  return p;
}

void tag_pattern(fa_alloc *fa, const system_allocators *systems) {
  fa_begin_frame(fa);
  contact *contacts = tagged_frame_alloc(fa, systems->physics, 64 * sizeof(contact));
  draw_call *draws = tagged_frame_alloc(fa, systems->rendering, 64 * sizeof(draw_call));
  contacts[0].a = draws[0].mesh = 0;
  fa_end_frame(fa);
}

int budget_check(fa_alloc *fa, fa_tag tag, size_t size) {
  fa_tag_stats st;
  if (fa_get_tag_stats(fa, tag, &st) != FA_OK)
    return 0;
  return st.frame_bytes_last + size <= st.soft_limit;
}

//===--- The Frame Retention Pattern ---===//

typedef struct navmesh {
  vec3 nodes[64];
} navmesh;
typedef struct frame_retainer {
  navmesh *data;
  fa_retain_policy policy;
} frame_retainer;

static navmesh *build_navmesh(fa_alloc *fa) FA_RETURNS_FRAME {
  navmesh *m = FA_FRAME_NEW(fa, navmesh);
  m->nodes[0].x = 0;
  return m;
}

void frame_retainer_retain(frame_retainer *r, fa_alloc *fa) {
  r->data = build_navmesh(fa);
  fa_frame_retain(fa, (void **)&r->data, sizeof(navmesh), r->policy);
}

void navmesh_update(frame_retainer *cache, fa_alloc *fa, int should_rebuild) {
  if (should_rebuild)
    frame_retainer_retain(cache, fa);
}

//===--- The Promotion Pattern ---===//

typedef struct promotion_tracker {
  size_t frame_count, threshold;
  void *data;
} promotion_tracker;

void promotion_update(promotion_tracker *t, fa_alloc *fa, const void *frame_data, size_t n) {
  t->frame_count++;
  if (t->frame_count >= t->threshold) {
    t->data = fa_promote_to_pool(fa, frame_data, n);
    t->frame_count = 0;
  }
}

void promote_hot_data(promotion_tracker *t, fa_alloc *fa) {
  fa_begin_frame(fa);
  float *hot = FA_FRAME_ARRAY(fa, float, 16);
  hot[0] = 1.0f;
  promotion_update(t, fa, hot, 16 * sizeof(float));
  fa_end_frame(fa);
}

//===--- The Cleanup Pattern ---===//

typedef void (*cleanup_fn)(fa_alloc *);
typedef struct cleanup_guard {
  fa_alloc *fa;
  cleanup_fn points[8];
  int count;
} cleanup_guard;

void cleanup_guard_run(cleanup_guard *g) {
  for (int i = 0; i < g->count; ++i)
    g->points[i](g->fa);
}

//===--- The Fallible Allocation and Recovery Patterns ---===//

void *safe_frame_alloc(fa_alloc *fa, size_t size) FA_RETURNS_FRAME {
  void *p = fa_frame_alloc(fa, size, 16);
  if (!p) {
    fa_clear_error();
    p = fa_pool_alloc(fa, size);
  }
  return p;
}

typedef enum recovery_action { RETRY, USE_FALLBACK, ABORT } recovery_action;

void *handle_error(fa_alloc *fa, size_t size, recovery_action (*strategy)(void)) FA_RETURNS_FRAME {
  for (int attempt = 0; attempt < 3; ++attempt) {
    void *p = fa_frame_alloc(fa, size, 16);
    if (p)
      return p;
    switch (strategy()) {
    case RETRY:
      continue;
    case USE_FALLBACK:
      return NULL;
    case ABORT:
      return NULL;
    }
  }
  return NULL;
}

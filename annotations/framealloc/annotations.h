/* SPDX-License-Identifier: MIT */
/*
 * framealloc/annotations.h - intent annotations shared by the runtime and the analyzer.
 *
 * These macros state frame-lifetime contracts on declarations. In normal builds they expand to
 * nothing, so they can never change code generation (clang's `annotate` attribute on locals and
 * fields emits llvm.*.annotation intrinsics that block optimisations). When the translation unit
 * is read by clang-tidy (which always defines __clang_analyzer__) or when FA_ANNOTATIONS_ENABLED
 * is defined to 1, each macro becomes `__attribute__((annotate("framealloc.<name>")))`, which the
 * framealloc-* clang-tidy checks read from the AST. The strings below are the contract between
 * this header and the analyzer: change them together.
 *
 * Placement is where GCC/Clang attributes go:
 *   void engine_begin(Engine *e) FA_BEGINS_FRAME;
 *   void engine_end(Engine *e) FA_ENDS_FRAME;
 *   Vec3 *scratch_positions(fa_alloc *fa, int n) FA_RETURNS_FRAME;
 *   void job_submit(void (*fn)(void *), void *arg FA_CROSSES_THREAD);
 *   struct Cache { Vec3 *points FA_LONG_LIVED; };          (field outlives frames)
 *   struct FA_LONG_LIVED World { ... };                      (every object of the type does)
 *   static void legacy_loop(Game *g) FA_NO_FRAME_ANALYSIS;  (per-function escape hatch)
 *   void worker_main(void *arg FA_THREAD_ENTRY_ARG);         (this parameter arrives from
 *                                                              another thread)
 *   fa_status retain(fa_alloc *fa, void **slot FA_RETAIN_SLOT, size_t n);
 *                                                   (*slot is copied out of the frame and
 *                                                    updated when the scope ends)
 *
 * Arena-keyed scopes (docs/analyzer/arena-scopes.md): an engine with several arenas names the
 * arena each contract is about, by parameter name or 1-based position, so that the scopes of
 * different arenas are separate stacks:
 *   Temp temp_begin(Arena *a) FA_BEGINS_FRAME_ON(a);     (a scope on *a; the Temp returned
 *                                                          identifies it)
 *   void temp_end(Temp t) FA_ENDS_FRAME_ON(t);            (ends the scope of token t, or, given
 *                                                          an arena, its innermost scope)
 *   void *arena_push(Arena *a, size_t n) FA_RETURNS_FRAME_OF(a);
 *                                                   (memory of *a's innermost scope)
 *
 * This header includes nothing and is valid C (C99 and later) and C++.
 */
#ifndef FRAMEALLOC_ANNOTATIONS_H
#define FRAMEALLOC_ANNOTATIONS_H

/* The annotate strings, one per contract. */
#define FA_ANNOTATION_BEGINS_FRAME "framealloc.begins_frame"
#define FA_ANNOTATION_ENDS_FRAME "framealloc.ends_frame"
#define FA_ANNOTATION_RETURNS_FRAME "framealloc.returns_frame"
#define FA_ANNOTATION_CROSSES_THREAD "framealloc.crosses_thread"
#define FA_ANNOTATION_LONG_LIVED "framealloc.long_lived"
#define FA_ANNOTATION_NO_ANALYSIS "framealloc.no_analysis"
#define FA_ANNOTATION_THREAD_ENTRY_ARG "framealloc.thread_entry_arg"
#define FA_ANNOTATION_RETAIN_SLOT "framealloc.retain_slot"
/* Keyed forms: the string is followed by the parameter, e.g. "framealloc.begins_frame_on:a" or
 * "framealloc.begins_frame_on:1" (1-based) or "framealloc.begins_frame_on:this". */
#define FA_ANNOTATION_BEGINS_FRAME_ON "framealloc.begins_frame_on:"
#define FA_ANNOTATION_ENDS_FRAME_ON "framealloc.ends_frame_on:"
#define FA_ANNOTATION_RETURNS_FRAME_OF "framealloc.returns_frame_of:"

#if !defined(FA_ANNOTATIONS_ENABLED)
#if defined(__clang_analyzer__)
#define FA_ANNOTATIONS_ENABLED 1
#else
#define FA_ANNOTATIONS_ENABLED 0
#endif
#endif

#if FA_ANNOTATIONS_ENABLED && defined(__clang__)
#define FA_ANNOTATE_(s) __attribute__((annotate(s)))
#else
#define FA_ANNOTATE_(s)
#endif

/* On a function: calling it opens a frame scope on the calling thread (frames nest, LIFO). */
#define FA_BEGINS_FRAME FA_ANNOTATE_(FA_ANNOTATION_BEGINS_FRAME)
/* On a function: calling it closes the innermost frame scope on the calling thread; memory
 * allocated in that scope is dead afterwards. */
#define FA_ENDS_FRAME FA_ANNOTATE_(FA_ANNOTATION_ENDS_FRAME)
/* On a function: its return value points into the caller's innermost open frame scope. */
#define FA_RETURNS_FRAME FA_ANNOTATE_(FA_ANNOTATION_RETURNS_FRAME)
/* On a parameter: the argument is handed to another thread. Frame memory must not reach it;
 * copy it into an fa_transfer handle instead. */
#define FA_CROSSES_THREAD FA_ANNOTATE_(FA_ANNOTATION_CROSSES_THREAD)
/* On a field, variable or record type: the object outlives every frame, so storing frame memory
 * into it is an escape. */
#define FA_LONG_LIVED FA_ANNOTATE_(FA_ANNOTATION_LONG_LIVED)
/* On a function: the framealloc-* checks skip its body (callers still see its annotations). */
#define FA_NO_FRAME_ANALYSIS FA_ANNOTATE_(FA_ANNOTATION_NO_ANALYSIS)
/* On a parameter of a thread entry function: the value came from another thread, so frame
 * memory reached through it belongs to that thread. */
#define FA_THREAD_ENTRY_ARG FA_ANNOTATE_(FA_ANNOTATION_THREAD_ENTRY_ARG)
/* On a pointer-to-pointer parameter: when the innermost frame scope open at the call ends, the
 * frame memory *slot points to is copied out of the frame and *slot is updated to point at the
 * copy (fa_frame_retain), so the slot does not dangle and storing frame memory in it before the
 * call is not an escape. */
#define FA_RETAIN_SLOT FA_ANNOTATE_(FA_ANNOTATION_RETAIN_SLOT)

/* Arena-keyed scopes. The argument names a parameter of the annotated function: its name, its
 * 1-based position, or `this` (C++ member functions: the object itself); one that names no
 * parameter is reported at the calls, which then use the implicit stack. The checks key scopes
 * by the expression passed there at each call (a variable, a member path such as
 * this->scratch or e->frame_arena, a global, &g_arena), the way thread-safety analysis keys
 * locks, so scopes on different arenas neither end nor release each other.
 *
 * On a function: calling it begins a scope on the arena passed in parameter p (frames of one
 * arena nest, LIFO). If it returns a value (a scope token, e.g. struct Temp { Arena *arena;
 * size_t mark; }), the variable that receives it identifies the scope; on a constructor, the
 * constructed object does (a scope guard). */
#define FA_BEGINS_FRAME_ON(p) FA_ANNOTATE_(FA_ANNOTATION_BEGINS_FRAME_ON #p)
/* On a function: calling it ends a scope. If parameter p receives a scope token returned by an
 * FA_BEGINS_FRAME_ON function, that token's scope ends (ending it twice, or ending a scope
 * while a later one on the same arena is open, is a pairing mistake); if p is the arena
 * itself, the arena's innermost open scope ends. Memory of other arenas is unaffected. A
 * destructor declared FA_ENDS_FRAME or FA_ENDS_FRAME_ON(this) ends the scope its object began. */
#define FA_ENDS_FRAME_ON(p) FA_ANNOTATE_(FA_ANNOTATION_ENDS_FRAME_ON #p)
/* On a function: it returns memory of the arena passed in parameter p (or of the arena of the
 * scope token passed there), which belongs to the innermost scope open on that arena at the
 * call and dies when that scope ends. Memory pushed into an arena on which the analysed
 * function opened no scope (the caller's arena, a permanent arena) is not frame memory for
 * that function: returning or keeping it is the caller's business. Declare the function
 * FA_RETURNS_FRAME as well when the arena has no permanent level (every allocation is in some
 * frame, as with fa_frame_alloc): memory pushed outside the function's own scopes is then the
 * caller's frame memory, as with FA_RETURNS_FRAME alone. */
#define FA_RETURNS_FRAME_OF(p) FA_ANNOTATE_(FA_ANNOTATION_RETURNS_FRAME_OF #p)

#endif /* FRAMEALLOC_ANNOTATIONS_H */

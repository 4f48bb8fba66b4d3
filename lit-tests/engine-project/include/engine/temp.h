/* engine/temp.h - multi-arena temporary scopes used by tools and loaders.
 *
 * Each TempArena rewinds to a mark: temp_begin(a) ... temp_end(mark). The project nests the
 * scopes of all arenas LIFO on a thread, which is what the frame annotations describe, so the
 * framealloc-* checks cover this API through the annotations below alone.
 */
#ifndef ENGINE_TEMP_H
#define ENGINE_TEMP_H

#include <framealloc/annotations.h>
#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct TempArena TempArena;
typedef struct TempMark {
    TempArena *arena;
    size_t pos;
} TempMark;

TempMark temp_begin(TempArena *a) FA_BEGINS_FRAME;
void temp_end(TempMark m) FA_ENDS_FRAME;
void *temp_push(TempArena *a, size_t n) FA_RETURNS_FRAME;
char *temp_strdup(TempArena *a, const char *s) FA_RETURNS_FRAME;

TempArena *temp_scratch(void);
TempArena *temp_loader(void);

#ifdef __cplusplus
}
#endif

#endif

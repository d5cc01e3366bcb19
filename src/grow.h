/* Growing arrays by doubling, on the heap or in an arena: the one place that
 * knows how, for every list that is appended to one item at a time. */
#ifndef VP_GROW_H
#define VP_GROW_H

#include <stddef.h>

#include "arena.h"

/* Returns `items` when it has room for count + 1, else a bigger copy
 * (realloc), updating *cap; NULL when out of memory (`items` stays valid). */
void *grow_heap(void *items, size_t *cap, size_t count, size_t elem);

/* The same in an arena: the old array is simply left behind, so growth
 * starts at 2, not 8 (most such lists, a template's callers, hold one). */
void *grow_arena(arena *a, void *items, size_t *cap, size_t count, size_t elem);

#endif

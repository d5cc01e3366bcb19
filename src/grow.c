#include "grow.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static size_t next_capacity(size_t cap, size_t first, size_t elem)
{
    size_t next = cap ? cap * 2 : first;
    return next > SIZE_MAX / elem ? 0 : next;
}

void *grow_heap(void *items, size_t *cap, size_t count, size_t elem)
{
    if (count < *cap)
        return items;
    size_t next = next_capacity(*cap, 8, elem);
    void *bigger = next ? realloc(items, next * elem) : NULL;
    if (bigger)
        *cap = next;
    return bigger;
}

void *grow_arena(arena *a, void *items, size_t *cap, size_t count, size_t elem)
{
    if (count < *cap)
        return items;
    size_t next = next_capacity(*cap, 2, elem);
    void *bigger = next ? arena_alloc(a, next * elem) : NULL;
    if (!bigger)
        return NULL;
    if (count)
        memcpy(bigger, items, count * elem);
    *cap = next;
    return bigger;
}

#include "arena.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct arena_chunk {
    arena_chunk *next;
    max_align_t data[];
};

/* Chunks grow with the arena so that a large document needs few of them. */
#define ARENA_MIN_CHUNK ((size_t)64 * 1024)
#define ARENA_MAX_CHUNK ((size_t)8 * 1024 * 1024)

void arena_init(arena *a)
{
    a->head = NULL;
    a->used = 0;
    a->capacity = 0;
}

void arena_free(arena *a)
{
    arena_chunk *c = a->head;
    while (c) {
        arena_chunk *next = c->next;
        free(c);
        c = next;
    }
    arena_init(a);
}

static int arena_grow(arena *a, size_t need)
{
    size_t size = a->capacity ? a->capacity * 2 : ARENA_MIN_CHUNK;
    if (size > ARENA_MAX_CHUNK)
        size = ARENA_MAX_CHUNK;
    if (size < need)
        size = need;
    if (size > SIZE_MAX - sizeof(arena_chunk))
        return -1;
    arena_chunk *c = malloc(sizeof(arena_chunk) + size);
    if (!c)
        return -1;
    c->next = a->head;
    a->head = c;
    a->used = 0;
    a->capacity = size;
    return 0;
}

void *arena_alloc(arena *a, size_t size)
{
    if (size > SIZE_MAX - 8)
        return NULL;
    size = (size + 7) & ~(size_t)7;
    if (size == 0)
        size = 8;
    if (!a->head || a->capacity - a->used < size) {
        if (arena_grow(a, size) != 0)
            return NULL;
    }
    void *p = (char *)a->head->data + a->used;
    a->used += size;
    return p;
}

char *arena_strndup(arena *a, const char *s, size_t len)
{
    if (len == SIZE_MAX)
        return NULL;
    char *p = arena_alloc(a, len + 1);
    if (!p)
        return NULL;
    if (len)
        memcpy(p, s, len);
    p[len] = '\0';
    return p;
}

char *arena_vprintf(arena *a, const char *fmt, va_list ap)
{
    va_list copy;
    va_copy(copy, ap);
    int n = vsnprintf(NULL, 0, fmt, copy);
    va_end(copy);
    char *s = n >= 0 ? arena_alloc(a, (size_t)n + 1) : NULL;
    if (s)
        vsnprintf(s, (size_t)n + 1, fmt, ap);
    return s;
}

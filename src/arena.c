#define _DEFAULT_SOURCE /* madvise */
#include "arena.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

struct arena_chunk {
    arena_chunk *next;
    max_align_t data[];
};

/* Chunks grow with the arena so that a large document needs few of them;
 * the first is small, so that a small input (or a library caller with many
 * streams) pays little. */
#define ARENA_MIN_CHUNK ((size_t)4 * 1024)
#define ARENA_MAX_CHUNK ((size_t)8 * 1024 * 1024)
#define PREFAULT ((uintptr_t)256 * 1024)
#define PAGE ((uintptr_t)4096) /* where pages are larger, madvise refuses and prefaulting stops */

void arena_init(arena *a)
{
    a->head = NULL;
    a->used = 0;
    a->capacity = 0;
    a->ready = NULL;
    a->no_prefault = false;
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
    a->ready = (char *)c->data;
    return 0;
}

/* A page fault per page is costly, on virtual machines above all (a fifth
 * of a large rewrite's time went to them here): the pages ahead of `upto` in the
 * head chunk are mapped PREFAULT bytes at a time, in one call. Linux 5.14
 * and later; elsewhere pages fault in as they are touched. */
static void prefault(arena *a, const char *upto)
{
#ifdef MADV_POPULATE_WRITE
    uintptr_t end = ((uintptr_t)a->head->data + a->capacity) & ~(PAGE - 1);
    uintptr_t from = (uintptr_t)a->ready & ~(PAGE - 1);
    uintptr_t to = ((uintptr_t)upto + PREFAULT) & ~(PAGE - 1);
    if (to > end)
        to = end;
    if (to > from && madvise((void *)from, to - from, MADV_POPULATE_WRITE) != 0)
        a->no_prefault = true;
    a->ready = to > (uintptr_t)upto ? (char *)to : (char *)(uintptr_t)upto;
#else
    a->no_prefault = true;
    (void)upto;
#endif
}

/* Takes `size` bytes from the head chunk at a multiple of `align`. */
static void *take(arena *a, size_t size, size_t align)
{
    if (size > SIZE_MAX - 16)
        return NULL;
    size_t at = a->head ? (a->used + align - 1) & ~(align - 1) : 0;
    if (!a->head || at > a->capacity || a->capacity - at < size) {
        if (arena_grow(a, size ? size : 1) != 0)
            return NULL;
        at = 0;
    }
    a->used = at + size;
    char *p = (char *)a->head->data + at;
    if (p + size > a->ready && !a->no_prefault)
        prefault(a, p + size);
    return p;
}

void *arena_alloc(arena *a, size_t size)
{
    return take(a, size ? size : 1, 8);
}

char *arena_strndup(arena *a, const char *s, size_t len)
{
    if (len == SIZE_MAX)
        return NULL;
    char *p = take(a, len + 1, 1); /* text needs no alignment: pack it */
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

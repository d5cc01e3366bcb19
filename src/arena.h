/* A bump allocator: every node and string of a stream lives in one arena and
 * is freed with it, so the document model never frees piecemeal. */
#ifndef VP_ARENA_H
#define VP_ARENA_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>

typedef struct arena_chunk arena_chunk;

typedef struct arena {
    arena_chunk *head;
    size_t used;       /* bytes handed out of head */
    size_t capacity;   /* usable bytes in head */
    char *ready;       /* head is mapped up to here (see prefault) */
    bool no_prefault;  /* the system cannot */
} arena;

void arena_init(arena *a);
void arena_free(arena *a);

/* Returns 8-byte aligned memory, or NULL when out of memory. */
void *arena_alloc(arena *a, size_t size);

/* Copies `len` bytes and appends a NUL. */
char *arena_strndup(arena *a, const char *s, size_t len);

/* printf into the arena; NULL when out of memory. */
#if defined(__GNUC__)
__attribute__((format(printf, 2, 0)))
#endif
char *arena_vprintf(arena *a, const char *fmt, va_list ap);

#endif

/* The document model: a tree of scalars, sequences and ordered mappings that
 * remembers how each node was written (scalar quoting, block or flow) and
 * where (line and column), so output looks like input and errors can point
 * at the source. All memory comes from the owning stream's arena. */
#ifndef VP_DOC_H
#define VP_DOC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "arena.h"

typedef enum node_kind { NODE_SCALAR, NODE_SEQUENCE, NODE_MAPPING } node_kind;

typedef enum node_style {
    STYLE_ANY = 0, /* created by volpass: scalars are strings, the emitter picks quoting */
    STYLE_PLAIN,   /* scalar styles as written */
    STYLE_SINGLE,
    STYLE_DOUBLE,
    STYLE_LITERAL,
    STYLE_FOLDED,
    STYLE_BLOCK,   /* collection styles as written */
    STYLE_FLOW
} node_style;

/* 24 bytes: a large workflow has millions of nodes. An explicit tag (rare)
 * lives just before the text or items it belongs to: see node_tag. */
typedef struct node {
    uint8_t kind;   /* node_kind */
    uint8_t style;  /* node_style */
    bool grown : 1; /* collections: items were reallocated to a power-of-two capacity */
    /* Set by the loader only: no scalar of this subtree, keys included, can
     * hold an Argo reference as loaded. None holds a '{', and none is the
     * value of an expression or fromExpression key (a bare expression). Walks
     * looking for references in loaded text skip the subtree. */
    bool inert : 1;
    /* Has comments in its stream's table (see comments.h); a copy does not. */
    bool commented : 1;
    /* Scalars: text and tag are known to be UTF-8, read by libyaml (which
     * checks) or checked when made (edit.c); the emitter checks any other. */
    bool utf8 : 1;
    uint8_t tagged; /* has an explicit tag */
    uint32_t len;   /* scalar: bytes of text; sequence: items; mapping: pairs */
    uint32_t line;  /* 1-based source position; 0 for nodes volpass created and shared keys (load.c) */
    uint32_t column;
    union {
        const char *text;    /* scalars: NUL-terminated UTF-8 */
        struct node **items; /* sequences: items; mappings: key, value, key, value, ... */
    } as;
} node;

/* The explicit tag as written (resolved by libyaml), or NULL. */
const char *node_tag(const node *n);

/* Gives n (its text or items set) an explicit tag; -1 when out of memory. */
int node_set_tag(arena *a, node *n, const char *tag);

/* Replaces a scalar's text with `text` (which must outlive the node), keeping
 * its tag; -1 when out of memory. */
int node_set_text(arena *a, node *n, const char *text, size_t len);

node *node_scalar(arena *a, const char *text, size_t len, node_style style);
node *node_string(arena *a, const char *text); /* a new string scalar */
/* A new scalar over `text` itself (NUL-terminated at len), not a copy: text
 * must live as long as the node (in the same arena, or a literal). */
node *node_text(arena *a, const char *text, size_t len, node_style style);
node *node_collection(arena *a, node_kind kind, node_style style);
/* A new mapping of `pairs` pairs (items: key, value, key, value, ...), allocated at that size. */
node *node_mapping(arena *a, node *const *items, size_t pairs);
/* A deep copy of n, texts and tags included: n may live in another arena
 * (the volume spec is parsed on its own) that is freed first. */
node *node_copy(arena *a, const node *n);
/* A deep copy of n's nodes that shares its scalars' texts, for n of the
 * same arena (an alias, a twin): nodes never change their text in place. */
node *node_clone(arena *a, const node *n);
bool node_equal(const node *x, const node *y); /* same data, same key order; ignores style */
/* Appends to buf[0, *len) (realloc'd as it grows, *cap its room) bytes that
 * identify n as node_equal sees it: two nodes give the same bytes exactly
 * when node_equal holds of them, so that a table can find a node's equals.
 * -1 when out of memory (the buffer stays the caller's to free). */
int node_equality_key(const node *n, char **buf, size_t *len, size_t *cap);
/* The same data as a reader sees it: mapping keys in any order (but in a
 * mapping of over 64 pairs), style aside, a !!str tag on a string as good
 * as none. */
bool node_same_data(const node *x, const node *y);
/* The entries of n's item array: a mapping's keys and values, a
 * sequence's items; 0 for a scalar. */
size_t node_slots(const node *n);

/* Levels of collections in n's subtree, n's own included (a scalar has 0):
 * as deep as the loader's depth limit at most, as it refused deeper input. */
size_t node_height(const node *n);

/* Whether n is the scalar `text`. Inline, so that the length of a literal
 * (the usual argument) is known when compiling. */
static inline bool scalar_is(const node *n, const char *text)
{
    size_t len = strlen(text);
    return n && n->kind == NODE_SCALAR && n->len == len && memcmp(n->as.text, text, len) == 0;
}

/* A scalar's text, or NULL for NULL or a collection. */
static inline const char *scalar_text(const node *n)
{
    return n && n->kind == NODE_SCALAR ? n->as.text : NULL;
}

/* Appends; returns -1 when out of memory (or when the node is not a sequence, or a mapping). */
int seq_push(arena *a, node *seq, node *item);
int map_push(arena *a, node *map, node *key, node *value);

static inline node *map_key(const node *map, size_t i) { return map->as.items[2 * i]; }
static inline node *map_value(const node *map, size_t i) { return map->as.items[2 * i + 1]; }

/* Index of the pair whose key is key[0, len), or -1. NULL-safe: map may be
 * NULL or not a mapping. */
long map_find_len(const node *map, const char *key, size_t len);

/* Index of the pair whose key is `key`, or -1. */
static inline long map_find(const node *map, const char *key)
{
    return map_find_len(map, key, strlen(key));
}

/* The value under a scalar key, or NULL. NULL-safe like map_find. */
static inline node *map_get(const node *map, const char *key)
{
    long i = map_find(map, key);
    return i < 0 ? NULL : map->as.items[2 * i + 1];
}

/* Removes the pair whose key is `key`; does nothing when there is none. */
void map_remove(node *map, const char *key);

#endif

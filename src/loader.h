/* The loader's state, shared by the three files that read an input:
 * load.c (libyaml's events into the document model, with the safety
 * limits), load_comments.c (the input's comments, given to the nodes they
 * belong to) and load_text.c (the input's text itself: its encoding, byte
 * offsets as lines and columns, characters as bytes, tags cut at %00).
 * Nothing outside them sees it. */
#ifndef VP_LOADER_H
#define VP_LOADER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <yaml.h>

#include "comments.h"
#include "stream.h"
#include "strmap.h"


typedef struct anchor {
    node *target;
    size_t height;  /* nesting depth of target's subtree: aliases must respect the depth cap too */
    bool complete;  /* false while the anchored collection is still open */
} anchor;

typedef struct frame {
    node *collection;
    char *tag;      /* an explicit tag, set when the collection closes; or NULL */
    anchor *anchor; /* NULL when the collection has none */
    size_t base;    /* index of its first child on the child stack */
    size_t height;  /* deepest child subtree so far */
    bool merge;     /* a mapping with a merge key (<<) */
} frame;

/* A finished node waiting on the child stack, with its own source position:
 * a shared key node has none (see add_key). */
typedef struct child {
    node *n;
    uint32_t line, column;
} child;

#define LOADER_RECENT_KEYS 64
#define LOADER_RECENT_TEXTS 256

typedef struct loader {
    vp_stream *s;
    const char *data;
    size_t len;
    const char *file;
    size_t max_depth;
    size_t alias_left;
    size_t max_alias_nodes;
    child *children;
    size_t nchildren, children_cap;
    frame *frames;
    size_t depth, frames_cap;
    strmap anchors;
    strmap texts;        /* scalar text -> its one copy in the arena */
    strmap keys;         /* mapping key text -> its shared node */
    node *recent_keys[LOADER_RECENT_KEYS]; /* shared key nodes met lately: see shared_key() in load.c */
    struct {
        const char *text;
        size_t len;
    } recent_texts[LOADER_RECENT_TEXTS]; /* likewise, interned texts: see intern() */
    size_t texts_seen;   /* scalars looked up since the last check */
    size_t texts_reused;
    bool interning;      /* texts and keys are shared */
    vp_error *err;
    /* A JSON stream is parsed one document at a time (next_json_document). */
    size_t start, end;  /* bytes the current parser reads */
    size_t next, chunk; /* the next byte it reads, and how many it gets at most (see read_input) */
    /* Tags with %00 (loader_tag_holds_nul), looked for when the input holds it. */
    bool percent_nul;
    size_t tag_chars, tag_bytes; /* a character of the current parser, and its byte */
    yaml_mark_t base;   /* its line and column in the whole input; marks are relative to it */
    yaml_mark_t resume; /* where the last document ended, as the parser counts */
    bool between;       /* that document end was the last event */
    /* Comments (see loader_document_comments and loader_before_event). */
    bool comments;      /* kept: in UTF-8 read by the first parser */
    size_t gap_from;    /* character where the text between documents starts */
    bool opening;       /* a document started and no node of it yet */
    size_t seen_chars, seen_bytes; /* a character index and its byte, for loader_byte_at */
    size_t last_end;    /* character where the last event of the document ended */
    bool last_mid_line; /* not at a line's start */
    node *last_inline;  /* the last event's node: a scalar or flow collection ending a line, no key */
    bool last_key;      /* the last event was a key */
    size_t hash_byte, hash_char; /* the last '#' found (see hash_between), or where the search starts */
    bool hash_found;
    comment_block before, inside; /* found, and not yet given a node (loader_before_event) */
    /* Comments carried on (loader_before_event): grown in place, as they may pass
     * the ends of many collections, each with comments of its own. */
    char *carried;
    size_t carried_len, carried_cap;
} loader;

/* ---- load.c --------------------------------------------------------------- */

/* Sets the error to "out of memory"; returns -1. */
int loader_fail_oom(loader *l);

/* The innermost open collection, or NULL. */
static inline const frame *loader_open_frame(const loader *l)
{
    return l->depth ? &l->frames[l->depth - 1] : NULL;
}

/* Whether collection start event e opens a flow collection. */
bool loader_flow_start(const yaml_event_t *e);

/* ---- load_text.c: the input's text ---------------------------------------- */

/* The byte order of a UTF-16 input, by its byte order mark (as libyaml
 * reads it): 1 little-endian, 2 big-endian; 0 for UTF-8. */
int text_utf16_order(const char *data, size_t len);

/* Where the text starts, past a byte order mark. */
size_t text_start(const char *data, size_t len, int order);

/* The line and column (1-based, in characters) of byte `offset`, counting
 * line breaks as libyaml does. */
void text_position(const char *data, size_t len, size_t offset, unsigned long *line, unsigned long *column);

/* VP_FORMAT_JSON when the first significant character opens an object or array. */
vp_format text_format(const char *data, size_t len);

/* The offset of the first raw NEL, LS or PS in UTF-8 JSON, its code point
 * in *c; or len. */
size_t text_json_yaml_break(const char *data, size_t len, unsigned *c);

/* Whether the input holds "%00" at all (in UTF-16, as such characters). */
bool text_holds_percent_nul(const char *data, size_t len, int order);

/* The byte `chars` characters after byte `at` of UTF-8 input. */
size_t loader_skip_chars(const loader *l, size_t at, size_t chars);

/* The characters in bytes [from, to) of UTF-8 input; the byte `chars`
 * characters before byte `at`. */
size_t loader_count_chars(const loader *l, size_t from, size_t to);
size_t loader_back_chars(const loader *l, size_t at, size_t chars);

/* The byte of the first parser's character `chars`, counted on from the
 * last one asked for (positions only grow). */
size_t loader_byte_at(loader *l, size_t chars);

/* Why event e's tags cannot be kept (one holds %00), or NULL. */
const char *loader_tag_holds_nul(loader *l, const yaml_event_t *e);

/* ---- load_comments.c: the input's comments --------------------------------- */

/* The comments before a document's first node, up to character `to`. */
int loader_document_comments(loader *l, size_t to);

/* Keeps the comments before event e's text for the node it makes. */
int loader_before_event(loader *l, const yaml_event_t *e);

/* Gives the node event e made the comments before_event kept for it. */
int loader_after_event(loader *l, const yaml_event_t *e);

/* The comments after the last document's end. */
int loader_stream_end_comments(loader *l, const yaml_event_t *e);

#endif

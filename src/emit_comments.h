/* Putting the input's comments back into libyaml's output (see comments.h
 * for what the loader keeps). libyaml's emitter has no comments, and holds
 * a collection's start until it has seen a few events after it, so that
 * several events may come out in one call. The comment writer gives it
 * the events, learns from its queue which ones each call wrote, and holds
 * the output while a comment waits for its place: before the line the
 * emitter has just started for a node, or after a node's text on its line.
 * Where that place is not known for sure, the comment is dropped. */
#ifndef VP_EMIT_COMMENTS_H
#define VP_EMIT_COMMENTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <yaml.h>

#include "stream.h"

#define MAX_WAITING 16
#define HISTORY 16 /* events remembered: more than the emitter ever holds */

typedef enum {
    BEFORE_LINE,  /* on lines before the one a key, an item or "..." starts */
    BEFORE_ENTRY, /* on lines before a mapping value's first entry, and after its key */
    AFTER_TEXT    /* after a scalar or flow collection, on its line */
} wait_kind;

typedef struct waiting {
    wait_kind kind;
    size_t event;          /* the event it waits for: its number, from 0 */
    const comment_block *c;
    bool key_one_line;     /* BEFORE_ENTRY: the key before the value is a scalar written on one line */
    char expect[8];        /* how the line must start after its indentation ("" for any key) */
    size_t at;             /* BEFORE_ENTRY, AFTER_TEXT: where in the stage, once the event is written */
} waiting;

typedef struct comment_writer {
    vp_write_fn write;
    void *ctx;
    bool keep_styles;      /* as the emitter was told: flow collections stay flow */
    const node_comments *notes;
    size_t nnotes;
    uint8_t *placed;       /* per note: PLACED_* bits (a node the rewrite put in twice appears twice) */
    bool staging;          /* the stream has comments inside documents: the output goes through stage */
    char *stage;
    size_t staged, stage_cap;
    bool out_of_memory;
    char last_byte;        /* the last one written; '\n' at a line's start */
    size_t events;         /* events given to the emitter */
    struct {
        const char *text;  /* by event number: the text of the scalar it writes, or NULL */
        size_t len;
        node_style style;
    } scalar[HISTORY];
    bool block_end[HISTORY];     /* by event number: the end of a block collection, which writes nothing */
    waiting wait[MAX_WAITING];
    size_t nwait;
} comment_writer;

/* 0, or -1 when out of memory. */
int cw_init(comment_writer *w, const vp_stream *s, bool keep_styles, vp_write_fn write, void *ctx);
void cw_free(comment_writer *w);

/* Writes on (through the stage while there is one); 0 on success. */
int cw_put(comment_writer *w, const char *text, size_t len);

/* yaml_emitter_emit, placing the comments that wait for what it wrote. `scalar`
 * is the node of a scalar event, else NULL; `block_end` marks the end of a
 * block collection. */
int cw_emit(comment_writer *w, yaml_emitter_t *em, yaml_event_t *e, const node *scalar, bool block_end);

/* Whether all given to the emitter is written and no comment waits. */
bool cw_idle(const comment_writer *w, const yaml_emitter_t *em);

/* Writes what is staged; 0 on success. */
int cw_finish(comment_writer *w);

/* Has the comments of entry i of block collection n wait for their place,
 * before its event is given to the emitter. `item` is the entry as it is
 * written. */
void cw_entry(comment_writer *w, const node *n, size_t i, const node *item);

/* Whether entry i of n may have comments to place: a cheap test first. */
static inline bool cw_entry_commented(const node *n, size_t i, const node *item)
{
    return (n->kind == NODE_MAPPING ? n->as.items[i | 1] : item)->commented;
}

/* Has n's trailing comment wait for n's text, before the event that ends
 * n (a scalar's, or a flow collection's end) is given to the emitter. */
void cw_after(comment_writer *w, const node *n);

/* Has a document's closing comments wait for its explicit end ("..."). */
void cw_before_end(comment_writer *w, const comment_block *c);

/* Writes a document's closing comments after its implicit end, which
 * libyaml leaves at a line's start; 0 on success. */
int cw_end(comment_writer *w, yaml_emitter_t *em, const comment_block *c);

#endif

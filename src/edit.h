/* What a scheme adds to the documents, made once and shared: a large
 * rewrite adds hundreds of thousands of keys, names, paths and subPaths but
 * only thousands of different ones. Each text is kept once (edit_intern),
 * each string scalar is one node (edit_str), and the mappings a scheme adds
 * are allocated at their final size (pairs). What volpass adds is never
 * changed in place afterwards, which is what makes the sharing safe. */
#ifndef VP_EDIT_H
#define VP_EDIT_H

#include "comments.h"
#include "doc.h"
#include "error.h"
#include "strmap.h"

/* A text recently asked for, by the address it was given at: see string() in edit.c. */
#define EDIT_RECENT 64
typedef struct edit_recent {
    const char *at;
    node *n;
} edit_recent;

typedef struct editor {
    arena *mem;       /* the stream's: everything added lives there */
    comment_table *notes; /* the stream's: what replaces a node takes its comments */
    strmap strings;   /* text -> the one string scalar over its one copy */
    edit_recent recent[EDIT_RECENT];
    node *yes;        /* the plain `true` */
    char *scratch;    /* where edit_cat and edit_fmt build a text */
    size_t scratch_cap;
    bool oom;         /* an allocation failed: the edit is incomplete */
} editor;

void edit_init(editor *e, arena *mem, comment_table *notes);
void edit_free(editor *e);

/* The one copy of s[0, len) in the arena (NUL-terminated). Never write into it. */
const char *edit_intern(editor *e, const char *s, size_t len);

/* The strings given, joined; interned: edit_cat(e, "a", b, "c"). A macro
 * over an array, so that each part is checked to be a string and no
 * sentinel can be forgotten or passed as a plain 0. */
#define edit_cat(e, ...) edit_join((e), (const char *const[]){__VA_ARGS__, NULL})
const char *edit_join(editor *e, const char *const *parts);

/* `path` as paths.h compares mount paths: itself when normal already (the
 * usual case: no copy), else a normalised copy; "" when out of memory. */
const char *edit_normal_path(editor *e, const char *path);

/* The same, its ".." components resolved by their text when it is absolute
 * (/work/../out is /out), where the place a path names matters more than a
 * symbolic link it may cross: a container's workingDir, for a warning. */
const char *edit_resolved_path(editor *e, const char *path);

/* printf, interned. */
const char *edit_fmt(editor *e, const char *f, ...) VP_PRINTF(2, 3);

/* The string scalar `text` (any text: it is interned first). */
node *edit_str(editor *e, const char *text);

/* The plain scalar `true`. */
node *edit_true(editor *e);

/* A mapping being built: up to four pairs, then made at its final size. */
typedef struct pairs {
    node *items[8];
    size_t n;
} pairs;

void edit_put(editor *e, pairs *m, const char *key, node *value);
node *edit_mapping(editor *e, const pairs *m);

/* map[key] = value; a new key goes at the end. */
void edit_set(editor *e, node *map, const char *key, node *value);

/* The same, but a new key goes first (an inline template's name). */
void edit_set_first(editor *e, node *map, const char *key, node *value);

/* Appends to a sequence. A flow collection volpass adds to is written in
 * block style: long added mounts read better on lines of their own. */
void edit_push(editor *e, node *seq, node *item);

/* The same, `item` standing for `replaced`, an entry of list `replaced_in`
 * that the rewrite removes, whose comments it takes (comments_carry_entry). */
void edit_push_for(editor *e, node *seq, node *item, const node *replaced, node *replaced_in);

/* List `to` takes the comments of list `from`, which the rewrite removes
 * in its favour (comments_carry_list). */
void edit_carry_list_comments(editor *e, const node *from, node *to);

/* The rewrite removed the first entries of `collection` (comments_first_entry_changed). */
void edit_first_entry_changed(editor *e, node *collection);

/* Removes map[key], if there; the comments before the entry after it stay
 * before it when it becomes the first (comments_first_entry_changed). */
void edit_remove(editor *e, node *map, const char *key);

/* map[key] as a list (or a mapping), created at the end when absent or null. */
node *edit_list_field(editor *e, node *map, const char *key);
node *edit_map_field(editor *e, node *map, const char *key);

#endif

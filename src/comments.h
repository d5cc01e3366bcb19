/* Comments of the input, which libyaml does not report: the loader finds
 * them in the text between events (load.c), keeps them with the nodes they
 * stand beside, and the emitter writes them back beside those nodes
 * (emit_yaml.c, through emit_comments.c). Comments are no data: one that
 * cannot be placed for sure is dropped, never written where it could change
 * what the YAML says. */
#ifndef VP_COMMENTS_H
#define VP_COMMENTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "arena.h"
#include "doc.h"

/* Comment lines, each ending in '\n', from their '#' (the indentation is
 * the emitter's), with the blank lines between them as "\n". The first
 * `trailing` bytes, when not 0, are one comment that stood at the end of
 * the line before the others (`key:  # one`, before the key's value). */
typedef struct comment_block {
    const char *text;
    uint32_t len;
    uint32_t trailing;
} comment_block;

/* The comments kept with node n:
 * - before: on the lines before it, or before its key when it is a
 *   mapping's value (keys are shared nodes: see load.c's add_key);
 * - inside: a mapping value's block collection's, after its key and
 *   before its first entry;
 * - after: one after it on its line (`image: busybox  # pinned`). */
typedef struct node_comments {
    const node *n;
    comment_block before, inside, after;
} node_comments;

/* The comments of the text data[from, to), which holds no scalar (the gap
 * between two events). A comment on its first line is `trailing` when
 * `mid_line` (from is not at a line's start). Empty when there is none;
 * -1 when out of memory. */
int comments_gather(arena *a, const char *data, size_t from, size_t to, bool mid_line, comment_block *out);

/* The first `trailing` bytes of b, taken out of it with the blank lines
 * after them (empty when none). */
comment_block comments_take_trailing(comment_block *b);

/* The bytes of the line break at text[i, end): \r\n, \r, \n, and the
 * three of Unicode that YAML 1.1 and libyaml read as breaks too (NEL, LS,
 * PS); 0 when there is none. */
size_t text_line_break(const char *text, size_t i, size_t end);

/* `first` then `then`, in one block: the trailing comment of `then` is a
 * line of its own when `first` has lines; `then` is dropped when both have
 * lines and together would pass 256 KiB. -1 when out of memory. */
int comments_join(arena *a, comment_block *first, const comment_block *then);

/* The stream's comments, by node. The loader makes its entries in input
 * order and sorts them; the rewrite adds entries for nodes it makes, after
 * the `sorted` ones, and sorts the table again when it is done. */
typedef struct comment_table {
    node_comments *at;
    size_t count, cap;
    size_t sorted; /* at[0, sorted) are in the order of their nodes */
} comment_table;

/* Where a node's comments stand (see node_comments). */
typedef enum { BEFORE, INSIDE, AFTER } comment_place;

/* n's entry, made (and n marked commented) when it has none; NULL when out
 * of memory. An entry not among the sorted ones is looked for from the
 * last one made: nodes get their comments while they are the last ones
 * read, or made. */
node_comments *comments_entry(comment_table *t, node *n);

/* Sorts the whole table by node, for comments_find. */
void comments_sort(comment_table *t);

/* The comments of n in a table's sorted part, or NULL. */
const node_comments *comments_find(const node_comments *table, size_t count, const node *n);

/* Gives `to`, an entry the rewrite put into list `to_list` in place of
 * `from`, an entry of `from_list` that it removes, the comments of `from`
 * and of every node inside it, as lines of their own in their input order:
 * before `to`, or inside `to_list` when `to` is its first entry (comments
 * before a first entry are the list's). When `from` is the first entry of
 * `from_list`, the comments before that list's key and before `from`
 * (which the list holds) go first. -1 when out of memory. */
int comments_carry_entry(comment_table *t, arena *a, const node *from, node *from_list, node *to, node *to_list);

/* Gives list `to` the comments of list `from`, which the rewrite removes
 * in its favour: the one on its key's line (or after it, written in flow
 * style), on `to`'s key line (or before its first entry, when that has
 * one), and, when `from` has no entries left, those before it that its
 * first entry did not take (comments_carry_entry), as lines before `to`
 * after its own. -1 when out of memory. */
int comments_carry_list(comment_table *t, arena *a, const node *from, node *to);

/* Flow collection n, a mapping value, is written in block style now: the
 * comment after it goes on its key's line. (As a sequence's item, n keeps
 * none: there is no such line.) -1 when out of memory. */
int comments_unflowed(comment_table *t, arena *a, node *n);

/* After the rewrite removed the first entries of `collection`, the
 * comments before its new first entry (a mapping's: before its key) go
 * inside it, where the emitter writes a first entry's. -1 when out of
 * memory. */
int comments_first_entry_changed(comment_table *t, arena *a, node *collection);

#endif

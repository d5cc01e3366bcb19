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

/* Sorts the table by node, for comments_find. */
void comments_sort(node_comments *table, size_t count);

/* The comments of n in a sorted table, or NULL. */
const node_comments *comments_find(const node_comments *table, size_t count, const node *n);

#endif

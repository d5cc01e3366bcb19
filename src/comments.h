/* Comments of the input, which libyaml does not report: the loader finds
 * them in the text between events (load.c), keeps them with the nodes they
 * stand beside, and the emitter writes them back beside those nodes
 * (emit_yaml.c). Comments are no data: one that cannot be placed for sure
 * is dropped, never written where it could change what the YAML says. */
#ifndef VP_COMMENTS_H
#define VP_COMMENTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "arena.h"
#include "doc.h"

/* Comment lines, each ending in '\n', from their '#' (the indentation is
 * the emitter's), with the blank lines between them as "\n". The first
 * `trailing` bytes, when not 0, are one comment that followed node
 * `follows` on its line (`a: 1  # one`, `- {a: 1}  # one`): it goes after
 * that scalar or flow collection when the line before the comments' place
 * ends with it, else on a line of its own. */
typedef struct comment_block {
    const char *text;
    uint32_t len;
    uint32_t trailing;
    const node *follows;
} comment_block;

/* The comments kept with node n:
 * - before: on the lines before it, or before its key when it is a
 *   mapping's value (keys are shared nodes: see load.c's add_key);
 * - inside: a block collection's, between its start and its first entry,
 *   that is between a mapping value's key and the value's first line. */
typedef struct node_comments {
    const node *n;
    comment_block before, inside;
} node_comments;

/* The comments of the text data[from, to), which holds no scalar (the gap
 * between two events). A comment on its first line trails `follows`, when
 * that is a node ending at `from` (not NULL), which is not at a line's
 * start. Empty when there is none; -1 when out of memory. */
int comments_gather(arena *a, const char *data, size_t from, size_t to, const node *follows, comment_block *out);

/* `first` then `then`, in one block: the trailing comment of `then` is a
 * line of its own when `first` has lines. -1 when out of memory. */
int comments_join(arena *a, comment_block *first, const comment_block *then);

/* Sorts the table by node, for comments_find. */
void comments_sort(node_comments *table, size_t count);

/* The comments of n in a sorted table, or NULL. */
const node_comments *comments_find(const node_comments *table, size_t count, const node *n);

#endif

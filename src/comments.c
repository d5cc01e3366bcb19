/* Comment lines out of the input's text, and the table of those kept. */
#include <stdlib.h>
#include <string.h>

#include "comments.h"
#include "grow.h"

/* Joining copies: comments that climb to one place through many levels
 * (before each first entry of nested sequences) would copy all before them
 * at each. Past this, the later ones are dropped (one gap's are never). */
#define MAX_JOINED (256 * 1024)

static bool only_blanks(const char *s, size_t len)
{
    for (size_t i = 0; i < len; i++)
        if (s[i] != ' ' && s[i] != '\t')
            return false;
    return true;
}

size_t text_line_break(const char *data, size_t i, size_t end)
{
    const char *c = data + i;
    size_t left = end - i;
    if (left >= 2 && c[0] == '\r' && c[1] == '\n')
        return 2;
    if (left >= 1 && (c[0] == '\r' || c[0] == '\n'))
        return 1;
    if (left >= 2 && memcmp(c, "\xC2\x85", 2) == 0)
        return 2;
    return left >= 3 && (memcmp(c, "\xE2\x80\xA8", 3) == 0 || memcmp(c, "\xE2\x80\xA9", 3) == 0) ? 3 : 0;
}

/* The end of the line starting at byte i (where its break starts), or `end`. */
static size_t line_end(const char *data, size_t i, size_t end)
{
    while (i < end && !text_line_break(data, i, end))
        i++;
    return i;
}

/* Where the comment on line data[from, eol) starts (a '#' at its start or
 * after a blank), or eol. The text between events holds no scalar, tag or
 * anchor (an event's marks take those in), so no '#' there is anything else. */
static size_t comment_start(const char *data, size_t from, size_t eol)
{
    for (size_t i = from; i < eol; i++)
        if (data[i] == '#' && (i == from || data[i - 1] == ' ' || data[i - 1] == '\t'))
            return i;
    return eol;
}

int comments_gather(arena *a, const char *data, size_t from, size_t to, bool mid_line, comment_block *out)
{
    *out = (comment_block){NULL, 0, 0};
    if (from >= to || !memchr(data + from, '#', to - from))
        return 0; /* no comment: a gap of blank lines costs nothing */
    char *text = arena_alloc(a, to - from + 1);
    if (!text)
        return -1;
    size_t len = 0, kept = 0; /* kept: up to the last comment line, without the blank lines after it */
    for (size_t i = from; i < to;) {
        size_t eol = line_end(data, i, to);
        size_t hash = comment_start(data, i, eol);
        if (hash < eol) {
            memcpy(text + len, data + hash, eol - hash);
            len += eol - hash;
            text[len++] = '\n';
            if (i == from && mid_line)
                out->trailing = (uint32_t)len;
            kept = len;
        } else if (kept && only_blanks(data + i, eol - i)) {
            text[len++] = '\n';
        }
        i = eol + (eol < to ? text_line_break(data, eol, to) : 1);
    }
    if (kept) {
        out->text = text;
        out->len = (uint32_t)kept;
    }
    return 0;
}

comment_block comments_take_trailing(comment_block *b)
{
    comment_block t = {b->text, b->trailing, 0};
    if (!b->trailing)
        return (comment_block){NULL, 0, 0};
    b->text += b->trailing;
    b->len -= b->trailing;
    b->trailing = 0;
    while (b->len && b->text[0] == '\n') { /* blank lines are kept between comments only */
        b->text++;
        b->len--;
    }
    if (!b->len)
        b->text = NULL;
    return t;
}

int comments_join(arena *a, comment_block *first, const comment_block *then)
{
    if (!then->len)
        return 0;
    if (!first->len) {
        *first = *then;
        return 0;
    }
    if ((size_t)first->len + then->len > MAX_JOINED)
        return 0;
    char *text = arena_alloc(a, (size_t)first->len + then->len);
    if (!text)
        return -1;
    memcpy(text, first->text, first->len);
    memcpy(text + first->len, then->text, then->len);
    first->text = text;
    first->len += then->len;
    return 0;
}

static int by_node(const void *x, const void *y)
{
    uintptr_t a = (uintptr_t)((const node_comments *)x)->n, b = (uintptr_t)((const node_comments *)y)->n;
    return a < b ? -1 : a > b;
}

void comments_sort(comment_table *t)
{
    if (t->count > 1)
        qsort(t->at, t->count, sizeof *t->at, by_node);
    t->sorted = t->count;
}

const node_comments *comments_find(const node_comments *table, size_t count, const node *n)
{
    node_comments key = {.n = n};
    return count ? bsearch(&key, table, count, sizeof *table, by_node) : NULL;
}

/* n's entry, or NULL. The table's own: writable. */
static node_comments *lookup(const comment_table *t, const node *n)
{
    if (!n->commented)
        return NULL;
    for (size_t i = t->count; i-- > t->sorted;)
        if (t->at[i].n == n)
            return &t->at[i];
    return (node_comments *)comments_find(t->at, t->sorted, n);
}

node_comments *comments_entry(comment_table *t, node *n)
{
    node_comments *found = lookup(t, n);
    if (found)
        return found;
    node_comments *grown = grow_heap(t->at, &t->cap, t->count, sizeof *grown);
    if (!grown)
        return NULL;
    t->at = grown;
    n->commented = true;
    grown[t->count] = (node_comments){.n = n};
    return &grown[t->count++];
}

/* Joins `then` after *first as lines of their own (a trailing comment of
 * its own line before a block value is one line among them now). */
static int join_lines(arena *a, comment_block *first, comment_block then)
{
    then.trailing = 0;
    return comments_join(a, first, &then);
}

/* Joins after *out the comments of n and of the nodes inside it, in their input order. */
static int gather_tree(const comment_table *t, arena *a, const node *n, comment_block *out)
{
    const node_comments *c = lookup(t, n);
    if (c && (join_lines(a, out, c->before) != 0 || join_lines(a, out, c->inside) != 0))
        return -1;
    size_t slots = node_slots(n);
    for (size_t i = 0; i < slots; i++)
        if (gather_tree(t, a, n->as.items[i], out) != 0)
            return -1;
    return c ? join_lines(a, out, c->after) : 0;
}

int comments_carry_entry(comment_table *t, arena *a, const node *from, node *from_list, node *to, node *to_list)
{
    comment_block carried = {NULL, 0, 0};
    node_comments *list_note = from_list && from_list->kind == NODE_SEQUENCE && from_list->len &&
                                       from_list->as.items[0] == from ? lookup(t, from_list) : NULL;
    if (list_note) { /* the lines before the list and before `from`, not the list key's own comment */
        comment_block inside = list_note->inside;
        list_note->inside = comments_take_trailing(&inside);
        list_note->inside.trailing = list_note->inside.len;
        carried = list_note->before;
        list_note->before = (comment_block){NULL, 0, 0};
        if (join_lines(a, &carried, inside) != 0)
            return -1;
    }
    if (gather_tree(t, a, from, &carried) != 0)
        return -1;
    if (!carried.len)
        return 0;
    bool first = to_list->kind == NODE_SEQUENCE && to_list->len && to_list->as.items[0] == to;
    node_comments *c = comments_entry(t, first ? to_list : to);
    return c ? join_lines(a, first ? &c->inside : &c->before, carried) : -1;
}

/* Puts one-line comment `line` on the line of n's key (n, whose comments c
 * are, a mapping value: the trailing one of those inside it), or, when that
 * line has one already, on a line of its own before n's first entry. */
static int onto_key_line(arena *a, node_comments *c, comment_block line)
{
    if (!line.len)
        return 0;
    if (c->inside.trailing)
        return join_lines(a, &c->inside, line);
    line.trailing = line.len;
    if (comments_join(a, &line, &c->inside) != 0)
        return -1;
    c->inside = line;
    return 0;
}

int comments_carry_list(comment_table *t, arena *a, const node *from, node *to)
{
    node_comments *old = lookup(t, from);
    if (!old)
        return 0;
    bool entries = from->kind == NODE_SEQUENCE && from->len; /* the first takes those before (carry_entry) */
    comment_block before = entries ? (comment_block){NULL, 0, 0} : old->before, after = old->after,
                  key_line = comments_take_trailing(&old->inside);
    old->after = (comment_block){NULL, 0, 0};
    if (!entries)
        old->before = (comment_block){NULL, 0, 0};
    node_comments *c = comments_entry(t, to); /* may move the table: old is not read after it */
    return c && join_lines(a, &c->before, before) == 0 && onto_key_line(a, c, key_line) == 0 &&
                   onto_key_line(a, c, after) == 0
               ? 0
               : -1;
}

int comments_unflowed(comment_table *t, arena *a, node *n)
{
    node_comments *c = lookup(t, n);
    if (!c || !c->after.len)
        return 0;
    comment_block after = c->after;
    c->after = (comment_block){NULL, 0, 0};
    return onto_key_line(a, c, after);
}

int comments_first_entry_changed(comment_table *t, arena *a, node *collection)
{
    if (!collection->len)
        return 0;
    node_comments *first = lookup(t, collection->as.items[collection->kind == NODE_MAPPING]); /* a key's are its value's */
    if (!first || !first->before.len)
        return 0;
    comment_block before = first->before;
    first->before = (comment_block){NULL, 0, 0};
    node_comments *c = comments_entry(t, collection); /* may move the table: first is not read after it */
    return c ? join_lines(a, &c->inside, before) : -1;
}

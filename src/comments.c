/* Comment lines out of the input's text, and the table of those kept. */
#include <stdlib.h>
#include <string.h>

#include "comments.h"

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

void comments_sort(node_comments *table, size_t count)
{
    if (count > 1)
        qsort(table, count, sizeof *table, by_node);
}

const node_comments *comments_find(const node_comments *table, size_t count, const node *n)
{
    node_comments key = {.n = n};
    return count ? bsearch(&key, table, count, sizeof *table, by_node) : NULL;
}

#include "path_index.h"

#include <stdlib.h>
#include <string.h>

#include "sorted.h"

/* Byte i of s as the order ranks it: its end first, then '/', then the rest. */
static int rank(const char *s, size_t len, size_t i)
{
    return i == len ? 0 : s[i] == '/' ? 1 : (unsigned char)s[i] + 2;
}

static int compare(const char *a, size_t alen, const char *b, size_t blen)
{
    size_t n = alen < blen ? alen : blen, i = 0;
    while (i < n && a[i] == b[i])
        i++;
    return rank(a, alen, i) - rank(b, blen, i);
}

static int compare_entries(const void *x, const void *y)
{
    const path_entry *a = x, *b = y;
    int c = compare(a->path, a->len, b->path, b->len);
    return c ? c : (a->index > b->index) - (a->index < b->index);
}

void path_index_sort(path_index *ix, bool distinct)
{
    if (ix->count > 1)
        qsort(ix->entries, ix->count, sizeof *ix->entries, compare_entries);
    size_t kept = 0;
    for (size_t i = 0; i < ix->count; i++) {
        const path_entry *e = &ix->entries[i], *last = kept ? &ix->entries[kept - 1] : NULL;
        if (!distinct || !last || compare(last->path, last->len, e->path, e->len) != 0)
            ix->entries[kept++] = *e;
    }
    ix->count = kept;
}

static int entry_order(const void *entry, const void *key)
{
    const path_entry *e = entry, *k = key;
    return compare(e->path, e->len, k->path, k->len);
}

/* The first entry not below text[0..len) in the order. */
static size_t lower_bound(const path_index *ix, const char *text, size_t len)
{
    return sorted_lower_bound(ix->entries, ix->count, sizeof *ix->entries, &(path_entry){text, len, 0}, entry_order);
}

static void visit_all(size_t n, path_visit *visit, void *ctx)
{
    for (size_t i = 0; i < n; i++)
        visit(ctx, i);
}

/* Visits the run of entries whose text starts with text[0..len) and, when
 * `whole`, ends there, or else goes on with a '/' there or ends. */
static void visit_run(const path_index *ix, size_t n, const char *text, size_t len, bool whole, path_visit *visit,
                      void *ctx)
{
    for (size_t i = lower_bound(ix, text, len); i < ix->count; i++) {
        const path_entry *e = &ix->entries[i];
        if (e->len < len || memcmp(e->path, text, len) != 0 || (e->len > len && (whole || e->path[len] != '/')))
            break;
        if (e->index < n)
            visit(ctx, e->index);
    }
}

void path_index_under(const path_index *ix, size_t n, const char *dir, path_visit *visit, void *ctx)
{
    size_t len = strlen(dir);
    while (len && dir[len - 1] == '/')
        len--;
    if (!ix || len == 0)
        visit_all(n, visit, ctx);
    else
        visit_run(ix, n, dir, len, false, visit, ctx);
}

void path_index_holding(const path_index *ix, size_t n, const char *path, path_visit *visit, void *ctx)
{
    if (!ix) {
        visit_all(n, visit, ctx);
        return;
    }
    size_t len = strlen(path);
    visit_run(ix, n, "/", 1, true, visit, ctx); /* which holds a path made of parameters, too */
    for (size_t b = path[0] == '/' ? 2 : 1; b <= len; b++) /* "/" is done */
        if (b == len || path[b] == '/')
            visit_run(ix, n, path, b, true, visit, ctx);
}

void path_index_equal(const path_index *ix, size_t n, const char *path, path_visit *visit, void *ctx)
{
    if (!ix)
        visit_all(n, visit, ctx);
    else
        visit_run(ix, n, path, strlen(path), true, visit, ctx);
}

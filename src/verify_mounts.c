/* Which mount of a pod holds a path. A pod of the rewrite has a mount for
 * each artifact that goes through the volume, and verify asks about each
 * artifact: walking every mount for each, and filling in each mount path's
 * parameters again each time, took a template of 8,000 artifacts 12 GB and
 * minutes. A pod's mounts are read once into a table, kept for the last few
 * pods asked about, and a large one is indexed by path (path_index.h). */
#include "verify_ctx.h"

/* Mount path `text` as the pod sees it: filled in, absolute, normalised. */
static const char *table_path(vctx *v, const mount_table *m, const char *text)
{
    size_t budget = v->budget;
    v->budget = BUDGET; /* the same answer whichever question asked first */
    const char *path = verify_mount_path(v, m->tree ? verify_pod_path(v, m->tree, m->i, text) : text);
    v->budget = budget;
    if (path_is_normal(path))
        return path;
    char *copy = fmt_writable(v, "%s", path);
    path_normalize(copy);
    return copy;
}

/* Room for n mounts in m's arrays, which keep theirs from one pod to the next. */
static bool grow_table(vctx *v, mount_table *m, size_t n)
{
    if (n <= m->cap)
        return true;
    n = n < 2 * m->cap ? 2 * m->cap : n < 8 ? 8 : n;
    const node **mount = realloc(m->mount, n * sizeof *mount);
    m->mount = mount ? mount : m->mount;
    const char **path = mount ? realloc(m->path, n * sizeof *path) : NULL;
    m->path = path ? path : m->path;
    path_entry *entries = path ? realloc(m->entries, n * sizeof *entries) : NULL;
    m->entries = entries ? entries : m->entries;
    if (!entries) {
        v->oom = true;
        return false;
    }
    m->cap = n;
    return true;
}

static void fill_table(vctx *v, mount_table *m)
{
    m->n = 0;
    m->ix = (path_index){NULL, 0};
    mount_cursor at = {0, 0};
    for (const node *mount; (mount = template_next_mount(m->t, TEMPLATE_MOUNT_LISTS, &at));) {
        if (!grow_table(v, m, m->n + 1)) {
            m->n = m->ix.count = 0; /* none then: out of memory, verify fails */
            return;
        }
        const char *text = scalar_text(map_get(mount, "mountPath"));
        m->mount[m->n] = mount;
        m->path[m->n] = text ? table_path(v, m, text) : NULL;
        if (m->path[m->n])
            m->entries[m->ix.count++] = (path_entry){m->path[m->n], strlen(m->path[m->n]), m->n};
        m->n++;
    }
    m->ix.entries = m->entries;
    if (m->n > PATH_INDEX_MIN)
        path_index_sort(&m->ix, false);
}

/* Template t's mounts, filled in by instance i of `tree` (or as written). */
static const mount_table *mounts_of(vctx *v, const call_tree *tree, const instance *i, const template *t)
{
    mount_table *oldest = &v->mounts[0];
    for (size_t k = 0; k < MOUNT_TABLES; k++) {
        mount_table *m = &v->mounts[k];
        if (m->t == t && m->tree == tree && m->i == i) {
            m->used = ++v->mounts_clock;
            return m;
        }
        if (m->used < oldest->used)
            oldest = m;
    }
    oldest->t = t, oldest->tree = tree, oldest->i = i;
    oldest->used = ++v->mounts_clock;
    fill_table(v, oldest);
    return oldest;
}

static const path_index *index_of(const mount_table *m)
{
    return m->n > PATH_INDEX_MIN ? &m->ix : NULL;
}

typedef struct covering {
    const mount_table *m;
    const char *path;
    size_t best, best_len;
} covering;

static void longer_cover(void *ctx, size_t j)
{
    covering *c = ctx;
    size_t n = c->m->path[j] ? path_covers(c->m->path[j], c->path) : 0;
    if (n && (c->best == NOT_FOUND || n > c->best_len || (n == c->best_len && j < c->best)))
        c->best = j, c->best_len = n;
}

const node *verify_covering_mount_in(vctx *v, const call_tree *tree, const instance *i, const template *t,
                                     const char *path, size_t *prefix_len)
{
    const mount_table *m = mounts_of(v, tree, i, t);
    covering c = {m, path, NOT_FOUND, 0};
    path_index_holding(index_of(m), m->n, path, longer_cover, &c);
    *prefix_len = c.best_len;
    return c.best == NOT_FOUND ? NULL : m->mount[c.best];
}

const node *verify_covering_mount(vctx *v, const template *t, const char *path, size_t *prefix_len)
{
    return verify_covering_mount_in(v, NULL, NULL, t, path, prefix_len);
}

typedef struct counting {
    const mount_table *m;
    const char *path;
    size_t n;
} counting;

static void count_equal(void *ctx, size_t j)
{
    counting *c = ctx;
    const char *text = scalar_text(map_get(c->m->mount[j], "mountPath"));
    c->n += text && path_equal(text, c->path);
}

size_t verify_mount_count(vctx *v, const template *t, const char *mount_path)
{
    const mount_table *m = mounts_of(v, NULL, NULL, t);
    counting c = {m, mount_path, 0};
    path_index_equal(index_of(m), m->n, table_path(v, m, mount_path), count_equal, &c);
    return c.n;
}

typedef struct earlier {
    const mount_table *m;
    size_t first, self;
    bool found;
} earlier;

static void same_path_before(void *ctx, size_t k)
{
    earlier *e = ctx;
    e->found |= k >= e->first && k < e->self && e->m->path[k] && path_equal(e->m->path[k], e->m->path[e->self]);
}

bool verify_mount_repeats(vctx *v, const template *t, size_t first, size_t j)
{
    const mount_table *m = mounts_of(v, NULL, NULL, t);
    earlier e = {m, first, j, false};
    if (j < m->n && m->path[j])
        path_index_equal(index_of(m), m->n, m->path[j], same_path_before, &e);
    return e.found;
}

typedef struct inside {
    const mount_table *m;
    const char *path;
    size_t *hits, n, cap;
    bool oom;
} inside;

/* A mount inside c->path, not on it, by its path as written, normalised
 * (a relative one is not made absolute here). */
static void strictly_inside(void *ctx, size_t j)
{
    inside *c = ctx;
    const char *mp = scalar_text(map_get(c->m->mount[j], "mountPath"));
    if (!mp)
        return;
    char *owned = path_is_normal(mp) ? NULL : strdup(mp); /* not the arena's: a copy an artifact and mount */
    if (owned)
        path_normalize(owned);
    const char *inner = owned ? owned : mp;
    if (!path_is_normal(mp) && !owned) {
        c->oom = true;
    } else if (path_covers(c->path, inner) && strcmp(c->path, inner) != 0) {
        size_t *hits = grow_heap(c->hits, &c->cap, c->n, sizeof *hits);
        c->oom |= !hits;
        if (hits)
            (c->hits = hits)[c->n++] = j;
    }
    free(owned);
}

static int compare_sizes(const void *x, const void *y)
{
    size_t a = *(const size_t *)x, b = *(const size_t *)y;
    return (a > b) - (a < b);
}

void verify_each_mount_inside(vctx *v, const template *t, const char *path,
                              void (*fn)(vctx *, const node *mount, const char *mount_path, void *), void *ctx)
{
    const mount_table *m = mounts_of(v, NULL, NULL, t);
    inside c = {m, path, NULL, 0, 0, false};
    /* Relative paths are compared as written; the index holds them made absolute. */
    path_index_under(path[0] == '/' ? index_of(m) : NULL, m->n, path, strictly_inside, &c);
    v->oom |= c.oom;
    if (c.n > 1)
        qsort(c.hits, c.n, sizeof *c.hits, compare_sizes);
    for (size_t k = 0; k < c.n; k++)
        fn(v, m->mount[c.hits[k]], scalar_text(map_get(m->mount[c.hits[k]], "mountPath")), ctx);
    free(c.hits);
}

void verify_mounts_free(vctx *v)
{
    for (size_t k = 0; k < MOUNT_TABLES; k++) {
        free(v->mounts[k].mount);
        free(v->mounts[k].path);
        free(v->mounts[k].entries);
    }
}

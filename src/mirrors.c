#include "mirrors.h"

#include <stdlib.h>
#include <string.h>

#include "grow.h"
#include "paths.h"
#include "scalar.h"
#include "workflow.h"

/* The container of `list` named as `ctr` is (the first of that name), or NULL. */
static const node *twin_of(name_index *twins, const node *list, const node *ctr)
{
    const node *name = map_get(ctr, "name");
    if (!name || name->kind != NODE_SCALAR)
        return NULL;
    return name_index_find(twins, list, name->as.text, strlen(name->as.text));
}

typedef struct reading {
    mirrors *m;
    arena *mem;
    size_t cap;
    bool oom;
} reading;

/* Adds the mounts of ctr (a mapping or not) that have a mountPath. */
static void add_mounts(reading *r, const node *ctr, const char *container)
{
    const node *list = map_get(ctr, "volumeMounts");
    for (size_t i = 0; list && list->kind == NODE_SEQUENCE && i < list->len && !r->oom; i++) {
        const node *path = map_get(list->as.items[i], "mountPath");
        if (!path || path->kind != NODE_SCALAR)
            continue;
        mirror_mount *grown = grow_arena(r->mem, r->m->mounts, &r->cap, r->m->count, sizeof *grown);
        if (!grown) {
            r->oom = true;
            return;
        }
        r->m->mounts = grown;
        r->m->mounts[r->m->count++] = (mirror_mount){list->as.items[i], container, path->as.text};
    }
}

/* Walks the containers as template_mirror_clash always has: lists 0 and 1
 * are the template's, 2 and 3 the defaults' of the same kinds; a defaults
 * container with a twin in the template was met merged into it. */
static void add_containers(reading *r, const node *const lists[4], name_index *twins)
{
    for (size_t l = 0; l < 4 && !r->oom; l++)
        for (size_t c = 0; lists[l] && lists[l]->kind == NODE_SEQUENCE && c < lists[l]->len && !r->oom; c++) {
            const node *ctr = lists[l]->as.items[c], *twin = twin_of(twins, lists[l ^ 2], ctr);
            if (l >= 2 && twin)
                continue;
            const node *mirror = argo_field(ctr, "mirrorVolumeMounts");
            if (!scalar_is_true(mirror ? mirror : argo_field(twin, "mirrorVolumeMounts")))
                continue;
            const node *name = map_get(ctr, "name");
            const char *container = name && name->kind == NODE_SCALAR ? name->as.text : "?";
            if (!r->m->first) {
                r->m->first = ctr;
                r->m->first_name = container;
            }
            add_mounts(r, ctr, container);
            add_mounts(r, twin, container);
        }
}

/* path normalised in the arena (itself when it is already). */
static const char *normal_copy(arena *mem, const char *path)
{
    if (path_is_normal(path))
        return path;
    char *copy = arena_strndup(mem, path, strlen(path));
    if (copy)
        path_normalize(copy);
    return copy;
}

static void index_paths(reading *r)
{
    mirrors *m = r->m;
    for (size_t i = 0; i < m->count; i++)
        m->ntemplated += path_is_templated(m->mounts[i].path);
    m->templated = m->ntemplated ? arena_alloc(r->mem, m->ntemplated * sizeof *m->templated) : NULL;
    m->by_path.entries = m->count > PATH_INDEX_MIN ? arena_alloc(r->mem, m->count * sizeof *m->by_path.entries)
                                                   : NULL;
    if ((m->ntemplated && !m->templated) || (m->count > PATH_INDEX_MIN && !m->by_path.entries)) {
        r->oom = true;
        return;
    }
    for (size_t i = 0, t = 0; i < m->count; i++)
        if (path_is_templated(m->mounts[i].path))
            m->templated[t++] = i;
    for (size_t i = 0; m->by_path.entries && i < m->count; i++) {
        const char *path = normal_copy(r->mem, m->mounts[i].path);
        if (!path) {
            r->oom = true;
            return;
        }
        m->by_path.entries[m->by_path.count++] = (path_entry){path, strlen(path), i};
    }
    if (m->by_path.entries)
        path_index_sort(&m->by_path, false);
}

const mirrors *mirrors_read(const node *const lists[4], arena *mem, name_index *twins, bool *oom)
{
    mirrors found;
    memset(&found, 0, sizeof found);
    reading r = {&found, mem, 0, false};
    add_containers(&r, lists, twins);
    if (!r.oom && found.first)
        index_paths(&r);
    mirrors *m = !r.oom && found.first ? arena_alloc(mem, sizeof *m) : NULL;
    if (m)
        *m = found;
    *oom = r.oom || (found.first && !m); /* twins, out of memory, walks the lists instead */
    return *oom ? NULL : m;
}

/* ---- the question ------------------------------------------------------------ */

typedef struct asking {
    const mirrors *m;
    const char *path;
    bool maybe;
    size_t first; /* the first mount that answers, or m->count */
} asking;

static void try_mount(void *ctx, size_t i)
{
    asking *a = ctx;
    const char *mp = a->m->mounts[i].path;
    if (i < a->first && (a->maybe ? path_may_equal : path_equal)(mp, a->path))
        a->first = i;
}

const node *mirrors_clash(const mirrors *m, const char *path, bool maybe, const char **container)
{
    if (!path) {
        *container = m->first_name;
        return m->first;
    }
    asking a = {m, path, maybe, m->count};
    if (!m->by_path.entries) {
        for (size_t i = 0; i < m->count && a.first == m->count; i++)
            try_mount(&a, i);
    } else {
        /* Candidates: the mounts on that path as written; with `maybe`, a
         * path made of parameters may be any other, and may be made so. */
        bool any = maybe && path_is_templated(path);
        char *normal = any || path_is_normal(path) ? NULL : strdup(path);
        if (normal)
            path_normalize(normal);
        for (size_t i = 0; any && i < m->count; i++)
            try_mount(&a, i);
        if (!any)
            path_index_equal(&m->by_path, m->count, normal ? normal : path, try_mount, &a);
        for (size_t k = 0; maybe && !any && k < m->ntemplated; k++)
            try_mount(&a, m->templated[k]);
        free(normal);
    }
    if (a.first == m->count)
        return NULL;
    *container = m->mounts[a.first].container;
    return m->mounts[a.first].mount;
}

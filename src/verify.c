/* The verifier: does a rewritten stream move data as the original does?
 *
 * 1. In the original, every leaf instance's input artifact is traced back
 *    through arguments (from, fromExpression, subPath), dag and steps outputs
 *    and globalName to the producer instance's output: a hand-off.
 * 2. In the rewrite, the same two instances (found by call path) are
 *    evaluated symbolically: parameters substituted from callers, task
 *    outputs and defaults, {{pod.name}} made distinct per instance, and each
 *    side's file path located on a volume through the container's mounts.
 * 3. A hand-off is preserved when the consumer's location is the producer's
 *    (plus the argument's subPath), or when both sides are still artifacts.
 * Nothing here knows how volpass rewrites: only what the documents say. */
#include "verify_ctx.h"

/* ---- small helpers ------------------------------------------------------ */

static void add_entry(vctx *v, entry e)
{
    vp_verify_report *r = v->r;
    entry *bigger = grow_heap(r->entries, &r->cap, r->count, sizeof *bigger);
    if (!bigger) {
        v->oom = true;
        return;
    }
    r->entries = bigger;
    r->entries[r->count++] = e;
    if (e.kind == ENTRY_PROBLEM) {
        r->sum.problems++;
    } else {
        r->sum.handoffs++;
        if (e.preserved)
            r->sum.preserved++;
        else
            r->sum.broken++;
    }
}

void VP_PRINTF(4, 5) verify_problem(vctx *v, const node *at, const template *t, const char *f, ...)
{
    va_list ap;
    va_start(ap, f);
    char msg[1024];
    vsnprintf(msg, sizeof msg, f, ap);
    va_end(ap);
    entry e = {ENTRY_PROBLEM, false, NULL, NULL, NULL, NULL, NULL, NULL, 0, 0};
    e.detail = t ? fmt(v, "template '%s': %s", t->name, msg) : fmt(v, "%s", msg);
    if (v->baseline) {
        if (strmap_put(&v->known, e.detail, strlen(e.detail), (void *)e.detail) != 0)
            v->oom = true;
        return;
    }
    if (strmap_get(&v->known, e.detail, strlen(e.detail)))
        return;
    if (at) {
        e.line = at->line;
        e.column = at->column;
    }
    const char *key = fmt(v, "%zu:%zu:%s", (size_t)e.line, (size_t)e.column, e.detail);
    if (strmap_get(&v->reported, key, strlen(key)))
        return; /* once */
    if (strmap_put(&v->reported, key, strlen(key), (void *)key) != 0)
        v->oom = true;
    add_entry(v, e);
}

/* ---- locating a file on a volume ---------------------------------------- */

typedef struct location {
    const char *volume; /* the mount's volume name */
    const char *store;  /* the storage behind it (volume_storage) */
    const char *root;   /* the directory of that storage the volume shows ("" for all of it) */
    const node *mount;
    values where; /* path inside that storage, normalised; alternatives */
} location;

/* Path `path` of at's storage as a path in at's volume, for messages: below
 * the directory the volume shows (an nfs export's), else as it is. */
static const char *in_volume(const location *at, const char *path)
{
    size_t n = at->root ? strlen(at->root) : 0;
    if (!n || strncmp(path, at->root, n) != 0 || (path[n] && path[n] != '/'))
        return path;
    return path[n] ? path + n + 1 : path + n;
}

const char *verify_pod_path(vctx *v, const call_tree *t, const instance *i, const char *text)
{
    if (!v || !strstr(text, "{{"))
        return text;
    values vals;
    verify_resolve_text(v, t, i, text, &vals, 0);
    return !vals.why && vals.n ? vals.v[0] : text;
}

const char *verify_mount_path(vctx *v, const char *text)
{
    return path_is_relative(text) ? fmt(v, "/%s", text) : text;
}

/* Path `sub` of a volume showing directory `root` of its storage, then
 * `rest` below it: the path in the storage, normalised. */
static const char *storage_path(vctx *v, const char *root, const char *sub, const char *rest)
{
    char *path = fmt_writable(v, "%s/%s/%s", root, sub, rest);
    path_normalize(path);
    return path + (*path == '/'); /* "/" when all three are empty */
}

/* The volume named `name` of instance i's pod, as its template, the
 * running workflow or a WorkflowTemplate that workflow runs through
 * workflowTemplateRef (whose spec Argo joins to the Workflow's) declares
 * it; NULL for a claim of the workflow's, or none. A run of a
 * WorkflowTemplate is followed from the template (call_tree_expand): the
 * volumes of a Workflow that runs it come first (the first such Workflow's
 * in the stream). */
static const node *pod_volume(vctx *v, const instance *i, const char *name, const workflow **runner)
{
    const workflow *running = running_workflow(i);
    /* A Workflow's volumes take the place of those of the WorkflowTemplate it runs (workflowTemplateRef). */
    const node *vol = template_volume_in(&v->names, i->tmpl, running->runner, name);
    if (runner) /* when the runner's spec gives it, not the template's own volumes */
        *runner = vol && running->runner && !template_volume_in(&v->names, i->tmpl, NULL, name) ? running->runner : NULL;
    if (!vol)
        vol = template_volume_in(&v->names, i->tmpl, running, name);
    const workflow *joined = vol ? NULL : call_tree_runs(&v->rew, running);
    if (joined && template_reaches(i->tmpl, name))
        vol = parameter_named(map_get(joined->spec, "volumes"), name, strlen(name));
    return vol;
}

/* A setting of instance i's volume, its parameters substituted; one whose
 * value is not known is that instance's alone, as far as verify knows. */
static const char *setting_in(vctx *v, const instance *i, const char *text)
{
    if (!strstr(text, "{{"))
        return text;
    values vals;
    verify_resolve_text(v, &v->rew, i, text, &vals, 0);
    return !vals.why && vals.n == 1 ? vals.v[0] : fmt(v, "%s\n<pod %s>", text, i->path);
}

/* The storage behind volume `name` of instance i's pod (volume_storage);
 * *root receives the directory of it the volume shows. A claim of the
 * workflow's is the one Argo makes for it, named after the workflow. */
static const char *storage_of(vctx *v, const instance *i, const char *name, const char **root)
{
    const node *vol = pod_volume(v, i, name, NULL);
    *root = "";
    const char *key = vol ? volume_storage(&v->r->mem, vol, root) : fmt(v, "persistentVolumeClaim\n{{workflow.name}}-%s", name);
    v->oom |= !key;
    *root = setting_in(v, i, *root);
    return key ? setting_in(v, i, key) : "";
}

static void locate(vctx *v, const call_tree *t, const instance *i, const char *raw, location *out)
{
    size_t prefix = 0;
    /* read as a mount path is (a value known at run time only is no absolute path) */
    char *path = fmt_writable(v, "%s", verify_mount_path(v, verify_pod_path(v, t, i, raw)));
    path_normalize(path);
    memset(out, 0, sizeof *out);
    out->mount = verify_covering_mount_in(v, t, i, i->tmpl, path, &prefix);
    if (!out->mount) {
        cannot(&out->where, fmt(v, "no volume mount of '%s' covers %s", i->path, path));
        return;
    }
    const char *mount_path = scalar_text(map_get(out->mount, "mountPath"));
    if (path_is_root(mount_path)) {
        cannot(&out->where, fmt(v, "'%s' mounts a volume at /, which no container can start with", i->path));
        return;
    }
    if (verify_mount_count(v, i->tmpl, mount_path) > 1) {
        cannot(&out->where, fmt(v, "'%s' has two volume mounts on %s: Kubernetes rejects them, or (written "
                                "apart, as /a and /a/) one hides the other", i->path, mount_path));
        return;
    }
    out->volume = scalar_text(map_get(out->mount, "name"));
    const char *sub = scalar_text(map_get(out->mount, "subPath")), *root = "";
    if (map_get(out->mount, "subPathExpr")) {
        cannot(&out->where, fmt(v, "the mount covering %s uses subPathExpr", path));
        return;
    }
    out->store = out->volume ? storage_of(v, i, out->volume, &root) : "";
    out->root = root;
    const char *rest = path + prefix;
    while (*rest == '/')
        rest++;
    verify_resolve_text(v, t, i, sub ? sub : "", &out->where, 0);
    for (size_t k = 0; k < out->where.n; k++)
        if (out->where.v[k][0] == '/') {
            cannot(&out->where, fmt(v, "the mount covering %s has subPath %s, which Kubernetes refuses: it must be "
                                    "relative", path, out->where.v[k]));
            return;
        }
    for (size_t k = 0; k < out->where.n; k++) /* relative to the storage's root, as a subPath is to the volume's */
        out->where.v[k] = storage_path(v, root, out->where.v[k], rest);
}

/* Whether a pod of template t gets two volumes named `name`, which
 * Kubernetes rejects: Argo gives a pod its template's volumes as they are,
 * then of the workflow's and its claims only the first of each name it has
 * not got (so a second data-storage there, as the kfp scheme adds after the
 * user's, is never used). */
static bool volume_declared_twice(vctx *v, const template *t, const char *name)
{
    return name_index_count(&v->names, map_get(t->node, "volumes"), name, strlen(name)) > 1;
}

/* What tells volume `vol` from another for a pod: the storage it shows,
 * the directory of it, and whether it is read-only; "" for none. */
static const char *volume_identity(vctx *v, const node *vol)
{
    const char *root = "", *key = vol ? volume_storage(&v->r->mem, vol, &root) : "";
    const char *read_only = vol ? volume_read_only_kind(vol) : NULL;
    v->oom |= !key;
    return fmt(v, "%s\n%s\n%s", key ? key : "", root, read_only ? read_only : "");
}

/* How a problem names workflow wf: by its kind and name, or where it starts. */
static const char *workflow_label(vctx *v, const workflow *wf)
{
    return wf->name ? fmt(v, "%s '%s'", wf->kind, wf->name) : fmt(v, "the %s at line %lu", wf->kind,
                                                                   (unsigned long)wf->root->line);
}

/* The first Workflow running the WorkflowTemplate of instance i's run
 * (workflowTemplateRef) that gives its pod a volume named `name` other than
 * the first one's, or NULL: verify follows one run of the template, with
 * the first one's. */
static const workflow *runner_differing(vctx *v, const instance *i, const char *name)
{
    const workflow *running = running_workflow(i);
    const char *first = NULL;
    for (const workflow *r = running->runner; r; r = r->next_runner) {
        const node *vol = template_volume_in(&v->names, i->tmpl, r, name);
        const char *identity = volume_identity(v, vol ? vol : template_volume_in(&v->names, i->tmpl, running, name));
        if (first && strcmp(first, identity) != 0)
            return r;
        first = identity;
    }
    return NULL;
}

const char *verify_volume_problem(vctx *v, const instance *i, const char *name, bool *missing)
{
    bool none;
    if (!missing)
        missing = &none;
    *missing = false;
    if (!name)
        return "the mount names no volume";
    if (volume_name_reserved(name))
        return fmt(v, "volume '%s' is one Argo adds to pods itself, which takes the place of "
                   "one of that name and is not shared between pods", name);
    const workflow *running = running_workflow(i);
    const workflow *differing = runner_differing(v, i, name);
    if (differing)
        return fmt(v, "volume '%s' is not the same in every Workflow that runs the WorkflowTemplate "
                   "(workflowTemplateRef): %s gives another than %s, whose run verify follows", name,
                   workflow_label(v, differing), workflow_label(v, running->runner));
    if (volume_declared_twice(v, i->tmpl, name))
        return fmt(v, "volume '%s' is declared twice in the template's volumes, which Kubernetes rejects", name);
    const workflow *runner;
    const node *vol = pod_volume(v, i, name, &runner);
    if (vol) {
        const char *given = runner ? fmt(v, "volume '%s' (given by %s, which runs the WorkflowTemplate)", name,
                                         workflow_label(v, runner)) : fmt(v, "volume '%s'", name);
        if (!volume_source_kind(vol))
            return fmt(v, "%s names no volume source, so Kubernetes makes it an emptyDir, which pods do not share",
                       given);
        const char *what;
        switch (volume_unfit(vol, true, &what)) {
        case VOLUME_LACKS:
            return fmt(v, "%s lacks %s (%s), which Kubernetes requires", given, what, volume_setting_type(what));
        case VOLUME_INVALID:
            return fmt(v, "%s: %s, or Kubernetes refuses the pods that mount it", given, what);
        case VOLUME_PRIVATE:
            return fmt(v, "%s is %s %s, which pods do not share", given, volume_kind_article(what), what);
        case VOLUME_READ_ONLY:
            return fmt(v, "%s is read-only (%s.readOnly), where no producer can write", given, what);
        case VOLUME_FIT:
            break;
        }
        return NULL;
    }
    bool declared = claims_have(call_tree_run_claims(&v->rew, running), name) ||
                    parameter_named(map_get(running->spec, "volumes"), name, strlen(name));
    *missing = !declared || !template_reaches(i->tmpl, name);
    if (!declared)
        return fmt(v, "volume '%s' does not exist", name);
    return !*missing ? NULL
                     : fmt(v, "volume '%s' does not exist in the containerSet's pod: Argo adds a workflow's volume "
                           "to it only where the set's own volumeMounts, an init container or a sidecar mount it",
                           name);
}

/* ---- hand-offs ---------------------------------------------------------- */

typedef struct handoff {
    const instance *producer, *consumer; /* in the original */
    const char *output, *input, *sub_path;
    const char *produced_at, *consumed_at; /* file paths in the pods */
} handoff;

static bool same_origin(const origin *o, const handoff *h)
{
    return o->kind == ORIGIN_OUTPUT && strcmp(o->producer->path, h->producer->path) == 0 &&
           strcmp(o->output, h->output) == 0 &&
           strcmp(o->sub_path ? o->sub_path : "", h->sub_path ? h->sub_path : "") == 0;
}

static const char *origins_reason(vctx *v, const origins *os)
{
    for (size_t k = 0; k < os->n; k++)
        if (os->o[k].kind == ORIGIN_UNRESOLVED)
            return os->o[k].what;
    if (os->n && os->o[0].kind == ORIGIN_OUTPUT)
        return fmt(v, "the artifact now comes from '%s' output '%s'", os->o[0].producer->path, os->o[0].output);
    return "the artifact no longer comes from the producer";
}

/* The instance (its path) that writes outputs somewhere on a shared volume
 * first, and the first other one that writes there too (or NULL; the same
 * when it runs in a loop and every run writes there). */
typedef struct writer {
    const char *who, *other;
} writer;

/* Notes `who` as a writer of key[0, len) (which must outlive the map). */
static void note_writer(vctx *v, strmap *m, const char *key, size_t len, const char *who)
{
    writer *w = strmap_get(m, key, len);
    if (w) {
        if (!w->other && strcmp(w->who, who) != 0)
            w->other = who;
        return;
    }
    w = arena_alloc(&v->r->mem, sizeof *w);
    if (!w || strmap_put(m, key, len, w) != 0) {
        v->oom = true;
        return;
    }
    *w = (writer){who, NULL};
}

/* An instance other than `producer` among the writers of `key` in m, or NULL. */
static const char *not_only(const strmap *m, const char *key, const char *producer)
{
    const writer *w = strmap_get(m, key, strlen(key));
    return !w ? NULL : strcmp(w->who, producer) != 0 ? w->who : w->other;
}

/* The key of `path` in storage `store` in the maps of writers; *path_at
 * receives where the path starts in it. */
static const char *write_key(vctx *v, const char *store, const char *path, size_t *path_at)
{
    *path_at = strlen(store) + 1;
    return fmt(v, "%s\n%s", store, path);
}

/* Notes that instance `who` writes at `path` of storage `store`, and below
 * each directory above it. */
static void note_write_at(vctx *v, const char *store, const char *path, const char *who)
{
    size_t path_at;
    const char *key = write_key(v, store, path, &path_at);
    size_t len = strlen(key);
    note_writer(v, &v->writes, key, len, who);
    /* Each directory above is a prefix of the same key: the maps hold lengths, not copies. */
    for (size_t n = len; n > path_at; n--)
        if (key[n - 1] == '/')
            note_writer(v, &v->above, key, n - 1, who);
}

/* Notes where writable mount m of instance i lets it write: its volume at
 * its subPath, resolved as Kubernetes reads it ("." is the whole volume),
 * or the whole volume without one, or with one known at run time only. */
static void note_mount_writes(vctx *v, const instance *i, const node *m)
{
    const char *volume = scalar_text(map_get(m, "name")), *sub = scalar_text(map_get(m, "subPath")), *root;
    if (!volume || scalar_is_true(map_get(m, "readOnly")) ||
        verify_volume_problem(v, i, volume, NULL)) /* a volume of the pod's own, say: no other pod sees it */
        return;
    const char *store = storage_of(v, i, volume, &root);
    values where = {.n = 0};
    v->budget = BUDGET;
    if (!map_get(m, "subPathExpr"))
        verify_resolve_text(v, &v->rew, i, sub ? sub : "", &where, 0);
    if (where.why || where.n == 0)
        one_value(&where, "");
    for (size_t a = 0; a < where.n; a++) {
        char *path = fmt_writable(v, "%s", where.v[a]);
        if (!path_resolve_relative(path))
            *path = '\0'; /* above the volume's root: Kubernetes refuses it; anywhere, say */
        note_write_at(v, store, storage_path(v, root, path, ""), i->path);
    }
}

static bool same_mount(const node *m, const void *other)
{
    return node_equal(m, other);
}

/* The mounts of a pod of the original, in any of its containers, by what
 * identifies them (node_equality_key): the rewrite's pod has as many and
 * more, and comparing each with each took a pod of 32,000 mounts 24 s.
 * Up to OWN_MOUNTS_INDEX_MIN of them are compared one by one instead. */
#define OWN_MOUNTS_INDEX_MIN 16

typedef struct own_mounts {
    vctx *v;
    const template *t; /* the original's, or NULL */
    size_t count;
    strmap keys; /* when count > OWN_MOUNTS_INDEX_MIN */
    arena mem;   /* the keys */
    char *key;   /* the one being made */
    size_t len, cap;
} own_mounts;

/* m's key in set->key[0, set->len); false when out of memory (noted). */
static bool mount_key(own_mounts *set, const node *m)
{
    set->len = 0;
    if (node_equality_key(m, &set->key, &set->len, &set->cap) == 0)
        return true;
    set->v->oom = true;
    return false;
}

static bool count_mount(const node *m, const void *ctx)
{
    (void)m;
    (*(own_mounts *const *)ctx)->count++;
    return false;
}

static bool index_mount(const node *m, const void *ctx)
{
    own_mounts *set = *(own_mounts *const *)ctx;
    if (!mount_key(set, m))
        return true;
    if (strmap_get(&set->keys, set->key, set->len))
        return false; /* the same as one before it */
    char *copy = arena_strndup(&set->mem, set->key, set->len);
    if (copy && strmap_put(&set->keys, copy, set->len, copy) == 0)
        return false;
    set->v->oom = true;
    return true;
}

static void own_mounts_init(own_mounts *set, vctx *v, const template *t)
{
    *set = (own_mounts){.v = v, .t = t};
    strmap_init(&set->keys);
    arena_init(&set->mem);
    if (!t)
        return;
    own_mounts *self = set;
    template_find_mount(t, count_mount, &self);
    if (set->count > OWN_MOUNTS_INDEX_MIN)
        template_find_mount(t, index_mount, &self);
}

static void own_mounts_free(own_mounts *set)
{
    strmap_free(&set->keys);
    arena_free(&set->mem);
    free(set->key);
}

/* Whether the original's pod has a mount node_equal to m. */
static bool has_own_mount(own_mounts *set, const node *m)
{
    if (!set->t)
        return false;
    if (set->count <= OWN_MOUNTS_INDEX_MIN)
        return template_find_mount(set->t, same_mount, m) != NULL;
    return mount_key(set, m) && strmap_get(&set->keys, set->key, set->len) != NULL;
}

typedef struct mount_writes {
    vctx *v;
    const instance *i, *orig;   /* in the rewrite; in the original, or NULL */
    own_mounts *own;            /* the original's mounts */
} mount_writes;

static bool note_written(const node *m, const void *ctx)
{
    const mount_writes *w = ctx;
    /* One the original has already, of the same volume, is the workflow's
     * own business: volpass compares what the rewrite changed. */
    const char *name = scalar_text(map_get(m, "name"));
    bool own = has_own_mount(w->own, m) && name;
    if (own) {
        const node *was = template_volume_in(&w->v->names, w->orig->tmpl, running_workflow(w->orig), name),
                   *is = template_volume_in(&w->v->names, w->i->tmpl, running_workflow(w->i), name);
        own = was == is || (was && is && node_equal(was, is));
    }
    if (!own)
        note_mount_writes(w->v, w->i, m);
    return false;
}

/* Every mount of pod instance i that is not read-only, in any container of
 * the pod, that the rewrite added or turned to another volume: a place
 * where it may write, whatever its outputs are. */
static void note_mounts_written(vctx *v, const instance *i)
{
    const instance *orig = call_tree_find(&v->orig, i->path);
    own_mounts own;
    own_mounts_init(&own, v, orig ? orig->tmpl : NULL);
    template_find_mount(i->tmpl, note_written, &(mount_writes){v, i, orig, &own});
    own_mounts_free(&own);
}

/* Notes where pod instance i of the rewrite writes the outputs of its
 * original: through its mounts, on volumes that pods share. */
static void note_writes(instance *i, void *ctx)
{
    vctx *v = ctx;
    if (!i->tmpl || !template_runs_pod(i->tmpl))
        return;
    note_mounts_written(v, i); /* a pod the rewrite added too */
    const instance *orig = call_tree_find(&v->orig, i->path);
    if (!orig || !orig->tmpl)
        return;
    bool looped = false; /* one instance of the call tree stands for every run of a loop */
    for (const instance *up = i; up && !looped; up = up->parent)
        looped = up->call && up->call->looped;
    for (size_t k = 0; k < orig->tmpl->outputs.count; k++) {
        const char *path = scalar_text(orig->tmpl->outputs.items[k].path);
        location at;
        v->budget = BUDGET;
        if (!path)
            continue;
        locate(v, &v->rew, i, path, &at);
        if (at.where.why || verify_volume_problem(v, i, at.volume, NULL) || scalar_is_true(map_get(at.mount, "readOnly")))
            continue; /* under a read-only mount an output is read from there, not written */
        for (size_t a = 0; a < at.where.n; a++) {
            note_write_at(v, at.store, at.where.v[a], i->path);
            size_t path_at;
            const char *key = write_key(v, at.store, at.where.v[a], &path_at);
            writer *w = strmap_get(&v->writes, key, strlen(key));
            if (looped && w && !strstr(at.where.v[a], "<pod ")) /* the same place for every run of the loop */
                w->other = i->path;
        }
    }
}

/* An instance other than `producer` that writes at `path` of storage
 * `store`, in a directory above it or below it, or in the whole storage;
 * NULL when there is none. */
static const char *other_writer(vctx *v, const char *store, const char *path, const char *producer)
{
    size_t path_at;
    char *key = (char *)write_key(v, store, path, &path_at);
    const char *other = not_only(&v->above, key, producer);
    char *cut = key + path_at;
    for (char *end = key + strlen(key); !other && end > cut; end = strrchr(cut, '/')) {
        *end = '\0'; /* key is fmt's copy: cut to each directory in turn */
        other = not_only(&v->writes, key, producer);
        if (!strchr(cut, '/'))
            break;
    }
    if (!other) {
        *cut = '\0'; /* the whole volume */
        other = not_only(&v->writes, key, producer);
    }
    return other;
}

/* What the consumer of a hand-off may read in the rewrite: for each hand-off
 * of its input in the original (several where a fromExpression chooses, or
 * several producers set a global), the storage and path the producer wrote,
 * with the subPath; a NULL path where it cannot be known. */
typedef struct read_set {
    const char *store[MAX_ALT], *path[MAX_ALT];
    size_t n;
    bool incomplete; /* an origin is not among them (unresolved, or past verify's limits) */
} read_set;

/* Where what h hands over lies in the storage of `at`, the producer's
 * located output: its one place, with h's subPath joined as Go's path.Join
 * does. NULL, with *why, when there is no one such place. */
static const char *handed_place(vctx *v, const location *at, const handoff *h, const char **why)
{
    if (at->where.n != 1) {
        *why = "the producer's location is not one place";
        return NULL;
    }
    char *sub = fmt_writable(v, "%s", h->sub_path ? h->sub_path : "");
    if (!path_resolve_relative(sub)) {
        *why = fmt(v, "the subPath %s climbs out of the producer's artifact", h->sub_path);
        return NULL;
    }
    return storage_path(v, at->where.v[0], sub, "");
}

/* Where the rewrite's producer of h writes what h hands over, or NULL. */
static const char *handoff_location(vctx *v, const handoff *h, const char **store)
{
    const instance *p = call_tree_find(&v->rew, h->producer->path);
    if (!p || !p->tmpl)
        return NULL;
    location at;
    v->budget = BUDGET;
    locate(v, &v->rew, p, h->produced_at, &at);
    const char *why;
    *store = at.store;
    return at.where.why ? NULL : handed_place(v, &at, h, &why);
}

/* The length of the document's index that starts an instance path in a
 * stream of several ("1:main/gen"), or 0. */
static size_t document_prefix(const char *path)
{
    size_t n = strspn(path, "0123456789");
    return n && path[n] == ':' ? n + 1 : 0;
}

/* Whether a place the consumer `reader` may read can be judged: known (no
 * parameter only a run gives) and, when a pod's, one of the reader's own
 * run (the document it runs in: a global parameter of another document's
 * run, which verify follows too, never reaches it) that the original runs
 * and verify followed there (not a twin's, nor one past the instances of a
 * recursion it expands). */
static bool judged(vctx *v, const char *place, const char *reader)
{
    if (strstr(place, "<parameter ") || strstr(place, "<output parameter "))
        return false;
    const char *pod = strstr(place, "<pod ");
    if (!pod)
        return true;
    pod += strlen("<pod ");
    const char *end = strchr(pod, '>');
    size_t n = document_prefix(pod);
    if (!end || n != document_prefix(reader) || strncmp(pod, reader, n) != 0)
        return false;
    const instance *i = call_tree_find(&v->orig, fmt(v, "%.*s", (int)(end - pod), pod));
    return i && i->tmpl;
}

/* A place the consumer `reader` may read (a value of its mount's subPath)
 * that no hand-off of the original gives it: a location that another run
 * of a global parameter's producers, say, wrote last. NULL when there is
 * none, or when some place of the set is unknown (nothing to compare with). */
static const char *foreign_read(vctx *v, const location *at, const read_set *all, const char *reader)
{
    for (size_t i = 0; i < all->n; i++)
        if (!all->path[i])
            return NULL;
    if (all->incomplete)
        return NULL;
    for (size_t j = 0; j < at->where.n; j++) {
        if (!judged(v, at->where.v[j], reader))
            continue;
        size_t i = 0;
        while (i < all->n && !(strcmp(all->store[i], at->store) == 0 && strcmp(all->path[i], at->where.v[j]) == 0))
            i++;
        if (i == all->n)
            return at->where.v[j];
    }
    return NULL;
}

/* Preserved, or why not; `where` receives the location when preserved. */
static const char *check_handoff(vctx *v, const handoff *h, const read_set *all, const char **where)
{
    const instance *c = call_tree_find(&v->rew, h->consumer->path);
    const instance *p = call_tree_find(&v->rew, h->producer->path);
    if (!c || !c->tmpl)
        return "the consumer is not in the rewritten workflow";
    if (!p || !p->tmpl)
        return "the producer is not in the rewritten workflow";
    v->budget = BUDGET;
    const artifact *in = find_artifact(&c->tmpl->inputs, text_span(h->input));
    if (in) {
        origins os = {.n = 0};
        verify_input_origins(v, &v->rew, c, text_span(h->input), NULL, &os, 0);
        const artifact *out = find_artifact(&p->tmpl->outputs, text_span(h->output));
        const char *read = scalar_text(in->path), *written = out ? scalar_text(out->path) : NULL;
        for (size_t k = 0; k < os.n; k++) {
            if (!same_origin(&os.o[k], h))
                continue;
            if (h->consumed_at && (!read || strcmp(read, h->consumed_at) != 0))
                return fmt(v, "the consumer's artifact is placed at %s, where it read %s", read ? read : "no path",
                           h->consumed_at);
            if (h->produced_at && (!written || strcmp(written, h->produced_at) != 0))
                return fmt(v, "the producer's artifact is taken from %s, where it wrote %s",
                           written ? written : "no path", h->produced_at);
            *where = "a real artifact on both sides";
            return NULL;
        }
        return origins_reason(v, &os);
    }
    location at_consumer, at_producer;
    locate(v, &v->rew, c, h->consumed_at, &at_consumer);
    if (at_consumer.where.why)
        return at_consumer.where.why;
    const artifact *out = find_artifact(&h->producer->tmpl->outputs, text_span(h->output));
    if (out && out->optional)
        return "the output is optional: where the producer writes nothing, the consumer finds an empty directory "
               "in its place on the volume, where Argo gives it no artifact";
    locate(v, &v->rew, p, h->produced_at, &at_producer);
    if (at_producer.where.why)
        return fmt(v, "the consumer reads a volume, but %s", at_producer.where.why);
    /* A parameter's value may bring one: Kubernetes refuses such a subPath, and a path with it may leave its mount. */
    for (size_t k = 0; k < at_consumer.where.n; k++)
        if (path_has_dotdot(at_consumer.where.v[k]))
            return fmt(v, "the consumer reads %s, whose '..' component Kubernetes refuses in a subPath",
                       at_consumer.where.v[k]);
    const char *why = verify_volume_problem(v, c, at_consumer.volume, NULL);
    if (!why)
        why = verify_volume_problem(v, p, at_producer.volume, NULL);
    if (why)
        return why;
    /* Two names may show one storage; one name, two (a template's own volume takes the workflow's place). */
    if (strcmp(at_consumer.store, at_producer.store) != 0)
        return strcmp(at_consumer.volume, at_producer.volume) != 0
                   ? fmt(v, "the consumer reads volume '%s', the producer wrote volume '%s', which is other storage",
                         at_consumer.volume, at_producer.volume)
                   : fmt(v, "the consumer's volume '%s' is not the producer's: a template's own volume of that name "
                         "takes the workflow's place, or its settings take other values", at_consumer.volume);
    const char *expected = handed_place(v, &at_producer, h, &why);
    if (!expected)
        return why;
    for (size_t k = 0; k < at_consumer.where.n; k++)
        if (strcmp(at_consumer.where.v[k], expected) == 0) {
            if (!scalar_is_true(map_get(at_consumer.mount, "readOnly")))
                return fmt(v, "'%s' mounts volume '%s' at %s writable, and may change what other consumers of the "
                           "output read", c->path, at_consumer.volume,
                           scalar_text(map_get(at_consumer.mount, "mountPath")));
            const char *foreign = foreign_read(v, &at_consumer, all, c->path);
            if (foreign)
                return fmt(v, "the consumer may read volume '%s' at %s as well, where none of the producers it "
                           "read from in the original writes (another setter of a global parameter, say, where "
                           "which one it reads depends on the order they run in, which verify does not follow)",
                           at_consumer.volume, in_volume(&at_consumer, foreign));
            const char *other = other_writer(v, at_consumer.store, expected, p->path);
            const char *shown = in_volume(&at_consumer, expected);
            if (other && strcmp(other, p->path) == 0)
                return fmt(v, "every run of the loop around '%s' writes to volume '%s' at %s, where one may "
                           "replace what another's consumer reads", other, at_consumer.volume, shown);
            if (other)
                return fmt(v, "'%s' writes to volume '%s' at %s too, where it may replace what the consumer reads",
                           other, at_consumer.volume, shown);
            *where = fmt(v, "volume '%s' at %s", at_consumer.volume, shown);
            return NULL;
        }
    return fmt(v, "the consumer reads %s, the producer wrote %s", in_volume(&at_consumer, at_consumer.where.v[0]),
               in_volume(&at_producer, expected));
}

static void record_handoff(vctx *v, const handoff *h, const read_set *all)
{
    const char *where = NULL;
    const char *why = check_handoff(v, h, all, &where);
    /* The report outlives the call trees and documents: it keeps copies. */
    entry e = {ENTRY_HANDOFF, why == NULL, fmt(v, "%s", h->producer->path), fmt(v, "%s", h->output),
               fmt(v, "%s", h->consumer->path), fmt(v, "%s", h->input),
               h->sub_path ? fmt(v, "%s", h->sub_path) : NULL, why ? why : where, 0, 0};
    add_entry(v, e);
}

/* Whether two origins are the same constant: the same source, with the
 * same data (node_same_data), and the same subPath of it. */
static bool same_constant(const origin *a, const origin *b)
{
    const char *sa = a->sub_path ? a->sub_path : "", *sb = b->sub_path ? b->sub_path : "";
    return strcmp(a->what, b->what) == 0 && strcmp(sa, sb) == 0 &&
           node_same_data(map_get(a->holder, a->what), map_get(b->holder, b->what));
}

/* An input that had its own source (raw, s3, ...) in the original must
 * still get it in the rewrite, the same. */
static void check_source_kept(vctx *v, const instance *orig, const artifact *in, const origin *source)
{
    const instance *c = call_tree_find(&v->rew, orig->path);
    if (!c || !c->tmpl)
        return;
    origins os = {.n = 0};
    v->budget = BUDGET;
    if (find_artifact(&c->tmpl->inputs, text_span(in->name)))
        verify_input_origins(v, &v->rew, c, text_span(in->name), NULL, &os, 0);
    bool other = false;
    for (size_t k = 0; k < os.n; k++) {
        if (os.o[k].kind == ORIGIN_SOURCE && same_constant(&os.o[k], source))
            return;
        other |= os.o[k].kind == ORIGIN_SOURCE;
    }
    if (other)
        verify_problem(v, c->tmpl->node, c->tmpl, "input artifact '%s' of '%s' gets another source than its own in "
                       "the original (%s), or another part of it", in->name, c->path, source->what);
    else
        verify_problem(v, c->tmpl->node, c->tmpl, "input artifact '%s' of '%s' lost its own source (%s)", in->name,
                       c->path, source->what);
}

/* An input whose file mode Argo sets (mode, recurseMode) keeps the mode its
 * producer gave the file when it comes through a mount instead. (One with
 * a source of its own that is gone is reported for that: check_source_kept.) */
static void check_mode_kept(vctx *v, const instance *orig, const artifact *in)
{
    const char *key = artifact_mode_key(in);
    const instance *c = call_tree_find(&v->rew, orig->path);
    if (key && !in->source && c && c->tmpl && !find_artifact(&c->tmpl->inputs, text_span(in->name)))
        verify_problem(v, c->tmpl->node, c->tmpl, "input artifact '%s' of '%s' sets %s, which its mount from a volume "
                "does not apply", in->name, c->path, key);
}

/* An input that lies in a volume the pod's other containers mount too is
 * loaded there by Argo, for all of them; a mount from a volume instead
 * shows it to the main container only. */
static void check_shared_volume_kept(vctx *v, const instance *orig, const artifact *in)
{
    const instance *c = call_tree_find(&v->rew, orig->path);
    const char *path = scalar_text(in->path);
    size_t prefix;
    const node *holder = path ? verify_covering_mount(v, orig->tmpl, path, &prefix) : NULL;
    const char *volume = scalar_text(map_get(holder, "name"));
    if (volume && template_shares_volume(orig->tmpl, holder, path) && c && c->tmpl &&
        !find_artifact(&c->tmpl->inputs, text_span(in->name)))
        verify_problem(v, c->tmpl->node, c->tmpl, "input artifact '%s' of '%s' lies in volume '%s', which other "
                "containers of the pod mount too: Argo loads it there for all of them, its mount from a volume "
                "shows it to the main container only", in->name, c->path, volume);
}

/* An artifact of a pod's template that templateDefaults name
 * (call_tree_defaulted) and that the rewrite took out comes back from
 * there when Argo runs the template, without a path: the pod fails. */
static void check_defaulted_kept(vctx *v, const instance *orig)
{
    const instance *c = call_tree_find(&v->rew, orig->path);
    for (int io = 0; c && c->tmpl && io < 2; io++) {
        const artifact_list *was = io ? &orig->tmpl->outputs : &orig->tmpl->inputs;
        const artifact_list *now = io ? &c->tmpl->outputs : &c->tmpl->inputs;
        for (size_t k = 0; k < was->count; k++) {
            const char *name = was->items[k].name;
            if (call_tree_defaulted(&v->rew, !io, name) && !find_artifact(now, text_span(name)))
                verify_problem(v, c->tmpl->node, c->tmpl, "%s artifact '%s' of '%s' is gone, but spec."
                               "templateDefaults.%s.artifacts names it: Argo merges that entry into the template, "
                               "where it lacks a path", io ? "output" : "input", name, c->path, io ? "outputs" : "inputs");
        }
    }
}

static void find_handoffs(instance *i, void *ctx)
{
    vctx *v = ctx;
    const char *dynamic = !i->tmpl && i->call ? call_target_dynamic(i->call) : NULL;
    if (dynamic && i->call->arguments.count)
        verify_problem(v, i->call->node, NULL, "'%s' passes artifact '%s' to a templateRef made of parameters (%s), "
                "known at run time only, so verify does not check its hand-offs", i->path,
                i->call->arguments.items[0].name, dynamic);
    if (!i->tmpl || !template_runs_pod(i->tmpl))
        return;
    check_defaulted_kept(v, i);
    for (size_t k = 0; k < i->tmpl->inputs.count; k++) {
        const artifact *in = &i->tmpl->inputs.items[k];
        check_mode_kept(v, i, in);
        check_shared_volume_kept(v, i, in);
        origins os = {.n = 0};
        v->budget = BUDGET;
        verify_input_origins(v, &v->orig, i, text_span(in->name), NULL, &os, 0);
        if (os.limit)
            verify_problem(v, in->node, i->tmpl, "input artifact '%s' of '%s': %s, so verify does not check all its "
                    "hand-offs", in->name, i->path, os.limit);
        handoff hs[MAX_ALT];
        read_set all = {.n = 0, .incomplete = os.limit != NULL};
        for (size_t o = 0; o < os.n; o++) {
            const origin *from = &os.o[o];

            if (from->kind == ORIGIN_SOURCE) {
                check_source_kept(v, i, in, from);
                continue;
            }
            all.incomplete |= from->kind == ORIGIN_UNRESOLVED;
            if (from->kind != ORIGIN_OUTPUT || !in->path)
                continue;
            const artifact *out = find_artifact(&from->producer->tmpl->outputs, text_span(from->output));
            all.incomplete |= !out || !out->path || !template_runs_pod(from->producer->tmpl);
            if (!out || !out->path || !template_runs_pod(from->producer->tmpl))
                continue;
            bool oom = false; /* Argo puts the producer's input paths in its output paths */
            const char *produced_at = template_output_path(from->producer->tmpl, out->path->as.text, &v->r->mem, &oom);
            v->oom |= oom;
            hs[all.n] = (handoff){from->producer, i, from->output, in->name, from->sub_path,
                                  produced_at ? produced_at : out->path->as.text, in->path->as.text};
            all.path[all.n] = handoff_location(v, &hs[all.n], &all.store[all.n]);
            all.n++;
        }
        for (size_t h = 0; h < all.n; h++)
            record_handoff(v, &hs[h], &all);
    }
}

/* ---- the report --------------------------------------------------------- */

vp_status vp_verify(const vp_stream *original, const vp_stream *rewritten,
                    vp_verify_report **out, vp_error **err)
{
    *out = NULL;
    if (original->ndocs != rewritten->ndocs)
        return error_give(err, error_new(VP_EINVALID, rewritten->filename, 0, 0,
                                         "the rewrite has %zu documents, the original %zu",
                                         rewritten->ndocs, original->ndocs));
    vp_verify_report *r = calloc(1, sizeof *r);
    if (!r)
        return error_give(err, error_oom());
    arena_init(&r->mem);
    r->file = strdup(rewritten->filename);
    vctx v;
    memset(&v, 0, sizeof v);
    v.r = r;
    v.file = rewritten->filename;
    strmap_init(&v.checked);
    strmap_init(&v.known);
    strmap_init(&v.reported);
    strmap_init(&v.writes);
    strmap_init(&v.above);
    name_index_init(&v.names, &r->mem);
    node **docs_o = malloc((original->ndocs + 1) * sizeof *docs_o);
    node **docs_r = malloc((rewritten->ndocs + 1) * sizeof *docs_r);
    vp_status st = r->file && docs_o && docs_r ? VP_OK : error_give(err, error_oom());
    for (size_t i = 0; st == VP_OK && i < original->ndocs; i++) {
        docs_o[i] = original->docs[i].root;
        docs_r[i] = rewritten->docs[i].root;
    }
    if (st == VP_OK)
        st = call_tree_read(&v.orig, docs_o, original->ndocs, original->filename, err);
    if (st == VP_OK)
        st = call_tree_expand(&v.orig, original->filename, err);
    if (st == VP_OK)
        st = call_tree_read(&v.rew, docs_r, rewritten->ndocs, rewritten->filename, err);
    if (st == VP_OK)
        st = call_tree_expand(&v.rew, rewritten->filename, err);
    if (st == VP_OK) {
        call_tree_each(&v.rew, note_writes, &v);
        call_tree_each(&v.orig, find_handoffs, &v);
        const instance *root = NULL; /* the first with a template, where the problem is shown */
        for (size_t k = 0; k < v.rew.nroots && !root; k++)
            root = v.rew.roots[k]->tmpl ? v.rew.roots[k] : NULL;
        if ((v.orig.too_deep || v.rew.too_deep) && root)
            verify_problem(&v, root->tmpl->node, root->tmpl, "calls nest more than %d levels deep: verify does not "
                    "check what happens further down", CALL_TREE_MAX_DEPTH);
        /* Problems the original has already are not the rewrite's: look at it first. */
        v.baseline = true;
        for (size_t k = 0; k < v.orig.nroots; k++)
            verify_check_instance(&v, &v.orig, v.orig.roots[k]);
        v.baseline = false;
        for (size_t k = 0; k < v.rew.nroots; k++)
            verify_check_instance(&v, &v.rew, v.rew.roots[k]);
        verify_check_run_claims(&v);
        verify_check_referring_templates(&v);
        if (v.oom)
            st = error_give(err, error_oom());
    }
    call_tree_free(&v.orig); /* a tree that was not built is all zeros: nothing to free */
    call_tree_free(&v.rew);
    strmap_free(&v.checked);
    strmap_free(&v.known);
    strmap_free(&v.reported);
    strmap_free(&v.writes);
    strmap_free(&v.above);
    verify_mounts_free(&v);
    verify_globals_free(&v);
    name_index_free(&v.names);
    free(docs_o);
    free(docs_r);
    if (st != VP_OK) {
        vp_verify_report_free(r);
        return st;
    }
    *out = r;
    return VP_OK;
}

vp_verify_summary vp_verify_report_summary(const vp_verify_report *r)
{
    return r->sum;
}

void vp_verify_report_free(vp_verify_report *r)
{
    if (!r)
        return;
    arena_free(&r->mem);
    free(r->entries);
    free(r->file);
    free(r);
}

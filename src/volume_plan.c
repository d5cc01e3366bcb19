/* Planning the volume scheme (see src/scheme_volume.c for the scheme).
 *
 * Each template is planned on its own first: which outputs go through the
 * volume (one mount per directory; those that cannot be mounted safely stay
 * artifacts), which inputs do by default (those with no source of their own
 * and not optional: a convention that does not depend on callers, so
 * documents converted apart still fit), and free parameter names. Then
 * what references name, on the volume or a real artifact, and a dag or
 * steps template's inputs, which follow what its callers pass
 * (src/plan_refs.c); then calls (src/plan_calls.c): a call that needs
 * another form of a pod template than its default gets a twin. What cannot
 * be done safely is refused, before any edit. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "grow.h"
#include "paths.h"
#include "scalar.h"
#include "strmap.h"
#include "volume_plan.h"

/* ---- helpers ------------------------------------------------------------ */

void VP_PRINTF(4, 5) plan_refuse(vplan *p, vp_status status, const node *at, const char *f, ...)
{
    if (p->err)
        return;
    va_list ap;
    va_start(ap, f);
    p->err = error_newv(status, p->ctx->file, at ? at->line : 0, at ? at->column : 0, f, ap);
    va_end(ap);
}

/* A decision for --explain, kept until the plan is done. */
typedef struct decision {
    const template *t;
    const artifact *a; /* NULL for one about the template */
    const char *role, *action, *detail;
} decision;

void VP_PRINTF(6, 7) plan_decide(vplan *p, const template *t, const artifact *a, const char *role,
                                   const char *action, const char *f, ...)
{
    if (!p->ctx->on_decision)
        return;
    decision *bigger = grow_arena(p->ed.mem, p->decisions, &p->decisions_cap, p->ndecisions, sizeof *bigger);
    if (!bigger) {
        p->ed.oom = true;
        return;
    }
    p->decisions = bigger;
    va_list ap;
    va_start(ap, f);
    char *detail = arena_vprintf(p->ed.mem, f, ap);
    va_end(ap);
    p->decisions[p->ndecisions++] = (decision){t, a, role, action, detail ? detail : ""};
}

/* Hands every decision, in the order they were made, to on_decision. */
static void report_decisions(vplan *p)
{
    for (size_t i = 0; i < p->ndecisions; i++) {
        const decision *d = &p->decisions[i];
        if (!d->action)
            continue; /* withdrawn */
        const node *at = d->a ? d->a->node : d->t->node;
        vp_decision out = {d->t->name, d->a ? d->a->name : NULL, d->role, d->action, d->detail,
                           at ? at->line : 0, at ? at->column : 0, p->ctx->file};
        p->ctx->on_decision(&out, p->ctx->decision_ctx);
    }
}

void VP_PRINTF(3, 4) plan_warn(vplan *p, const node *at, const char *f, ...)
{
    if (!p->ctx->on_warning)
        return;
    va_list ap;
    va_start(ap, f);
    vp_error *w = error_newv(VP_OK, p->ctx->file, at ? at->line : 0, at ? at->column : 0, f, ap);
    va_end(ap);
    if (!p->holding) {
        p->ctx->on_warning(w, p->ctx->warning_ctx);
        vp_error_free(w);
        return;
    }
    vp_error **bigger = grow_heap(p->warnings, &p->warnings_cap, p->nwarnings, sizeof *bigger);
    if (!bigger) {
        vp_error_free(w);
        p->ed.oom = true;
        return;
    }
    p->warnings = bigger;
    p->warnings[p->nwarnings++] = w;
}

/* Hands on (give) or drops the warnings held. */
static void release_warnings(vplan *p, bool give)
{
    for (size_t i = 0; i < p->nwarnings; i++) {
        if (give)
            p->ctx->on_warning(p->warnings[i], p->ctx->warning_ctx);
        vp_error_free(p->warnings[i]);
    }
    free(p->warnings);
    p->warnings = NULL;
    p->nwarnings = p->warnings_cap = 0;
    p->holding = !give;
}

tplan *plan_of(const template *t)
{
    return t ? t->plan : NULL;
}

static bool kept_by_option(const scheme_ctx *ctx, const char *name)
{
    for (size_t i = 0; i < ctx->keep_count; i++)
        if (strcmp(ctx->keep[i], name) == 0)
            return true;
    return false;
}

const char *plan_address_key(vplan *p, const void *address, const char *name, size_t *len)
{
    size_t n = strlen(name);
    char *key = arena_alloc(p->ed.mem, sizeof address + n);
    if (!key) {
        p->ed.oom = true;
        return NULL;
    }
    memcpy(key, &address, sizeof address);
    memcpy(key + sizeof address, name, n);
    *len = sizeof address + n;
    return key;
}

const char *plan_first_free(vplan *p, const char *base, name_test *taken, const void *ctx)
{
    const char *name = base;
    for (int n = 2; taken(p, name, ctx) && !p->ed.oom; n++)
        name = edit_fmt(&p->ed, "%s-%d", base, n);
    return name;
}

typedef struct param_names {
    const node *list;               /* the template's parameters */
    const artifact_list *artifacts; /* the artifacts being given parameters */
    const art_plan *taken;          /* their plans: those before ntaken have theirs, taken too */
    size_t ntaken;
} param_names;

/* Which of `artifacts` parameter `name` would be the location parameter of:
 * free_name names each NAME-subpath or NAME-subpath-N, N a number, so the
 * name tells which NAME it was made for, and a check of a name against
 * those taken looks at one artifact rather than each. */
static size_t artifact_of_param(const artifact_list *artifacts, const char *name)
{
    size_t n = strlen(name), end = n, suffix = strlen(SUBPATH_SUFFIX);
    while (end > 0 && name[end - 1] >= '0' && name[end - 1] <= '9')
        end--;
    end = end < n && end > 0 && name[end - 1] == '-' ? end - 1 : n;
    if (end < suffix || memcmp(name + end - suffix, SUBPATH_SUFFIX, suffix) != 0)
        return NOT_FOUND;
    return artifact_index(artifacts, name, end - suffix);
}

/* Taken too: a name templateDefaults give a parameter, which Argo would
 * merge into the one volpass adds. */
static bool param_taken(vplan *p, const char *name, const void *ctx)
{
    const param_names *in = ctx;
    if (plan_parameter(p, in->list, name, strlen(name)) || call_tree_parameter_defaulted(p->tree, name))
        return true;
    size_t i = artifact_of_param(in->artifacts, name);
    return i < in->ntaken && in->taken[i].param && strcmp(in->taken[i].param, name) == 0;
}

/* NAME-subpath, or NAME-subpath-2, -3, ...: the first not already a parameter
 * of `list` nor taken by an earlier artifact of the same plan; NAME is that
 * of the artifact taken[k] plans, one of `artifacts`. */
static const char *free_name(vplan *p, const node *list, const artifact_list *artifacts, const art_plan *taken,
                             size_t k)
{
    return plan_first_free(p, edit_cat(&p->ed, taken[k].a->name, SUBPATH_SUFFIX), param_taken,
                           &(param_names){list, artifacts, taken, k});
}

const char *plan_location_param(vplan *p, const tplan *tp, const node *list, const art_plan *taken, size_t k,
                                  const char *role)
{
    const artifact *a = taken[k].a;
    const char *name = free_name(p, list, taken == tp->in ? &tp->t->inputs : &tp->t->outputs, taken, k);
    if (workflow_callable_apart(tp->wf) && strcmp(name + strlen(a->name), SUBPATH_SUFFIX) != 0)
        plan_refuse(p, VP_EUNSUPPORTED, a->node, "template '%s': %s artifact '%s' would carry its location in "
                    "parameter '%s" SUBPATH_SUFFIX "', which the template has already (or templateDefaults give it); a "
                    "workflow that calls it through templateRef, converted apart, passes or reads that name: rename the "
                    "parameter",
                    tp->t->name, role, a->name, a->name);
    return name;
}

node *plan_parameter(vplan *p, const node *list, const char *name, size_t len)
{
    node *found = name_index_find(&p->names, list, name, len);
    p->ed.oom |= p->names.oom;
    return found;
}

/* ---- planning one template --------------------------------------------- */

#define MAX_FILE_NAME 255 /* bytes of a file name on Linux file systems (NAME_MAX) */

/* What a mount from the volume on an output's directory hides that the
 * template shows it needs: its working directory (where the program
 * usually is), or the whole of one of the directories of the system's
 * programs and settings below (a directory inside one hides less). What
 * the image has anywhere else, the rewrite cannot see (see the README). */
static void warn_hidden(vplan *p, const template *t, const art_plan *o)
{
    static const char *const system_dirs[] = {"/bin", "/sbin", "/lib", "/lib32", "/lib64", "/etc", "/usr",
                                              "/usr/bin", "/usr/sbin", "/usr/lib", "/usr/local",
                                              "/usr/local/bin", "/usr/local/lib"};
    const node *wd = map_get(t->container, "workingDir");
    if (wd && wd->kind == NODE_SCALAR && wd->len && path_covers(o->mount_dir, edit_resolved_path(&p->ed, wd->as.text))) {
        plan_warn(p, o->a->node, "template '%s': output artifact '%s' is written to the volume, mounted on %s, "
                  "which holds the container's workingDir %s: the mount hides what the image has there, its "
                  "program perhaps (write outputs into a directory of their own)", t->name, o->a->name,
                  o->mount_dir, wd->as.text);
        return;
    }
    for (size_t i = 0; i < sizeof system_dirs / sizeof *system_dirs; i++)
        if (strcmp(o->mount_dir, system_dirs[i]) == 0) { /* both normalised */
            plan_warn(p, o->a->node, "template '%s': output artifact '%s' is written to the volume, mounted on %s, "
                      "a directory of the system's programs or settings: the mount hides what the image has "
                      "there (write outputs into a directory of their own)", t->name, o->a->name, o->mount_dir);
            return;
        }
}

/* The outputs placed so far, by the file each is written as (the number of
 * its mount, '/', its file name in lower case), for warn_case_apart: a walk
 * of them all for each output would make a template of thousands of outputs
 * take seconds. A template of a few outputs has them walked instead. */
typedef struct case_apart {
    strmap seen; /* -> case_seen */
    bool mapped;
} case_apart;

/* The first output written as a file, and the first written as that file
 * but named otherwise (Model.txt after model.txt), or NOT_FOUND. */
typedef struct case_seen {
    size_t first, other;
} case_seen;

static void case_apart_init(case_apart *c, size_t outputs)
{
    strmap_init(&c->seen);
    c->mapped = outputs > PATH_INDEX_MIN;
}

static void case_apart_free(case_apart *c)
{
    strmap_free(&c->seen);
}

/* The earlier output whose file has output k's name but for case, found
 * in c's map, where output k goes too. */
static size_t case_apart_seen(vplan *p, const tplan *tp, size_t k, case_apart *c)
{
    const art_plan *o = &tp->out[k];
    size_t size = 3 * sizeof o->mount + strlen(o->file) + 2;
    char *key = arena_alloc(p->ed.mem, size);
    if (!key) {
        p->ed.oom = true;
        return NOT_FOUND;
    }
    snprintf(key, size, "%zu/%s", o->mount, o->file);
    for (char *ch = strchr(key, '/'); *ch; ch++) /* the file name, as text_equal_ignoring_case compares it */
        *ch = text_ascii_lower(*ch);
    case_seen *seen = strmap_get(&c->seen, key, strlen(key));
    if (!seen) {
        seen = arena_alloc(p->ed.mem, sizeof *seen);
        if (!seen || strmap_put(&c->seen, key, strlen(key), seen) != 0) {
            p->ed.oom = true;
            return NOT_FOUND;
        }
        *seen = (case_seen){k, NOT_FOUND};
        return NOT_FOUND;
    }
    bool like_first = strcmp(tp->out[seen->first].file, o->file) == 0;
    size_t apart = like_first ? seen->other : seen->first;
    if (!like_first && seen->other == NOT_FOUND)
        seen->other = k;
    return apart;
}

/* Output k's file and an earlier one's of the same mount named apart by
 * case alone (Model.txt, model.txt): one file on storage that ignores case
 * (Azure Files and other SMB shares), where the container's own file
 * system had two. */
static void warn_case_apart(vplan *p, const tplan *tp, size_t k, case_apart *c)
{
    const art_plan *o = &tp->out[k];
    if (!*o->file)
        return;
    size_t j = NOT_FOUND;
    if (c->mapped)
        j = case_apart_seen(p, tp, k, c);
    for (size_t e = 0; !c->mapped && e < k && j == NOT_FOUND; e++)
        if (tp->out[e].convert && tp->out[e].mount == o->mount && *tp->out[e].file &&
            text_equal_ignoring_case(tp->out[e].file, o->file, strlen(o->file) + 1) &&
            strcmp(tp->out[e].file, o->file) != 0)
            j = e;
    if (j != NOT_FOUND)
        plan_warn(p, o->a->node, "template '%s': output artifacts '%s' and '%s' are files %s and %s of one "
                  "directory mounted from the volume: one file on storage that ignores case (Azure Files, SMB "
                  "shares)", tp->t->name, tp->out[j].a->name, o->a->name, tp->out[j].file, o->file);
}

/* n when key, case aside, is name-n, n a number from 2 on (written
 * without leading zeros, less than a billion); 1 when it is name itself;
 * else 0. */
static unsigned key_number(const char *key, const char *name, size_t len)
{
    if (!text_equal_ignoring_case(key, name, len))
        return 0;
    if (key[len] == '\0')
        return 1;
    const char *d = key + len + 1;
    size_t digits = strspn(d, "0123456789");
    if (key[len] != '-' || digits == 0 || digits > 9 || d[digits] != '\0' || d[0] == '0')
        return 0;
    unsigned n = (unsigned)strtoul(d, NULL, 10);
    return n >= 2 ? n : 0;
}

/* The directory on the volume of a pod's next output mount: the output's
 * name, unless another mount's key is that name to a file system that
 * ignores case (Azure Files and other SMB shares keep case but ignore it:
 * Model and model would be one directory), then name-N, N one past the
 * highest such number among the keys (name itself counting 1). One pass
 * over the mounts, however many share a name. */
static const char *mount_key(vplan *p, const tplan *tp, const char *name)
{
    size_t len = strlen(name);
    unsigned last = 0;
    bool taken = false;
    for (size_t i = 0; i < tp->nmounts; i++) {
        unsigned n = key_number(tp->mounts[i].key, name, len);
        taken |= n == 1;
        last = n > last ? n : last;
    }
    return !taken ? name : edit_fmt(&p->ed, "%s-%u", name, last + 1);
}

/* A relation between a mount `m` of the user's (at `mount`) and paths of an
 * artifact of template t in workflow wf. A mount path made of parameters
 * passes when its values may make it pass. */
typedef bool mount_test(const template *t, const workflow *wf, const node *m, const char *mount, const char *dir,
                        const char *within);

/* On `dir` itself. */
static bool mount_on(const template *t, const workflow *wf, const node *m, const char *mount, const char *dir,
                     const char *within)
{
    (void)t, (void)wf, (void)m, (void)within;
    return path_may_equal(mount, dir);
}

/* On `dir` or above it, below `within` (an output's data), or inside
 * `dir` where `within`, a file name made of parameters (whose values may
 * hold '/'), may lie: what it holds is then not what the shared volume
 * mounted on `dir` would hold. An
 * emptyDir above `dir` that no other container sees there holds nothing but
 * what the main container writes: it may be above. */
static bool mount_over(const template *t, const workflow *wf, const node *m, const char *mount, const char *dir,
                       const char *within)
{
    if (path_may_cover(within, mount))
        return true;
    if (!path_may_cover(mount, dir)) /* inside dir: it keeps the output when it may hold it (a name of parameters) */
        return path_may_cover(mount, within);
    const node *name = map_get(m, "name");
    const node *volume = name && name->kind == NODE_SCALAR ? template_volume(t, wf, name->as.text) : NULL;
    return path_may_equal(mount, dir) || !map_get(volume, "emptyDir") || template_shares_volume(t, m, dir);
}

/* Below `dir`: a mount point inside it. */
static bool mount_below(const template *t, const workflow *wf, const node *m, const char *mount, const char *dir,
                        const char *within)
{
    (void)t, (void)wf, (void)m, (void)within;
    return path_may_cover(dir, mount) && !path_equal(dir, mount);
}

/* On `dir` or above it. */
static bool mount_holds(const template *t, const workflow *wf, const node *m, const char *mount, const char *dir,
                        const char *within)
{
    (void)t, (void)wf, (void)m, (void)within;
    return path_may_cover(mount, dir);
}

/* Where a mount path of the user's puts the mount: the kubelet makes a
 * relative one absolute, below /; one with a ".." component, which the
 * runtime resolves in the image (through its symbolic links), may be
 * anywhere, as a path made of one parameter may be. */
static const char *mount_place(vplan *p, const char *text)
{
    const char *mount = edit_normal_path(&p->ed, text);
    if (path_has_dotdot(mount))
        return "{{anywhere}}";
    return path_is_relative(mount) ? edit_normal_path(&p->ed, edit_fmt(&p->ed, "/%s", mount)) : mount;
}

/* A mount's path as the user wrote it (one user_mount found has one). */
static const char *mount_text(const node *m)
{
    return map_get(m, "mountPath")->as.text;
}

/* The user's own mounts of a template of many (user_mount), read once:
 * where each mounts (mount_place), the literal places indexed; those made
 * of parameters, or with '..', may be anywhere and are tried always. */
typedef struct user_mounts {
    const template *t; /* the key */
    const node **mount;
    const char **place; /* or NULL, for a mount without a mountPath */
    size_t n;
    path_index literal;
    size_t *anywhere, nanywhere;
} user_mounts;

static size_t count_mounts(const template *t)
{
    size_t n = 0;
    for (int w = 0; w < TEMPLATE_MOUNT_LISTS; w++) {
        const node *mounts = template_mounts(t, w);
        n += mounts && mounts->kind == NODE_SEQUENCE ? mounts->len : 0;
    }
    return n;
}

static const user_mounts *read_user_mounts(vplan *p, const template *t, size_t n)
{
    user_mounts *u = arena_alloc(p->ed.mem, sizeof *u);
    const node **mount = arena_alloc(p->ed.mem, n * sizeof *mount);
    const char **place = arena_alloc(p->ed.mem, n * sizeof *place);
    path_entry *e = arena_alloc(p->ed.mem, n * sizeof *e);
    size_t *anywhere = arena_alloc(p->ed.mem, n * sizeof *anywhere);
    if (u)
        u->t = t;
    if (!u || !mount || !place || !e || !anywhere || strmap_put(&p->user_mounts, (const char *)&u->t, sizeof u->t, u) != 0) {
        p->ed.oom = true;
        return NULL;
    }
    *u = (user_mounts){t, mount, place, 0, {e, 0}, anywhere, 0};
    mount_cursor next = {0, 0};
    for (const node *m; u->n < n && (m = template_next_mount(t, TEMPLATE_MOUNT_LISTS, &next)); u->n++) {
        const char *mp = scalar_text(map_get(m, "mountPath"));
        const char *at = mp ? mount_place(p, mp) : NULL;
        mount[u->n] = m;
        place[u->n] = at;
        if (at && path_is_templated(at))
            anywhere[u->nanywhere++] = u->n;
        else if (at)
            e[u->literal.count++] = (path_entry){at, strlen(at), u->n};
    }
    path_index_sort(&u->literal, false);
    return u;
}

/* A template's own mounts, read once, when it has many; else NULL. */
static const user_mounts *user_mounts_of(vplan *p, const template *t)
{
    size_t n = count_mounts(t);
    if (n <= PATH_INDEX_MIN)
        return NULL;
    const user_mounts *u = strmap_get(&p->user_mounts, (const char *)&t, sizeof t);
    return u ? u : read_user_mounts(p, t, n);
}

typedef struct mount_query {
    const user_mounts *u;
    mount_test *test;
    const template *t;
    const workflow *wf;
    const char *dir, *within;
    size_t found;
} mount_query;

static void passes_test(void *ctx, size_t j)
{
    mount_query *q = ctx;
    const char *at = q->u->place[j];
    if (j < q->found && at && q->test(q->t, q->wf, q->u->mount[j], at, q->dir, q->within))
        q->found = j;
}

/* The first of the user's own mounts (the main container's, or the
 * containerSet's) that passes `test`; where it mounts in *at (mount_place).
 * Every test relates a mount to `dir` (literal) or to `within`, which lies
 * in it: a literal mount that passes is on `dir`, above or below it. */
static const node *user_mount(vplan *p, const template *t, const workflow *wf, mount_test *test, const char *dir,
                              const char *within, const char **at)
{
    const user_mounts *u = user_mounts_of(p, t);
    if (u) {
        mount_query q = {u, test, t, wf, dir, within, NOT_FOUND};
        path_index_holding(&u->literal, u->n, dir, passes_test, &q);
        path_index_under(&u->literal, u->n, dir, passes_test, &q);
        for (size_t k = 0; k < u->nanywhere; k++)
            passes_test(&q, u->anywhere[k]);
        *at = q.found == NOT_FOUND ? NULL : u->place[q.found];
        return q.found == NOT_FOUND ? NULL : u->mount[q.found];
    }
    mount_cursor next = {0, 0};
    for (const node *m; (m = template_next_mount(t, TEMPLATE_MOUNT_LISTS, &next));) {
        const char *mp = scalar_text(map_get(m, "mountPath"));
        const char *mount = mp ? mount_place(p, mp) : NULL;
        if (mount && test(t, wf, m, mount, dir, within)) {
            *at = mount;
            return m;
        }
    }
    return NULL;
}

/* Why the user's mount `m` at `at` keeps the output at `path`, written into `dir`. */
static const char *mount_conflict(vplan *p, const node *m, const char *at, const char *dir, const char *path)
{
    const node *name = map_get(m, "name");
    const char *volume = name && name->kind == NODE_SCALAR ? name->as.text : "?";
    if (path_has_dotdot(mount_text(m)))
        return edit_fmt(&p->ed, "the container mounts volume '%s' at %s, whose '..' the container runtime resolves "
                                "in the image: it may be on, above or inside %s", volume, mount_text(m), dir);
    if (path_is_templated(at))
        return edit_fmt(&p->ed, "the container mounts volume '%s' at %s, which its parameters may put on, above or "
                                "inside %s", volume, mount_text(m), dir);
    if (path_equal(at, dir))
        return edit_fmt(&p->ed, "the container already mounts volume '%s' on %s", volume, dir);
    if (path_covers(at, dir) && scalar_is_true(map_get(m, "readOnly")))
        return edit_fmt(&p->ed, "the container has a read-only mount over %s", dir);
    if (path_covers(at, dir))
        return edit_fmt(&p->ed, "the container mounts volume '%s' at %s, above %s: what other containers or "
                                "that volume put there would not be on the shared volume", volume, mount_text(m), dir);
    if (!path_may_cover(path, at)) /* mount_over: inside dir, where the output's parameters may put it */
        return edit_fmt(&p->ed, "the container mounts volume '%s' at %s, inside %s, where the parameters of %s may "
                                "put the output, and what it holds would not be on the shared volume", volume,
                        mount_text(m), dir, path);
    return edit_fmt(&p->ed, "the container mounts volume '%s' at %s, inside %s, and what it holds would not be "
                            "on the shared volume", volume, mount_text(m), path);
}

/* Why an output at `path` written into `dir` cannot go through the volume
 * because of what else the container mounts, or NULL. */
static const char *mounted_over(vplan *p, const template *t, const workflow *wf, const char *dir, const char *path)
{
    const char *at;
    const node *m = user_mount(p, t, wf, mount_over, dir, path, &at);
    if (m)
        return mount_conflict(p, m, at, dir, path);
    if ((m = template_mirror_clash(t, dir, true, &at))) {
        const node *volume = map_get(m, "name"), *mp = map_get(m, "mountPath");
        return edit_fmt(&p->ed, "container '%s', which mirrors the main container's mounts, mounts volume '%s' on "
                                "%s%s%s: a second mount there would make Kubernetes refuse the pod", at,
                        volume && volume->kind == NODE_SCALAR ? volume->as.text : "?", dir,
                        path_is_templated(mp->as.text) ? ", as its parameters may make " : "",
                        path_is_templated(mp->as.text) ? mp->as.text : "");
    }
    for (size_t k = 0; k < t->inputs.count; k++) {
        const node *in = t->inputs.items[k].path;
        const char *in_path = in && in->kind == NODE_SCALAR ? edit_normal_path(&p->ed, in->as.text) : NULL;
        if (in_path && path_may_cover(path, in_path) && strcmp(path, in_path) != 0)
            return edit_fmt(&p->ed, "input artifact '%s' is mounted at %s, %s it, and would not be on the "
                                    "shared volume", t->inputs.items[k].name, in->as.text,
                            path_is_templated(in_path) ? "which may lie inside" : "inside");
        /* Mounted from the volume (converted, or in a twin), that input would
         * be read-only over it: plan_refuse_input_over_outputs refuses that. */
        if (in_path && path_must_cover(in_path, path))
            return edit_fmt(&p->ed, "it lies in input artifact '%s' at %s, which Argo places itself: a mount of "
                            "the volume on %s would hide part of that input, or miss what the producer writes into "
                            "it", t->inputs.items[k].name, in->as.text, dir);
    }
    return NULL;
}

/* An output that cannot go through the volume stays a real artifact: it
 * then needs an artifact repository, which is worth a warning, unless the
 * user asked for it or it has its own destination. */
static void keep_output(vplan *p, const template *t, const art_plan *o, bool asked)
{
    plan_decide(p, t, o->a, "output", "kept", "left as a real artifact: %s", o->why_kept);
    if (!asked && !o->a->source)
        plan_warn(p, o->a->node, "template '%s': output artifact '%s' stays a real artifact (it needs "
                            "an artifact repository): %s", t->name, o->a->name, o->why_kept);
}

/* Calls fn on every tag of a template's text, and on every bare expression
 * (the values of expression and fromExpression keys, as {{=...}} tags),
 * leaving out inline templates, which have inputs of their own. */
typedef void tag_fn(vplan *p, tplan *tp, const node *at, const tag *g);

static void each_tag(vplan *p, tplan *tp, const node *n, bool expression, tag_fn *fn)
{
    if (p->err || n->inert)
        return; /* most of a template holds no tag at all */
    if (n->kind == NODE_SCALAR && expression) {
        tag g = {0, n->len, {n->as.text, n->len}, true};
        fn(p, tp, n, &g);
    } else if (n->kind == NODE_SCALAR) {
        size_t pos = 0;
        tag g;
        while (!p->err && tag_next(n->as.text, n->len, &pos, &g))
            fn(p, tp, n, &g);
    } else if (n->kind == NODE_SEQUENCE) {
        for (size_t i = 0; i < n->len; i++)
            each_tag(p, tp, n->as.items[i], false, fn);
    } else {
        for (size_t i = 0; i < n->len; i++) {
            const node *key = map_key(n, i);
            if (!scalar_is(key, "inline"))
                each_tag(p, tp, map_value(n, i), scalar_is(key, "expression") || scalar_is(key, "fromExpression"), fn);
        }
    }
}

void plan_refuse_undeclared_input(vplan *p, const template *t, span name, const node *at)
{
    plan_refuse(p, VP_EINVALID, at, "template '%s' refers to input artifact '%.*s', which it does not declare",
                t->name, (int)name.len, name.s);
}

/* References Argo would refuse to resolve in a template, and which the
 * rewrite would otherwise carry into mounts and locations: an
 * {{inputs.parameters.X}} the template does not declare (one of the
 * parameters the rewrite adds must not give it a meaning); in a pod
 * template, any {{tasks.…}} or {{steps.…}} (only dag and steps templates
 * have those); in a dag or steps template, {{pod.name}} (it has no pod).
 * It notes too what check_texts_after_twins looks at once the twins are
 * known: expressions and mentions of the template's own artifacts, and
 * reads of parameter lists whole. */
static void check_reference(vplan *p, tplan *tp, const node *n, const tag *g)
{
    const template *t = tp->t;
    artifact_mention m;
    tp->mentions_artifacts |= g->expression || expr_next_mention(g->expr, &(size_t){0}, &m);
    size_t pos = 0;
    parameter_map map;
    while (expr_next_parameter_map(g->expr, &pos, &map)) {
        if (map.input && !tp->lists_parameters)
            tp->lists_parameters = n;
        tp->reads_call_maps |= !map.input;
    }
    ref r = tag_ref(g);
    if (r.kind == REF_INPUT && !r.artifact && !plan_parameter(p, t->input_parameters, r.name.s, r.name.len))
        plan_refuse(p, VP_EINVALID, n, "template '%s' uses parameter '%.*s', which it does not declare",
                    t->name, (int)r.name.len, r.name.s);
    else if (r.kind == REF_INPUT && r.artifact && artifact_index(&t->inputs, r.name.s, r.name.len) == NOT_FOUND)
        plan_refuse_undeclared_input(p, t, r.name, n);
    else if (r.kind == REF_OUTPUT && template_runs_pod(t))
        plan_refuse(p, VP_EINVALID, n, "template '%s' refers to '{{%.*s}}', which only a dag or steps "
                    "template can", t->name, (int)g->expr.len, g->expr.s);
    else if (!g->expression && template_is_graph(t) && span_is(g->expr, "pod.name"))
        plan_refuse(p, VP_EINVALID, n, "template '%s' refers to '{{pod.name}}', which only a template "
                    "that runs a pod has", t->name);
}

/* ---- the paths of a template's artifacts, checked against each other ---- */

path_index *plan_index_paths(vplan *p, size_t n, const char *(*path_of)(vplan *, const void *, size_t),
                             const void *ctx, bool distinct)
{
    if (n <= PATH_INDEX_MIN)
        return NULL;
    path_index *ix = arena_alloc(p->ed.mem, sizeof *ix);
    path_entry *e = ix ? arena_alloc(p->ed.mem, n * sizeof *e) : NULL;
    if (!e) {
        p->ed.oom = true;
        return NULL;
    }
    size_t count = 0;
    for (size_t i = 0; i < n; i++) {
        const char *path = path_of(p, ctx, i);
        if (path)
            e[count++] = (path_entry){path, strlen(path), i};
    }
    *ix = (path_index){e, count};
    path_index_sort(ix, distinct);
    return ix;
}

/* A query over a template's artifact paths, which looks for the first
 * artifact (the least index) that a visitor below finds about `path`. */
typedef struct first_path {
    vplan *p;
    const tplan *tp;
    const char *path;
    size_t self;  /* the artifact the query is for, which does not count */
    size_t found; /* NOT_FOUND until one does */
} first_path;

/* Where output o is, for the checks against inputs: its planned path, or
 * the one written. */
static const char *output_path(vplan *p, const art_plan *o)
{
    return o->path ? o->path : o->a->path ? edit_normal_path(&p->ed, o->a->path->as.text) : NULL;
}

static const char *indexed_output_path(vplan *p, const void *tp, size_t k)
{
    return output_path(p, &((const tplan *)tp)->out[k]);
}

/* The paths of a template's inputs, and of its outputs (output_path), for
 * one of many (vplan.artifact_paths): each template's plan would otherwise
 * grow for the few that have them. */
typedef struct artifact_paths {
    const tplan *tp; /* the key */
    path_index *in, *out;
} artifact_paths;

static const artifact_paths *paths_of(const vplan *p, const tplan *tp)
{
    const template *t = tp->t;
    if (t->inputs.count <= PATH_INDEX_MIN && t->outputs.count <= PATH_INDEX_MIN)
        return NULL;
    return strmap_get(&p->artifact_paths, (const char *)&tp, sizeof tp);
}

static const path_index *in_paths(const vplan *p, const tplan *tp)
{
    const artifact_paths *a = paths_of(p, tp);
    return a ? a->in : NULL;
}

static const path_index *out_paths(const vplan *p, const tplan *tp)
{
    const artifact_paths *a = paths_of(p, tp);
    return a ? a->out : NULL;
}

/* Input paths as plan_input sets them, known before it runs. */
static const char *indexed_input_path(vplan *p, const void *tp, size_t k)
{
    const node *path = ((const tplan *)tp)->t->inputs.items[k].path;
    return path ? edit_normal_path(&p->ed, path->as.text) : NULL;
}

/* Once its outputs are planned. */
static void index_artifact_paths(vplan *p, const tplan *tp)
{
    const template *t = tp->t;
    if (t->inputs.count <= PATH_INDEX_MIN && t->outputs.count <= PATH_INDEX_MIN)
        return;
    artifact_paths *a = arena_alloc(p->ed.mem, sizeof *a);
    if (a)
        a->tp = tp;
    if (!a || strmap_put(&p->artifact_paths, (const char *)&a->tp, sizeof a->tp, a) != 0) {
        p->ed.oom = true;
        return;
    }
    a->out = plan_index_paths(p, t->outputs.count, indexed_output_path, tp, false);
    a->in = plan_index_paths(p, t->inputs.count, indexed_input_path, tp, false);
}

/* Whether input k of pod template tp comes from the volume in some form of
 * it: the template itself or a twin. */
static bool input_from_volume(const tplan *tp, size_t k)
{
    if (tp->in[k].convert)
        return true;
    for (size_t i = 0; i < tp->ntwins; i++)
        if (tp->twins[i].mask[k])
            return true;
    return false;
}

/* Counts what the path that replaces a tag adds (in each form of the
 * template that replaces it); refuses past MAX_GROWTH: 30,000 tags of a
 * 30 KB path would make 900 MB. */
static void grow_by_path(vplan *p, const tplan *tp, const node *path, const node *at)
{
    size_t forms = 1 + tp->ntwins;
    p->growth += forms * (path ? path->len + 2 : 0); /* with quotes, in an expression */
    if (p->growth > MAX_GROWTH)
        plan_refuse(p, VP_ELIMIT, at, "template '%s': the paths that replace its artifacts' path tags "
                    "({{inputs.artifacts.X.path}}) would add more than %zu MiB to the workflow", tp->t->name,
                    MAX_GROWTH >> 20);
}

/* A tag that names an artifact the volume replaces must be its path,
 * {{inputs.artifacts.X.path}} or {{outputs.artifacts.X.path}}, and an
 * expression must name it as such a whole branch: the rewrite makes that
 * tag or branch the path (as a string in an expression). Argo resolves any
 * other form (sprig.trim(inputs.artifacts['x'].path), the bare artifact)
 * from the artifact itself, which the rewrite removes. */
static void check_mentions(vplan *p, tplan *tp, const node *at, const tag *g)
{
    const template *t = tp->t;
    size_t pos = 0;
    artifact_mention m;
    while (!p->err && expr_next_mention(g->expr, &pos, &m)) {
        const artifact_list *list = m.input ? &t->inputs : &t->outputs;
        if (m.name.len == 0) { /* which artifact is known at run time only: any may be one the volume replaces */
            for (size_t k = 0; k < list->count && !p->err; k++)
                if (m.input ? input_from_volume(tp, k) : output_removed(&tp->out[k]))
                    plan_refuse(p, VP_EUNSUPPORTED, at, "template '%s': the expression '%.*s' reads %s, and the "
                                "volume replaces %s artifact '%s'", t->name, (int)g->expr.len, g->expr.s,
                                m.opaque ? (m.input ? "'inputs' other than by its parameters or artifacts"
                                                    : "'outputs' other than by its parameters or artifacts")
                                         : (m.input ? "input artifacts by a name known at run time"
                                                    : "output artifacts by a name known at run time"),
                                m.input ? "input" : "output", list->items[k].name);
            continue;
        }
        size_t k = artifact_index(list, m.name.s, m.name.len);
        if (k == NOT_FOUND || !(m.input ? input_from_volume(tp, k) : output_removed(&tp->out[k])))
            continue;
        const node *path = list->items[k].path;
        const char *role = m.input ? "input" : "output";
        const char *side = m.input ? "inputs" : "outputs";
        if (!g->expression) {
            if (!m.path || m.whole.s != g->expr.s || m.whole.len != g->expr.len)
                plan_refuse(p, VP_EUNSUPPORTED, at, "template '%s': the tag '{{%.*s}}' names %s artifact '%.*s', "
                            "which the volume replaces; volpass rewrites only {{%s.artifacts.%.*s.path}}", t->name,
                            (int)g->expr.len, g->expr.s, role, (int)m.name.len, m.name.s, side, (int)m.name.len,
                            m.name.s);
            else
                grow_by_path(p, tp, path, at);
            continue;
        }
        bool branch = false;
        span alts[EXPR_MAX_BRANCHES];
        size_t n = m.path ? plan_branches(p, tp, g->expr, at, alts) : 0;
        for (size_t i = 0; i < n; i++)
            branch |= alts[i].s == m.whole.s && alts[i].len == m.whole.len;
        /* The path goes into the {{=...}} quoted: Argo would end the tag at a
         * '}}' of it (of a tag, say), and volpass does not escape. */
        if (branch && path && !strpbrk(path->as.text, "'\\") && !strstr(path->as.text, "}}")) {
            grow_by_path(p, tp, path, at);
            continue;
        }
        plan_refuse(p, VP_EUNSUPPORTED, at, "template '%s': the expression '%.*s' reads %s artifact '%.*s', which "
                    "the volume replaces; volpass rewrites only a whole branch %s.artifacts.%.*s.path whose path has "
                    "no quote, backslash or '}}' (a tag) (or write {{%s.artifacts.%.*s.path}})", t->name, (int)g->expr.len,
                    g->expr.s, role, (int)m.name.len, m.name.s, side, (int)m.name.len, m.name.s, side,
                    (int)m.name.len, m.name.s);
    }
}

/* Argo gives {{inputs.parameters}} the JSON list of every input parameter:
 * a template that reads it and takes an input from the volume, in some
 * form of it, finds that input's location parameter there too. */
static void warn_parameter_list(vplan *p, const tplan *tp)
{
    for (size_t k = 0; tp->lists_parameters && k < tp->t->inputs.count; k++)
        if (template_runs_pod(tp->t) ? input_from_volume(tp, k) : tp->in[k].convert) {
            plan_warn(p, tp->lists_parameters, "template '%s' reads inputs.parameters whole, the list of all its "
                      "input parameters, which gains '%s' (the location of input artifact '%s' on the volume)",
                      tp->t->name, tp->in[k].param, tp->t->inputs.items[k].name);
            return;
        }
}

/* Likewise a call's tasks.X.outputs.parameters read whole: in a tag, a
 * looped call's list of each instance's output parameters, in an
 * expression any call's; they gain the locations of the outputs that go
 * through the volume. */
static void warn_call_parameter_list(vplan *p, tplan *scope, const node *n, const tag *g)
{
    size_t pos = 0;
    parameter_map map;
    while (expr_next_parameter_map(g->expr, &pos, &map)) {
        const call_site *c = map.input ? NULL : template_call(scope->t, map.call.s, map.call.len);
        const tplan *target = c ? scope->calls[c - scope->t->calls].target : NULL;
        for (size_t k = 0; target && k < target->t->outputs.count; k++)
            if (target->out[k].convert && target->out[k].param) {
                plan_warn(p, n, "template '%s' reads %s.%s.outputs.parameters whole, the list of all the output "
                          "parameters of '%s', which gains '%s' (the location of output artifact '%s' on the "
                          "volume)", scope->t->name, map.steps ? "steps" : "tasks", c->name, target->t->name,
                          target->out[k].param, target->t->outputs.items[k].name);
                return;
            }
    }
}

static void volume_input_holding(void *ctx, size_t k)
{
    first_path *f = ctx;
    if (k < f->found && f->tp->in[k].path && input_from_volume(f->tp, k) && path_must_cover(f->tp->in[k].path, f->path))
        f->found = k;
}

/* An output parameter read from a file inside an input that comes from
 * the volume: the container may have written that file, into what Argo
 * gave it as a writable directory of its own, and the mount is read-only. */
static void warn_parameter_in_input(vplan *p, const tplan *tp)
{
    const node *list = tp->t->output_parameters;
    for (size_t i = 0; list && list->kind == NODE_SEQUENCE && i < list->len; i++) {
        const node *from = map_get(list->as.items[i], "valueFrom");
        const node *path = map_get(from, "path"), *name = map_get(list->as.items[i], "name");
        if (!path || path->kind != NODE_SCALAR || !name || name->kind != NODE_SCALAR)
            continue;
        first_path f = {p, tp, edit_normal_path(&p->ed, path->as.text), NOT_FOUND, NOT_FOUND};
        path_index_holding(in_paths(p, tp), tp->t->inputs.count, f.path, volume_input_holding, &f);
        if (f.found != NOT_FOUND)
            plan_warn(p, path, "template '%s': output parameter '%s' is read from %s, inside input artifact "
                      "'%s', which is mounted read-only from the volume: the container cannot write that file "
                      "there, as it could into the directory Argo gave it", tp->t->name, name->as.text,
                      path->as.text, tp->t->inputs.items[f.found].name);
    }
}

/* What a template's texts read that the rewrite changes, once every twin is known. */
static void check_texts_after_twins(vplan *p, template *t, const workflow *wf)
{
    (void)wf;
    tplan *tp = plan_of(t);
    if (tp && tp->mentions_artifacts && template_runs_pod(t)) /* noted by check_reference */
        each_tag(p, tp, t->node, false, check_mentions);
    if (tp && !p->err)
        warn_parameter_list(p, tp);
    if (tp && !p->err && template_runs_pod(t))
        warn_parameter_in_input(p, tp);
    if (tp && !p->err && tp->reads_call_maps && tp->calls)
        each_tag(p, tp, t->node, false, warn_call_parameter_list);
}

/* Where output k is written (o->path, o->mount_dir, o->file), or why it
 * cannot go through the volume. */
static const char *place_output(vplan *p, tplan *tp, size_t k)
{
    const template *t = tp->t;
    art_plan *o = &tp->out[k];
    bool oom = false;
    const char *raw = template_output_path(t, o->a->path->as.text, p->ed.mem, &oom);
    p->ed.oom |= oom;
    if (!raw)
        return oom ? "" : edit_fmt(&p->ed, "its path (with the paths of the inputs it names put in) is longer than "
                                           "the %d bytes a path may be", PATH_MAX_BYTES);
    bool is_dir = raw[0] && raw[strlen(raw) - 1] == '/';
    o->path = edit_normal_path(&p->ed, raw);
    const char *slash = strrchr(o->path, '/');
    if (!slash)
        return edit_fmt(&p->ed, "its path %s is not absolute", raw);
    if (is_dir) {
        o->mount_dir = o->path;
        o->file = "";
    } else {
        o->mount_dir = slash == o->path ? "/" : edit_intern(&p->ed, o->path, (size_t)(slash - o->path));
        o->file = slash + 1;
    }
    /* A file name made of parameters is fine (the location parameter is
     * substituted in the producer's pod too); a directory is not: whether it
     * collides with another mount cannot be known here. */
    if (strstr(o->mount_dir, "{{"))
        return edit_fmt(&p->ed, "its directory %s depends on parameters", o->mount_dir);
    if (o->path[0] != '/')
        return edit_fmt(&p->ed, "its path %s is not absolute", raw);
    if (path_has_dotdot(o->path))
        return edit_fmt(&p->ed, "its path %s has a '..' component", raw);
    if (path_is_root(o->mount_dir))
        return "its directory is /, which cannot be mounted (write it into a directory such as /tmp)";
    if (path_covers("/dev", o->mount_dir))
        return edit_fmt(&p->ed, "its directory is %s%s, where the container runtime mounts the devices, /dev/shm "
                        "and /dev/pts: a mount there would replace or hide them (write it into a directory such as "
                        "/tmp)", o->mount_dir, path_equal(o->mount_dir, "/dev") ? "" : ", in /dev");
    const char *argo = argo_mount_within(t, o->mount_dir);
    if (argo)
        return edit_fmt(&p->ed, "Argo mounts a volume of its own at %s, which a mount on %s would %s", argo,
                        o->mount_dir, path_equal(argo, o->mount_dir) ? "duplicate" : "hide");
    const char *patch = template_mount_patch(t, tp->wf);
    if (patch)
        return edit_fmt(&p->ed, "the pod's volume mounts may change: %s", patch);
    const char *runner = template_runner_mount(t, tp->wf, o->mount_dir);
    if (runner)
        return edit_fmt(&p->ed, "a workflow that runs it gives its container a volume mount on %s (templateDefaults), "
                        "which Argo merges with a mount on %s or which one hides the other", runner, o->mount_dir);
    return mounted_over(p, t, tp->wf, o->mount_dir, o->path);
}

bool plan_global_templated(const artifact *a)
{
    return a->global_name && strstr(a->global_name->as.text, "{{");
}

/* Whether output k goes through the volume (o->convert) or stays a real
 * artifact (o->keep, o->why_kept); both when it has its own destination. */
static void plan_output(vplan *p, tplan *tp, size_t k)
{
    const template *t = tp->t;
    art_plan *o = &tp->out[k];
    const artifact *a = o->a;
    if (a->source)
        o->keep = true, o->why_kept = edit_fmt(&p->ed, "it has its own destination (%s)", a->source);
    if (kept_by_option(p->ctx, a->name)) {
        o->keep = true;
        o->why_kept = "--keep-artifact names it";
        return;
    }
    const char *consumer = plan_kept_for_consumer(p, a);
    if (consumer) {
        o->keep = true;
        o->why_kept = consumer;
        return;
    }
    if (call_tree_defaulted(p->tree, false, a->name)) {
        o->keep = true;
        o->why_kept = "spec.templateDefaults.outputs.artifacts names it: Argo merges that entry into the template, "
                      "and would add it back, without a path, were the artifact gone";
        return;
    }
    if (!a->path) {
        plan_refuse(p, VP_EINVALID, a->node, "template '%s': output artifact '%s' has no path", t->name, a->name);
        return;
    }
    if (plan_global_templated(a)) {
        o->keep = true;
        o->why_kept = "its globalName is made of parameters, and Argo resolves a reference to a global artifact "
                      "of such a name, not to a global parameter";
        return;
    }
    if (a->optional) { /* Argo skips a consumer's optional input then, or fails a required one */
        o->keep = true;
        o->why_kept = "it is optional, and where the producer writes nothing a consumer would find an empty "
                      "directory in its place on the volume";
        return;
    }
    const char *why = place_output(p, tp, k);
    if (why) {
        o->keep = true;
        o->why_kept = why;
        return;
    }
    o->convert = true;
    o->param = plan_location_param(p, tp, t->output_parameters, tp->out, k, "output");
}

/* A memoized template's outputs, found in the cache, are an earlier run's:
 * their locations point into that run's directory on the volume, which a
 * claim of that run (--volume-claim-template) no longer has. */
static void check_memoized(vplan *p, const template *t, const workflow *wf)
{
    const node *memoize = template_memoize(t, wf);
    if (!memoize)
        return;
    const char *by = memoize == map_get(t->node, "memoize") ? "" : " (by spec.templateDefaults)";
    if (p->ctx->claim)
        plan_refuse(p, VP_EUNSUPPORTED, memoize, "template '%s' is memoized%s: a later run that finds its outputs "
                    "in the cache would read them on the claim of the run that made them, which Argo deletes "
                    "(use --volume, or keep its outputs real artifacts with --keep-artifact)", t->name, by);
    else
        plan_warn(p, memoize, "template '%s' is memoized%s: a later run that finds its outputs in the cache reads them "
                         "where the run that made them wrote them on the volume, which must still hold them; and an "
                         "entry a run before the conversion made holds artifacts, not the location parameters its "
                         "consumers now read, so the run that finds it fails: give the cache a new name or key, or "
                         "empty it", t->name, by);
}

/* The kubelet makes a producer's directory on the volume (its subPath)
 * owned by root, with the mode of the volume's root: a producer that runs
 * as another user can write there only when that mode lets it. */
static void check_non_root(vplan *p, const tplan *tp)
{
    const node *user = tp->nmounts ? template_non_root(tp->t, tp->wf) : NULL;
    const node *patch = tp->nmounts && !user ? template_patch_user(tp->t, tp->wf) : NULL;
    if (user || patch)
        plan_warn(p, user ? user : patch, "template '%s' %s as a user other than root: the kubelet makes the "
                  "directory of its outputs on the volume owned by root, with the mode of the volume's root, which "
                  "must let that user write (mode 1777, say)", tp->t->name,
                  user ? "runs" : "may run (its podSpecPatch sets the user)");
}

static const char *converted_dir(vplan *p, const void *tp, size_t k)
{
    (void)p;
    const art_plan *o = &((const tplan *)tp)->out[k];
    return o->convert ? o->mount_dir : NULL;
}

/* The shortest directory of a converted output that holds f->path. Those
 * place_outputs has moved went into such a directory already, the shortest
 * that holds theirs, and so the shortest that holds f->path too. */
static void shortest_holding(void *ctx, size_t j)
{
    first_path *f = ctx;
    const char *dir = f->tp->out[j].mount_dir;
    if (f->tp->out[j].convert && strlen(dir) < strlen(f->path) && path_covers(dir, f->path))
        f->path = dir;
}

/* An output whose directory lies inside another's is written through that
 * other mount, as the path below it: a mount of its own would hide it from
 * the other output (an output /tmp/model/metrics.json inside an output
 * /tmp/model, both written through /tmp). */
static void place_outputs(vplan *p, tplan *tp)
{
    const template *t = tp->t;
    const path_index *dirs = plan_index_paths(p, t->outputs.count, converted_dir, tp, true);
    for (size_t k = 0; k < t->outputs.count; k++) {
        art_plan *o = &tp->out[k];
        first_path f = {p, tp, o->mount_dir, NOT_FOUND, NOT_FOUND};
        if (o->convert)
            path_index_holding(dirs, t->outputs.count, o->mount_dir, shortest_holding, &f);
        if (f.path != o->mount_dir) {
            const char *below = o->mount_dir + strlen(f.path) + 1;
            o->file = *o->file ? edit_cat(&p->ed, below, "/", o->file) : edit_intern(&p->ed, below, strlen(below));
            o->mount_dir = f.path;
        }
    }
}

/* The first converted output in directory f->path. */
static void first_in_dir(void *ctx, size_t j)
{
    first_path *f = ctx;
    if (j < f->found && f->tp->out[j].convert && strcmp(f->tp->out[j].mount_dir, f->path) == 0)
        f->found = j;
}

/* Each directory converted outputs are written into is mounted from the
 * volume once; the kept outputs are announced in the same order. */
static void mount_outputs(vplan *p, tplan *tp)
{
    const template *t = tp->t;
    const char *mirror = NULL; /* a container that mirrors the main one's mounts: it sees theirs */
    if (t->outputs.count)
        template_mirror_clash(t, NULL, false, &mirror);
    place_outputs(p, tp);
    const path_index *dirs = plan_index_paths(p, t->outputs.count, converted_dir, tp, true);
    case_apart apart;
    case_apart_init(&apart, t->outputs.count);
    for (size_t k = 0; k < t->outputs.count; k++) {
        art_plan *o = &tp->out[k];
        if (!o->convert) {
            if (o->keep) /* else it was never planned: the stream is refused */
                keep_output(p, t, o, kept_by_option(p->ctx, o->a->name));
            continue;
        }
        first_path f = {p, tp, o->mount_dir, NOT_FOUND, NOT_FOUND};
        path_index_equal(dirs, t->outputs.count, o->mount_dir, first_in_dir, &f);
        size_t i = f.found < k ? tp->out[f.found].mount : tp->nmounts;
        const char *key = i == tp->nmounts ? mount_key(p, tp, o->a->name) : NULL;
        if (key && strlen(key) > MAX_FILE_NAME)
            plan_refuse(p, VP_EUNSUPPORTED, o->a->node, "template '%s': output artifact '%.32s...' names the "
                        "directory of its location on the volume, '...%s', longer than the %d bytes a file name "
                        "may have there", t->name, o->a->name, key + strlen(key) - 32, MAX_FILE_NAME);
        if (key) {
            tp->mounts[tp->nmounts++] = (out_mount){o->mount_dir, key};
            warn_hidden(p, t, o);
        }
        o->mount = i;
        warn_case_apart(p, tp, k, &apart);
        plan_decide(p, t, o->a, "output", "converted",
               "written to the volume: %s is mounted from it; parameter '%s' carries the location%s",
               o->mount_dir, o->param,
               o->keep ? " (and the artifact is still uploaded to its own destination)" : "");
        if (mirror)
            plan_warn(p, o->a->node, "template '%s': container '%s' mirrors the main container's mounts, so it sees "
                      "the volume at %s, where output artifact '%s' is written: what it writes there reaches the "
                      "output's consumers, where Argo would take the main container's files alone", t->name, mirror,
                      o->mount_dir, o->a->name);
    }
    case_apart_free(&apart);
}

/* Why a read-only mount on `path` would hold an artifact templateDefaults
 * give template t (one it does not declare itself, with a path of its
 * own), which Argo would fail to write there; or NULL. */
static const char *holds_defaulted(vplan *p, const template *t, const char *path)
{
    for (int io = 0; io < 2; io++)
        for (size_t i = 0; i < p->tree->ndefaults_paths[io]; i++) {
            const artifact *d = p->tree->defaults_paths[io][i];
            const artifact_list *own = io ? &t->outputs : &t->inputs;
            const char *at = edit_normal_path(&p->ed, d->path->as.text);
            if (artifact_index(own, d->name, strlen(d->name)) == NOT_FOUND && path_may_cover(path, at))
                return edit_fmt(&p->ed, "would hold, read-only, %s artifact '%s' of spec.templateDefaults (at %s), "
                                "which Argo adds to the template and could not write there", io ? "output" : "input",
                                d->name, d->path->as.text);
        }
    return NULL;
}

/* Why a read-only mount from the volume at `path` would not give the pod
 * what Argo gives it for input `a`, or NULL: a file mode Argo sets (the
 * mount keeps the producer's), a mount already on the path (Kubernetes
 * refuses two), or a volume of the pod's own that holds the path and that
 * other containers mount too (Argo loads the input into it, for all of
 * them; the mount would show it to the main container only). Such an input
 * is no reason to refuse a workflow until a caller passes it a volume
 * location: Argo places it as before. */
static const char *unmountable(vplan *p, const template *t, const workflow *wf, const artifact *a, const char *path)
{
    if (call_tree_defaulted(p->tree, true, a->name))
        return "is named in spec.templateDefaults.inputs.artifacts: Argo merges that entry into the template, and "
               "would add it back, without a path, were the artifact gone";
    const char *holds = holds_defaulted(p, t, path);
    if (holds)
        return holds;
    const char *mode = artifact_mode_key(a);
    if (mode)
        return edit_fmt(&p->ed, "sets %s, which a mount from the volume cannot apply (the file keeps its "
                                "producer's mode)", mode);
    const char *patch = template_mount_patch(t, wf);
    if (patch)
        return edit_fmt(&p->ed, "is in a pod whose volume mounts may change: %s", patch);
    const char *runner = template_runner_mount(t, wf, path);
    if (runner)
        return edit_fmt(&p->ed, "lies where a workflow that runs it gives its container a volume mount (on %s, "
                        "templateDefaults), which Argo merges with a mount on %s or which one hides the other",
                        runner, path);
    const char *argo = path_is_templated(path) ? NULL : argo_mount_within(t, path);
    if (argo)
        return edit_fmt(&p->ed, "lies where Argo mounts a volume of its own (%s), which a mount on %s would %s",
                        argo, path, path_equal(argo, path) ? "duplicate" : "hide");
    const char *at;
    const node *on = path_is_templated(path) ? NULL : user_mount(p, t, wf, mount_on, path, NULL, &at);
    if (on)
        return path_is_templated(at)
                   ? edit_fmt(&p->ed, "may lie where the container mounts a volume of its own (at %s): a second "
                                      "mount there would make Kubernetes refuse the pod", mount_text(on))
                   : "lies where the container mounts a volume of its own: a second mount there would make "
                     "Kubernetes refuse the pod";
    if (!path_is_templated(path) && template_mirror_clash(t, path, true, &at))
        return edit_fmt(&p->ed, "lies where container '%s' (which mirrors the main container's mounts) mounts a "
                                "volume: a second mount there would make Kubernetes refuse the pod", at);
    const node *inner = path_is_templated(path) ? NULL : user_mount(p, t, wf, mount_below, path, NULL, &at);
    if (inner)
        return edit_fmt(&p->ed, "has a volume of the container's own mounted inside it (at %s), whose mount point "
                                "a read-only mount from the volume could not hold", mount_text(inner));
    const node *holder = path_is_templated(path) ? NULL : user_mount(p, t, NULL, mount_holds, path, NULL, &at);
    const node *volume = map_get(holder, "name");
    if (volume && volume->kind == NODE_SCALAR && template_shares_volume(t, holder, path))
        return edit_fmt(&p->ed, "lies in volume '%s' (mounted at %s), which other containers of the pod mount "
                                "too: Argo loads it there for all of them, a mount from the volume would show it "
                                "to the main container only", volume->as.text, mount_text(holder));
    /* Any volume but the pod's own emptyDir (a claim, a claim template,
     * nfs...) outlives the pod: what Argo loads into it, later pods read. */
    if (volume && volume->kind == NODE_SCALAR && !map_get(template_volume(t, wf, volume->as.text), "emptyDir"))
        return edit_fmt(&p->ed, "lies in volume '%s' (mounted at %s): Argo loads it into that volume, where other "
                                "pods may read it, and a mount from the volume would show it to this container "
                                "only", volume->as.text, mount_text(holder));
    return NULL;
}

/* Its path, not mount_dir: that may be another output's. */
static void output_inside(void *ctx, size_t j)
{
    first_path *f = ctx;
    const char *out_path = j < f->found ? output_path(f->p, &f->tp->out[j]) : NULL;
    if (out_path && path_must_cover(f->path, out_path))
        f->found = j;
}

bool plan_refuse_input_over_outputs(vplan *p, const tplan *tp, size_t k, const node *at)
{
    const template *t = tp->t;
    const art_plan *in = &tp->in[k];
    if (!in->path)
        return false;
    first_path f = {p, tp, in->path, NOT_FOUND, NOT_FOUND};
    path_index_under(out_paths(p, tp), t->outputs.count, in->path, output_inside, &f);
    if (f.found == NOT_FOUND)
        return false;
    plan_refuse(p, VP_EUNSUPPORTED, at, "template '%s': input artifact '%s' at %s would be mounted read-only over "
                "output artifact '%s' at %s", t->name, in->a->name, in->path, tp->out[f.found].a->name,
                tp->out[f.found].a->path->as.text);
    return true;
}

static void input_at(void *ctx, size_t j)
{
    first_path *f = ctx;
    if (j < f->found && f->tp->in[j].path && path_equal(f->tp->in[j].path, f->path))
        f->found = j;
}

/* Inputs convert by default when nothing but a caller can supply them. */
static void plan_input(vplan *p, tplan *tp, size_t k)
{
    const template *t = tp->t;
    art_plan *in = &tp->in[k];
    const artifact *a = in->a;
    /* a resource, http, plugin... template has no container to mount into */
    in->convert = !a->source && !a->optional && (template_runs_pod(t) || template_is_graph(t));
    const artifact *d = in->convert && template_is_graph(t) ? call_tree_defaulted(p->tree, true, a->name) : NULL;
    if (d && !d->source && !d->optional) {
        plan_refuse(p, VP_EUNSUPPORTED, a->node, "template '%s': input artifact '%s' is named in "
                    "spec.templateDefaults.inputs.artifacts, required and without a source of its own: Argo merges "
                    "that entry into the template, and with the artifact gone (volpass passes its location as a "
                    "parameter) Argo would find it not supplied", t->name, a->name);
        return;
    }
    in->param = in->convert ? plan_location_param(p, tp, t->input_parameters, tp->in, k, "input")
                            : free_name(p, t->input_parameters, &t->inputs, tp->in, k);
    if (!template_runs_pod(t))
        return;
    if (!a->path) {
        plan_refuse(p, VP_EINVALID, a->node, "template '%s': input artifact '%s' has no path", t->name, a->name);
        return;
    }
    in->path = edit_normal_path(&p->ed, a->path->as.text);
    /* A path made of parameters ({{inputs.parameters.dir}}/x) is fine:
     * Argo substitutes them in the mount as everywhere in the template. */
    if (path_is_root(in->path)) {
        plan_refuse(p, VP_EUNSUPPORTED, a->node, "template '%s': input artifact '%s' at / cannot be mounted (a "
                    "volume cannot go on /)", t->name, a->name);
        return;
    }
    if (path_has_dotdot(in->path)) {
        plan_refuse(p, VP_EUNSUPPORTED, a->node, "template '%s': input artifact '%s' at %s cannot be mounted: "
                    "its path has a '..' component", t->name, a->name, a->path->as.text);
        return;
    }
    if (path_is_relative(in->path)) {
        plan_refuse(p, VP_EUNSUPPORTED, a->node, "template '%s': input artifact '%s' at %s: write its path "
                    "absolute, %s, where Kubernetes mounts it, and volpass mounts the volume there", t->name, a->name,
                    a->path->as.text, edit_normal_path(&p->ed, edit_fmt(&p->ed, "/%s", in->path)));
        return;
    }
    in->unmountable = unmountable(p, t, tp->wf, a, in->path);
    in->convert &= !in->unmountable;
    if (in->convert && plan_refuse_input_over_outputs(p, tp, k, a->node))
        return;
    first_path f = {p, tp, in->path, NOT_FOUND, NOT_FOUND};
    path_index_equal(in_paths(p, tp), k, in->path, input_at, &f);
    if (f.found != NOT_FOUND) {
        plan_refuse(p, VP_EINVALID, a->node, "template '%s': input artifacts '%s' and '%s' share the path %s",
                    t->name, tp->in[f.found].a->name, a->name, in->path);
        return;
    }
    if (in->unmountable)
        plan_decide(p, t, a, "input", "kept", "left as a real artifact: it %s (an output a call passes it stays a real "
               "artifact, or the call is refused where volpass cannot tell which output it passes)", in->unmountable);
    else if (!in->convert)
        plan_decide(p, t, a, "input", "kept",
               "left as a real artifact by default: it %s%s%s (a caller passing a volume location gets a twin)",
               a->source ? "has its own source (" : "is optional", a->source ? a->source : "", a->source ? ")" : "");
    else
        plan_decide(p, t, a, "input", "converted", "mounted read-only at %s from the location parameter '%s' carries",
               in->path, in->param);
}

static void input_inside(void *ctx, size_t k)
{
    first_path *f = ctx;
    const char *inner = f->tp->in[k].path;
    if (k < f->found && k != f->self && inner && path_must_cover(f->path, inner) && !path_equal(f->path, inner))
        f->found = k;
}

bool plan_refuse_nested_inputs(vplan *p, const tplan *tp, const bool *mask, const node *at)
{
    const template *t = tp->t;
    for (size_t o = 0; o < t->inputs.count; o++) {
        const art_plan *outer = &tp->in[o];
        if (!(mask ? mask[o] : outer->convert) || !outer->path)
            continue;
        first_path f = {p, tp, outer->path, o, NOT_FOUND};
        path_index_under(in_paths(p, tp), t->inputs.count, outer->path, input_inside, &f);
        if (f.found != NOT_FOUND) {
            const art_plan *inner = &tp->in[f.found];
            plan_refuse(p, VP_EUNSUPPORTED, at ? at : inner->a->node, "template '%s': input artifact '%s' at %s "
                        "would be mounted inside input artifact '%s' at %s, which is mounted read-only from the "
                        "volume", t->name, inner->a->name, inner->path, outer->a->name, outer->path);
            return true;
        }
    }
    return false;
}

static tplan *plan_template(vplan *p, template *t, const workflow *wf)
{
    tplan *tp = arena_alloc(p->ed.mem, sizeof *tp);
    if (!tp) {
        p->ed.oom = true;
        return NULL;
    }
    memset(tp, 0, sizeof *tp);
    tp->t = t;
    tp->wf = wf;
    tp->in = arena_alloc(p->ed.mem, t->inputs.count * sizeof(art_plan));
    tp->out = arena_alloc(p->ed.mem, t->outputs.count * sizeof(art_plan));
    tp->mounts = arena_alloc(p->ed.mem, t->outputs.count * sizeof(out_mount));
    if (!tp->in || !tp->out || !tp->mounts) {
        p->ed.oom = true;
        return NULL;
    }
    t->plan = tp;
    memset(tp->in, 0, t->inputs.count * sizeof(art_plan));
    memset(tp->out, 0, t->outputs.count * sizeof(art_plan));
    for (size_t k = 0; k < t->outputs.count; k++)
        tp->out[k].a = &t->outputs.items[k];
    for (size_t k = 0; k < t->inputs.count; k++)
        tp->in[k].a = &t->inputs.items[k];
    each_tag(p, tp, t->node, false, check_reference);
    if (template_runs_pod(t) && !t->container && t->inputs.count + t->outputs.count > 0)
        plan_refuse(p, VP_EUNSUPPORTED, t->node, "template '%s' has artifacts, but its containerSet has no "
                    "container named main to mount them into", t->name);
    if (template_runs_pod(t)) {
        for (size_t k = 0; k < t->outputs.count && !p->err; k++)
            plan_output(p, tp, k);
        index_artifact_paths(p, tp);
        mount_outputs(p, tp);
        check_non_root(p, tp);
    } else if (t->kind == TEMPLATE_OTHER) {
        for (size_t k = 0; k < t->outputs.count; k++)
            plan_decide(p, t, &t->outputs.items[k], "output", "kept", "the template has no container of its own "
                        "to mount the volume into: Argo's executor saves the artifact itself");
    }
    for (size_t k = 0; k < t->inputs.count && !p->err; k++)
        plan_input(p, tp, k);
    if (template_runs_pod(t) && !p->err)
        plan_refuse_nested_inputs(p, tp, NULL, NULL);
    return tp;
}

/* ---- the whole stream ---------------------------------------------------- */

static void plan_all(vplan *p, template *t, const workflow *wf)
{
    if (!plan_of(t))
        plan_template(p, t, wf);
}

/* Calls fn on t and on the templates inline in it, parents first. */
static void visit_deep(vplan *p, template *t, const workflow *wf, void (*fn)(vplan *, template *, const workflow *))
{
    fn(p, t, wf);
    for (size_t c = 0; c < t->ncalls && !p->err; c++)
        if (t->calls[c].inline_template)
            visit_deep(p, t->calls[c].inline_template, wf, fn);
}

/* Calls fn on every template of the stream, inline ones included. */
static void each_template(vplan *p, void (*fn)(vplan *, template *, const workflow *))
{
    for (size_t d = 0; d < p->tree->nwfs && !p->err; d++) {
        workflow *wf = &p->tree->wfs[d];
        for (size_t i = 0; wf->root && i < wf->ntemplates && !p->err; i++)
            visit_deep(p, &wf->templates[i], wf, fn);
    }
}

static call_plan *plan_calls(vplan *p, tplan *tp)
{
    call_plan *calls = arena_alloc(p->ed.mem, (tp->t->ncalls + 1) * sizeof *calls);
    if (!calls) {
        p->ed.oom = true;
        return NULL;
    }
    for (size_t c = 0; c < tp->t->ncalls && !p->err; c++) {
        plan_call(p, tp, &tp->t->calls[c], &calls[c]);
        plan_check_required_parameters(p, tp, &tp->t->calls[c], &calls[c]);
    }
    return calls;
}

static void finish_graph_outputs(vplan *p, template *t, const workflow *wf)
{
    (void)wf;
    tplan *tp = plan_of(t);
    if (tp && template_is_graph(t)) {
        plan_graph_inputs(p, tp);
        if (t->outputs.count)
            plan_graph_output_backing(p, tp, 0);
    }
}

/* check_memoized for a template with an output through the volume (a dag
 * or steps one too), once every call is planned: an output kept real for a
 * consumer is asked for by then (the next try keeps it). */
static void check_memoized_outputs(vplan *p, template *t, const workflow *wf)
{
    tplan *tp = plan_of(t);
    for (size_t k = 0; tp && (template_runs_pod(t) || template_is_graph(t)) && k < t->outputs.count; k++)
        if (tp->out[k].convert) {
            check_memoized(p, t, wf);
            return;
        }
}

static void index_template_calls(vplan *p, template *t, const workflow *wf)
{
    (void)wf;
    tplan *tp = plan_of(t);
    if (tp && template_is_graph(t))
        plan_index_calls(p, tp);
}

/* Whether volume (or claim) `entry`, named `name`, is the one volpass adds
 * with these options: an earlier conversion's. Run again over its own
 * output, volpass uses it again rather than add a second volume. */
static bool is_this_volume(const vplan *p, const node *entry, const char *name)
{
    if (entry->kind != NODE_MAPPING || entry->len != 2)
        return false;
    if (p->ctx->claim) { /* the claim, or a containerSet template's copy of what Argo makes of it */
        const node *meta = map_get(entry, "metadata"), *spec = map_get(entry, "spec");
        const node *pvc = map_get(entry, "persistentVolumeClaim"), *claim = map_get(pvc, "claimName");
        return (meta && meta->kind == NODE_MAPPING && meta->len == 1 && spec && node_equal(spec, p->ctx->claim)) ||
               (claim && claim->kind == NODE_SCALAR && pvc->len == 1 &&
                strncmp(claim->as.text, CLAIM_PREFIX, strlen(CLAIM_PREFIX)) == 0 &&
                strcmp(claim->as.text + strlen(CLAIM_PREFIX), name) == 0);
    }
    const node *source = p->ctx->volume;
    for (size_t i = 0; i < source->len; i++) {
        const node *mine = map_get(entry, map_key(source, i)->as.text);
        if (!mine || !node_equal(mine, map_value(source, i)))
            return false;
    }
    return source->len == 1;
}

const node *volume_listed(const vplan *p, const node *list, const char *name)
{
    for (size_t i = 0; list && list->kind == NODE_SEQUENCE && i < list->len; i++) {
        const node *item = list->as.items[i];
        if ((scalar_is(map_get(item, "name"), name) || scalar_is(map_get(map_get(item, "metadata"), "name"), name)) &&
            !(p && is_this_volume(p, item, name)))
            return item;
    }
    return NULL;
}

static bool mount_is_named(const node *m, const void *name)
{
    return scalar_is(map_get(m, "name"), name);
}

/* A mount of pod template t, in any container, of a volume named `name`
 * that the pod does not have: the workflow names that volume for a
 * reason of its own (it does not run as it is), and volpass's volume
 * must not take its place. NULL when there is none. */
static const node *undeclared_mount_named(const template *t, const workflow *wf, const char *name)
{
    if (!template_runs_pod(t) || template_volume(t, wf, name) || claims_have(spec_claims(wf->spec), name))
        return NULL;
    return template_find_mount(t, mount_is_named, name);
}

/* The volume named `name` that template t, or one inline in it, has of its
 * own (or mounts without having it), or NULL: Argo gives a template's
 * volumes precedence over the workflow's. */
static const node *template_volume_named(const vplan *p, const template *t, const workflow *wf, const char *name)
{
    const node *v = volume_listed(p, map_get(t->node, "volumes"), name);
    if (!v)
        v = undeclared_mount_named(t, wf, name);
    for (size_t c = 0; !v && c < t->ncalls; c++)
        if (t->calls[c].inline_template)
            v = template_volume_named(p, t->calls[c].inline_template, wf, name);
    return v;
}

/* The first volume (or claim) of the stream named `name`, other than one
 * an earlier conversion with these options added, or a mount of that name
 * with no such volume; or NULL. */
static const node *volume_name_used(const vplan *p, const char *name)
{
    for (size_t d = 0; d < p->tree->nwfs; d++) {
        const workflow *wf = &p->tree->wfs[d];
        const node *v = volume_listed(p, map_get(wf->spec, "volumes"), name);
        if (!v)
            v = volume_listed(p, map_get(wf->spec, "volumeClaimTemplates"), name);
        if (!v) /* every template's */
            v = volume_listed(p, map_get(map_get(wf->spec, "templateDefaults"), "volumes"), name);
        for (size_t i = 0; !v && i < wf->ntemplates; i++)
            v = template_volume_named(p, &wf->templates[i], wf, name);
        if (v)
            return v;
    }
    return NULL;
}

/* Whether the stream holds a document that others may use, or uses one it
 * does not hold: converted apart, they must name the volume alike. */
static bool shares_templates(const call_tree *tree)
{
    for (size_t d = 0; d < tree->nwfs; d++) {
        const workflow *wf = &tree->wfs[d];
        if (wf->root && (workflow_callable_apart(wf) || call_tree_uses_outside(tree, d)))
            return true;
    }
    return false;
}

/* The first of t and the templates inline in it (parents first) for which
 * `found` is true, or NULL. */
static const template *find_deep(const template *t, bool (*found)(const template *, void *), void *ctx)
{
    if (found(t, ctx))
        return t;
    const template *in = NULL;
    for (size_t c = 0; c < t->ncalls && !in; c++)
        if (t->calls[c].inline_template)
            in = find_deep(t->calls[c].inline_template, found, ctx);
    return in;
}

/* The first template of the stream, inline ones included, for which
 * `found` is true, or NULL; every one is asked while `found` is false. */
static const template *find_template(const call_tree *tree, bool (*found)(const template *, void *), void *ctx)
{
    const template *t = NULL;
    for (size_t d = 0; d < tree->nwfs && !t; d++)
        for (size_t i = 0; tree->wfs[d].root && i < tree->wfs[d].ntemplates && !t; i++)
            t = find_deep(&tree->wfs[d].templates[i], found, ctx);
    return t;
}

/* Whether pod template t's plan mounts the volume: for an output, an
 * input it takes from there by default, or a twin (which takes some). */
static bool plan_mounts(const template *t, void *ctx)
{
    (void)ctx;
    const tplan *tp = plan_of(t);
    bool mounts = tp && template_runs_pod(t) && (tp->nmounts || tp->ntwins);
    for (size_t k = 0; tp && template_runs_pod(t) && k < t->inputs.count && !mounts; k++)
        mounts = tp->in[k].convert;
    return mounts;
}

/* Whether the rewrite may mount the volume: in a template of the stream, or
 * in one of a document it does not hold, converted apart. (A stream
 * converted already has nothing left to convert.) */
static bool stream_mounts(const call_tree *tree)
{
    for (size_t d = 0; d < tree->nwfs; d++)
        if (tree->wfs[d].root && call_tree_uses_outside(tree, d))
            return true;
    return find_template(tree, plan_mounts, NULL) != NULL;
}

static bool volume_taken(vplan *p, const char *name, const void *ctx)
{
    (void)ctx;
    return volume_name_used(p, name) != NULL;
}

static const char *choose_volume_name(vplan *p)
{
    if (p->ctx->volume_name) {
        const node *taken = volume_name_used(p, p->ctx->volume_name);
        if (taken)
            plan_refuse(p, VP_EUNSUPPORTED, taken, "--volume-name %s: the workflow already has a volume of that name",
                   p->ctx->volume_name);
        return p->ctx->volume_name;
    }
    const char *name = plan_first_free(p, DEFAULT_VOLUME_NAME, volume_taken, NULL);
    if (strcmp(name, DEFAULT_VOLUME_NAME) != 0 && shares_templates(p->tree) && stream_mounts(p->tree))
        plan_refuse(p, VP_EUNSUPPORTED, volume_name_used(p, DEFAULT_VOLUME_NAME), "the volume would be named %s, as "
                    DEFAULT_VOLUME_NAME " is taken; but WorkflowTemplates and the workflows that use them, converted "
                    "apart, must name it alike: give it a name with --volume-name, the same in every conversion",
                    name);
    return name;
}

/* An output artifact's name looked for, in templates that run a pod only
 * or in any. */
typedef struct output_named {
    const char *name;
    bool pods_only;
} output_named;

static bool has_output(const template *t, void *ctx)
{
    const output_named *o = ctx;
    return (!o->pods_only || template_runs_pod(t)) && artifact_index(&t->outputs, o->name, strlen(o->name)) != NOT_FOUND;
}

/* A --keep-artifact that names no output of the input is likely misspelt;
 * one that names only outputs of dag or steps templates keeps nothing:
 * they pass on what a pod wrote, where it went. */
static void warn_unused_keeps(vplan *p)
{
    for (size_t k = 0; k < p->ctx->keep_count && p->ctx->on_warning; k++) {
        const char *name = p->ctx->keep[k];
        if (find_template(p->tree, has_output, &(output_named){name, true}))
            continue;
        if (find_template(p->tree, has_output, &(output_named){name, false}))
            warning_give(p->ctx->on_warning, p->ctx->warning_ctx, "--keep-artifact", 1, 1, "only dag and steps "
                         "templates have an output artifact named '%s', which passes on what a pod template's output "
                         "holds: keep that output instead", name);
        else
            warning_give(p->ctx->on_warning, p->ctx->warning_ctx, "--keep-artifact", 1, 1, "no template of the "
                         "input has an output artifact named '%s'", name);
    }
}

/* The outputs of one name that go through the volume: the first, and how
 * many pod templates have one. */
typedef struct converted_outputs {
    const char *name;
    const tplan *first;
    const art_plan *first_output;
    size_t count;
} converted_outputs;

static bool count_converted(const template *t, void *ctx)
{
    converted_outputs *c = ctx;
    const tplan *tp = plan_of(t);
    size_t k = tp && template_runs_pod(t) ? artifact_index(&t->outputs, c->name, strlen(c->name)) : NOT_FOUND;
    if (k != NOT_FOUND && tp->out[k].convert) {
        if (!c->count++) {
            c->first = tp;
            c->first_output = &tp->out[k];
        }
    }
    return false; /* on to every template */
}

/* Kubeflow Pipelines' UI shows what outputs of these names hold, read from
 * the artifact repository: written to the volume, they show nothing there.
 * One warning a name, at the first such output. */
static void warn_ui_outputs(vplan *p)
{
    static const char *const ui_outputs[] = {"mlpipeline-ui-metadata", "mlpipeline-metrics"};
    for (size_t n = 0; n < sizeof ui_outputs / sizeof *ui_outputs; n++) {
        converted_outputs c = {ui_outputs[n], NULL, NULL, 0};
        find_template(p->tree, count_converted, &c);
        if (c.count)
            plan_warn(p, c.first_output->a->node, "template '%s': output artifact '%s' goes through the volume%s, "
                      "where Kubeflow Pipelines' UI, which reads it from the artifact repository, finds nothing: "
                      "keep it a real artifact with --keep-artifact %s", c.first->t->name, c.name,
                      c.count == 1 ? "" : edit_fmt(&p->ed, " (and so does that of %zu more template%s)", c.count - 1,
                                                   c.count == 2 ? "" : "s"),
                      c.name);
    }
}

/* Plans the calls of t and of the templates inline in it, parents first. */
static void plan_template_calls(vplan *p, template *t)
{
    tplan *tp = plan_of(t);
    if (tp && template_is_graph(t))
        tp->calls = plan_calls(p, tp);
    for (size_t c = 0; c < t->ncalls && !p->err; c++)
        if (t->calls[c].inline_template)
            plan_template_calls(p, t->calls[c].inline_template);
}

static void make_roots(vplan *p, workflow *wf, stream_calls *r)
{
    r->scope = arena_alloc(p->ed.mem, sizeof *r->scope);
    if (!r->scope) {
        p->ed.oom = true;
        return;
    }
    memset(r->scope, 0, sizeof *r->scope);
    r->scope->t = &wf->handlers;
    r->scope->wf = wf;
    plan_index_calls(p, r->scope);
    tplan *entry = plan_of(wf->entrypoint ? workflow_template(wf, wf->entrypoint) : NULL);
    if (!entry)
        return; /* a WorkflowTemplate's, or none: plan_check_run_arguments */
    r->entry = (call_site){wf->spec, "spec.arguments", CALL_TASK, wf->arguments, wf->parameters,
                           wf->entrypoint, NULL, NULL, false, false};
    plan_add_caller(p, entry, r->scope, &r->entry);
}

static void plan_roots(vplan *p, stream_calls *r)
{
    r->handlers = plan_calls(p, r->scope);
    if (r->entry.template_name)
        plan_call(p, r->scope, &r->entry, &r->entry_plan);
    const workflow *wf = r->scope->wf;
    if (r->entry_plan.twin && workflow_callable_apart(wf))
        plan_warn(p, map_get(wf->spec, "entrypoint"), "spec.entrypoint: template '%s' takes input artifacts from the "
                  "volume once converted, and the %s's spec.arguments pass real ones: its entrypoint is now twin '%s'; "
                  "a workflow that runs it naming entrypoint '%s' itself (workflowTemplateRef, argo submit --from "
                  "--entrypoint) runs the form that takes the volume", r->entry.template_name, wf->kind,
                  r->entry_plan.twin, r->entry.template_name);
}

/* A Workflow's templates run from its own calls only (and from `argo submit
 * --entrypoint`, which passes real artifacts). A pod template of one whose
 * every call takes its one twin, a form that keeps inputs real artifacts
 * where the template's own form mounts them, becomes that form itself:
 * else its own form would be a copy no call runs, and a second conversion
 * of the output would make a twin of the twin. */
static void adopt_twin(vplan *p, template *t, const workflow *wf)
{
    tplan *tp = plan_of(t);
    if (!tp || !template_runs_pod(t) || workflow_callable_apart(wf) || tp->ntwins != 1 || tp->default_calls ||
        tp->twins[0].home != wf || tp->twins[0].named)
        return;
    const twin *tw = &tp->twins[0];
    for (size_t k = 0; k < t->inputs.count; k++)
        if (tw->mask[k] && !tp->in[k].convert)
            return; /* mounts an input the template's own form keeps: that form stays for --entrypoint */
    for (size_t k = 0; k < t->inputs.count; k++)
        tp->in[k].convert = tw->mask[k];
    tp->ntwins = 0;
    for (size_t i = 0; i < p->ndecisions; i++) {
        decision *d = &p->decisions[i];
        if (d->t != t || strcmp(d->role, d->a ? "input" : "template") != 0)
            continue;
        if (!d->a)
            d->action = NULL; /* the twin is not made */
        else if (!tp->in[d->a - t->inputs.items].convert && strcmp(d->action, "converted") == 0) {
            d->action = "kept";
            d->detail = "left as a real artifact: every call passes a real artifact (a constant, or an output "
                        "that stays one)";
        }
    }
}

/* A call of an adopted twin calls the template. */
static void untwin(call_plan *cp)
{
    if (cp->target && cp->twin && cp->target->ntwins == 0) {
        cp->twin = NULL;
    }
}

/* Every call of t and of the templates inline in it, and every root call:
 * those of adopted twins call the template. */
static void untwin_calls(template *t)
{
    const tplan *tp = plan_of(t);
    for (size_t c = 0; c < t->ncalls; c++) {
        if (tp && tp->calls)
            untwin(&tp->calls[c]);
        if (t->calls[c].inline_template)
            untwin_calls(t->calls[c].inline_template);
    }
}

static void untwin_all(vplan *p, stream_calls *roots)
{
    for (size_t d = 0; d < p->tree->nwfs; d++) {
        workflow *wf = &p->tree->wfs[d];
        if (!wf->root)
            continue;
        for (size_t i = 0; i < wf->ntemplates; i++)
            untwin_calls(&wf->templates[i]);
        untwin(&roots[d].entry_plan);
        for (size_t c = 0; roots[d].handlers && c < wf->handlers.ncalls; c++)
            untwin(&roots[d].handlers[c]);
    }
}

/* What a workflow gives every pod it runs that volpass heeds (run_settings),
 * in words; NULL for nothing. */
static const char *settings_said(const run_settings *r)
{
    return r->patch || r->defaults_patch ? "a podSpecPatch that may change their mounts"
           : r->mounts[0] || r->mounts[1] || r->mounts[2] || r->ndefaults ? "templateDefaults that give them mounts"
           : r->memoize ? "templateDefaults that memoize them"
           : r->non_root ? "a user other than root" : NULL;
}

/* A workflow whose pods get settings volpass heeds (its own, or those of a
 * workflow that runs it), and that runs templates of a WorkflowTemplate not
 * in the input, or may through a templateRef named by parameters: volpass,
 * converting that one apart, cannot heed them there. */
static void warn_settings_apart(vplan *p, const workflow *wf, size_t d)
{
    bool outside = call_tree_runs_outside(p->tree, d); /* a fixed name not in the input */
    if (!outside && !p->tree->runs_any[d])
        return;
    run_settings mine = {0};
    workflow_runs_join(&mine, wf);
    const char *said = settings_said(&mine);
    if (said)
        plan_warn(p, wf->root, "the pods this %s runs get %s (from it, or from a workflow that runs it), and it %s, "
                  "which volpass converts apart without them: convert the documents together, or check them with "
                  "volpass verify", wf->kind, said, outside ? "runs templates of a WorkflowTemplate not in the input"
                  : "may run templates of one not in the input (a templateRef named by parameters)");
}

/* One try at the plan: every template, call and twin decided, or refused. */
static stream_calls *plan_once(vplan *p)
{
    call_tree *tree = p->tree;
    /* Every template; who calls what; then the forms that depend on callers
     * (graph templates' inputs and outputs); then every call. */
    each_template(p, plan_all);
    each_template(p, plan_note_graph_twins);
    each_template(p, plan_note_globals);
    each_template(p, plan_register_globals); /* of pod templates, in stream order; dag and steps ones as needed */
    stream_calls *roots = calloc(tree->nwfs + 1, sizeof *roots);
    if (!roots)
        p->ed.oom = true;
    for (size_t d = 0; d < tree->nwfs && !p->ed.oom; d++)
        if (tree->wfs[d].root)
            make_roots(p, &tree->wfs[d], &roots[d]);
    each_template(p, index_template_calls);
    each_template(p, finish_graph_outputs);
    each_template(p, plan_register_globals); /* now of every dag and steps template too */
    each_template(p, plan_refuse_mixed_globals);
    for (size_t d = 0; d < tree->nwfs && !p->err && !p->ed.oom; d++) {
        workflow *wf = &tree->wfs[d];
        if (!wf->root)
            continue;
        if (!wf->spec)
            plan_refuse(p, VP_EINVALID, wf->root, "%s has no spec", wf->kind);
        plan_claim(p, wf, &roots[d]);
        warn_settings_apart(p, wf, d);
        plan_check_workflow_arguments(p, wf, &roots[d]);
        if (!roots[d].entry.template_name)
            plan_check_run_arguments(p, wf); /* once every caller of the WorkflowTemplate's is known */
        for (size_t i = 0; i < wf->ntemplates && !p->err; i++)
            plan_template_calls(p, &wf->templates[i]);
        if (!p->err)
            plan_roots(p, &roots[d]);
    }
    if (!p->err)
        each_template(p, check_memoized_outputs);
    if (!p->err)
        each_template(p, plan_check_settled);
    if (!p->err && !p->ed.oom) {
        each_template(p, adopt_twin);
        untwin_all(p, roots);
    }
    if (!p->err)
        each_template(p, check_texts_after_twins); /* now that every twin is known */
    return roots;
}

static void forget_plan(vplan *p, template *t, const workflow *wf)
{
    (void)p, (void)wf;
    t->plan = NULL;
}

/* Back to no plan at all (the arena keeps what the try made). */
/* Empties the plan's maps (strmap_free leaves them ready for use). */
static void free_maps(vplan *p)
{
    strmap_free(&p->globals);
    strmap_free(&p->param_globals);
    strmap_free(&p->setters);
    strmap_free(&p->twin_names);
    strmap_free(&p->apart);
    strmap_free(&p->artifact_paths);
    strmap_free(&p->user_mounts);
}

void vplan_init(vplan *p, const scheme_ctx *ctx, call_tree *tree, graph_twins *twins)
{
    memset(p, 0, sizeof *p);
    p->ctx = ctx;
    p->tree = tree;
    p->graph_twins = twins;
    edit_init(&p->ed, ctx->arena, ctx->notes);
    free_maps(p); /* of nothing yet: each map initialised */
    name_index_init(&p->names, p->ed.mem);
}

void vplan_free(vplan *p)
{
    free_maps(p);
    name_index_free(&p->names);
    edit_free(&p->ed);
}

static void plan_reset(vplan *p, stream_calls *roots)
{
    free(roots);
    vp_error_free(p->err);
    p->err = NULL;
    each_template(p, forget_plan);
    free_maps(p);
    p->templated_setters = NULL;
    p->nesting = p->growth = p->ndecisions = 0;
    p->assumed = p->cycle_bound = false;
    p->graph_twins->requested = false;
    release_warnings(p, false);
}

void plan_note_cycle_bound(vplan *p)
{
    p->cycle_bound = p->cycle_bound || (!p->err && p->assumed);
}

#define MAX_KEEP_TRIES 16

/* Plans; where a refusal came of a plan whose forms rested on an
 * assumption about a cycle, tries the others in turn, the first plan that
 * stands winning. When none does, the refusal reported is that of the
 * first try refused for a reason of its own (not cycle_bound), else the
 * first try's: that try is made again, for its warnings and decisions. */
static stream_calls *plan_assuming(vplan *p)
{
    stream_calls *roots = plan_once(p);
    int report = -1;
    while (p->err && p->assumed && !p->ed.oom && p->assumption + 1 < ASSUMPTIONS) {
        if (report < 0 && !p->cycle_bound)
            report = (int)p->assumption;
        plan_reset(p, roots);
        p->assumption++;
        roots = plan_once(p);
    }
    if (p->assumption != ASSUME_NOTHING && p->err && !p->ed.oom) {
        if (report < 0 && !p->cycle_bound)
            report = (int)p->assumption;
        if (report != (int)p->assumption) {
            plan_reset(p, roots);
            p->assumption = report < 0 ? ASSUME_NOTHING : report;
            roots = plan_once(p);
        }
    }
    return roots;
}

/* Once the plan stands: names the volume (which may refuse too), warns of
 * the outputs Kubeflow's UI misses, and gives the warnings held, the
 * decisions and the warnings of --keep-artifact. Refused asking for a twin
 * of a graph template, or with twins made for the convention, the plan
 * starts again (with the twin, or without those), and says nothing of this
 * one (rewrite_volume); a refused plan decided nothing that --explain could
 * show as done. Returns the volume's name, NULL when refused. */
static const char *finish_plan(vplan *p)
{
    bool again = p->err && graph_twins_again(p->graph_twins);
    const char *volume = p->err ? NULL : choose_volume_name(p);
    if (!p->err)
        warn_ui_outputs(p);
    release_warnings(p, !again);
    if (!again && !p->err)
        report_decisions(p);
    if (!again)
        warn_unused_keeps(p);
    return p->err ? NULL : volume;
}

/* Plans (plan_assuming); where a try asks for producers' outputs to stay
 * real artifacts for consumers that cannot take a volume location, plans
 * again with them kept, up to MAX_KEEP_TRIES times. */
void volume_plan(vplan *p, stream_calls **roots_out, const char **volume)
{
    p->holding = true;
    strmap_init(&p->kept_for_consumers);
    stream_calls *roots = plan_assuming(p);
    while (p->keep_asked && !p->ed.oom && p->keep_tries < MAX_KEEP_TRIES) {
        p->keep_asked = false;
        p->keep_tries++;
        plan_reset(p, roots);
        p->assumption = ASSUME_NOTHING;
        roots = plan_assuming(p);
    }
    if (p->keep_asked && !p->err) /* planned on as if kept: not a plan that stands */
        plan_refuse(p, VP_EUNSUPPORTED, p->keep_at, "producers' outputs kept real artifacts for consumers that cannot "
                    "take a volume location (as for this artifact, the last) still lead to more after %d plans of the "
                    "stream: keep them real artifacts with --keep-artifact", MAX_KEEP_TRIES + 1);
    strmap_free(&p->kept_for_consumers);
    *volume = finish_plan(p);
    *roots_out = roots;
}

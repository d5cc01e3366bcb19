/* The volume scheme: every artifact hand-off goes through one shared volume,
 * and the consumer reads the producer's bytes at its own original path.
 *
 * A producer's output file /dir/name is written into a directory of the
 * volume mounted on /dir, at subPath PREFIX{{workflow.uid}}/{{pod.name}}/KEY;
 * an output parameter carries that subPath plus "/name". The consumer mounts
 * exactly that file (or directory) of the volume, read-only, at its own path,
 * so file names need not match. Kubernetes mounts a subPath that is a file
 * as a file.
 *
 * First every template is planned (which artifacts convert, where mounts go,
 * which parameter names are free) and every call checked, refusing what
 * cannot be done safely; then the documents are edited. Input artifacts are
 * converted when they have no source of their own and are not optional: a
 * convention that does not depend on callers, so documents converted apart
 * (a WorkflowTemplate and the Workflow that calls it) still fit together.
 * A call that needs another form (a reference for an input that has a
 * source, a constant for one that has not) gets a twin of the template. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "calltree.h"
#include "error.h"
#include "paths.h"
#include "refs.h"
#include "scheme.h"

#define SUBPATH_SUFFIX "-subpath"
#define MAX_TWINS 8

typedef struct art_plan {
    const artifact *a;
    const char *param;      /* parameter carrying its location on the volume */
    const char *global;     /* outputs with globalName: the parameter's globalName */
    const char *path;       /* normalised artifact path */
    const char *mount_dir;  /* outputs: the directory mounted from the volume */
    const char *file;       /* outputs: name under mount_dir; "" when the artifact is the directory */
    size_t mount;           /* outputs: which of the template's output mounts */
    bool convert;           /* outputs: passed through the volume; inputs: in the default form */
    bool keep;              /* outputs: the artifact stays declared (own destination, --keep-artifact) */
    const char *why_kept;
} art_plan;

typedef struct out_mount {
    const char *dir;
    const char *key; /* the last part of its subPath */
} out_mount;

typedef struct twin {
    bool *mask; /* per input: converted */
    const char *name;
    const workflow *home; /* the document it is added to */
} twin;

typedef struct tplan tplan;

typedef struct caller {
    tplan *scope; /* the graph template (or the workflow's start) that makes the call */
    const call_site *c;
} caller;

struct tplan {
    template *t;
    const workflow *wf;
    art_plan *in, *out;
    out_mount *mounts;
    size_t nmounts;
    twin twins[MAX_TWINS];
    size_t ntwins;
    int graph_outputs_state; /* 0 not computed, 1 computing, 2 done */
    int graph_inputs_state;  /* likewise */
    caller *callers;         /* every call of this template in the stream */
    size_t ncallers, callers_cap;
};

typedef struct call_plan {
    const call_site *c;
    tplan *target;        /* NULL when the target is outside the stream */
    const char *twin;     /* call this twin instead, or NULL */
    const workflow *twin_home;
    const bool *mask;     /* the form it calls (default mask or a twin's) */
} call_plan;

typedef struct vplan {
    const scheme_ctx *ctx;
    call_tree *tree;
    strmap plans;       /* template pointer bytes -> tplan */
    strmap globals;     /* artifact globalName -> parameter globalName */
    arena *mem;         /* the stream's arena: names end up in the documents */
    vp_error *err;
    bool oom;
} vplan;

/* ---- helpers ------------------------------------------------------------ */

static const char *VP_PRINTF(2, 3) fmt(vplan *p, const char *f, ...)
{
    va_list ap;
    va_start(ap, f);
    int n = vsnprintf(NULL, 0, f, ap);
    va_end(ap);
    char *s = n >= 0 ? arena_alloc(p->mem, (size_t)n + 1) : NULL;
    if (!s) {
        p->oom = true;
        return "";
    }
    va_start(ap, f);
    vsnprintf(s, (size_t)n + 1, f, ap);
    va_end(ap);
    return s;
}

static void VP_PRINTF(4, 5) refuse(vplan *p, vp_status status, const node *at, const char *f, ...)
{
    if (p->err)
        return;
    va_list ap;
    va_start(ap, f);
    p->err = error_newv(status, p->ctx->file, at ? at->line : 0, at ? at->column : 0, f, ap);
    va_end(ap);
}

static void decide(vplan *p, const template *t, const artifact *a, const char *role,
                   const char *action, const char *detail)
{
    if (!p->ctx->on_decision)
        return;
    const node *at = a ? a->node : t->node;
    vp_decision d = {t->name, a ? a->name : NULL, role, action, detail, at ? at->line : 0,
                     at ? at->column : 0};
    p->ctx->on_decision(&d, p->ctx->decision_ctx);
}

static void warn(vplan *p, const node *at, const char *msg)
{
    if (!p->ctx->on_warning)
        return;
    vp_error *w = error_new(VP_OK, p->ctx->file, at ? at->line : 0, at ? at->column : 0, "%s", msg);
    p->ctx->on_warning(w, p->ctx->warning_ctx);
    vp_error_free(w);
}

static bool is_graph(const template *t)
{
    return t->kind == TEMPLATE_DAG || t->kind == TEMPLATE_STEPS;
}

static bool runs_pod(const template *t)
{
    return t->kind == TEMPLATE_CONTAINER || t->kind == TEMPLATE_SCRIPT ||
           t->kind == TEMPLATE_CONTAINER_SET;
}

static tplan *plan_of(const vplan *p, const template *t)
{
    return t ? strmap_get(&p->plans, (const char *)&t, sizeof t) : NULL;
}

static const node *find_param(const node *list, const char *name)
{
    for (size_t i = 0; list && i < list->len; i++)
        if (scalar_is(map_get(list->as.items[i], "name"), name))
            return list->as.items[i];
    return NULL;
}

static size_t artifact_index(const artifact_list *l, span name)
{
    for (size_t i = 0; i < l->count; i++)
        if (span_is(name, l->items[i].name))
            return i;
    return (size_t)-1;
}

static bool kept_by_option(const scheme_ctx *ctx, const char *name)
{
    for (size_t i = 0; i < ctx->keep_count; i++)
        if (strcmp(ctx->keep[i], name) == 0)
            return true;
    return false;
}

/* NAME-subpath, or NAME-subpath-2, -3, ...: the first not already a parameter
 * of `list` nor taken by an earlier artifact of the same plan. */
static const char *free_name(vplan *p, const node *list, const art_plan *taken, size_t ntaken,
                             const char *base, const char *suffix)
{
    for (int n = 1;; n++) {
        const char *name = n == 1 ? fmt(p, "%s%s", base, suffix) : fmt(p, "%s%s-%d", base, suffix, n);
        bool used = find_param(list, name) != NULL;
        for (size_t i = 0; i < ntaken && !used; i++)
            used = taken[i].param && strcmp(taken[i].param, name) == 0;
        if (!used || p->oom)
            return name;
    }
}

static char *normalized(vplan *p, const char *path)
{
    char *c = (char *)fmt(p, "%s", path);
    path_normalize(c);
    return c;
}

/* ---- planning one template --------------------------------------------- */

static const node *container_mounts(const template *t, int which)
{
    if (which == 0)
        return map_get(t->container, "volumeMounts");
    return t->kind == TEMPLATE_CONTAINER_SET ? map_get(map_get(t->node, "containerSet"), "volumeMounts") : NULL;
}

/* The user's own mount on exactly `dir`, or the read-only one covering it. */
static const node *user_mount_conflict(const template *t, const char *dir, bool *exact)
{
    for (int w = 0; w < 2; w++) {
        const node *mounts = container_mounts(t, w);
        for (size_t i = 0; mounts && mounts->kind == NODE_SEQUENCE && i < mounts->len; i++) {
            const node *m = mounts->as.items[i];
            const node *mp = map_get(m, "mountPath");
            if (!mp || mp->kind != NODE_SCALAR)
                continue;
            *exact = path_equal(mp->as.text, dir);
            if (*exact || (path_covers(mp->as.text, dir) && scalar_is(map_get(m, "readOnly"), "true")))
                return m;
        }
    }
    return NULL;
}

/* An output that cannot go through the volume stays a real artifact: it
 * then needs an artifact repository, which is worth a warning. */
static void keep_output(vplan *p, const template *t, art_plan *o, const char *why)
{
    o->keep = true;
    o->why_kept = why;
    decide(p, t, o->a, "output", "kept", fmt(p, "left as a real artifact: %s", why));
    if (!o->a->source) /* one with its own destination needs no artifact repository */
        warn(p, o->a->node, fmt(p, "template '%s': output artifact '%s' stays a real artifact (it needs "
                                   "an artifact repository): %s", t->name, o->a->name, why));
}

static void plan_output(vplan *p, tplan *tp, size_t k)
{
    const template *t = tp->t;
    art_plan *o = &tp->out[k];
    const artifact *a = o->a;
    if (a->source)
        o->keep = true, o->why_kept = fmt(p, "it has its own destination (%s)", a->source);
    if (kept_by_option(p->ctx, a->name)) {
        o->keep = true;
        o->why_kept = "--keep-artifact names it";
        decide(p, t, a, "output", "kept", "left as a real artifact: --keep-artifact names it");
        return;
    }
    if (!a->path) {
        refuse(p, VP_EINVALID, a->node, "template '%s': output artifact '%s' has no path", t->name, a->name);
        return;
    }
    const char *raw = a->path->as.text;
    bool is_dir = raw[0] && raw[strlen(raw) - 1] == '/';
    o->path = normalized(p, raw);
    if (o->path[0] != '/' || strstr(o->path, "{{")) {
        keep_output(p, t, o, fmt(p, "its path %s is not a fixed absolute path", raw));
        return;
    }
    if (is_dir) {
        o->mount_dir = o->path;
        o->file = "";
    } else {
        const char *slash = strrchr(o->path, '/');
        o->mount_dir = slash == o->path ? "/" : fmt(p, "%.*s", (int)(slash - o->path), o->path);
        o->file = slash + 1;
    }
    if (path_is_root(o->mount_dir)) {
        keep_output(p, t, o, "its directory is /, which cannot be mounted (write it into a directory such as /tmp)");
        return;
    }
    bool exact;
    if (user_mount_conflict(t, o->mount_dir, &exact)) {
        keep_output(p, t, o, fmt(p, "the container %s %s, so the file cannot be put on the shared volume",
                                 exact ? "already mounts a volume on" : "has a read-only mount over",
                                 o->mount_dir));
        return;
    }
    size_t i = 0;
    while (i < tp->nmounts && strcmp(tp->mounts[i].dir, o->mount_dir) != 0)
        i++;
    if (i == tp->nmounts)
        tp->mounts[tp->nmounts++] = (out_mount){o->mount_dir, a->name};
    o->mount = i;
    o->convert = true;
    o->param = free_name(p, t->output_parameters, tp->out, k, a->name, SUBPATH_SUFFIX);
    decide(p, t, a, "output", "converted",
           fmt(p, "written to the volume: %s is mounted from it; parameter '%s' carries the location%s",
               o->mount_dir, o->param, o->keep ? " (and the artifact is still uploaded to its own destination)" : ""));
}

/* Inputs convert by default when nothing but a caller can supply them. */
static void plan_input(vplan *p, tplan *tp, size_t k)
{
    const template *t = tp->t;
    art_plan *in = &tp->in[k];
    const artifact *a = in->a;
    in->convert = !a->source && !a->optional;
    in->param = free_name(p, t->input_parameters, tp->in, k, a->name, SUBPATH_SUFFIX);
    if (!runs_pod(t))
        return;
    if (!a->path) {
        refuse(p, VP_EINVALID, a->node, "template '%s': input artifact '%s' has no path", t->name, a->name);
        return;
    }
    in->path = normalized(p, a->path->as.text);
    if (!in->convert)
        decide(p, t, a, "input", "kept",
               fmt(p, "left as a real artifact by default: it %s (a caller passing a volume location gets a twin)",
                   a->source ? fmt(p, "has its own source (%s)", a->source) : "is optional"));
    else
        decide(p, t, a, "input", "converted",
               fmt(p, "mounted read-only at %s from the location parameter '%s' carries", in->path, in->param));
    if (path_is_root(in->path) || in->path[0] != '/') {
        refuse(p, VP_EUNSUPPORTED, a->node,
               "template '%s': input artifact '%s' at %s cannot be mounted (it must be an absolute path below /)",
               t->name, a->name, a->path->as.text);
        return;
    }
    bool exact;
    const node *m = user_mount_conflict(t, in->path, &exact);
    if (m && exact) {
        refuse(p, VP_EUNSUPPORTED, a->node,
               "template '%s': input artifact '%s' at %s cannot be mounted: the container already mounts a volume there",
               t->name, a->name, in->path);
        return;
    }
    for (size_t j = 0; j < t->outputs.count; j++) {
        const art_plan *o = &tp->out[j];
        if (o->convert && (path_covers(in->path, o->mount_dir) || path_equal(in->path, o->path))) {
            refuse(p, VP_EUNSUPPORTED, a->node,
                   "template '%s': input artifact '%s' at %s would be mounted read-only over output "
                   "artifact '%s' at %s",
                   t->name, a->name, in->path, o->a->name, o->a->path->as.text);
            return;
        }
    }
    for (size_t j = 0; j < k; j++)
        if (tp->in[j].path && path_equal(tp->in[j].path, in->path)) {
            refuse(p, VP_EINVALID, a->node, "template '%s': input artifacts '%s' and '%s' share the path %s",
                   t->name, tp->in[j].a->name, a->name, in->path);
            return;
        }
}

static tplan *plan_template(vplan *p, template *t, const workflow *wf)
{
    tplan *tp = arena_alloc(p->mem, sizeof *tp);
    if (!tp) {
        p->oom = true;
        return NULL;
    }
    memset(tp, 0, sizeof *tp);
    tp->t = t;
    tp->wf = wf;
    tp->in = arena_alloc(p->mem, (t->inputs.count + 1) * sizeof(art_plan));
    tp->out = arena_alloc(p->mem, (t->outputs.count + 1) * sizeof(art_plan));
    tp->mounts = arena_alloc(p->mem, (t->outputs.count + 1) * sizeof(out_mount));
    template **key = arena_alloc(p->mem, sizeof *key);
    if (!tp->in || !tp->out || !tp->mounts || !key) {
        p->oom = true;
        return NULL;
    }
    *key = t;
    memset(tp->in, 0, (t->inputs.count + 1) * sizeof(art_plan));
    memset(tp->out, 0, (t->outputs.count + 1) * sizeof(art_plan));
    for (size_t k = 0; k < t->outputs.count; k++)
        tp->out[k].a = &t->outputs.items[k];
    for (size_t k = 0; k < t->inputs.count; k++)
        tp->in[k].a = &t->inputs.items[k];
    if (runs_pod(t))
        for (size_t k = 0; k < t->outputs.count && !p->err; k++)
            plan_output(p, tp, k);
    for (size_t k = 0; k < t->inputs.count && !p->err; k++)
        plan_input(p, tp, k);
    if (strmap_put(&p->plans, (const char *)key, sizeof *key, tp) != 0)
        p->oom = true;
    return tp;
}

/* ---- following references ---------------------------------------------- */

typedef enum backing { BACK_VOLUME, BACK_ARTIFACT, BACK_UNKNOWN } backing;

static backing graph_output_backing(vplan *p, tplan *tp, size_t k);
static void graph_inputs(vplan *p, tplan *tp);

/* The call of graph template g named `name` (a task or step). */
static const call_site *call_named(const template *g, span name)
{
    for (size_t i = 0; i < g->ncalls; i++)
        if ((g->calls[i].kind == CALL_TASK || g->calls[i].kind == CALL_STEP) && span_is(name, g->calls[i].name))
            return &g->calls[i];
    return NULL;
}

static tplan *target_plan(vplan *p, const tplan *scope, const call_site *c)
{
    const workflow *in;
    return plan_of(p, call_tree_target(p->tree, scope->wf, c, &in));
}

/* Whether reference `r`, made in graph template `scope`, names data on the
 * volume after the rewrite or a real artifact; and its parameter name. */
static backing ref_backing(vplan *p, tplan *scope, ref r, const char **param, const node *at)
{
    *param = NULL;
    if (r.kind == REF_INPUT && r.artifact) {
        if (is_graph(scope->t))
            graph_inputs(p, scope);
        size_t k = artifact_index(&scope->t->inputs, r.name);
        if (k == (size_t)-1)
            return BACK_UNKNOWN;
        *param = scope->in[k].param;
        return scope->in[k].convert ? BACK_VOLUME : BACK_ARTIFACT;
    }
    if (r.kind == REF_WORKFLOW_OUTPUT && r.artifact) {
        const char *g = fmt(p, "%.*s", (int)r.name.len, r.name.s);
        *param = strmap_get(&p->globals, g, strlen(g));
        return *param ? BACK_VOLUME : BACK_ARTIFACT;
    }
    if (r.kind != REF_OUTPUT || !r.artifact)
        return BACK_UNKNOWN;
    const call_site *c = call_named(scope->t, r.step);
    if (!c)
        return BACK_UNKNOWN;
    if (c->looped) {
        refuse(p, VP_EUNSUPPORTED, at,
               "template '%s': '%.*s' runs in a loop (withItems, withParam or withSequence), and Argo "
               "does not aggregate artifacts: its output artifact '%.*s' cannot be passed on",
               scope->t->name, (int)r.step.len, r.step.s, (int)r.name.len, r.name.s);
        return BACK_UNKNOWN;
    }
    tplan *x = target_plan(p, scope, c);
    if (!x) { /* a template outside the stream: volpass's convention */
        *param = fmt(p, "%.*s" SUBPATH_SUFFIX, (int)r.name.len, r.name.s);
        return BACK_VOLUME;
    }
    size_t k = artifact_index(&x->t->outputs, r.name);
    if (k == (size_t)-1)
        return BACK_UNKNOWN;
    *param = x->out[k].param;
    if (is_graph(x->t))
        return graph_output_backing(p, x, k);
    return x->out[k].convert ? BACK_VOLUME : BACK_ARTIFACT;
}

/* All references of an expression must agree: a volume location or an artifact. */
static backing expression_backing(vplan *p, tplan *scope, const char *expr, const node *at)
{
    span alts[16];
    size_t n = expr_alternatives((span){expr, strlen(expr)}, alts, 16);
    backing b = BACK_UNKNOWN;
    for (size_t i = 0; i < n; i++) {
        const char *param;
        backing one = ref_backing(p, scope, ref_parse(alts[i]), &param, at);
        if (one == BACK_UNKNOWN)
            continue;
        if (b != BACK_UNKNOWN && one != b) {
            refuse(p, VP_EUNSUPPORTED, at,
                   "template '%s': the branches of '%s' mix artifacts that go through the volume and "
                   "artifacts that stay real artifacts", scope->t->name, expr);
            return BACK_UNKNOWN;
        }
        b = one;
    }
    return b;
}

static backing from_backing(vplan *p, tplan *scope, const artifact *a)
{
    const char *param;
    if (a->from) {
        size_t pos = 0, len = a->from->len;
        tag g;
        if (!tag_next(a->from->as.text, len, &pos, &g))
            return BACK_UNKNOWN;
        return g.expression ? expression_backing(p, scope, fmt(p, "%.*s", (int)g.expr.len, g.expr.s), a->node)
                            : ref_backing(p, scope, ref_parse(g.expr), &param, a->node);
    }
    if (a->from_expression)
        return expression_backing(p, scope, a->from_expression->as.text, a->node);
    return BACK_ARTIFACT; /* a constant with its own source */
}

static backing graph_output_backing(vplan *p, tplan *tp, size_t k)
{
    art_plan *o = &tp->out[k];
    if (tp->graph_outputs_state == 1) /* recursion: assume the volume, checked when it unwinds */
        return BACK_VOLUME;
    if (tp->graph_outputs_state == 0) {
        tp->graph_outputs_state = 1;
        for (size_t i = 0; i < tp->t->outputs.count; i++) {
            art_plan *oi = &tp->out[i];
            oi->convert = from_backing(p, tp, oi->a) != BACK_ARTIFACT;
            oi->param = free_name(p, tp->t->output_parameters, tp->out, i, oi->a->name, SUBPATH_SUFFIX);
        }
        tp->graph_outputs_state = 2;
    }
    return o->convert ? BACK_VOLUME : BACK_ARTIFACT;
}

/* A dag or steps template's input artifacts go through the volume when its
 * callers pass volume locations, and stay artifacts when they pass real
 * artifacts; callers that disagree are refused (only pod templates get
 * twins). Without callers in the stream, the default stands. */
static void graph_inputs(vplan *p, tplan *tp)
{
    if (tp->graph_inputs_state)
        return; /* done, or being done further up a recursion: the current form stands */
    tp->graph_inputs_state = 1;
    const template *t = tp->t;
    for (size_t k = 0; k < t->inputs.count && !p->err; k++) {
        size_t volume = 0, artifacts = 0;
        const node *at = NULL;
        for (size_t i = 0; i < tp->ncallers; i++) {
            const call_site *c = tp->callers[i].c;
            size_t a = artifact_index(&c->arguments, (span){t->inputs.items[k].name, strlen(t->inputs.items[k].name)});
            backing b = a == (size_t)-1 ? BACK_ARTIFACT : from_backing(p, tp->callers[i].scope, &c->arguments.items[a]);
            volume += b == BACK_VOLUME;
            artifacts += b == BACK_ARTIFACT;
            at = c->node;
        }
        if (volume && artifacts)
            refuse(p, VP_EUNSUPPORTED, at,
                   "template '%s': input artifact '%s' gets a volume location from some callers and a "
                   "real artifact from others; volpass makes twins of container and script templates only",
                   t->name, t->inputs.items[k].name);
        else if (volume || artifacts)
            tp->in[k].convert = volume > 0;
        decide(p, t, &t->inputs.items[k], "input", tp->in[k].convert ? "converted" : "kept",
               tp->in[k].convert ? fmt(p, "passed on as parameter '%s'", tp->in[k].param)
                                 : "its callers pass a real artifact");
    }
    tp->graph_inputs_state = 2;
}

static void add_caller(vplan *p, tplan *target, tplan *scope, const call_site *c)
{
    if (target->ncallers == target->callers_cap) {
        size_t cap = target->callers_cap ? target->callers_cap * 2 : 4;
        caller *bigger = arena_alloc(p->mem, cap * sizeof *bigger);
        if (!bigger) {
            p->oom = true;
            return;
        }
        if (target->ncallers)
            memcpy(bigger, target->callers, target->ncallers * sizeof *bigger);
        target->callers = bigger;
        target->callers_cap = cap;
    }
    target->callers[target->ncallers++] = (caller){scope, c};
}

static void index_calls(vplan *p, tplan *scope)
{
    for (size_t c = 0; c < scope->t->ncalls; c++) {
        tplan *target = target_plan(p, scope, &scope->t->calls[c]);
        if (target)
            add_caller(p, target, scope, &scope->t->calls[c]);
    }
}

/* ---- calls and twins ---------------------------------------------------- */

static bool same_mask(const bool *a, const bool *b, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (a[i] != b[i])
            return false;
    return true;
}

static bool name_taken(const vplan *p, const workflow *wf, const char *name)
{
    if (workflow_template(wf, name))
        return true;
    strmap *plans = (strmap *)&p->plans;
    for (size_t i = 0; i < plans->cap; i++) {
        const tplan *tp = plans->slots[i].key ? plans->slots[i].value : NULL;
        for (size_t k = 0; tp && k < tp->ntwins; k++)
            if (tp->twins[k].home == wf && strcmp(tp->twins[k].name, name) == 0)
                return true;
    }
    return false;
}

static const twin *twin_for(vplan *p, tplan *target, const bool *mask, const workflow *home, const node *at)
{
    for (size_t i = 0; i < target->ntwins; i++)
        if (target->twins[i].home == home && same_mask(target->twins[i].mask, mask, target->t->inputs.count))
            return &target->twins[i];
    if (is_graph(target->t)) {
        refuse(p, VP_EUNSUPPORTED, at,
               "template '%s' is called with constant artifacts where it expects the volume, or the "
               "other way round; volpass makes twins of container and script templates only",
               target->t->name);
        return NULL;
    }
    if (target->ntwins == MAX_TWINS) {
        refuse(p, VP_EUNSUPPORTED, at, "template '%s' would need more than %d twins", target->t->name, MAX_TWINS);
        return NULL;
    }
    twin *tw = &target->twins[target->ntwins];
    tw->mask = arena_alloc(p->mem, target->t->inputs.count + 1);
    if (!tw->mask) {
        p->oom = true;
        return NULL;
    }
    memcpy(tw->mask, mask, target->t->inputs.count);
    tw->home = home;
    /* "-constant" when it takes a real artifact where the template takes the volume, else "-volume". */
    const char *kind = "volume";
    for (size_t k = 0; k < target->t->inputs.count; k++)
        if (target->in[k].convert && !mask[k])
            kind = "constant";
    for (int n = 1;; n++) {
        tw->name = n == 1 ? fmt(p, "%s-%s", target->t->name, kind) : fmt(p, "%s-%s-%d", target->t->name, kind, n);
        if (!name_taken(p, home, tw->name) || p->oom)
            break;
    }
    target->ntwins++;
    decide(p, target->t, NULL, "template", "twin",
           fmt(p, "twin '%s' created: some calls pass its inputs differently (constants and volume locations)", tw->name));
    return tw;
}

/* Plans one call: which form of the target it needs, given how each input
 * artifact is passed (through the volume, or as a real artifact). */
static void plan_call(vplan *p, tplan *scope, const call_site *c, call_plan *cp)
{
    memset(cp, 0, sizeof *cp);
    cp->c = c;
    const workflow *in = NULL;
    template *t = call_tree_target(p->tree, scope->wf, c, &in);
    cp->target = plan_of(p, t);
    for (size_t i = 0; i < c->arguments.count && !p->err; i++)
        (void)from_backing(p, scope, &c->arguments.items[i]);
    if (!cp->target) {
        for (size_t i = 0; i < c->arguments.count && !p->err; i++)
            if (!c->arguments.items[i].from && !c->arguments.items[i].from_expression)
                refuse(p, VP_EUNSUPPORTED, c->arguments.items[i].node,
                       "template '%s', %s: artifact argument '%s' is a constant for a template outside "
                       "the input; convert the documents together", scope->t->name, c->name,
                       c->arguments.items[i].name);
        return;
    }
    const template *tt = cp->target->t;
    if (is_graph(tt))
        graph_inputs(p, cp->target);
    bool *needed = arena_alloc(p->mem, tt->inputs.count + 1);
    bool *defaults = arena_alloc(p->mem, tt->inputs.count + 1);
    if (!needed || !defaults) {
        p->oom = true;
        return;
    }
    for (size_t k = 0; k < tt->inputs.count; k++) {
        defaults[k] = cp->target->in[k].convert;
        size_t a = artifact_index(&c->arguments, (span){tt->inputs.items[k].name, strlen(tt->inputs.items[k].name)});
        needed[k] = a != (size_t)-1 && from_backing(p, scope, &c->arguments.items[a]) == BACK_VOLUME;
        if (a == (size_t)-1 && defaults[k] && !p->err)
            needed[k] = true; /* nothing passed: Argo refuses it anyway; keep the default form */
    }
    cp->mask = defaults;
    if (p->err || same_mask(needed, defaults, tt->inputs.count))
        return;
    const twin *tw = twin_for(p, cp->target, needed, scope->wf, c->node);
    if (tw) {
        cp->twin = tw->name;
        cp->twin_home = tw->home;
        cp->mask = tw->mask;
    }
}

/* ---- applying: node building ------------------------------------------ */

typedef struct editor {
    vplan *p;
    const char *volume;
    const char *prefix;
} editor;

static node *str(editor *e, const char *s)
{
    node *n = node_string(e->p->mem, s);
    e->p->oom |= !n;
    return n;
}

static node *new_map(editor *e)
{
    node *n = node_collection(e->p->mem, NODE_MAPPING, STYLE_ANY);
    e->p->oom |= !n;
    return n;
}

static void put(editor *e, node *map, const char *key, node *value)
{
    if (!map || !value || map_push(e->p->mem, map, str(e, key), value) != 0)
        e->p->oom = true;
}

/* A flow collection that volpass adds to is written in block style: long
 * added mounts read better on lines of their own. */
static node *unflow(node *n)
{
    if (n && n->style == STYLE_FLOW)
        n->style = STYLE_BLOCK;
    return n;
}

static void push(editor *e, node *seq, node *item)
{
    if (!unflow(seq) || !item || seq_push(e->p->mem, seq, item) != 0)
        e->p->oom = true;
}

/* map[key] as a list, created at the end when absent or null. */
static node *list_field(editor *e, node *map, const char *key)
{
    node *v = map_get(map, key);
    if (v && v->kind == NODE_SEQUENCE)
        return v;
    node *seq = node_collection(e->p->mem, NODE_SEQUENCE, STYLE_ANY);
    if (!unflow(map) || !seq || map_set(e->p->mem, map, key, seq) != 0)
        e->p->oom = true;
    return seq;
}

/* map[key] as a mapping, created when absent. */
static node *map_field(editor *e, node *map, const char *key)
{
    node *v = map_get(map, key);
    if (v && v->kind == NODE_MAPPING)
        return v;
    node *m = new_map(e);
    if (!unflow(map) || map_set(e->p->mem, map, key, m) != 0)
        e->p->oom = true;
    return m;
}

/* Removes the artifact named `name` from owner.artifacts; drops the emptied
 * list and then the emptied owner key of `parent`. */
static void remove_artifact(node *parent, const char *owner_key, const char *name)
{
    node *owner = map_get(parent, owner_key);
    node *list = map_get(owner, "artifacts");
    for (size_t i = 0; list && list->kind == NODE_SEQUENCE && i < list->len; i++)
        if (scalar_is(map_get(list->as.items[i], "name"), name)) {
            memmove(&list->as.items[i], &list->as.items[i + 1], (list->len - i - 1) * sizeof(node *));
            list->len--;
            break;
        }
    if (list && list->kind == NODE_SEQUENCE && list->len == 0)
        map_remove(owner, "artifacts");
    if (owner && owner->kind == NODE_MAPPING && owner->len == 0)
        map_remove(parent, owner_key);
}

/* ---- applying: references in text --------------------------------------- */

/* Rewrites artifact references of text written in template `scope` into the
 * parameters that replace them; placeholders {{inputs.artifacts.X.path}} of
 * converted artifacts become the literal path. Returns NULL when nothing changes. */
typedef struct text_buf {
    char *s;
    size_t len, cap;
} text_buf;

static void tb_put(vplan *p, text_buf *b, const char *s, size_t n)
{
    if (b->len + n + 1 > b->cap) {
        size_t cap = (b->len + n + 1) * 2;
        char *bigger = realloc(b->s, cap);
        if (!bigger) {
            p->oom = true;
            return;
        }
        b->s = bigger;
        b->cap = cap;
    }
    memcpy(b->s + b->len, s, n);
    b->len += n;
    b->s[b->len] = '\0';
}

static const char *placeholder_path(const tplan *scope, const bool *mask, ref r)
{
    if (!mask || !span_is(r.rest, ".path"))
        return NULL;
    if (r.kind == REF_INPUT) {
        size_t k = artifact_index(&scope->t->inputs, r.name);
        return k != (size_t)-1 && mask[k] && scope->t->inputs.items[k].path ? scope->t->inputs.items[k].path->as.text : NULL;
    }
    return NULL;
}

static const char *output_placeholder(const tplan *scope, span e)
{
    /* outputs.artifacts.X.path */
    static const char head[] = "outputs.artifacts.";
    if (e.len <= sizeof head || memcmp(e.s, head, sizeof head - 1) != 0 || e.len < 5 ||
        memcmp(e.s + e.len - 5, ".path", 5) != 0)
        return NULL;
    span name = {e.s + sizeof head - 1, e.len - (sizeof head - 1) - 5};
    size_t k = artifact_index(&scope->t->outputs, name);
    return k != (size_t)-1 && scope->out[k].convert && !scope->out[k].keep ? scope->t->outputs.items[k].path->as.text : NULL;
}

/* In an expression, artifact references become parameter references in
 * bracket form (names hold '-'): outputs.artifacts.x -> outputs.parameters['x-subpath']. */
static void rewrite_expression(editor *e, tplan *scope, span expr, text_buf *out)
{
    vplan *p = e->p;
    span alts[16];
    size_t n = expr_alternatives(expr, alts, 16);
    size_t last = 0;
    for (size_t i = 0; i < n; i++) {
        ref r = ref_parse(alts[i]);
        const char *param;
        if (!r.artifact || ref_backing(p, scope, r, &param, NULL) != BACK_VOLUME || !param)
            continue;
        size_t start = (size_t)(alts[i].s - expr.s);
        tb_put(p, out, expr.s + last, start - last);
        if (r.kind == REF_OUTPUT) {
            tb_put(p, out, r.steps ? "steps['" : "tasks['", 7);
            tb_put(p, out, r.step.s, r.step.len);
            tb_put(p, out, "'].outputs.parameters['", 23);
        } else if (r.kind == REF_INPUT) {
            tb_put(p, out, "inputs.parameters['", 19);
        } else {
            tb_put(p, out, "workflow.outputs.parameters['", 29);
        }
        tb_put(p, out, param, strlen(param));
        tb_put(p, out, "']", 2);
        last = start + alts[i].len;
    }
    tb_put(p, out, expr.s + last, expr.len - last);
}

static char *rewrite_text(editor *e, tplan *scope, const bool *mask, const char *text)
{
    vplan *p = e->p;
    size_t len = strlen(text), pos = 0, last = 0;
    text_buf b = {NULL, 0, 0};
    bool changed = false;
    tag g;
    while (tag_next(text, len, &pos, &g)) {
        tb_put(p, &b, text + last, g.start - last);
        last = g.end;
        if (g.expression) {
            text_buf inner = {NULL, 0, 0};
            rewrite_expression(e, scope, g.expr, &inner);
            changed |= inner.s && (inner.len != g.expr.len || memcmp(inner.s, g.expr.s, g.expr.len) != 0);
            tb_put(p, &b, "{{=", 3);
            tb_put(p, &b, inner.s ? inner.s : "", inner.len);
            tb_put(p, &b, "}}", 2);
            free(inner.s);
            continue;
        }
        ref r = ref_parse(g.expr);
        const char *literal = placeholder_path(scope, mask, r);
        if (!literal)
            literal = output_placeholder(scope, g.expr);
        const char *param = NULL;
        if (literal) {
            tb_put(p, &b, literal, strlen(literal));
            changed = true;
        } else if (r.artifact && r.rest.len == 0 && !runs_pod(scope->t) && /* dags, steps, the workflow's hooks */
                   ref_backing(p, scope, r, &param, NULL) == BACK_VOLUME && param) {
            const char *head = r.kind == REF_OUTPUT ? fmt(p, "{{%s.%.*s.outputs.parameters.", r.steps ? "steps" : "tasks", (int)r.step.len, r.step.s)
                             : r.kind == REF_INPUT ? "{{inputs.parameters."
                                                   : "{{workflow.outputs.parameters.";
            tb_put(p, &b, head, strlen(head));
            tb_put(p, &b, param, strlen(param));
            tb_put(p, &b, "}}", 2);
            changed = true;
        } else {
            tb_put(p, &b, text + g.start, g.end - g.start);
        }
    }
    tb_put(p, &b, text + last, len - last);
    if (!changed) {
        free(b.s);
        return NULL;
    }
    char *result = (char *)fmt(p, "%s", b.s ? b.s : "");
    free(b.s);
    return result;
}

/* Rewrites every scalar of a template's subtree (leaving inline templates,
 * which are planned on their own). Expression-valued fields (fromExpression,
 * valueFrom.expression) hold bare expressions. */
static void rewrite_tree(editor *e, tplan *scope, const bool *mask, node *n, bool expression)
{
    if (n->kind == NODE_SCALAR) {
        char *text;
        if (expression) {
            text_buf b = {NULL, 0, 0};
            rewrite_expression(e, scope, (span){n->as.text, n->len}, &b);
            text = b.s && strcmp(b.s, n->as.text) != 0 ? (char *)fmt(e->p, "%s", b.s) : NULL;
            free(b.s);
        } else {
            text = rewrite_text(e, scope, mask, n->as.text);
        }
        if (text) {
            n->as.text = text;
            n->len = (uint32_t)strlen(text);
            if (n->style == STYLE_PLAIN)
                n->style = STYLE_ANY;
        }
        return;
    }
    size_t slots = n->kind == NODE_MAPPING ? 2 * (size_t)n->len : n->len;
    for (size_t i = 0; i < slots; i++) {
        if (n->kind == NODE_MAPPING && i % 2 == 0)
            continue; /* keys */
        const node *key = n->kind == NODE_MAPPING ? n->as.items[i - 1] : NULL;
        if (key && scalar_is(key, "inline"))
            continue;
        bool expr = key && (scalar_is(key, "fromExpression") || scalar_is(key, "expression"));
        rewrite_tree(e, scope, mask, n->as.items[i], expr);
    }
}

/* ---- applying: templates ----------------------------------------------- */

static node *main_container(node *tmpl_node, const template *t)
{
    if (t->kind == TEMPLATE_CONTAINER)
        return map_get(tmpl_node, "container");
    if (t->kind == TEMPLATE_SCRIPT)
        return map_get(tmpl_node, "script");
    node *containers = map_get(map_get(tmpl_node, "containerSet"), "containers");
    for (size_t i = 0; containers && i < containers->len; i++)
        if (scalar_is(map_get(containers->as.items[i], "name"), "main"))
            return containers->as.items[i];
    return NULL;
}

static node *mount_node(editor *e, const char *path, node *sub_path, bool read_only)
{
    node *m = new_map(e);
    put(e, m, "name", str(e, e->volume));
    put(e, m, "mountPath", str(e, path));
    put(e, m, "subPath", sub_path);
    if (read_only)
        put(e, m, "readOnly", node_scalar(e->p->mem, "true", 4, STYLE_PLAIN));
    return m;
}

static const char *out_sub_path(editor *e, const tplan *tp, size_t mount)
{
    return fmt(e->p, "%s{{workflow.uid}}/{{pod.name}}/%s", e->prefix, tp->mounts[mount].key);
}

/* A pod template in the form `mask` (which inputs come from the volume). */
static void apply_pod(editor *e, tplan *tp, node *n, const bool *mask)
{
    const template *t = tp->t;
    node *container = main_container(n, t);
    rewrite_tree(e, tp, mask, n, false); /* placeholders first, while the artifacts are declared */
    for (size_t k = 0; k < t->inputs.count; k++) {
        if (!mask[k])
            continue;
        const art_plan *in = &tp->in[k];
        node *param = new_map(e);
        put(e, param, "name", str(e, in->param));
        push(e, list_field(e, map_field(e, n, "inputs"), "parameters"), param);
        push(e, list_field(e, container, "volumeMounts"),
             mount_node(e, in->path, str(e, fmt(e->p, "{{inputs.parameters.%s}}", in->param)), true));
        remove_artifact(n, "inputs", in->a->name);
    }
    for (size_t m = 0; m < tp->nmounts; m++)
        push(e, list_field(e, container, "volumeMounts"),
             mount_node(e, tp->mounts[m].dir, str(e, out_sub_path(e, tp, m)), false));
    for (size_t k = 0; k < t->outputs.count; k++) {
        const art_plan *o = &tp->out[k];
        if (!o->convert)
            continue;
        const char *where = out_sub_path(e, tp, o->mount);
        node *param = new_map(e);
        put(e, param, "name", str(e, o->param));
        put(e, param, "value", str(e, *o->file ? fmt(e->p, "%s/%s", where, o->file) : where));
        if (o->global)
            put(e, param, "globalName", str(e, o->global));
        push(e, list_field(e, map_field(e, n, "outputs"), "parameters"), param);
        if (!o->keep)
            remove_artifact(n, "outputs", o->a->name);
    }
}

static void apply_arguments(editor *e, tplan *scope, const call_plan *cp, node *call_node)
{
    const call_site *c = cp->c;
    node *args = map_get(call_node, "arguments");
    for (size_t i = 0; i < c->arguments.count; i++) {
        const artifact *a = &c->arguments.items[i];
        size_t k = cp->target ? artifact_index(&cp->target->t->inputs, (span){a->name, strlen(a->name)}) : (size_t)-1;
        bool volume = cp->target ? k != (size_t)-1 && cp->mask[k] : (a->from || a->from_expression);
        if (!volume)
            continue;
        const char *param = cp->target ? cp->target->in[k].param : fmt(e->p, "%s" SUBPATH_SUFFIX, a->name);
        const char *value;
        if (a->from) {
            value = rewrite_text(e, scope, NULL, a->from->as.text);
            if (!value)
                value = a->from->as.text;
        } else {
            text_buf b = {NULL, 0, 0};
            rewrite_expression(e, scope, (span){a->from_expression->as.text, a->from_expression->len}, &b);
            value = fmt(e->p, "{{=%s}}", b.s ? b.s : "");
            free(b.s);
        }
        if (a->sub_path)
            value = fmt(e->p, "%s/%s", value, a->sub_path->as.text);
        node *pn = new_map(e);
        put(e, pn, "name", str(e, param));
        put(e, pn, "value", str(e, value));
        push(e, list_field(e, args, "parameters"), pn);
        remove_artifact(call_node, "arguments", a->name);
    }
    if (cp->twin) {
        map_remove(call_node, "templateRef");
        if (map_set(e->p->mem, call_node, "template", str(e, cp->twin)) != 0)
            e->p->oom = true;
    }
}

static void apply_graph(editor *e, tplan *tp, call_plan *calls)
{
    template *t = tp->t;
    node *n = t->node;
    /* Argument artifacts first: their references are read before the rest changes. */
    for (size_t c = 0; c < t->ncalls; c++)
        apply_arguments(e, tp, &calls[c], t->calls[c].node);
    for (size_t k = 0; k < t->outputs.count; k++) {
        art_plan *o = &tp->out[k];
        if (!o->convert)
            continue;
        node *param = new_map(e), *value_from = new_map(e);
        if (o->a->from) {
            const char *v = rewrite_text(e, tp, NULL, o->a->from->as.text);
            put(e, value_from, "parameter", str(e, v ? v : o->a->from->as.text));
        } else {
            text_buf b = {NULL, 0, 0};
            rewrite_expression(e, tp, (span){o->a->from_expression->as.text, o->a->from_expression->len}, &b);
            put(e, value_from, "expression", str(e, b.s ? b.s : ""));
            free(b.s);
        }
        put(e, param, "name", str(e, o->param));
        put(e, param, "valueFrom", value_from);
        if (o->global)
            put(e, param, "globalName", str(e, o->global));
        push(e, list_field(e, map_field(e, n, "outputs"), "parameters"), param);
        remove_artifact(n, "outputs", o->a->name);
    }
    for (size_t k = 0; k < t->inputs.count; k++) {
        if (!tp->in[k].convert)
            continue;
        node *param = new_map(e);
        put(e, param, "name", str(e, tp->in[k].param));
        push(e, list_field(e, map_field(e, n, "inputs"), "parameters"), param);
    }
    rewrite_tree(e, tp, NULL, n, false);
    for (size_t k = 0; k < t->inputs.count; k++)
        if (tp->in[k].convert)
            remove_artifact(n, "inputs", tp->in[k].a->name);
}

/* ---- the whole stream ---------------------------------------------------- */

static void plan_all(vplan *p, template *t, const workflow *wf)
{
    if (!p->err && !plan_of(p, t))
        plan_template(p, t, wf);
    for (size_t c = 0; c < t->ncalls && !p->err; c++)
        if (t->calls[c].inline_template)
            plan_all(p, t->calls[c].inline_template, wf);
}

static void each_template(vplan *p, void (*fn)(vplan *, template *, const workflow *))
{
    for (size_t d = 0; d < p->tree->nwfs && !p->err; d++) {
        workflow *wf = &p->tree->wfs[d];
        for (size_t i = 0; wf->root && i < wf->ntemplates && !p->err; i++)
            fn(p, &wf->templates[i], wf);
    }
}

static void register_globals(vplan *p, template *t, const workflow *wf)
{
    (void)wf;
    tplan *tp = plan_of(p, t);
    for (size_t k = 0; tp && runs_pod(t) && k < t->outputs.count; k++) {
        art_plan *o = &tp->out[k];
        if (!o->convert || !o->a->global_name)
            continue;
        o->global = fmt(p, "%s" SUBPATH_SUFFIX, o->a->global_name->as.text);
        if (strmap_put(&p->globals, o->a->global_name->as.text, o->a->global_name->len, (void *)o->global) != 0)
            p->oom = true;
    }
}

static call_plan *plan_calls(vplan *p, tplan *tp)
{
    call_plan *calls = arena_alloc(p->mem, (tp->t->ncalls + 1) * sizeof *calls);
    if (!calls) {
        p->oom = true;
        return NULL;
    }
    for (size_t c = 0; c < tp->t->ncalls && !p->err; c++)
        plan_call(p, tp, &tp->t->calls[c], &calls[c]);
    return calls;
}

static void finish_graph_outputs(vplan *p, template *t, const workflow *wf)
{
    tplan *tp = plan_of(p, t);
    if (tp && is_graph(t)) {
        graph_inputs(p, tp);
        if (t->outputs.count)
            graph_output_backing(p, tp, 0);
    }
    for (size_t c = 0; c < t->ncalls && !p->err; c++)
        if (t->calls[c].inline_template)
            finish_graph_outputs(p, t->calls[c].inline_template, wf);
}

static void index_template_calls(vplan *p, template *t, const workflow *wf)
{
    tplan *tp = plan_of(p, t);
    if (tp && is_graph(t))
        index_calls(p, tp);
    for (size_t c = 0; c < t->ncalls; c++)
        if (t->calls[c].inline_template)
            index_template_calls(p, t->calls[c].inline_template, wf);
}

/* The volume itself: in spec.volumes, or as a claim in spec.volumeClaimTemplates. */
static void add_volume(editor *e, workflow *wf)
{
    const scheme_ctx *ctx = e->p->ctx;
    /* WorkflowTemplates get it too: they can be submitted on their own. */
    if (!wf->spec)
        return;
    node *entry;
    if (ctx->claim) {
        entry = new_map(e);
        node *meta = new_map(e);
        put(e, meta, "name", str(e, e->volume));
        put(e, entry, "metadata", meta);
        put(e, entry, "spec", node_copy(e->p->mem, ctx->claim));
        push(e, list_field(e, wf->spec, "volumeClaimTemplates"), entry);
        return;
    }
    entry = new_map(e);
    put(e, entry, "name", str(e, e->volume));
    const node *v = ctx->volume;
    for (size_t i = 0; v && i < v->len; i++)
        if (!scalar_is(map_key(v, i), "name"))
            put(e, entry, map_key(v, i)->as.text, node_copy(e->p->mem, map_value(v, i)));
    push(e, list_field(e, wf->spec, "volumes"), entry);
}

static bool volume_name_used(const call_tree *t, const char *name)
{
    for (size_t d = 0; d < t->nwfs; d++) {
        const node *spec = t->wfs[d].spec;
        const node *lists[] = {map_get(spec, "volumes"), map_get(spec, "volumeClaimTemplates")};
        for (size_t l = 0; l < 2; l++)
            for (size_t i = 0; lists[l] && lists[l]->kind == NODE_SEQUENCE && i < lists[l]->len; i++) {
                const node *item = lists[l]->as.items[i];
                if (scalar_is(map_get(item, "name"), name) || scalar_is(map_get(map_get(item, "metadata"), "name"), name))
                    return true;
            }
    }
    return false;
}

static const char *choose_volume_name(vplan *p)
{
    if (p->ctx->volume_name) {
        if (volume_name_used(p->tree, p->ctx->volume_name))
            refuse(p, VP_EUNSUPPORTED, NULL, "--volume-name %s: the workflow already has a volume of that name",
                   p->ctx->volume_name);
        return p->ctx->volume_name;
    }
    for (int n = 1;; n++) {
        const char *name = n == 1 ? "data-storage" : fmt(p, "data-storage-%d", n);
        if (!volume_name_used(p->tree, name) || p->oom)
            return name;
    }
}

static void apply_template(editor *e, tplan *tp, call_plan *calls)
{
    vplan *p = e->p;
    template *t = tp->t;
    if (is_graph(t)) {
        apply_graph(e, tp, calls);
        return;
    }
    if (!runs_pod(t))
        return;
    /* Twins are copies of the template as written, made before it changes. */
    node *copies[MAX_TWINS];
    for (size_t k = 0; k < tp->ntwins; k++) {
        copies[k] = node_copy(p->mem, t->node);
        p->oom |= !copies[k];
    }
    bool *defaults = arena_alloc(p->mem, t->inputs.count + 1);
    if (!defaults || p->oom) {
        p->oom = true;
        return;
    }
    for (size_t k = 0; k < t->inputs.count; k++)
        defaults[k] = tp->in[k].convert;
    apply_pod(e, tp, t->node, defaults);
    for (size_t k = 0; k < tp->ntwins && !p->oom; k++) {
        apply_pod(e, tp, copies[k], tp->twins[k].mask);
        if (map_set(p->mem, copies[k], "name", str(e, tp->twins[k].name)) != 0)
            p->oom = true;
        push(e, list_field(e, tp->twins[k].home->spec, "templates"), copies[k]);
    }
}

static void apply_all(editor *e, template *t, call_plan **calls, size_t *next)
{
    tplan *tp = plan_of(e->p, t);
    if (!tp)
        return;
    apply_template(e, tp, calls[(*next)++]);
    for (size_t c = 0; c < t->ncalls; c++)
        if (t->calls[c].inline_template)
            apply_all(e, t->calls[c].inline_template, calls, next);
}

static size_t count_plans(const template *t)
{
    size_t n = 1;
    for (size_t c = 0; c < t->ncalls; c++)
        if (t->calls[c].inline_template)
            n += count_plans(t->calls[c].inline_template);
    return n;
}

static void collect_calls(vplan *p, template *t, call_plan **calls, size_t *next)
{
    tplan *tp = plan_of(p, t);
    calls[(*next)++] = tp && is_graph(t) ? plan_calls(p, tp) : NULL;
    for (size_t c = 0; c < t->ncalls && !p->err; c++)
        if (t->calls[c].inline_template)
            collect_calls(p, t->calls[c].inline_template, calls, next);
}

/* The calls that start a workflow: spec.arguments to the entrypoint, and
 * the workflow's exit handler and hooks. */
typedef struct stream_calls {
    tplan *scope;         /* a pseudo-template whose calls are the handlers */
    call_plan *handlers;
    call_site entry;      /* spec.arguments, as a call of the entrypoint */
    call_plan entry_plan;
} stream_calls;

static void make_roots(vplan *p, workflow *wf, stream_calls *r)
{
    r->scope = arena_alloc(p->mem, sizeof *r->scope);
    if (!r->scope) {
        p->oom = true;
        return;
    }
    memset(r->scope, 0, sizeof *r->scope);
    r->scope->t = &wf->handlers;
    r->scope->wf = wf;
    index_calls(p, r->scope);
    tplan *entry = plan_of(p, wf->entrypoint ? workflow_template(wf, wf->entrypoint) : NULL);
    if (!entry)
        return;
    r->entry = (call_site){wf->spec, "spec.arguments", CALL_TASK, wf->arguments, wf->parameters,
                           wf->entrypoint, NULL, NULL, false};
    add_caller(p, entry, r->scope, &r->entry);
}

static void plan_roots(vplan *p, stream_calls *r)
{
    r->handlers = plan_calls(p, r->scope);
    if (r->entry.template_name)
        plan_call(p, r->scope, &r->entry, &r->entry_plan);
}

static void apply_roots(editor *e, workflow *wf, const stream_calls *r)
{
    for (size_t c = 0; r->handlers && c < wf->handlers.ncalls; c++)
        apply_arguments(e, r->scope, &r->handlers[c], wf->handlers.calls[c].node);
    if (r->entry_plan.twin && map_set(e->p->mem, wf->spec, "entrypoint", str(e, r->entry_plan.twin)) != 0)
        e->p->oom = true;
}

vp_status scheme_volume(const scheme_ctx *ctx, call_tree *tree, vp_error **err)
{
    vplan p;
    memset(&p, 0, sizeof p);
    p.ctx = ctx;
    p.tree = tree;
    p.mem = ctx->arena;
    strmap_init(&p.plans);
    strmap_init(&p.globals);

    /* Plan: every template; who calls what; then the forms that depend on
     * callers (graph templates' inputs and outputs); then every call. */
    each_template(&p, plan_all);
    each_template(&p, register_globals);
    stream_calls *roots = calloc(tree->nwfs + 1, sizeof *roots);
    if (!roots)
        p.oom = true;
    for (size_t d = 0; d < tree->nwfs && !p.oom; d++)
        if (tree->wfs[d].root)
            make_roots(&p, &tree->wfs[d], &roots[d]);
    each_template(&p, index_template_calls);
    each_template(&p, finish_graph_outputs);
    size_t total = 0;
    for (size_t d = 0; d < tree->nwfs; d++)
        for (size_t i = 0; tree->wfs[d].root && i < tree->wfs[d].ntemplates; i++)
            total += count_plans(&tree->wfs[d].templates[i]);
    call_plan **calls = calloc(total + 1, sizeof *calls);
    if (!calls)
        p.oom = true;
    size_t next = 0;
    for (size_t d = 0; d < tree->nwfs && !p.err && !p.oom; d++) {
        workflow *wf = &tree->wfs[d];
        if (!wf->root)
            continue;
        if (!wf->spec)
            refuse(&p, VP_EINVALID, wf->root, "%s has no spec", wf->kind);
        for (size_t i = 0; i < wf->ntemplates && !p.err; i++)
            collect_calls(&p, &wf->templates[i], calls, &next);
        if (!p.err)
            plan_roots(&p, &roots[d]);
    }
    const char *volume = p.err ? NULL : choose_volume_name(&p);

    /* Apply, only when nothing was refused. */
    if (!p.err && !p.oom) {
        editor e = {&p, volume, ctx->path_prefix};
        next = 0;
        for (size_t d = 0; d < tree->nwfs; d++) {
            workflow *wf = &tree->wfs[d];
            if (!wf->root)
                continue;
            for (size_t i = 0; i < wf->ntemplates; i++)
                apply_all(&e, &wf->templates[i], calls, &next);
            apply_roots(&e, wf, &roots[d]);
            add_volume(&e, wf);
        }
    }
    free(calls);
    free(roots);
    strmap_free(&p.plans);
    strmap_free(&p.globals);
    if (p.oom && !p.err)
        p.err = error_oom();
    return p.err ? error_give(err, p.err) : VP_OK;
}

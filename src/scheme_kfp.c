/* The kfp scheme: Kubeflow Pipelines v1's rewriter, reproduced.
 *
 * Every artifact of a container or script template becomes a mount of the
 * shared volume on the artifact's directory: outputs at
 * PREFIX{{workflow.uid}}_{{pod.name}}/NAME, announced in an output parameter
 * NAME-subpath; inputs at the subPath a parameter NAME-subpath passes in.
 * Dag and steps templates pass those parameters along in place of the
 * artifacts. As in the original, a consumer finds its file only when it uses
 * the producer's file name, so differing names draw a warning. */
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "edit.h"
#include "error.h"
#include "paths.h"
#include "refs.h"
#include "scheme.h"
#include "strmap.h"

#define VOLUME_NAME DEFAULT_VOLUME_NAME /* the reference's, always */

typedef struct kfp {
    const scheme_ctx *ctx;
    workflow *wf;
    editor ed;
    bool workflow_volume_warned; /* of the workflow's data-storage, once (warn_taken_volume) */
} kfp;

/* ---- checks: everything that makes the rewrite refuse ------------------ */

static vp_status VP_PRINTF(5, 6) refuse(const scheme_ctx *ctx, vp_error **err, vp_status status,
                                        const node *at, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vp_error *e = error_newv(status, ctx->file, at->line, at->column, fmt, ap);
    va_end(ap);
    return error_give(err, e);
}

static vp_status check_paths(const scheme_ctx *ctx, const template *t, const artifact_list *l,
                             const char *direction, vp_error **err)
{
    for (size_t i = 0; i < l->count; i++)
        if (!l->items[i].path)
            return refuse(ctx, err, VP_EINVALID, l->items[i].node,
                          "template '%s': %s artifact '%s' has no path", t->name, direction,
                          l->items[i].name);
    return VP_OK;
}

static vp_status check_template(const scheme_ctx *ctx, const template *t, vp_error **err)
{
    vp_status st = VP_OK;
    if (t->kind == TEMPLATE_CONTAINER || t->kind == TEMPLATE_SCRIPT) {
        if (!t->container)
            return refuse(ctx, err, VP_EINVALID, t->node, "template '%s': %s is empty", t->name,
                          t->kind == TEMPLATE_CONTAINER ? "container" : "script");
        if ((st = check_paths(ctx, t, &t->inputs, "input", err)) != VP_OK)
            return st;
        return check_paths(ctx, t, &t->outputs, "output", err);
    }
    if (t->kind != TEMPLATE_DAG && t->kind != TEMPLATE_STEPS)
        return VP_OK;
    for (size_t i = 0; i < t->outputs.count; i++)
        if (!t->outputs.items[i].from)
            return refuse(ctx, err, VP_EUNSUPPORTED, t->outputs.items[i].node,
                          "template '%s': output artifact '%s' %s; the kfp scheme passes only "
                          "'from' references",
                          t->name, t->outputs.items[i].name,
                          t->outputs.items[i].from_expression ? "uses fromExpression" : "has no 'from'");
    for (size_t c = 0; c < t->ncalls; c++) {
        const call_site *call = &t->calls[c];
        if (call->kind != CALL_TASK && call->kind != CALL_STEP)
            continue;
        for (size_t i = 0; i < call->arguments.count; i++)
            if (!call->arguments.items[i].from)
                return refuse(ctx, err, VP_EUNSUPPORTED, call->arguments.items[i].node,
                              "template '%s', %s '%s': artifact argument '%s' %s; the kfp scheme "
                              "does not support %s artifact arguments, only 'from' references",
                              t->name, t->kind == TEMPLATE_DAG ? "task" : "step", call->name,
                              call->arguments.items[i].name,
                              call->arguments.items[i].from_expression ? "uses fromExpression" : "is a constant",
                              call->arguments.items[i].from_expression ? "fromExpression" : "constant");
    }
    return VP_OK;
}

static vp_status check(const scheme_ctx *ctx, const workflow *wf, vp_error **err)
{
    if (!wf->spec)
        return refuse(ctx, err, VP_EINVALID, wf->root, "%s has no spec", wf->kind);
    for (size_t i = 0; i < wf->ntemplates; i++) {
        vp_status st = check_template(ctx, &wf->templates[i], err);
        if (st != VP_OK)
            return st;
    }
    if (wf->arguments.count)
        return refuse(ctx, err, VP_EUNSUPPORTED, wf->arguments.items[0].node,
                      "spec.arguments: artifact '%s' is a constant workflow argument; the kfp "
                      "scheme does not support constant artifact arguments",
                      wf->arguments.items[0].name);
    return VP_OK;
}

/* ---- warnings: what the reference's rewrite breaks, and so this one ------ */

#define CONVERTS " (the volume scheme converts it)"
#define REFUSES " (the volume scheme refuses it, saying why)"

static void VP_PRINTF(3, 4) warn(const kfp *k, const node *at, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    warning_givev(k->ctx->on_warning, k->ctx->warning_ctx, k->ctx->file, at->line, at->column, fmt, ap);
    va_end(ap);
}

/* os.path.dirname: everything before the last '/', trailing slashes removed
 * unless nothing else is left. */
static const char *dirname_of(kfp *k, const node *path)
{
    const char *s = path->as.text;
    const char *slash = strrchr(s, '/');
    if (!slash)
        return "";
    size_t len = (size_t)(slash - s) + 1;
    size_t keep = len;
    while (keep > 0 && s[keep - 1] == '/')
        keep--;
    if (keep == 0)
        keep = len;
    return edit_intern(&k->ed, s, keep);
}

/* Which optional inputs some run of their template goes without, as flags
 * at[i] + j for input j of template i: those a call does not pass, those an
 * exit handler given spec.arguments or the entrypoint takes (the kfp scheme
 * refuses artifacts there), and all of a WorkflowTemplate's, whose callers
 * are elsewhere. */
typedef struct optional_runs {
    bool *left_out;
    size_t *at;
} optional_runs;

static void mark_left_out(const kfp *k, optional_runs *o, const template *t, const call_site *c)
{
    if (!t)
        return;
    size_t first = o->at[t - k->wf->templates];
    for (size_t j = 0; j < t->inputs.count; j++) {
        const artifact *in = &t->inputs.items[j];
        o->left_out[first + j] |= in->optional && (!c || c->workflow_arguments ||
                                                   artifact_index(&c->arguments, in->name, strlen(in->name)) == NOT_FOUND);
    }
}

static void mark_calls(const kfp *k, optional_runs *o, const template *graph)
{
    for (size_t c = 0; c < graph->ncalls; c++) {
        const call_site *call = &graph->calls[c];
        if (call->template_name && !call->template_ref)
            mark_left_out(k, o, workflow_template(k->wf, call->template_name), call);
    }
}

/* NULL flags when out of memory: then every optional input is warned of. */
static optional_runs find_optional_runs(const kfp *k)
{
    const workflow *wf = k->wf;
    optional_runs o = {NULL, malloc((wf->ntemplates + 1) * sizeof(size_t))};
    size_t total = 0;
    for (size_t i = 0; o.at && i < wf->ntemplates; i++) {
        o.at[i] = total;
        total += wf->templates[i].inputs.count;
    }
    if (!o.at || !(o.left_out = calloc(total + 1, sizeof(bool))))
        return o;
    for (size_t i = 0; i < wf->ntemplates; i++) {
        const template *t = &wf->templates[i];
        if (workflow_callable_apart(wf) || (wf->entrypoint && strcmp(wf->entrypoint, t->name) == 0))
            mark_left_out(k, &o, t, NULL);
        mark_calls(k, &o, t);
    }
    mark_calls(k, &o, &wf->handlers);
    return o;
}

/* An input the kfp scheme makes a required parameter NAME-subpath, when a
 * run of its template goes without it. */
static void warn_optional(kfp *k, const template *t, const optional_runs *o)
{
    for (size_t i = 0; i < t->inputs.count; i++)
        if (t->inputs.items[i].optional && (!o->left_out || o->left_out[o->at[t - k->wf->templates] + i]))
            warn(k, t->inputs.items[i].node, "template '%s': optional input artifact '%s' becomes the parameter "
                 "%s" SUBPATH_SUFFIX ", which the kfp scheme makes required, as the reference does: a call that "
                 "leaves it out fails" CONVERTS, t->name, t->inputs.items[i].name, t->inputs.items[i].name);
}

/* An artifact with a source of its own, which the kfp scheme replaces
 * with a mount of the volume (`role`: in a pod) or a parameter
 * NAME-subpath that nothing gives a value (an input of a dag or steps). */
static void warn_own_source(kfp *k, const template *t, const artifact *a, const char *role)
{
    if (!a->source)
        return;
    if (role)
        warn(k, a->node, "template '%s': %s artifact '%s' has a source of its own (%s), which the kfp scheme "
             "replaces with the volume, as the reference does: %s" CONVERTS, t->name, role, a->name, a->source,
             strcmp(role, "input") == 0 ? "a call must pass it, or fails" : "the file is no longer stored there");
    else
        warn(k, a->node, "template '%s': input artifact '%s' has a source of its own (%s), which the kfp scheme "
             "replaces with the parameter %s" SUBPATH_SUFFIX ", as the reference does: nothing gives it a value"
             CONVERTS, t->name, a->name, a->source, a->name);
}

/* A pod template's artifacts, each of which becomes a mount of the volume
 * on its directory and a parameter NAME-subpath. */
static void warn_pod_artifacts(kfp *k, const template *t, const artifact_list *l, bool input)
{
    const char *role = input ? "input" : "output";
    for (size_t i = 0; i < l->count; i++) {
        const artifact *a = &l->items[i];
        const char *dir = dirname_of(k, a->path), *mode = input ? artifact_mode_key(a) : NULL;
        warn_own_source(k, t, a, role);
        if (dir && (!dir[0] || path_is_root(dir)))
            warn(k, a->node, "template '%s': %s artifact '%s' at %s has no directory of its own, so the kfp scheme "
                 "mounts the volume at '%s', as the reference does, where no container can have it" CONVERTS,
                 t->name, role, a->name, a->path->as.text, dir);
        if (mode)
            warn(k, a->node, "template '%s': input artifact '%s' sets %s, which is lost with the mount the kfp "
                 "scheme puts in its place, as the reference does" REFUSES, t->name, a->name, mode);
        if (!input && a->global_name)
            warn(k, a->node, "template '%s': output artifact '%s' has globalName '%s', which the kfp scheme drops, "
                 "as the reference does: {{workflow.outputs.artifacts.%s}} names nothing" CONVERTS, t->name, a->name,
                 a->global_name->as.text, a->global_name->as.text);
    }
}

/* Every artifact's directory gets a mount: two artifacts in one directory,
 * or one where the container mounts a volume already, make two mounts on
 * one path (which Kubernetes rejects when they are written alike, and else
 * one hides the other). One warning per template. */
static void warn_shared_directories(kfp *k, const template *t)
{
    strmap mounts, dirs; /* the container's mount paths; each artifact's directory -> the artifact */
    strmap_init(&mounts);
    strmap_init(&dirs);
    const node *own = map_get(t->container, "volumeMounts");
    bool failed = false; /* out of memory: a warning less */
    for (size_t i = 0; own && own->kind == NODE_SEQUENCE && i < own->len && !failed; i++) {
        const node *at = map_get(own->as.items[i], "mountPath");
        const char *path = at && at->kind == NODE_SCALAR ? edit_normal_path(&k->ed, at->as.text) : NULL;
        failed = path && strmap_put(&mounts, path, strlen(path), (void *)at) != 0;
    }
    const artifact_list *lists[] = {&t->inputs, &t->outputs};
    bool warned = false;
    for (size_t l = 0; l < 2 && !warned && !failed; l++)
        for (size_t i = 0; i < lists[l]->count && !warned && !failed; i++) {
            const artifact *a = &lists[l]->items[i];
            const char *dir = dirname_of(k, a->path);
            const char *normal = dir ? edit_normal_path(&k->ed, dir) : NULL;
            if (!normal || k->ed.oom) {
                failed = true;
                continue;
            }
            const artifact *first = strmap_get(&dirs, normal, strlen(normal));
            bool mounted = strmap_get(&mounts, normal, strlen(normal)) != NULL;
            if (mounted)
                warn(k, a->node, "template '%s': artifact '%s' is in %s, where the container mounts a volume "
                     "already and the kfp scheme mounts another, as the reference does: two mounts on one path"
                     CONVERTS, t->name, a->name, dir);
            else if (first)
                warn(k, a->node, "template '%s': artifacts '%s' and '%s' are both in %s, where the kfp scheme "
                     "mounts the volume twice, as the reference does: two mounts on one path" CONVERTS,
                     t->name, first->name, a->name, dir[0] ? dir : "the working directory");
            else
                failed = strmap_put(&dirs, normal, strlen(normal), (void *)a) != 0;
            warned = mounted || first;
        }
    strmap_free(&mounts);
    strmap_free(&dirs);
}

/* The parameters of `list` by name, to look up many (a set; empty when out of memory). */
static void parameter_names(const node *list, strmap *names)
{
    strmap_init(names);
    for (size_t i = 0; list && list->kind == NODE_SEQUENCE && i < list->len; i++) {
        const node *name = map_get(list->as.items[i], "name");
        if (name && name->kind == NODE_SCALAR && strmap_put(names, name->as.text, name->len, (void *)name) != 0)
            break;
    }
}

/* Artifacts whose location parameter NAME-subpath meets a parameter of that
 * name already: the template's own (`params`), or a call's (`at` names it;
 * the volume scheme refuses that one). */
static void warn_taken_parameters(kfp *k, const char *at, const artifact_list *l, const node *params, bool call)
{
    if (!l->count || !params)
        return;
    strmap names;
    parameter_names(params, &names);
    for (size_t i = 0; i < l->count; i++) {
        const char *name = edit_cat(&k->ed, l->items[i].name, SUBPATH_SUFFIX);
        if (name && strmap_get(&names, name, strlen(name)))
            warn(k, l->items[i].node, "%s: artifact '%s' becomes parameter '%s', which is there already: the kfp "
                 "scheme adds another, as the reference does%s", at, l->items[i].name, name,
                 call ? REFUSES : CONVERTS);
    }
    strmap_free(&names);
}

/* The calls of graph template g whose outputs a reference of g takes
 * (tasks.NAME.outputs.artifacts.X in a dag's, steps.NAME... in steps'). */
static void calls_taken(const template *g, strmap *taken)
{
    strmap_init(taken);
    for (size_t c = 0; c <= g->ncalls; c++) {
        const artifact_list *l = c < g->ncalls ? &g->calls[c].arguments : &g->outputs;
        for (size_t i = 0; i < l->count; i++) {
            const node *from = l->items[i].from;
            size_t pos = 0;
            tag t;
            while (from && tag_next(from->as.text, from->len, &pos, &t)) {
                ref r = ref_parse(t.expr);
                if (r.kind == REF_OUTPUT && r.artifact && strmap_put(taken, r.step.s, r.step.len, (void *)from) != 0)
                    return;
            }
        }
    }
}

/* What template t is, when the kfp scheme leaves it as it is although it
 * has artifacts or passes them: for the warning; else NULL. */
static const char *left_as_is(const template *t, bool inline_template)
{
    const char *what = inline_template                      ? "an inline template"
                       : t->kind == TEMPLATE_CONTAINER_SET ? "a containerSet"
                       : t->kind == TEMPLATE_OTHER         ? "not a container, script, dag or steps template"
                                                           : NULL;
    bool has = what && (t->inputs.count || t->outputs.count);
    for (size_t c = 0; what && !has && c < t->ncalls; c++)
        has = t->calls[c].arguments.count > 0;
    return has ? what : NULL;
}

/* Whether a 'from' ends its reference with a space, which the reference's
 * rewrite keeps before "-subpath" ("{{tasks.p.outputs.parameters.x -subpath}}"). */
static bool garbled(const artifact *a)
{
    for (const char *s = a->from ? strstr(a->from->as.text, "}}") : NULL; s; s = strstr(s + 2, "}}"))
        if (s > a->from->as.text && (s[-1] == ' ' || s[-1] == '\t'))
            return true;
    return false;
}

static void warn_garbled(kfp *k, const char *at, const artifact_list *l, const char *what)
{
    for (size_t i = 0; i < l->count; i++)
        if (garbled(&l->items[i]))
            warn(k, l->items[i].node, "%s: %s '%s' takes '%s', whose space before the closing braces the kfp "
                 "scheme keeps before -subpath, as the reference does" CONVERTS, at, what, l->items[i].name,
                 l->items[i].from->as.text);
}

/* The template a call runs when it is in this document, else NULL. */
static const template *callee_of(const kfp *k, const call_site *call)
{
    if (call->inline_template)
        return call->inline_template;
    return call->template_name ? workflow_template(k->wf, call->template_name) : NULL;
}

/* The calls of g: arguments the kfp scheme passes as it does not mean to
 * (a subPath dropped, a 'from' garbled, a parameter twice), to templates it
 * leaves as they are (a containerSet, an inline one...), or not at all (a
 * hook's, an exit handler's). A named template left as it is is warned of
 * once (`warned`, by index). */
static void warn_calls(kfp *k, const template *g, bool *warned)
{
    strmap taken;
    calls_taken(g, &taken);
    warn_garbled(k, edit_cat(&k->ed, "template '", g->name, "'"), &g->outputs, "output artifact");
    for (size_t c = 0; c < g->ncalls; c++) {
        const call_site *call = &g->calls[c];
        bool handler = call->kind != CALL_TASK && call->kind != CALL_STEP;
        const char *at = g == &k->wf->handlers ? edit_cat(&k->ed, "spec.", call->name)
                         : handler ? edit_cat(&k->ed, "template '", g->name, "', ", call->name)
                                   : edit_cat(&k->ed, "template '", g->name, "', ",
                                              g->kind == TEMPLATE_DAG ? "task '" : "step '", call->name, "'");
        if (!at)
            break; /* out of memory: the rewrite says so */
        const template *callee = callee_of(k, call);
        const char *what = callee ? left_as_is(callee, call->inline_template != NULL) : NULL;
        for (size_t i = 0; i < call->arguments.count; i++) {
            const artifact *a = &call->arguments.items[i];
            if (handler && (a->from || (callee && !what)))
                warn(k, a->node, "%s: the kfp scheme leaves artifact argument '%s' of a hook or exit handler as it "
                     "is, as the reference does, while %s" CONVERTS, at, a->name,
                     a->from ? "its producer's artifacts become volume locations"
                             : "the template it calls takes a volume location in its place");
            if (!handler && a->sub_path && a->sub_path->len)
                warn(k, a->node, "%s: artifact argument '%s' has subPath '%s', which the kfp scheme drops, as the "
                     "reference does" CONVERTS, at, a->name, a->sub_path->as.text);
        }
        if (handler)
            continue;
        warn_garbled(k, at, &call->arguments, "artifact argument");
        warn_taken_parameters(k, at, &call->arguments, call->parameters, true);
        size_t index = callee && !call->inline_template ? (size_t)(callee - k->wf->templates) : SIZE_MAX;
        bool used = call->inline_template || call->arguments.count || strmap_get(&taken, call->name, strlen(call->name));
        if (what && used && (index == SIZE_MAX || !warned[index])) {
            warn(k, call->node, "%s: the kfp scheme leaves template '%s' as it is (%s), as the reference does, "
                 "while this template passes volume locations in place of its artifacts" CONVERTS, at,
                 callee->name, what);
            if (index != SIZE_MAX)
                warned[index] = true;
        }
    }
    strmap_free(&taken);
}

/* Whether the text of n's subtree names one of its template's own
 * artifacts in a tag ({{inputs.artifacts.X.path}}, {{=outputs.artifacts...}}):
 * the first such tag, in *found; NULL when none does. */
static const node *first_mention(const node *n, span *found)
{
    if (n->inert)
        return NULL; /* no '{' anywhere below */
    if (n->kind == NODE_SCALAR) {
        size_t pos = 0;
        tag t;
        while (tag_next(n->as.text, n->len, &pos, &t)) {
            size_t at = 0;
            artifact_mention m;
            if (expr_next_mention(t.expr, &at, &m)) { /* a whole tag: never cut inside a character */
                *found = (span){n->as.text + t.start, t.end - t.start};
                return n;
            }
        }
        return NULL;
    }
    size_t slots = node_slots(n);
    for (size_t i = 0; i < slots; i++) {
        const node *in = first_mention(n->as.items[i], found);
        if (in)
            return in;
    }
    return NULL;
}

static void warn_mentions(kfp *k, const template *t)
{
    span quote;
    const node *at = t->inputs.count || t->outputs.count ? first_mention(t->node, &quote) : NULL;
    if (at)
        warn(k, at, "template '%s' names its own artifacts ('%.*s'), which the kfp scheme leaves as they are, as "
             "the reference does, while the artifacts become parameters" CONVERTS, t->name, (int)quote.len, quote.s);
}

/* A volume named as the one the kfp scheme adds, which Argo gives the
 * template's pod first: its own, templateDefaults', or the workflow's own
 * (template_volume finds the kfp scheme's only once it is added). */
static void warn_taken_volume(kfp *k, const template *t)
{
    const node *taken = template_volume(t, k->wf, VOLUME_NAME);
    bool own = template_volume(t, NULL, VOLUME_NAME) != NULL;
    if (taken && (own || !k->workflow_volume_warned))
        warn(k, taken, "template '%s': a volume named " VOLUME_NAME " is there already, which Argo gives its pod "
             "in place of the one the kfp scheme adds, as the reference does: --volume goes unused" CONVERTS,
             t->name);
    k->workflow_volume_warned |= taken && !own;
}

/* The reference's faults, each a warning naming where it strikes (the
 * file-name warning is the reference's own: warn_file_names). */
static void warn_faults(kfp *k)
{
    bool *warned = calloc(k->wf->ntemplates + 1, sizeof *warned); /* templates left as they are, warned of */
    if (!warned)
        return; /* out of memory: no warnings, and the rewrite says so */
    optional_runs optional = find_optional_runs(k);
    for (size_t i = 0; i < k->wf->ntemplates; i++) {
        const template *t = &k->wf->templates[i];
        bool pod = t->kind == TEMPLATE_CONTAINER || t->kind == TEMPLATE_SCRIPT;
        bool graph = t->kind == TEMPLATE_DAG || t->kind == TEMPLATE_STEPS;
        const char *at = edit_cat(&k->ed, "template '", t->name, "'");
        if (pod) {
            warn_pod_artifacts(k, t, &t->inputs, true);
            warn_pod_artifacts(k, t, &t->outputs, false);
            warn_shared_directories(k, t);
            warn_mentions(k, t);
            if (t->inputs.count || t->outputs.count)
                warn_taken_volume(k, t);
        }
        if ((pod || graph) && at) {
            warn_optional(k, t, &optional);
            warn_taken_parameters(k, at, &t->inputs, t->input_parameters, false);
            warn_taken_parameters(k, at, &t->outputs, t->output_parameters, false);
        }
        for (size_t a = 0; graph && a < t->inputs.count; a++)
            warn_own_source(k, t, &t->inputs.items[a], NULL);
        if (graph)
            warn_calls(k, t, warned);
    }
    warn_calls(k, &k->wf->handlers, warned);
    free(warned);
    free(optional.left_out);
    free(optional.at);
}

/* ---- building nodes ----------------------------------------------------- */

/* Makes room for the parameters that replace owner.artifacts: the existing
 * parameters list, or a new one in the artifacts' place. The artifacts
 * list, removed, is left in *artifacts (NULL when there was none), for the
 * comments of its entries (edit_push_for). */
static node *artifacts_to_parameters(kfp *k, node *owner, node **artifacts_out)
{
    long i = map_find(owner, "artifacts");
    node *artifacts = *artifacts_out = i < 0 ? NULL : owner->as.items[2 * (size_t)i + 1];
    node *params = map_get(owner, "parameters");
    if (!params && i >= 0) { /* in the artifacts' place */
        params = node_collection(k->ed.mem, NODE_SEQUENCE, STYLE_ANY);
        node *key = edit_str(&k->ed, "parameters");
        if (!params || !key) {
            k->ed.oom = true;
            return NULL;
        }
        owner->as.items[2 * (size_t)i] = key;
        owner->as.items[2 * (size_t)i + 1] = params;
    } else {
        edit_remove(&k->ed, owner, "artifacts");
        if (!params || params->kind != NODE_SEQUENCE) /* parameters: null */
            params = edit_list_field(&k->ed, owner, "parameters");
    }
    edit_carry_list_comments(&k->ed, artifacts, params);
    return params;
}

/* {{X.artifacts.Y}} -> {{X.parameters.Y-subpath}}, for every such reference,
 * as the reference's regular expression {{([^}]+)\.artifacts\.([^}]+)}} does. */
static node *artifact_ref_to_parameter_ref(kfp *k, const node *from)
{
    static const char marker[] = ".artifacts.";
    const char *s = from->as.text;
    size_t len = from->len;
    char *out = malloc(len * 2 + 32); /* each rewrite adds 9 bytes to at least 15 */
    if (!out) {
        k->ed.oom = true;
        return NULL;
    }
    size_t n = 0, i = 0;
    while (i < len) {
        size_t end = i + 2;
        if (s[i] == '{' && i + 1 < len && s[i + 1] == '{') {
            while (end < len && s[end] != '}')
                end++; /* the body: [^}]+ */
        }
        /* The last ".artifacts." in the body with something on each side. */
        const char *mark = NULL;
        if (end > i + 2 && end + 1 < len && s[end] == '}' && s[end + 1] == '}')
            for (size_t j = i + 3; j + sizeof marker - 1 < end; j++)
                if (memcmp(s + j, marker, sizeof marker - 1) == 0)
                    mark = s + j;
        if (!mark) {
            out[n++] = s[i++];
            continue;
        }
        size_t head = (size_t)(mark - s) - i;
        memcpy(out + n, s + i, head);
        n += head;
        memcpy(out + n, ".parameters.", 12);
        n += 12;
        size_t tail = end - (size_t)(mark - s) - (sizeof marker - 1);
        memcpy(out + n, mark + sizeof marker - 1, tail);
        n += tail;
        memcpy(out + n, SUBPATH_SUFFIX "}}", sizeof SUBPATH_SUFFIX + 1);
        n += sizeof SUBPATH_SUFFIX + 1;
        i = end + 2;
    }
    const char *text = edit_intern(&k->ed, out, n);
    free(out);
    node *result = node_text(k->ed.mem, text, n, from->style == STYLE_PLAIN ? STYLE_ANY : (node_style)from->style);
    k->ed.oom |= !result;
    return result;
}

/* ---- the rewrite ------------------------------------------------------- */

static node *mount(kfp *k, const artifact *a, node *subpath, bool read_only)
{
    pairs m = {{NULL}, 0};
    edit_put(&k->ed, &m, "mountPath", edit_str(&k->ed, dirname_of(k, a->path)));
    edit_put(&k->ed, &m, "name", edit_str(&k->ed, VOLUME_NAME));
    edit_put(&k->ed, &m, "subPath", subpath);
    if (read_only)
        edit_put(&k->ed, &m, "readOnly", edit_true(&k->ed));
    return edit_mapping(&k->ed, &m);
}

static node *parameter(kfp *k, const char *artifact_name, const char *value_key, node *value)
{
    pairs p = {{NULL}, 0};
    edit_put(&k->ed, &p, "name", edit_str(&k->ed, edit_cat(&k->ed, artifact_name, SUBPATH_SUFFIX)));
    if (value_key)
        edit_put(&k->ed, &p, value_key, value);
    return edit_mapping(&k->ed, &p);
}

static void rewrite_container(kfp *k, template *t)
{
    const char *data_dir = edit_cat(&k->ed, k->ctx->path_prefix, "{{workflow.uid}}_{{pod.name}}/");
    if (t->inputs.count) {
        node *artifacts, *params = artifacts_to_parameters(k, t->inputs.owner, &artifacts);
        node *mounts = edit_list_field(&k->ed, t->container, "volumeMounts");
        for (size_t i = 0; i < t->inputs.count; i++) {
            const artifact *a = &t->inputs.items[i];
            node *subpath = edit_str(&k->ed, edit_cat(&k->ed, "{{inputs.parameters.", a->name, SUBPATH_SUFFIX "}}"));
            edit_push(&k->ed, mounts, mount(k, a, subpath, true));
            edit_push_for(&k->ed, params, parameter(k, a->name, NULL, NULL), a->node, artifacts);
        }
    }
    edit_remove(&k->ed, t->inputs.owner, "artifacts");
    if (t->outputs.count) {
        node *artifacts, *params = artifacts_to_parameters(k, t->outputs.owner, &artifacts);
        node *mounts = edit_list_field(&k->ed, t->container, "volumeMounts");
        for (size_t i = 0; i < t->outputs.count; i++) {
            const artifact *a = &t->outputs.items[i];
            node *subpath = edit_str(&k->ed, edit_cat(&k->ed, data_dir, a->name));
            edit_push(&k->ed, mounts, mount(k, a, subpath, false));
            edit_push_for(&k->ed, params, parameter(k, a->name, "value", subpath), a->node, artifacts);
        }
        edit_remove(&k->ed, t->outputs.owner, "artifacts"); /* only here, as the reference: an empty list stays */
    }
}

static void rewrite_arguments(kfp *k, artifact_list *args)
{
    if (args->count) {
        node *artifacts, *params = artifacts_to_parameters(k, args->owner, &artifacts);
        for (size_t i = 0; i < args->count; i++)
            edit_push_for(&k->ed, params,
                          parameter(k, args->items[i].name, "value", artifact_ref_to_parameter_ref(k, args->items[i].from)),
                          args->items[i].node, artifacts);
    }
    edit_remove(&k->ed, args->owner, "artifacts");
}

static void rewrite_graph(kfp *k, template *t)
{
    if (t->inputs.count) {
        node *artifacts, *params = artifacts_to_parameters(k, t->inputs.owner, &artifacts);
        for (size_t i = 0; i < t->inputs.count; i++)
            edit_push_for(&k->ed, params, parameter(k, t->inputs.items[i].name, NULL, NULL),
                          t->inputs.items[i].node, artifacts);
    }
    edit_remove(&k->ed, t->inputs.owner, "artifacts");
    if (t->outputs.count) {
        node *artifacts, *params = artifacts_to_parameters(k, t->outputs.owner, &artifacts);
        for (size_t i = 0; i < t->outputs.count; i++) {
            pairs value_from = {{NULL}, 0};
            edit_put(&k->ed, &value_from, "parameter", artifact_ref_to_parameter_ref(k, t->outputs.items[i].from));
            edit_push_for(&k->ed, params,
                          parameter(k, t->outputs.items[i].name, "valueFrom", edit_mapping(&k->ed, &value_from)),
                          t->outputs.items[i].node, artifacts);
        }
    }
    edit_remove(&k->ed, t->outputs.owner, "artifacts");
    for (size_t c = 0; c < t->ncalls; c++) /* as the reference: not hooks, not exit handlers */
        if (t->calls[c].kind == CALL_TASK || t->calls[c].kind == CALL_STEP)
            rewrite_arguments(k, &t->calls[c].arguments);
}

static void add_volume(kfp *k)
{
    node *volume = node_copy(k->ed.mem, k->ctx->volume);
    edit_set(&k->ed, volume, "name", edit_str(&k->ed, VOLUME_NAME));
    edit_push(&k->ed, edit_list_field(&k->ed, k->wf->spec, "volumes"), volume);
}

/* The reference warns when container artifacts use more than one file name:
 * its consumers find their input only under the producer's name. */
static void warn_file_names(const kfp *k)
{
    size_t total = 0, used = 0;
    for (size_t i = 0; i < k->wf->ntemplates; i++)
        total += k->wf->templates[i].inputs.count + k->wf->templates[i].outputs.count;
    const char **names = malloc((total ? total : 1) * sizeof *names);
    strmap seen; /* a set: a workflow may have thousands of names */
    strmap_init(&seen);
    for (size_t i = 0; names && i < k->wf->ntemplates; i++) {
        const template *t = &k->wf->templates[i];
        if (t->kind != TEMPLATE_CONTAINER && t->kind != TEMPLATE_SCRIPT)
            continue;
        const artifact_list *lists[] = {&t->inputs, &t->outputs};
        for (size_t l = 0; l < 2; l++)
            for (size_t j = 0; j < lists[l]->count; j++) {
                const char *s = lists[l]->items[j].path->as.text;
                const char *base = strrchr(s, '/') ? strrchr(s, '/') + 1 : s;
                size_t known = seen.count; /* a put that adds the name counts it */
                if (strmap_put(&seen, base, strlen(base), (void *)base) == 0 && seen.count > known)
                    names[used++] = base;
            }
    }
    if (used > 1 && k->ctx->on_warning) {
        size_t len = 0;
        for (size_t i = 0; i < used; i++)
            len += strlen(names[i]) + 2;
        char *list = malloc(len + 1);
        if (list) {
            char *at = list;
            for (size_t i = 0; i < used; i++) {
                size_t n = strlen(names[i]);
                if (i) {
                    memcpy(at, ", ", 2);
                    at += 2;
                }
                memcpy(at, names[i], n);
                at += n;
            }
            *at = '\0';
            const node *where = map_get(k->wf->spec, "templates"); /* the names are the templates' */
            warning_give(k->ctx->on_warning, k->ctx->warning_ctx, k->ctx->file, where ? where->line : 0,
                         where ? where->column : 0,
                         "Detected different artifact file names: [%s]. The workflow can fail at runtime. "
                         "Please use the same file name (e.g. \"data\") for all artifacts.", list);
            free(list);
        }
    }
    strmap_free(&seen);
    free(names);
}

/* Rewrites one workflow document. */
static vp_status rewrite_workflow(const scheme_ctx *ctx, workflow *wf, vp_error **err)
{
    vp_status st = check(ctx, wf, err);
    if (st != VP_OK)
        return st;
    kfp k = {ctx, wf, {0}, false};
    edit_init(&k.ed, ctx->arena, ctx->notes);
    if (ctx->on_warning)
        warn_faults(&k);
    add_volume(&k);
    for (size_t i = 0; i < wf->ntemplates; i++) {
        template *t = &wf->templates[i];
        if (t->kind == TEMPLATE_CONTAINER || t->kind == TEMPLATE_SCRIPT)
            rewrite_container(&k, t);
        else if (t->kind == TEMPLATE_DAG || t->kind == TEMPLATE_STEPS)
            rewrite_graph(&k, t);
    }
    bool oom = k.ed.oom;
    edit_free(&k.ed);
    if (oom)
        return error_give(err, error_oom());
    warn_file_names(&k);
    return VP_OK;
}

/* A document of another kind with spec.templates, which the kfp scheme
 * passes through where the reference rewrites it as a workflow. */
static void warn_other_kind(const scheme_ctx *ctx, const node *root)
{
    const node *kind = map_get(root, "kind");
    if (kind && kind->kind == NODE_SCALAR && map_get(map_get(root, "spec"), "templates"))
        warning_give(ctx->on_warning, ctx->warning_ctx, ctx->file, kind->line, kind->column, "a document of kind "
                     "'%s' is no Argo workflow: the kfp scheme leaves it as it is, where the reference rewrites any "
                     "document with spec.templates", kind->as.text);
}

vp_status scheme_kfp(const scheme_ctx *ctx, node *const *roots, size_t n, vp_error **err)
{
    vp_status st = VP_OK;
    arena models;
    arena_init(&models);
    for (size_t i = 0; i < n && st == VP_OK; i++) {
        if (!workflow_document(roots[i])) {
            warn_other_kind(ctx, roots[i]);
            continue;
        }
        workflow wf;
        st = workflow_read(&wf, roots[i], ctx->file, &models, err);
        if (st == VP_OK)
            st = rewrite_workflow(ctx, &wf, err);
        workflow_free(&wf);
    }
    arena_free(&models);
    return st;
}

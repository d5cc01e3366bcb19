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
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "edit.h"
#include "error.h"
#include "scheme.h"

#define VOLUME_NAME "data-storage"
#define SUBPATH_SUFFIX "-subpath"

typedef struct kfp {
    const scheme_ctx *ctx;
    workflow *wf;
    editor ed;
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

/* ---- building nodes ----------------------------------------------------- */

/* Makes room for the parameters that replace owner.artifacts: the existing
 * parameters list, or a new one in the artifacts' place. */
static node *artifacts_to_parameters(kfp *k, node *owner)
{
    long i = map_find(owner, "artifacts");
    node *params = map_get(owner, "parameters");
    if (params && params->kind == NODE_SEQUENCE) {
        map_remove(owner, "artifacts");
        return params;
    }
    if (params || i < 0) { /* parameters: null */
        map_remove(owner, "artifacts");
        return edit_list_field(&k->ed, owner, "parameters");
    }
    node *seq = node_collection(k->ed.mem, NODE_SEQUENCE, STYLE_ANY);
    node *key = edit_str(&k->ed, "parameters");
    if (!seq || !key) {
        k->ed.oom = true;
        return NULL;
    }
    owner->as.items[2 * (size_t)i] = key;
    owner->as.items[2 * (size_t)i + 1] = seq;
    return seq;
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
        node *params = artifacts_to_parameters(k, t->inputs.owner);
        node *mounts = edit_list_field(&k->ed, t->container, "volumeMounts");
        for (size_t i = 0; i < t->inputs.count; i++) {
            const artifact *a = &t->inputs.items[i];
            node *subpath = edit_str(&k->ed, edit_cat(&k->ed, "{{inputs.parameters.", a->name, SUBPATH_SUFFIX "}}"));
            edit_push(&k->ed, mounts, mount(k, a, subpath, true));
            edit_push(&k->ed, params, parameter(k, a->name, NULL, NULL));
        }
    }
    map_remove(t->inputs.owner, "artifacts");
    if (t->outputs.count) {
        node *params = artifacts_to_parameters(k, t->outputs.owner);
        node *mounts = edit_list_field(&k->ed, t->container, "volumeMounts");
        for (size_t i = 0; i < t->outputs.count; i++) {
            const artifact *a = &t->outputs.items[i];
            node *subpath = edit_str(&k->ed, edit_cat(&k->ed, data_dir, a->name));
            edit_push(&k->ed, mounts, mount(k, a, subpath, false));
            edit_push(&k->ed, params, parameter(k, a->name, "value", subpath));
        }
        map_remove(t->outputs.owner, "artifacts"); /* only here, as the reference: an empty list stays */
    }
}

static void rewrite_arguments(kfp *k, artifact_list *args)
{
    if (args->count) {
        node *params = artifacts_to_parameters(k, args->owner);
        for (size_t i = 0; i < args->count; i++)
            edit_push(&k->ed, params, parameter(k, args->items[i].name, "value",
                                      artifact_ref_to_parameter_ref(k, args->items[i].from)));
    }
    map_remove(args->owner, "artifacts");
}

static void rewrite_graph(kfp *k, template *t)
{
    if (t->inputs.count) {
        node *params = artifacts_to_parameters(k, t->inputs.owner);
        for (size_t i = 0; i < t->inputs.count; i++)
            edit_push(&k->ed, params, parameter(k, t->inputs.items[i].name, NULL, NULL));
    }
    map_remove(t->inputs.owner, "artifacts");
    if (t->outputs.count) {
        node *params = artifacts_to_parameters(k, t->outputs.owner);
        for (size_t i = 0; i < t->outputs.count; i++) {
            pairs value_from = {{NULL}, 0};
            edit_put(&k->ed, &value_from, "parameter", artifact_ref_to_parameter_ref(k, t->outputs.items[i].from));
            edit_push(&k->ed, params, parameter(k, t->outputs.items[i].name, "valueFrom", edit_mapping(&k->ed, &value_from)));
        }
    }
    map_remove(t->outputs.owner, "artifacts");
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

vp_status scheme_kfp(const scheme_ctx *ctx, workflow *wf, vp_error **err)
{
    vp_status st = check(ctx, wf, err);
    if (st != VP_OK)
        return st;
    kfp k = {ctx, wf, {0}};
    edit_init(&k.ed, ctx->arena);
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

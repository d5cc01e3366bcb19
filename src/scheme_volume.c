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
 * src/volume_plan.c decides everything for the whole stream first and
 * refuses what cannot be done safely; this file then edits the documents:
 * mounts, parameters in place of artifacts, references rewritten, twins
 * added, the volume declared. */
#include <stdlib.h>
#include <string.h>

#include "paths.h"
#include "volume_plan.h"

/* ---- applying ------------------------------------------------------------ */

typedef struct applier {
    vplan *p;
    editor *ed; /* &p->ed: what is added to the documents (src/edit.c) */
    const char *volume;
    const char *prefix;
} applier;

/* Which artifacts of a list the rewrite removes: k is an index in the list. */
typedef bool artifact_gone(const void *ctx, size_t k);

/* Removes from owner.artifacts those of `list` that `gone` names, in one
 * pass (removed one at a time, each moved the rest of a long list); drops
 * the emptied list, whose comments go to the parameters that replace it,
 * and then the emptied owner key of `parent`. */
static void remove_artifacts(applier *e, node *parent, const char *owner_key, const artifact_list *list,
                             artifact_gone *gone, const void *ctx)
{
    node *owner = map_get(parent, owner_key);
    node *items = map_get(owner, "artifacts");
    if (!items || items->kind != NODE_SEQUENCE)
        return;
    size_t left = 0;
    const node *first = items->len ? items->as.items[0] : NULL;
    for (size_t i = 0; i < items->len; i++) {
        const node *name = map_get(items->as.items[i], "name");
        size_t k = name && name->kind == NODE_SCALAR ? artifact_index(list, name->as.text, name->len) : NOT_FOUND;
        if (k == NOT_FOUND || !gone(ctx, k))
            items->as.items[left++] = items->as.items[i];
    }
    if (left == items->len)
        return;
    bool first_gone = left && items->as.items[0] != first;
    items->len = left;
    if (first_gone)
        edit_first_entry_changed(e->ed, items);
    if (left == 0) {
        node *params = map_get(owner, "parameters");
        if (params && params->kind == NODE_SEQUENCE)
            edit_carry_list_comments(e->ed, items, params);
        edit_remove(e->ed, owner, "artifacts");
    }
    if (owner->len == 0)
        edit_remove(e->ed, parent, owner_key);
}

/* Adds `param`, the parameter that replaces artifact a of `list`, to the
 * parameters of `owner` (the inputs, outputs or arguments being edited). It
 * takes the artifact's comments, as the rewrite removes it, unless `owner`
 * is a twin's copy of the list's owner: the copy holds no comments. */
static void replace_artifact(applier *e, node *owner, node *param, const artifact_list *list, const artifact *a)
{
    node *params = edit_list_field(e->ed, owner, "parameters");
    if (owner == list->owner)
        edit_push_for(e->ed, params, param, a->node, map_get(owner, "artifacts"));
    else
        edit_push(e->ed, params, param);
}

static bool in_mask(const void *mask, size_t k)
{
    return ((const bool *)mask)[k];
}

static bool converted(const void *plans, size_t k)
{
    return ((const art_plan *)plans)[k].convert;
}

static bool removed(const void *outputs, size_t k)
{
    return output_removed(&((const art_plan *)outputs)[k]);
}

static bool passed_as_parameter(const void *call, size_t k)
{
    return ((const call_plan *)call)->arg_params[k] != NULL;
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
            p->ed.oom = true;
            return;
        }
        b->s = bigger;
        b->cap = cap;
    }
    memcpy(b->s + b->len, s, n);
    b->len += n;
    b->s[b->len] = '\0';
}

/* An argument's or output's subPath as appended to a location on the
 * volume: a literal one resolved as Argo joins it to the artifact's key
 * ("" for the artifact itself; the plan refused one that climbs out of
 * it), one made of parameters as written. */
static const char *joined_sub_path(applier *e, const node *sub)
{
    size_t pos = 0;
    tag g;
    if (tag_next(sub->as.text, sub->len, &pos, &g)) /* as sub_path_problem tells them */
        return sub->as.text;
    char *c = arena_strndup(e->ed->mem, sub->as.text, sub->len);
    if (!c || !path_resolve_relative(c)) {
        e->ed->oom |= !c;
        return "";
    }
    return c;
}

/* The path that a placeholder of a converted artifact stands for: the
 * {{inputs.artifacts.X.path}} of an input that form `mask` mounts from the
 * volume, or the {{outputs.artifacts.X.path}} of an output written there;
 * in a tag, or as a whole branch of an expression. NULL for anything else. */
static const char *placeholder_path(const tplan *scope, const bool *mask, span e)
{
    artifact_mention m;
    if (!expr_mention_is(e, &m) || !m.path)
        return NULL;
    const artifact_list *list = m.input ? &scope->t->inputs : &scope->t->outputs;
    size_t k = artifact_index(list, m.name.s, m.name.len);
    if (k == NOT_FOUND || !list->items[k].path)
        return NULL;
    bool replaced = m.input ? mask && mask[k] : output_removed(&scope->out[k]);
    return replaced ? list->items[k].path->as.text : NULL;
}

/* In an expression, artifact references become parameter references in
 * bracket form (names hold '-'): outputs.artifacts.x -> outputs.parameters['x-subpath'];
 * placeholders of converted artifacts become their path, as a string (the
 * plan refused paths with a quote or backslash).
 *
 * Where branches choose (c ? tasks.a.outputs.artifacts.x : ...), a call's
 * outputs are read through optional members: tasks['a']?.outputs?.parameters?.['x-subpath'].
 * Argo resolves a {{=...}} in a step's or task's arguments only once every
 * tasks.* and steps.* member it names, in any branch, exists, and a dag or
 * steps call that failed has no outputs: the task would wait forever where
 * the fromExpression, evaluated as it stands, took the other branch.
 * Optional members are exempt; read in the branch taken, a missing one
 * gives nil, which fails the task as the unresolved artifact did. */
static void rewrite_expression(applier *e, tplan *scope, const bool *mask, span expr, text_buf *out)
{
    vplan *p = e->p;
    span alts[EXPR_MAX_BRANCHES];
    size_t n = plan_branches(p, scope, expr, scope->t->node, alts);
    if (n == 0)
        return;
    size_t last = 0;
    for (size_t i = 0; i < n; i++) {
        size_t start = (size_t)(alts[i].s - expr.s);
        const char *path = placeholder_path(scope, mask, alts[i]);
        if (path) {
            tb_put(p, out, expr.s + last, start - last);
            tb_put(p, out, "'", 1);
            tb_put(p, out, path, strlen(path));
            tb_put(p, out, "'", 1);
            last = start + alts[i].len;
            continue;
        }
        ref r = ref_parse_branch(alts[i]);
        const char *param;
        if (!r.artifact || r.rest.len || ref_backing(p, scope, r, &param, NULL) != BACK_VOLUME || !param)
            continue; /* inputs.artifacts.x.path of an input kept in this form stays */
        tb_put(p, out, expr.s + last, start - last);
        if (r.kind == REF_OUTPUT) {
            tb_put(p, out, r.steps ? "steps['" : "tasks['", 7);
            tb_put(p, out, r.step.s, r.step.len);
            if (n > 1)
                tb_put(p, out, "']?.outputs?.parameters?.['", 27);
            else
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

static const char *rewrite_text(applier *e, tplan *scope, const bool *mask, const char *text)
{
    if (!strchr(text, '{') || !strstr(text, "artifacts"))
        return NULL; /* every reference this rewrites is a tag naming artifacts: most text has none */
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
            rewrite_expression(e, scope, mask, g.expr, &inner);
            changed |= inner.s && (inner.len != g.expr.len || memcmp(inner.s, g.expr.s, g.expr.len) != 0);
            tb_put(p, &b, "{{=", 3);
            tb_put(p, &b, inner.s ? inner.s : "", inner.len);
            tb_put(p, &b, "}}", 2);
            free(inner.s);
            continue;
        }
        ref r = ref_parse(g.expr);
        const char *literal = placeholder_path(scope, mask, g.expr);
        const char *param = NULL;
        if (literal) {
            tb_put(p, &b, literal, strlen(literal));
            changed = true;
        } else if (r.artifact && r.rest.len == 0 && !template_runs_pod(scope->t) && /* dags, steps, the workflow's hooks */
                   ref_backing(p, scope, r, &param, NULL) == BACK_VOLUME && param) {
            if (r.kind == REF_OUTPUT) {
                tb_put(p, &b, r.steps ? "{{steps." : "{{tasks.", 8);
                tb_put(p, &b, r.step.s, r.step.len);
                tb_put(p, &b, ".outputs.parameters.", 20);
            } else {
                const char *head = r.kind == REF_INPUT ? "{{inputs.parameters." : "{{workflow.outputs.parameters.";
                tb_put(p, &b, head, strlen(head));
            }
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
    const char *result = edit_intern(&p->ed, b.s ? b.s : "", b.len);
    free(b.s);
    return result;
}

/* Rewrites every scalar of a template's subtree (leaving inline templates,
 * which are planned on their own). Expression-valued fields (fromExpression,
 * valueFrom.expression) hold bare expressions. */
static void rewrite_tree(applier *e, tplan *scope, const bool *mask, node *n, bool expression)
{
    if (n->inert)
        return; /* no reference anywhere below: see src/doc.h */
    if (n->kind == NODE_SCALAR) {
        if (n->line == 0)
            return; /* added by volpass, rewritten already (and maybe shared: see src/edit.h) */
        const char *text;
        if (expression && !strstr(n->as.text, "artifacts")) {
            text = NULL;
        } else if (expression) {
            text_buf b = {NULL, 0, 0};
            rewrite_expression(e, scope, mask, (span){n->as.text, n->len}, &b);
            text = b.s && strcmp(b.s, n->as.text) != 0 ? edit_intern(e->ed, b.s, b.len) : NULL;
            free(b.s);
        } else {
            text = rewrite_text(e, scope, mask, n->as.text);
        }
        if (text) {
            if (node_set_text(e->ed->mem, n, text, strlen(text)) != 0)
                e->ed->oom = true;
            if (n->style == STYLE_PLAIN)
                n->style = STYLE_ANY;
        }
        return;
    }
    size_t slots = node_slots(n);
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

static node *mount_node(applier *e, const char *path, node *sub_path, bool read_only)
{
    pairs m = {{NULL}, 0};
    edit_put(e->ed, &m, "name", edit_str(e->ed, e->volume));
    edit_put(e->ed, &m, "mountPath", edit_str(e->ed, path));
    edit_put(e->ed, &m, "subPath", sub_path);
    if (read_only)
        edit_put(e->ed, &m, "readOnly", edit_true(e->ed));
    return edit_mapping(e->ed, &m);
}

static const char *out_sub_path(applier *e, const tplan *tp, size_t mount)
{
    return edit_cat(e->ed, e->prefix, "{{workflow.uid}}/{{pod.name}}/", tp->mounts[mount].key);
}

static node *volume_entry(applier *e);

/* A pod template in the form `mask` (which inputs come from the volume). A
 * containerSet's pod gets a workflow's volume only where the set's shared
 * mounts name it (template_reaches), not the main container's: the template
 * gets the volume as its own. */
static void apply_pod(applier *e, tplan *tp, node *n, const bool *mask)
{
    const template *t = tp->t;
    node *container = main_container(n, t);
    rewrite_tree(e, tp, mask, n, false); /* placeholders first, while the artifacts are declared */
    for (size_t k = 0; k < t->inputs.count; k++) {
        if (!mask[k])
            continue;
        const art_plan *in = &tp->in[k];
        pairs param = {{NULL}, 0};
        edit_put(e->ed, &param, "name", edit_str(e->ed, in->param));
        replace_artifact(e, edit_map_field(e->ed, n, "inputs"), edit_mapping(e->ed, &param), &t->inputs, in->a);
        edit_push(e->ed, edit_list_field(e->ed, container, "volumeMounts"),
             mount_node(e, in->path, edit_str(e->ed, edit_cat(e->ed, "{{inputs.parameters.", in->param, "}}")), true));
    }
    remove_artifacts(e, n, "inputs", &t->inputs, in_mask, mask);
    for (size_t m = 0; m < tp->nmounts; m++)
        edit_push(e->ed, edit_list_field(e->ed, container, "volumeMounts"),
             mount_node(e, tp->mounts[m].dir, edit_str(e->ed, out_sub_path(e, tp, m)), false));
    bool mounted = tp->nmounts > 0;
    for (size_t k = 0; k < t->inputs.count; k++)
        mounted |= mask[k];
    if (mounted && !template_reaches(t, e->volume))
        edit_push(e->ed, edit_list_field(e->ed, n, "volumes"), volume_entry(e));
    for (size_t k = 0; k < t->outputs.count; k++) {
        const art_plan *o = &tp->out[k];
        if (!o->convert)
            continue;
        const char *where = out_sub_path(e, tp, o->mount);
        pairs param = {{NULL}, 0};
        edit_put(e->ed, &param, "name", edit_str(e->ed, o->param));
        edit_put(e->ed, &param, "value", edit_str(e->ed, *o->file ? edit_cat(e->ed, where, "/", o->file) : where));
        if (o->global)
            edit_put(e->ed, &param, "globalName", edit_str(e->ed, o->global));
        node *outputs = edit_map_field(e->ed, n, "outputs");
        if (output_removed(o))
            replace_artifact(e, outputs, edit_mapping(e->ed, &param), &t->outputs, o->a);
        else /* the artifact stays, with its comments */
            edit_push(e->ed, edit_list_field(e->ed, outputs, "parameters"), edit_mapping(e->ed, &param));
    }
    remove_artifacts(e, n, "outputs", &t->outputs, removed, tp->out);
}

static void apply_arguments(applier *e, tplan *scope, const call_plan *cp, node *call_node)
{
    const call_site *c = cp->c;
    node *args = map_get(call_node, "arguments");
    for (size_t i = 0; i < c->arguments.count; i++) {
        const artifact *a = &c->arguments.items[i];
        const char *param = cp->arg_params[i];
        if (!param)
            continue;
        const char *value;
        if (a->from) {
            value = rewrite_text(e, scope, NULL, a->from->as.text);
            if (!value)
                value = a->from->as.text;
        } else {
            text_buf b = {NULL, 0, 0};
            rewrite_expression(e, scope, NULL, (span){a->from_expression->as.text, a->from_expression->len}, &b);
            value = edit_fmt(e->ed, "{{=%s}}", b.s ? b.s : "");
            free(b.s);
        }
        const char *sub = a->sub_path ? joined_sub_path(e, a->sub_path) : "";
        if (*sub)
            value = edit_cat(e->ed, value, "/", sub);
        pairs pn = {{NULL}, 0};
        edit_put(e->ed, &pn, "name", edit_str(e->ed, param));
        edit_put(e->ed, &pn, "value", edit_str(e->ed, value));
        replace_artifact(e, args, edit_mapping(e->ed, &pn), &c->arguments, a);
    }
    remove_artifacts(e, call_node, "arguments", &c->arguments, passed_as_parameter, cp);
    if (cp->twin && cp->c->kind == CALL_ON_EXIT) { /* the call node is the task, step or spec */
        edit_set(e->ed, call_node, "onExit", edit_str(e->ed, cp->twin));
    } else if (cp->twin) { /* Argo runs a call's inline template before its named one */
        map_remove(call_node, "templateRef");
        map_remove(call_node, "inline");
        edit_set(e->ed, call_node, "template", edit_str(e->ed, cp->twin));
    }
}

/* Appends text[0, n) to expression b inside a quoted string. */
static void put_quoted(applier *e, text_buf *b, const char *text, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (text[i] == '\\' || text[i] == '\'')
            tb_put(e->p, b, "\\", 1);
        tb_put(e->p, b, text + i, 1);
    }
}

/* Appends subPath `sub` to expression b, which has a quoted string open,
 * and closes it: an input parameter's tag becomes the expression's variable
 * (its value, whatever it holds, read as it is); the rest stays quoted text,
 * where Argo pastes the workflow's name, namespace or uid (the plan allows
 * no other tag: sub_path_fits_expression). */
static void append_sub_path(applier *e, text_buf *b, const char *sub)
{
    size_t pos = 0, len = strlen(sub), done = 0;
    bool quoted = true;
    tag g;
    while (tag_next(sub, len, &pos, &g)) {
        ref r = tag_ref(&g);
        if (r.kind != REF_INPUT || r.artifact)
            continue;
        if (g.start > done && !quoted)
            tb_put(e->p, b, " + '", 4);
        put_quoted(e, b, sub + done, g.start - done);
        if (g.start > done || quoted)
            tb_put(e->p, b, "'", 1);
        tb_put(e->p, b, " + inputs.parameters['", 22);
        put_quoted(e, b, r.name.s, r.name.len);
        tb_put(e->p, b, "']", 2);
        quoted = false;
        done = g.end;
    }
    if (done < len || quoted) {
        if (!quoted)
            tb_put(e->p, b, " + '", 4);
        put_quoted(e, b, sub + done, len - done);
        tb_put(e->p, b, "'", 1);
    }
}

/* The expression a dag or steps output's location parameter takes its value
 * from: its fromExpression, or its `from` reference as one, with the
 * parameters that carry locations in place of artifacts; followed by
 * + '/SUBPATH' when it passes on a part of that artifact (valueFrom.parameter
 * names one parameter, it cannot append). */
static const char *output_expression(applier *e, tplan *tp, const artifact *a)
{
    span expr = {a->from_expression ? a->from_expression->as.text : "", a->from_expression ? a->from_expression->len : 0};
    size_t pos = 0;
    tag g;
    if (a->from && tag_next(a->from->as.text, a->from->len, &pos, &g)) /* its {{reference}} or {{=expression}} */
        expr = g.expr;
    text_buf b = {NULL, 0, 0};
    const char *sub = a->sub_path ? joined_sub_path(e, a->sub_path) : "";
    if (*sub)
        tb_put(e->p, &b, "(", 1);
    rewrite_expression(e, tp, NULL, expr, &b);
    if (*sub) {
        tb_put(e->p, &b, ") + '/", 6);
        append_sub_path(e, &b, sub);
    }
    const char *text = edit_intern(e->ed, b.s ? b.s : "", b.len);
    free(b.s);
    return text;
}

static void apply_graph(applier *e, tplan *tp, call_plan *calls)
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
        pairs param = {{NULL}, 0}, value_from = {{NULL}, 0};
        if (o->a->from && !o->a->sub_path) {
            const char *v = rewrite_text(e, tp, NULL, o->a->from->as.text);
            edit_put(e->ed, &value_from, "parameter", edit_str(e->ed, v ? v : o->a->from->as.text));
        } else {
            edit_put(e->ed, &value_from, "expression", edit_str(e->ed, output_expression(e, tp, o->a)));
        }
        edit_put(e->ed, &param, "name", edit_str(e->ed, o->param));
        edit_put(e->ed, &param, "valueFrom", edit_mapping(e->ed, &value_from));
        if (o->global)
            edit_put(e->ed, &param, "globalName", edit_str(e->ed, o->global));
        replace_artifact(e, edit_map_field(e->ed, n, "outputs"), edit_mapping(e->ed, &param), &t->outputs, o->a);
    }
    remove_artifacts(e, n, "outputs", &t->outputs, converted, tp->out);
    for (size_t k = 0; k < t->inputs.count; k++) {
        if (!tp->in[k].convert)
            continue;
        pairs param = {{NULL}, 0};
        edit_put(e->ed, &param, "name", edit_str(e->ed, tp->in[k].param));
        replace_artifact(e, edit_map_field(e->ed, n, "inputs"), edit_mapping(e->ed, &param), &t->inputs, tp->in[k].a);
    }
    rewrite_tree(e, tp, NULL, n, false);
    remove_artifacts(e, n, "inputs", &t->inputs, converted, tp->in);
}

/* Whether n's subtree mounts volume `name`: holds a mapping with a
 * mountPath and that name. Stops at the first. */
static bool mounts_volume(const node *n, const char *name)
{
    if (n->kind == NODE_SCALAR)
        return false;
    if (n->kind == NODE_MAPPING && map_get(n, "mountPath") && scalar_is(map_get(n, "name"), name))
        return true;
    size_t slots = node_slots(n);
    for (size_t i = n->kind == NODE_MAPPING; i < slots; i += 1 + (n->kind == NODE_MAPPING))
        if (mounts_volume(n->as.items[i], name))
            return true;
    return false;
}

/* Whether the pods that reference r runs get the callee's volumes from the
 * caller: a templateRef, save one of a Workflow to the WorkflowTemplate it
 * runs (workflowTemplateRef), whose volumes Argo joins to its own. */
static bool runs_with_caller_volumes(const call_tree *tree, const doc_ref *r)
{
    return r->template_ref && call_tree_runs(tree, &tree->wfs[r->caller]) != &tree->wfs[r->callee];
}

/* Which documents need the volume among theirs, one bool each: those whose
 * pods mount it, and those that run such pods through templateRef
 * (directly, or through other documents' templates), or run templates of a
 * document not in the stream or named by parameters, which may mount
 * anything. NULL when out of memory. */
static bool *documents_mounting(const call_tree *tree, const char *volume)
{
    size_t n = tree->nwfs, nq = 0;
    bool *mounts = calloc(n + 1, sizeof *mounts);
    size_t *start = calloc(n + 2, sizeof *start), *callers = malloc((tree->nrefs + 1) * sizeof *callers),
           *queue = malloc((n + 1) * sizeof *queue);
    if (mounts && start && callers && queue) {
        /* the templateRef references by callee: document d's callers are callers[start[d], start[d + 1]) */
        for (size_t r = 0; r < tree->nrefs; r++)
            start[tree->refs[r].callee + 2] += runs_with_caller_volumes(tree, &tree->refs[r]);
        for (size_t d = 2; d <= n + 1; d++)
            start[d] += start[d - 1];
        for (size_t r = 0; r < tree->nrefs; r++)
            if (runs_with_caller_volumes(tree, &tree->refs[r]))
                callers[start[tree->refs[r].callee + 1]++] = tree->refs[r].caller;
        for (size_t d = 0; d < n; d++) {
            const workflow *wf = &tree->wfs[d];
            mounts[d] = wf->root && wf->spec &&
                        (mounts_volume(wf->spec, volume) || tree->calls_outside[d] || tree->runs_any[d]);
            if (mounts[d])
                queue[nq++] = d;
        }
        while (nq) { /* each document is queued once at most: when it is found to need the volume */
            size_t d = queue[--nq];
            for (size_t c = start[d]; c < start[d + 1]; c++)
                if (!mounts[callers[c]]) {
                    mounts[callers[c]] = true;
                    queue[nq++] = callers[c];
                }
        }
    }
    free(start);
    free(callers);
    free(queue);
    if (!(start && callers && queue)) {
        free(mounts);
        return NULL;
    }
    return mounts;
}

/* The volume as a pod's volume: --volume's source, or with
 * --volume-claim-template the claim Argo makes of it for each run, which it
 * names after the workflow. */
static node *volume_entry(applier *e)
{
    pairs name = {{NULL}, 0};
    edit_put(e->ed, &name, "name", edit_str(e->ed, e->volume));
    node *entry = edit_mapping(e->ed, &name);
    if (e->p->ctx->claim) {
        pairs claim = {{NULL}, 0};
        edit_put(e->ed, &claim, "claimName", edit_str(e->ed, edit_cat(e->ed, CLAIM_PREFIX, e->volume)));
        edit_set(e->ed, entry, "persistentVolumeClaim", edit_mapping(e->ed, &claim));
        return entry;
    }
    const node *v = e->p->ctx->volume;
    /* Keys copied as nodes, not as C strings: "name\0x" must not become "name". */
    for (size_t i = 0; v && i < v->len; i++)
        if (!scalar_is(map_key(v, i), "name") &&
            (!entry || map_push(e->ed->mem, entry, node_copy(e->ed->mem, map_key(v, i)),
                                node_copy(e->ed->mem, map_value(v, i))) != 0))
            e->ed->oom = true;
    return entry;
}

/* Warns of each workflow parameter that scalar n (or one inside it) of
 * --volume or --volume-claim-template names and Workflow wf does not
 * declare (nor a WorkflowTemplate it runs): Argo resolves it only from
 * the parameters it is given, which `argo submit -p` may add. */
static void warn_undeclared_parameters(applier *e, const workflow *wf, const node *n)
{
    if (n->kind != NODE_SCALAR) {
        size_t slots = node_slots(n);
        for (size_t i = 0; i < slots; i++)
            warn_undeclared_parameters(e, wf, n->as.items[i]);
        return;
    }
    const workflow *runs = call_tree_runs(e->p->tree, wf);
    size_t pos = 0;
    tag g;
    while (tag_next(n->as.text, n->len, &pos, &g)) {
        ref r = tag_ref(&g);
        if (r.kind == REF_WORKFLOW_PARAMETER && !parameter_named(wf->parameters, r.name.s, r.name.len) &&
            !(runs && parameter_named(runs->parameters, r.name.s, r.name.len)))
            plan_warn(e->p, wf->root, "the volume '%s' this %s's pods mount names workflow parameter '%.*s', "
                      "which it does not declare (%s): submit it with -p %.*s=..., or Argo cannot resolve it",
                      e->volume, wf->kind, (int)r.name.len, r.name.s,
                      strcmp(wf->kind, "CronWorkflow") == 0 ? "spec.workflowSpec.arguments.parameters"
                                                            : "spec.arguments.parameters",
                      (int)r.name.len, r.name.s);
    }
}

/* The volume itself: in spec.volumes, or as a claim in spec.volumeClaimTemplates. */
static void add_volume(applier *e, workflow *wf, const stream_calls *r)
{
    const scheme_ctx *ctx = e->p->ctx;
    /* WorkflowTemplates get it too: they can be submitted on their own. */
    if (!wf->spec || r->claim_elsewhere)
        return;
    if (volume_listed(NULL, map_get(wf->spec, ctx->claim ? "volumeClaimTemplates" : "volumes"), e->volume))
        return; /* converted before, by these options: it has the volume */
    if (strcmp(wf->kind, "Workflow") == 0 || strcmp(wf->kind, "CronWorkflow") == 0) /* others are given them */
        warn_undeclared_parameters(e, wf, ctx->claim ? ctx->claim : ctx->volume);
    if (ctx->claim) {
        pairs meta = {{NULL}, 0}, claim = {{NULL}, 0};
        edit_put(e->ed, &meta, "name", edit_str(e->ed, e->volume));
        edit_put(e->ed, &claim, "metadata", edit_mapping(e->ed, &meta));
        edit_put(e->ed, &claim, "spec", node_copy(e->ed->mem, ctx->claim));
        edit_push(e->ed, edit_list_field(e->ed, wf->spec, "volumeClaimTemplates"), edit_mapping(e->ed, &claim));
        return;
    }
    edit_push(e->ed, edit_list_field(e->ed, wf->spec, "volumes"), volume_entry(e));
}

static void apply_template(applier *e, tplan *tp)
{
    vplan *p = e->p;
    template *t = tp->t;
    if (template_is_graph(t)) {
        apply_graph(e, tp, tp->calls);
        return;
    }
    if (!template_runs_pod(t))
        return;
    /* Twins are copies of the template as written, made before it changes. */
    node *copies[MAX_TWINS];
    for (size_t k = 0; k < tp->ntwins; k++) {
        copies[k] = node_clone(p->ed.mem, t->node);
        p->ed.oom |= !copies[k];
    }
    bool *defaults = arena_alloc(p->ed.mem, t->inputs.count + 1);
    if (!defaults || p->ed.oom) {
        p->ed.oom = true;
        return;
    }
    for (size_t k = 0; k < t->inputs.count; k++)
        defaults[k] = tp->in[k].convert;
    apply_pod(e, tp, t->node, defaults);
    for (size_t k = 0; k < tp->ntwins && !p->ed.oom; k++) {
        apply_pod(e, tp, copies[k], tp->twins[k].mask);
        edit_set_first(e->ed, copies[k], "name", edit_str(e->ed, tp->twins[k].name));
        edit_push(e->ed, edit_list_field(e->ed, tp->twins[k].home->spec, "templates"), copies[k]);
    }
}

/* Applies the plans of t and of the templates inline in it, parents first. */
static void apply_all(applier *e, template *t)
{
    tplan *tp = plan_of(t);
    if (!tp)
        return;
    apply_template(e, tp);
    for (size_t c = 0; c < t->ncalls; c++)
        if (t->calls[c].inline_template)
            apply_all(e, t->calls[c].inline_template);
}

static void apply_roots(applier *e, workflow *wf, const stream_calls *r)
{
    for (size_t c = 0; r->handlers && c < wf->handlers.ncalls; c++)
        apply_arguments(e, r->scope, &r->handlers[c], wf->handlers.calls[c].node);
    if (r->entry_plan.twin)
        edit_set(e->ed, wf->spec, "entrypoint", edit_str(e->ed, r->entry_plan.twin));
}

vp_status scheme_volume(const scheme_ctx *ctx, call_tree *tree, graph_twins *twins, vp_error **err)
{
    vplan p;
    vplan_init(&p, ctx, tree, twins);
    stream_calls *roots = NULL;
    const char *volume = NULL;
    volume_plan(&p, &roots, &volume);
    if (!p.err && !p.ed.oom) { /* edit only when nothing was refused */
        applier e = {&p, &p.ed, volume, ctx->path_prefix};
        for (size_t d = 0; d < tree->nwfs; d++) {
            workflow *wf = &tree->wfs[d];
            if (!wf->root)
                continue;
            for (size_t i = 0; i < wf->ntemplates; i++)
                apply_all(&e, &wf->templates[i]);
            apply_roots(&e, wf, &roots[d]);
        }
        /* After every twin is in place: a document gets the volume when pods
         * that run with its volumes mount it, its own or those of templates
         * it runs through templateRef. One converted already gets none. A
         * WorkflowTemplate run through workflowTemplateRef brings its own
         * volumes, which Argo joins to the Workflow's (and with
         * templateReferencing Strict, refuses a Workflow that sets any). */
        bool *mounts = documents_mounting(tree, volume);
        for (size_t d = 0; mounts && d < tree->nwfs; d++) {
            workflow *wf = &tree->wfs[d];
            if (wf->root && wf->spec && (mounts[d] || roots[d].claim_replaced))
                add_volume(&e, wf, &roots[d]);
        }
        if (!mounts)
            p.ed.oom = true;
        free(mounts);
    }
    free(roots);
    vplan_free(&p);
    if (p.ed.oom && !p.err)
        p.err = error_oom();
    return p.err ? error_give(err, p.err) : VP_OK;
}

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

#include "volume_plan.h"

/* ---- applying: node building ------------------------------------------ */

typedef struct editor {
    vplan *p;
    const char *volume;
    const char *prefix;
    strmap strings; /* text -> the one string scalar volpass adds with it */
    node *yes;      /* the plain `true` of every readOnly mount */
} editor;

/* The string scalar `text`. What volpass adds is written once and never
 * changed in place (rewrite_tree leaves it alone), so the hundreds of
 * thousands of keys, names, paths and subPaths a large rewrite adds, of
 * only thousands of different texts, can be one node per text. */
static node *str(editor *e, const char *text)
{
    size_t len = strlen(text);
    node *n = strmap_get(&e->strings, text, len);
    if (n)
        return n;
    const char *copy = plan_intern(e->p, text, len);
    n = node_text(e->p->mem, copy, len, STYLE_ANY);
    if (!n || strmap_put(&e->strings, copy, len, n) != 0)
        e->p->oom = true;
    return n;
}

/* A mapping volpass adds, gathered here and then allocated at its final size. */
typedef struct pairs {
    node *items[8];
    size_t n;
} pairs;

static void put(editor *e, pairs *m, const char *key, node *value)
{
    m->items[m->n++] = str(e, key);
    m->items[m->n++] = value;
}

/* map[key] = value; a new key goes at the end, as a shared string. */
static void set(editor *e, node *map, const char *key, node *value)
{
    long i = map_find(map, key);
    if (i >= 0 && value)
        map->as.items[2 * i + 1] = value;
    else if (!map || !value || map_push(e->p->mem, map, str(e, key), value) != 0)
        e->p->oom = true;
}

static node *mapping(editor *e, const pairs *m)
{
    node *n = node_mapping(e->p->mem, m->items, m->n / 2);
    for (size_t i = 0; i < m->n; i++)
        n = m->items[i] ? n : NULL;
    e->p->oom |= !n;
    return n;
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
    if (!unflow(map))
        e->p->oom = true;
    set(e, map, key, seq);
    return seq;
}

/* map[key] as a mapping, created when absent. */
static node *map_field(editor *e, node *map, const char *key)
{
    node *v = map_get(map, key);
    if (v && v->kind == NODE_MAPPING)
        return v;
    node *m = node_collection(e->p->mem, NODE_MAPPING, STYLE_ANY);
    if (!unflow(map))
        e->p->oom = true;
    set(e, map, key, m);
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
        size_t k = artifact_index(&scope->t->inputs, r.name.s, r.name.len);
        return k != NOT_FOUND && mask[k] && scope->t->inputs.items[k].path ? scope->t->inputs.items[k].path->as.text : NULL;
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
    size_t k = artifact_index(&scope->t->outputs, name.s, name.len);
    return k != NOT_FOUND && scope->out[k].convert && !scope->out[k].keep ? scope->t->outputs.items[k].path->as.text : NULL;
}

/* In an expression, artifact references become parameter references in
 * bracket form (names hold '-'): outputs.artifacts.x -> outputs.parameters['x-subpath']. */
static void rewrite_expression(editor *e, tplan *scope, span expr, text_buf *out)
{
    vplan *p = e->p;
    span alts[MAX_BRANCHES];
    size_t n = plan_branches(p, scope, expr, scope->t->node, alts);
    if (n == 0)
        return;
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

static const char *rewrite_text(editor *e, tplan *scope, const bool *mask, const char *text)
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
        } else if (r.artifact && r.rest.len == 0 && !template_runs_pod(scope->t) && /* dags, steps, the workflow's hooks */
                   ref_backing(p, scope, r, &param, NULL) == BACK_VOLUME && param) {
            const char *head = r.kind == REF_OUTPUT ? plan_fmt(p, "{{%s.%.*s.outputs.parameters.", r.steps ? "steps" : "tasks", (int)r.step.len, r.step.s)
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
    const char *result = plan_intern(p, b.s ? b.s : "", b.len);
    free(b.s);
    return result;
}

/* Rewrites every scalar of a template's subtree (leaving inline templates,
 * which are planned on their own). Expression-valued fields (fromExpression,
 * valueFrom.expression) hold bare expressions. */
static void rewrite_tree(editor *e, tplan *scope, const bool *mask, node *n, bool expression)
{
    if (n->kind == NODE_SCALAR) {
        if (n->line == 0)
            return; /* added by volpass, rewritten already (and maybe shared: see str) */
        const char *text;
        if (expression && !strstr(n->as.text, "artifacts")) {
            text = NULL;
        } else if (expression) {
            text_buf b = {NULL, 0, 0};
            rewrite_expression(e, scope, (span){n->as.text, n->len}, &b);
            text = b.s && strcmp(b.s, n->as.text) != 0 ? plan_intern(e->p, b.s, b.len) : NULL;
            free(b.s);
        } else {
            text = rewrite_text(e, scope, mask, n->as.text);
        }
        if (text) {
            if (node_set_text(e->p->mem, n, text, strlen(text)) != 0)
                e->p->oom = true;
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
    pairs m = {{NULL}, 0};
    put(e, &m, "name", str(e, e->volume));
    put(e, &m, "mountPath", str(e, path));
    put(e, &m, "subPath", sub_path);
    if (read_only)
        put(e, &m, "readOnly", e->yes ? e->yes : (e->yes = node_scalar(e->p->mem, "true", 4, STYLE_PLAIN)));
    return mapping(e, &m);
}

static const char *out_sub_path(editor *e, const tplan *tp, size_t mount)
{
    return plan_cat(e->p, e->prefix, "{{workflow.uid}}/{{pod.name}}/", tp->mounts[mount].key, NULL);
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
        pairs param = {{NULL}, 0};
        put(e, &param, "name", str(e, in->param));
        push(e, list_field(e, map_field(e, n, "inputs"), "parameters"), mapping(e, &param));
        push(e, list_field(e, container, "volumeMounts"),
             mount_node(e, in->path, str(e, plan_cat(e->p, "{{inputs.parameters.", in->param, "}}", NULL)), true));
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
        pairs param = {{NULL}, 0};
        put(e, &param, "name", str(e, o->param));
        put(e, &param, "value", str(e, *o->file ? plan_cat(e->p, where, "/", o->file, NULL) : where));
        if (o->global)
            put(e, &param, "globalName", str(e, o->global));
        push(e, list_field(e, map_field(e, n, "outputs"), "parameters"), mapping(e, &param));
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
            rewrite_expression(e, scope, (span){a->from_expression->as.text, a->from_expression->len}, &b);
            value = plan_fmt(e->p, "{{=%s}}", b.s ? b.s : "");
            free(b.s);
        }
        if (a->sub_path)
            value = plan_cat(e->p, value, "/", a->sub_path->as.text, NULL);
        pairs pn = {{NULL}, 0};
        put(e, &pn, "name", str(e, param));
        put(e, &pn, "value", str(e, value));
        push(e, list_field(e, args, "parameters"), mapping(e, &pn));
        remove_artifact(call_node, "arguments", a->name);
    }
    if (cp->twin) {
        map_remove(call_node, "templateRef");
        set(e, call_node, "template", str(e, cp->twin));
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
        pairs param = {{NULL}, 0}, value_from = {{NULL}, 0};
        if (o->a->from) {
            const char *v = rewrite_text(e, tp, NULL, o->a->from->as.text);
            put(e, &value_from, "parameter", str(e, v ? v : o->a->from->as.text));
        } else {
            text_buf b = {NULL, 0, 0};
            rewrite_expression(e, tp, (span){o->a->from_expression->as.text, o->a->from_expression->len}, &b);
            put(e, &value_from, "expression", str(e, b.s ? b.s : ""));
            free(b.s);
        }
        put(e, &param, "name", str(e, o->param));
        put(e, &param, "valueFrom", mapping(e, &value_from));
        if (o->global)
            put(e, &param, "globalName", str(e, o->global));
        push(e, list_field(e, map_field(e, n, "outputs"), "parameters"), mapping(e, &param));
        remove_artifact(n, "outputs", o->a->name);
    }
    for (size_t k = 0; k < t->inputs.count; k++) {
        if (!tp->in[k].convert)
            continue;
        pairs param = {{NULL}, 0};
        put(e, &param, "name", str(e, tp->in[k].param));
        push(e, list_field(e, map_field(e, n, "inputs"), "parameters"), mapping(e, &param));
    }
    rewrite_tree(e, tp, NULL, n, false);
    for (size_t k = 0; k < t->inputs.count; k++)
        if (tp->in[k].convert)
            remove_artifact(n, "inputs", tp->in[k].a->name);
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
        pairs meta = {{NULL}, 0}, claim = {{NULL}, 0};
        put(e, &meta, "name", str(e, e->volume));
        put(e, &claim, "metadata", mapping(e, &meta));
        put(e, &claim, "spec", node_copy(e->p->mem, ctx->claim));
        push(e, list_field(e, wf->spec, "volumeClaimTemplates"), mapping(e, &claim));
        return;
    }
    pairs name = {{NULL}, 0};
    put(e, &name, "name", str(e, e->volume));
    entry = mapping(e, &name);
    const node *v = ctx->volume;
    /* Keys copied as nodes, not as C strings: "name\0x" must not become "name". */
    for (size_t i = 0; v && i < v->len; i++)
        if (!scalar_is(map_key(v, i), "name") &&
            (!entry || map_push(e->p->mem, entry, node_copy(e->p->mem, map_key(v, i)),
                                node_copy(e->p->mem, map_value(v, i))) != 0))
            e->p->oom = true;
    push(e, list_field(e, wf->spec, "volumes"), entry);
}

static void apply_template(editor *e, tplan *tp, call_plan *calls)
{
    vplan *p = e->p;
    template *t = tp->t;
    if (template_is_graph(t)) {
        apply_graph(e, tp, calls);
        return;
    }
    if (!template_runs_pod(t))
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
        set(e, copies[k], "name", str(e, tp->twins[k].name));
        push(e, list_field(e, tp->twins[k].home->spec, "templates"), copies[k]);
    }
}

static void apply_all(editor *e, template *t, call_plan **calls, size_t *next)
{
    tplan *tp = plan_of(t);
    if (!tp)
        return;
    apply_template(e, tp, calls[(*next)++]);
    for (size_t c = 0; c < t->ncalls; c++)
        if (t->calls[c].inline_template)
            apply_all(e, t->calls[c].inline_template, calls, next);
}

static void apply_roots(editor *e, workflow *wf, const stream_calls *r)
{
    for (size_t c = 0; r->handlers && c < wf->handlers.ncalls; c++)
        apply_arguments(e, r->scope, &r->handlers[c], wf->handlers.calls[c].node);
    if (r->entry_plan.twin)
        set(e, wf->spec, "entrypoint", str(e, r->entry_plan.twin));
}

vp_status scheme_volume(const scheme_ctx *ctx, call_tree *tree, vp_error **err)
{
    vplan p;
    memset(&p, 0, sizeof p);
    p.ctx = ctx;
    p.tree = tree;
    p.mem = ctx->arena;
    strmap_init(&p.globals);
    strmap_init(&p.twin_names);
    strmap_init(&p.texts);
    call_plan **calls = NULL;
    stream_calls *roots = NULL;
    const char *volume = NULL;
    volume_plan(&p, &calls, &roots, &volume);
    if (!p.err && !p.oom) { /* edit only when nothing was refused */
        editor e = {&p, volume, ctx->path_prefix, {NULL, 0, 0}, NULL};
        strmap_init(&e.strings);
        size_t next = 0;
        for (size_t d = 0; d < tree->nwfs; d++) {
            workflow *wf = &tree->wfs[d];
            if (!wf->root)
                continue;
            for (size_t i = 0; i < wf->ntemplates; i++)
                apply_all(&e, &wf->templates[i], calls, &next);
            apply_roots(&e, wf, &roots[d]);
            add_volume(&e, wf);
        }
        strmap_free(&e.strings);
    }
    free(calls);
    free(roots);
    strmap_free(&p.globals);
    strmap_free(&p.twin_names);
    strmap_free(&p.texts);
    free(p.scratch);
    if (p.oom && !p.err)
        p.err = error_oom();
    return p.err ? error_give(err, p.err) : VP_OK;
}

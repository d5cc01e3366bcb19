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
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "calltree.h"
#include "error.h"
#include "grow.h"
#include "paths.h"
#include "scalar.h"
#include "refs.h"
#include "stream.h"
#include "verify.h"
#include "volumes.h"

#define MAX_ALT EXPR_MAX_BRANCHES /* alternatives followed for one value (branches of ?:) */
#define MAX_GLOBAL_NESTING 8 /* globals looked up through one another */
#define BUDGET 20000         /* references followed to answer one question */
static const char over_budget[] = "references fan out more than verify follows";
/* A value read from an instance the call tree did not expand (a recursion
 * past MAX_RECURSION, calls nested past CALL_TREE_MAX_DEPTH): a branch of
 * an expression that leads there is left out, as the original's hand-offs
 * there are not followed either. */
static const char beyond_tree[] = "it is set in calls nested deeper than verify follows";
/* References followed through one another: a chain through every level of
 * the call tree, and then some. */
#define MAX_DEPTH (2 * CALL_TREE_MAX_DEPTH + 56) /* a call level costs two: the argument, then its from */
static const char too_deep[] = "artifact references nest too deeply";

typedef struct vctx {
    vp_verify_report *r;
    const char *file;  /* the rewritten stream's, for problem positions */
    call_tree orig, rew;
    strmap checked;    /* templates whose problems were looked for */
    strmap known;      /* problems the original has already: not the rewrite's doing */
    strmap reported;   /* problems reported, by place and text */
    bool baseline;     /* looking at the original, to fill `known` */
    bool oom;
    /* Global names being looked up, innermost last: a global set from itself
     * would make every lookup walk every instance again, without end. */
    span globals[MAX_GLOBAL_NESTING];
    size_t nglobals;
    size_t budget;     /* steps left for the question being answered (spend) */
    /* Where the rewrite's pods write outputs on shared volumes: "volume\npath"
     * of each place written (writes) and of each directory above one (above),
     * to the writer: a place two instances write is nobody's alone. */
    strmap writes, above;
} vctx;

/* Whether global `name` is being looked up already; else marks it so
 * (leave_global unmarks it). False, too, when lookups nest too deep. */
static bool enter_global(vctx *v, span name)
{
    for (size_t k = 0; k < v->nglobals; k++)
        if (v->globals[k].len == name.len && memcmp(v->globals[k].s, name.s, name.len) == 0)
            return false;
    if (v->nglobals == MAX_GLOBAL_NESTING)
        return false;
    v->globals[v->nglobals++] = name;
    return true;
}

static void leave_global(vctx *v)
{
    v->nglobals--;
}

/* ---- small helpers ------------------------------------------------------ */

static const char *VP_PRINTF(2, 3) fmt(vctx *v, const char *f, ...)
{
    va_list ap;
    va_start(ap, f);
    char *s = arena_vprintf(&v->r->mem, f, ap);
    va_end(ap);
    v->oom |= !s;
    return s ? s : "";
}

static const char *span_str(vctx *v, span s)
{
    return fmt(v, "%.*s", (int)s.len, s.s);
}

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

static void VP_PRINTF(4, 5) problem(vctx *v, const node *at, const template *t, const char *f, ...)
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

/* True the first time it sees template t run by workflow wf: the
 * workflow that runs a template may change its pods (its podSpecPatch,
 * templateDefaults, volumes), so each pair is looked at; a problem found
 * twice is reported once (problem). */
static bool first_visit(vctx *v, const template *t, const workflow *wf)
{
    const void **cell = arena_alloc(&v->r->mem, 2 * sizeof *cell);
    if (!cell) {
        v->oom = true;
        return false;
    }
    cell[0] = t;
    cell[1] = wf;
    if (strmap_get(&v->checked, (const char *)cell, 2 * sizeof *cell))
        return false;
    if (strmap_put(&v->checked, (const char *)cell, 2 * sizeof *cell, cell) != 0)
        v->oom = true;
    return true;
}

static const artifact *find_artifact(const artifact_list *l, span name)
{
    size_t i = artifact_index(l, name.s, name.len);
    return i == NOT_FOUND ? NULL : &l->items[i];
}

static node *find_parameter(const node *list, span name)
{
    return parameter_named(list, name.s, name.len);
}

static span text_span(const char *s)
{
    return (span){s, strlen(s)};
}

static const char *scalar_text(const node *n)
{
    return n && n->kind == NODE_SCALAR ? n->as.text : NULL;
}

/* ---- where an artifact comes from (original and rewrite alike) -------- */

typedef enum origin_kind { ORIGIN_OUTPUT, ORIGIN_SOURCE, ORIGIN_NONE, ORIGIN_UNRESOLVED } origin_kind;

typedef struct origin {
    origin_kind kind;
    const instance *producer; /* ORIGIN_OUTPUT */
    const char *output;
    const char *sub_path;     /* accumulated argument subPath, or NULL */
    const char *what;         /* ORIGIN_SOURCE: which source; ORIGIN_UNRESOLVED: why */
} origin;

typedef struct origins {
    origin o[MAX_ALT];
    size_t n;
    const char *limit; /* set when verify's own limits left some origin out: why */
} origins;

static void add_origin(origins *os, origin o)
{
    if (os->n < MAX_ALT)
        os->o[os->n++] = o;
    else if (!os->limit)
        os->limit = "it comes from more than 16 places";
}

static void unresolved(origins *os, const char *why)
{
    add_origin(os, (origin){ORIGIN_UNRESOLVED, NULL, NULL, NULL, why});
}

/* Where verify stops following, for a limit of its own: the input is not
 * at fault, but what was not followed is not checked either, which must
 * be said (find_handoffs). */
static void beyond_limit(origins *os, const char *why)
{
    unresolved(os, why);
    if (!os->limit)
        os->limit = why;
}

/* One step more of following references; false when the work one question
 * may take is spent (fan-outs of globals and ?: multiply without end). */
static bool spend(vctx *v)
{
    if (v->budget == 0)
        return false;
    v->budget--;
    return true;
}

static void input_origins(vctx *v, const call_tree *t, const instance *i, span name,
                          const char *sub, origins *os, int depth);
static void text_origins(vctx *v, const call_tree *t, const instance *scope, const char *text,
                         const char *sub, origins *os, int depth);
static const char *sub_path_value(vctx *v, const call_tree *t, const instance *scope, const node *text);

/* Subpath `inner` below subpath `outer`: what is passed on of a part. */
static const char *join_sub(vctx *v, const char *outer, const char *inner)
{
    if (!outer || !*outer)
        return inner;
    return inner && *inner ? fmt(v, "%s/%s", outer, inner) : outer;
}

static void expression_origins(vctx *v, const call_tree *t, const instance *scope, span e, const char *sub,
                               origins *os, int depth);

static void global_origins(vctx *v, const call_tree *t, span name, const char *sub, origins *os, int depth);
static void output_origins(vctx *v, const call_tree *t, const instance *x, const artifact *out, const char *sub,
                           origins *os, int depth);

static void ref_origins(vctx *v, const call_tree *t, const instance *scope, ref r, const char *sub,
                        origins *os, int depth)
{
    if (!spend(v)) {
        beyond_limit(os, over_budget);
        return;
    }
    if (depth > MAX_DEPTH) {
        beyond_limit(os, too_deep);
        return;
    }
    if (!r.artifact || r.kind == REF_NONE || r.kind == REF_WORKFLOW_PARAMETER) {
        unresolved(os, "not an artifact reference");
        return;
    }
    if (r.kind == REF_WORKFLOW_OUTPUT) {
        global_origins(v, t, r.name, sub, os, depth);
        return;
    }
    if (!scope) {
        unresolved(os, fmt(v, "'%s' is out of scope here", span_str(v, r.name)));
        return;
    }
    if (r.kind == REF_INPUT) {
        input_origins(v, t, scope, r.name, sub, os, depth + 1);
        return;
    }
    const instance *x = instance_sibling(t, scope, r.step);
    const char *dynamic = x && !x->tmpl && x->call ? call_target_dynamic(x->call) : NULL;
    if (dynamic) {
        beyond_limit(os, fmt(v, "it comes from '%s', whose templateRef is made of parameters (%s), known at run "
                             "time only", x->path, dynamic));
        return;
    }
    if (!x || !x->tmpl) {
        unresolved(os, fmt(v, "no task or step '%s' with a known template", span_str(v, r.step)));
        return;
    }
    if (x->call && x->call->looped) {
        unresolved(os, fmt(v, "'%s' runs in a loop, and Argo does not aggregate artifacts", x->path));
        return;
    }
    const artifact *out = find_artifact(&x->tmpl->outputs, r.name);
    if (!out) {
        unresolved(os, fmt(v, "'%s' has no output artifact '%s'", x->path, span_str(v, r.name)));
        return;
    }
    output_origins(v, t, x, out, sub, os, depth);
}

/* Where output `out` of instance x comes from: x's pod, or, for a dag or
 * steps template, what its from or fromExpression names. */
static void output_origins(vctx *v, const call_tree *t, const instance *x, const artifact *out, const char *sub,
                           origins *os, int depth)
{
    if (!template_is_graph(x->tmpl)) {
        add_origin(os, (origin){ORIGIN_OUTPUT, x, out->name, sub, NULL});
        return;
    }
    sub = join_sub(v, sub_path_value(v, t, x, out->sub_path), sub); /* the part of it passed on */
    if (out->from)
        text_origins(v, t, x, out->from->as.text, sub, os, depth + 1);
    else if (out->from_expression) {
        expression_origins(v, t, x, text_span(out->from_expression->as.text), sub, os, depth + 1);
    } else {
        unresolved(os, fmt(v, "output '%s' of '%s' has no from", out->name, x->path));
    }
}

/* `text` holds exactly one {{...}} reference (an argument's or output's from). */
static void text_origins(vctx *v, const call_tree *t, const instance *scope, const char *text,
                         const char *sub, origins *os, int depth)
{
    size_t pos = 0, len = strlen(text);
    tag g;
    if (!tag_next(text, len, &pos, &g) || g.start != 0 || g.end != len) {
        unresolved(os, fmt(v, "'%s' is not a single reference", text));
        return;
    }
    if (g.expression)
        expression_origins(v, t, scope, g.expr, sub, os, depth);
    else
        ref_origins(v, t, scope, ref_parse(g.expr), sub, os, depth);
}

/* Every branch of an expression that picks an artifact. */
static void expression_origins(vctx *v, const call_tree *t, const instance *scope, span e, const char *sub,
                               origins *os, int depth)
{
    span alts[MAX_ALT];
    size_t n = expr_alternatives(e, alts, MAX_ALT);
    if (n > MAX_ALT) {
        unresolved(os, fmt(v, "'%.*s' has more than %d branches", (int)e.len, e.s, MAX_ALT));
        return;
    }
    for (size_t k = 0; k < n; k++)
        ref_origins(v, t, scope, ref_parse(alts[k]), sub, os, depth);
}

/* Every output of i and the instances below it that sets global artifact `name`. */
static void global_leaf(vctx *v, const call_tree *t, const instance *i, span name, const char *sub, origins *os,
                        int depth)
{
    for (size_t k = 0; i->tmpl && k < i->tmpl->outputs.count; k++) {
        const artifact *a = &i->tmpl->outputs.items[k];
        if (a->global_name && span_is(name, a->global_name->as.text))
            output_origins(v, t, i, a, sub, os, depth + 1);
    }
    for (size_t c = 0; c < i->nchildren; c++)
        if (i->children[c])
            global_leaf(v, t, i->children[c], name, sub, os, depth);
}

static void global_origins(vctx *v, const call_tree *t, span name, const char *sub, origins *os, int depth)
{
    if (!enter_global(v, name)) {
        beyond_limit(os, fmt(v, "global artifact '%s' is set from itself, or through more than %d globals",
                             span_str(v, name), MAX_GLOBAL_NESTING));
        return;
    }
    size_t before = os->n;
    for (size_t r = 0; r < t->nroots; r++)
        global_leaf(v, t, t->roots[r], name, sub, os, depth);
    leave_global(v);
    if (os->n == before)
        unresolved(os, fmt(v, "no output has globalName '%s'", span_str(v, name)));
}

static void input_origins(vctx *v, const call_tree *t, const instance *i, span name,
                          const char *sub, origins *os, int depth)
{
    const artifact *arg = i->call ? find_artifact(&i->call->arguments, name) : NULL;
    if (!arg && !i->call && i->wf)
        arg = find_artifact(&i->wf->arguments, name); /* the entrypoint's: spec.arguments */
    if (arg) {
        const instance *scope = i->call ? i->parent : NULL;
        const char *s = join_sub(v, sub_path_value(v, t, scope, arg->sub_path), sub);
        if (arg->from) {
            text_origins(v, t, scope, arg->from->as.text, s, os, depth + 1);
        } else if (arg->from_expression) {
            expression_origins(v, t, scope, text_span(arg->from_expression->as.text), s, os, depth + 1);
        } else if (arg->source) {
            add_origin(os, (origin){ORIGIN_SOURCE, NULL, NULL, NULL, arg->source});
        } else {
            unresolved(os, fmt(v, "argument '%s' has neither from nor a source", arg->name));
        }
        return;
    }
    const artifact *own = i->tmpl ? find_artifact(&i->tmpl->inputs, name) : NULL;
    if (own && own->source)
        add_origin(os, (origin){ORIGIN_SOURCE, NULL, NULL, NULL, own->source});
    else if (own && own->optional)
        add_origin(os, (origin){ORIGIN_NONE, NULL, NULL, NULL, NULL});
    else
        unresolved(os, fmt(v, "nothing supplies input artifact '%s' of '%s'", span_str(v, name), i->path));
}

/* ---- symbolic values of parameters in the rewrite --------------------- */

typedef struct values {
    const char *v[MAX_ALT];
    size_t n;
    const char *why; /* set when the value cannot be known */
} values;

static void expression_values(vctx *v, const call_tree *t, const instance *scope, span e,
                              values *out, int depth);
static void resolve_text(vctx *v, const call_tree *t, const instance *scope, const char *text,
                         values *out, int depth);

static void one_value(values *out, const char *s)
{
    out->n = 1;
    out->v[0] = s;
    out->why = NULL;
}

static void cannot(values *out, const char *why)
{
    out->n = 0;
    out->why = why;
}

/* Where a parameter that a template takes gets its value, which decides
 * what wins (Argo's ProcessArgs and setGlobalParameters). From
 * GIVEN_BY_INPUT on, the parameter is the input's own declaration. */
typedef enum given_by {
    GIVEN_BY_ARGUMENT,   /* a call's argument: its `value`, else a ConfigMap's key */
    GIVEN_BY_SUBMISSION, /* spec.arguments: `value`, else a ConfigMap's key, else `argo submit -p` */
    GIVEN_BY_INPUT,      /* the input's own: a ConfigMap's key, else `value`, else `default` */
    GIVEN_BY_INPUT_OR_SUBMISSION, /* the entrypoint's or an exit handler's own: else `argo submit -p` */
    GIVEN_BY_INPUT_OR_CALLER      /* a template no call in the input reaches: else its callers elsewhere */
} given_by;

/* The values of parameter `p` of `owner`, given as `by` says. One read at
 * run time (a ConfigMap's key, `argo submit -p`, a caller outside the
 * input) is one value for its owner, the same on both sides of a rewrite;
 * `value` text is resolved in `scope`. */
static void given_values(vctx *v, const call_tree *t, const instance *scope, const node *p, given_by by,
                         const char *owner, values *out, int depth)
{
    const char *name = scalar_text(map_get(p, "name")) ? scalar_text(map_get(p, "name")) : "?";
    bool config_map = parameter_reads_config_map(p), own = by >= GIVEN_BY_INPUT;
    const node *value = parameter_own_value(p, own);
    if (value && !(config_map && own))
        resolve_text(v, t, scope, value->as.text, out, depth + 1);
    else if (config_map)
        one_value(out, fmt(v, "<parameter %s of %s, from a ConfigMap>", name, owner));
    else if (by == GIVEN_BY_SUBMISSION || by == GIVEN_BY_INPUT_OR_SUBMISSION)
        one_value(out, fmt(v, "<parameter %s of the workflow, given at submission>", name));
    else if (by == GIVEN_BY_INPUT_OR_CALLER)
        one_value(out, fmt(v, "<parameter %s of %s, given by a caller outside the input>", name, owner));
    else if (by == GIVEN_BY_INPUT)
        cannot(out, fmt(v, "{{inputs.parameters.%s}} of '%s' has no value", name, owner));
    else
        cannot(out, fmt(v, "argument '%s' to '%s' has no value", name, owner));
}

/* Whether instance i is its workflow's entrypoint (a root). */
static bool is_entrypoint(const instance *i)
{
    return !i->call && i->tmpl && i->wf->entrypoint && strcmp(i->wf->entrypoint, i->tmpl->name) == 0;
}

static void input_parameter(vctx *v, const call_tree *t, const instance *i, span name,
                            values *out, int depth)
{
    const node *declared = i->tmpl ? find_parameter(i->tmpl->input_parameters, name) : NULL;
    if (!declared) { /* Argo passes only declared parameters */
        cannot(out, fmt(v, "'%s' declares no input parameter '%s'", i->path, span_str(v, name)));
        return;
    }
    /* An argument wins over the input's own value or default; the
     * entrypoint's arguments and an exit handler's are spec.arguments, to
     * which `argo submit -p` may add. */
    bool submitted = is_entrypoint(i) || (i->call && i->call->workflow_arguments);
    const node *p = find_parameter(i->call ? i->call->parameters : submitted ? i->wf->parameters : NULL, name);
    if (p)
        given_values(v, t, i->parent, p, submitted ? GIVEN_BY_SUBMISSION : GIVEN_BY_ARGUMENT,
                     submitted ? "the workflow" : i->path, out, depth);
    else
        given_values(v, t, i, declared, submitted ? GIVEN_BY_INPUT_OR_SUBMISSION : i->call ? GIVEN_BY_INPUT
                                                                                           : GIVEN_BY_INPUT_OR_CALLER,
                     i->path, out, depth);
}

static void expression_values(vctx *v, const call_tree *t, const instance *scope, span e,
                              values *out, int depth);

/* An output parameter's value: `value`, valueFrom's parameter or
 * expression (dag and steps templates), or `default`; one set as the pod
 * runs (valueFrom.path, a resumed suspend's supplied value) takes what the
 * pod gives, whatever `value` says: the same on both sides of a rewrite
 * that keeps the pod. */
static void output_node_values(vctx *v, const call_tree *t, const instance *scope, const node *p,
                               values *out, int depth)
{
    const node *from = map_get(p, "valueFrom");
    const char *value = map_get(from, "path") ? NULL : scalar_text(map_get(p, "value"));
    const char *param = scalar_text(map_get(from, "parameter"));
    const char *expr = scalar_text(map_get(from, "expression"));
    if (value || param)
        resolve_text(v, t, scope, value ? value : param, out, depth + 1);
    else if (expr)
        expression_values(v, t, scope, text_span(expr), out, depth + 1);
    else if ((value = scalar_text(map_get(p, "default"))))
        resolve_text(v, t, scope, value, out, depth + 1);
    else
        one_value(out, fmt(v, "<output parameter %s of %s>", scalar_text(map_get(p, "name")) ?
                           scalar_text(map_get(p, "name")) : "?", scope->path));
}

static void output_parameter(vctx *v, const call_tree *t, const instance *x, span name,
                             values *out, int depth)
{
    if (x->call && x->call->looped) {
        cannot(out, fmt(v, "'%s' runs in a loop: its outputs are aggregated", x->path));
        return;
    }
    const node *p = x->tmpl ? find_parameter(x->tmpl->output_parameters, name) : NULL;
    if (!p) {
        cannot(out, fmt(v, "'%s' has no output parameter '%s'", x->path, span_str(v, name)));
        return;
    }
    output_node_values(v, t, x, p, out, depth);
}

/* A subPath with its parameters substituted, as Argo does before it applies
 * it; as written when they cannot be known, or NULL for none. */
static const char *sub_path_value(vctx *v, const call_tree *t, const instance *scope, const node *text)
{
    if (!text || !strchr(text->as.text, '{'))
        return text ? text->as.text : NULL;
    values vals;
    resolve_text(v, t, scope, text->as.text, &vals, 0);
    return !vals.why && vals.n == 1 ? vals.v[0] : text->as.text;
}

static void global_parameter(vctx *v, const call_tree *t, const instance *i, span name,
                             values *out, int depth)
{
    for (size_t k = 0; i->tmpl && k < (i->tmpl->output_parameters ? i->tmpl->output_parameters->len : 0); k++) {
        const node *p = i->tmpl->output_parameters->as.items[k];
        const char *g = scalar_text(map_get(p, "globalName"));
        if (g && span_is(name, g) && out->n < MAX_ALT) {
            values one;
            output_node_values(v, t, i, p, &one, depth);
            for (size_t j = 0; j < one.n && out->n < MAX_ALT; j++)
                out->v[out->n++] = one.v[j];
            if (one.why && !out->why)
                out->why = one.why;
        }
    }
    for (size_t c = 0; c < i->nchildren; c++)
        if (i->children[c])
            global_parameter(v, t, i->children[c], name, out, depth);
}

/* The text of a string literal's inside with its escapes read as Argo's
 * expressions read them: \n, \t and \r, and a backslash before any other
 * character (a quote, a backslash) for that character. */
static const char *unescaped(vctx *v, const char *text)
{
    if (!strchr(text, '\\'))
        return text;
    char *out = (char *)fmt(v, "%s", text), *o = out;
    for (const char *c = text; *c; c++) {
        if (*c == '\\' && c[1]) {
            c++;
            *o++ = *c == 'n' ? '\n' : *c == 't' ? '\t' : *c == 'r' ? '\r' : *c;
        } else {
            *o++ = *c;
        }
    }
    *o = '\0';
    return out;
}

/* The value of one reference or variable `e` seen from `scope`. Variables
 * that name no parameter ({{workflow.uid}}, {{workflow.name}}) are the same
 * on both sides of a hand-off, so they stay as written. */
static void variable_values(vctx *v, const call_tree *t, const instance *scope, span e,
                            bool in_expression, values *out, int depth)
{
    if (!spend(v)) {
        cannot(out, over_budget);
        return;
    }
    if (depth > MAX_DEPTH) {
        cannot(out, "parameter references nest too deeply");
        return;
    }
    if (span_is(e, "pod.name")) {
        if (scope)
            one_value(out, fmt(v, "<pod %s>", scope->path));
        else
            cannot(out, "{{pod.name}} outside a pod");
        return;
    }
    ref r = ref_parse(e);
    if (r.kind == REF_INPUT && !r.artifact && scope) {
        input_parameter(v, t, scope, r.name, out, depth);
    } else if (r.kind == REF_INPUT && r.artifact && span_is(r.rest, ".path") && scope && scope->tmpl) {
        const artifact *a = find_artifact(&scope->tmpl->inputs, r.name);
        if (a && a->path)
            one_value(out, a->path->as.text);
        else
            cannot(out, fmt(v, "no input artifact '%s' with a path", span_str(v, r.name)));
    } else if (r.kind == REF_OUTPUT && !r.artifact && scope) {
        const instance *x = instance_sibling(t, scope, r.step);
        if (x)
            output_parameter(v, t, x, r.name, out, depth);
        else if (scope->tmpl && scope->tmpl->ncalls && !scope->nchildren)
            cannot(out, beyond_tree);
        else
            cannot(out, fmt(v, "no task or step '%s'", span_str(v, r.step)));
    } else if (r.kind == REF_WORKFLOW_OUTPUT && !r.artifact) {
        out->n = 0;
        out->why = NULL;
        if (!enter_global(v, r.name)) {
            cannot(out, fmt(v, "global parameter '%s' is set from itself, or through too many globals",
                            span_str(v, r.name)));
            return;
        }
        for (size_t k = 0; k < t->nroots; k++)
            global_parameter(v, t, t->roots[k], r.name, out, depth + 1);
        leave_global(v);
        if (out->n == 0 && !out->why)
            out->why = fmt(v, "no output parameter has globalName '%s'", span_str(v, r.name));
    } else if (r.kind == REF_WORKFLOW_PARAMETER && scope) {
        const instance *root = scope;
        while (root->parent)
            root = root->parent;
        const node *p = find_parameter(root->wf->parameters, r.name);
        if (p)
            given_values(v, t, NULL, p, GIVEN_BY_SUBMISSION, "the workflow", out, depth);
        else
            one_value(out, fmt(v, "{{%s}}", span_str(v, e)));
    } else if (in_expression && e.len >= 2 && (e.s[0] == '\'' || e.s[0] == '"') && e.s[e.len - 1] == e.s[0]) {
        /* A string literal, with the {{…}} Argo substitutes in the template's text first, then its escapes. */
        resolve_text(v, t, scope, fmt(v, "%.*s", (int)e.len - 2, e.s + 1), out, depth + 1);
        for (size_t k = 0; k < out->n; k++)
            out->v[k] = unescaped(v, out->v[k]);
    } else if (r.kind != REF_NONE || in_expression) {
        cannot(out, fmt(v, "'%s' cannot be followed here", span_str(v, e)));
    } else {
        one_value(out, fmt(v, "{{%s}}", span_str(v, e)));
    }
}

/* The values of a sum of terms, `a + 'b'`: each combination, joined (Argo's
 * expressions join strings with +). */
static void sum_values(vctx *v, const call_tree *t, const instance *scope, const span *terms, size_t n,
                       values *out, int depth)
{
    one_value(out, "");
    for (size_t k = 0; k < n; k++) {
        values term;
        expression_values(v, t, scope, terms[k], &term, depth + 1);
        if (term.why) {
            cannot(out, term.why);
            return;
        }
        values next = {.n = 0, .why = NULL};
        for (size_t a = 0; a < out->n; a++)
            for (size_t b = 0; b < term.n && next.n < MAX_ALT; b++)
                next.v[next.n++] = fmt(v, "%s%s", out->v[a], term.v[b]);
        *out = next;
    }
}

static void expression_values(vctx *v, const call_tree *t, const instance *scope, span e,
                              values *out, int depth)
{
    if (depth > MAX_DEPTH) {
        cannot(out, "expressions nest too deeply");
        return;
    }
    span alts[MAX_ALT];
    size_t n = expr_alternatives(e, alts, MAX_ALT);
    out->n = 0;
    out->why = NULL;
    if (n > MAX_ALT) {
        cannot(out, fmt(v, "'%.*s' has more than %d branches", (int)e.len, e.s, MAX_ALT));
        return;
    }
    bool cut = false;
    for (size_t k = 0; k < n; k++) {
        values one;
        span terms[MAX_ALT];
        size_t nterms = expr_terms(alts[k], terms, MAX_ALT);
        if (nterms > MAX_ALT)
            cannot(&one, fmt(v, "'%.*s' joins more than %d terms", (int)alts[k].len, alts[k].s, MAX_ALT));
        else if (nterms > 1)
            sum_values(v, t, scope, terms, nterms, &one, depth);
        else
            variable_values(v, t, scope, alts[k], true, &one, depth + 1);
        cut |= one.why == beyond_tree;
        if (one.why && one.why != beyond_tree) {
            cannot(out, one.why);
            return;
        }
        for (size_t j = 0; j < one.n && out->n < MAX_ALT; j++)
            out->v[out->n++] = one.v[j];
    }
    if (out->n == 0 && cut)
        cannot(out, beyond_tree);
}

/* Substitutes every tag of `text`; several alternatives when a tag has them. */
static void resolve_text(vctx *v, const call_tree *t, const instance *scope, const char *text,
                         values *out, int depth)
{
    one_value(out, "");
    size_t len = strlen(text), pos = 0, last = 0;
    tag g;
    for (;;) {
        bool more = tag_next(text, len, &pos, &g);
        size_t upto = more ? g.start : len;
        values part;
        if (more) {
            if (g.expression)
                expression_values(v, t, scope, g.expr, &part, depth + 1);
            else
                variable_values(v, t, scope, g.expr, false, &part, depth + 1);
            if (part.why) {
                cannot(out, part.why);
                return;
            }
        }
        values next = {.n = 0, .why = NULL};
        for (size_t a = 0; a < out->n; a++)
            for (size_t b = 0; b < (more ? part.n : 1) && next.n < MAX_ALT; b++)
                next.v[next.n++] = fmt(v, "%s%.*s%s", out->v[a], (int)(upto - last), text + last,
                                       more ? part.v[b] : "");
        *out = next;
        if (!more)
            return;
        last = g.end;
    }
}

/* ---- locating a file on a volume ---------------------------------------- */

typedef struct location {
    const char *volume; /* the mount's volume name */
    const char *store;  /* the storage behind it (volume_storage) */
    const node *mount;
    values where; /* path inside that storage, normalised; alternatives */
} location;

/* A path as the pod sees it: parameters substituted (the first value when
 * there are several), or as written when they cannot be known. */
static const char *pod_path(vctx *v, const call_tree *t, const instance *i, const char *text)
{
    if (!v || !strstr(text, "{{"))
        return text;
    values vals;
    resolve_text(v, t, i, text, &vals, 0);
    return !vals.why && vals.n ? vals.v[0] : text;
}

/* The mount whose mountPath is the longest prefix of `path`, or NULL. With
 * v set, mount paths have their parameters substituted in instance i. */
static const node *covering_mount_in(vctx *v, const call_tree *tree, const instance *i,
                                     const template *t, const char *path, size_t *prefix_len)
{
    const node *best = NULL;
    size_t best_len = 0;
    for (int w = 0; w < TEMPLATE_MOUNT_LISTS; w++) {
        const node *mounts = template_mounts(t, w);
        for (size_t k = 0; mounts && mounts->kind == NODE_SEQUENCE && k < mounts->len; k++) {
            const char *mp = scalar_text(map_get(mounts->as.items[k], "mountPath"));
            if (mp)
                mp = pod_path(v, tree, i, mp);
            size_t n = mp ? path_covers(mp, path) : 0;
            if (n && (!best || n > best_len)) {
                best = mounts->as.items[k];
                best_len = n;
            }
        }
    }
    *prefix_len = best_len;
    return best;
}

static const node *covering_mount(const template *t, const char *path, size_t *prefix_len)
{
    return covering_mount_in(NULL, NULL, NULL, t, path, prefix_len);
}

static size_t mount_count(const template *t, const char *mount_path)
{
    size_t n = 0;
    for (int w = 0; w < TEMPLATE_MOUNT_LISTS; w++) {
        const node *mounts = template_mounts(t, w);
        for (size_t i = 0; mounts && mounts->kind == NODE_SEQUENCE && i < mounts->len; i++) {
            const char *mp = scalar_text(map_get(mounts->as.items[i], "mountPath"));
            n += mp && path_equal(mp, mount_path);
        }
    }
    return n;
}

/* Path `sub` of a volume showing directory `root` of its storage, then
 * `rest` below it: the path in the storage, normalised. */
static const char *storage_path(vctx *v, const char *root, const char *sub, const char *rest)
{
    char *path = (char *)fmt(v, "%s/%s/%s", root, sub, rest);
    path_normalize(path);
    return path + (*path == '/'); /* "/" when all three are empty */
}

/* The workflow whose run instance i is part of: its root's. */
static const workflow *running_workflow(const instance *i)
{
    while (i->parent)
        i = i->parent;
    return i->wf;
}

/* The volume named `name` of instance i's pod, as its template, the
 * running workflow or a WorkflowTemplate that workflow runs through
 * workflowTemplateRef (whose spec Argo joins to the Workflow's) declares
 * it; NULL for a claim of the workflow's, or none. A run of a
 * WorkflowTemplate is followed from the template (call_tree_expand): the
 * volumes of a Workflow that runs it come first (the first such Workflow's
 * in the stream). */
static const node *pod_volume(vctx *v, const instance *i, const char *name)
{
    const workflow *running = running_workflow(i);
    const node *vol = template_volume(i->tmpl, NULL, name);
    /* A Workflow's volumes take the place of those of the WorkflowTemplate it runs (workflowTemplateRef). */
    for (const workflow *r = running->runner; !vol && r; r = r->next_runner)
        vol = template_volume(i->tmpl, r, name);
    if (!vol)
        vol = template_volume(i->tmpl, running, name);
    const node *refers = map_get(running->spec, "workflowTemplateRef");
    const workflow *joined = refers && !vol ? call_tree_document(&v->rew, running, refers) : NULL;
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
    resolve_text(v, &v->rew, i, text, &vals, 0);
    return !vals.why && vals.n == 1 ? vals.v[0] : fmt(v, "%s\n<pod %s>", text, i->path);
}

/* The storage behind volume `name` of instance i's pod (volume_storage);
 * *root receives the directory of it the volume shows. A claim of the
 * workflow's is the one Argo makes for it, named after the workflow. */
static const char *storage_of(vctx *v, const instance *i, const char *name, const char **root)
{
    const node *vol = pod_volume(v, i, name);
    *root = "";
    const char *key = vol ? volume_storage(&v->r->mem, vol, root) : fmt(v, "persistentVolumeClaim\n{{workflow.name}}-%s", name);
    v->oom |= !key;
    *root = setting_in(v, i, *root);
    return key ? setting_in(v, i, key) : "";
}

static void locate(vctx *v, const call_tree *t, const instance *i, const char *raw, location *out)
{
    size_t prefix = 0;
    char *path = (char *)fmt(v, "%s", pod_path(v, t, i, raw));
    path_normalize(path);
    memset(out, 0, sizeof *out);
    out->mount = covering_mount_in(v, t, i, i->tmpl, path, &prefix);
    if (!out->mount) {
        cannot(&out->where, fmt(v, "no volume mount of '%s' covers %s", i->path, path));
        return;
    }
    const char *mount_path = scalar_text(map_get(out->mount, "mountPath"));
    if (path_is_root(mount_path)) {
        cannot(&out->where, fmt(v, "'%s' mounts a volume at /, which no container can start with", i->path));
        return;
    }
    if (mount_count(i->tmpl, mount_path) > 1) {
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
    const char *rest = path + prefix;
    while (*rest == '/')
        rest++;
    resolve_text(v, t, i, sub ? sub : "", &out->where, 0);
    for (size_t k = 0; k < out->where.n; k++)
        if (out->where.v[k][0] == '/') {
            cannot(&out->where, fmt(v, "the mount covering %s has subPath %s, which Kubernetes refuses: it must be "
                                    "relative", path, out->where.v[k]));
            return;
        }
    for (size_t k = 0; k < out->where.n; k++) /* relative to the storage's root, as a subPath is to the volume's */
        out->where.v[k] = storage_path(v, root, out->where.v[k], rest);
}

static size_t volumes_named(const node *list, const char *name)
{
    size_t n = 0;
    for (size_t k = 0; list && list->kind == NODE_SEQUENCE && k < list->len; k++)
        n += scalar_is(map_get(list->as.items[k], "name"), name);
    return n;
}

/* Whether a pod of template t gets two volumes named `name`, which
 * Kubernetes rejects: Argo gives a pod its template's volumes as they are,
 * then of the workflow's and its claims only the first of each name it has
 * not got (so a second data-storage there, as the kfp scheme adds after the
 * user's, is never used). */
static bool volume_declared_twice(const template *t, const char *name)
{
    return volumes_named(map_get(t->node, "volumes"), name) > 1;
}

/* A volume that every pod of the workflow sees alike; NULL when it is, else
 * why not. A pod has its template's volumes, those the running workflow's
 * templateDefaults give every template, then the running workflow's (the
 * root's), joined by those of a WorkflowTemplate it runs through
 * workflowTemplateRef: a WorkflowTemplate's spec plays no part when a
 * workflow calls its templates through templateRef. *missing (when not
 * NULL) says whether the pod has no volume of that name at all. */
static const char *volume_problem(vctx *v, const instance *i, const char *name, bool *missing)
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
    if (volume_declared_twice(i->tmpl, name))
        return fmt(v, "volume '%s' is declared twice in the template's volumes, which Kubernetes rejects", name);
    const node *vol = pod_volume(v, i, name);
    if (vol) {
        if (!volume_source_kind(vol))
            return fmt(v, "volume '%s' names no volume source, so Kubernetes makes it an emptyDir, which pods do "
                       "not share", name);
        const char *kind = volume_private_kind(vol);
        if (kind)
            return fmt(v, "volume '%s' is %s %s, which pods do not share", name, volume_kind_article(kind), kind);
        const char *lacks = volume_source_lacks(vol);
        if (lacks)
            return fmt(v, "volume '%s' lacks %s (%s), which Kubernetes requires", name, lacks,
                       volume_setting_type(lacks));
        const char *invalid = volume_source_invalid(vol);
        if (invalid)
            return fmt(v, "volume '%s': %s, or Kubernetes refuses the pods that mount it", name, invalid);
        kind = volume_read_only_kind(vol);
        return kind ? fmt(v, "volume '%s' is read-only (%s.readOnly), where no producer can write", name, kind)
                    : NULL;
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
        volume_problem(v, i, volume, NULL)) /* a volume of the pod's own, say: no other pod sees it */
        return;
    const char *store = storage_of(v, i, volume, &root);
    values where = {.n = 0};
    v->budget = BUDGET;
    if (!map_get(m, "subPathExpr"))
        resolve_text(v, &v->rew, i, sub ? sub : "", &where, 0);
    if (where.why || where.n == 0)
        one_value(&where, "");
    for (size_t a = 0; a < where.n; a++) {
        char *path = (char *)fmt(v, "%s", where.v[a]);
        if (!path_resolve_relative(path))
            *path = '\0'; /* above the volume's root: Kubernetes refuses it; anywhere, say */
        note_write_at(v, store, storage_path(v, root, path, ""), i->path);
    }
}

static bool same_mount(const node *m, const void *other)
{
    return node_equal(m, other);
}

typedef struct mount_writes {
    vctx *v;
    const instance *i, *orig;   /* in the rewrite; in the original, or NULL */
} mount_writes;

static bool note_written(const node *m, const void *ctx)
{
    const mount_writes *w = ctx;
    /* One the original has already, of the same volume, is the workflow's
     * own business: volpass compares what the rewrite changed. */
    const char *name = scalar_text(map_get(m, "name"));
    bool own = w->orig && w->orig->tmpl && template_find_mount(w->orig->tmpl, same_mount, m) && name;
    if (own) {
        const node *was = template_volume(w->orig->tmpl, running_workflow(w->orig), name),
                   *is = template_volume(w->i->tmpl, running_workflow(w->i), name);
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
    template_find_mount(i->tmpl, note_written, &(mount_writes){v, i, call_tree_find(&v->orig, i->path)});
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
        if (at.where.why || volume_problem(v, i, at.volume, NULL) || scalar_is_true(map_get(at.mount, "readOnly")))
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

/* Preserved, or why not; `where` receives the location when preserved. */
static const char *check_handoff(vctx *v, const handoff *h, const char **where)
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
        input_origins(v, &v->rew, c, text_span(h->input), NULL, &os, 0);
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
    const char *why = volume_problem(v, c, at_consumer.volume, NULL);
    if (!why)
        why = volume_problem(v, p, at_producer.volume, NULL);
    if (why)
        return why;
    /* Two names may show one storage; one name, two (a template's own volume takes the workflow's place). */
    if (strcmp(at_consumer.store, at_producer.store) != 0)
        return strcmp(at_consumer.volume, at_producer.volume) != 0
                   ? fmt(v, "the consumer reads volume '%s', the producer wrote volume '%s', which is other storage",
                         at_consumer.volume, at_producer.volume)
                   : fmt(v, "the consumer's volume '%s' is not the producer's: a template's own volume of that name "
                         "takes the workflow's place, or its settings take other values", at_consumer.volume);
    if (at_producer.where.n != 1)
        return "the producer's location is not one place";
    /* Argo joins the artifact's key and the subPath as Go's path.Join does */
    char *sub = (char *)fmt(v, "%s", h->sub_path ? h->sub_path : "");
    if (!path_resolve_relative(sub))
        return fmt(v, "the subPath %s climbs out of the producer's artifact", h->sub_path);
    const char *expected = storage_path(v, at_producer.where.v[0], sub, "");
    for (size_t k = 0; k < at_consumer.where.n; k++)
        if (strcmp(at_consumer.where.v[k], expected) == 0) {
            if (!scalar_is_true(map_get(at_consumer.mount, "readOnly")))
                return fmt(v, "'%s' mounts volume '%s' at %s writable, and may change what other consumers of the "
                           "output read", c->path, at_consumer.volume,
                           scalar_text(map_get(at_consumer.mount, "mountPath")));
            const char *other = other_writer(v, at_consumer.store, expected, p->path);
            if (other && strcmp(other, p->path) == 0)
                return fmt(v, "every run of the loop around '%s' writes to volume '%s' at %s, where one may "
                           "replace what another's consumer reads", other, at_consumer.volume, expected);
            if (other)
                return fmt(v, "'%s' writes to volume '%s' at %s too, where it may replace what the consumer reads",
                           other, at_consumer.volume, expected);
            *where = fmt(v, "volume '%s' at %s", at_consumer.volume, expected);
            return NULL;
        }
    return fmt(v, "the consumer reads %s, the producer wrote %s", at_consumer.where.v[0], expected);
}

static void record_handoff(vctx *v, const handoff *h)
{
    const char *where = NULL;
    const char *why = check_handoff(v, h, &where);
    /* The report outlives the call trees and documents: it keeps copies. */
    entry e = {ENTRY_HANDOFF, why == NULL, fmt(v, "%s", h->producer->path), fmt(v, "%s", h->output),
               fmt(v, "%s", h->consumer->path), fmt(v, "%s", h->input),
               h->sub_path ? fmt(v, "%s", h->sub_path) : NULL, why ? why : where, 0, 0};
    add_entry(v, e);
}

/* An input that had its own source (raw, s3, ...) in the original must
 * still get it in the rewrite. */
static void check_source_kept(vctx *v, const instance *orig, const artifact *in, const char *source)
{
    const instance *c = call_tree_find(&v->rew, orig->path);
    if (!c || !c->tmpl)
        return;
    origins os = {.n = 0};
    v->budget = BUDGET;
    if (find_artifact(&c->tmpl->inputs, text_span(in->name)))
        input_origins(v, &v->rew, c, text_span(in->name), NULL, &os, 0);
    for (size_t k = 0; k < os.n; k++)
        if (os.o[k].kind == ORIGIN_SOURCE)
            return;
    problem(v, c->tmpl->node, c->tmpl, "input artifact '%s' of '%s' lost its own source (%s)",
            in->name, c->path, source);
}

/* An input whose file mode Argo sets (mode, recurseMode) keeps the mode its
 * producer gave the file when it comes through a mount instead. (One with
 * a source of its own that is gone is reported for that: check_source_kept.) */
static void check_mode_kept(vctx *v, const instance *orig, const artifact *in)
{
    const char *key = artifact_mode_key(in);
    const instance *c = call_tree_find(&v->rew, orig->path);
    if (key && !in->source && c && c->tmpl && !find_artifact(&c->tmpl->inputs, text_span(in->name)))
        problem(v, c->tmpl->node, c->tmpl, "input artifact '%s' of '%s' sets %s, which its mount from a volume "
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
    const node *holder = path ? covering_mount(orig->tmpl, path, &prefix) : NULL;
    const char *volume = scalar_text(map_get(holder, "name"));
    if (volume && template_shares_volume(orig->tmpl, holder, path) && c && c->tmpl &&
        !find_artifact(&c->tmpl->inputs, text_span(in->name)))
        problem(v, c->tmpl->node, c->tmpl, "input artifact '%s' of '%s' lies in volume '%s', which other "
                "containers of the pod mount too: Argo loads it there for all of them, its mount from a volume "
                "shows it to the main container only", in->name, c->path, volume);
}

static void find_handoffs(instance *i, void *ctx)
{
    vctx *v = ctx;
    const char *dynamic = !i->tmpl && i->call ? call_target_dynamic(i->call) : NULL;
    if (dynamic && i->call->arguments.count)
        problem(v, i->call->node, NULL, "'%s' passes artifact '%s' to a templateRef made of parameters (%s), "
                "known at run time only, so verify does not check its hand-offs", i->path,
                i->call->arguments.items[0].name, dynamic);
    if (!i->tmpl || !template_runs_pod(i->tmpl))
        return;
    for (size_t k = 0; k < i->tmpl->inputs.count; k++) {
        const artifact *in = &i->tmpl->inputs.items[k];
        check_mode_kept(v, i, in);
        check_shared_volume_kept(v, i, in);
        origins os = {.n = 0};
        v->budget = BUDGET;
        input_origins(v, &v->orig, i, text_span(in->name), NULL, &os, 0);
        if (os.limit)
            problem(v, in->node, i->tmpl, "input artifact '%s' of '%s': %s, so verify does not check all its "
                    "hand-offs", in->name, i->path, os.limit);
        for (size_t o = 0; o < os.n; o++) {
            const origin *from = &os.o[o];

            if (from->kind == ORIGIN_SOURCE) {
                check_source_kept(v, i, in, from->what);
                continue;
            }
            if (from->kind != ORIGIN_OUTPUT || !in->path)
                continue;
            const artifact *out = find_artifact(&from->producer->tmpl->outputs, text_span(from->output));
            if (!out || !out->path || !template_runs_pod(from->producer->tmpl))
                continue;
            bool oom = false; /* Argo puts the producer's input paths in its output paths */
            const char *produced_at = template_output_path(from->producer->tmpl, out->path->as.text, &v->r->mem, &oom);
            v->oom |= oom;
            handoff h = {from->producer, i, from->output, in->name, from->sub_path,
                         produced_at ? produced_at : out->path->as.text, in->path->as.text};
            record_handoff(v, &h);
        }
    }
}

/* ---- problems of the rewrite -------------------------------------------- */

/* The deepest mount of t strictly above `path`, or NULL. */
static const node *mount_above(const template *t, const char *path, size_t *prefix_len)
{
    char *parent = strdup(path);
    if (!parent)
        return NULL;
    path_normalize(parent);
    char *slash = strrchr(parent, '/');
    const node *m = NULL;
    if (slash && slash != parent) {
        *slash = '\0';
        m = covering_mount(t, parent, prefix_len);
    } else if (slash && slash[1]) {
        m = covering_mount(t, "/", prefix_len);
    }
    free(parent);
    return m;
}

static void check_mounts(vctx *v, const instance *i)
{
    const template *t = i->tmpl;
    const char *patch = template_mount_patch(t, running_workflow(i));
    for (int w = 0; patch && w < TEMPLATE_MOUNT_LISTS; w++) {
        const node *mounts = template_mounts(t, w);
        if (mounts && mounts->kind == NODE_SEQUENCE && mounts->len) {
            problem(v, mounts, t, "the pod's volume mounts may change, which verify does not follow: %s", patch);
            break;
        }
    }
    for (int w = 0; w < TEMPLATE_MOUNT_LISTS; w++) {
        const node *mounts = template_mounts(t, w);
        for (size_t a = 0; mounts && mounts->kind == NODE_SEQUENCE && a < mounts->len; a++) {
            const node *m = mounts->as.items[a];
            const char *mp = scalar_text(map_get(m, "mountPath"));
            if (!mp)
                continue;
            if (path_is_root(mp))
                problem(v, m, t, "a volume mount at /");
            if (path_has_dotdot(mp))
                problem(v, m, t, "a mount path with '..': %s", mp);
            const char *mirror;
            if (template_mirror_clash(t, mp, false, &mirror))
                problem(v, m, t, "two volume mounts on %s in container '%s', which mirrors the main container's "
                        "mounts", mp, mirror);
            const char *argo = path_is_root(mp) ? NULL : argo_mount_within(t, mp); /* reported just above */
            if (argo)
                problem(v, m, t, "the mount at %s %s the one Argo gives the container at %s", mp,
                        path_equal(argo, mp) ? "duplicates" : "hides", argo);
            size_t prefix;
            const node *outer = mount_above(t, mp, &prefix);
            if (outer && scalar_is_true(map_get(outer, "readOnly")))
                problem(v, m, t, "the mount at %s lies inside the read-only mount at %s, where the runtime "
                        "cannot make its mount point", mp, scalar_text(map_get(outer, "mountPath")));
            for (size_t b = 0; b < a; b++) {
                const char *other = scalar_text(map_get(mounts->as.items[b], "mountPath"));
                if (other && path_equal(mp, other)) {
                    problem(v, m, t, "two volume mounts on %s", mp);
                    break;
                }
            }
            const char *name = scalar_text(map_get(m, "name"));
            bool missing;
            const char *why = volume_problem(v, i, name, &missing);
            if (missing)
                problem(v, m, t, "%s", why);
            if (name && !strstr(name, "{{") && !volume_name_valid(name))
                problem(v, m, t, "the mount's volume name '%s' is not one Kubernetes takes (a DNS-1123 label)", name);
            const char *sub = scalar_text(map_get(m, "subPath"));
            if (sub && (sub[0] == '/' || path_has_dotdot(sub))) /* whatever its references hold */
                problem(v, m, t, "the mount's subPath %s is not one Kubernetes takes (relative, without '..')", sub);
        }
    }
}

/* A pod's mounts as instance i places them, where a mount path holds
 * parameters ("{{inputs.parameters.d}}/b" may land inside a read-only mount
 * in one call and not in another): each path is resolved once, and one that
 * verify's budget leaves unresolved is reported as unchecked. */
static void check_placed_mounts(vctx *v, const call_tree *tree, const instance *i)
{
    const template *t = i->tmpl;
    size_t n = 0, templated = 0;
    for (int w = 0; w < TEMPLATE_MOUNT_LISTS; w++) {
        const node *mounts = template_mounts(t, w);
        for (size_t a = 0; mounts && mounts->kind == NODE_SEQUENCE && a < mounts->len; a++, n++) {
            const char *mp = scalar_text(map_get(mounts->as.items[a], "mountPath"));
            templated += mp && strstr(mp, "{{");
        }
    }
    if (!templated)
        return;
    const node **m = malloc(n * sizeof *m);
    const char **path = malloc(n * sizeof *path);
    bool *placed = malloc(n);
    n = 0;
    for (int w = 0; m && path && placed && w < TEMPLATE_MOUNT_LISTS; w++) {
        const node *mounts = template_mounts(t, w);
        for (size_t a = 0; mounts && mounts->kind == NODE_SEQUENCE && a < mounts->len; a++, n++) {
            m[n] = mounts->as.items[a];
            const char *raw = scalar_text(map_get(m[n], "mountPath"));
            placed[n] = raw && strstr(raw, "{{");
            v->budget = BUDGET;
            path[n] = placed[n] ? pod_path(v, tree, i, raw) : raw;
            if (placed[n] && v->budget == 0)
                problem(v, m[n], t, "the mount path %s takes more references than verify follows to fill in '%s', "
                        "so verify does not check it", raw, i->path);
            if (placed[n] && strstr(path[n], "{{"))
                placed[n] = false; /* values not known here */
        }
    }
    for (size_t a = 0; m && path && placed && a < n; a++) {
        if (!placed[a])
            continue;
        if (path_is_root(path[a]))
            problem(v, m[a], t, "a volume mount at /");
        if (path_has_dotdot(path[a]))
            problem(v, m[a], t, "a mount path with '..': %s", path[a]);
        const node *outer = NULL;
        size_t best = 0;
        char *parent = (char *)fmt(v, "%s", path[a]);
        path_normalize(parent);
        char *slash = strrchr(parent, '/');
        if (slash)
            slash[slash == parent] = '\0'; /* "/x" has the parent "/" */
        for (size_t b = 0; b < n; b++) {
            size_t c = b != a && path[b] ? path_covers(path[b], parent) : 0;
            if (c > best)
                best = c, outer = m[b];
            if (b != a && path[b] && (b < a || !placed[b]) && path_equal(path[a], path[b]))
                problem(v, m[a], t, "two volume mounts on %s", path[a]);
        }
        if (outer && scalar_is_true(map_get(outer, "readOnly")))
            problem(v, m[a], t, "the mount at %s lies inside the read-only mount at %s, where the runtime "
                    "cannot make its mount point", path[a], scalar_text(map_get(outer, "mountPath")));
    }
    free(m);
    free(path);
    free(placed);
}

/* Reports each mount of instance i's pod that lies inside `path`, where
 * artifact a (an "output" or "input") is, saying what is wrong with it. */
static void mounts_inside(vctx *v, const instance *i, const char *path, const char *role, const artifact *a,
                          const char *wrong)
{
    for (int w = 0; w < TEMPLATE_MOUNT_LISTS; w++) {
        const node *mounts = template_mounts(i->tmpl, w);
        for (size_t m = 0; mounts && mounts->kind == NODE_SEQUENCE && m < mounts->len; m++) {
            const char *mp = scalar_text(map_get(mounts->as.items[m], "mountPath"));
            char *inner = mp ? (char *)fmt(v, "%s", mp) : NULL;
            if (inner)
                path_normalize(inner);
            if (inner && path_covers(path, inner) && strcmp(path, inner) != 0)
                problem(v, mounts->as.items[m], i->tmpl, "%s '%s' at %s holds the mount at %s, %s", role, a->name,
                        a->path->as.text, mp, wrong);
        }
    }
}

/* What one artifact of the original has about it in pod instance i of the
 * rewrite: its (literal, normalized) path, and the mounts covering it now
 * and in the original (then, NULL when none). */
typedef struct moved {
    const instance *orig;
    const artifact *a;
    const char *path;
    const node *now, *then;
    size_t now_len, then_len;
} moved;

/* Calls fn for each of the original's outputs (or inputs) at a literal path
 * that the rewrite puts under a mount other than the original's. */
static void each_moved(vctx *v, const instance *i, bool outputs, void (*fn)(vctx *, const instance *, const moved *))
{
    const instance *orig = call_tree_find(&v->orig, i->path);
    if (v->baseline || !orig || !orig->tmpl)
        return;
    const artifact_list *list = outputs ? &orig->tmpl->outputs : &orig->tmpl->inputs;
    for (size_t k = 0; k < list->count; k++) {
        moved m = {orig, &list->items[k], NULL, NULL, NULL, 0, 0};
        if (!m.a->path || strstr(m.a->path->as.text, "{{"))
            continue;
        char *path = (char *)fmt(v, "%s", m.a->path->as.text);
        path_normalize(path);
        m.path = path;
        m.now = covering_mount(i->tmpl, path, &m.now_len);
        m.then = covering_mount(orig->tmpl, path, &m.then_len);
        const char *at = m.now ? scalar_text(map_get(m.now, "mountPath")) : NULL;
        if (at && !(m.then && path_equal(at, scalar_text(map_get(m.then, "mountPath")))))
            fn(v, i, &m);
    }
}

/* An output the rewrite puts on a volume the original did not write it to
 * must hold what the producer's pod held there: no other mount inside it
 * (its files would not be on that volume), and no mount of the original's
 * above the new one (what other containers or that volume put there would
 * be missing). */
static void output_whole(vctx *v, const instance *i, const moved *m)
{
    /* An emptyDir no other container sees there holds only what the main container writes. */
    const workflow *running = running_workflow(m->orig);
    bool scratch = m->then &&
                   map_get(template_volume(m->orig->tmpl, running, scalar_text(map_get(m->then, "name"))), "emptyDir") &&
                   !template_shares_volume(m->orig->tmpl, m->then, m->path);
    if (m->then && m->then_len < m->now_len && !scratch)
        problem(v, m->now, i->tmpl, "output '%s' at %s is written to the mount at %s, below the pod's own mount "
                "at %s, where other containers or that volume may put what it holds", m->a->name,
                m->a->path->as.text, scalar_text(map_get(m->now, "mountPath")),
                scalar_text(map_get(m->then, "mountPath")));
    /* Argo collects a real artifact through every mount of the main container alike. */
    size_t k = artifact_index(&i->tmpl->outputs, m->a->name, strlen(m->a->name));
    const artifact *real = k == NOT_FOUND ? NULL : &i->tmpl->outputs.items[k];
    if (!real || !real->path || real->source || strcmp(real->path->as.text, m->a->path->as.text) != 0)
        mounts_inside(v, i, m->path, "output", m->a, "whose files are not on the volume the output is written to");
}

/* An input the rewrite mounts from a volume must show all of itself: no
 * other mount inside it, which would hide its files there. */
static void input_whole(vctx *v, const instance *i, const moved *m)
{
    if (path_equal(scalar_text(map_get(m->now, "mountPath")), m->path))
        mounts_inside(v, i, m->path, "input", m->a, "which hides the input's files there");
}

/* Every output path (the original's, which the producer writes, and any the
 * rewrite declares) must not lie under a read-only mount. */
static void check_outputs_writable(vctx *v, const instance *i)
{
    const instance *orig = v->baseline ? i : call_tree_find(&v->orig, i->path);
    const artifact_list *lists[] = {orig && orig->tmpl ? &orig->tmpl->outputs : NULL, &i->tmpl->outputs};
    for (size_t l = 0; l < 2; l++)
        for (size_t k = 0; lists[l] && k < lists[l]->count; k++) {
            const artifact *out = &lists[l]->items[k];
            size_t prefix;
            char *path = out->path ? (char *)fmt(v, "%s", out->path->as.text) : NULL;
            if (path)
                path_normalize(path);
            const node *m = path ? covering_mount(i->tmpl, path, &prefix) : NULL;
            if (m && scalar_is_true(map_get(m, "readOnly")))
                problem(v, m, i->tmpl, "output '%s' at %s lies under a read-only mount",
                        out->name, out->path->as.text);
        }
}

typedef struct scan {
    vctx *v;
    const call_tree *tree;
    const instance *i;
} scan;

static bool declared_parameter(const template *t, span name)
{
    return find_parameter(t->input_parameters, name) != NULL;
}

/* Checks one reference written in template i->tmpl; whether it reported a problem. */
static bool check_reference(scan *s, const node *at, span e)
{
    vctx *v = s->v;
    const template *t = s->i->tmpl;
    ref r = ref_parse(e);
    if (r.kind == REF_INPUT && !r.artifact && !declared_parameter(t, r.name))
        problem(v, at, t, "parameter '%s' is used but not declared", span_str(v, r.name));
    else if (r.kind == REF_INPUT && r.artifact && !find_artifact(&t->inputs, r.name))
        problem(v, at, t, "reference {{%s}} points at no input artifact", span_str(v, e));
    else if (r.kind == REF_OUTPUT && template_is_graph(t)) {
        const instance *x = instance_sibling(s->tree, s->i, r.step);
        bool found = x && x->tmpl &&
                     (r.artifact ? find_artifact(&x->tmpl->outputs, r.name) != NULL
                                 : find_parameter(x->tmpl->output_parameters, r.name) != NULL);
        if ((x && !x->tmpl) || found)
            return false; /* found, or in a template outside the stream: nothing to check against */
        problem(v, at, t, "reference {{%s}} points at nothing", span_str(v, e));
    } else {
        return false;
    }
    return true;
}

/* The references among an expression's branches (the first MAX_ALT), and
 * the template's own artifacts named anywhere in it (in a call, say): each
 * must be declared, or Argo has nothing to resolve the name from. */
static void scan_expression(scan *s, const node *at, span e)
{
    span alts[MAX_ALT];
    size_t n = expr_alternatives(e, alts, MAX_ALT);
    bool reported = false;
    for (size_t k = 0; k < n && k < MAX_ALT; k++)
        reported |= check_reference(s, at, alts[k]);
    if (reported)
        return; /* one problem an expression: its mention of that artifact is the same fault */
    const template *t = s->i->tmpl;
    size_t pos = 0;
    artifact_mention m;
    while (expr_next_mention(e, &pos, &m))
        if (m.name.len && !find_artifact(m.input ? &t->inputs : &t->outputs, m.name) &&
            (m.input || template_runs_pod(t))) {
            problem(s->v, at, t, "the expression '%.200s' names %s artifact '%s', which '%s' does not declare",
                    span_str(s->v, e), m.input ? "input" : "output", span_str(s->v, m.name), t->name);
            return; /* one problem an expression: a long one names the same artifact again and again */
        }
}

static void scan_text(scan *s, const node *at, const char *text, bool expression)
{
    if (expression) {
        scan_expression(s, at, text_span(text));
        return;
    }
    size_t pos = 0, len = strlen(text);
    tag g;
    while (tag_next(text, len, &pos, &g)) {
        artifact_mention own; /* {{outputs.artifacts.X.path}} */
        if (g.expression)
            scan_expression(s, at, g.expr); /* which finds an expression's own artifacts */
        else if (expr_mention_is(g.expr, &own) && !own.input && own.name.len && template_runs_pod(s->i->tmpl) &&
                 !find_artifact(&s->i->tmpl->outputs, own.name))
            problem(s->v, at, s->i->tmpl, "reference {{%s}} points at no output artifact", span_str(s->v, g.expr));
        else
            check_reference(s, at, g.expr);
    }
}

/* Walks a template's nodes for references, leaving out inline templates
 * (they have their own scope) and the calls' own outputs. */
static void scan_node(scan *s, const node *n, bool expression)
{
    if (n->kind == NODE_SCALAR) {
        scan_text(s, n, n->as.text, expression);
        return;
    }
    if (n->kind == NODE_SEQUENCE) {
        for (size_t k = 0; k < n->len; k++)
            scan_node(s, n->as.items[k], false);
        return;
    }
    for (size_t k = 0; k < n->len; k++) {
        const node *key = map_key(n, k);
        if (scalar_is(key, "inline") || scalar_is(key, "name"))
            continue;
        bool expr = scalar_is(key, "fromExpression") || scalar_is(key, "expression") ||
                    scalar_is(key, "when") || scalar_is(key, "depends");
        if (!scalar_is(key, "when") && !scalar_is(key, "depends"))
            scan_node(s, map_value(n, k), expr);
    }
}

/* Callers must supply every input parameter that has no value of its own;
 * the entrypoint's come from spec.arguments. Other roots (library templates
 * of a WorkflowTemplate) have no caller in the stream to check. */
static void check_required_parameters(vctx *v, const instance *i)
{
    const template *t = i->tmpl;
    if (!i->call && !is_entrypoint(i))
        return;
    const node *params = t->input_parameters;
    for (size_t k = 0; params && k < params->len; k++) {
        const node *p = params->as.items[k], *name = required_parameter(p);
        if (!name)
            continue;
        const node *supplied = i->call ? find_parameter(i->call->parameters, text_span(name->as.text))
                                       : find_parameter(i->wf->parameters, text_span(name->as.text));
        if (!supplied)
            problem(v, i->call ? i->call->node : p, t, "required parameter '%s' is not supplied by '%s'",
                    name->as.text, i->call ? (i->parent ? i->parent->path : "the workflow") : "spec.arguments");
    }
}

static void check_instance(vctx *v, const call_tree *tree, instance *i)
{
    if (!i || !i->tmpl)
        return;
    v->budget = BUDGET;
    check_required_parameters(v, i);
    if (first_visit(v, i->tmpl, running_workflow(i))) {
        scan s = {v, tree, i};
        scan_node(&s, i->tmpl->node, false);
        if (template_runs_pod(i->tmpl)) {
            check_mounts(v, i);
            each_moved(v, i, true, output_whole);
            each_moved(v, i, false, input_whole);
            check_outputs_writable(v, i);
        }
    }
    if (template_runs_pod(i->tmpl))
        check_placed_mounts(v, tree, i); /* in every instance: the paths may differ */
    for (size_t c = 0; c < i->nchildren; c++)
        check_instance(v, tree, i->children[c]);
}

/* A Workflow that runs a WorkflowTemplate of the stream (workflowTemplateRef)
 * creates its own claims if it has any, else the template's
 * (call_tree_run_claims). Its run in the rewrite must create every claim its
 * run in the original did, and those the rewrite gave the template. */
static void check_run_claims(vctx *v)
{
    for (size_t d = 0; d < v->rew.nwfs; d++) {
        const workflow *orig = &v->orig.wfs[d], *rew = &v->rew.wfs[d];
        const node *refers = map_get(rew->spec, "workflowTemplateRef");
        const workflow *runs = refers ? call_tree_document(&v->rew, rew, refers) : NULL;
        const workflow *ran =
            orig->root ? call_tree_document(&v->orig, orig, map_get(orig->spec, "workflowTemplateRef")) : NULL;
        if (!runs || !ran)
            continue;
        const node *before = call_tree_run_claims(&v->orig, orig), *now = call_tree_run_claims(&v->rew, rew);
        const node *given = spec_claims(runs->spec);
        for (size_t k = 0; given && k < given->len; k++) {
            const char *name = scalar_text(map_get(map_get(given->as.items[k], "metadata"), "name"));
            bool needed = claims_have(before, name) || !claims_have(spec_claims(ran->spec), name);
            if (name && needed && !claims_have(now, name))
                problem(v, refers, NULL, "%s '%s' runs WorkflowTemplate '%s' without its volume claim '%s': "
                        "its own spec.volumeClaimTemplates replaces the template's", rew->kind,
                        rew->name ? rew->name : "(generated)", runs->name ? runs->name : "?", name);
        }
    }
}

/* Argo refuses a workflow that runs a WorkflowTemplate (workflowTemplateRef)
 * and has templates of its own (validate.go, WorkflowTemplateRefFields). */
static void check_referring_templates(vctx *v)
{
    for (size_t d = 0; d < v->rew.nwfs; d++) {
        const workflow *orig = &v->orig.wfs[d], *rew = &v->rew.wfs[d];
        const node *refers = map_get(rew->spec, "workflowTemplateRef");
        const node *now = map_get(rew->spec, "templates"), *before = map_get(orig->spec, "templates");
        if (refers && now && now->kind == NODE_SEQUENCE && now->len && !(before && before->len))
            problem(v, now, NULL, "%s '%s' runs a WorkflowTemplate (workflowTemplateRef) and has templates of its "
                    "own, which Argo refuses", rew->kind, rew->name ? rew->name : "(generated)");
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
            problem(&v, root->tmpl->node, root->tmpl, "calls nest more than %d levels deep: verify does not "
                    "check what happens further down", CALL_TREE_MAX_DEPTH);
        /* Problems the original has already are not the rewrite's: look at it first. */
        v.baseline = true;
        for (size_t k = 0; k < v.orig.nroots; k++)
            check_instance(&v, &v.orig, v.orig.roots[k]);
        v.baseline = false;
        for (size_t k = 0; k < v.rew.nroots; k++)
            check_instance(&v, &v.rew, v.rew.roots[k]);
        check_run_claims(&v);
        check_referring_templates(&v);
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

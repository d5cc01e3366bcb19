/* The verifier's reading of references (see verify.c): where an artifact
 * comes from, in the original and the rewrite alike (arguments, dag and
 * steps outputs, fromExpression branches, globalName), and what a
 * parameter holds in the rewrite, symbolically (verify_resolve_text). */
#include "verify_ctx.h"

node *find_parameter(vctx *v, const node *list, span name)
{
    node *p = name_index_find(&v->names, list, name.s, name.len);
    v->oom |= v->names.oom;
    return p;
}

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

/* ---- where an artifact comes from (original and rewrite alike) -------- */

static void add_origin(origins *os, origin o)
{
    if (os->n < MAX_ALT)
        os->o[os->n++] = o;
    else if (!os->limit)
        os->limit = "it comes from more than 16 places";
}

static void unresolved(origins *os, const char *why)
{
    add_origin(os, (origin){ORIGIN_UNRESOLVED, NULL, NULL, NULL, why, NULL});
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
        verify_input_origins(v, t, scope, r.name, sub, os, depth + 1);
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
        add_origin(os, (origin){ORIGIN_OUTPUT, x, out->name, sub, NULL, NULL});
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
        ref_origins(v, t, scope, ref_parse_branch(alts[k]), sub, os, depth);
}

/* ---- global names: the outputs that set each ---------------------------- */

/* One output that sets a global name: an artifact or a parameter's node. */
typedef struct setter {
    const instance *i;
    const void *output;
} setter;

typedef struct setters {
    setter *items;
    size_t n, cap;
} setters;

static void add_setter(vctx *v, strmap *names, const char *name, const instance *i, const void *output)
{
    setters *s = strmap_get(names, name, strlen(name));
    if (!s) {
        s = arena_alloc(&v->r->mem, sizeof *s);
        if (!s || strmap_put(names, name, strlen(name), s) != 0) {
            v->oom = true;
            return;
        }
        *s = (setters){NULL, 0, 0};
    }
    setter *items = grow_arena(&v->r->mem, s->items, &s->cap, s->n, sizeof *items);
    if (!items) {
        v->oom = true;
        return;
    }
    s->items = items;
    s->items[s->n++] = (setter){i, output};
}

static void index_setters(vctx *v, global_index *g, const instance *i)
{
    for (size_t k = 0; i->tmpl && k < i->tmpl->outputs.count; k++) {
        const artifact *a = &i->tmpl->outputs.items[k];
        if (a->global_name)
            add_setter(v, &g->artifacts, a->global_name->as.text, i, a);
    }
    const node *params = i->tmpl ? i->tmpl->output_parameters : NULL;
    for (size_t k = 0; params && k < params->len; k++) {
        const char *name = scalar_text(map_get(params->as.items[k], "globalName"));
        if (name)
            add_setter(v, &g->parameters, name, i, params->as.items[k]);
    }
    for (size_t c = 0; c < i->nchildren; c++)
        if (i->children[c])
            index_setters(v, g, i->children[c]);
}

/* The index of tree t's global setters, made the first time. */
static const global_index *globals_of(vctx *v, const call_tree *t)
{
    global_index *g = &v->setters[t == &v->orig ? 0 : 1];
    if (g->tree != t) {
        g->tree = t;
        strmap_init(&g->artifacts);
        strmap_init(&g->parameters);
        for (size_t r = 0; r < t->nroots; r++)
            index_setters(v, g, t->roots[r]);
    }
    return g;
}

void verify_globals_free(vctx *v)
{
    for (size_t k = 0; k < 2; k++)
        if (v->setters[k].tree) {
            strmap_free(&v->setters[k].artifacts);
            strmap_free(&v->setters[k].parameters);
        }
}

static void global_origins(vctx *v, const call_tree *t, span name, const char *sub, origins *os, int depth)
{
    if (!enter_global(v, name)) {
        beyond_limit(os, fmt(v, "global artifact '%s' is set from itself, or through more than %d globals",
                             span_str(v, name), MAX_GLOBAL_NESTING));
        return;
    }
    size_t before = os->n;
    const setters *set = strmap_get(&globals_of(v, t)->artifacts, name.s, name.len);
    for (size_t k = 0; set && k < set->n; k++)
        output_origins(v, t, set->items[k].i, set->items[k].output, sub, os, depth + 1);
    leave_global(v);
    if (os->n == before)
        unresolved(os, fmt(v, "no output has globalName '%s'", span_str(v, name)));
}

void verify_input_origins(vctx *v, const call_tree *t, const instance *i, span name,
                          const char *sub, origins *os, int depth)
{
    const artifact *arg = i->call ? find_artifact(&i->call->arguments, name) : NULL;
    if (!arg && is_entrypoint(i)) /* spec.arguments; a library's other roots have callers apart */
        arg = find_artifact(&i->wf->arguments, name);
    if (arg) {
        const instance *scope = i->call ? i->parent : NULL;
        const char *s = join_sub(v, sub_path_value(v, t, scope, arg->sub_path), sub);
        if (arg->from) {
            text_origins(v, t, scope, arg->from->as.text, s, os, depth + 1);
        } else if (arg->from_expression) {
            expression_origins(v, t, scope, text_span(arg->from_expression->as.text), s, os, depth + 1);
        } else if (arg->source) {
            add_origin(os, (origin){ORIGIN_SOURCE, NULL, NULL, s, arg->source, arg->node});
        } else {
            unresolved(os, fmt(v, "argument '%s' has neither from nor a source", arg->name));
        }
        return;
    }
    const artifact *own = i->tmpl ? find_artifact(&i->tmpl->inputs, name) : NULL;
    if (own && own->source)
        add_origin(os, (origin){ORIGIN_SOURCE, NULL, NULL, sub, own->source, own->node});
    else if (own && own->optional)
        add_origin(os, (origin){ORIGIN_NONE, NULL, NULL, NULL, NULL, NULL});
    else
        unresolved(os, fmt(v, "nothing supplies input artifact '%s' of '%s'", span_str(v, name), i->path));
}

/* ---- symbolic values of parameters in the rewrite --------------------- */

static void expression_values(vctx *v, const call_tree *t, const instance *scope, span e,
                              values *out, int depth);

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
        verify_resolve_text(v, t, scope, value->as.text, out, depth + 1);
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

static void input_parameter(vctx *v, const call_tree *t, const instance *i, span name,
                            values *out, int depth)
{
    const node *declared = i->tmpl ? find_parameter(v, i->tmpl->input_parameters, name) : NULL;
    if (!declared) { /* Argo passes only declared parameters */
        cannot(out, fmt(v, "'%s' declares no input parameter '%s'", i->path, span_str(v, name)));
        return;
    }
    /* An argument wins over the input's own value or default; the
     * entrypoint's arguments and an exit handler's are spec.arguments, to
     * which `argo submit -p` may add. */
    bool submitted = is_entrypoint(i) || (i->call && i->call->workflow_arguments);
    const node *p = find_parameter(v, i->call ? i->call->parameters : submitted ? i->wf->parameters : NULL, name);
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
        verify_resolve_text(v, t, scope, value ? value : param, out, depth + 1);
    else if (expr)
        expression_values(v, t, scope, text_span(expr), out, depth + 1);
    else if ((value = scalar_text(map_get(p, "default"))))
        verify_resolve_text(v, t, scope, value, out, depth + 1);
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
    const node *p = x->tmpl ? find_parameter(v, x->tmpl->output_parameters, name) : NULL;
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
    verify_resolve_text(v, t, scope, text->as.text, &vals, 0);
    return !vals.why && vals.n == 1 ? vals.v[0] : text->as.text;
}

/* The values of the output parameters of tree t that set global `name`. */
static void global_parameter(vctx *v, const call_tree *t, span name, values *out, int depth)
{
    const setters *set = strmap_get(&globals_of(v, t)->parameters, name.s, name.len);
    for (size_t k = 0; set && k < set->n && out->n < MAX_ALT; k++) {
        values one;
        output_node_values(v, t, set->items[k].i, set->items[k].output, &one, depth);
        for (size_t j = 0; j < one.n && out->n < MAX_ALT; j++)
            out->v[out->n++] = one.v[j];
        if (one.why && !out->why)
            out->why = one.why;
    }
}

/* Writes code point c (a surrogate half as U+FFFD, as Go does) in UTF-8 at o; where it ends. */
static char *put_utf8(char *o, unsigned long c)
{
    if (c >= 0xD800 && c <= 0xDFFF)
        c = 0xFFFD;
    if (c < 0x80) {
        *o++ = (char)c;
    } else if (c < 0x800) {
        *o++ = (char)(0xC0 | c >> 6);
        *o++ = (char)(0x80 | (c & 0x3F));
    } else if (c < 0x10000) {
        *o++ = (char)(0xE0 | c >> 12);
        *o++ = (char)(0x80 | (c >> 6 & 0x3F));
        *o++ = (char)(0x80 | (c & 0x3F));
    } else {
        *o++ = (char)(0xF0 | c >> 18);
        *o++ = (char)(0x80 | (c >> 12 & 0x3F));
        *o++ = (char)(0x80 | (c >> 6 & 0x3F));
        *o++ = (char)(0x80 | (c & 0x3F));
    }
    return o;
}

/* The code point of the `n` digits in base `base` at s, or -1 when one is
 * not such a digit. */
static long digits_value(const char *s, int n, int base)
{
    long v = 0;
    for (int k = 0; k < n; k++) {
        int d = s[k] >= '0' && s[k] <= '9' ? s[k] - '0' : s[k] >= 'a' && s[k] <= 'f' ? s[k] - 'a' + 10
              : s[k] >= 'A' && s[k] <= 'F' ? s[k] - 'A' + 10 : 99;
        if (d >= base)
            return -1;
        v = v * base + d;
    }
    return v;
}

/* The text of a string literal's inside as Argo's expressions read it
 * (expr's lexer): its line breaks made \n, and its escapes read, \n, \t
 * and the like, a backslash before a quote, backslash, ` or ? for that
 * character, \xHH, \uHHHH, \UHHHHHHHH and three octal digits for a code
 * point, in UTF-8; NULL for any other escape, which they refuse. The result
 * is never longer than the text. */
static const char *unescaped(vctx *v, const char *text)
{
    if (!strchr(text, '\\') && !strchr(text, '\r'))
        return text;
    char *out = fmt_writable(v, "%s", text), *o = out;
    for (const char *c = out; *c; c++) { /* in place: o never passes c */
        if (*c == '\r') {
            *o++ = '\n';
            c += c[1] == '\n';
            continue;
        }
        if (*c != '\\') {
            *o++ = *c;
            continue;
        }
        static const char simple[] = "abfnrtv\\'\"`?", meant[] = "\a\b\f\n\r\t\v\\'\"`?";
        const char *known = c[1] ? strchr(simple, c[1]) : NULL;
        int n = c[1] == 'x' || c[1] == 'X' ? 2 : c[1] == 'u' ? 4 : c[1] == 'U' ? 8 : 0;
        long code = n ? digits_value(c + 2, n, 16) : c[1] >= '0' && c[1] <= '3' ? digits_value(c + 1, 3, 8) : -1;
        if (known) {
            *o++ = meant[known - simple];
            c++;
        } else if (code >= 0 && code <= 0x10FFFF) { /* a NUL in the text ends it, as the value is a C string */
            o = put_utf8(o, (unsigned long)code);
            c += n ? n + 1 : 3;
        } else {
            return NULL;
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
    ref r = in_expression ? ref_parse_branch(e) : ref_parse(e);
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
        global_parameter(v, t, r.name, out, depth + 1);
        leave_global(v);
        if (out->n == 0 && !out->why)
            out->why = fmt(v, "no output parameter has globalName '%s'", span_str(v, r.name));
    } else if (r.kind == REF_WORKFLOW_PARAMETER && scope) {
        const instance *root = scope;
        while (root->parent)
            root = root->parent;
        const node *p = find_parameter(v, root->wf->parameters, r.name);
        if (p)
            given_values(v, t, NULL, p, GIVEN_BY_SUBMISSION, "the workflow", out, depth);
        else
            one_value(out, fmt(v, "{{%s}}", span_str(v, e)));
    } else if (in_expression && e.len >= 2 && (e.s[0] == '\'' || e.s[0] == '"') && e.s[e.len - 1] == e.s[0]) {
        /* A string literal, with the {{…}} Argo substitutes in the template's text first, then its escapes. */
        verify_resolve_text(v, t, scope, fmt(v, "%.*s", (int)e.len - 2, e.s + 1), out, depth + 1);
        for (size_t k = 0; k < out->n && !out->why; k++)
            if (!(out->v[k] = unescaped(v, out->v[k])))
                cannot(out, fmt(v, "the string %.*s holds an escape Argo's expressions refuse", (int)e.len, e.s));
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

void verify_resolve_text(vctx *v, const call_tree *t, const instance *scope, const char *text,
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


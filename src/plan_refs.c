/* What a reference names, in the volume scheme's plan (see volume_plan.c):
 * data on the volume after the rewrite or a real artifact, followed
 * through arguments, dag and steps outputs, expressions and global
 * artifacts; and so the forms of dag and steps templates, whose inputs
 * follow what their callers pass (who calls whom is indexed here too). */
#include <string.h>

#include "grow.h"
#include "paths.h"
#include "scalar.h"
#include "volume_plan.h"

/* ---- following references ---------------------------------------------- */

#define KEEP_BUDGET 1024 /* references plan_keep_producer follows, at most */

static backing global_backing(vplan *p, span name, const char **param);

static tplan *target_plan(vplan *p, const tplan *scope, const call_site *c)
{
    const workflow *in;
    return plan_of(call_tree_target(p->tree, scope->wf, c, &in));
}

void plan_warn_apart(vplan *p, const workflow *wf, const call_site *c, const node *at)
{
    for (int io = 0; at && io < 2; io++) {
        const node *params = wf->default_parameters[io];
        for (size_t i = 0; params && i < params->len; i++) {
            const node *given = map_get(params->as.items[i], "name");
            size_t n = given && given->kind == NODE_SCALAR ? given->len : 0;
            if (n > strlen(SUBPATH_SUFFIX) && strcmp(given->as.text + n - strlen(SUBPATH_SUFFIX), SUBPATH_SUFFIX) == 0)
                plan_refuse(p, VP_EUNSUPPORTED, given, "spec.templateDefaults gives parameter '%s', which Argo "
                            "merges into every template it runs, those of WorkflowTemplates not in the input too, "
                            "whose artifacts' locations, converted apart, take such names: rename it, or convert the "
                            "documents together", given->as.text);
        }
    }
    const node *name = map_get(c->template_ref, "name");
    if (!at || !name || name->kind != NODE_SCALAR || strmap_get(&p->apart, name->as.text, name->len))
        return;
    if (strmap_put(&p->apart, name->as.text, name->len, (void *)name) != 0) {
        p->ed.oom = true;
        return;
    }
    plan_warn(p, at, "%s '%s' is not in the input: volpass takes it to be converted apart with the same options, its "
         "outputs passing volume locations and its inputs with no source of their own taking them; where it keeps "
         "one a real artifact (an optional output, --keep-artifact, an input with a source, or one a mount cannot "
         "give, with mode, say), a hand-off with it breaks: convert the documents together (as one stream), or check "
         "them with volpass verify",
         scalar_is_true(map_get(c->template_ref, "clusterScope")) ? "ClusterWorkflowTemplate" : "WorkflowTemplate",
         name->as.text);
}

/* What a form still being decided further up a recursion is taken to be
 * in this try of the plan (volume_plan): `unsaid` in the first, which
 * assumes nothing. */
static backing assumed_backing(vplan *p, backing unsaid)
{
    p->assumed = true;
    return p->assumption == ASSUME_REAL ? BACK_ARTIFACT : p->assumption == ASSUME_VOLUME ? BACK_VOLUME : unsaid;
}

/* Whether reference `r`, made in graph template `scope`, names data on the
 * volume after the rewrite or a real artifact; and its parameter name. A
 * reference to an artifact that does not exist is refused at `at` (Argo
 * refuses it too); with `at` NULL, during the edit, it is only UNKNOWN. */
backing ref_backing(vplan *p, tplan *scope, ref r, const char **param, const node *at)
{
    *param = NULL;
    if (r.kind == REF_INPUT && r.artifact) {
        if (template_is_graph(scope->t))
            plan_graph_inputs(p, scope);
        size_t k = artifact_index(&scope->t->inputs, r.name.s, r.name.len);
        if (k == NOT_FOUND) {
            if (at)
                plan_refuse_undeclared_input(p, scope->t, r.name, at);
            return BACK_UNKNOWN;
        }
        *param = scope->in[k].param;
        /* One still being decided up a recursion (its callers lead back to
         * it): first it says nothing (what a cycle passes to itself adds no
         * data: the other callers decide, or the default form stands); where
         * forms then do not settle (plan_check_settled), volume_plan tries
         * again taking it to stay real, then to come from the volume. */
        if (template_is_graph(scope->t) && scope->graph_inputs == PLAN_BUSY && k >= scope->inputs_settled) {
            return assumed_backing(p, BACK_UNKNOWN);
        }
        return scope->in[k].convert ? BACK_VOLUME : BACK_ARTIFACT;
    }
    if (r.kind == REF_WORKFLOW_OUTPUT && r.artifact)
        return global_backing(p, r.name, param);
    if (r.kind != REF_OUTPUT || !r.artifact)
        return BACK_UNKNOWN;
    const call_site *c = template_call(scope->t, r.step.s, r.step.len);
    if (!c) {
        if (at)
            plan_refuse(p, VP_EINVALID, at, "template '%s' refers to artifact '%.*s' of '%.*s', which is not one of its %s",
                   scope->t->name, (int)r.name.len, r.name.s, (int)r.step.len, r.step.s, r.steps ? "steps" : "tasks");
        return BACK_UNKNOWN;
    }
    if (c->looped) {
        if (at)
            plan_refuse(p, VP_EUNSUPPORTED, at,
                        "template '%s': '%.*s' runs in a loop (withItems, withParam or withSequence), and Argo "
                        "does not aggregate artifacts: its output artifact '%.*s' cannot be passed on",
                        scope->t->name, (int)r.step.len, r.step.s, (int)r.name.len, r.name.s);
        return BACK_UNKNOWN;
    }
    const char *dynamic = call_target_dynamic(c);
    if (dynamic) {
        if (at)
            plan_refuse(p, VP_EUNSUPPORTED, at, "template '%s' refers to output artifact '%.*s' of '%.*s', whose "
                        "templateRef is made of parameters (%s): which template runs is known at run time only, "
                        "and whether it writes the artifact to the volume or as a real artifact is not: call a "
                        "fixed template (a step or task per choice, with when)", scope->t->name, (int)r.name.len,
                        r.name.s, (int)r.step.len, r.step.s, dynamic);
        return BACK_UNKNOWN;
    }
    tplan *x = target_plan(p, scope, c);
    if (!x) { /* a template outside the stream: volpass's convention */
        plan_warn_apart(p, scope->wf, c, at);
        *param = edit_fmt(&p->ed, "%.*s" SUBPATH_SUFFIX, (int)r.name.len, r.name.s);
        return BACK_VOLUME;
    }
    size_t k = artifact_index(&x->t->outputs, r.name.s, r.name.len);
    if (k == NOT_FOUND) {
        if (at)
            plan_refuse(p, VP_EINVALID, at, "template '%s' refers to output artifact '%.*s' of '%.*s', whose template '%s' "
                   "does not declare it", scope->t->name, (int)r.name.len, r.name.s, (int)r.step.len, r.step.s, x->t->name);
        return BACK_UNKNOWN;
    }
    *param = x->out[k].param;
    if (template_is_graph(x->t))
        return plan_graph_output_backing(p, x, k);
    /* one this try asked to keep is real in the next: so it is here, for what
     * else refers to it (a fromExpression's other branch, say) */
    return x->out[k].convert && !plan_kept_for_consumer(p, x->out[k].a) ? BACK_VOLUME : BACK_ARTIFACT;
}

/* The call that led plan_keep_producer into a dag or steps template (to
 * what its output passes on), and the one that led into its scope; NULL
 * where the walk started. */
typedef struct entry {
    tplan *scope;
    const call_site *c;
    const struct entry *up;
} entry;

/* What plan_keep_producer has found so far: the pod templates' outputs to
 * keep, none of them kept until all are found. */
typedef struct keep_walk {
    size_t budget;       /* references it still follows */
    const art_plan **found;
    size_t nfound, cap;
    strmap inputs;       /* the inputs followed to all their callers: a cycle, or a diamond, once */
} keep_walk;

static bool keep_from(vplan *p, keep_walk *w, tplan *scope, const artifact *a, const entry *in);

/* Input `name` of dag or steps template `scope`, as the call that led into
 * it passes it; where the walk started there, as each of its callers does
 * (the input takes one form for all of them). */
static bool keep_input(vplan *p, keep_walk *w, tplan *scope, span name, const entry *in)
{
    if (!in) {
        size_t len;
        const char *key = plan_address_key(p, scope, edit_intern(&p->ed, name.s, name.len), &len);
        if (key && strmap_get(&w->inputs, key, len))
            return true; /* followed already, or being followed */
        if (!key || strmap_put(&w->inputs, key, len, (void *)key) != 0) {
            p->ed.oom = true;
            return false;
        }
    }
    size_t n = in ? 1 : scope->ncallers;
    if (!n) /* spec.arguments' constants; in a WorkflowTemplate, what callers apart pass: the volume */
        return !workflow_callable_apart(scope->wf);
    for (size_t i = 0; i < n; i++) {
        tplan *from = in ? in->scope : scope->callers[i].scope;
        const call_site *c = in ? in->c : scope->callers[i].c;
        size_t k = artifact_index(&c->arguments, name.s, name.len);
        if (k == NOT_FOUND || !keep_from(p, w, from, &c->arguments.items[k], in ? in->up : NULL))
            return false;
    }
    return true;
}

/* A reference to an artifact itself (not to one of its fields, such as .path). */
static bool names_artifact(ref r)
{
    return r.artifact && r.rest.len == 0;
}

/* The pod templates' outputs that reference `r`, made in `scope`, names:
 * through dag and steps outputs and inputs. Not in a WorkflowTemplate's
 * template, whose form workflows converted apart rely on (the convention:
 * outputs through the volume). */
static bool keep_ref(vplan *p, keep_walk *w, tplan *scope, ref r, const entry *in)
{
    if (!names_artifact(r) || !w->budget)
        return false;
    w->budget--;
    if (r.kind == REF_INPUT && template_is_graph(scope->t))
        return keep_input(p, w, scope, r.name, in);
    const call_site *c = r.kind == REF_OUTPUT ? template_call(scope->t, r.step.s, r.step.len) : NULL;
    tplan *x = c && !c->looped && !call_target_dynamic(c) ? target_plan(p, scope, c) : NULL;
    size_t k = x ? artifact_index(&x->t->outputs, r.name.s, r.name.len) : NOT_FOUND;
    if (k == NOT_FOUND || workflow_callable_apart(x->wf))
        return false;
    for (const entry *e = in; e; e = e->up)
        if (e->scope == scope && e->c == c)
            return true; /* a recursion: what it passes on comes of the other branches, followed already */
    if (template_is_graph(x->t)) /* on to what its output passes on, entered through c */
        return keep_from(p, w, x, x->out[k].a, &(entry){scope, c, in});
    if (!x->out[k].convert)
        return true; /* a real artifact already */
    const art_plan **more = grow_arena(p->ed.mem, w->found, &w->cap, w->nfound, sizeof *w->found);
    if (!more) {
        p->ed.oom = true;
        return false;
    }
    w->found = more;
    w->found[w->nfound++] = &x->out[k];
    return true;
}

/* keep_ref for what argument (or output) `a` takes: its `from`, or each
 * branch of its expression ({{=...}}, fromExpression). */
static bool keep_from(vplan *p, keep_walk *w, tplan *scope, const artifact *a, const entry *in)
{
    tag g;
    bool tagged;
    ref r = plan_from_ref(a, &g, &tagged);
    span expr = tagged && g.expression ? g.expr
                : !a->from && a->from_expression ? (span){a->from_expression->as.text, a->from_expression->len}
                : (span){NULL, 0};
    if (!expr.s) /* without from either, it has a source of its own: a real artifact already */
        return !a->from || keep_ref(p, w, scope, r, in);
    span alts[EXPR_MAX_BRANCHES];
    size_t n = expr_alternatives(expr, alts, EXPR_MAX_BRANCHES);
    for (size_t i = 0; i < n && n <= EXPR_MAX_BRANCHES; i++)
        if (!keep_ref(p, w, scope, ref_parse_branch(alts[i]), in))
            return false;
    return n > 0 && n <= EXPR_MAX_BRANCHES;
}

/* Output a's entry in kept_for_consumers, keyed by the address of its node
 * (the key plan_keep_producer puts there), or NULL; looked up with no copy
 * of the key, as ref_backing asks of every output it follows. */
static kept *kept_entry(const vplan *p, const artifact *a)
{
    const node *address = a->node;
    return p->kept_for_consumers.count ? strmap_get(&p->kept_for_consumers, (const char *)&address, sizeof address)
                                       : NULL;
}

bool plan_keep_producer(vplan *p, tplan *scope, const artifact *a, const char *why)
{
    keep_walk w = {KEEP_BUDGET, NULL, 0, 0, {NULL, 0, 0}};
    bool found = keep_from(p, &w, scope, a, NULL);
    strmap_free(&w.inputs);
    if (!found)
        return false;
    bool asked = false;
    for (size_t i = 0; i < w.nfound; i++) {
        const art_plan *o = w.found[i];
        kept *k = kept_entry(p, o->a);
        if (!k) {
            size_t len;
            const char *key = plan_address_key(p, o->a->node, "", &len);
            if (key && (k = arena_alloc(p->ed.mem, sizeof *k)) != NULL) {
                *k = (kept){why, p->keep_tries};
                if (strmap_put(&p->kept_for_consumers, key, len, k) != 0)
                    k = NULL;
            }
        }
        if (!k) {
            p->ed.oom = true;
            return false;
        }
        asked |= k->try_asked == p->keep_tries; /* else kept already, and still passed a volume location */
    }
    if (asked)
        p->keep_at = a->node;
    return p->keep_asked |= asked, asked;
}

const char *plan_kept_for_consumer(vplan *p, const artifact *a)
{
    const kept *k = kept_entry(p, a);
    return k ? k->why : NULL;
}

size_t plan_branches(vplan *p, const tplan *scope, span expr, const node *at, span *alts)
{
    size_t n = expr_alternatives(expr, alts, EXPR_MAX_BRANCHES);
    if (n <= EXPR_MAX_BRANCHES)
        return n;
    plan_refuse(p, VP_EUNSUPPORTED, at, "template '%s': '%.*s' has more than %d branches, or nests them deeper "
                "than %d", scope->t->name, (int)expr.len, expr.s, EXPR_MAX_BRANCHES, EXPR_MAX_NESTING);
    return 0;
}

/* The branches of artifact a's fromExpression (or {{=...}} from) must all
 * be artifact references, and agree: a volume location or an artifact. */
static backing expression_backing(vplan *p, tplan *scope, const artifact *a, const char *expr)
{
    span alts[EXPR_MAX_BRANCHES];
    size_t n = plan_branches(p, scope, (span){expr, strlen(expr)}, a->node, alts);
    backing b = BACK_UNKNOWN;
    span first = {NULL, 0}; /* the branch that set b */
    for (size_t i = 0; i < n && !p->err; i++) {
        const char *param;
        ref r = ref_parse_branch(alts[i]);
        if (!names_artifact(r)) {
            bool whole = n == 1 && alts[i].len == strlen(expr);
            plan_refuse(p, VP_EUNSUPPORTED, a->node, "template '%s': artifact '%s' takes the expression '%s', %s%.*s%s "
                        "not an artifact reference (volpass follows the branches of ?: operators, each one an "
                        "artifact reference)", scope->t->name, a->name, expr, whole ? "which is" : "whose branch '",
                        whole ? 0 : (int)alts[i].len, alts[i].s, whole ? "" : "' is");
            return BACK_UNKNOWN;
        }
        backing one = ref_backing(p, scope, r, &param, a->node);
        if (one == BACK_UNKNOWN)
            continue;
        if (b != BACK_UNKNOWN && one != b &&
            plan_keep_producer(p, scope, a, edit_fmt(&p->ed, "template '%s' takes it as artifact '%s' from one of the "
                               "branches of '%s', some of which stay real artifacts", scope->t->name, a->name, expr)))
            return BACK_ARTIFACT; /* as in the next try of the plan */
        if (b != BACK_UNKNOWN && one != b) {
            span volume = b == BACK_VOLUME ? first : alts[i], real = b == BACK_VOLUME ? alts[i] : first;
            plan_note_cycle_bound(p);
            plan_refuse(p, VP_EUNSUPPORTED, a->node, "template '%s': artifact '%s' takes one of the branches of "
                        "'%s', where %.*s goes through the volume and %.*s stays a real artifact: keep all of them "
                        "real artifacts (--keep-artifact) or none", scope->t->name, a->name, expr, (int)volume.len,
                        volume.s, (int)real.len, real.s);
            return BACK_UNKNOWN;
        }
        if (b == BACK_UNKNOWN)
            first = alts[i];
        b = one;
    }
    /* The branches become location parameters; an artifact read elsewhere,
     * in a condition, would be read where the volume took its place. */
    span read = b == BACK_VOLUME ? expr_artifacts_outside((span){expr, strlen(expr)}, alts, n) : (span){NULL, 0};
    if (!p->err && read.len)
        plan_refuse(p, VP_EUNSUPPORTED, a->node, "template '%s': artifact '%s' takes the expression '%s', which reads "
                    "artifacts other than as a whole branch ('%.*s'): volpass passes each branch's artifact as its "
                    "location on the volume, and the artifact it reads there would be gone (keep the branches' "
                    "outputs real artifacts, --keep-artifact, or test something else, a step's status, say)",
                    scope->t->name, a->name, expr, (int)read.len, read.s);
    return b;
}

ref plan_from_ref(const artifact *a, tag *g, bool *tagged)
{
    size_t pos = 0;
    *tagged = a->from && tag_next(a->from->as.text, a->from->len, &pos, g);
    return *tagged && !g->expression && g->start == 0 && g->end == a->from->len ? ref_parse(g->expr) : (ref){0};
}

backing plan_from_backing(vplan *p, tplan *scope, const artifact *a)
{
    const char *param;
    if (a->from) {
        tag g;
        bool tagged;
        ref r = plan_from_ref(a, &g, &tagged);
        if (tagged && g.expression)
            return expression_backing(p, scope, a, edit_intern(&p->ed, g.expr.s, g.expr.len));
        if (!names_artifact(r)) {
            plan_refuse(p, VP_EINVALID, a->from, "template '%s': artifact '%s' takes 'from: %s', which is not an "
                   "artifact reference", scope->t->name, a->name, a->from->as.text);
            return BACK_UNKNOWN;
        }
        return ref_backing(p, scope, r, &param, a->node);
    }
    if (a->from_expression)
        return expression_backing(p, scope, a, a->from_expression->as.text);
    return BACK_ARTIFACT; /* a constant with its own source */
}

/* Whether a tag is the workflow's name, namespace or uid: Kubernetes names,
 * which hold no '/', quote or backslash, and start with a letter or digit. */
static bool names_workflow(span expr)
{
    return span_is(expr, "workflow.name") || span_is(expr, "workflow.namespace") || span_is(expr, "workflow.uid");
}

/* Whether subPath `text` of an output of dag or steps template tp can be
 * appended, in the expression that passes its location on, to that
 * location (output_expression in scheme_volume.c): each of its tags must be
 * the workflow's name, namespace or uid, whose values Argo pastes into the
 * expression's quoted text and which never hold a quote or backslash, or an
 * input parameter of tp, which the expression reads as a variable (Argo
 * puts a dag's or steps' inputs in the scope it evaluates outputs in). */
static bool sub_path_fits_expression(const tplan *tp, const node *text)
{
    size_t pos = 0;
    tag g;
    while (tag_next(text->as.text, text->len, &pos, &g)) {
        if (names_workflow(g.expr))
            continue;
        ref r = tag_ref(&g);
        if (r.kind != REF_INPUT || r.artifact || !parameter_named(tp->t->input_parameters, r.name.s, r.name.len))
            return false;
    }
    return true;
}

/* Why subPath `sub`, appended to a location on the volume, would not lead
 * where Argo reads, or NULL. Argo joins an artifact's key and its subPath
 * as Go's path.Join does, resolving "..", and Kubernetes refuses ".." in a
 * mount's subPath: a literal subPath is resolved when applied (it must stay
 * inside the artifact); one made of parameters must have no ".." of its
 * own, nor take one from a workflow parameter's value or, for an argument
 * of call c, from one of its withItems. (Values known at run time only are
 * not checked here; verify checks a rewrite with them.) */
static const char *sub_path_problem(vplan *p, const workflow *wf, const call_site *c, const node *sub)
{
    size_t pos = 0;
    tag g;
    if (!tag_next(sub->as.text, sub->len, &pos, &g)) {
        char *resolved = arena_strndup(p->ed.mem, sub->as.text, sub->len);
        return resolved && !path_resolve_relative(resolved) ? "climbs out of the artifact with '..'" : NULL;
    }
    if (path_has_dotdot(sub->as.text))
        return "has a '..' component beside parameters, which volpass cannot resolve and Kubernetes refuses in a "
               "subPath";
    for (pos = 0; tag_next(sub->as.text, sub->len, &pos, &g);) {
        ref r = tag_ref(&g);
        const node *global = r.kind == REF_WORKFLOW_PARAMETER ? plan_parameter(p, wf->parameters, r.name.s, r.name.len)
                                                             : NULL;
        const node *v = parameter_own_value(global, false);
        if (v && path_has_dotdot(v->as.text))
            return edit_fmt(&p->ed, "takes a '..' component from workflow parameter '%.*s' (%s), which volpass "
                                    "cannot resolve and Kubernetes refuses in a subPath", (int)r.name.len, r.name.s,
                            v->as.text);
    }
    const node *items = c ? call_items(c) : NULL;
    for (size_t i = 0; items && i < items->len; i++) {
        const char *made = plan_with_item(p, sub->as.text, items->as.items[i]);
        if (path_has_dotdot(made))
            return edit_fmt(&p->ed, "item %zu of withItems makes %s, whose '..' component volpass cannot resolve "
                                    "and Kubernetes refuses in a subPath", i + 1, made);
    }
    return NULL;
}

/* Whether a tag of subPath `sub`, of an argument of call c, stands for a
 * value known at run time only: not the workflow's name, namespace or uid,
 * a workflow parameter spec.arguments gives, nor an item of withItems. */
static bool sub_path_known_late(vplan *p, const workflow *wf, const call_site *c, const node *sub)
{
    size_t pos = 0;
    tag g;
    while (tag_next(sub->as.text, sub->len, &pos, &g)) {
        bool item = !g.expression && (span_is(g.expr, "item") || (g.expr.len > 5 && memcmp(g.expr.s, "item.", 5) == 0));
        if (!names_workflow(g.expr) && !plan_workflow_value(p, &g, wf) && !(item && call_items(c)))
            return true;
    }
    return false;
}

void plan_check_argument_sub_path(vplan *p, const tplan *scope, const call_site *c, const artifact *a, backing b)
{
    const char *problem = a->sub_path && b == BACK_VOLUME ? sub_path_problem(p, scope->wf, c, a->sub_path) : NULL;
    if (problem)
        plan_refuse(p, VP_EUNSUPPORTED, a->sub_path, "template '%s', %s: argument '%s' takes the subPath %s, which "
                    "%s", scope->t->name, c->name, a->name, a->sub_path->as.text, problem);
    else if (a->sub_path && b == BACK_VOLUME && sub_path_known_late(p, scope->wf, c, a->sub_path))
        plan_warn(p, a->sub_path, "template '%s', %s: argument '%s' takes the subPath %s, whose value is known at run "
                  "time only: Argo cleans the path it makes of it ('.' and '..' components go), the mount's subPath "
                  "on the volume keeps them, and Kubernetes refuses a '..' there: the value must have none",
                  scope->t->name, c->name, a->name, a->sub_path->as.text);
    size_t pos = 0;
    tag g;
    while (a->sub_path && !p->err && tag_next(a->sub_path->as.text, a->sub_path->len, &pos, &g)) {
        ref r = tag_ref(&g);
        if (r.artifact)
            plan_refuse(p, VP_EINVALID, a->sub_path, "template '%s', %s: argument '%s' takes the subPath %s, which "
                        "names an artifact where Argo substitutes parameters only", scope->t->name, c->name,
                        a->name, a->sub_path->as.text);
        else if (r.kind == REF_OUTPUT && !template_call(scope->t, r.step.s, r.step.len))
            plan_refuse(p, VP_EINVALID, a->sub_path, "template '%s', %s: argument '%s' takes the subPath %s, but the "
                        "template has no %s named '%.*s'", scope->t->name, c->name, a->name, a->sub_path->as.text,
                        r.steps ? "step" : "task", (int)r.step.len, r.step.s);
    }
}

/* Following what a dag or steps template passes on leads through the
 * templates it names, recursively: a chain of thousands would exhaust the
 * stack. Refuses the one that goes past MAX_GRAPH_NESTING; the caller
 * decrements p->nesting when it returns true. */
static bool enter_graph(vplan *p, const tplan *tp)
{
    if (++p->nesting <= MAX_GRAPH_NESTING)
        return true;
    p->nesting--;
    plan_refuse(p, VP_ELIMIT, tp->t->node, "template '%s': artifacts pass through more than %d dag or steps "
                "templates in a row, more than volpass follows", tp->t->name, MAX_GRAPH_NESTING);
    return false;
}

backing plan_graph_output_backing(vplan *p, tplan *tp, size_t k)
{
    art_plan *o = &tp->out[k];
    if (tp->graph_outputs == PLAN_BUSY) { /* recursion: an assumption, as for inputs (ref_backing) */
        return assumed_backing(p, BACK_VOLUME);
    }
    if (tp->graph_outputs == PLAN_TODO) {
        if (!enter_graph(p, tp))
            return BACK_UNKNOWN;
        tp->graph_outputs = PLAN_BUSY;
        for (size_t i = 0; i < tp->t->outputs.count; i++) {
            art_plan *oi = &tp->out[i];
            oi->convert = plan_from_backing(p, tp, oi->a) != BACK_ARTIFACT;
            if (oi->convert && oi->a->sub_path && !sub_path_fits_expression(tp, oi->a->sub_path))
                plan_refuse(p, VP_EUNSUPPORTED, oi->a->sub_path, "template '%s': output artifact '%s' takes the "
                            "subPath %s, whose value volpass cannot append to the location it passes on: the "
                            "expression that does can read the template's input parameters, and the workflow's "
                            "name, namespace and uid, but no other value", tp->t->name, oi->a->name,
                            oi->a->sub_path->as.text);
            const char *problem = oi->convert && oi->a->sub_path ? sub_path_problem(p, tp->wf, NULL, oi->a->sub_path)
                                                                 : NULL;
            if (problem)
                plan_refuse(p, VP_EUNSUPPORTED, oi->a->sub_path, "template '%s': output artifact '%s' takes the "
                            "subPath %s, which %s", tp->t->name, oi->a->name, oi->a->sub_path->as.text, problem);
            if (oi->convert && plan_global_templated(oi->a))
                plan_refuse(p, VP_EUNSUPPORTED, oi->a->node, "template '%s': output artifact '%s' sets a global "
                            "artifact whose name is made of parameters (%s), which Argo resolves only as an "
                            "artifact, and what it passes on is on the volume: keep that a real artifact "
                            "(--keep-artifact)", tp->t->name, oi->a->name, oi->a->global_name->as.text);
            /* Argo drops an optional output whose step did not run; a
             * parameter with no value fails the template instead. */
            if (oi->convert && oi->a->optional &&
                plan_keep_producer(p, tp, oi->a, edit_fmt(&p->ed, "template '%s' passes it on as optional output "
                                   "artifact '%s', which Argo drops when the step or task it comes from did not run, "
                                   "where a location parameter would fail the template", tp->t->name, oi->a->name)))
                oi->convert = false; /* as in the next try of the plan */
            if (oi->convert && oi->a->optional) {
                plan_refuse(p, VP_EUNSUPPORTED, oi->a->node, "template '%s': output artifact '%s' is optional, which "
                            "Argo drops when the step or task it comes from did not run; the location parameter "
                            "that would pass it on cannot be dropped, and the template would fail: remove optional, "
                            "or keep the producer's output a real artifact (--keep-artifact)",
                            tp->t->name, oi->a->name);
            }
            const artifact *a = oi->a; /* Argo takes from before fromExpression */
            const char *expression = a->from_expression ? a->from_expression->as.text : NULL;
            const call_site *skippable = !oi->convert ? NULL
                                         : a->from ? template_skippable_step(tp->t, a->from->as.text, false, true)
                                                   : template_skippable_step(tp->t, expression, true, true);
            if (skippable &&
                plan_keep_producer(p, tp, oi->a, edit_fmt(&p->ed, "template '%s' passes it on as output artifact "
                                   "'%s' from step '%s', which runs only when its condition holds: Argo gives a "
                                   "skipped step's output an empty artifact, where a location parameter would have no "
                                   "value", tp->t->name, oi->a->name, skippable->name)))
                oi->convert = false, skippable = NULL; /* as in the next try of the plan */
            if (skippable) {
                plan_refuse(p, VP_EUNSUPPORTED, oi->a->node, "template '%s': output artifact '%s' comes from step "
                            "'%s', which runs only when its condition holds: Argo gives a skipped step's output an "
                            "empty artifact, but the location parameter that would pass it on has no value, and the "
                            "template would fail: choose the step that ran with fromExpression (cond ? a : b), or "
                            "keep the producer's output a real artifact (--keep-artifact)", tp->t->name, oi->a->name,
                            skippable->name);
            }
            oi->param = plan_location_param(p, tp, tp->t->output_parameters, tp->out, i, "output");
            if (oi->convert)
                plan_decide(p, tp->t, oi->a, "output", "converted", "passed on as parameter '%s'", oi->param);
            else
                plan_decide(p, tp->t, oi->a, "output", "kept", "what it passes on stays a real artifact");
        }
        tp->graph_outputs = PLAN_DONE;
        p->nesting--;
    }
    return o->convert ? BACK_VOLUME : BACK_ARTIFACT;
}

/* Whether input k of a WorkflowTemplate's dag or steps template takes a
 * volume location by the convention workflows converted apart call it by:
 * where it has no source of its own (else a real artifact). */
static bool convention_form(const tplan *tp, size_t k)
{
    const artifact *a = &tp->t->inputs.items[k];
    return !a->source && !a->optional;
}

/* A WorkflowTemplate's dag or steps template whose callers in the input,
 * which no twin could take (`no_twin` says why), made input k take another
 * form than a workflow converted apart passes it: such a call breaks. */
static void warn_graph_interface(vplan *p, const tplan *tp, size_t k, const char *no_twin)
{
    const artifact *a = &tp->t->inputs.items[k];
    bool convention = convention_form(tp, k);
    plan_warn(p, a->node, "template '%s': input artifact '%s' %s, as its callers in the input pass %s, and no twin of "
         "the template can take their calls: %s; a workflow converted apart that calls the template through "
         "templateRef passes %s, which it will not find: convert such workflows together with it", tp->t->name, a->name,
         convention ? "stays a real artifact" : "comes from the volume",
         convention ? "real artifacts" : "volume locations", no_twin,
         convention ? edit_fmt(&p->ed, "a volume location ('%s')", tp->in[k].param) : "a real artifact");
}

/* Whether caller `cl` of graph template tp passes input k through the
 * volume; passing nothing is a real artifact (Argo's default, or none). */
static backing caller_backing(vplan *p, const tplan *tp, const caller *cl, size_t k)
{
    const call_site *c = cl->c;
    size_t a = artifact_index(&c->arguments, tp->t->inputs.items[k].name, strlen(tp->t->inputs.items[k].name));
    return a == NOT_FOUND ? BACK_ARTIFACT : plan_from_backing(p, cl->scope, &c->arguments.items[a]);
}

void plan_graph_inputs(vplan *p, tplan *tp)
{
    if (tp->graph_inputs != PLAN_TODO || !enter_graph(p, tp))
        return; /* done, or being done further up a recursion: the current form stands */
    tp->graph_inputs = PLAN_BUSY;
    const template *t = tp->t;
    backing *passed = arena_alloc(p->ed.mem, (tp->ncallers + 1) * sizeof *passed);
    p->ed.oom |= !passed;
    for (size_t k = 0; k < t->inputs.count && !p->err && passed; k++) {
        size_t volume = 0, artifacts = 0;
        const node *at = NULL;
        for (size_t i = 0; i < tp->ncallers; i++) {
            passed[i] = caller_backing(p, tp, &tp->callers[i], k);
            volume += passed[i] == BACK_VOLUME;
            artifacts += passed[i] == BACK_ARTIFACT;
            at = tp->callers[i].c->node;
        }
        /* Workflows converted apart may call it, by the convention, unless
         * it is a twin (made for calls in the input). */
        bool apart = workflow_callable_apart(tp->wf) && !graph_twin_of(p->graph_twins, t->node);
        const char *no_twin; /* from plan_graph_twin: NULL when asked for, and the plan starts again */
        if (volume && artifacts) {
            plan_note_cycle_bound(p);
            no_twin = plan_graph_twin(p, tp, k, passed, false);
            plan_refuse(p, VP_EUNSUPPORTED, at, "template '%s': input artifact '%s' gets a volume location from "
                        "some callers and a real artifact from others%s%s", t->name, t->inputs.items[k].name,
                        no_twin ? ", and no twin of the template can take the calls of either form: " : "",
                        no_twin ? no_twin : "");
        } else if (apart && (convention_form(tp, k) ? artifacts : volume)) {
            /* its callers in the input go to a twin; it keeps the convention's form */
            no_twin = p->graph_twins->no_convention ? "volpass plans without such twins when they lead to a refusal"
                                                    : plan_graph_twin(p, tp, k, passed, true);
            if (!no_twin)
                plan_refuse(p, VP_EUNSUPPORTED, at, "template '%s': input artifact '%s': the callers in the input "
                            "go to a twin, as they pass it in another form than workflows converted apart",
                            t->name, t->inputs.items[k].name);
            tp->in[k].convert = volume > 0;
            if (no_twin && *no_twin)
                warn_graph_interface(p, tp, k, no_twin);
        } else if (volume || artifacts) {
            tp->in[k].convert = volume > 0;
        }
        if (tp->in[k].convert)
            plan_decide(p, t, &t->inputs.items[k], "input", "converted", "passed on as parameter '%s'", tp->in[k].param);
        else
            plan_decide(p, t, &t->inputs.items[k], "input", "kept", "its callers pass a real artifact");
        tp->inputs_settled = k + 1;
    }
    tp->graph_inputs = PLAN_DONE;
    p->nesting--;
}

static void refuse_unsettled(vplan *p, const tplan *tp, const artifact *a, const char *role)
{
    plan_note_cycle_bound(p);
    plan_refuse(p, VP_EUNSUPPORTED, a->node, "template '%s': %s artifact '%s' passes on data that comes back to it "
                "through other calls of dag or steps templates, and volpass could not settle whether that goes through "
                "the volume or stays a real artifact: keep the outputs that feed it real artifacts (--keep-artifact)",
                tp->t->name, role, a->name);
}

void plan_check_settled(vplan *p, template *t, const workflow *wf)
{
    (void)wf;
    tplan *tp = plan_of(t);
    if (!tp || !template_is_graph(t))
        return;
    for (size_t i = 0; tp->graph_outputs == PLAN_DONE && i < t->outputs.count && !p->err; i++) {
        backing b = plan_from_backing(p, tp, tp->out[i].a);
        if (b != BACK_UNKNOWN && (b == BACK_VOLUME) != tp->out[i].convert)
            refuse_unsettled(p, tp, tp->out[i].a, "output");
    }
    for (size_t k = 0; tp->graph_inputs == PLAN_DONE && k < t->inputs.count && !p->err; k++)
        for (size_t i = 0; i < tp->ncallers && !p->err; i++) {
            backing b = caller_backing(p, tp, &tp->callers[i], k);
            if (b != BACK_UNKNOWN && (b == BACK_VOLUME) != tp->in[k].convert)
                refuse_unsettled(p, tp, &t->inputs.items[k], "input");
        }
}

void plan_add_caller(vplan *p, tplan *target, tplan *scope, const call_site *c)
{
    caller *bigger = grow_arena(p->ed.mem, target->callers, &target->callers_cap, target->ncallers, sizeof *bigger);
    if (!bigger) {
        p->ed.oom = true;
        return;
    }
    target->callers = bigger;
    target->callers[target->ncallers++] = (caller){scope, c};
}

void plan_index_calls(vplan *p, tplan *scope)
{
    for (size_t c = 0; c < scope->t->ncalls; c++) {
        tplan *target = target_plan(p, scope, &scope->t->calls[c]);
        if (target)
            plan_add_caller(p, target, scope, &scope->t->calls[c]);
    }
}

/* ---- global artifacts ---------------------------------------------------- */

/* One output that sets a global artifact (its globalName). */
typedef struct setter {
    tplan *tp;
    size_t k;
    struct setter *next;
} setter;

void plan_note_globals(vplan *p, template *t, const workflow *wf)
{
    (void)wf;
    const node *list = t->output_parameters;
    for (size_t i = 0; list && i < list->len; i++) {
        const node *g = map_get(list->as.items[i], "globalName");
        if (g && g->kind == NODE_SCALAR && strmap_put(&p->param_globals, g->as.text, g->len, (void *)g) != 0)
            p->ed.oom = true;
    }
    tplan *tp = plan_of(t);
    for (size_t k = 0; tp && k < t->outputs.count; k++) {
        const node *g = t->outputs.items[k].global_name;
        if (!g)
            continue;
        bool templated = plan_global_templated(&t->outputs.items[k]);
        setter *s = arena_alloc(p->ed.mem, sizeof *s);
        if (s)
            *s = (setter){tp, k, templated ? p->templated_setters : strmap_get(&p->setters, g->as.text, g->len)};
        if (s && templated)
            p->templated_setters = s;
        else if (!s || strmap_put(&p->setters, g->as.text, g->len, s) != 0) {
            p->ed.oom = true;
            return;
        }
    }
}

/* The global parameter that carries the location of global artifact `name`:
 * NAME-subpath, or -2, -3, ... when an output parameter has that global
 * name already. Every producer of the artifact sets the same one. */
static bool global_taken(vplan *p, const char *name, const void *ctx)
{
    (void)ctx;
    return strmap_get(&p->param_globals, name, strlen(name)) != NULL;
}

static const char *global_param(vplan *p, span name)
{
    const char *known = strmap_get(&p->globals, name.s, name.len);
    if (known)
        return known;
    const char *g = plan_first_free(p, edit_fmt(&p->ed, "%.*s" SUBPATH_SUFFIX, (int)name.len, name.s), global_taken, NULL);
    if (strmap_put(&p->globals, name.s, name.len, (void *)g) != 0 ||
        strmap_put(&p->param_globals, g, strlen(g), (void *)g) != 0)
        p->ed.oom = true;
    return g;
}

/* Whether the outputs of t are planned: a pod template's from the start, a
 * dag's or steps template's once what they pass on is known. */
static bool outputs_planned(const tplan *tp)
{
    return tp && (template_runs_pod(tp->t) || (template_is_graph(tp->t) && tp->graph_outputs == PLAN_DONE));
}

/* Whether global artifact `name` is on the volume, and the global parameter
 * that carries its location. A dag or steps output that sets it is planned
 * here if it was not yet; one set by no template of the input is, by the
 * convention that holds for templates outside it, on the volume. */
/* Whether a globalName made of parameters may be `name` once Argo
 * substitutes them: its text before the first tag and after the last agree. */
static bool global_may_be(const char *pattern, span name)
{
    const char *open = strstr(pattern, "{{"), *close = open;
    for (const char *c = open; c && (c = strstr(c, "}}")); c += 2)
        close = c + 2;
    size_t head = (size_t)(open - pattern), tail = strlen(close);
    return head + tail <= name.len && memcmp(name.s, pattern, head) == 0 &&
           memcmp(name.s + name.len - tail, close, tail) == 0;
}

/* The output whose globalName, made of parameters, may be `name`, or NULL. */
static const artifact *templated_setter(const vplan *p, span name, const tplan **tp)
{
    for (const setter *t = p->templated_setters; t; t = t->next)
        if (global_may_be(t->tp->out[t->k].a->global_name->as.text, name)) {
            *tp = t->tp;
            return t->tp->out[t->k].a;
        }
    return NULL;
}

static backing global_backing(vplan *p, span name, const char **param)
{
    const char *known = strmap_get(&p->globals, name.s, name.len);
    const setter *s = known ? NULL : strmap_get(&p->setters, name.s, name.len);
    const tplan *ttp = NULL;
    const artifact *templated = templated_setter(p, name, &ttp); /* a real artifact: plan_output kept it */
    if (!known && !s && templated) {
        *param = NULL;
        return BACK_ARTIFACT;
    }
    if (!known && !s)
        known = global_param(p, name);
    for (; s && !p->err; s = s->next) {
        art_plan *o = &s->tp->out[s->k];
        if (template_is_graph(s->tp->t) && s->tp->graph_outputs == PLAN_BUSY) {
            plan_refuse(p, VP_EUNSUPPORTED, o->a->node, "template '%s': global artifact '%.*s', which its output "
                        "'%s' sets, is read in what that template itself passes on: volpass cannot tell whether "
                        "it goes through the volume", s->tp->t->name, (int)name.len, name.s, o->a->name);
            break;
        }
        if (template_is_graph(s->tp->t))
            plan_graph_output_backing(p, s->tp, s->k);
        if (o->convert)
            known = o->global = global_param(p, name);
    }
    if (known && templated && !p->err) {
        plan_refuse(p, VP_EUNSUPPORTED, templated->node, "template '%s': output artifact '%s' may set global "
                    "artifact '%.*s' (its globalName %s is made of parameters) as a real artifact, which another "
                    "output sets through the volume: its readers cannot take both", ttp->t->name, templated->name,
                    (int)name.len, name.s, templated->global_name->as.text);
        return BACK_UNKNOWN;
    }
    *param = known;
    return known ? BACK_VOLUME : BACK_ARTIFACT;
}

void plan_register_globals(vplan *p, template *t, const workflow *wf)
{
    (void)wf;
    tplan *tp = plan_of(t);
    for (size_t k = 0; outputs_planned(tp) && k < t->outputs.count; k++) {
        art_plan *o = &tp->out[k];
        const node *g = o->a->global_name;
        if (o->convert && g)
            o->global = global_param(p, (span){g->as.text, g->len});
    }
}

void plan_refuse_mixed_globals(vplan *p, template *t, const workflow *wf)
{
    (void)wf;
    tplan *tp = plan_of(t);
    for (size_t k = 0; outputs_planned(tp) && k < t->outputs.count && !p->err; k++) {
        const art_plan *o = &tp->out[k];
        const node *g = o->a->global_name;
        if (!o->convert && g && strmap_get(&p->globals, g->as.text, g->len))
            plan_refuse(p, VP_EUNSUPPORTED, o->a->node, "template '%s': output artifact '%s' sets global artifact "
                        "'%s' as a real artifact (%s), and another template sets it through the volume: its "
                        "readers cannot take both", t->name, o->a->name, g->as.text,
                        o->why_kept ? o->why_kept : "what it passes on is one");
    }
}


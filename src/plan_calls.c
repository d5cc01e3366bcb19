/* Calls, in the volume scheme's plan (see volume_plan.c): which form of
 * its target each call takes (twins), the parameters its artifact
 * arguments become, what Argo requires of its parameters, and what a
 * Workflow passes to the WorkflowTemplate it runs (its arguments, its
 * claims with --volume-claim-template). */
#include <stdlib.h>
#include <string.h>

#include "paths.h"
#include "volume_plan.h"

/* ---- calls and twins ---------------------------------------------------- */

static bool same_mask(const bool *a, const bool *b, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (a[i] != b[i])
            return false;
    return true;
}

static bool template_taken(vplan *p, const char *name, const void *home)
{
    const workflow *wf = home;
    size_t len;
    const char *key = plan_address_key(p, wf, name, &len); /* twin names are kept per document */
    return workflow_template(wf, name) || (key && strmap_get(&p->twin_names, key, len));
}

/* Whether a call passing `mask` (per input: a volume location) cannot have
 * a twin of pod template target, in document `home`; refused then, naming
 * why. (A graph template's twin is asked for: plan_graph_twin.) */
static bool twin_refused(vplan *p, const tplan *target, const bool *mask, const workflow *home, const node *at)
{
    const template *t = target->t;
    if (!template_runs_pod(t) && !template_is_graph(t)) {
        size_t k = 0;
        while (k + 1 < t->inputs.count && !mask[k])
            k++;
        plan_refuse(p, VP_EUNSUPPORTED, at,
                    "this call passes a volume location for input artifact '%s' of template '%s', a %s template, "
                    "whose pod Argo makes itself and loads the artifact into: there is no container of the "
                    "template's own to mount the volume into. Keep its producer's output a real artifact "
                    "(--keep-artifact)", t->inputs.items[k].name, t->name, template_type(t));
    } else if (map_get(home->spec, "workflowTemplateRef")) {
        plan_refuse(p, VP_EUNSUPPORTED, at, "template '%s' would need a twin in a Workflow that runs a WorkflowTemplate "
                    "(workflowTemplateRef), which Argo allows no templates of its own", t->name);
    } else if (target->ntwins == MAX_TWINS) {
        plan_refuse(p, VP_EUNSUPPORTED, at, "template '%s' would need more than %d twins", t->name, MAX_TWINS);
    } else if (!plan_refuse_nested_inputs(p, target, mask, at)) {
        for (size_t k = 0; k < t->inputs.count && !p->err; k++) {
            if (mask[k] && !target->in[k].convert && plan_refuse_input_over_outputs(p, target, k, at))
                break;
            if (mask[k] && target->in[k].unmountable)
                plan_refuse(p, VP_EUNSUPPORTED, at, "this call passes template '%s' a volume location for input "
                            "artifact '%s', but it %s: keep the producer's output a real artifact (--keep-artifact)",
                            t->name, t->inputs.items[k].name, target->in[k].unmountable);
        }
    }
    return p->err != NULL;
}

/* Where call c passes target volume locations that it cannot take (for
 * an input that is unmountable, or to a template with no container of its
 * own), twin_for refuses the call; but the producers' outputs may stay real
 * artifacts instead. Asks that they do (plan_keep_producer); when each is
 * asked for, the call is planned on passing real artifacts there (needed
 * cleared), as in the next try of the plan, which keeps them. */
static void keep_producers(vplan *p, tplan *scope, const call_site *c, const tplan *target, bool *needed)
{
    const template *t = target->t;
    bool mounts = template_runs_pod(t) || template_is_graph(t);
    size_t n = 0, *inputs = arena_alloc(p->ed.mem, (t->inputs.count + 1) * sizeof *inputs);
    if (!inputs) {
        p->ed.oom = true;
        return;
    }
    for (size_t k = 0; k < t->inputs.count; k++)
        if (needed[k] && (!mounts || target->in[k].unmountable))
            inputs[n++] = k;
    for (size_t i = 0; i < n; i++) {
        const artifact *in = &t->inputs.items[inputs[i]];
        size_t a = artifact_index(&c->arguments, in->name, strlen(in->name));
        const char *why = mounts ? edit_fmt(&p->ed, "template '%s' takes it as input artifact '%s', which %s",
                                            t->name, in->name, target->in[inputs[i]].unmountable)
                                 : edit_fmt(&p->ed, "template '%s' takes it as input artifact '%s', and a %s template "
                                            "has no container of its own to mount the volume into", t->name, in->name,
                                            template_type(t));
        if (a == NOT_FOUND || !plan_keep_producer(p, scope, &c->arguments.items[a], why))
            return;
    }
    for (size_t i = 0; i < n; i++)
        needed[inputs[i]] = false;
}

/* What a twin's name starts with: its template's name, or for an inline
 * template that of its step or task, which may hold tags and characters a
 * template's name may not (Argo takes [a-zA-Z0-9][-a-zA-Z0-9]*): those go,
 * runs of them as one '-'. */
static const char *twin_base(vplan *p, const template *t, bool is_inline)
{
    if (!is_inline)
        return t->name;
    char *base = arena_alloc(p->ed.mem, strlen(t->name) + sizeof "inline");
    if (!base) {
        p->ed.oom = true;
        return "";
    }
    size_t n = 0;
    for (const char *s = t->name; *s; s++) {
        if (s[0] == '{' && s[1] == '{' && strstr(s, "}}")) {
            s = strstr(s, "}}") + 1;
        } else if ((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9')) {
            base[n++] = *s;
            continue;
        }
        if (n && base[n - 1] != '-')
            base[n++] = '-';
    }
    while (n && base[n - 1] == '-')
        n--;
    base[n] = '\0';
    return n ? base : "inline";
}

/* Whether a call passing `mask` gives target a real artifact where its own
 * form takes a volume location: its twin is then "-constant". */
static bool takes_constant(const tplan *target, const bool *mask)
{
    for (size_t k = 0; k < target->t->inputs.count; k++)
        if (target->in[k].convert && !mask[k])
            return true;
    return false;
}

/* A twin's name in document `home`: BASE-constant when its calls pass a
 * real artifact where the template takes a volume location, else
 * BASE-volume (or -N after it, when taken). */
static const char *twin_name(vplan *p, const char *base, bool constant, const workflow *home)
{
    return plan_first_free(p, edit_fmt(&p->ed, "%s-%s", base, constant ? "constant" : "volume"), template_taken, home);
}

/* Why a twin is made, for --explain. */
#define TAKES_CONSTANT "a call passes a real artifact where the template takes a volume location"
#define TAKES_VOLUME "a call passes a volume location where the template keeps a real artifact"
#define INLINE_NAMED "an inline template that writes to the volume needs a name of its own, as Argo validates a " \
                     "step's or task's inline template without {{pod.name}}, which its output locations hold"
static const char *twin_reason(const tplan *target, const bool *mask, bool named)
{
    bool own_form = true;
    for (size_t k = 0; k < target->t->inputs.count; k++)
        own_form = own_form && target->in[k].convert == mask[k];
    if (own_form)
        return INLINE_NAMED;
    if (takes_constant(target, mask))
        return named ? TAKES_CONSTANT "; and " INLINE_NAMED : TAKES_CONSTANT;
    return named ? TAKES_VOLUME "; and " INLINE_NAMED : TAKES_VOLUME;
}

/* The twin of target that a call passing `mask` calls, made the first time
 * (named: an inline template's, made for a name of its own as well); NULL
 * when refused. */
static const twin *twin_for(vplan *p, tplan *target, const bool *mask, const workflow *home, const node *at,
                            bool named)
{
    for (size_t i = 0; i < target->ntwins; i++)
        if (target->twins[i].home == home && same_mask(target->twins[i].mask, mask, target->t->inputs.count))
            return &target->twins[i];
    if (twin_refused(p, target, mask, home, at))
        return NULL;
    if (!target->twins && !(target->twins = arena_alloc(p->ed.mem, MAX_TWINS * sizeof(twin)))) {
        p->ed.oom = true;
        return NULL;
    }
    twin *tw = &target->twins[target->ntwins];
    tw->mask = arena_alloc(p->ed.mem, target->t->inputs.count + 1);
    if (!tw->mask) {
        p->ed.oom = true;
        return NULL;
    }
    memcpy(tw->mask, mask, target->t->inputs.count);
    tw->home = home;
    tw->named = named;
    tw->name = twin_name(p, twin_base(p, target->t, named), takes_constant(target, mask), home);
    if (strlen(tw->name) > MAX_NAME) {
        plan_refuse(p, VP_EUNSUPPORTED, at, "template '%s' needs a twin, whose name '%s' would be longer than the %d "
                    "characters Argo accepts: shorten the %s name", target->t->name, tw->name, MAX_NAME,
                    named ? "step's or task's" : "template's");
        return NULL;
    }
    size_t len;
    const char *key = plan_address_key(p, home, tw->name, &len);
    if (!key || strmap_put(&p->twin_names, key, len, tw) != 0)
        p->ed.oom = true;
    target->ntwins++;
    plan_decide(p, target->t, NULL, "template", "twin", "twin '%s' created: %s", tw->name,
                twin_reason(target, mask, named));
    return tw;
}

/* The field that names the template caller cl calls, for a twin to take
 * over; false when that call cannot be pointed at another template alone. */
static bool call_target_of(const caller *cl, call_target *out)
{
    const call_site *c = cl->c;
    const workflow *wf = cl->scope->wf;
    node *map = c->node;
    const char *key = "template";
    if (cl->scope->t == &wf->handlers && c->kind == CALL_TASK) {
        if (workflow_callable_apart(wf))
            return false; /* workflows apart run its entrypoint too, with arguments of their own */
        key = "entrypoint";
    } else if (c->kind == CALL_ON_EXIT) {
        key = "onExit";
    } else if (c->inline_template || call_target_dynamic(c)) {
        return false;
    } else if (c->template_ref) {
        map = c->template_ref;
    }
    long i = map_find(map, key);
    if (i < 0 || map_value(map, (size_t)i)->kind != NODE_SCALAR)
        return false;
    *out = (call_target){map, (size_t)i, NULL, NULL};
    return true;
}

static const char UNMOVABLE[] = "among them is a call that cannot be pointed at another template alone (the "
                                "entrypoint of a WorkflowTemplate, which workflows apart run too, or a templateRef "
                                "named by parameters)";

/* The calls in graph template tp, named (`template:`), but for those among
 * `moving`, that pass input k on as they got it ({{inputs.artifacts.K}}):
 * to tp itself, or to a graph template with a twin made for calls that pass
 * that input of its in the same form (`constant`). In tp's twin they call
 * the twin, or that one (graph_twin_make): a recursion stays in one form. */
static call_target *inner_calls(vplan *p, const tplan *tp, size_t k, bool constant, const caller *moving, size_t n,
                                size_t *count)
{
    const template *t = tp->t;
    call_target *inner = arena_alloc(p->ed.mem, (t->ncalls + 1) * sizeof *inner);
    p->ed.oom |= !inner;
    for (size_t i = 0; inner && i < t->ncalls; i++) {
        const call_site *c = &t->calls[i];
        bool moved = false;
        for (size_t m = 0; m < n && !moved; m++)
            moved = moving[m].c == c;
        long pair = map_find(c->node, "template");
        const workflow *in = NULL;
        const template *target = moved || !c->template_name || c->template_ref || c->inline_template || pair < 0
                                 ? NULL : call_tree_target(p->tree, tp->wf, c, &in);
        for (size_t a = 0; target && template_is_graph(target) && a < c->arguments.count; a++) {
            tag g;
            bool tagged;
            ref r = plan_from_ref(&c->arguments.items[a], &g, &tagged);
            if (r.kind != REF_INPUT || !r.artifact || !span_is(r.name, t->inputs.items[k].name))
                continue;
            const char *to = NULL, *passed = c->arguments.items[a].name;
            for (size_t w = 0; target != t && w < p->graph_twins->count && !to; w++) {
                const graph_twin *tw = &p->graph_twins->items[w];
                if (tw->original == target->node && tw->constant == constant && strcmp(tw->input, passed) == 0)
                    to = tw->name;
            }
            if (target == t ? strcmp(passed, t->inputs.items[k].name) == 0 : to != NULL) {
                inner[(*count)++] = (call_target){c->node, (size_t)pair, NULL, to};
                break;
            }
        }
    }
    return inner;
}

/* Asks for a twin of graph template tp for its n callers `moving`, which
 * pass input k in the other form (a real artifact where tp takes a volume
 * location, when `constant`); NULL when asked, else why there can be none. */
static const char *ask_graph_twin(vplan *p, const tplan *tp, size_t k, bool constant, const caller *moving, size_t n,
                                  bool for_convention)
{
    graph_twins *g = p->graph_twins;
    if (p->err)
        return ""; /* the first refusal stands; this one is not told */
    if (g->count == MAX_GRAPH_TWINS)
        return edit_fmt(&p->ed, "volpass makes at most %d twins of dag and steps templates", MAX_GRAPH_TWINS);
    call_target *moved = arena_alloc(p->ed.mem, (n + 1) * sizeof *moved);
    if (!moved) {
        p->ed.oom = true;
        return "";
    }
    for (size_t i = 0; i < n; i++)
        if (!call_target_of(&moving[i], &moved[i]))
            return UNMOVABLE;
    const char *input = tp->t->inputs.items[k].name;
    size_t ninner = 0;
    call_target *inner = inner_calls(p, tp, k, constant, moving, n, &ninner);
    const char *name = twin_name(p, tp->t->name, constant, tp->wf);
    if (strlen(name) > MAX_NAME)
        return edit_fmt(&p->ed, "its name '%s' would be longer than the %d characters Argo accepts", name, MAX_NAME);
    g->items[g->count] = (graph_twin){map_get(tp->wf->spec, "templates"), tp->t->node, NULL, name, tp->t->name,
                                      input, constant, for_convention, moved, n, inner, ninner};
    g->requested = true;
    return NULL;
}

const char *plan_graph_twin(vplan *p, const tplan *tp, size_t k, const backing *passed, bool for_convention)
{
    caller *group = arena_alloc(p->ed.mem, (tp->ncallers + 1) * sizeof *group);
    if (!group) {
        p->ed.oom = true;
        return "";
    }
    /* The calls that pass a real artifact go to a twin that keeps it one;
     * when there are none, or one of them cannot, those that pass volume
     * locations go. */
    const char *why = "";
    for (int constant = 1; constant >= 0; constant--) {
        size_t n = 0;
        for (size_t i = 0; i < tp->ncallers; i++)
            if (passed[i] == (constant ? BACK_ARTIFACT : BACK_VOLUME))
                group[n++] = tp->callers[i];
        if (n && (why = ask_graph_twin(p, tp, k, constant, group, n, for_convention)) != UNMOVABLE)
            return why;
    }
    return why;
}

void plan_note_graph_twins(vplan *p, template *t, const workflow *wf)
{
    (void)wf;
    for (size_t i = 0; i < p->graph_twins->count; i++) {
        const graph_twin *tw = &p->graph_twins->items[i];
        if (tw->original == t->node)
            plan_decide(p, t, NULL, "template", "twin", "twin '%s' created: %s (input artifact '%s')", tw->name,
                        tw->constant ? TAKES_CONSTANT : TAKES_VOLUME, tw->input);
    }
}

/* The parameter each argument artifact of call `c` becomes, or NULL where it
 * stays an artifact (b: each argument's backing). An argument the target
 * does not declare is ignored by Argo, but its `from` must still name
 * something: it follows its source. */
static const char **argument_params(vplan *p, tplan *scope, const call_site *c, const backing *b, const tplan *target,
                                    const bool *mask)
{
    const char **params = arena_alloc(p->ed.mem, (c->arguments.count + 1) * sizeof *params);
    if (!params) {
        p->ed.oom = true;
        return NULL;
    }
    for (size_t i = 0; i < c->arguments.count && !p->err; i++) {
        const artifact *a = &c->arguments.items[i];
        size_t k = target ? artifact_index(&target->t->inputs, a->name, strlen(a->name)) : NOT_FOUND;
        /* One the target does not declare follows its source, unless it is
         * one of spec.arguments an exit handler is given, which stay as written. */
        bool volume = k != NOT_FOUND ? mask[k] : b[i] == BACK_VOLUME && !c->workflow_arguments;
        params[i] = !volume ? NULL : k != NOT_FOUND ? target->in[k].param : edit_cat(&p->ed, a->name, SUBPATH_SUFFIX);
        if (volume && !target && c->template_ref)
            plan_warn_apart(p, scope->wf, c, a->node);
        if (params[i] && plan_parameter(p, c->parameters, params[i], strlen(params[i])))
            plan_refuse(p, VP_EUNSUPPORTED, a->node, "template '%s', %s: parameter '%s', which the called template "
                        "does not declare, is passed already; volpass needs that name for artifact '%s'",
                        scope->t->name, c->name, params[i], a->name);
        /* Argo ends a tag at its first }}: in the {{=...}} that passes the
         * location on, a tag of the expression's own, or a }} in its text,
         * would end it. */
        if (params[i] && a->from_expression && !p->err &&
            (strstr(a->from_expression->as.text, "{{") || strstr(a->from_expression->as.text, "}}")))
            plan_refuse(p, VP_EUNSUPPORTED, a->node, "template '%s', %s: artifact argument '%s' takes a fromExpression "
                        "holding a {{...}} tag or '}}', which the {{=...}} tag that passes its location on cannot "
                        "hold (it would end at the first '}}'); in the expression, name the value without braces "
                        "(workflow.parameters.X, inputs.parameters.X)", scope->t->name, c->name, a->name);
        /* Argo drops an optional argument whose producer did not run or wrote
         * nothing; a parameter naming a location it cannot drop. */
        if (params[i] && a->optional && !p->err &&
            !plan_keep_producer(p, scope, a, edit_fmt(&p->ed, "template '%s', %s: passes it as optional artifact "
                                "argument '%s', which Argo drops when its producer did not run or wrote nothing, where "
                                "a location on the volume cannot be dropped", scope->t->name, c->name, a->name))) {
            plan_refuse(p, VP_EUNSUPPORTED, a->node, "template '%s', %s: artifact argument '%s' is optional, which "
                        "Argo drops when its producer did not run or wrote nothing; a location on the volume "
                        "cannot be dropped: remove optional, or keep the producer's output a real artifact "
                        "(--keep-artifact)", scope->t->name, c->name, a->name);
        }
        /* An exit handler's arguments are spec.arguments, which the
         * entrypoint takes too: they are not the call's to rewrite. */
        if (params[i] && c->workflow_arguments && !p->err)
            plan_refuse(p, VP_EUNSUPPORTED, a->node, "template '%s', %s: the exit handler takes spec.arguments, "
                        "whose artifact '%s' would come from the volume, and volpass does not rewrite spec.arguments: "
                        "keep its producer's output a real artifact (--keep-artifact)", scope->t->name, c->name,
                        a->name);
        if (!target && !volume && !p->err && !c->workflow_arguments)
            plan_refuse(p, VP_EUNSUPPORTED, a->node,
                   "template '%s', %s: artifact argument '%s' is a real artifact (a constant, or an output "
                   "that stays an artifact) for a template outside the input, which takes a volume "
                   "location; convert the documents together", scope->t->name, c->name, a->name);
    }
    if (!target && c->workflow_arguments && c->template_ref && c->arguments.count && !p->err)
        plan_warn(p, c->node, "template '%s', %s: the exit handler, a template outside the input (templateRef), is "
                         "passed spec.arguments; if volpass converts it, it takes input artifacts with no source of "
                         "their own from the volume, not from there", scope->t->name, c->name);
    return params;
}

/* What a tag stands for, to fill_tags; NULL when not known. */
typedef const char *tag_value(vplan *p, const tag *g, const void *ctx);

/* `text` with its tags replaced by what `value` gives them; one it gives
 * nothing stays as written, or becomes `unknown_as` when that is given,
 * and sets *unknown. */
static const char *fill_tags(vplan *p, const char *text, tag_value *value, const void *ctx, const char *unknown_as,
                             bool *unknown)
{
    const char *out = "";
    size_t pos = 0, done = 0, len = strlen(text);
    tag g;
    while (tag_next(text, len, &pos, &g)) {
        const char *v = value(p, &g, ctx);
        *unknown |= !v;
        if (!v && !unknown_as)
            continue;
        out = edit_fmt(&p->ed, "%s%.*s%s", out, (int)(g.start - done), text + done, v ? v : unknown_as);
        done = g.end;
    }
    return done ? edit_fmt(&p->ed, "%s%s", out, text + done) : text;
}

static const char *item_value(vplan *p, const tag *g, const void *item)
{
    (void)p;
    return g->expression ? NULL : item_text(item, g->expr.s, g->expr.len);
}

const char *plan_with_item(vplan *p, const char *text, const node *item)
{
    bool unknown = false;
    return fill_tags(p, text, item_value, item, NULL, &unknown);
}

const char *plan_workflow_value(vplan *p, const tag *g, const void *wf)
{
    ref r = tag_ref(g);
    const node *global = r.kind == REF_WORKFLOW_PARAMETER
                         ? plan_parameter(p, ((const workflow *)wf)->parameters, r.name.s, r.name.len) : NULL;
    const node *v = parameter_own_value(global, false);
    return v && !strstr(v->as.text, "{{") ? v->as.text : NULL;
}

/* The value call c, made in workflow wf, gives input parameter `name` of
 * `target` (in the run of withItems item `item`, or NULL): its argument, or
 * the parameter's own value or default, with the item's values and
 * workflow parameters ({{workflow.parameters.X}}, as spec.arguments gives
 * them) filled in. NULL when it is known at run time only. */
static const char *parameter_value(vplan *p, const workflow *wf, const call_site *c, const template *target,
                                   span name, const node *item)
{
    const node *arg = plan_parameter(p, c->parameters, name.s, name.len);
    const node *own = plan_parameter(p, target->input_parameters, name.s, name.len);
    const node *v = arg ? parameter_own_value(arg, false) : NULL;
    if (!arg && !parameter_reads_config_map(own)) /* whose key wins (ProcessArgs) */
        v = parameter_own_value(own, true);
    const char *text = v ? v->as.text : NULL;
    if (text && arg && item)
        text = plan_with_item(p, text, item);
    bool unknown = false;
    text = text ? fill_tags(p, text, plan_workflow_value, wf, NULL, &unknown) : NULL;
    return unknown ? NULL : text;
}

/* filled_in's tag values: input parameters as call c gives them, and the
 * workflow's parameters as its spec.arguments give them. */
typedef struct call_values {
    const tplan *scope;
    const call_site *c;
    const template *target;
    const node *item;
} call_values;

static const char *input_value(vplan *p, const tag *g, const void *ctx)
{
    const call_values *cv = ctx;
    ref r = tag_ref(g);
    if (r.kind == REF_WORKFLOW_PARAMETER)
        return plan_workflow_value(p, g, cv->scope->wf);
    return r.kind == REF_INPUT && !r.artifact ? parameter_value(p, cv->scope->wf, cv->c, cv->target, r.name, cv->item)
                                              : NULL;
}

/* Artifact path `written` of `target` (made of parameters; else NULL) with
 * the values call c gives the parameters it names (its own, in the run of
 * `item`; the template's defaults; workflow parameters), normalised; "*"
 * for one known at run time only (*unknown set): no '.' nor '/' of its
 * own, so what the known values make shows. */
static const char *filled_in(vplan *p, const tplan *scope, const call_site *c, const template *target,
                             const node *written, const node *item, bool *unknown)
{
    if (!written || written->kind != NODE_SCALAR || !strstr(written->as.text, "{{"))
        return NULL;
    const char *text = fill_tags(p, edit_normal_path(&p->ed, written->as.text), input_value,
                                 &(call_values){scope, c, target, item}, "*", unknown);
    return edit_normal_path(&p->ed, text); /* values may bring '.' or '//' */
}

/* For a refusal's message: that a value is known at run time only (a "*"
 * in the path), and which of a call's withItems runs it is of. */
static const char *which_run(vplan *p, bool unknown, const node *item, size_t nth)
{
    return edit_fmt(&p->ed, "%s%s", unknown ? " (* known at run time)" : "",
                    item ? edit_fmt(&p->ed, " with item %zu of withItems", nth + 1) : "");
}

/* Whether input k of t is optional, has no source and call c passes it
 * nothing: Argo makes no mount for it. */
static bool not_loaded(const call_site *c, const template *t, size_t k)
{
    const artifact *a = &t->inputs.items[k];
    return a->optional && !a->source && artifact_index(&c->arguments, a->name, strlen(a->name)) == NOT_FOUND;
}

/* A query of check_paths_with's (path_index.h): the first input, by the
 * paths one run of a call gives its target's inputs, that a visitor below
 * finds about `path`. */
typedef struct run_paths {
    const call_site *c;
    const tplan *target;
    const template *t;
    const bool *mask;
    const char **in;   /* the inputs' paths as the run fills them in, or NULL as written */
    bool filled;       /* what `at` is was filled in */
    const char *at;
    size_t self;
    size_t found;
} run_paths;

/* Input j's path in the run: filled in, or as written, or NULL. */
static const char *input_path(const run_paths *r, size_t j)
{
    return r->in[j] ? r->in[j] : r->target->in[j].path;
}

static const char *run_path(vplan *p, const void *run, size_t j)
{
    (void)p;
    return input_path(run, j);
}

/* An input from the volume holding output path `at`. */
static void holds_output(void *ctx, size_t j)
{
    run_paths *r = ctx;
    if (j < r->found && r->mask[j] && (r->filled || r->in[j]) && r->target->in[j].path &&
        path_covers(input_path(r, j), r->at))
        r->found = j;
}

/* An input inside input `self` (at `at`), one of them filled in. */
static void inside_input(void *ctx, size_t k)
{
    run_paths *r = ctx;
    const char *inner = input_path(r, k);
    if (k < r->found && k != r->self && (r->in[r->self] || r->in[k]) && inner && path_covers(r->at, inner) &&
        !path_equal(r->at, inner) && !not_loaded(r->c, r->t, k))
        r->found = k;
}

/* Artifact paths made of parameters, as the values call c gives them make
 * them in the run of withItems item number `nth` (`item`; NULL when the
 * call has no items). An output's file name must have no '..' component
 * while it goes through the volume (it would be written outside the mount,
 * and its consumer handed a subPath Kubernetes refuses), and it must not
 * lie in an input the call passes a volume location (mask), mounted
 * read-only: the producer could not write it; no input may lie inside such
 * an input either, where the runtime could not make its mount point.
 * (Values known at run time only are not checked here; verify checks a
 * rewrite with each call's values.) */
static void check_paths_with(vplan *p, const tplan *scope, const call_site *c, const tplan *target, const bool *mask,
                             const node *item, size_t nth)
{
    const template *t = target->t;
    bool in_unknown = false; /* not told apart: a "*" in an input's path shows in the messages that give it */
    const char **in = arena_alloc(p->ed.mem, (t->inputs.count + 1) * sizeof *in);
    if (!in) {
        p->ed.oom = true;
        return;
    }
    bool placed_inputs = false; /* some input path is made of parameters */
    for (size_t j = 0; j < t->inputs.count; j++) {
        in[j] = filled_in(p, scope, c, t, t->inputs.items[j].path, item, &in_unknown);
        placed_inputs |= in[j] != NULL;
    }
    run_paths r = {c, target, t, mask, in, false, NULL, NOT_FOUND, NOT_FOUND};
    const path_index *ix = NULL;
    bool indexed = false;
    for (size_t k = 0; k < t->outputs.count && !p->err; k++) {
        const art_plan *o = &target->out[k];
        bool unknown = false; /* in this output's path */
        const char *filled = filled_in(p, scope, c, t, o->a->path, item, &unknown);
        const char *at = filled ? filled : placed_inputs && o->a->path && o->a->path->kind == NODE_SCALAR
                                               ? edit_normal_path(&p->ed, o->a->path->as.text) : NULL;
        if (!at)
            continue; /* both as written: plan_refuse_input_over_outputs */
        if (filled && o->convert && path_has_dotdot(at)) {
            plan_refuse(p, VP_EUNSUPPORTED, c->node, "template '%s', %s: the parameters it passes make output "
                        "artifact '%s' of '%s' %s%s, whose '..' component leaves the directory the volume is "
                        "mounted on", scope->t->name, c->name, o->a->name, t->name, at,
                        which_run(p, unknown, item, nth));
            break;
        }
        if (!indexed)
            ix = plan_index_paths(p, t->inputs.count, run_path, &r, false), indexed = true;
        r.filled = filled != NULL, r.at = at, r.found = NOT_FOUND;
        path_index_holding(ix, t->inputs.count, at, holds_output, &r);
        if (r.found != NOT_FOUND)
            plan_refuse(p, VP_EUNSUPPORTED, c->node, "template '%s', %s: the parameters it passes put output "
                        "artifact '%s' of '%s' at %s%s, in input artifact '%s', which it passes a volume "
                        "location, mounted read-only at %s: the producer could not write it", scope->t->name,
                        c->name, o->a->name, t->name, at, which_run(p, unknown, item, nth),
                        t->inputs.items[r.found].name, input_path(&r, r.found));
    }
    if (!placed_inputs)
        return; /* both as written: plan_refuse_nested_inputs */
    if (!indexed)
        ix = plan_index_paths(p, t->inputs.count, run_path, &r, false);
    for (size_t j = 0; j < t->inputs.count && !p->err; j++) {
        if (!mask[j] || !input_path(&r, j))
            continue;
        r.self = j, r.at = input_path(&r, j), r.found = NOT_FOUND;
        path_index_under(ix, t->inputs.count, r.at, inside_input, &r);
        if (r.found != NOT_FOUND)
            plan_refuse(p, VP_EUNSUPPORTED, c->node, "template '%s', %s: the parameters it passes put input artifact "
                        "'%s' of '%s' at %s%s, inside input artifact '%s', which it passes a volume location, "
                        "mounted read-only at %s: the runtime could not make its mount point there", scope->t->name,
                        c->name, t->inputs.items[r.found].name, t->name, input_path(&r, r.found),
                        which_run(p, false, item, nth), t->inputs.items[j].name, r.at);
    }
}

/* check_paths_with, for each run of call c: one for each of its
 * withItems, or one with the values known before it runs. */
static void check_call_paths(vplan *p, const tplan *scope, const call_site *c, const tplan *target, const bool *mask)
{
    const template *t = target->t;
    bool placed = false; /* a path made of parameters: most have none, and need no look per run */
    for (size_t k = 0; template_runs_pod(t) && k < t->inputs.count + t->outputs.count && !placed; k++) {
        const node *path = k < t->inputs.count ? t->inputs.items[k].path : t->outputs.items[k - t->inputs.count].path;
        placed = path && path->kind == NODE_SCALAR && strstr(path->as.text, "{{");
    }
    if (!placed)
        return;
    const node *items = call_items(c);
    if (!items)
        check_paths_with(p, scope, c, target, mask, NULL, 0);
    for (size_t i = 0; items && i < items->len && !p->err; i++)
        check_paths_with(p, scope, c, target, mask, items->as.items[i], i);
}

/* The form of the target call `c` needs, and so what its arguments become. */
static void plan_call_form(vplan *p, tplan *scope, const call_site *c, call_plan *cp, const backing *b)
{
    if (!cp->target) {
        cp->arg_params = argument_params(p, scope, c, b, NULL, NULL);
        return;
    }
    const template *tt = cp->target->t;
    if (template_is_graph(tt))
        plan_graph_inputs(p, cp->target);
    bool *needed = arena_alloc(p->ed.mem, tt->inputs.count + 1);
    bool *defaults = arena_alloc(p->ed.mem, tt->inputs.count + 1);
    if (!needed || !defaults) {
        p->ed.oom = true;
        return;
    }
    for (size_t k = 0; k < tt->inputs.count; k++) {
        defaults[k] = cp->target->in[k].convert;
        size_t a = artifact_index(&c->arguments, tt->inputs.items[k].name, strlen(tt->inputs.items[k].name));
        needed[k] = a != NOT_FOUND && b[a] == BACK_VOLUME;
        /* Nothing passed: Argo refuses it anyway, keep the default form. But
         * an exit handler of a template another workflow runs gets that
         * workflow's spec.arguments: constants, never the volume. */
        if (a == NOT_FOUND && defaults[k] && !p->err && !c->workflow_arguments)
            needed[k] = true;
    }
    /* A pod template inline in a step or task that writes to the volume
     * moves to a template of its own: Argo validates the step or task,
     * inline template and all, where {{pod.name}} is not known. */
    bool named = c->inline_template == tt && template_runs_pod(tt) && cp->target->nmounts;
    if (!p->err && template_is_graph(tt) && !same_mask(needed, defaults, tt->inputs.count)) {
        /* callers of its own form decided it, this one was not among them (a
         * cycle of calls, say): it goes to a twin */
        size_t k = 0;
        while (needed[k] == defaults[k])
            k++;
        const char *no_twin = ask_graph_twin(p, cp->target, k, defaults[k], &(caller){scope, c}, 1, false);
        plan_refuse(p, VP_EUNSUPPORTED, c->node, "template '%s', %s: passes template '%s' %s for input artifact "
                    "'%s', where the template's form, which its other callers decided, takes %s%s%s",
                    scope->t->name, c->name, tt->name, needed[k] ? "a volume location" : "a real artifact",
                    tt->inputs.items[k].name, needed[k] ? "a real artifact" : "a volume location",
                    no_twin ? ", and no twin of it can take the call: " : "", no_twin ? no_twin : "");
        return;
    }
    const bool *mask = defaults;
    if (!p->err && (named || !same_mask(needed, defaults, tt->inputs.count))) {
        keep_producers(p, scope, c, cp->target, needed); /* before twin_for refuses the call */
        /* A Workflow that runs a WorkflowTemplate has no templates of its
         * own: a twin of one of that template's goes there, where the
         * Workflow's calls find it by name, as Argo joins the two specs. */
        const workflow *home = call_tree_runs(p->tree, scope->wf) == cp->target->wf ? cp->target->wf : scope->wf;
        const twin *tw = twin_for(p, cp->target, needed, home, c->node, named);
        if (tw) {
            cp->twin = tw->name;
            mask = tw->mask;
        }
    } else {
        cp->target->default_calls++;
    }
    if (!p->err)
        check_call_paths(p, scope, c, cp->target, mask);
    if (!p->err)
        cp->arg_params = argument_params(p, scope, c, b, cp->target, mask);
}

void plan_call(vplan *p, tplan *scope, const call_site *c, call_plan *cp)
{
    memset(cp, 0, sizeof *cp);
    cp->c = c;
    const workflow *in = NULL;
    template *t = call_tree_target(p->tree, scope->wf, c, &in);
    cp->target = plan_of(t);
    const char *dynamic = call_target_dynamic(c);
    if (dynamic && c->arguments.count) {
        plan_refuse(p, VP_EUNSUPPORTED, c->arguments.items[0].node, "template '%s', %s: passes artifact '%s' to a "
                    "templateRef made of parameters (%s): which template runs is known at run time only, and "
                    "whether it takes the artifact from the volume or as a real artifact is not: call a fixed "
                    "template (a step or task per choice, with when)", scope->t->name, c->name,
                    c->arguments.items[0].name, dynamic);
        return;
    }
    if (dynamic)
        return; /* it is passed no artifact, and a reference to one of its outputs is refused */
    if (c->template_ref && in && !t) {
        const node *name = map_get(c->template_ref, "template");
        plan_refuse(p, VP_EINVALID, c->node, "template '%s', %s: calls template '%s' of %s '%s', which has no "
                    "template of that name", scope->t->name, c->name, name && name->kind == NODE_SCALAR ?
                    name->as.text : "", in->kind, in->name ? in->name : "");
        return;
    }
    if (c->template_ref && in && *in->name_space && strcmp(scope->wf->kind, "ClusterWorkflowTemplate") == 0 &&
        (c->arguments.count || (t && t->outputs.count)))
        plan_warn(p, c->node, "template '%s', %s: a ClusterWorkflowTemplate's templateRef to WorkflowTemplate '%s' "
                  "runs the one of the namespace of each workflow that uses it; volpass converts it against the one "
                  "of namespace '%s' in the input, and where another runs, a hand-off with it may break: check "
                  "that workflow with volpass verify", scope->t->name, c->name, in->name, in->name_space);
    const workflow *other = c->template_ref ? call_tree_ambiguous(p->tree, scope->wf, c->template_ref) : NULL;
    if (other && in) {
        plan_refuse(p, VP_EUNSUPPORTED, c->node, "template '%s', %s: calls WorkflowTemplate '%s' from a document "
                    "that names no namespace, which runs in the namespace its workflow is submitted to; the input "
                    "has that WorkflowTemplate in namespaces '%s' and '%s', and which one runs is not known: name "
                    "the namespace, or convert the documents of each namespace apart", scope->t->name, c->name,
                    other->name, in->name_space, other->name_space);
        return;
    }
    /* A name that is not a template of the document (and no
     * workflowTemplateRef that could bring it) is a workflow Argo refuses. */
    if (!t && c->template_name && !map_get(scope->wf->spec, "workflowTemplateRef")) {
        plan_refuse(p, VP_EINVALID, c->node, "template '%s', %s: calls template '%s', which the workflow does "
                    "not have", scope->t->name, c->name, c->template_name);
        return;
    }
    if (!c->template_name && !c->template_ref && !c->inline_template) {
        plan_refuse(p, VP_EINVALID, c->node, "template '%s', %s: names no template (template, templateRef "
                    "or inline)", scope->t->name, c->name);
        return;
    }
    /* Each argument's backing, once: following a reference refuses what names nothing. */
    backing *b = malloc((c->arguments.count + 1) * sizeof *b);
    if (!b) {
        p->ed.oom = true;
        return;
    }
    for (size_t i = 0; i < c->arguments.count && !p->err; i++) {
        const artifact *a = &c->arguments.items[i];
        b[i] = plan_from_backing(p, scope, a);
        plan_check_argument_sub_path(p, scope, c, a, b[i]);
    }
    if (!p->err)
        plan_call_form(p, scope, c, cp, b);
    free(b);
}

/* Whether a string field of `map` is set: Argo reads "" as unset too. */
static bool text_field(const node *map, const char *key)
{
    const node *v = argo_field(map, key);
    return v && !(v->kind == NODE_SCALAR && v->len == 0);
}

/* Why argument parameter `arg` of call c is refused, or NULL. A step or
 * task must give each a value or a valueFrom of configMapKeyRef, supplied or
 * event, or Argo refuses the workflow (validateArgumentsValues); and of
 * these only a value or a ConfigMap's key gives the target's input one
 * (ProcessArgs), or the call fails at run time. A hook's arguments are not
 * validated, and one that the target does not declare is ignored. */
static const char *argument_fault(const call_site *c, const node *arg, bool declared)
{
    const node *from = argo_field(arg, "valueFrom");
    bool value = parameter_own_value(arg, false) != NULL;
    if (c->kind != CALL_HOOK && !value && !from)
        return "with neither value nor valueFrom, which Argo requires";
    if (c->kind != CALL_HOOK && from &&
        (text_field(from, "path") || text_field(from, "jsonPath") || text_field(from, "parameter") ||
         text_field(from, "expression") ||
         !(argo_field(from, "configMapKeyRef") || argo_field(from, "supplied") || text_field(from, "event"))))
        return "with a valueFrom Argo refuses in arguments (it takes configMapKeyRef, supplied or event)";
    if (declared && !value && !parameter_reads_config_map(arg))
        return "without a value (nor a ConfigMap's key): the call fails at run time";
    return NULL;
}

void plan_check_required_parameters(vplan *p, const tplan *scope, const call_site *c, const call_plan *cp)
{
    if (c->workflow_arguments)
        return; /* an exit handler takes spec.arguments, to which `argo submit -p` may add */
    const node *list = cp->target ? cp->target->t->input_parameters : NULL;
    for (size_t i = 0; c->parameters && c->parameters->kind == NODE_SEQUENCE && i < c->parameters->len; i++) {
        const node *arg = c->parameters->as.items[i];
        const node *name = map_get(arg, "name");
        const char *fault = name && name->kind == NODE_SCALAR
                                ? argument_fault(c, arg, plan_parameter(p, list, name->as.text, name->len) != NULL)
                                : NULL;
        if (fault) {
            plan_refuse(p, VP_EINVALID, arg, "template '%s', %s: passes parameter '%s' %s", scope->t->name,
                        c->name, name->as.text, fault);
            return;
        }
    }
    for (size_t i = 0; list && i < list->len && !p->err; i++) {
        const node *name = required_parameter(list->as.items[i]);
        if (name && !plan_parameter(p, c->parameters, name->as.text, name->len))
            plan_refuse(p, VP_EINVALID, c->node, "template '%s', %s: does not supply parameter '%s', which "
                        "template '%s' requires", scope->t->name, c->name, name->as.text, cp->target->t->name);
    }
}

/* The name a workflowTemplateRef gives, for messages. */
static const char *referred_name(const node *refers)
{
    const node *name = map_get(refers, "name");
    return name && name->kind == NODE_SCALAR ? name->as.text : "?";
}

/* Refuses the spec.arguments.artifacts a Workflow passes, constants, to
 * the entrypoint `name` of the WorkflowTemplate `doc` it runs (`shown`),
 * which takes one of them from the volume once converted. (Its exit
 * handlers are calls, planned as others, and a twin one needs goes to
 * doc.) Argo merges the WorkflowTemplate's spec.arguments under the
 * Workflow's: those count too where the Workflow names the entrypoint
 * itself (`named`), and are refused there; without, they are
 * the WorkflowTemplate's entrypoint's, which its conversion planned. Its
 * entrypoint, a pod template its own spec.arguments pass a constant, is a
 * twin that takes that artifact real: the Workflow's passes, unless it
 * names that entrypoint itself, which names the template's own form. */
static void refuse_referred(vplan *p, const workflow *wf, const workflow *doc, const char *name, const node *named,
                            const char *shown)
{
    tplan *tp = plan_of(name ? workflow_template(doc, name) : NULL);
    if (tp && template_is_graph(tp->t))
        plan_graph_inputs(p, tp); /* from its callers: a dag or steps template has no twins */
    size_t merged = named ? doc->arguments.count : 0;
    for (size_t i = 0; tp && i < wf->arguments.count + merged && !p->err; i++) {
        bool own = i < wf->arguments.count;
        const artifact *a = own ? &wf->arguments.items[i] : &doc->arguments.items[i - wf->arguments.count];
        if (!own && artifact_index(&wf->arguments, a->name, strlen(a->name)) != NOT_FOUND)
            continue; /* the Workflow's own replaces it */
        size_t k = artifact_index(&tp->t->inputs, a->name, strlen(a->name));
        bool entry_twin = template_runs_pod(tp->t) && doc->entrypoint && strcmp(name, doc->entrypoint) == 0 &&
                          artifact_index(&doc->arguments, a->name, strlen(a->name)) != NOT_FOUND;
        if (k == NOT_FOUND || !tp->in[k].convert || (entry_twin && !named))
            continue;
        plan_refuse(p, VP_EUNSUPPORTED, own ? a->node : named, "spec.arguments%s: artifact '%s' goes through "
                    "workflowTemplateRef to template '%s' of WorkflowTemplate '%s', which takes it from the volume once "
                    "converted; %s", own ? "" : " (the WorkflowTemplate's, which Argo merges in)", a->name, tp->t->name,
                    shown, entry_twin ? "leave spec.entrypoint out: the WorkflowTemplate's own, a twin of it that takes "
                                        "the artifact, runs then"
                                      : "a Workflow that only refers to that template cannot call a twin of it that "
                                        "takes the artifact");
    }
}

/* A Workflow's own workflow parameters replace those of the WorkflowTemplate
 * `doc` it runs (Argo merges the specs): in a path of an output that goes
 * through the volume, a value with a '..' component leaves the mount, as
 * one of doc's own would (check_paths_with). */
static void check_referred_paths(vplan *p, const workflow *wf, const workflow *doc, const char *shown)
{
    for (size_t i = 0; i < doc->ntemplates && !p->err; i++) {
        const tplan *tp = plan_of(&doc->templates[i]);
        for (size_t k = 0; tp && template_runs_pod(tp->t) && k < tp->t->outputs.count && !p->err; k++) {
            const node *path = tp->t->outputs.items[k].path;
            if (!tp->out[k].convert || !path || path->kind != NODE_SCALAR || !strstr(path->as.text, "{{"))
                continue;
            bool unknown = false;
            const char *filled = edit_normal_path(&p->ed, fill_tags(p, path->as.text, plan_workflow_value, wf, NULL,
                                                                    &unknown));
            if (path_has_dotdot(filled))
                plan_refuse(p, VP_EUNSUPPORTED, map_get(wf->spec, "arguments"), "spec.arguments: the workflow "
                            "parameters this Workflow gives WorkflowTemplate '%s', in place of its own, make output "
                            "artifact '%s' of template '%s' %s, whose '..' component leaves the directory the volume "
                            "is mounted on", shown, tp->t->outputs.items[k].name, tp->t->name, filled);
        }
    }
}

void plan_check_run_arguments(vplan *p, const workflow *wf)
{
    const node *refers = map_get(wf->spec, "workflowTemplateRef");
    const workflow *other = refers ? call_tree_ambiguous(p->tree, wf, refers) : NULL;
    const workflow *first = other ? call_tree_document(p->tree, wf, refers) : NULL;
    if (first)
        plan_refuse(p, VP_EUNSUPPORTED, refers, "spec.workflowTemplateRef: the workflow names no namespace and runs "
                    "in the one it is submitted to; the input has WorkflowTemplate '%s' in namespaces '%s' and '%s', "
                    "and which one runs is not known: name the namespace, or convert the documents of each "
                    "namespace apart", other->name, first->name_space, other->name_space);
    if (!refers || p->err)
        return;
    const workflow *doc = call_tree_document(p->tree, wf, refers);
    const char *shown = referred_name(refers);
    if (doc && wf->parameters)
        check_referred_paths(p, wf, doc, shown);
    if (p->err || (wf->arguments.count == 0 && (!doc || doc->arguments.count == 0)))
        return;
    if (!doc) {
        plan_warn(p, refers, "spec.workflowTemplateRef: WorkflowTemplate '%s' is not in the input; if volpass converts "
                        "it, an entrypoint or exit handler of it that runs a pod takes the input artifacts that have "
                        "no source of their own from the volume, not from spec.arguments", shown);
        return;
    }
    refuse_referred(p, wf, doc, wf->entrypoint ? wf->entrypoint : doc->entrypoint, map_get(wf->spec, "entrypoint"),
                    shown);
}

/* Whether template t of `doc`, in the input, or one inline in it, has an
 * exit handler (given spec.arguments) that declares input artifact `name`. */
static bool handler_reads(const template *t, const workflow *doc, const char *name)
{
    for (size_t c = 0; c < t->ncalls; c++) {
        const call_site *call = &t->calls[c];
        const template *target = call->workflow_arguments && call->template_name
                                     ? workflow_template(doc, call->template_name) : NULL;
        if ((target && artifact_index(&target->inputs, name, strlen(name)) != NOT_FOUND) ||
            (call->inline_template && handler_reads(call->inline_template, doc, name)))
            return true;
    }
    return false;
}

/* Whether a document of the stream that workflow wf runs templates of
 * (templateRef, workflowTemplateRef) has an exit handler, given
 * spec.arguments, that declares input artifact `name`. */
static bool runs_handler_reading(const call_tree *tree, const workflow *wf, const char *name)
{
    size_t d = (size_t)(wf - tree->wfs);
    for (size_t r = tree->refs_from[d]; r < tree->refs_from[d + 1]; r++) {
        const workflow *doc = &tree->wfs[tree->refs[r].callee];
        for (size_t i = 0; i < doc->ntemplates; i++)
            if (handler_reads(&doc->templates[i], doc, name))
                return true;
        if (handler_reads(&doc->handlers, doc, name))
            return true;
    }
    return false;
}

/* Whether artifact a is a global artifact: {{workflow.outputs.artifacts.X}}. */
static bool names_global_artifact(const artifact *a)
{
    tag g;
    bool tagged;
    ref r = plan_from_ref(a, &g, &tagged);
    return r.kind == REF_WORKFLOW_OUTPUT && r.artifact;
}

void plan_check_workflow_arguments(vplan *p, const workflow *wf, const stream_calls *r)
{
    for (size_t i = 0; r->scope && i < wf->arguments.count && !p->err; i++) {
        const artifact *a = &wf->arguments.items[i];
        if ((!a->from && !a->from_expression) || !runs_handler_reading(p->tree, wf, a->name))
            continue;
        if (!names_global_artifact(a))
            plan_refuse(p, VP_EUNSUPPORTED, a->node, "spec.arguments: artifact '%s' is read by the exit handler of a "
                        "template this workflow runs from another document, where the reference it takes is "
                        "resolved, which volpass does not follow there: pass a constant or a global artifact",
                        a->name);
        else if (plan_from_backing(p, r->scope, a) == BACK_VOLUME)
            plan_refuse(p, VP_EUNSUPPORTED, a->node, "spec.arguments: artifact '%s' is read as written by the exit "
                        "handler of a template this workflow runs from another document, and would come from the "
                        "volume, which volpass does not rewrite there: keep its producer's output a real artifact "
                        "(--keep-artifact)", a->name);
    }
}

void plan_claim(vplan *p, const workflow *wf, stream_calls *r)
{
    const node *refers = map_get(wf->spec, "workflowTemplateRef");
    if (!p->ctx->claim || !refers)
        return;
    if (spec_claims(wf->spec)) {
        r->claim_replaced = true;
        return;
    }
    r->claim_elsewhere = true;
    if (!call_tree_document(p->tree, wf, refers) && wf->ntemplates > 0)
        plan_refuse(p, VP_EUNSUPPORTED, refers, "spec.workflowTemplateRef: WorkflowTemplate '%s' is not in the "
                    "input; with --volume-claim-template, the claim this Workflow's own templates need would "
                    "replace its spec.volumeClaimTemplates (Argo takes the list as a whole): convert the two "
                    "together, or use --volume", referred_name(refers));
}


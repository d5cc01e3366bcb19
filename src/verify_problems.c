/* The problems a rewrite brought, which verify reports beside the
 * hand-offs (see verify.c): mounts Kubernetes or Argo refuse or that hide
 * one another, references to nothing, parameters not supplied, claims a
 * run no longer creates, files moved to a volume that lose their mode. */
#include "verify_ctx.h"

/* True the first time it sees template t run by workflow wf: the
 * workflow that runs a template may change its pods (its podSpecPatch,
 * templateDefaults, volumes), so each pair is looked at; a problem found
 * twice is reported once (verify_problem). */
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

/* ---- problems of the rewrite -------------------------------------------- */

/* The deepest mount of t strictly above `path`, or NULL. */
static const node *mount_above(vctx *v, const template *t, const char *path, size_t *prefix_len)
{
    char *parent = strdup(path);
    if (!parent)
        return NULL;
    path_normalize(parent);
    char *slash = strrchr(parent, '/');
    const node *m = NULL;
    if (slash && slash != parent) {
        *slash = '\0';
        m = verify_covering_mount(v, t, parent, prefix_len);
    } else if (slash && slash[1]) {
        m = verify_covering_mount(v, t, "/", prefix_len);
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
            verify_problem(v, mounts, t, "the pod's volume mounts may change, which verify does not follow: %s", patch);
            break;
        }
    }
    size_t first = 0; /* the list's first mount, in the order of template_next_mount */
    for (int w = 0; w < TEMPLATE_MOUNT_LISTS; w++) {
        const node *mounts = template_mounts(t, w);
        for (size_t a = 0; mounts && mounts->kind == NODE_SEQUENCE && a < mounts->len; a++) {
            const node *m = mounts->as.items[a];
            const char *mp = scalar_text(map_get(m, "mountPath"));
            if (!mp)
                continue;
            mp = verify_mount_path(v, mp);
            if (path_is_root(mp))
                verify_problem(v, m, t, "a volume mount at /");
            const char *runner = template_runner_mount(t, running_workflow(i), mp);
            if (runner)
                verify_problem(v, m, t, "a workflow that runs it gives its container a volume mount on %s "
                               "(templateDefaults), which Argo merges with the mount on %s or which one hides the "
                               "other: verify does not follow it", runner, mp);
            if (path_has_dotdot(mp))
                verify_problem(v, m, t, "a mount path with '..': %s", mp);
            const char *mirror;
            if (template_mirror_clash(t, mp, false, &mirror))
                verify_problem(v, m, t, "two volume mounts on %s in container '%s', which mirrors the main container's "
                        "mounts", mp, mirror);
            const char *argo = path_is_root(mp) ? NULL : argo_mount_within(t, mp); /* reported just above */
            if (argo)
                verify_problem(v, m, t, "the mount at %s %s the one Argo gives the container at %s", mp,
                        path_equal(argo, mp) ? "duplicates" : "hides", argo);
            size_t prefix;
            const node *outer = mount_above(v, t, mp, &prefix);
            if (outer && scalar_is_true(map_get(outer, "readOnly")))
                verify_problem(v, m, t, "the mount at %s lies inside the read-only mount at %s, where the runtime "
                        "cannot make its mount point", mp, scalar_text(map_get(outer, "mountPath")));
            if (verify_mount_repeats(v, t, first, first + a))
                verify_problem(v, m, t, "two volume mounts on %s", mp);
            const char *name = scalar_text(map_get(m, "name"));
            bool missing;
            const char *why = verify_volume_problem(v, i, name, &missing);
            if (missing)
                verify_problem(v, m, t, "%s", why);
            if (name && !strstr(name, "{{") && !volume_name_valid(name))
                verify_problem(v, m, t, "the mount's volume name '%s' is not one Kubernetes takes (a DNS-1123 label)", name);
            const char *sub = scalar_text(map_get(m, "subPath"));
            if (sub && (sub[0] == '/' || path_has_dotdot(sub))) /* whatever its references hold */
                verify_problem(v, m, t, "the mount's subPath %s is not one Kubernetes takes (relative, without '..')", sub);
        }
        first += mounts && mounts->kind == NODE_SEQUENCE ? mounts->len : 0;
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
    mount_cursor at = {0, 0};
    for (const node *mount; (mount = template_next_mount(t, TEMPLATE_MOUNT_LISTS, &at)); n++) {
        const char *mp = scalar_text(map_get(mount, "mountPath"));
        templated += mp && strstr(mp, "{{");
    }
    if (!templated)
        return;
    const node **m = malloc(n * sizeof *m);
    const char **path = malloc(n * sizeof *path);
    bool *placed = malloc(n);
    n = 0;
    at = (mount_cursor){0, 0};
    for (const node *mount; m && path && placed && (mount = template_next_mount(t, TEMPLATE_MOUNT_LISTS, &at)); n++) {
        m[n] = mount;
        const char *raw = scalar_text(map_get(mount, "mountPath"));
        placed[n] = raw && strstr(raw, "{{");
        v->budget = BUDGET;
        path[n] = placed[n] ? verify_pod_path(v, tree, i, raw) : raw;
        if (placed[n] && v->budget == 0)
            verify_problem(v, mount, t, "the mount path %s takes more references than verify follows to fill in '%s', "
                    "so verify does not check it", raw, i->path);
        if (placed[n] && strstr(path[n], "{{"))
            placed[n] = false; /* values not known here */
    }
    for (size_t a = 0; m && path && placed && a < n; a++) {
        if (!placed[a])
            continue;
        if (path_is_root(path[a]))
            verify_problem(v, m[a], t, "a volume mount at /");
        if (path_has_dotdot(path[a]))
            verify_problem(v, m[a], t, "a mount path with '..': %s", path[a]);
        const node *outer = NULL;
        size_t best = 0;
        char *parent = fmt_writable(v, "%s", path[a]);
        path_normalize(parent);
        char *slash = strrchr(parent, '/');
        if (slash)
            slash[slash == parent] = '\0'; /* "/x" has the parent "/" */
        for (size_t b = 0; b < n; b++) {
            size_t c = b != a && path[b] ? path_covers(path[b], parent) : 0;
            if (c > best)
                best = c, outer = m[b];
            if (b != a && path[b] && (b < a || !placed[b]) && path_equal(path[a], path[b]))
                verify_problem(v, m[a], t, "two volume mounts on %s", path[a]);
        }
        if (outer && scalar_is_true(map_get(outer, "readOnly")))
            verify_problem(v, m[a], t, "the mount at %s lies inside the read-only mount at %s, where the runtime "
                    "cannot make its mount point", path[a], scalar_text(map_get(outer, "mountPath")));
    }
    free(m);
    free(path);
    free(placed);
}

typedef struct inside_artifact {
    const instance *i;
    const char *role;
    const artifact *a;
    const char *wrong;
} inside_artifact;

static void report_inside(vctx *v, const node *mount, const char *mount_path, void *ctx)
{
    const inside_artifact *x = ctx;
    verify_problem(v, mount, x->i->tmpl, "%s '%s' at %s holds the mount at %s, %s", x->role, x->a->name,
                   x->a->path->as.text, mount_path, x->wrong);
}

/* Reports each mount of instance i's pod that lies inside `path`, where
 * artifact a (an "output" or "input") is, saying what is wrong with it. */
static void mounts_inside(vctx *v, const instance *i, const char *path, const char *role, const artifact *a,
                          const char *wrong)
{
    verify_each_mount_inside(v, i->tmpl, path, report_inside, &(inside_artifact){i, role, a, wrong});
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
        char *path = fmt_writable(v, "%s", m.a->path->as.text);
        path_normalize(path);
        m.path = path;
        m.now = verify_covering_mount(v, i->tmpl, path, &m.now_len);
        m.then = verify_covering_mount(v, orig->tmpl, path, &m.then_len);
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
        verify_problem(v, m->now, i->tmpl, "output '%s' at %s is written to the mount at %s, below the pod's own mount "
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
 * rewrite declares) must not lie under a read-only mount: checked as
 * written once per template (not `placed`), or, for one made of parameters,
 * as instance i places it, in every instance (`placed`: the values differ). */
static void check_outputs_writable(vctx *v, const call_tree *tree, const instance *i, bool placed)
{
    const instance *orig = v->baseline ? i : call_tree_find(&v->orig, i->path);
    const artifact_list *lists[] = {orig && orig->tmpl ? &orig->tmpl->outputs : NULL, &i->tmpl->outputs};
    for (size_t l = 0; l < 2; l++)
        for (size_t k = 0; lists[l] && k < lists[l]->count; k++) {
            const artifact *out = &lists[l]->items[k];
            const char *raw = out->path ? scalar_text(out->path) : NULL;
            if (!raw || (strstr(raw, "{{") != NULL) != placed)
                continue;
            v->budget = BUDGET;
            char *path = fmt_writable(v, "%s", placed ? verify_pod_path(v, tree, i, raw) : raw);
            path_normalize(path);
            size_t prefix;
            const node *m = verify_covering_mount(v, i->tmpl, path, &prefix);
            if (m && scalar_is_true(map_get(m, "readOnly")))
                verify_problem(v, m, i->tmpl, "output '%s' at %s lies under a read-only mount", out->name, path);
        }
}

typedef struct scan {
    vctx *v;
    const call_tree *tree;
    const instance *i;
} scan;

static bool declared_parameter(vctx *v, const template *t, span name)
{
    return find_parameter(v, t->input_parameters, name) != NULL;
}

/* Checks one reference written in template i->tmpl, a tag's or (`branch`)
 * an expression's; whether it reported a problem. */
static bool check_reference(scan *s, const node *at, span e, bool branch)
{
    vctx *v = s->v;
    const template *t = s->i->tmpl;
    ref r = branch ? ref_parse_branch(e) : ref_parse(e);
    if (r.kind == REF_INPUT && !r.artifact && !declared_parameter(v, t, r.name))
        verify_problem(v, at, t, "parameter '%s' is used but not declared", span_str(v, r.name));
    else if (r.kind == REF_INPUT && r.artifact && !find_artifact(&t->inputs, r.name))
        verify_problem(v, at, t, "reference {{%s}} points at no input artifact", span_str(v, e));
    else if (r.kind == REF_OUTPUT && template_is_graph(t)) {
        const instance *x = instance_sibling(s->tree, s->i, r.step);
        bool found = x && x->tmpl &&
                     (r.artifact ? find_artifact(&x->tmpl->outputs, r.name) != NULL
                                 : find_parameter(v, x->tmpl->output_parameters, r.name) != NULL);
        if ((x && !x->tmpl) || found)
            return false; /* found, or in a template outside the stream: nothing to check against */
        verify_problem(v, at, t, "reference {{%s}} points at nothing", span_str(v, e));
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
        reported |= check_reference(s, at, alts[k], true);
    if (reported)
        return; /* one problem an expression: its mention of that artifact is the same fault */
    const template *t = s->i->tmpl;
    size_t pos = 0;
    artifact_mention m;
    while (expr_next_mention(e, &pos, &m))
        if (m.name.len && !find_artifact(m.input ? &t->inputs : &t->outputs, m.name) &&
            (m.input || template_runs_pod(t))) {
            verify_problem(s->v, at, t, "the expression '%.200s' names %s artifact '%s', which '%s' does not declare",
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
        else if (span_is(g.expr, "pod.name") && s->i->call && s->i->call->inline_template == s->i->tmpl)
            verify_problem(s->v, at, s->i->tmpl, "{{pod.name}} in the inline template of '%s': Argo validates a step "
                           "or task with its inline template, where pod.name is not known, and refuses the "
                           "workflow; a named template may use it", s->i->call->name);
        else if (expr_mention_is(g.expr, &own) && !own.input && own.name.len && template_runs_pod(s->i->tmpl) &&
                 !find_artifact(&s->i->tmpl->outputs, own.name))
            verify_problem(s->v, at, s->i->tmpl, "reference {{%s}} points at no output artifact", span_str(s->v, g.expr));
        else
            check_reference(s, at, g.expr, false);
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
        const node *supplied = i->call ? find_parameter(v, i->call->parameters, text_span(name->as.text))
                                       : find_parameter(v, i->wf->parameters, text_span(name->as.text));
        if (!supplied)
            verify_problem(v, i->call ? i->call->node : p, t, "required parameter '%s' is not supplied by '%s'",
                    name->as.text, i->call ? (i->parent ? i->parent->path : "the workflow") : "spec.arguments");
    }
}

/* A steps template whose output parameter is, with no default, that of a
 * step its `when` may skip fails where that step was skipped
 * (template_skippable_step). */
static void check_skippable_outputs(vctx *v, const template *t)
{
    const node *params = t->kind == TEMPLATE_STEPS ? t->output_parameters : NULL;
    for (size_t k = 0; params && params->kind == NODE_SEQUENCE && k < params->len; k++) {
        const node *from = map_get(params->as.items[k], "valueFrom");
        const char *text = scalar_text(map_get(from, "parameter"));
        const call_site *c = map_get(from, "default") ? NULL
                             : text ? template_skippable_step(t, text, false, false)
                             : template_skippable_step(t, scalar_text(map_get(from, "expression")), true, false);
        if (c)
            verify_problem(v, params->as.items[k], t, "output parameter '%s' comes from step '%s', which runs only "
                           "when its condition holds: where it was skipped, that parameter has no value (and no "
                           "default), and Argo fails the template", scalar_text(map_get(params->as.items[k], "name")),
                           c->name);
    }
}

void verify_check_instance(vctx *v, const call_tree *tree, instance *i)
{
    if (!i || !i->tmpl)
        return;
    v->budget = BUDGET;
    check_required_parameters(v, i);
    /* One the call tree did not expand (calls nested too deep, recursion) has calls that lead nowhere here: it is
     * looked at where it was expanded, and past the depth verify follows, not at all (that depth is a problem). */
    bool expanded = i->tmpl->ncalls == 0 || i->nchildren > 0;
    if (expanded && first_visit(v, i->tmpl, running_workflow(i))) {
        scan s = {v, tree, i};
        scan_node(&s, i->tmpl->node, false);
        check_skippable_outputs(v, i->tmpl);
        if (template_runs_pod(i->tmpl)) {
            check_mounts(v, i);
            each_moved(v, i, true, output_whole);
            each_moved(v, i, false, input_whole);
            check_outputs_writable(v, tree, i, false);
        }
    }
    if (template_runs_pod(i->tmpl)) { /* in every instance: the paths may differ */
        check_placed_mounts(v, tree, i);
        check_outputs_writable(v, tree, i, true);
    }
    for (size_t c = 0; c < i->nchildren; c++)
        verify_check_instance(v, tree, i->children[c]);
}

void verify_check_run_claims(vctx *v)
{
    for (size_t d = 0; d < v->rew.nwfs; d++) {
        const workflow *orig = &v->orig.wfs[d], *rew = &v->rew.wfs[d];
        const workflow *runs = call_tree_runs(&v->rew, rew), *ran = orig->root ? call_tree_runs(&v->orig, orig) : NULL;
        if (!runs || !ran)
            continue;
        const node *before = call_tree_run_claims(&v->orig, orig), *now = call_tree_run_claims(&v->rew, rew);
        const node *given = spec_claims(runs->spec);
        for (size_t k = 0; given && k < given->len; k++) {
            const char *name = scalar_text(map_get(map_get(given->as.items[k], "metadata"), "name"));
            bool needed = claims_have(before, name) || !claims_have(spec_claims(ran->spec), name);
            if (name && needed && !claims_have(now, name))
                verify_problem(v, map_get(rew->spec, "workflowTemplateRef"), NULL, "%s '%s' runs WorkflowTemplate '%s' "
                               "without its volume claim '%s': its own spec.volumeClaimTemplates replaces the "
                               "template's", rew->kind, rew->name ? rew->name : "(generated)",
                               runs->name ? runs->name : "?", name);
        }
    }
}

void verify_check_referring_templates(vctx *v)
{
    for (size_t d = 0; d < v->rew.nwfs; d++) {
        const workflow *orig = &v->orig.wfs[d], *rew = &v->rew.wfs[d];
        const node *refers = map_get(rew->spec, "workflowTemplateRef");
        const node *now = map_get(rew->spec, "templates"), *before = map_get(orig->spec, "templates");
        if (refers && now && now->kind == NODE_SEQUENCE && now->len && !(before && before->len))
            verify_problem(v, now, NULL, "%s '%s' runs a WorkflowTemplate (workflowTemplateRef) and has templates of its "
                    "own, which Argo refuses", rew->kind, rew->name ? rew->name : "(generated)");
    }
}


/* The public API: streams in, rewrites, streams out. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "calltree.h"
#include "error.h"
#include "graph_twin.h"
#include "options.h"
#include "scalar.h"
#include "scheme.h"
#include "stream.h"

const char *vp_version(void)
{
    return VOLPASS_VERSION;
}

static vp_stream *stream_new(const char *filename)
{
    vp_stream *s = calloc(1, sizeof *s);
    if (!s)
        return NULL;
    arena_init(&s->arena);
    s->filename = strdup(filename ? filename : "<stdin>");
    if (!s->filename) {
        free(s);
        return NULL;
    }
    return s;
}

void vp_stream_free(vp_stream *s)
{
    if (!s)
        return;
    arena_free(&s->arena);
    free(s->docs);
    free(s->notes.at);
    free(s->filename);
    free(s);
}

vp_status vp_stream_load(vp_stream **out, const char *data, size_t len,
                         const vp_load_options *opts, vp_error **err)
{
    *out = NULL;
    if (!data && len)
        return error_give(err, error_new(VP_EINVALID, opts ? opts->filename : NULL, 0, 0, "no data, but a length"));
    if (!data)
        data = ""; /* libyaml wants a buffer, even an empty one */
    vp_stream *s = stream_new(opts ? opts->filename : NULL);
    if (!s)
        return error_give(err, error_oom());
    vp_status st = load_stream(s, data, len, opts, err);
    if (st != VP_OK) {
        vp_stream_free(s);
        return st;
    }
    *out = s;
    return VP_OK;
}

vp_format vp_stream_format(const vp_stream *s)
{
    return s->format;
}

size_t vp_stream_document_count(const vp_stream *s)
{
    return s->ndocs;
}

vp_status vp_stream_emit(const vp_stream *s, vp_format format, vp_write_fn write, void *ctx,
                         vp_error **err)
{
    if (format != VP_FORMAT_AUTO && format != VP_FORMAT_YAML && format != VP_FORMAT_JSON)
        return error_give(err, error_new(VP_EINVALID, NULL, 0, 0, "unknown format %d", (int)format));
    if (format == VP_FORMAT_AUTO)
        format = s->format;
    if (format == VP_FORMAT_JSON)
        return emit_json(s, write, ctx, err);
    /* YAML written from JSON gets YAML's own look: block collections, few quotes. */
    return emit_yaml(s, s->format == VP_FORMAT_YAML, EMIT_SPLIT_LINES, write, ctx, err);
}

/* The stream's documents' roots, for a scheme: NULL when out of memory. */
static node **document_roots(const vp_stream *s)
{
    node **roots = malloc((s->ndocs + 1) * sizeof *roots);
    for (size_t i = 0; roots && i < s->ndocs; i++)
        roots[i] = s->docs[i].root;
    return roots;
}

static vp_status rewrite_kfp(vp_stream *s, const scheme_ctx *ctx, vp_error **err)
{
    node **roots = document_roots(s);
    vp_status st = roots ? scheme_kfp(ctx, roots, s->ndocs, err) : error_give(err, error_oom());
    free(roots);
    return st;
}

/* A refusal made after twins of dag or steps templates were made may name
 * one, which the input does not have: says which template each one it
 * names copies. */
static vp_error *tell_twins(vp_error *e, const graph_twins *twins)
{
    const char *said = vp_error_message(e);
    char *note = NULL;
    size_t len = 0;
    FILE *f = twins->count && e != error_oom() ? open_memstream(&note, &len) : NULL;
    bool told = false;
    for (size_t i = 0; f && i < twins->count; i++) {
        const graph_twin *tw = &twins->items[i];
        size_t n = strlen(tw->name);
        const char *at = said;
        while ((at = strstr(at, tw->name)) && !(at > said && at[-1] == '\'' && at[n] == '\''))
            at += n;
        if (!at)
            continue;
        fprintf(f, "%s'%s' is a twin volpass made of template '%s' for its calls that pass input artifact '%s' %s",
                told ? "; " : " (", tw->name, tw->original_name, tw->input,
                tw->constant ? "a real artifact" : "a volume location");
        told = true;
    }
    if (!f || fclose(f) != 0 || !told) {
        free(note);
        return e;
    }
    vp_error *with = error_new(vp_error_status(e), vp_error_file(e), vp_error_line(e), vp_error_column(e), "%s%s)",
                               said, note);
    free(note);
    if (with == error_oom())
        return e;
    vp_error_free(e);
    return with;
}

/* Plans and rewrites; where the plan asks for a twin of a dag or steps
 * template, makes it in the documents and starts again from them. A
 * refusal with twins made for the convention starts again without any;
 * another takes the twins back out: a stream refused is left as it was. */
static vp_status rewrite_volume(vp_stream *s, const scheme_ctx *ctx, vp_error **err)
{
    node **docs = document_roots(s);
    graph_twins *twins = calloc(1, sizeof *twins);
    if (!docs || !twins) {
        free(docs);
        free(twins);
        return error_give(err, error_oom());
    }
    vp_error *e = NULL;
    for (;;) {
        twins->requested = false;
        call_tree tree;
        if (call_tree_read(&tree, docs, s->ndocs, s->filename, &e) == VP_OK)
            scheme_volume(ctx, &tree, twins, &e);
        call_tree_free(&tree);
        if (!e || !graph_twins_again(twins)) {
            break;
        } else if (!twins->requested) {
            graph_twins_undo(twins); /* and again, from the start, with none for the convention */
            twins->no_convention = true;
        } else if (graph_twin_make(&s->arena, twins) != 0) {
            vp_error_free(e);
            e = error_oom();
            break;
        }
        vp_error_free(e);
        e = NULL;
    }
    if (e) {
        e = tell_twins(e, twins);
        graph_twins_undo(twins);
    }
    free(twins);
    free(docs);
    return e ? error_give(err, e) : VP_OK;
}

/* A stream with no Argo workflow passes through unchanged: likely a mistake
 * (a kubectl List, a misspelt kind), so it is worth a warning, which names
 * such a kind. */
static void warn_no_workflow(const vp_stream *s, vp_warning_fn on_warning, void *warning_ctx)
{
    for (size_t i = 0; i < s->ndocs; i++)
        if (workflow_document(s->docs[i].root))
            return;
    const node *kind = NULL; /* the first, or the first that is a List or a misspelt workflow kind */
    for (size_t i = 0; i < s->ndocs; i++) {
        const node *k = map_get(s->docs[i].root, "kind");
        bool telling = k && k->kind == NODE_SCALAR && (scalar_is(k, "List") || workflow_kind_like(k->as.text));
        if (telling || (k && !kind))
            kind = k;
        if (telling)
            break;
    }
    const char *hint = !kind || kind->kind != NODE_SCALAR ? ""
                       : scalar_is(kind, "List") ? ": the items of a List are not read, give them as documents"
                       : workflow_kind_like(kind->as.text) ? ": kinds are spelt Workflow, WorkflowTemplate, "
                                                             "ClusterWorkflowTemplate and CronWorkflow" : "";
    warning_give(on_warning, warning_ctx, s->filename, kind ? kind->line : 1, kind ? kind->column : 1,
                 "no document is an Argo workflow, so nothing was converted%s", hint);
}

vp_status vp_rewrite(vp_stream *s, const vp_rewrite_options *opts, vp_error **err)
{
    vp_rewrite_options defaults = VP_REWRITE_OPTIONS_INIT;
    if (!opts)
        opts = &defaults; /* which name no volume: refused by options_read */
    vp_stream *volume = NULL, *claim = NULL;
    vp_status st = options_read(opts, &volume, &claim, err);
    if (st != VP_OK)
        return st;
    scheme_ctx ctx = {&s->arena, &s->notes, s->filename, volume ? volume->docs[0].root : NULL,
                      opts->path_prefix ? opts->path_prefix : DEFAULT_PATH_PREFIX,
                      opts->on_warning, opts->warning_ctx,
                      claim ? claim->docs[0].root : NULL, opts->volume_name,
                      opts->keep_artifacts, opts->keep_artifacts_count,
                      opts->on_decision, opts->decision_ctx};
    st = opts->scheme == VP_SCHEME_KFP ? rewrite_kfp(s, &ctx, err) : rewrite_volume(s, &ctx, err);
    if (st == VP_OK && opts->scheme == VP_SCHEME_VOLUME) /* kfp warns as the reference does */
        warn_no_workflow(s, opts->on_warning, opts->warning_ctx);
    if (s->notes.sorted != s->notes.count)
        comments_sort(&s->notes); /* for the emitter: the rewrite gave new nodes comments */
    vp_stream_free(volume);
    vp_stream_free(claim);
    return st;
}

/* Checking the rewrite options before any document changes: the path
 * prefix and the volume's name go into the output as they are; the volume
 * source and the claim template are read, as YAML, and must be ones
 * Kubernetes takes and pods share. */
#include <stdarg.h>
#include <string.h>

#include "error.h"
#include "options.h"
#include "scalar.h"
#include "scheme.h"
#include "stream.h"
#include "volumes.h"
#include "workflow.h"

/* A --volume or --volume-claim-template text: one document, a mapping. */
/* How deep a workflow places an option's text at most: a template's own
 * volume of a CronWorkflow's (spec, workflowSpec, templates, a template,
 * volumes, a volume) is 6 levels below the document's root. */
#define OPTION_PLACED_DEPTH 6

static vp_status load_spec(vp_stream **out, const char *text, const char *option, vp_error **err)
{
    vp_load_options opts = VP_LOAD_OPTIONS_INIT;
    opts.filename = option;
    opts.max_depth = VP_MAX_DEPTH_LIMIT; /* an option's text is the user's own: no --max-depth applies to it */
    vp_status st = vp_stream_load(out, text, strlen(text), &opts, err);
    if (st != VP_OK)
        return st;
    const vp_stream *v = *out;
    size_t room = VP_MAX_DEPTH_LIMIT - OPTION_PLACED_DEPTH;
    if (v->ndocs == 1 && v->docs[0].root && node_height(v->docs[0].root) > room) {
        vp_stream_free(*out);
        *out = NULL;
        return error_give(err, error_new(VP_ELIMIT, option, 1, 1, "the text nests more than %zu levels deep: in a "
                                         "workflow, it would nest past %d, the most volpass follows", room,
                                         VP_MAX_DEPTH_LIMIT));
    }
    if (v->ndocs != 1 || !v->docs[0].root || v->docs[0].root->kind != NODE_MAPPING) {
        vp_stream_free(*out);
        *out = NULL;
        return error_give(err, error_new(VP_EINVALID, option, 1, 1,
                                         "%s must be one mapping, such as \"%s\"",
                                         strcmp(option, "--volume") == 0 ? "the volume" : "the claim",
                                         strcmp(option, "--volume") == 0
                                             ? "persistentVolumeClaim: {claimName: my-pvc}"
                                             : "{accessModes: [ReadWriteMany], resources: {requests: {storage: 1Gi}}}"));
    }
    return VP_OK;
}

/* Whether prefix starts a subPath that Kubernetes takes: relative, with no
 * ".." component (a pod may not leave its volume's subtree). Both schemes
 * follow the prefix with "{{workflow.uid}}", so a ".." at its very end is
 * no component. */
static bool relative_subpath(const char *prefix)
{
    if (prefix[0] == '/')
        return false;
    for (const char *c = prefix; *c; c += strcspn(c, "/"), c += *c == '/')
        if (strncmp(c, "../", 3) == 0)
            return false;
    return true;
}

/* The options whose text goes into the output as it is must make a valid
 * spec (and valid UTF-8, which libyaml would refuse to write). */
static vp_status check_options(const vp_rewrite_options *opts, vp_error **err)
{
    const char *name = opts->volume_name, *prefix = opts->path_prefix;
    if (name && !volume_name_valid(name))
        return error_give(err, error_new(VP_EINVALID, "--volume-name", 0, 0,
                                         "'%s' is not a Kubernetes volume name: at most 63 lowercase "
                                         "letters, digits and '-', starting and ending with a letter "
                                         "or digit", text_is_utf8(name, strlen(name)) ? name : "?"));
    if (name && volume_name_reserved(name))
        return error_give(err, error_new(VP_EINVALID, "--volume-name", 0, 0, "'%s' is a volume Argo adds to pods "
                                         "itself, which would stand in the shared volume's place", name));
    if (prefix && !text_is_utf8(prefix, strlen(prefix)))
        return error_give(err, error_new(VP_EINVALID, "--path-prefix", 0, 0, "the prefix is not valid UTF-8"));
    if (prefix && !relative_subpath(prefix))
        return error_give(err, error_new(VP_EINVALID, "--path-prefix", 0, 0,
                                         "'%s' would make an absolute subPath or one with '..', which "
                                         "Kubernetes refuses: give a relative path", prefix));
    if (prefix && strpbrk(prefix, "{}"))
        return error_give(err, error_new(VP_EINVALID, "--path-prefix", 0, 0,
                                         "'%s' holds a brace, which Argo would read as part of a reference "
                                         "('a{' before {{workflow.uid}} makes '{{{')", prefix));
    return VP_OK;
}

/* An error in the value of option `name` (--volume, --volume-claim-template),
 * at the line and column of node `at` in that value. */
static vp_error *option_error(const char *name, const node *at, const char *fmt, ...) VP_PRINTF(3, 4);
static vp_error *option_error(const char *name, const node *at, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vp_error *e = error_newv(VP_EINVALID, name, at->line ? at->line : 1, at->line ? at->column : 1, fmt, ap);
    va_end(ap);
    return e;
}

/* What makes --volume unfit to carry artifacts, or NULL: a key that is no
 * volume source (Kubernetes would drop it and, with no source left, make
 * the volume an emptyDir), not exactly one source; for the volume scheme,
 * storage each pod has for itself; and a source every pod mounts read-only. */
static vp_error *volume_error(const node *volume, vp_scheme scheme)
{
    size_t sources = 0;
    const node *source = volume; /* the settings of the one source (keys, shared, have no position) */
    for (size_t i = 0; i < volume->len; i++) {
        const node *key = map_key(volume, i);
        if (scalar_is(key, "name"))
            continue; /* replaced by the volume's name in the workflow */
        if (key->kind != NODE_SCALAR || !volume_source_known(key->as.text))
            return option_error("--volume", map_value(volume, i), "'%s' is not a volume source "
                                "(persistentVolumeClaim, nfs, cephfs, csi, ...)",
                                key->kind == NODE_SCALAR && text_is_utf8(key->as.text, key->len) ? key->as.text : "?");
        if (map_value(volume, i)->kind != NODE_MAPPING)
            return option_error("--volume", map_value(volume, i), "the %s source needs its settings as a mapping, "
                                "such as {claimName: my-pvc} (empty, Kubernetes would make the volume an emptyDir)",
                                key->as.text);
        sources++;
        source = map_value(volume, i);
    }
    if (sources != 1)
        return option_error("--volume", volume, "the volume must name one source, such as "
                            "\"persistentVolumeClaim: {claimName: my-pvc}\"; it names %zu", sources);
    const node *read_only = map_get(source, "readOnly");
    if (read_only && !scalar_is_null(read_only) &&
        !(read_only->kind == NODE_SCALAR && scalar_resolve(read_only) == SCALAR_BOOL))
        return option_error("--volume", read_only, "readOnly must be false (unquoted), or left out: Kubernetes "
                            "refuses another type");
    const char *what;
    switch (volume_unfit(volume, scheme == VP_SCHEME_VOLUME, &what)) {
    case VOLUME_LACKS:
        return option_error("--volume", source, "the volume needs %s (%s), which Kubernetes requires", what,
                            volume_setting_type(what));
    case VOLUME_INVALID:
        return option_error("--volume", source, "%s, or Kubernetes refuses the pods that mount it", what);
    case VOLUME_PRIVATE:
        return option_error("--volume", source, "%s %s volume is not shared between pods, so artifacts cannot pass "
                            "through it; use a ReadWriteMany persistentVolumeClaim (or --volume-claim-template)",
                            volume_kind_article(what), what);
    case VOLUME_READ_ONLY:
        return option_error("--volume", source, "the volume is read-only (%s.readOnly), so producers could not "
                            "write their artifacts into it", what);
    case VOLUME_FIT:
        break;
    }
    return NULL;
}

/* Whether text is a Kubernetes quantity: a decimal number, signed or not,
 * then a binary suffix (Ki ... Ei), a decimal one (m, k, M ... E) or an
 * exponent (e3, E-2), or none. */
static bool quantity(const char *text)
{
    const char *c = text + (*text == '+' || *text == '-');
    size_t whole = strspn(c, "0123456789");
    c += whole;
    size_t fraction = *c == '.' ? strspn(c + 1, "0123456789") : 0;
    if (*c == '.')
        c += 1 + fraction;
    if (whole + fraction == 0)
        return false;
    if ((*c == 'e' || *c == 'E') && c[1]) {
        const char *e = c + 1 + (c[1] == '+' || c[1] == '-');
        if (*e && strspn(e, "0123456789") == strlen(e))
            return true;
    }
    static const char *const suffixes[] = {"", "Ki", "Mi", "Gi", "Ti", "Pi", "Ei", "m", "k", "M", "G", "T", "P", "E"};
    for (size_t k = 0; k < sizeof suffixes / sizeof *suffixes; k++)
        if (strcmp(c, suffixes[k]) == 0)
            return true;
    return false;
}

/* What makes --volume-claim-template unfit, or NULL: a whole claim given
 * instead of its spec, or a spec Kubernetes refuses (no accessModes, no
 * storage request), or one whose access modes let no two pods write. A
 * ReadWriteOnce claim gets a warning: only pods on one node share it. */
static vp_error *claim_error(const node *spec, vp_warning_fn on_warning, void *warning_ctx)
{
    if (map_get(spec, "spec") || map_get(spec, "metadata"))
        return option_error("--volume-claim-template", spec, "give the claim's spec "
                            "({accessModes: [...], resources: ...}), not a whole PersistentVolumeClaim");
    const node *modes = map_get(spec, "accessModes");
    const node *size = map_get(map_get(map_get(spec, "resources"), "requests"), "storage");
    if (!size)
        return option_error("--volume-claim-template", spec, "the claim needs a size: "
                            "resources: {requests: {storage: 10Gi}}");
    if (size->kind != NODE_SCALAR || !(quantity(size->as.text) || strncmp(size->as.text, "{{", 2) == 0))
        return option_error("--volume-claim-template", size, "the claim's size must be a quantity, such as 10Gi "
                            "or 500M");
    if (scalar_is(map_get(spec, "volumeMode"), "Block"))
        return option_error("--volume-claim-template", map_get(spec, "volumeMode"), "a Block claim is a raw "
                            "device, which cannot be mounted as a directory: leave volumeMode out (Filesystem)");
    if (modes && modes->kind != NODE_SEQUENCE)
        return option_error("--volume-claim-template", modes, "accessModes must be a list, such as "
                            "[ReadWriteMany]");
    bool many = false, once = false, one_pod = false;
    for (size_t i = 0; modes && i < modes->len; i++) {
        many |= scalar_is(modes->as.items[i], "ReadWriteMany");
        once |= scalar_is(modes->as.items[i], "ReadWriteOnce");
        one_pod |= scalar_is(modes->as.items[i], "ReadWriteOncePod");
    }
    if (!many && !once)
        return option_error("--volume-claim-template", modes ? modes : spec, "%s: accessModes: [ReadWriteMany]",
                            one_pod ? "a ReadWriteOncePod claim lets one pod at a time use it, where a producer and "
                                      "its consumers all do"
                                    : "the claim must let pods write it");
    if (!many)
        warning_give(on_warning, warning_ctx, "--volume-claim-template", modes->line, modes->column,
                     "a ReadWriteOnce claim is shared only by pods on one node: a producer and a consumer on two "
                     "nodes cannot both mount it (use ReadWriteMany)");
    return NULL;
}

/* Storage pods may not share, which Kubernetes does not refuse: attached
 * to one node at a time, or made per pod by a csi driver. */
static void warn_unshared(const vp_rewrite_options *opts, const node *volume)
{
    const char *kind = volume_one_node_kind(volume);
    const node *at = kind ? map_get(volume, kind) : map_get(volume, "csi");
    if (kind)
        warning_give(opts->on_warning, opts->warning_ctx, "--volume", at->line, at->column, "%s %s volume "
                     "attaches to one node at a time to be written: a producer and a consumer on two nodes cannot "
                     "both mount it (use a ReadWriteMany persistentVolumeClaim)", volume_kind_article(kind), kind);
    else if (volume_made_per_pod(volume))
        warning_give(opts->on_warning, opts->warning_ctx, "--volume", at->line, at->column, "a csi volume given "
                     "inline is made for each pod by its driver: whether pods share what it holds depends on the "
                     "driver (a ReadWriteMany persistentVolumeClaim is shared)");
}

vp_status options_read(const vp_rewrite_options *opts, vp_stream **volume, vp_stream **claim, vp_error **err)
{
    *volume = *claim = NULL;
    if (opts->scheme != VP_SCHEME_VOLUME && opts->scheme != VP_SCHEME_KFP)
        return error_give(err, error_new(VP_EINVALID, NULL, 0, 0, "unknown scheme %d", (int)opts->scheme));
    vp_status st = check_options(opts, err);
    if (st != VP_OK)
        return st;
    if (opts->scheme == VP_SCHEME_KFP && opts->volume_claim_template)
        return error_give(err, error_new(VP_EINVALID, "--volume-claim-template", 0, 0,
                                         "the kfp scheme takes --volume only"));
    if (opts->scheme == VP_SCHEME_KFP && (opts->keep_artifacts_count || opts->volume_name))
        return error_give(err, error_new(VP_EINVALID, opts->volume_name ? "--volume-name" : "--keep-artifact", 0, 0,
                                         "the kfp scheme does what the reference does, which has no such option"));
    for (size_t k = 0; k < opts->keep_artifacts_count; k++)
        if (!opts->keep_artifacts || !opts->keep_artifacts[k])
            return error_give(err, error_new(VP_EINVALID, NULL, 0, 0, "keep_artifacts_count is %zu, but %s NULL",
                                             opts->keep_artifacts_count, opts->keep_artifacts
                                             ? "one of keep_artifacts is" : "keep_artifacts is"));
    if (opts->volume && opts->volume_claim_template)
        return error_give(err, error_new(VP_EINVALID, "--volume-claim-template", 0, 0,
                                         "a volume and a volume claim template exclude each other"));
    if (opts->scheme == VP_SCHEME_KFP && opts->on_decision)
        return error_give(err, error_new(VP_EINVALID, NULL, 0, 0, "the kfp scheme reports no decisions "
                                         "(on_decision belongs to the volume scheme)"));
    if (!opts->volume && !opts->volume_claim_template)
        return error_give(err, error_new(VP_EINVALID, "--volume", 0, 0,
                                         "no volume given: pass a volume source such as "
                                         "\"persistentVolumeClaim: {claimName: my-pvc}\""));
    st = opts->volume_claim_template ? load_spec(claim, opts->volume_claim_template, "--volume-claim-template", err)
                                     : load_spec(volume, opts->volume, "--volume", err);
    if (st != VP_OK)
        return st;
    vp_error *bad = *volume ? volume_error((*volume)->docs[0].root, opts->scheme)
                            : claim_error((*claim)->docs[0].root, opts->on_warning, opts->warning_ctx);
    const node *name = *volume && !bad ? map_get((*volume)->docs[0].root, "name") : NULL;
    bool same = scalar_is(name, opts->volume_name ? opts->volume_name : DEFAULT_VOLUME_NAME);
    if (name && !same)
        warning_give(opts->on_warning, opts->warning_ctx, "--volume", name->line, name->column, "the volume's "
                     "name is the one in the workflow (%s), not this one", opts->scheme == VP_SCHEME_KFP ?
                     DEFAULT_VOLUME_NAME : DEFAULT_VOLUME_NAME ", or --volume-name");
    if (*volume && !bad && opts->scheme == VP_SCHEME_VOLUME)
        warn_unshared(opts, (*volume)->docs[0].root);
    if (bad) {
        vp_stream_free(*volume); /* after the message is made: it quotes the spec */
        vp_stream_free(*claim);
        *volume = *claim = NULL;
        return error_give(err, bad);
    }
    return VP_OK;
}

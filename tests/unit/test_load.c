/* Loading: what is accepted, and every refusal with its status and place. */
#include <stdlib.h>

#include "stream.h"
#include "unit.h"

/* Loads `text` expecting failure; checks status, line, column and that the
 * message contains `words`. */
static void refused(const char *text, size_t len, const vp_load_options *opts, vp_status status,
                    unsigned long line, unsigned long column, const char *words)
{
    vp_stream *s = NULL;
    vp_error *err = NULL;
    vp_load_options o = opts ? *opts : (vp_load_options)VP_LOAD_OPTIONS_INIT;
    o.filename = "t.yaml";
    vp_status st = vp_stream_load(&s, text, len, &o, &err);
    CHECK(st == status);
    CHECK(s == NULL);
    CHECK(err != NULL);
    if (!err)
        return;
    CHECK(vp_error_status(err) == status);
    CHECK_STR(vp_error_file(err), "t.yaml");
    if (vp_error_line(err) != line || vp_error_column(err) != column)
        fprintf(stderr, "  at %lu:%lu, wanted %lu:%lu: %s\n", vp_error_line(err),
                vp_error_column(err), line, column, vp_error_message(err));
    CHECK(vp_error_line(err) == line);
    CHECK(vp_error_column(err) == column);
    if (!strstr(vp_error_message(err), words))
        fprintf(stderr, "  message '%s' lacks '%s'\n", vp_error_message(err), words);
    CHECK(strstr(vp_error_message(err), words) != NULL);
    vp_error_free(err);
}

static void refused_text(const char *text, vp_status status, unsigned long line,
                         unsigned long column, const char *words)
{
    refused(text, strlen(text), NULL, status, line, column, words);
}

static char *repeat(const char *unit, size_t times, const char *tail)
{
    size_t n = strlen(unit), t = strlen(tail);
    char *s = malloc(n * times + t + 1);
    for (size_t i = 0; i < times; i++)
        memcpy(s + i * n, unit, n);
    memcpy(s + n * times, tail, t + 1);
    return s;
}

/* Tags libyaml would write in a shorthand its reader refuses are refused
 * where they stand; others (verbatim ones, too) load. */
static void unwritable_tags(void)
{
    refused_text("a: !<tag:yaml.org,2002:s,2002:str> x\n", VP_EUNSUPPORTED, 1, 4, "cannot be written back");
    refused_text("a: !<!foo[x]> {b: 1}\n", VP_EUNSUPPORTED, 1, 4, "the tag '!foo[x]'");
    vp_error *err = NULL;
    vp_stream *s = load_text("b: !<tag:example.com,2000:app> z\nc: !!str 1\n", &err);
    CHECK(s != NULL && err == NULL);
    vp_stream_free(s);
    vp_error_free(err);
}

static void duplicate_keys(void)
{
    refused_text("a: 1\nb: 2\na: 3\n", VP_EINVALID, 3, 1, "duplicate key 'a' in a mapping (first at line 1, column 1)");
    refused_text("x:\n  'k': 1\n  \"k\": 2\n", VP_EINVALID, 3, 3, "duplicate key 'k'");
    refused_text("{\"a\": 1, \"a\": 2}", VP_EINVALID, 1, 10, "duplicate key 'a'");
    /* A large mapping takes the sorted path. */
    char big[2048] = "";
    for (int i = 0; i < 40; i++)
        snprintf(big + strlen(big), sizeof big - strlen(big), "key%02d: %d\n", i, i);
    strcat(big, "key07: again\n");
    refused_text(big, VP_EINVALID, 41, 1, "duplicate key 'key07' in a mapping (first at line 8, column 1)");
    /* Keys are shared between mappings; each occurrence keeps its own place. */
    refused_text("a: {k: 1}\nb:\n  k: 2\n  j: 3\n  k: 4\n", VP_EINVALID, 5, 3,
                 "duplicate key 'k' in a mapping (first at line 3, column 3)");
    /* The same key in different mappings is fine. */
    vp_error *err = NULL;
    vp_stream *s = load_text("a: {k: 1}\nb: {k: 2}\n", &err);
    CHECK(s != NULL);
    vp_stream_free(s);
}

static void aliases(void)
{
    /* Aliases are expanded into copies, so the document can be changed safely. */
    vp_error *err = NULL;
    vp_stream *s = load_text("base: &b {image: x}\nuse: *b\n", &err);
    CHECK(s != NULL);
    if (s) {
        node *root = s->docs[0].root;
        CHECK(node_equal(map_get(root, "base"), map_get(root, "use")));
        CHECK(map_get(root, "base") != map_get(root, "use"));
    }
    vp_stream_free(s);

    const char *laughs =
        "a: &a [x, x, x, x, x, x, x, x, x, x]\n"
        "b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\n"
        "c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\n"
        "d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]\n"
        "e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d, *d]\n"
        "f: &f [*e, *e, *e, *e, *e, *e, *e, *e, *e, *e]\n"
        "g: &g [*f, *f, *f, *f, *f, *f, *f, *f, *f, *f]\n"
        "h: &h [*g, *g, *g, *g, *g, *g, *g, *g, *g, *g]\n"
        "i: &i [*h, *h, *h, *h, *h, *h, *h, *h, *h, *h]\n";
    /* b to e copy 123,440 nodes; f's copies of e are 111,111 nodes each, so
     * its eighth alias (line 6, column 36) is the one that passes 1,000,000. */
    refused_text(laughs, VP_ELIMIT, 6, 36, "aliases expand to more than 1000000 nodes");
    vp_load_options small = VP_LOAD_OPTIONS_INIT;
    small.max_alias_nodes = 100;
    refused(laughs, strlen(laughs), &small, VP_ELIMIT, 2, 44, "more than 100 nodes"); /* b's tenth *a */

    refused_text("a: *nowhere\n", VP_EINVALID, 1, 4, "alias '*nowhere' names no anchor");
    refused_text("a: &r [1, *r]\n", VP_EINVALID, 1, 11, "recursive aliases are not supported");
}

/* Merge keys are applied as go-yaml v2 (Argo's reader) applies them: pairs
 * are set in order, so merged pairs replace the mapping's own before the
 * merge key and give way to those after it, and earlier mappings of a list
 * win; a new key takes the merge key's place. Each merge key counts. A
 * quoted "<<" is an ordinary key. */
static void merge_keys(void)
{
    static const struct {
        const char *yaml, *want;
    } cases[] = {
        {"d: &d {x: 1, y: 2}\nm: {a: 0, <<: *d, y: 3}\n", "d: {x: 1, y: 2}\nm: {a: 0, x: 1, y: 3}\n"},
        {"m:\n  k: v\n  <<: [{x: 9, w: 8}, {x: 7, q: 6}]\n", "m:\n  k: v\n  x: 9\n  w: 8\n  q: 6\n"},
        {"m: {'<<': {x: 1}}\n", "m: {'<<': {x: 1}}\n"},
        {"m: {!!merge <<: {x: 1}, y: 2}\n", "m: {x: 1, y: 2}\n"},
        {"b: &b {a: 2}\nd: {a: 1, <<: *b}\n", "b: {a: 2}\nd: {a: 2}\n"},
        {"m: {<<: {a: 1, x: 1}, k: 0, <<: [{a: 2, z: 2}, {a: 3, z: 3, w: 3}]}\n", "m: {a: 2, x: 1, k: 0, z: 2, w: 3}\n"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        vp_error *err = NULL;
        vp_stream *s = load_text(cases[i].yaml, &err);
        char *out = s ? emit_text(s, VP_FORMAT_YAML) : NULL;
        CHECK_STR(out, cases[i].want);
        free(out);
        vp_stream_free(s);
        vp_error_free(err);
    }
    /* A chain of 1,100 merges is two levels deep, not 1,100: within the depth limit. */
    size_t cap = 40000, used = 0;
    char *chain = malloc(cap);
    if (chain) {
        used = (size_t)snprintf(chain, cap, "m0: &m0 {x: 1}\n");
        for (int i = 1; i <= 1100 && used < cap - 64; i++)
            used += (size_t)snprintf(chain + used, cap - used, "m%d: &m%d {<<: *m%d}\n", i, i, i - 1);
        vp_error *err = NULL;
        vp_stream *s = load_text(chain, &err);
        CHECK(s != NULL && scalar_is(map_get(map_get(s->docs[0].root, "m1100"), "x"), "1"));
        vp_stream_free(s);
        vp_error_free(err);
        free(chain);
    }
    refused_text("m: {<<: 5}\n", VP_EINVALID, 1, 5, "the value of a merge key (<<) must be a mapping or a list");
    refused_text("m: {<<: [{a: 1}, x]}\n", VP_EINVALID, 1, 5, "must be a mapping or a list of mappings");
    /* one text, two types: two keys to YAML, one to Kubernetes, as side by side */
    refused_text("a: &m {\"1\": x}\nb:\n  <<: *m\n  1: y\n", VP_EINVALID, 4, 3,
                 "key '1' is an integer here and a string in another pair of the mapping a merge key (<<) makes");
    refused_text("b: {~: y, <<: {\"~\": x}}\n", VP_EINVALID, 1, 11, "key '~' is a string here and null in another");
    refused_text("b: {<<: [{\"1\": a}, {1: b}]}\n", VP_EINVALID, 1, 5, "key '1' is an integer here and a string");
}

static void depth(void)
{
    char *deep = repeat("[", 100000, "");
    refused(deep, strlen(deep), NULL, VP_ELIMIT, 1, 1001, "nesting deeper than 1000 levels");
    free(deep);
    deep = repeat("{a: ", 100000, "");
    refused(deep, strlen(deep), NULL, VP_ELIMIT, 1, 4001, "nesting deeper than 1000 levels");
    free(deep);
    vp_load_options shallow = VP_LOAD_OPTIONS_INIT;
    shallow.max_depth = 3;
    const char *nested = "a:\n  b:\n    c:\n      d: 1\n";
    refused(nested, strlen(nested), &shallow, VP_ELIMIT, 4, 7, "nesting deeper than 3 levels");
    /* An alias may not smuggle in depth beyond the cap. */
    const char *via_alias = "a: &x [[1]]\nb: [*x]\n";
    refused(via_alias, strlen(via_alias), &shallow, VP_ELIMIT, 2, 5, "nests deeper than 3 levels");
}

static void encoding(void)
{
    refused_text("a: b\nc: \xff\n", VP_EINVALID, 2, 4, "invalid leading UTF-8 octet");
    refused_text("a: b\nc: d\xc0\x80\n", VP_EINVALID, 2, 5, "UTF-8");
    refused_text("a: \xc3\xa9\xc3\xa9 \xed\xa0\x80\n", VP_EINVALID, 1, 7, "invalid Unicode character");
    const char nul[] = "a: b\0c\n";
    refused(nul, sizeof nul - 1, NULL, VP_EINVALID, 1, 5, "control characters are not allowed");
}

static void syntax(void)
{
    refused_text("a: [1, 2\nb: 3\n", VP_EINVALID, 2, 2, "did not find expected ',' or ']'");
    refused_text("a: b\n  c: d\n", VP_EINVALID, 2, 4, "mapping values are not allowed");
    refused_text("a: b: c\n", VP_EINVALID, 1, 5, "mapping values are not allowed in this context");
    refused_text("? [a, b]\n: c\n", VP_EINVALID, 1, 3, "a mapping key must be a scalar, not a sequence");
    refused_text("'unterminated\n", VP_EINVALID, 2, 1, "found unexpected end of stream");
}

static void size_limit(void)
{
    vp_load_options tiny = VP_LOAD_OPTIONS_INIT;
    tiny.max_input_bytes = 8;
    refused("a: 123456789\n", 13, &tiny, VP_ELIMIT, 0, 0, "input of 13 bytes exceeds the limit of 8 bytes");
}

static void accepted(void)
{
    vp_error *err = NULL;
    vp_stream *s = load_text("a: 1\n---\nkind: ConfigMap\n--- x\n", &err);
    CHECK(s && vp_stream_document_count(s) == 3);
    CHECK(s && vp_stream_format(s) == VP_FORMAT_YAML);
    if (s) {
        CHECK(!s->docs[0].explicit_start && s->docs[1].explicit_start);
        CHECK(scalar_is(s->docs[2].root, "x"));
        CHECK(s->docs[1].root->line == 3 && s->docs[1].root->column == 1);
    }
    vp_stream_free(s);
    s = load_text("  \n{\"a\": [1, {\"b\": null}]}", &err);
    CHECK(s && vp_stream_format(s) == VP_FORMAT_JSON);
    vp_stream_free(s);
    s = load_text("", &err);
    CHECK(s && vp_stream_document_count(s) == 0);
    vp_stream_free(s);
}

static void never_called(const vp_decision *decision, void *ctx)
{
    (void)decision, (void)ctx;
    CHECK(!"a refused rewrite reports decisions");
}

/* Arguments the header allows: NULL options and errors, no data for an
 * empty input; and what it refuses: no data but a length, a depth past
 * VP_MAX_DEPTH_LIMIT, enum values it does not define. */
static void api_arguments(void)
{
    vp_stream *s = NULL;
    CHECK(vp_stream_load(&s, NULL, 0, NULL, NULL) == VP_OK && s && vp_stream_document_count(s) == 0);
    vp_error *err = NULL;
    CHECK(vp_rewrite(s, NULL, &err) == VP_EINVALID && strstr(vp_error_message(err), "no volume given"));
    vp_error_free(err);
    err = NULL;
    vp_rewrite_options bad_scheme = VP_REWRITE_OPTIONS_INIT;
    bad_scheme.scheme = (vp_scheme)7;
    bad_scheme.volume = "nfs: {server: s, path: /}";
    CHECK(vp_rewrite(s, &bad_scheme, &err) == VP_EINVALID && strstr(vp_error_message(err), "unknown scheme 7"));
    vp_error_free(err);
    err = NULL;
    vp_rewrite_options kfp_named = bad_scheme;
    kfp_named.scheme = VP_SCHEME_KFP;
    kfp_named.volume_name = "shared"; /* the volume scheme's option */
    CHECK(vp_rewrite(s, &kfp_named, &err) == VP_EINVALID && strstr(vp_error_message(err), "the kfp scheme does"));
    vp_error_free(err);
    err = NULL;
    /* the CLI's refusals, made by the library itself: decisions under kfp, a volume and a claim */
    vp_rewrite_options kfp_explained = bad_scheme;
    kfp_explained.scheme = VP_SCHEME_KFP;
    kfp_explained.on_decision = never_called;
    CHECK(vp_rewrite(s, &kfp_explained, &err) == VP_EINVALID &&
          strstr(vp_error_message(err), "the kfp scheme reports no decisions"));
    vp_error_free(err);
    err = NULL;
    vp_rewrite_options both = bad_scheme;
    both.scheme = VP_SCHEME_VOLUME;
    both.volume_claim_template = "{accessModes: [ReadWriteMany], resources: {requests: {storage: 1Gi}}}";
    CHECK(vp_rewrite(s, &both, &err) == VP_EINVALID && strcmp(vp_error_file(err), "--volume-claim-template") == 0 &&
          strstr(vp_error_message(err), "exclude each other"));
    vp_error_free(err);
    err = NULL;
    /* a count of names to keep, with no list or a NULL name: refused, not read */
    vp_rewrite_options kept = bad_scheme;
    kept.scheme = VP_SCHEME_VOLUME;
    kept.keep_artifacts_count = 2;
    CHECK(vp_rewrite(s, &kept, &err) == VP_EINVALID &&
          strcmp(vp_error_message(err), "keep_artifacts_count is 2, but keep_artifacts is NULL") == 0);
    vp_error_free(err);
    err = NULL;
    const char *names[] = {"a", NULL};
    kept.keep_artifacts = names;
    CHECK(vp_rewrite(s, &kept, &err) == VP_EINVALID &&
          strcmp(vp_error_message(err), "keep_artifacts_count is 2, but one of keep_artifacts is NULL") == 0);
    vp_error_free(err);
    err = NULL;
    text_buf b = {NULL, 0, 0};
    /* a decision's strings left NULL are written empty */
    vp_decision bare = {NULL, NULL, NULL, "kept", NULL, 3, 4, NULL};
    CHECK(vp_decisions_write(&bare, 1, VP_REPORT_TEXT, text_buf_write, &b, &err) == VP_OK && b.len &&
          strcmp(b.data, ":3:4: template '': kept: \n") == 0);
    b.len = 0;
    CHECK(vp_decisions_write(&bare, 1, VP_REPORT_JSON, text_buf_write, &b, &err) == VP_OK && b.len &&
          strstr(b.data, "\"template\": \"\"") && strstr(b.data, "\"detail\": \"\""));
    b.len = 0;
    /* JSON is UTF-8: a Latin-1 file name's byte becomes U+FFFD there, and stays as it is in text */
    vp_decision latin = {"t", NULL, NULL, "kept", "caf\xe9 \xc3\xa9", 1, 1, "caf\xe9.yaml"};
    CHECK(vp_decisions_write(&latin, 1, VP_REPORT_JSON, text_buf_write, &b, &err) == VP_OK && b.len &&
          strstr(b.data, "\"file\": \"caf\xef\xbf\xbd.yaml\"") && strstr(b.data, "\"detail\": \"caf\xef\xbf\xbd \xc3\xa9\""));
    b.len = 0;
    CHECK(vp_decisions_write(&latin, 1, VP_REPORT_TEXT, text_buf_write, &b, &err) == VP_OK && b.len &&
          strncmp(b.data, "caf\xe9.yaml:1:1:", 14) == 0);
    b.len = 0;
    CHECK(vp_stream_emit(s, (vp_format)9, text_buf_write, &b, &err) == VP_EINVALID && b.len == 0);
    vp_error_free(err);
    err = NULL;
    CHECK(vp_decisions_write(NULL, 0, (vp_report_format)9, text_buf_write, &b, &err) == VP_EINVALID && b.len == 0);
    vp_error_free(err);
    free(b.data);
    vp_stream_free(s);
    s = NULL;
    CHECK(vp_stream_load(&s, NULL, 5, NULL, NULL) == VP_EINVALID && !s);
    vp_load_options deep = VP_LOAD_OPTIONS_INIT;
    deep.max_depth = VP_MAX_DEPTH_LIMIT + 1;
    CHECK(vp_stream_load(&s, "a: 1\n", 5, &deep, NULL) == VP_EINVALID && !s);
}

void test_load(void)
{
    api_arguments();
    duplicate_keys();
    unwritable_tags();
    aliases();
    merge_keys();
    depth();
    encoding();
    syntax();
    size_limit();
    accepted();
}

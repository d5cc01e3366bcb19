/* Emitting: styles kept, strings quoted so they stay strings, JSON typed. */
#include <locale.h>
#include <stdlib.h>
#include <string.h>

#include "edit.h"
#include "scalar.h"
#include "stream.h"
#include "unit.h"

/* Emitting then loading again gives the same text back. */
static void round_trip(const char *in, const char *want)
{
    vp_error *err = NULL;
    vp_stream *s = load_text(in, &err);
    CHECK(s != NULL);
    if (!s) {
        fprintf(stderr, "  %s\n", vp_error_message(err));
        vp_error_free(err);
        return;
    }
    char *out = emit_text(s, VP_FORMAT_AUTO);
    CHECK_STR(out, want);
    free(out);
    vp_stream_free(s);
}

static void styles_kept(void)
{
    round_trip("a: plain\nb: 'single'\nc: \"double\"\nd: |\n  line 1\n  line 2\ne: >\n  folded\n  text\n",
               "a: plain\nb: 'single'\nc: \"double\"\nd: |\n  line 1\n  line 2\ne: >\n  folded text\n");
    round_trip("args: [sh, -c, \"echo {{inputs.parameters.x}}\"]\nm: {k: v}\nempty: []\n",
               "args: [sh, -c, \"echo {{inputs.parameters.x}}\"]\nm: {k: v}\nempty: []\n");
    round_trip("n: 010\nb: yes\nnull1:\nnull2: ~\nt: !!str 12\n",
               "n: 010\nb: yes\nnull1:\nnull2: ~\nt: !!str 12\n");
    round_trip("a: 1\n---\nb: 2\n", "a: 1\n---\nb: 2\n");
    /* Keys are shared nodes, but each keeps the style it was written in. */
    round_trip("a:\n  'k': 1\nb:\n  k: 2\nc:\n  \"k\": 3\n  'a': 4\n",
               "a:\n  'k': 1\nb:\n  k: 2\nc:\n  \"k\": 3\n  'a': 4\n");
    round_trip("--- \nkind: ConfigMap\n...\n", "---\nkind: ConfigMap\n...\n");
    round_trip("x: {a: , b: 1}\n", "x: {a: null, b: 1}\n");
    round_trip("long: " "0123456789 0123456789 0123456789 0123456789 0123456789 0123456789 0123456789 0123456789 0123456789\n",
               "long: " "0123456789 0123456789 0123456789 0123456789 0123456789 0123456789 0123456789 0123456789 0123456789\n");
}

/* libyaml reports no comments; those before each document's first node are
 * kept, as whole lines: the first document's first, a later one's after
 * its "---" when the emitter puts the root on the lines below it. */
static void comments_before_documents_kept(void)
{
    round_trip("# head\n\n# more\na: 1\n", "# head\n\n# more\na: 1\n");
    round_trip("\n\n  # indented\n\n\nb: 1\n", "# indented\nb: 1\n"); /* blank lines only between */
    round_trip("--- # top\na: 1\n", "# top\n---\na: 1\n"); /* the first document's go first */
    round_trip("# header\n---\na: 1\n", "# header\n---\na: 1\n");
    round_trip("a: 1 # one\n---\n# b\nb: 2\n", "a: 1 # one\n---\n# b\nb: 2\n");
    round_trip("a: 1\n... # e\n# f\n---\nb: 2\n", "a: 1\n...\n---\n# e\n# f\nb: 2\n");
    round_trip("a: 1\n---\n# s\n- x\n", "a: 1\n---\n# s\n- x\n");
    /* Positions are counted in characters: multi-byte ones come before. */
    round_trip("a: \xC3\xA9\xE6\x97\xA5\n---\n# \xC3\xBC\nb: 2\n", "a: \xC3\xA9\xE6\x97\xA5\n---\n# \xC3\xBC\nb: 2\n");
    round_trip("\xEF\xBB\xBF# bom\na: 1\n", "# bom\na: 1\n");
    round_trip("# a\r\n# b\ra: 1\r\n", "# a\n# b\na: 1\n");
    /* A root written on the "---" line: the first document's comments go
     * before it; a later one's are lost (before its "---" they would be
     * read again as the end of the document before). */
    round_trip("# s\n--- plain\n", "# s\n--- plain\n");
    round_trip("# e\n--- {}\n", "# e\n--- {}\n");
    round_trip("a: 1\n---\n# s\nplain\n", "a: 1\n--- plain\n");
    round_trip("a: 1\n---\n# f\n{b: 1}\n", "a: 1\n--- {b: 1}\n");
    round_trip("a: 1\n---\n# n\n", "a: 1\n---\n");
    round_trip("%YAML 1.1\n# d\n--- # x\na: 1\n", "# d\n# x\n---\na: 1\n");
    /* A comment ends at any line break libyaml knows, NEL, LS and PS too:
     * what follows one is no comment, and stays out of it. */
    round_trip("# a\xC2\x85---\n- x\n", "# a\n---\n- x\n");
    round_trip("# a\xE2\x80\xA8# b\xE2\x80\xA9--- s\n", "# a\n# b\n--- s\n");
}

/* Comments inside a document come back beside their nodes, at the
 * indentation the emitter gives them; written again, they stay put. */
static void kept_inside(const char *in, const char *want)
{
    round_trip(in, want);
    round_trip(want, want);
}

static void comments_inside_documents_kept(void)
{
    /* before keys and items, after them on their line, and between a key
     * and its block collection */
    kept_inside("a: 1  # one\n# before b\nb:   # after b\n    # inside b\n    c: x\n",
                "a: 1 # one\n# before b\nb: # after b\n  # inside b\n  c: x\n");
    kept_inside("list:\n# first\n- p\n- q  # tq\n# before m\n- m: 1\n  n: 2\n",
                "list:\n# first\n- p\n- q # tq\n# before m\n- m: 1\n  n: 2\n");
    kept_inside("- - a\n  # c\n  - b\n# d\n- - e\n", "- - a\n  # c\n  - b\n# d\n- - e\n");
    /* blank lines between comments, not around them */
    kept_inside("a: 1\n\n# x\n\n# y\n\nb: 2\n", "a: 1\n# x\n\n# y\nb: 2\n");
    /* after the last entry of a collection: before the next line, trailing
     * its scalar still; after the document's last node, at its end */
    kept_inside("x:\n  y:\n    z: 1 # deep\n    # below z\nw: 2 # tw\n# tail\n",
                "x:\n  y:\n    z: 1 # deep\n# below z\nw: 2 # tw\n# tail\n");
    kept_inside("a: 1 # t\n# u\n...\n", "a: 1 # t\n# u\n...\n");
    kept_inside("a: 1\n# c\n---\nb: 2\n", "a: 1\n# c\n---\nb: 2\n");
    kept_inside("&a\n# c\n", "# c\n---\n"); /* a root written as nothing: they would lead it */
    /* a block scalar ends its last line: a comment after it is a line of
     * its own, less indented than its text, which stays as it was */
    kept_inside("a: |\n  x\n    # text\n# c\nb: 1\n", "a: |\n  x\n    # text\n# c\nb: 1\n");
    kept_inside("a: |+\n  x\n\n# c\nb: 1\n", "a: |+\n  x\n\n# c\nb: 1\n...\n"); /* libyaml's "..." */
    kept_inside("k:\n  a: >-\n    folded\n  # c\n  b: 1\n", "k:\n  a: >-\n    folded\n  # c\n  b: 1\n");
    /* after a flow collection, which libyaml writes on one line too; one
     * whose node no longer ends the line before becomes a line of its own */
    kept_inside("a:\n  - {p: 1}  # tp\n  - [q, {r: s}] # tq\n", "a:\n- {p: 1} # tp\n- [q, {r: s}] # tq\n");
    kept_inside("a: [x, \"y\\nz\"] # t\nb: 1\n", "a: [x, \"y\\nz\"] # t\nb: 1\n"); /* escaped: one line */
    kept_inside("a: ['y\n\n  z'] # t\nb: 1\n", "a: ['y\n\n    z']\nb: 1\n"); /* written over lines: lost */
    kept_inside("a: # t\n  !!map\n  k: v\n", "a: !!map\n  # t\n  k: v\n"); /* after a tag: a line */
    kept_inside("- a: 1 # ta\n  b: 2\n", "- a: 1 # ta\n  b: 2\n");
    /* a tagged or anchored collection's, after the tag */
    kept_inside("a: !!map\n  # inside\n  k: v\n", "a: !!map\n  # inside\n  k: v\n");
    /* before a first entry where no line of the entry's own is written: up
     * to where reading the output again finds them (a value's inside, an
     * item's line, the document's head) */
    kept_inside("- !!seq\n  - !!map\n    # c\n    a: 1\n", "# c\n- !!seq\n  - !!map\n    a: 1\n");
    kept_inside("k:\n- x\n- - # c\n    - b\n", "k:\n- x\n# c\n- - - b\n");
    /* after a key written as a block scalar, or "? " and the key: before
     * the ":" line, never in a block scalar of the value (libyaml puts the
     * value's first entry on that line) */
    kept_inside("? |\n  k\n:\n  # c\n  x: |\n    line\n", "? |\n  k\n# c\n: x: |\n    line\n");
    kept_inside("? |\n  k\n:  # c\n  - |\n    line\n", "? |\n  k\n# c\n: - |\n    line\n");
    /* around an item written in literal style that libyaml writes in one
     * call with those before it (the second item after a sequence's
     * start): found by matching its text, whatever its hints and lines */
    kept_inside("args:\n- -c  # run\n# the script\n- |\n  echo\n- x\n",
                "args:\n- -c # run\n# the script\n- |\n  echo\n- x\n");
    kept_inside("a:\n- x # t\n# c\n- |-\n  e\n\n  f\n", "a:\n- x # t\n# c\n- |-\n  e\n\n  f\n");
    kept_inside("a:\n- x # t\n# c\n- |+\n  e\n\n- y\n", "a:\n- x # t\n# c\n- |+\n  e\n\n- y\n...\n");
    kept_inside("a:\n- x # t\n# c\n- !t |2\n   lead\n  b\n", "a:\n- x # t\n# c\n- !t |2\n   lead\n  b\n");
    /* ... never inside a block scalar with lines like its own; one in
     * folded style, whose lines libyaml folds anew, found by reading the
     * lines back, its own lines ending in '>' or not; other breaks are lost */
    kept_inside("a:\n- |\n  - |\n  - x # no\n# c\n- |\n  - |\n", "a:\n- |\n  - |\n  - x # no\n# c\n- |\n  - |\n");
    kept_inside("a:\n- x # t\n# c\n- >\n  f\n  g\n", "a:\n- x # t\n# c\n- >\n  f g\n");
    kept_inside("a:\n- x >\n# c\n- >\n  f >\n    g >\n\n  h >\n", "a:\n- x >\n# c\n- >\n  f >\n    g >\n\n  h >\n");
    kept_inside("a:\n- x # t\n# c\n- !t >2\n    lead\n  b\n", "a:\n- x # t\n# c\n- !t >2\n    lead\n  b\n");
    kept_inside("a:\n- x # t\n# c\n- >+\n  e\n\n- y\n", "a:\n- x # t\n# c\n- >+\n  e\n\n- y\n...\n");
    kept_inside("- - x # t\n  # c\n  - >-\n    f\n", "- - x # t\n  # c\n  - >-\n    f\n");
    /* read back from at most four lines that end in '>' (each try reads
     * the rest again): past them, dropped */
    kept_inside("a:\n- x # t\n# c\n- >\n  f >\n   g >\n    h >\n     i >\n",
                "a:\n- x\n- >\n  f >\n   g >\n    h >\n     i >\n");
    kept_inside("a:\n- x # t\n# c\n- >\n  f >\n   g\n    h >\n     i >\n",
                "a:\n- x # t\n# c\n- >\n  f >\n   g\n    h >\n     i >\n");
    /* an empty block scalar is written "", on one line, where a literal
     * one's header comment follows it */
    kept_inside("a:\n- x # t\n# c\n- |-\n- >  # h\n- y\n", "a:\n- x # t\n# c\n- \"\"\n# h\n- \"\"\n- y\n");
    kept_inside("a:\n- x\n- |-  # h\n- y\nb: |  # e\nc: 1\n", "a:\n- x\n- \"\" # h\n- y\nb: \"\" # e\nc: 1\n");
    round_trip("a:\n- x # t\n# c\n- |\n  a\xE2\x80\xA8  b\n", "a:\n- x\n- |\n  a\xE2\x80\xA8  b\n");
    /* on a literal block scalar's header line, after its '|' and hints
     * (libyaml takes it in with the scalar); a folded one's on a line of
     * its own before it, or before its collection's first entry */
    kept_inside("source: |  # the program\n  echo\nb: 1\n", "source: | # the program\n  echo\nb: 1\n");
    kept_inside("a:\n- |-  # strip\n  e\n\n  f\n- x\n", "a:\n- |- # strip\n  e\n\n  f\n- x\n");
    kept_inside("a: !t |2 # two\n   lead\n  b\n", "a: !t |2 # two\n   lead\n  b\n");
    kept_inside("a: |\n  # text, no comment\nb: 2\n", "a: |\n  # text, no comment\nb: 2\n");
    kept_inside("a: &x | # once\n  t\nb: *x\n", "a: | # once\n  t\nb: |\n  t\n");
    kept_inside("--- | # root\n  r\n", "--- | # root\n  r\n");
    kept_inside("b: 1\na: > # folded\n  f\n  g\n", "b: 1\n# folded\na: >\n  f g\n");
    kept_inside("a: > # folded\n  f\n  g\nb: 1\n", "# folded\na: >\n  f g\nb: 1\n");
    kept_inside("k:\n  # c\n  a: >-  # h\n    f\n", "k:\n  # c\n  # h\n  a: >-\n    f\n");
    kept_inside("l:\n- >  # first\n  f\n- x\n- !t >2 # third\n    lead\n", "l:\n# first\n- >\n  f\n- x\n# third\n- !t >2\n    lead\n");
    kept_inside("--- > # root\n  r\n", "# root\n--- >\n  r\n");
    round_trip("a: |\r\n  x # in text\r\nb: 1 # tb\r\n", "a: |\n  x # in text\nb: 1 # tb\n");
    /* after an alias's copy; after the last document's "..." */
    kept_inside("a: &x 1\nb: *x # c\nc: 2\n", "a: 1\nb: 1 # c\nc: 2\n");
    kept_inside("a: 1\n...\n# c\n", "a: 1\n# c\n...\n");
    /* multi-byte characters before them count as one each in libyaml's marks */
    kept_inside("a: \xC3\xA9\xE6\x97\xA5 # \xC3\xBC\n# \xE2\x82\xAC\nb: 2\n",
                "a: \xC3\xA9\xE6\x97\xA5 # \xC3\xBC\n# \xE2\x82\xAC\nb: 2\n");
    /* dropped: inside flow collections; an alias's copy and merged pairs
     * take none (each comment is written once) */
    round_trip("z: [1, # in flow\n  2]\n", "z: [1, 2]\n");
    round_trip("b: &x\n  # k\n  k: 1\nc: *x\nd:\n  <<: *x\n  # own\n  m: 3\n",
               "b:\n  # k\n  k: 1\nc:\n  k: 1\nd:\n  k: 1\n  # own\n  m: 3\n");
}

/* A string volpass creates must come back as the same string, never as a
 * number, boolean, null, comment, sequence item or flow collection. */
static void created_strings_stay_strings(void)
{
    static const char *const tricky[] = {
        "{{inputs.parameters.x}}", "#x", "- x", "true", "True", "yes", "no", "on", "off", "y", "N",
        "123", "0123", "1e3", "0o17", "0x1F", "1_000", ".5", "-1", "+1", "1.5", ".inf", "-.inf",
        ".nan", "", "null", "~", "Null", "2024-01-01", "12:30", "=", "<<", ": x", "x: y", "x #y",
        "@x", "`x", "%x", "*x", "&x", "!x", "|", ">", "'q'", "\"q\"", " lead", "trail ",
        "multi\nline", "tab\there", "[a]", "{a: b}", "a,b", "?", "-", "---", "...", "é ü 日本",
        NULL};
    arena a;
    arena_init(&a);
    vp_stream s;
    memset(&s, 0, sizeof s);
    node *map = node_collection(&a, NODE_MAPPING, STYLE_ANY);
    node *seq = node_collection(&a, NODE_SEQUENCE, STYLE_ANY);
    for (size_t i = 0; tricky[i]; i++) {
        char key[16];
        snprintf(key, sizeof key, "k%zu", i);
        map_push(&a, map, node_string(&a, key), node_string(&a, tricky[i]));
        seq_push(&a, seq, node_string(&a, tricky[i]));
    }
    node *flow = node_collection(&a, NODE_SEQUENCE, STYLE_FLOW);
    for (size_t i = 0; tricky[i]; i++)
        seq_push(&a, flow, node_string(&a, tricky[i]));
    map_push(&a, map, node_string(&a, "seq"), seq);
    map_push(&a, map, node_string(&a, "flow"), flow);
    document doc = {.root = map};
    s.docs = &doc;
    s.ndocs = 1;
    s.format = VP_FORMAT_YAML;
    for (int f = 0; f < 2; f++) {
        char *out = emit_text(&s, f ? VP_FORMAT_JSON : VP_FORMAT_YAML);
        vp_error *err = NULL;
        vp_stream *back = out ? load_text(out, &err) : NULL;
        CHECK(back != NULL);
        if (back) {
            node *root = back->docs[0].root;
            const node *lists[] = {map_get(root, "seq"), map_get(root, "flow")};
            for (size_t i = 0; tricky[i]; i++) {
                char key[16];
                snprintf(key, sizeof key, "k%zu", i);
                const node *v = map_get(root, key);
                CHECK(v && scalar_resolve(v) == SCALAR_STR && strcmp(v->as.text, tricky[i]) == 0);
                for (size_t l = 0; l < 2; l++) {
                    const node *item = lists[l] && i < lists[l]->len ? lists[l]->as.items[i] : NULL;
                    CHECK(item && scalar_resolve(item) == SCALAR_STR && strcmp(item->as.text, tricky[i]) == 0);
                }
            }
        } else {
            fprintf(stderr, "%s\n", out ? out : "(no output)");
        }
        vp_stream_free(back);
        free(out);
    }
    arena_free(&a);
}

static void to_json(const char *yaml, const char *json)
{
    vp_error *err = NULL;
    vp_stream *s = load_text(yaml, &err);
    CHECK(s != NULL);
    char *out = s ? emit_text(s, VP_FORMAT_JSON) : NULL;
    CHECK_STR(out, json);
    free(out);
    vp_stream_free(s);
}

static void json_output(void)
{
    to_json("a: 010\nb: 0x1F\nc: 1_000\nd: .5\ne: yes\nf: ~\ng: \"true\"\nh: 1.\ni: .inf\nj: -0b11\n"
            "k: 1:30\nl: +12.5e+3\nm: off\nbs: '\\'\no: \"tab\\there\\u0001\"\np: 2024-01-01\nq: []\nr: {}\n",
            "{\n  \"a\": 8,\n  \"b\": 31,\n  \"c\": 1000,\n  \"d\": 0.5,\n  \"e\": true,\n"
            "  \"f\": null,\n  \"g\": \"true\",\n  \"h\": 1.0,\n  \"i\": \".inf\",\n  \"j\": -3,\n"
            "  \"k\": \"1:30\",\n  \"l\": 12.5e+3,\n  \"m\": false,\n  \"bs\": \"\\\\\",\n"
            "  \"o\": \"tab\\there\\u0001\",\n  \"p\": \"2024-01-01\",\n  \"q\": [],\n  \"r\": {}\n}\n");
    /* go-yaml v2's typing, which PyYAML's differs from: y and n are booleans,
     * Go reads 08 and 1e3 as floats and 0o17 as an integer, and a float
     * out of a double's range stays a string. Keys take Kubernetes' spelling. */
    to_json("- [y, N, 08, 1e3, 0o17, 0X1F, 1.0e3, 1e999, 1_2.5_0, -0b11, 0x10000000000000000, 18446744073709551615, "
            "+18446744073709551615, ._5, 2001-12-14]\n- {on: a, 010: b, 1e6: c, 0.5: d, 1e-5: e, 15.0: f, -.Inf: g, x: h}\n",
            "[\n  [\n    true,\n    false,\n    8,\n    1e3,\n    15,\n    31,\n    1.0e3,\n    \"1e999\",\n"
            "    12.50,\n    -3,\n    \"0x10000000000000000\",\n    18446744073709551615,\n"
            "    18446744073709551615,\n    \"._5\",\n    \"2001-12-14\"\n  ],\n"
            "  {\n    \"true\": \"a\",\n    \"8\": \"b\",\n    \"1e+06\": \"c\",\n    \"0.5\": \"d\",\n"
            "    \"1e-05\": \"e\",\n    \"15\": \"f\",\n    \"-.inf\": \"g\",\n    \"x\": \"h\"\n  }\n]\n");
    /* an integer tagged !!float is its value, as go-yaml reads it: hex, octal and binary are no JSON */
    to_json("[!!float 0x10, !!float 017, !!float -0b11, !!float 3, !!float 1.5, !!binary aGk=]\n",
            "[\n  16,\n  15,\n  -3,\n  3,\n  1.5,\n  \"hi\"\n]\n");
    to_json("- 1\n- [a, {b: c}]\n---\nx\n", "[\n  1,\n  [\n    \"a\",\n    {\n      \"b\": \"c\"\n    }\n  ]\n]\n\"x\"\n");
    /* JSON in, JSON out by default; YAML out on request, in block style. */
    vp_error *err = NULL;
    vp_stream *s = load_text("{\"a\": [\"x\", 1, true, null, \"1\"], \"b\": \"line\\nbreak\"}", &err);
    char *out = s ? emit_text(s, VP_FORMAT_AUTO) : NULL;
    CHECK_STR(out, "{\n  \"a\": [\n    \"x\",\n    1,\n    true,\n    null,\n    \"1\"\n  ],\n  \"b\": \"line\\nbreak\"\n}\n");
    free(out);
    out = s ? emit_text(s, VP_FORMAT_YAML) : NULL;
    CHECK_STR(out, "a:\n- x\n- 1\n- true\n- null\n- '1'\nb: |-\n  line\n  break\n");
    free(out);
    vp_stream_free(s);
}

static int discard_output(const char *data, size_t len, void *ctx)
{
    (void)data, (void)len, (void)ctx;
    return 0;
}

static void utf8_checked(void)
{
    static const struct {
        const char *text;
        bool valid;
    } cases[] = {
        {"", true}, {"plain ascii", true}, {"\xc3\xa9", true}, {"\xe6\x97\xa5", true},
        {"\xf0\x9f\x99\x82", true}, {"\xf4\x8f\xbf\xbf", true}, /* U+10FFFF, the last */
        {"ab\xff", false}, {"\xc3", false}, {"\xc3(", false}, {"\x80", false},
        {"\xc0\xaf", false},         /* '/' spelled long */
        {"\xe0\x80\xaf", false},     /* and longer */
        {"\xed\xa0\x80", false},     /* U+D800, a surrogate */
        {"\xf4\x90\x80\x80", false}, /* past U+10FFFF */
        {"\xf8\x88\x80\x80\x80", false},
        /* ASCII is taken eight bytes at a time: what follows, or straddles, a run */
        {"abcdefgh\xc3\xa9", true}, {"abcdefg\xc3\xa9xyz12345678", true}, {"abcdefgh12345678\xff", false},
        {"abcdefg\xc3", false}, {"abcdefgh\xc3", false}, {"\xc3\xa9" "abcdefgh\x80", false},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        CHECK(text_is_utf8(cases[i].text, strlen(cases[i].text)) == cases[i].valid);

    /* A node no load could make (volpass-made text must be UTF-8 too): the
     * writer refuses it with its position, rather than hand libyaml an
     * event it failed to make. */
    arena a;
    arena_init(&a);
    node *map = node_collection(&a, NODE_MAPPING, STYLE_BLOCK);
    node *bad = node_string(&a, "ab\xff");
    bad->line = 7;
    bad->column = 3;
    map_push(&a, map, node_string(&a, "k"), bad);
    document doc = {.root = map};
    vp_stream s;
    memset(&s, 0, sizeof s);
    s.docs = &doc;
    s.ndocs = 1;
    s.format = VP_FORMAT_YAML;
    vp_error *err = NULL;
    CHECK(vp_stream_emit(&s, VP_FORMAT_YAML, discard_output, NULL, &err) == VP_EINVALID);
    CHECK(err && vp_error_line(err) == 7 && vp_error_column(err) == 3);
    CHECK(err && strstr(vp_error_message(err), "not valid UTF-8"));
    vp_error_free(err);
    arena_free(&a);

    /* Loaded text skips libyaml's check (libyaml checked it as it read),
     * tagged or not; text set on a loaded node is checked again. */
    err = NULL;
    vp_stream *loaded = load_text("k: 'x\xc3\xa9'\nt: !!str y\n", &err);
    CHECK(loaded != NULL);
    if (!loaded)
        return;
    char *out = emit_text(loaded, VP_FORMAT_YAML);
    CHECK_STR(out, "k: 'x\xc3\xa9'\nt: !!str y\n");
    free(out);
    node *k = map_get(loaded->docs[0].root, "k");
    CHECK(k && k->utf8);
    if (k) {
        CHECK(node_set_text(&loaded->arena, k, "ab\xff", 3) == 0 && !k->utf8);
        CHECK(vp_stream_emit(loaded, VP_FORMAT_YAML, discard_output, NULL, &err) == VP_EINVALID);
        CHECK(err && strstr(vp_error_message(err), "not valid UTF-8"));
        vp_error_free(err);
    }
    vp_stream_free(loaded);
}

/* !!binary as go-yaml decodes it: Go's padded standard base64, line breaks
 * skipped, nothing after the padding. */
static void base64_decoded(void)
{
    static const struct {
        const char *text, *want; /* want NULL: refused */
    } cases[] = {
        {"", ""}, {"aGVsbG8=", "hello"}, {"aGVs\nbG8=\n", "hello"}, {"aGVs\r\nbG8=", "hello"},
        {"QQ==", "A"}, {"QUI=", "AB"}, {"QUJD", "ABC"}, {"QUJDRA==", "ABCD"},
        {"QQ", NULL}, {"QQ=", NULL}, {"Q===", NULL}, {"QQ==QQ==", NULL}, {"QQ=Q", NULL},
        {"aGVs bG8=", NULL}, {"aGVsbG8", NULL}, {"aG-sbG8=", NULL}, {"aG_sbG8=", NULL},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char out[32];
        size_t n = scalar_base64_decode(cases[i].text, strlen(cases[i].text), out);
        if (!cases[i].want)
            CHECK(n == SIZE_MAX);
        else
            CHECK(n == strlen(cases[i].want) && memcmp(out, cases[i].want, n) == 0);
    }
}

/* ASCII letters compared without case, as storage that ignores case and
 * Argo's kinds do; other bytes as they are (no locale folds them). */
static void case_ignored(void)
{
    CHECK(text_equal_ignoring_case("WorkflowTemplate", "workflowtemplate", 16));
    CHECK(text_equal_ignoring_case("runAsUser: 1", "RUNASUSER", 9));
    CHECK(!text_equal_ignoring_case("volume", "volumf", 6));
    CHECK(!text_equal_ignoring_case("vol", "volume", 6)); /* the shorter one ends it */
    CHECK(text_equal_ignoring_case("Volume", "vOLUME", 7) && !text_equal_ignoring_case("Volume", "volumes", 7));
    CHECK(!text_equal_ignoring_case("\xc9", "\xe9", 1)); /* Latin-1 capital and small E acute: not ASCII */
    CHECK(text_equal_ignoring_case("I[z", "i[Z", 3) && !text_equal_ignoring_case("[", "{", 1));
}

/* A program linking volpass may run under a locale whose decimal point is
 * ',' (strtod("1.5") is 1 there): numbers read and written in JSON are the
 * same as in the C locale. tests/run.py makes that locale, "comma", with
 * localedef, and gives its directory in LOCPATH. */
static void json_numbers_whatever_the_locale(void)
{
    const char *numbers = "data: {1.5: a, 1.7: b, 2.5e-3: c, 1.5e1: d, 123456.7: e}\nf: [1.5e400, .5e999, 2.5]\n";
    const char *json = "{\n  \"data\": {\n    \"1.5\": \"a\",\n    \"1.7\": \"b\",\n    \"0.0025\": \"c\",\n"
                       "    \"15\": \"d\",\n    \"123456.7\": \"e\"\n  },\n  \"f\": [\n    \"1.5e400\",\n"
                       "    \".5e999\",\n    2.5\n  ]\n}\n";
    locale_t comma = newlocale(LC_NUMERIC_MASK, "comma", (locale_t)0);
    CHECK(comma != (locale_t)0);
    if (!comma) {
        fprintf(stderr, "  no locale 'comma' in LOCPATH: tests/run.py makes it with localedef\n");
        return;
    }
    locale_t before = uselocale(comma);
    CHECK(strtod("1.5", NULL) == 1.0); /* the locale is in force */
    to_json(numbers, json);
    uselocale(before);
    freelocale(comma);
    to_json(numbers, json);
}

/* The rewrite's replacing of an entry by another, through the editor: the
 * new entry takes the comments of the old one and of its fields, and those
 * before the old list's first entry (its own, before `x`); the new first
 * entry of the old list keeps those before it. The table finds entries made
 * after its sorted part, without making one twice. */
static void comments_go_with_the_replacement(void)
{
    vp_error *err = NULL;
    vp_stream *s = load_text("a:\n# before x\n- name: x  # on x\n  path: /p  # on p\n# before y\n- name: y\n"
                             "b:\n- k\n", &err);
    CHECK(s != NULL);
    if (!s) {
        vp_error_free(err);
        return;
    }
    editor e;
    edit_init(&e, &s->arena, &s->notes);
    node *a = map_get(s->docs[0].root, "a"), *b = map_get(s->docs[0].root, "b"), *x = a->as.items[0];
    pairs p = {{NULL}, 0};
    edit_put(&e, &p, "name", edit_str(&e, "x-subpath"));
    node *param = edit_mapping(&e, &p);
    size_t sorted = s->notes.count;
    edit_push_for(&e, b, param, x, a);
    CHECK(s->notes.count == sorted + 1 && s->notes.sorted == sorted);
    CHECK(comments_entry(&s->notes, param) == &s->notes.at[sorted]); /* found, not made again */
    a->as.items[0] = a->as.items[1];
    a->len = 1;
    edit_first_entry_changed(&e, a);
    CHECK(!e.oom);
    edit_free(&e);
    comments_sort(&s->notes);
    char *out = emit_text(s, VP_FORMAT_AUTO);
    CHECK_STR(out, "a:\n# before y\n- name: y\nb:\n- k\n# before x\n# on x\n# on p\n- name: x-subpath\n");
    free(out);
    vp_stream_free(s);
}

void test_emit(void)
{
    base64_decoded();
    utf8_checked();
    case_ignored();
    styles_kept();
    comments_before_documents_kept();
    comments_inside_documents_kept();
    comments_go_with_the_replacement();
    created_strings_stay_strings();
    json_output();
    json_numbers_whatever_the_locale();
}

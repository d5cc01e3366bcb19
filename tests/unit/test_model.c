/* The document model's operations and the string map. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "doc.h"
#include "edit.h"
#include "mirrors.h"
#include "name_index.h"
#include "paths.h"
#include "stream.h"
#include "strmap.h"
#include "workflow.h"
#include "unit.h"

static void mappings(void)
{
    arena a;
    arena_init(&a);
    editor e;
    edit_init(&e, &a, NULL);
    node *m = node_collection(&a, NODE_MAPPING, STYLE_FLOW);
    for (int i = 0; i < 100; i++) {
        char key[8];
        snprintf(key, sizeof key, "k%d", i);
        edit_set(&e, m, key, node_string(&a, key));
    }
    CHECK(m->len == 100 && m->style == STYLE_BLOCK); /* what volpass adds to goes in block style */
    CHECK(scalar_is(map_get(m, "k42"), "k42"));
    edit_set(&e, m, "k0", node_string(&a, "new"));
    CHECK(m->len == 100 && scalar_is(map_value(m, 0), "new")); /* replaced in place */
    map_remove(m, "k1");
    CHECK(m->len == 99 && scalar_is(map_key(m, 1), "k2"));
    map_remove(m, "absent");
    CHECK(m->len == 99);
    CHECK(map_get(NULL, "x") == NULL && map_get(node_string(&a, "s"), "x") == NULL);

    node *copy = node_copy(&a, m);
    CHECK(copy != m && node_equal(copy, m));
    edit_set(&e, copy, "k2", node_string(&a, "changed"));
    CHECK(!node_equal(copy, m) && scalar_is(map_get(m, "k2"), "k2"));
    CHECK(!e.oom);
    edit_free(&e);
    arena_free(&a);
}

/* What the editor adds is shared: one copy per text, one node per string,
 * mappings at their final size; fields are created where missing. */
static void editor_shares(void)
{
    arena a;
    arena_init(&a);
    editor e;
    edit_init(&e, &a, NULL);
    char buf[16] = "in-0-subpath";
    const char *one = edit_intern(&e, buf, strlen(buf));
    CHECK(one != buf && strcmp(one, "in-0-subpath") == 0);
    CHECK(edit_cat(&e, "in-0", "-subpath") == one);
    CHECK(edit_fmt(&e, "in-%d-subpath", 0) == one);
    node *s = edit_str(&e, "in-0-subpath");
    CHECK(s->as.text == one && s->style == STYLE_ANY && edit_str(&e, buf) == s);
    CHECK(edit_true(&e) == edit_true(&e) && edit_true(&e)->style == STYLE_PLAIN);
    /* The same buffer with another text in it gives that text's string. */
    strcpy(buf, "in-1-subpath");
    node *t = edit_str(&e, buf);
    CHECK(t != s && scalar_is(t, "in-1-subpath") && edit_str(&e, buf) == t);
    strcpy(buf, "in-0-subpath");
    CHECK(edit_str(&e, buf) == s && edit_str(&e, one) == s);
    /* Made text is checked for UTF-8 once, as it is made. */
    CHECK(s->utf8 && edit_true(&e)->utf8 && !edit_str(&e, "ab\xff")->utf8);

    pairs p = {{NULL}, 0};
    edit_put(&e, &p, "name", s);
    edit_put(&e, &p, "value", edit_str(&e, "x"));
    node *m = edit_mapping(&e, &p);
    CHECK(m->kind == NODE_MAPPING && m->len == 2 && !m->grown);
    CHECK(map_key(m, 0) == edit_str(&e, "name") && scalar_is(map_get(m, "value"), "x"));

    node *doc = node_collection(&a, NODE_MAPPING, STYLE_BLOCK);
    node *list = edit_list_field(&e, doc, "parameters");
    CHECK(list->kind == NODE_SEQUENCE && map_get(doc, "parameters") == list);
    CHECK(edit_list_field(&e, doc, "parameters") == list);
    edit_push(&e, list, m);
    CHECK(list->len == 1 && list->as.items[0] == m);
    node *inputs = edit_map_field(&e, doc, "inputs");
    CHECK(inputs->kind == NODE_MAPPING && map_get(doc, "inputs") == inputs && doc->len == 2);
    CHECK(!e.oom);
    edit_free(&e);
    arena_free(&a);
}

/* text loaded, or NULL (a failed check). */
static vp_stream *load_checked(const char *text)
{
    vp_error *err = NULL;
    vp_stream *s = load_text(text, &err);
    CHECK(s != NULL);
    vp_error_free(err);
    return s;
}

/* Two nodes give the same equality key exactly when node_equal holds:
 * style aside, tags, texts, key order and nesting told apart. */
static void equality_keys(void)
{
    static const char *const values[] = {
        "a", "'a'", "\"a\"", "!!str a", "!custom a", "ab", "1", "'1'", "", "~", "null",
        "[a, b]", "[a, b, c]", "[ab]", "[a, [b]]", "[[a], b]", "[]", "{}", "{a: b}", "{b: a}",
        "{a: b, c: d}", "{c: d, a: b}", "{a: [b]}", "[{a: b}]", "{name: v, mountPath: /m, readOnly: true}",
        "{name: v, mountPath: /m, readOnly: 'true'}", "{name: v, mountPath: '/m', readOnly: true}",
    };
    enum { N = sizeof values / sizeof values[0] };
    char text[4096] = "";
    for (size_t i = 0; i < N; i++)
        snprintf(text + strlen(text), sizeof text - strlen(text), "v%zu: %s\n", i, values[i]);
    vp_stream *s = load_checked(text);
    if (!s)
        return;
    const node *root = s->docs[0].root;
    char *keys[N] = {NULL};
    size_t lens[N] = {0};
    for (size_t i = 0; i < N; i++) {
        size_t cap = 0;
        CHECK(node_equality_key(map_value(root, i), &keys[i], &lens[i], &cap) == 0);
    }
    size_t wrong = 0;
    for (size_t i = 0; i < N; i++)
        for (size_t j = 0; j < N; j++) {
            bool same_key = lens[i] == lens[j] && memcmp(keys[i], keys[j], lens[i]) == 0;
            if (same_key != node_equal(map_value(root, i), map_value(root, j))) {
                fprintf(stderr, "  equality key of %s and %s: %s\n", values[i], values[j], same_key ? "same" : "apart");
                wrong++;
            }
        }
    CHECK(wrong == 0);
    CHECK(lens[0] == lens[2] && memcmp(keys[0], keys[2], lens[0]) == 0); /* "a" and "\"a\"": equal */
    for (size_t i = 0; i < N; i++)
        free(keys[i]);
    vp_stream_free(s);
}

/* The first mirrored mount that answers, walking them in order. */
static const node *first_mirror_mount(const mirrors *m, const char *path, bool maybe)
{
    for (size_t i = 0; i < m->count; i++)
        if ((maybe ? path_may_equal : path_equal)(m->mounts[i].path, path))
            return m->mounts[i].mount;
    return NULL;
}

/* Sidecars that mirror the main container's mounts: found in Argo's order
 * (a container of templateDefaults merged into the template's of its name),
 * and, indexed by path past PATH_INDEX_MIN, giving the answer a walk gives. */
static void mirrored_mounts(void)
{
    char text[16384] = "spec:\n"
                       "  templateDefaults:\n"
                       "    sidecars:\n"
                       "    - {name: s0, volumeMounts: [{name: v, mountPath: /twin}]}\n"
                       "    - {name: lone, mirrorVolumeMounts: true, volumeMounts: [{name: v, mountPath: /lone}]}\n"
                       "  templates:\n"
                       "  - name: t\n"
                       "    container: {image: alpine}\n"
                       "    sidecars:\n"
                       "    - {name: quiet, volumeMounts: [{name: v, mountPath: /a/0}]}\n";
    static const char *const paths[] = {"/a/%d", "/a//%d/", "/b/{{inputs.parameters.p}}/%d", "/a/{{ inputs.parameters.q }}",
                                        "/c/%d", "/a/%d/x"};
    for (int i = 0; i < 24; i++)
        snprintf(text + strlen(text), sizeof text - strlen(text),
                 "    - {name: s%d, mirrorVolumeMounts: true, volumeMounts: [{name: v, mountPath: '%s'}, "
                 "{name: v, mountPath: '/d/%d'}]}\n", i, paths[i % 6], i);
    for (char *at = strstr(text, "%d"); at; at = strstr(text, "%d")) { /* the path templates' own %d */
        memmove(at + 1, at + 2, strlen(at + 2) + 1);
        *at = '7';
    }
    vp_stream *s = load_checked(text);
    if (!s)
        return;
    workflow wf;
    CHECK(workflow_read(&wf, s->docs[0].root, "m.yaml", &s->arena, NULL) == VP_OK);
    const template *t = wf.ntemplates ? &wf.templates[0] : NULL;
    const mirrors *m = t ? t->mirrors : NULL;
    CHECK(m && m->count == 50 && m->by_path.entries); /* 24 sidecars' 2 each, s0's twin's, then lone's */
    if (m) {
        const char *name;
        CHECK(template_mirror_clash(t, NULL, false, &name) == m->first && strcmp(name, "s0") == 0);
        CHECK(strcmp(m->mounts[2].container, "s0") == 0 && scalar_is(map_get(m->mounts[2].mount, "mountPath"), "/twin"));
        CHECK(strcmp(m->mounts[49].container, "lone") == 0);
        static const char *const asked[] = {"/a/7", "/a/7/", "/a//7", "/b/x/7", "/b/{{inputs.parameters.p}}/7", "/c/7",
                                            "/d/5", "/d/23", "/twin", "/lone", "/a/0", "/a/7/x", "/a/zz", "/nowhere",
                                            "/a/{{inputs.parameters.q}}", "/a/{{inputs.parameters.r}}", "/"};
        size_t wrong = 0;
        for (size_t q = 0; q < sizeof asked / sizeof asked[0]; q++)
            for (int maybe = 0; maybe < 2; maybe++) {
                name = NULL;
                const node *got = template_mirror_clash(t, asked[q], maybe, &name);
                if (got != first_mirror_mount(m, asked[q], maybe) || (got && !name)) {
                    fprintf(stderr, "  mirror clash at %s (maybe %d): not the first mount that walking finds\n",
                            asked[q], maybe);
                    wrong++;
                }
            }
        CHECK(wrong == 0);
        CHECK(template_mirror_clash(t, "/a/0", false, &name) == NULL); /* quiet does not mirror */
        CHECK(template_mirror_clash(t, "/d/5", false, &name) && strcmp(name, "s5") == 0);
    }
    workflow_free(&wf);
    vp_stream_free(s);
}

static void string_map(void)
{
    strmap m;
    strmap_init(&m);
    static char keys[1000][8];
    for (int i = 0; i < 1000; i++) {
        snprintf(keys[i], sizeof keys[i], "t%d", i);
        CHECK(strmap_put(&m, keys[i], strlen(keys[i]), keys[i]) == 0);
    }
    CHECK(m.count == 1000);
    CHECK(strmap_get(&m, "t999", 4) == keys[999]);
    CHECK(strmap_get(&m, "t1000", 5) == NULL);
    strmap_put(&m, "t5", 2, keys[6]);
    CHECK(m.count == 1000 && strmap_get(&m, "t5", 2) == keys[6]);
    strmap_free(&m);
}

/* Tags live before the text or items: every change must carry them along. */
static void tags(void)
{
    arena a;
    arena_init(&a);
    node *s = node_string(&a, "x");
    CHECK(node_tag(s) == NULL && node_set_tag(&a, s, "tag:yaml.org,2002:str") == 0);
    CHECK_STR(node_tag(s), "tag:yaml.org,2002:str");
    CHECK(node_set_text(&a, s, "longer text", 11) == 0 && scalar_is(s, "longer text"));
    CHECK_STR(node_tag(s), "tag:yaml.org,2002:str");
    node *seq = node_collection(&a, NODE_SEQUENCE, STYLE_BLOCK);
    CHECK(node_set_tag(&a, seq, "!list") == 0);
    for (int i = 0; i < 20; i++) /* grows several times */
        CHECK(seq_push(&a, seq, node_string(&a, "item")) == 0);
    CHECK_STR(node_tag(seq), "!list");
    node *copy = node_copy(&a, seq);
    CHECK(copy && node_equal(copy, seq) && copy->len == 20);
    CHECK_STR(node_tag(copy), "!list");
    CHECK(copy && node_tag(copy) != node_tag(seq)); /* copied, not shared */
    arena_free(&a);
}

/* name_index_find answers as parameter_named does, on a list long enough
 * to be sorted: names given twice (the first counts), absent ones, items
 * without a name; and walks a list that changed since it was sorted. */
static void named_lists(void)
{
    arena a;
    arena_init(&a);
    editor e;
    edit_init(&e, &a, NULL);
    node *list = node_collection(&a, NODE_SEQUENCE, STYLE_BLOCK);
    for (int i = 0; i < 40; i++) {
        char name[8];
        snprintf(name, sizeof name, "p%d", i % 30);
        node *item = node_collection(&a, NODE_MAPPING, STYLE_FLOW);
        edit_set(&e, item, i == 7 ? "value" : "name", node_string(&a, name));
        edit_push(&e, list, item);
    }
    name_index x;
    name_index_init(&x, &a);
    bool alike = true;
    for (int i = 0; i < 35; i++) {
        char name[8];
        snprintf(name, sizeof name, "p%d", i);
        alike &= name_index_find(&x, list, name, strlen(name)) == parameter_named(list, name, strlen(name));
    }
    CHECK(alike && name_index_find(&x, list, "p3", 2) == list->as.items[3] && !name_index_find(&x, list, "p", 1));
    CHECK(name_index_find(&x, list, "p7", 2) == list->as.items[37]); /* item 7 has no name */
    node *late = node_collection(&a, NODE_MAPPING, STYLE_FLOW);
    edit_set(&e, late, "name", node_string(&a, "late"));
    edit_push(&e, list, late);
    CHECK(name_index_find(&x, list, "late", 4) == late && !x.oom);
    name_index_free(&x);
    edit_free(&e);
    arena_free(&a);
}

void test_model(void)
{
    named_lists();
    tags();
    mappings();
    editor_shares();
    equality_keys();
    mirrored_mounts();
    string_map();
}

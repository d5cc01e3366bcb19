/* The document model's operations and the string map. */
#include "doc.h"
#include "strmap.h"
#include "unit.h"

static void mappings(void)
{
    arena a;
    arena_init(&a);
    node *m = node_collection(&a, NODE_MAPPING, STYLE_BLOCK);
    for (int i = 0; i < 100; i++) {
        char key[8];
        snprintf(key, sizeof key, "k%d", i);
        CHECK(map_set(&a, m, key, node_string(&a, key)) == 0);
    }
    CHECK(m->len == 100);
    CHECK(scalar_is(map_get(m, "k42"), "k42"));
    CHECK(map_set(&a, m, "k0", node_string(&a, "new")) == 0);
    CHECK(m->len == 100 && scalar_is(map_value(m, 0), "new")); /* replaced in place */
    map_remove(m, "k1");
    CHECK(m->len == 99 && scalar_is(map_key(m, 1), "k2"));
    map_remove(m, "absent");
    CHECK(m->len == 99);
    CHECK(map_rename(&a, m, 0, "first") == 0 && map_find(m, "first") == 0 && map_get(m, "k0") == NULL);
    CHECK(map_get(NULL, "x") == NULL && map_get(node_string(&a, "s"), "x") == NULL);

    node *copy = node_copy(&a, m);
    CHECK(copy != m && node_equal(copy, m));
    map_set(&a, copy, "k2", node_string(&a, "changed"));
    CHECK(!node_equal(copy, m) && scalar_is(map_get(m, "k2"), "k2"));
    arena_free(&a);
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

void test_model(void)
{
    tags();
    mappings();
    string_map();
}

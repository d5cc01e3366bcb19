/* References and expressions (what the rewriter and verify read in {{...}}), and paths. */
#include <stdlib.h>

#include "path_index.h"
#include "paths.h"
#include "refs.h"
#include "unit.h"

static span sp(const char *s)
{
    return (span){s, strlen(s)};
}

static bool branch_is(span got, const char *want)
{
    return got.len == strlen(want) && memcmp(got.s, want, got.len) == 0;
}

static void alternatives(void)
{
    span alts[4];
    CHECK(expr_alternatives(sp("  (tasks.a.outputs.artifacts.x) "), alts, 4) == 1 &&
          branch_is(alts[0], "tasks.a.outputs.artifacts.x"));
    CHECK(expr_alternatives(sp("c == 'y' ? ((a)) : ( b ? c : d )"), alts, 4) == 3 && branch_is(alts[0], "a") &&
          branch_is(alts[1], "c") && branch_is(alts[2], "d"));
    CHECK(expr_alternatives(sp("(a) + (b)"), alts, 4) == 1 && branch_is(alts[0], "(a) + (b)"));
    CHECK(expr_alternatives(sp("x ? 'a:b' : c"), alts, 4) == 2 && branch_is(alts[0], "'a:b'"));
    /* more branches than room: max + 1 */
    CHECK(expr_alternatives(sp("a ? b : c ? d : e ? f : g ? h : i"), alts, 4) == 5);
    CHECK(expr_alternatives(sp("a ? b : c ? d : e ? f : g"), alts, 4) == 4 && branch_is(alts[3], "g"));
    /* ?? and ?. are not the ?: operator */
    CHECK(expr_alternatives(sp("a ?? b"), alts, 4) == 1 && expr_alternatives(sp("x?.y ? a : b"), alts, 4) == 2 &&
          branch_is(alts[0], "a"));
}

/* What a scanner finds in an expression, one description after another, as
 * "a b c": describe writes the next one (at most room bytes) and returns
 * its length, or returns 0 when there is none. */
typedef size_t describe_fn(span expr, size_t *pos, char *out, size_t room);

static bool found(describe_fn *describe, const char *expr, const char *want)
{
    char got[256] = "";
    size_t pos = 0, n = 0, wrote;
    while (n < sizeof got - 80 && (wrote = describe(sp(expr), &pos, got + n + (n > 0), sizeof got - n - 1)) > 0) {
        if (n > 0)
            got[n] = ' ';
        n += (n > 0) + wrote;
    }
    return strcmp(got, want) == 0;
}

/* The template's own artifacts named in an expression, in any spelling. */
static size_t describe_mention(span expr, size_t *pos, char *out, size_t room)
{
    artifact_mention m;
    if (!expr_next_mention(expr, pos, &m))
        return 0;
    return (size_t)snprintf(out, room, "%s:%.*s%s%s", m.input ? "in" : "out", (int)m.name.len, m.name.s,
                            m.opaque ? "?" : "", m.path ? ".path" : "");
}

static bool mentions(const char *expr, const char *names)
{
    return found(describe_mention, expr, names);
}

static void artifact_mentions(void)
{
    CHECK(mentions("inputs.artifacts.a.path", "in:a.path"));
    CHECK(mentions("inputs['artifacts']['a-b'][\"path\"] + outputs?.artifacts?.c", "in:a-b.path out:c"));
    CHECK(mentions("get(inputs.artifacts, 'a').path", "in:a")); /* .path of the call, not of a member */
    CHECK(mentions("inputs.artifacts[k]", "in:")); /* a name known at run time */
    CHECK(mentions("'inputs.artifacts.a' + steps.s.outputs.artifacts.b + tasks['t'].outputs['artifacts'].c", ""));
    /* a bracket string that is no own artifacts is passed whole: its closing quote opens nothing */
    CHECK(mentions("d('artifacts', 1)['artifacts'] + 'z' + trim(inputs.artifacts.in.path)", "in:in.path"));
    /* either branch of ?:, and after ?? */
    CHECK(mentions("c == 'y' ? inputs.artifacts.a : outputs.artifacts['b'].path", "in:a out:b.path"));
    CHECK(mentions("x?.y ?? inputs.artifacts.a.path", "in:a.path"));
    /* the root read whole, or by a member other than parameters and artifacts */
    CHECK(mentions("(inputs).artifacts.a.path + toJson(outputs)", "in:? out:?"));
    CHECK(mentions("let x = inputs; x.artifacts.a", "in:?"));
    CHECK(mentions("inputs?.parameters.p + get(inputs, 'parameters') + inputs ['parameters']", ""));
    CHECK(mentions("outputs.result + outputs['exitCode'] + inputs.result", "in:?")); /* an input has neither */
    CHECK(mentions("get(inputs, 'artifacts')", "in:")); /* get's spelling, with no name after it */
    CHECK(mentions("not inputs.artifacts.a.path", "in:a.path")); /* an operator word before the root */
    CHECK(mentions("tasks.a.outputs + steps['b'] . outputs + x.inputs + 'inputs'", ""));
    CHECK(mentions("inputs.parameters.num-outputs + workflow.parameters.my-inputs", "")); /* ends of names */
    /* a key of a map literal is a string; a branch of ?: or a map's value is a read */
    CHECK(mentions("toJson({inputs: 1, 'a': 2 , outputs : 3})", ""));
    CHECK(mentions("c ? inputs : {k: outputs}", "in:? out:?"));
    artifact_mention m;
    CHECK(expr_mention_is(sp(" inputs . artifacts . a . path "), &m) && m.path);
    CHECK(!expr_mention_is(sp("sprig.trim(inputs.artifacts.a.path)"), &m));
}

/* References, in plain and (in an expression) optional member spellings; "?" of a ?: is no member. */
static void references(void)
{
    ref r = ref_parse_branch(sp("tasks['a-b']?.outputs?.parameters?.['x-subpath']"));
    CHECK(r.kind == REF_OUTPUT && !r.steps && !r.artifact && branch_is(r.step, "a-b") &&
          branch_is(r.name, "x-subpath") && !r.rest.len);
    r = ref_parse_branch(sp("steps.s?.outputs.artifacts.o.path"));
    CHECK(r.kind == REF_OUTPUT && r.steps && r.artifact && branch_is(r.name, "o") && branch_is(r.rest, ".path"));
    CHECK(ref_parse(sp("c ? tasks.a.outputs.artifacts.x : y")).kind == REF_NONE);
    CHECK(ref_parse_branch(sp("inputs.artifacts.x?.5:1")).kind == REF_NONE); /* a ?: whose branch is 5 */
    CHECK(ref_parse(sp("tasks.a?.outputs.artifacts.o")).kind == REF_NONE); /* a tag is looked up as it stands */
}

/* Maps of parameters read whole, in a tag or an expression. */
static size_t describe_map(span expr, size_t *pos, char *out, size_t room)
{
    parameter_map m;
    if (!expr_next_parameter_map(expr, pos, &m))
        return 0;
    return (size_t)snprintf(out, room, "%s%.*s", m.input ? "inputs" : m.steps ? "steps:" : "tasks:", (int)m.call.len,
                            m.call.s);
}

static bool maps(const char *expr, const char *want)
{
    return found(describe_map, expr, want);
}

static void parameter_maps(void)
{
    CHECK(maps("inputs.parameters", "inputs"));
    CHECK(maps("tasks.gen-1.outputs.parameters", "tasks:gen-1"));
    CHECK(maps("toJson(inputs?.parameters) + jsonpath(steps['s'].outputs['parameters'], '$')", "inputs steps:s"));
    /* a member of it, another's, or text */
    CHECK(maps("inputs.parameters.x + inputs.parameters['y'] + inputs?.parameters?.z + x.inputs.parameters", ""));
    CHECK(maps("tasks.a.outputs.parameters.n + 'inputs.parameters' + workflow.parameters + outputs.parameters", ""));
    /* a quoted 'parameters' that is text leaves the scan outside strings */
    CHECK(maps("x == 'parameters' ? 'a' : toJson(inputs.parameters)", "inputs"));
    CHECK(maps("inputs.parameters.a-parameters", "")); /* the end of a name */
    CHECK(maps("sprig.trim(inputs . parameters . j)", "")); /* spaces about the dots */
    /* get() reads one member of its first argument; another function reads the map */
    CHECK(maps("get(inputs.parameters, 'j') + get ( tasks.a.outputs.parameters , k)", ""));
    CHECK(maps("jsonpath(inputs.parameters, '$') + get(x, inputs.parameters) + forget(inputs.parameters, 'j')",
               "inputs inputs inputs"));
}

/* Artifacts read outside an expression's branches (and its strings). */
static void artifacts_outside(void)
{
    const char *e = "tasks.a.outputs.artifacts.x != nil ? tasks.a.outputs.artifacts.x : steps['b'].outputs.artifacts.y";
    span alts[4];
    size_t n = expr_alternatives(sp(e), alts, 4);
    CHECK(n == 2 && branch_is(expr_artifacts_outside(sp(e), alts, n), "tasks.a.outputs.artifacts.x"));
    e = "tasks.a.status == 'artifacts' ? tasks.a.outputs['artifacts'].x : tasks.b.outputs.artifacts.y";
    n = expr_alternatives(sp(e), alts, 4);
    CHECK(n == 2 && !expr_artifacts_outside(sp(e), alts, n).len); /* text, and branches */
    e = "x['artifacts'] == 1 ? tasks.a.outputs.artifacts.x : tasks.b.outputs.artifacts.y";
    n = expr_alternatives(sp(e), alts, 4);
    CHECK(n == 2 && branch_is(expr_artifacts_outside(sp(e), alts, n), "x['artifacts']")); /* a member */
    e = "{artifacts: 1} == x ? tasks.a.outputs.artifacts.x : tasks.b.outputs.artifacts.y"; /* a map's key */
    n = expr_alternatives(sp(e), alts, 4);
    CHECK(n == 2 && !expr_artifacts_outside(sp(e), alts, n).len);
    e = "len(steps['s']?.outputs ['artifacts']['o-1']) > 0 ? steps.s.outputs.artifacts.o : steps.t.outputs.artifacts.o";
    n = expr_alternatives(sp(e), alts, 4);
    CHECK(n == 2 && branch_is(expr_artifacts_outside(sp(e), alts, n), "steps['s']?.outputs ['artifacts']['o-1']"));
}

static void terms(void)
{
    span t[3];
    CHECK(expr_terms(sp(" (a['x-y']) + '/b+c' "), t, 3) == 2 && branch_is(t[0], "a['x-y']") &&
          branch_is(t[1], "'/b+c'"));
    CHECK(expr_terms(sp("(p ? a + b : c)"), t, 3) == 1 && branch_is(t[0], "p ? a + b : c"));
    CHECK(expr_terms(sp("a"), t, 3) == 1 && branch_is(t[0], "a"));
    CHECK(expr_terms(sp("a + b + c + d"), t, 3) == 4); /* more than room: max + 1 */
}

/* Hostile nesting: bounded recursion, linear time. */
static void hostile(void)
{
    size_t n = 1000000;
    char *deep = malloc(2 * n + 2);
    CHECK(deep != NULL);
    if (!deep)
        return;
    memset(deep, '(', n);
    deep[n] = 'a';
    memset(deep + n + 1, ')', n);
    deep[2 * n + 1] = '\0';
    span alts[4];
    CHECK(expr_alternatives(sp(deep), alts, 4) == 1 && alts[0].len < 2 * n + 1); /* unwrapped as far as the cap */
    for (size_t i = 0; i < n; i++) /* a ? a ? a ? ... nested in the then-branch */
        deep[i] = i % 4 == 1 ? '?' : ' ';
    memset(deep + n, ':', n + 1);
    CHECK(expr_alternatives(sp(deep), alts, 4) == 5);
    free(deep);
}

void test_refs(void)
{
    alternatives();
    artifact_mentions();
    references();
    parameter_maps();
    artifacts_outside();
    terms();
    hostile();
}

/* Paths as Kubernetes compares mounts (src/paths.c). */
/* ---- path_index: the candidates it visits hold every path the checks it
 * stands in for would find, and not every path ---------------------------- */

#define INDEXED_MAX 400

static void mark(void *seen, size_t i)
{
    ((bool *)seen)[i] = true;
}

/* Every path of one to three components of `parts`, absolute or not, "/" too. */
static size_t index_test_paths(char paths[][32])
{
    static const char *const parts[] = {"a", "b", "ab", "a b", "{{x}}"};
    size_t k = sizeof parts / sizeof *parts, n = 0;
    strcpy(paths[n++], "/");
    for (int lead = 0; lead < 2; lead++)
        for (size_t code = 0; code < k + k * k + k * k * k; code++) {
            size_t c = code, depth = c < k ? 1 : c < k + k * k ? 2 : 3;
            c -= depth == 1 ? 0 : depth == 2 ? k : k + k * k;
            char *p = paths[n++];
            *p = '\0';
            for (size_t d = 0; d < depth; d++, c /= k) {
                if (lead || d)
                    strcat(p, "/");
                strcat(p, parts[c % k]);
            }
        }
    return n;
}

static void test_path_index(void)
{
    static char paths[INDEXED_MAX][32];
    static path_entry entries[INDEXED_MAX];
    size_t n = index_test_paths(paths);
    for (size_t i = 0; i < n; i++)
        entries[i] = (path_entry){paths[i], strlen(paths[i]), i};
    path_index ix = {entries, n};
    path_index_sort(&ix, false);
    size_t missed = 0, visits = 0, beyond = 0;
    for (size_t q = 0; q < n; q++) {
        const char *query = paths[q];
        bool under[INDEXED_MAX] = {false}, holding[INDEXED_MAX] = {false}, equal[INDEXED_MAX] = {false};
        path_index_under(&ix, n, query, mark, under);
        path_index_holding(&ix, n, query, mark, holding);
        path_index_equal(&ix, n, query, mark, equal);
        for (size_t j = 0; j < n; j++) {
            const char *p = paths[j];
            missed += !under[j] && (path_must_cover(query, p) || path_covers(query, p));
            missed += !holding[j] && (path_must_cover(p, query) || path_covers(p, query));
            missed += !equal[j] && path_equal(p, query);
            visits += under[j] + holding[j] + equal[j];
        }
        bool first_half[INDEXED_MAX] = {false};
        path_index_under(&ix, n / 2, query, mark, first_half);
        for (size_t j = n / 2; j < n; j++)
            beyond += first_half[j];
    }
    CHECK(n > 300 && missed == 0 && beyond == 0);
    CHECK(visits < n * n / 4); /* an index: most paths are not looked at */
    /* With `distinct`, one entry of paths written alike: the least index. */
    for (size_t i = 0; i < n; i++)
        entries[i] = (path_entry){paths[i % 10], strlen(paths[i % 10]), i};
    ix = (path_index){entries, n};
    path_index_sort(&ix, true);
    bool least = ix.count == 10;
    for (size_t i = 0; i < ix.count; i++)
        least &= ix.entries[i].index < 10;
    CHECK(least);
}

void test_paths(void)
{
    test_path_index();
    const char *normal[] = {"/", "/tmp", "/tmp/a.txt", "/a/.b", "/a/..", "relative/x", "/a b/{{x}} }", NULL};
    const char *not_normal[] = {"//", "/tmp/", "/a//b", "/a/./b", "/a/.", "/in/{{ x}}", "/in/{{x\t}}", NULL};
    for (const char **p = normal; *p; p++)
        CHECK(path_is_normal(*p));
    for (const char **p = not_normal; *p; p++)
        CHECK(!path_is_normal(*p));
    CHECK(path_equal("/tmp/./out/", "/tmp//out") && !path_equal("/tmp/out", "/tmp/out2"));
    CHECK(path_equal("/in/{{ inputs.parameters.n }}", "/in/{{inputs.parameters.n}}") && !path_equal("/a b", "/ab"));
    /* blanks outside a tag are the path's own; inside, "{{x } }}" keeps the one before '}' */
    CHECK(path_is_normal("/in/d }}") && path_is_normal("/a {{") && path_is_normal("/{{x } }}"));
    CHECK(!path_equal("/in/d }}", "/in/d}}"));
    /* Every string of up to 5 of these characters: path_is_normal says whether
     * path_normalize leaves it as it is, and normalising again changes nothing. */
    const char alphabet[] = "{} \t/.x";
    size_t k = sizeof alphabet - 1, consistent = 1, idempotent = 1;
    for (size_t len = 0; len <= 5; len++) {
        size_t count = 1;
        for (size_t i = 0; i < len; i++)
            count *= k;
        for (size_t code = 0; code < count; code++) {
            char s[8], once[8], twice[8];
            size_t c = code;
            for (size_t i = 0; i < len; i++, c /= k)
                s[i] = alphabet[c % k];
            s[len] = '\0';
            strcpy(once, s);
            path_normalize(once);
            strcpy(twice, once);
            path_normalize(twice);
            consistent &= path_is_normal(s) == (strcmp(s, once) == 0);
            idempotent &= strcmp(once, twice) == 0;
        }
    }
    CHECK(consistent && idempotent);
    CHECK(path_is_root("//") && path_is_root("/./") && !path_is_root("/tmp"));
    CHECK(path_covers("/tmp/", "/tmp/out") == 4 && path_covers("/", "/tmp") == 1 && path_covers("/tm", "/tmp") == 0);
    /* Paths made of parameters: their text before the first tag, anything, their text after the last. */
    CHECK(path_is_templated("/a/{{x}}") && !path_is_templated("/a/{x}"));
    CHECK(path_may_cover("/work", "/work/in-{{x}}.csv") && !path_may_cover("/work/out", "/work/in-{{x}}.csv"));
    CHECK(path_may_cover("/work/out/deep", "/work/{{x}}") && !path_may_cover("/data", "/work/{{x}}"));
    CHECK(path_may_cover("/models/{{x}}", "/models/tokenizer") && !path_may_cover("/models/{{x}}.bin", "/models/tok"));
    CHECK(path_may_cover("{{x}}/in.txt", "/a/in.txt/b") && !path_may_cover("{{x}}/in.txt", "/named.txt"));
    CHECK(path_may_cover("/a/{{x}}", "/a/b{{y}}") && !path_may_cover("/a/{{x}}", "/b/{{y}}"));
    CHECK(path_must_cover("/in/{{x}}", "/in/{{x}}") && path_must_cover("/in/{{x}}/", "/in/{{x}}/f") &&
          !path_must_cover("/in/{{x}}", "/in/{{x}}x"));
    CHECK(path_must_cover("/in", "/in/{{x}}") && !path_must_cover("/in", "/in{{x}}") &&
          !path_must_cover("/in/{{x}}", "/in/a") && path_must_cover("/", "{{x}}"));
    CHECK(path_may_equal("/tmp/", "/tmp") && !path_may_equal("/tmp", "/tmp/a") && path_may_equal("{{x}}", "/tmp") &&
          path_may_equal("/a/{{x}}", "/a/b/c") && !path_may_equal("/a/{{x}}", "/a") && !path_may_equal("/b/{{x}}", "/a/b"));
    /* A subPath as Go's path.Join resolves it: in place, or false when it climbs out. */
    const char *resolved[][2] = {{"a/../b", "b"}, {"a/..", ""}, {"./a//b/./", "a/b"}, {"/a/b/../../c/d/..", "c"},
                                 {"", ""}, {"..a/b..", "..a/b.."}, {"a/b/c/../../d", "a/d"}};
    for (size_t i = 0; i < sizeof resolved / sizeof *resolved; i++) {
        char buf[32];
        strcpy(buf, resolved[i][0]);
        CHECK(path_resolve_relative(buf) && strcmp(buf, resolved[i][1]) == 0);
    }
    const char *climbing[] = {"..", "../a", "a/../..", "a/b/../../../c", "./.."};
    for (size_t i = 0; i < sizeof climbing / sizeof *climbing; i++) {
        char buf[32];
        strcpy(buf, climbing[i]);
        CHECK(!path_resolve_relative(buf));
    }
    /* An absolute path as the kernel resolves it: the root's parent is the root. */
    const char *absolute[][2] = {{"/", "/"}, {"/..", "/"}, {"/../a/./b//../c/", "/a/c"}, {"/a/b/../../..", "/"}};
    for (size_t i = 0; i < sizeof absolute / sizeof *absolute; i++) {
        char buf[32];
        strcpy(buf, absolute[i][0]);
        path_resolve_absolute(buf);
        CHECK(strcmp(buf, absolute[i][1]) == 0);
    }
}

#include "refs.h"

#include <stdint.h>
#include <string.h>

static bool is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\n';
}

/* Where the spaces that end before e.s[i] start, and past those that start at e.s[i]. */
static size_t space_before(span e, size_t i)
{
    while (i > 0 && is_space(e.s[i - 1]))
        i--;
    return i;
}

static size_t space_after(span e, size_t i)
{
    while (i < e.len && is_space(e.s[i]))
        i++;
    return i;
}

static span trim(span s)
{
    while (s.len && is_space(s.s[0]))
        s.s++, s.len--;
    while (s.len && is_space(s.s[s.len - 1]))
        s.len--;
    return s;
}

bool tag_next(const char *text, size_t len, size_t *pos, tag *out)
{
    for (size_t i = *pos; i + 1 < len; i++) {
        if (text[i] != '{' || text[i + 1] != '{')
            continue;
        const char *close = NULL;
        for (size_t j = i + 2; j + 1 < len; j++)
            if (text[j] == '}' && text[j + 1] == '}') {
                close = text + j;
                break;
            }
        if (!close)
            return false;
        span inner = trim((span){text + i + 2, (size_t)(close - text) - i - 2});
        out->start = i;
        out->end = (size_t)(close - text) + 2;
        out->expression = inner.len && inner.s[0] == '=';
        out->expr = out->expression ? trim((span){inner.s + 1, inner.len - 1}) : inner;
        *pos = out->end;
        return true;
    }
    return false;
}

/* Whether s.s[i] starts an optional member access, "?." (not the "?" of
 * a ?: whose then-branch is a number: a?.5:1). */
static bool optional_access(span s, size_t i)
{
    return s.s[i] == '?' && i + 1 < s.len && s.s[i + 1] == '.' &&
           !(i + 2 < s.len && s.s[i + 2] >= '0' && s.s[i + 2] <= '9');
}

/* Splits "a.b['c-d'].e" (or a?.b?.['c-d']) into segments a, b, c-d, e. */
static size_t segments(span s, span *out, size_t max)
{
    size_t n = 0, i = 0;
    while (i < s.len && n < max) {
        if (s.s[i] == '.' || optional_access(s, i)) { /* ref_parse let a ?. through only in an expression */
            i += s.s[i] == '?' ? 2 : 1;
            continue;
        }
        if (s.s[i] == '[' && i + 1 < s.len && (s.s[i + 1] == '\'' || s.s[i + 1] == '"')) {
            char quote = s.s[i + 1];
            size_t j = i + 2;
            while (j < s.len && s.s[j] != quote)
                j++;
            if (j + 1 >= s.len || s.s[j + 1] != ']')
                return 0;
            out[n++] = (span){s.s + i + 2, j - i - 2};
            i = j + 2;
            continue;
        }
        size_t j = i;
        while (j < s.len && s.s[j] != '.' && s.s[j] != '[' && !optional_access(s, j))
            j++;
        out[n++] = (span){s.s + i, j - i};
        i = j;
    }
    return i < s.len ? 0 : n;
}

static bool kind_segment(span s, bool *artifact)
{
    *artifact = span_is(s, "artifacts");
    return *artifact || span_is(s, "parameters");
}

/* A reference in a tag, or (`branch`) a branch of an expression, where an
 * optional member (a?.b) reads as a plain one does: Argo looks a tag's
 * text up as it stands, and finds none by that name. */
static ref parse(span expr, bool branch)
{
    ref r;
    memset(&r, 0, sizeof r);
    span seg[8];
    expr = trim(expr);
    for (size_t i = 0; i < expr.len; i++)
        if (expr.s[i] == ' ' || expr.s[i] == '(' || (expr.s[i] == '?' && !(branch && optional_access(expr, i))))
            return r; /* an expression, not a plain reference */
    size_t n = segments(expr, seg, 8);
    size_t used = 0;
    if (n >= 5 && (span_is(seg[0], "tasks") || span_is(seg[0], "steps")) &&
        span_is(seg[2], "outputs") && kind_segment(seg[3], &r.artifact)) {
        r.kind = REF_OUTPUT;
        r.steps = span_is(seg[0], "steps");
        r.step = seg[1];
        r.name = seg[4];
        used = 5;
    } else if (n >= 3 && span_is(seg[0], "inputs") && kind_segment(seg[1], &r.artifact)) {
        r.kind = REF_INPUT;
        r.name = seg[2];
        used = 3;
    } else if (n >= 4 && span_is(seg[0], "workflow") && span_is(seg[1], "outputs") &&
               kind_segment(seg[2], &r.artifact)) {
        r.kind = REF_WORKFLOW_OUTPUT;
        r.name = seg[3];
        used = 4;
    } else if (n == 3 && span_is(seg[0], "workflow") && span_is(seg[1], "parameters")) {
        r.kind = REF_WORKFLOW_PARAMETER;
        r.name = seg[2];
        used = 3;
    } else {
        return r;
    }
    const char *end = r.name.s + r.name.len;
    if (used < n) {
        while (end < expr.s + expr.len && (*end == '\'' || *end == '"' || *end == ']'))
            end++;
        r.rest = (span){end, (size_t)(expr.s + expr.len - end)};
    }
    return r;
}

ref ref_parse(span expr)
{
    return parse(expr, false);
}

ref ref_parse_branch(span expr)
{
    return parse(expr, true);
}

ref tag_ref(const tag *g)
{
    return g->expression ? (ref){0} : ref_parse(g->expr);
}

/* Strips spaces and the parentheses that enclose the whole expression, up
 * to UNWRAP_MAX pairs. One pass finds where each leading '(' closes, so a
 * hostile "((((...))))" costs linear time, not quadratic. */
#define UNWRAP_MAX 64
static span unwrap(span s)
{
    s = trim(s);
    size_t open[UNWRAP_MAX], close[UNWRAP_MAX], nopen = 0;
    for (size_t i = 0; i < s.len && nopen < UNWRAP_MAX && (s.s[i] == '(' || is_space(s.s[i])); i++)
        if (s.s[i] == '(') {
            close[nopen] = s.len; /* not closed */
            open[nopen++] = i;
        }
    long depth = 0;
    for (size_t i = 0; i < s.len && nopen; i++) {
        if (s.s[i] == '(')
            depth++;
        else if (s.s[i] == ')' && --depth >= 0 && (size_t)depth < nopen && close[depth] == s.len)
            close[depth] = i; /* the first return to this depth closes that '(' */
    }
    span w = s;
    for (size_t k = 0; k < nopen; k++) {
        /* "(a) + (b)": a pair that does not enclose all that is left stops it */
        if (s.s + open[k] != w.s || close[k] == s.len || s.s + close[k] != w.s + w.len - 1)
            break;
        w = trim((span){w.s + 1, w.len - 2});
    }
    return w;
}

/* Index of the first top-level `c` (outside quotes, brackets and parentheses)
 * at or after `from`, or s.len; for ':' the one that closes the ?: opened
 * before it. */
static size_t find_top(span s, size_t from, char c)
{
    int depth = 0, pending = 0;
    char quote = 0;
    for (size_t i = from; i < s.len; i++) {
        char ch = s.s[i];
        if (quote) {
            if (ch == '\\')
                i++;
            else if (ch == quote)
                quote = 0;
            continue;
        }
        if (ch == '\'' || ch == '"' || ch == '`')
            quote = ch;
        else if (ch == '(' || ch == '[' || ch == '{')
            depth++;
        else if (ch == ')' || ch == ']' || ch == '}')
            depth--;
        else if (depth == 0 && ch == c && c != '?' && c != ':')
            return i;
        else if (depth == 0 && ch == '?' && (i + 1 >= s.len || s.s[i + 1] != '?') && !optional_access(s, i) &&
                 (i == 0 || s.s[i - 1] != '?')) { /* not ?? (nil coalescing) nor ?. (optional chaining) */
            if (c == '?')
                return i;
            pending++;
        } else if (depth == 0 && ch == ':' && c == ':') {
            if (pending == 0)
                return i;
            pending--;
        }
    }
    return s.len;
}

/* Stores at most `room` branches; returns their number, room + 1 when there
 * are more. The nesting bound keeps the recursion off a hostile stack. */
static size_t alternatives(span expr, span *out, size_t room, int nesting)
{
    expr = unwrap(expr);
    size_t q = find_top(expr, 0, '?');
    size_t colon = q == expr.len ? q : find_top(expr, q + 1, ':');
    if (colon == expr.len) {
        if (room)
            out[0] = expr;
        return 1;
    }
    if (nesting == 0)
        return room + 1;
    size_t n = alternatives((span){expr.s + q + 1, colon - q - 1}, out, room, nesting - 1);
    if (n > room)
        return n;
    return n + alternatives((span){expr.s + colon + 1, expr.len - colon - 1}, out + n, room - n, nesting - 1);
}

size_t expr_alternatives(span expr, span *out, size_t max)
{
    return alternatives(expr, out, max, EXPR_MAX_NESTING);
}

size_t expr_terms(span expr, span *out, size_t max)
{
    expr = unwrap(expr);
    size_t n = 0;
    if (find_top(expr, 0, '?') < expr.len) { /* a ? b + c : d is one term: its branches hold the sums */
        if (max)
            out[0] = expr;
        return 1; /* max + 1 when there is no room */
    }
    for (size_t from = 0;;) {
        size_t plus = find_top(expr, from, '+');
        if (n == max)
            return max + 1;
        out[n++] = unwrap((span){expr.s + from, plus - from});
        if (plus == expr.len)
            return n;
        from = plus + 1;
    }
}

/* Characters of an artifact's name, and of an identifier in an expression
 * (where '-' is minus). */
static bool is_name_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
}

static bool is_ident_char(char c)
{
    return c != '-' && is_name_char(c);
}

static bool is_quote(char c)
{
    return c == '\'' || c == '"' || c == '`';
}

/* Whether identifier `word` stands whole at e.s[i]. */
static bool word_at(span e, size_t i, const char *word)
{
    size_t n = strlen(word);
    return e.len - i >= n && memcmp(e.s + i, word, n) == 0 && (i == 0 || !is_ident_char(e.s[i - 1])) &&
           (i + n == e.len || !is_ident_char(e.s[i + n]));
}

/* What joins the parts of a member access, in any of the expression
 * language's spellings: a.b, a?.b, a['b'], a ["b"], get(a, 'b'). */
static bool is_access(char c)
{
    return is_space(c) || c == '.' || c == '?' || c == '[' || c == ']' || c == ',' || is_quote(c);
}

/* Index past the string literal that starts at e.s[i] (a quote). */
static size_t past_string(span e, size_t i)
{
    for (size_t j = i + 1; j < e.len; j++) {
        if (e.s[j] == '\\')
            j++;
        else if (e.s[j] == e.s[i])
            return j + 1;
    }
    return e.len;
}

/* Whether the string literal at e.s[i, end) is 'artifacts' read as a
 * member: x['artifacts'], or get(x, 'artifacts'). */
static bool quoted_artifacts_member(span e, size_t i, size_t end)
{
    size_t before = space_before(e, i);
    bool member = before > 0 && (e.s[before - 1] == '[' || e.s[before - 1] == ',');
    return member && end - i == 11 && memcmp(e.s + i + 1, "artifacts", 9) == 0;
}

/* Whether the identifier starting at e.s[start] is a root, not a member
 * (steps.a.outputs, tasks['a'].outputs) nor the end of a hyphenated name:
 * what comes before it, spaces aside, is no access. An identifier there is
 * an operator (not, in). */
static bool is_root(span e, size_t start)
{
    if (start > 0 && e.s[start - 1] == '-')
        return false; /* the end of a hyphenated name: {{inputs.parameters.num-outputs}} */
    start = space_before(e, start);
    return start == 0 || (e.s[start - 1] != '.' && e.s[start - 1] != ']');
}

/* Whether the identifier before e.s[i] (access punctuation between) is the
 * root of the template's own inputs or outputs; its start in *root. */
static bool own_root(span e, size_t i, bool *input, size_t *root)
{
    while (i > 0 && is_access(e.s[i - 1]))
        i--;
    size_t start = i;
    while (start > 0 && is_ident_char(e.s[start - 1]))
        start--;
    *input = i - start == 6 && memcmp(e.s + start, "inputs", 6) == 0;
    bool output = i - start == 7 && memcmp(e.s + start, "outputs", 7) == 0;
    *root = start;
    return (*input || output) && is_root(e, start);
}

/* Past the closing brackets at e.s[i]: the end of x['y'] or x[0]['y']. */
static size_t past_brackets(span e, size_t i)
{
    while (i < e.len && e.s[i] == ']')
        i++;
    return i;
}

/* The name after "artifacts" (ending before e.s[i]): quoted or bare, in
 * *name (empty when there is none, or when a variable holds it: artifacts[x]);
 * returns the index past it. */
static size_t name_after(span e, size_t i, span *name)
{
    bool bracket = false;
    while (i < e.len && is_access(e.s[i]) && !is_quote(e.s[i]))
        bracket |= e.s[i++] == '[';
    if (bracket && (i >= e.len || !is_quote(e.s[i]))) {
        *name = (span){e.s + i, 0}; /* artifacts[x]: a name only known at run time */
        return i;
    }
    if (i < e.len && is_quote(e.s[i])) {
        size_t end = past_string(e, i);
        *name = (span){e.s + i + 1, end > i + 1 ? end - i - 2 : 0};
        return end;
    }
    size_t j = i;
    while (j < e.len && is_name_char(e.s[j]))
        j++;
    *name = (span){e.s + i, j - i};
    return j;
}

/* Index past `path` when it follows the name (ending before e.s[i]) as a
 * member, and past its closing quote and bracket; else i. */
static size_t path_after(span e, size_t i)
{
    size_t j = i;
    while (j < e.len && is_access(e.s[j]) && e.s[j] != ',' && e.s[j] != ']')
        j++;
    if (j == i || !word_at(e, j, "path"))
        return i;
    j += 4;
    while (j < e.len && (is_quote(e.s[j]) || e.s[j] == ']'))
        j++;
    return j;
}

/* Whether the word at e.s[start, past) is a key of a map literal, a
 * string that reads nothing: {inputs: 1}. (After '?' it is a branch of
 * c ? inputs : x, which reads it.) */
static bool map_key(span e, size_t start, size_t past)
{
    past = space_after(e, past);
    start = space_before(e, start);
    return past < e.len && e.s[past] == ':' && start > 0 && (e.s[start - 1] == '{' || e.s[start - 1] == ',');
}

/* Whether the word "inputs" or "outputs" at e.s[i] (the root itself) is
 * read other than by a member, bare or quoted, that holds no artifact or
 * only named ones (parameters, artifacts; an output's result and exitCode):
 * (inputs).artifacts, toJson(outputs), let x = inputs. Whatever it finds
 * there, volpass cannot follow. */
static bool opaque_root(span e, size_t i, bool *input)
{
    *input = word_at(e, i, "inputs");
    if ((!*input && !word_at(e, i, "outputs")) || !is_root(e, i))
        return false;
    size_t past = i + (*input ? 6 : 7);
    if (map_key(e, i, past))
        return false;
    if (past == e.len || !is_access(e.s[past]) || is_quote(e.s[past]))
        return true; /* no access follows: the whole of it is read */
    span member;
    name_after(e, past, &member); /* bare, or quoted; empty when a variable names it */
    if (span_is(member, "parameters") || span_is(member, "artifacts"))
        return false;
    return *input || (!span_is(member, "result") && !span_is(member, "exitCode"));
}

bool expr_next_mention(span expr, size_t *pos, artifact_mention *out)
{
    for (size_t i = *pos; i < expr.len; i++) {
        size_t past; /* past the word "artifacts": bare, or the string of a bracket access or get() */
        char c = expr.s[i];
        if (c != 'a' && c != 'i' && c != 'o' && !is_quote(c))
            continue; /* the usual case, decided at once */
        /* a cheap look first: "inputs", or the first six letters of "outputs" */
        bool root_word = expr.len - i >= 6 && ((c == 'i' && memcmp(expr.s + i, "inputs", 6) == 0) ||
                                               (c == 'o' && memcmp(expr.s + i, "output", 6) == 0));
        if (root_word && opaque_root(expr, i, &out->input)) {
            size_t len = out->input ? 6 : 7;
            *out = (artifact_mention){.input = out->input, .opaque = true, .name = {expr.s + i, 0},
                                      .whole = {expr.s + i, len}};
            *pos = i + len;
            return true;
        }
        if (is_quote(c)) {
            size_t end = past_string(expr, i);
            if (!quoted_artifacts_member(expr, i, end)) {
                i = end - 1; /* a string: "inputs.artifacts.x" in it is text, not a reference */
                continue;
            }
            past = end;
        } else if (word_at(expr, i, "artifacts")) {
            past = i + 9;
        } else {
            continue;
        }
        size_t root;
        if (!own_root(expr, i, &out->input, &root)) {
            i = past - 1; /* past its word, or its whole string: a quote inside is not an opening one */
            continue;
        }
        size_t end = past_brackets(expr, name_after(expr, past, &out->name));
        size_t with_path = path_after(expr, end);
        out->opaque = false;
        out->path = with_path != end;
        out->whole = (span){expr.s + root, with_path - root};
        *pos = with_path > i ? with_path : i + 1;
        return true;
    }
    *pos = expr.len;
    return false;
}

bool expr_mention_is(span expr, artifact_mention *out)
{
    expr = trim(expr);
    if (!expr.len || (expr.s[0] != 'i' && expr.s[0] != 'o'))
        return false; /* a mention starts with inputs or outputs: tasks.a..., parameters, most tags */
    size_t pos = 0;
    return expr_next_mention(expr, &pos, out) && out->whole.s == expr.s && out->whole.len == expr.len;
}

/* Longest member name followed back: a step's or task's name is far shorter
 * (Argo caps it at 128), and a bounded walk keeps a scan linear. */
#define MAX_MEMBER_NAME 256

/* The member name that ends before e.s[end] (bare, or quoted in brackets,
 * of name characters), in *name; returns where the access punctuation
 * before it starts (the end of what it is a member of), else SIZE_MAX. */
static size_t member_before(span e, size_t end, span *name)
{
    while (end > 0 && (e.s[end - 1] == ']' || is_space(e.s[end - 1])))
        end--;
    bool quoted = end > 0 && is_quote(e.s[end - 1]);
    size_t start = end - quoted;
    while (start > 0 && is_name_char(e.s[start - 1]) && end - start < MAX_MEMBER_NAME)
        start--;
    *name = (span){e.s + start, end - quoted - start};
    if (!name->len || (quoted && (start == 0 || e.s[start - 1] != e.s[end - 1])))
        return SIZE_MAX;
    return start - quoted;
}

/* Where the access punctuation that ends before e.s[at] starts. */
static size_t access_before(span e, size_t at)
{
    while (at > 0 && is_access(e.s[at - 1]) && !is_quote(e.s[at - 1]))
        at--;
    return at;
}

/* Whether a member access follows e.s[i]: .x, ?.x, [...], spaces between
 * or not (a call's parentheses are no access). */
static bool member_follows(span e, size_t i)
{
    i = space_after(e, i);
    if (i < e.len && e.s[i] == '.') {
        size_t j = space_after(e, i + 1);
        return j < e.len && is_ident_char(e.s[j]);
    }
    return i < e.len && (e.s[i] == '[' || optional_access(e, i));
}

/* Whether the map that starts at e.s[start] and ends before e.s[past] is
 * the first argument of get(), which reads one member of it: get(m, 'k'). */
static bool get_argument(span e, size_t start, size_t past)
{
    past = space_after(e, past);
    start = space_before(e, start);
    if (past == e.len || e.s[past] != ',' || start == 0 || e.s[start - 1] != '(')
        return false;
    start = space_before(e, start - 1);
    return start >= 3 && word_at(e, start - 3, "get");
}

/* Whether the member "parameters" at e.s[i, past) (bare, or a quoted
 * string) is a map read whole: of the template's inputs, or of a call's
 * outputs. */
static bool parameter_map_at(span e, size_t i, size_t past, parameter_map *out)
{
    span side, call, root;
    size_t at;
    if (member_follows(e, past) || (at = member_before(e, access_before(e, i), &side)) == SIZE_MAX)
        return false;
    if (span_is(side, "inputs") && is_root(e, (size_t)(side.s - e.s))) {
        *out = (parameter_map){.input = true};
        return !get_argument(e, (size_t)(side.s - e.s), past);
    }
    if (!span_is(side, "outputs") || (at = member_before(e, access_before(e, at), &call)) == SIZE_MAX ||
        member_before(e, access_before(e, at), &root) == SIZE_MAX || !is_root(e, (size_t)(root.s - e.s)) ||
        !(span_is(root, "tasks") || span_is(root, "steps")))
        return false;
    *out = (parameter_map){.steps = span_is(root, "steps"), .call = call};
    return !get_argument(e, (size_t)(root.s - e.s), past);
}

bool expr_next_parameter_map(span expr, size_t *pos, parameter_map *out)
{
    for (size_t i = *pos; i < expr.len; i++) {
        size_t past;
        if (is_quote(expr.s[i])) {
            past = past_string(expr, i);
            if (past - i != 12 || memcmp(expr.s + i + 1, "parameters", 10) != 0) {
                i = past - 1; /* text, not a member */
                continue;
            }
        } else if (expr.s[i] == 'p' && word_at(expr, i, "parameters") && (i == 0 || expr.s[i - 1] != '-')) {
            past = i + 10; /* (after a '-', the end of a name, a-parameters) */
        } else {
            continue;
        }
        past = past_brackets(expr, past);
        if (parameter_map_at(expr, i, past, out)) {
            *pos = past;
            return true;
        }
        i = past - 1;
    }
    *pos = expr.len;
    return false;
}

/* The access chain around the member "artifacts" at e.s[i, past): back to
 * its root, on to the name after it (x['artifacts'], tasks.a.outputs.artifacts.b). */
static span access_chain(span e, size_t i, size_t past)
{
    for (;;) {
        size_t j = space_before(e, i); /* spaces before an access belong to the chain: tasks.a.outputs ['artifacts'] */
        bool joined = j == i || member_follows(e, j);
        if (joined && j > 0 && (is_name_char(e.s[j - 1]) || (is_access(e.s[j - 1]) && !is_space(e.s[j - 1]) &&
                                                             e.s[j - 1] != ',')))
            i = j - 1;
        else
            break;
    }
    size_t end = past_brackets(e, past);
    if (member_follows(e, end)) {
        span name;
        end = past_brackets(e, name_after(e, end, &name));
    }
    return (span){e.s + i, end - i};
}

span expr_artifacts_outside(span expr, const span *alts, size_t n)
{
    for (size_t i = 0; i < expr.len; i++) {
        size_t k = 0;
        while (k < n && !(expr.s + i >= alts[k].s && expr.s + i < alts[k].s + alts[k].len))
            k++;
        if (k < n) {
            i = (size_t)(alts[k].s + alts[k].len - expr.s) - 1; /* past the branch */
            continue;
        }
        if (is_quote(expr.s[i])) {
            size_t end = past_string(expr, i);
            if (quoted_artifacts_member(expr, i, end))
                return access_chain(expr, i, end);
            i = end - 1;
        } else if (expr.s[i] == 'a' && word_at(expr, i, "artifacts") && !map_key(expr, i, i + 9)) {
            return access_chain(expr, i, i + 9);
        }
    }
    return (span){NULL, 0};
}

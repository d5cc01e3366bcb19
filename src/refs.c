#include "refs.h"

#include <string.h>

static bool is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\n';
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

/* Splits "a.b['c-d'].e" into segments a, b, c-d, e. */
static size_t segments(span s, span *out, size_t max)
{
    size_t n = 0, i = 0;
    while (i < s.len && n < max) {
        if (s.s[i] == '.') {
            i++;
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
        while (j < s.len && s.s[j] != '.' && s.s[j] != '[')
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

ref ref_parse(span expr)
{
    ref r;
    memset(&r, 0, sizeof r);
    span seg[8];
    expr = trim(expr);
    for (size_t i = 0; i < expr.len; i++)
        if (expr.s[i] == ' ' || expr.s[i] == '(' || expr.s[i] == '?')
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
        else if (depth == 0 && ch == '?' && (i + 1 >= s.len || s.s[i + 1] != '?')) {
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

static bool is_name_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
}

/* Reads the name after "inputs.artifacts" at expr.s[i]: ".X" or "['X']";
 * returns the index past it, or 0 when there is none. */
static size_t mention_name(span expr, size_t i, span *name)
{
    if (i < expr.len && expr.s[i] == '.') {
        size_t j = i + 1;
        while (j < expr.len && is_name_char(expr.s[j]))
            j++;
        *name = (span){expr.s + i + 1, j - i - 1};
        return name->len ? j : 0;
    }
    if (i + 1 < expr.len && expr.s[i] == '[' && (expr.s[i + 1] == '\'' || expr.s[i + 1] == '"')) {
        const char *close = memchr(expr.s + i + 2, expr.s[i + 1], expr.len - i - 2);
        if (!close || close + 1 >= expr.s + expr.len || close[1] != ']')
            return 0;
        *name = (span){expr.s + i + 2, (size_t)(close - expr.s) - i - 2};
        return (size_t)(close - expr.s) + 2;
    }
    return 0;
}

bool expr_next_mention(span expr, size_t *pos, artifact_mention *out)
{
    static const char *const heads[] = {"inputs.artifacts", "outputs.artifacts"};
    for (size_t i = *pos; i < expr.len; i++) {
        if (i > 0 && (is_name_char(expr.s[i - 1]) || expr.s[i - 1] == '.' || expr.s[i - 1] == ']'))
            continue; /* tasks.a.outputs..., steps['a'].outputs...: not the template's own */
        for (size_t h = 0; h < 2; h++) {
            size_t n = strlen(heads[h]);
            if (expr.len - i < n || memcmp(expr.s + i, heads[h], n) != 0)
                continue;
            size_t end = mention_name(expr, i + n, &out->name);
            if (!end)
                continue;
            out->input = h == 0;
            out->path = expr.len - end >= 5 && memcmp(expr.s + end, ".path", 5) == 0 &&
                        (end + 5 == expr.len || !is_name_char(expr.s[end + 5]));
            out->whole = (span){expr.s + i, end + (out->path ? 5 : 0) - i};
            *pos = i + out->whole.len;
            return true;
        }
    }
    *pos = expr.len;
    return false;
}

bool expr_mention_is(span expr, artifact_mention *out)
{
    expr = trim(expr);
    size_t pos = 0;
    return expr_next_mention(expr, &pos, out) && out->whole.s == expr.s && out->whole.len == expr.len;
}

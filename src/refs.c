#include "refs.h"

#include <string.h>

bool span_is(span s, const char *text)
{
    return strlen(text) == s.len && memcmp(s.s, text, s.len) == 0;
}

static span trim(span s)
{
    while (s.len && (s.s[0] == ' ' || s.s[0] == '\t' || s.s[0] == '\n'))
        s.s++, s.len--;
    while (s.len && (s.s[s.len - 1] == ' ' || s.s[s.len - 1] == '\t' || s.s[s.len - 1] == '\n'))
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

/* Strips spaces and one pair of enclosing parentheses, repeatedly. */
static span unwrap(span s)
{
    for (;;) {
        s = trim(s);
        if (s.len < 2 || s.s[0] != '(' || s.s[s.len - 1] != ')')
            return s;
        int depth = 0;
        for (size_t i = 0; i < s.len; i++) {
            depth += s.s[i] == '(' ? 1 : s.s[i] == ')' ? -1 : 0;
            if (depth == 0 && i + 1 < s.len)
                return s; /* "(a) + (b)": the parentheses do not enclose it all */
        }
        s = (span){s.s + 1, s.len - 2};
    }
}

/* Index of the first top-level `c` (outside quotes, brackets and parentheses)
 * at or after `from`; for ':' the one that closes the ?: opened before it. */
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

size_t expr_alternatives(span expr, span *out, size_t max)
{
    expr = unwrap(expr);
    size_t q = find_top(expr, 0, '?');
    if (q == expr.len)
        return max ? (out[0] = expr, 1) : 0;
    size_t colon = find_top(expr, q + 1, ':');
    if (colon == expr.len)
        return max ? (out[0] = expr, 1) : 0;
    size_t n = expr_alternatives((span){expr.s + q + 1, colon - q - 1}, out, max);
    return n + expr_alternatives((span){expr.s + colon + 1, expr.len - colon - 1}, out + n, max - n);
}

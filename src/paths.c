#include "paths.h"

#include <stdlib.h>
#include <string.h>

static bool blank(char c)
{
    return c == ' ' || c == '\t';
}

/* Normalises `path` into `out`, which may be `path` itself (the result is
 * never longer) or NULL to learn only whether anything would change, which
 * it returns. A tag runs from "{{" to the first "}}" after it, as Argo
 * splits them: its inside is kept as it is, but for the blanks around it,
 * which Argo trims ("{{ x }}" is "{{x}}"); those before a '}' stay, as
 * "{{x }}}" read again would end at "x ". */
static bool normalize(const char *path, char *out)
{
    size_t n = 0;
    char last = '\0';
    bool changed = false;
#define PUT(c) (out ? (void)(out[n] = (c)) : (void)0, last = (c), n++)
    for (const char *in = path; *in;) {
        const char *end = in[0] == '{' && in[1] == '{' ? strstr(in + 2, "}}") : NULL;
        if (end) {
            const char *a = in + 2, *b = end;
            while (a < b && blank(*a))
                a++;
            while (b > a && blank(b[-1]) && b[-2] != '}')
                b--;
            changed |= a != in + 2 || b != end;
            PUT('{');
            PUT('{');
            for (const char *c = a; c < b; c++)
                PUT(*c);
            PUT('}');
            PUT('}');
            in = end + 2;
        } else if (in[0] == '/' && (in[1] == '/' || (in[1] == '.' && (in[2] == '/' || in[2] == '\0')))) {
            in += in[1] == '/' ? 1 : 2; /* "//" or "/." */
            changed = true;
        } else {
            PUT(*in);
            in++;
        }
    }
#undef PUT
    if (n > 1 && last == '/') { /* one at most: "//" collapsed */
        n--;
        changed = true;
    }
    if (out)
        out[n] = '\0';
    return changed;
}

void path_normalize(char *path)
{
    normalize(path, path);
}

bool path_is_normal(const char *path)
{
    if (strchr(path, '{')) /* a tag's blanks, maybe */
        return !normalize(path, NULL);
    size_t n = strlen(path); /* the usual case, at once: "//", "/." or a trailing "/" */
    if (n > 1 && path[n - 1] == '/')
        return false;
    for (const char *s = strchr(path, '/'); s; s = strchr(s + 1, '/'))
        if (s[1] == '/' || (s[1] == '.' && (s[2] == '/' || s[2] == '\0')))
            return false;
    return true;
}

bool path_has_dotdot(const char *path)
{
    for (const char *s = strstr(path, ".."); s; s = strstr(s + 1, ".."))
        if ((s == path || s[-1] == '/') && (s[2] == '/' || s[2] == '\0'))
            return true;
    return false;
}

/* Resolves path's "." and ".." components in place (see
 * path_resolve_relative). A ".." that climbs above the start makes it
 * false, or is dropped when the start is the root (`at_root`), whose
 * parent is itself. */
static bool resolve(char *path, bool at_root)
{
    size_t out = 0; /* path[0, out) is resolved: components joined by '/' */
    for (const char *in = path; *in;) {
        size_t n = strcspn(in, "/");
        if (n == 2 && in[0] == '.' && in[1] == '.') {
            if (out == 0 && !at_root)
                return false;
            while (out > 0 && path[out - 1] != '/')
                out--;
            out -= out > 0; /* its '/' too */
        } else if (n && !(n == 1 && in[0] == '.')) {
            if (out)
                path[out++] = '/';
            memmove(path + out, in, n);
            out += n;
        }
        in += n + (in[n] == '/');
    }
    path[out] = '\0';
    return true;
}

bool path_resolve_relative(char *path)
{
    return resolve(path, false);
}

void path_resolve_absolute(char *path)
{
    resolve(path + 1, true);
}

/* p when it is normal (no allocation: the usual case), else a normalised
 * copy that *owned keeps for the caller to free; NULL when out of memory. */
static const char *normal_form(const char *p, char **owned)
{
    *owned = NULL;
    if (path_is_normal(p))
        return p;
    size_t n = strlen(p);
    char *c = malloc(n + 1);
    if (c) {
        memcpy(c, p, n + 1);
        path_normalize(c);
    }
    *owned = c;
    return c;
}

bool path_equal(const char *a, const char *b)
{
    char *ox, *oy;
    const char *x = normal_form(a, &ox), *y = normal_form(b, &oy);
    bool same = x && y && strcmp(x, y) == 0;
    free(ox);
    free(oy);
    return same;
}

bool path_is_root(const char *path)
{
    char *owned;
    const char *x = normal_form(path, &owned);
    bool root = x && strcmp(x, "/") == 0;
    free(owned);
    return root;
}

size_t path_covers(const char *mount, const char *path)
{
    char *owned;
    const char *m = normal_form(mount, &owned);
    if (!m)
        return 0;
    size_t n = strlen(m), covered = 0;
    if (strcmp(m, "/") == 0 && path[0] == '/')
        covered = 1;
    else if (n && strncmp(m, path, n) == 0 && (path[n] == '\0' || path[n] == '/'))
        covered = n;
    free(owned);
    return covered;
}

bool path_is_relative(const char *path)
{
    return path[0] != '/' && strncmp(path, "{{", 2) != 0;
}

bool path_is_templated(const char *path)
{
    for (const char *c = strchr(path, '{'); c; c = strchr(c + 1, '{')) /* strchr: most paths have none */
        if (c[1] == '{')
            return true;
    return false;
}

/* A templated path is its lead (the text before its first tag), anything,
 * and its tail (the text after its last tag). */
static size_t lead_length(const char *path)
{
    return (size_t)(strstr(path, "{{") - path);
}

static const char *tail_of(const char *path)
{
    const char *tail = path;
    for (const char *close = strstr(path, "}}"); close; close = strstr(close + 2, "}}"))
        tail = close + 2;
    return tail;
}

/* Whether templated path p may be at or below the literal directory `dir`. */
static bool may_be_below(const char *p, const char *dir)
{
    size_t lead = lead_length(p), d = strlen(dir);
    if (path_is_root(dir))
        return true;
    while (d > 1 && dir[d - 1] == '/')
        d--;
    if (lead >= d) /* its lead reaches dir: it must go on into it */
        return memcmp(p, dir, d) == 0 && (lead == d || p[d] == '/');
    return memcmp(dir, p, lead) == 0; /* what the tags hold may lead on to dir */
}

/* Whether templated path p may be `path` or one of its directories: some
 * prefix of `path` ending at a '/' (or its end) starts with p's lead and
 * ends with p's tail. */
static bool may_be_above(const char *p, const char *path)
{
    size_t lead = lead_length(p), n = strlen(path);
    const char *tail = tail_of(p);
    size_t t = strlen(tail);
    if (n < lead || memcmp(path, p, lead) != 0)
        return false;
    if (n > PATH_MAX_BYTES || t > PATH_MAX_BYTES)
        return true; /* longer than a path can be: assume the worst rather than compare at every '/' */
    for (size_t k = n; k >= lead + t; k--) {
        if ((k == n || path[k] == '/') && memcmp(path + k - t, tail, t) == 0)
            return true;
        if (k == 0)
            break;
    }
    return false;
}

bool path_may_cover(const char *outer, const char *inner)
{
    bool to = path_is_templated(outer), ti = path_is_templated(inner);
    if (!to && !ti)
        return path_covers(outer, inner) > 0;
    if (to && !ti)
        return may_be_above(outer, inner);
    if (!to)
        return may_be_below(inner, outer);
    size_t lo = lead_length(outer), li = lead_length(inner); /* both: when one lead may grow into the other */
    return memcmp(outer, inner, lo < li ? lo : li) == 0;
}

bool path_may_equal(const char *a, const char *b)
{
    if (!path_is_templated(a) && !path_is_templated(b))
        return path_equal(a, b);
    return path_may_cover(a, b) && path_may_cover(b, a);
}

bool path_must_cover(const char *outer, const char *inner)
{
    if (path_is_templated(outer)) { /* the same text, whatever its values, then more below it */
        size_t d = strlen(outer);
        while (d > 1 && outer[d - 1] == '/')
            d--;
        return strncmp(inner, outer, d) == 0 && (inner[d] == '/' || inner[d] == '\0') && !path_has_dotdot(inner + d);
    }
    if (!path_is_templated(inner))
        return path_covers(outer, inner) > 0;
    size_t lead = lead_length(inner), d = strlen(outer);
    while (d > 1 && outer[d - 1] == '/')
        d--;
    return path_is_root(outer) || (lead > d && memcmp(inner, outer, d) == 0 && inner[d] == '/');
}

/* The input's text itself, beside the events libyaml reads from it: its
 * encoding (UTF-8, or UTF-16 by a byte order mark), byte offsets as lines
 * and columns (libyaml reports encoding errors by offset), characters as
 * bytes (libyaml's marks count characters), and tags that libyaml hands
 * over cut at a %00. */
#include <string.h>

#include "loader.h"

/* The byte order of a UTF-16 input, by its byte order mark (as libyaml
 * reads it): 1 little-endian, 2 big-endian; 0 for UTF-8. */
int text_utf16_order(const char *data, size_t len)
{
    if (len >= 2 && memcmp(data, "\xFF\xFE", 2) == 0)
        return 1;
    return len >= 2 && memcmp(data, "\xFE\xFF", 2) == 0 ? 2 : 0;
}

/* The code unit at byte i: a byte of UTF-8, or two of UTF-16 (order as
 * utf16_order says); 0 past the end. */
static unsigned unit_at(const char *data, size_t len, size_t i, int order)
{
    if (i + (order ? 2 : 1) > len)
        return 0;
    unsigned a = (unsigned char)data[i];
    if (!order)
        return a;
    unsigned b = (unsigned char)data[i + 1];
    return order == 1 ? a | b << 8 : a << 8 | b;
}

/* Where text starts: past a byte order mark. */
size_t text_start(const char *data, size_t len, int order)
{
    return order ? 2 : len >= 3 && memcmp(data, "\xEF\xBB\xBF", 3) == 0 ? 3 : 0;
}

/* The bytes of the NEL (U+0085), LS (U+2028) or PS (U+2029) that UTF-8
 * `data` holds at byte i, its code point in *c (when not NULL); 0 for none. */
static size_t unicode_break(const char *data, size_t len, size_t i, unsigned *c)
{
    const unsigned char *u = (const unsigned char *)data + i;
    unsigned found = len - i >= 2 && u[0] == 0xC2 && u[1] == 0x85                              ? 0x85
                     : len - i >= 3 && u[0] == 0xE2 && u[1] == 0x80 && (u[2] == 0xA8 || u[2] == 0xA9) ? 0x2000u + u[2] - 0x80
                                                                                            : 0;
    if (found && c)
        *c = found;
    return found == 0x85 ? 2 : found ? 3 : 0;
}

/* libyaml reports encoding errors as a byte offset; turn it into line and
 * column (characters; a line ends at \n, \r\n, a lone \r, NEL, LS or PS). */
void text_position(const char *data, size_t len, size_t offset, unsigned long *line, unsigned long *column)
{
    int order = text_utf16_order(data, len);
    size_t step = order ? 2 : 1;
    *line = 1;
    *column = 1;
    for (size_t i = text_start(data, len, order); i < offset && i < len; i += step) {
        unsigned c = unit_at(data, len, i, order);
        /* NEL, LS and PS break lines in YAML too, as libyaml counts them */
        bool breaks = c == '\n' || (c == '\r' && unit_at(data, len, i + step, order) != '\n');
        size_t width = 0; /* UTF-8 bytes of such a break */
        if (order)
            breaks |= c == 0x85 || c == 0x2028 || c == 0x2029;
        else if ((width = unicode_break(data, len, i, NULL)) != 0)
            breaks = true;
        if (breaks) {
            i += width ? width - 1 : 0;
            ++*line;
            *column = 1;
        } else if (c != '\r' && (order ? (c & 0xFC00) != 0xDC00 : (c & 0xC0) != 0x80)) {
            ++*column; /* not the second half of a character */
        }
    }
}

static bool ascii8(const char *p)
{
    uint64_t w;
    memcpy(&w, p, 8);
    return (w & 0x8080808080808080u) == 0;
}

/* The byte `chars` characters after byte `at` of UTF-8 input (libyaml's
 * marks count characters): eight bytes at a time while they are ASCII, as
 * a stream of documents is walked through whole. */
size_t loader_skip_chars(const loader *l, size_t at, size_t chars)
{
    while (chars > 0 && at < l->len) {
        if (chars >= 8 && l->len - at >= 8 && ascii8(l->data + at)) {
            at += 8;
            chars -= 8;
            continue;
        }
        at++;
        while (at < l->len && ((unsigned char)l->data[at] & 0xC0) == 0x80)
            at++;
        chars--;
    }
    return at;
}

/* The byte where the first parser's character `chars` is: counted on from
 * the last one asked for, as the documents' positions only grow. */
size_t loader_byte_at(loader *l, size_t chars)
{
    l->seen_bytes = loader_skip_chars(l, l->seen_bytes, chars - l->seen_chars);
    l->seen_chars = chars;
    return l->seen_bytes;
}

/* The characters in data[from, to): bytes that do not continue one. */
size_t loader_count_chars(const loader *l, size_t from, size_t to)
{
    size_t chars = 0;
    for (; from + 8 <= to && ascii8(l->data + from); from += 8)
        chars += 8;
    for (; from < to; from++)
        chars += ((unsigned char)l->data[from] & 0xC0) != 0x80;
    return chars;
}

/* The byte `chars` characters before byte `at`. */
size_t loader_back_chars(const loader *l, size_t at, size_t chars)
{
    while (chars-- > 0 && at > 0)
        while (--at > 0 && ((unsigned char)l->data[at] & 0xC0) == 0x80)
            ;
    return at;
}

/* libyaml decodes a %XX escape in a tag and hands the tag over as a C
 * string: one with %00 (a NUL) arrives cut there, as another tag, which
 * may even change the data (tag:yaml.org,2002:binary%00 would decode
 * base64). Such tags are refused, found in the input's text, which is
 * looked at only when it holds "%00" at all (percent_nul). */
bool text_holds_percent_nul(const char *data, size_t len, int order)
{
    if (!order) { /* UTF-8: at memchr's pace, as every input is looked at */
        for (const char *p = data; len && (p = memchr(p, '%', len - (size_t)(p - data))) != NULL; p++)
            if (len - (size_t)(p - data) >= 3 && p[1] == '0' && p[2] == '0')
                return true;
        return false;
    }
    for (size_t i = text_start(data, len, order); i + 6 <= len; i += 2)
        if (unit_at(data, len, i, order) == '%' && unit_at(data, len, i + 2, order) == '0' &&
            unit_at(data, len, i + 4, order) == '0')
            return true;
    return false;
}

/* Whether the text from byte `at`, a node's properties (an anchor and a
 * tag, in either order) or a document's directives up to byte `to`, holds
 * a tag with %00: in a token "!...", or "!<...>", or a %TAG line. */
static bool tags_hold_nul(const loader *l, size_t at, size_t to)
{
    const char *p = l->data + at, *end = l->data + to;
    while (p < end && (*p == '!' || *p == '&' || *p == '%' || *p == '#')) {
        bool verbatim = *p == '!' && p + 1 < end && p[1] == '<', line = *p == '%' || *p == '#';
        const char *stop = p;
        while (stop < end && (verbatim ? *stop != '>' : line ? *stop != '\n' : !strchr(" \t\r\n,[]{}", *stop)))
            stop++;
        for (const char *q = p; *p != '&' && *p != '#' && q + 3 <= stop; q++)
            if (q[0] == '%' && q[1] == '0' && q[2] == '0')
                return true;
        for (p = stop + (stop < end); p < end && strchr(" \t\r\n", *p); p++)
            continue;
    }
    return false;
}

/* Why event e's tags (a node's, or a document's %TAG directives) cannot
 * be kept, or NULL: one holds %00; in UTF-16, whose text is not looked at,
 * any tag of an input that holds %00 at all. */
const char *loader_tag_holds_nul(loader *l, const yaml_event_t *e)
{
    bool tagged = e->type == YAML_SCALAR_EVENT           ? e->data.scalar.tag != NULL
                  : e->type == YAML_SEQUENCE_START_EVENT ? e->data.sequence_start.tag != NULL
                  : e->type == YAML_MAPPING_START_EVENT  ? e->data.mapping_start.tag != NULL
                  : e->type == YAML_DOCUMENT_START_EVENT &&
                        e->data.document_start.tag_directives.start != e->data.document_start.tag_directives.end;
    if (!tagged || !l->percent_nul)
        return NULL;
    if (text_utf16_order(l->data, l->len))
        return "the input, in UTF-16, holds %00 and a tag: libyaml decodes %00 in a tag to a NUL, at which it cuts "
               "the tag, and volpass looks for it in UTF-8 text only";
    if (e->start_mark.index < l->tag_chars) { /* never so, events come in order: counted again */
        l->tag_chars = 0;
        l->tag_bytes = l->start ? l->start : text_start(l->data, l->len, 0);
    }
    size_t from = loader_skip_chars(l, l->tag_bytes, e->start_mark.index - l->tag_chars);
    l->tag_chars = e->start_mark.index;
    l->tag_bytes = from;
    return tags_hold_nul(l, from, loader_skip_chars(l, from, e->end_mark.index - e->start_mark.index))
               ? "a tag holds %00, a NUL, at which libyaml cuts it: volpass cannot keep the tag whole" : NULL;
}

/* JSON when the first character after a byte order mark and white space
 * opens an object or array (in UTF-8 or UTF-16, which libyaml reads too). */
vp_format text_format(const char *data, size_t len)
{
    int order = text_utf16_order(data, len);
    size_t i = text_start(data, len, order);
    unsigned c;
    while ((c = unit_at(data, len, i, order)) == ' ' || c == '\t' || c == '\r' || c == '\n')
        i += order ? 2 : 1;
    return c == '{' || c == '[' ? VP_FORMAT_JSON : VP_FORMAT_YAML;
}

/* JSON breaks lines at \n and \r only; libyaml at NEL (U+0085), LS
 * (U+2028) and PS (U+2029) too, and folds a string that holds one raw as a
 * line of YAML: the string would change. The offset of the first one in
 * UTF-8 JSON input, its code point in *c; or len. */
size_t text_json_yaml_break(const char *data, size_t len, unsigned *c)
{
    if (text_start(data, len, text_utf16_order(data, len)))
        return len; /* a byte order mark, or UTF-16: Go's JSON refuses it, Argo reads it as YAML, as volpass does */
    for (size_t i = 0; i < len; i++)
        if (unicode_break(data, len, i, c))
            return i;
    return len;
}


/* The comment writer: see emit_comments.h. */
#include <stdlib.h>
#include <string.h>

#include "emit_comments.h"

#define NOT_YET SIZE_MAX
#define STAGE_KEEP 65536       /* staged output is written on past this much, when no comment waits */
#define MAX_COMMENT_INDENT 64  /* deeper, a comment line is indented this much: any indentation reads alike */
#define PLACED_BEFORE 1        /* a note's before and inside comments */
#define PLACED_AFTER 2
#define FOLDED_TRIES 4         /* lines folded_start reads back as a folded scalar's start, at most */

int cw_init(comment_writer *w, const vp_stream *s, bool keep_styles, vp_write_fn write, void *ctx)
{
    *w = (comment_writer){.write = write, .ctx = ctx, .keep_styles = keep_styles, .last_byte = '\n'};
    for (size_t i = 0; i < s->ndocs; i++)
        w->staging = w->staging || s->docs[i].end.len;
    if (!s->notes.count)
        return 0;
    w->staging = true;
    w->notes = s->notes.at;
    w->nnotes = s->notes.count;
    w->placed = calloc(s->notes.count, sizeof *w->placed);
    return w->placed ? 0 : -1;
}

void cw_free(comment_writer *w)
{
    free(w->stage);
    free(w->placed);
}

int cw_put(comment_writer *w, const char *text, size_t len)
{
    if (!len)
        return 0;
    w->last_byte = text[len - 1];
    if (!w->staging)
        return w->write(text, len, w->ctx);
    if (w->staged + len > w->stage_cap) {
        size_t cap = w->stage_cap ? w->stage_cap : 4096;
        while (cap < w->staged + len)
            cap *= 2;
        char *grown = realloc(w->stage, cap);
        if (!grown) {
            w->out_of_memory = true;
            return -1;
        }
        w->stage = grown;
        w->stage_cap = cap;
    }
    memcpy(w->stage + w->staged, text, len);
    w->staged += len;
    return 0;
}

int cw_finish(comment_writer *w)
{
    size_t n = w->staged;
    w->staged = 0;
    return n ? w->write(w->stage, n, w->ctx) : 0;
}

/* Events the emitter holds, not yet written. The queue is a member of
 * libyaml's emitter that its header calls internal; the structure is part
 * of libyaml's ABI (soname 0.2), which has not changed since 0.1. */
static size_t held(const yaml_emitter_t *em)
{
    return (size_t)(em->events.tail - em->events.head);
}

bool cw_idle(const comment_writer *w, const yaml_emitter_t *em)
{
    return held(em) == 0 && w->nwait == 0;
}

/* Whether libyaml writes a scalar on one line (the width is unlimited: it
 * never folds): double-quoted (it escapes line breaks there), empty (a
 * block style too becomes ""), or not in a block style and with no line
 * break in it. */
static bool one_line_scalar(node_style style, const char *text, size_t len)
{
    if (style == STYLE_DOUBLE || !len)
        return true;
    if (style == STYLE_LITERAL || style == STYLE_FOLDED)
        return false;
    for (size_t i = 0; i < len; i++)
        if (text_line_break(text, i, len))
            return false;
    return true;
}

/* The same of a node: a scalar, or a flow collection of such. */
static bool one_line(const comment_writer *w, const node *n)
{
    if (n->kind == NODE_SCALAR)
        return one_line_scalar((node_style)n->style, n->as.text, n->len);
    if (!w->keep_styles || n->style != STYLE_FLOW)
        return false;
    size_t slots = node_slots(n);
    for (size_t i = 0; i < slots; i++)
        if (!one_line(w, n->as.items[i]))
            return false;
    return true;
}

/* ---- changing the stage --------------------------------------------------- */

/* Puts text[0, len) into the stage at `at`, and moves the places waiting
 * comments know at or past it (and *batch) with what they stand beside. */
static void splice(comment_writer *w, size_t at, const char *text, size_t len, size_t *batch)
{
    size_t tail = w->staged - at;
    if (cw_put(w, text, len) != 0) /* room at the end, then moved into place */
        return;
    memmove(w->stage + at + len, w->stage + at, tail);
    memcpy(w->stage + at, text, len);
    w->last_byte = w->stage[w->staged - 1];
    for (size_t i = 0; i < w->nwait; i++)
        if (w->wait[i].at != NOT_YET && w->wait[i].at >= at)
            w->wait[i].at += len;
    if (*batch >= at)
        *batch += len;
}

/* The indentation of the staged line starting at `at`, when it starts (after
 * that) as `expect` says; else NOT_YET. A line that does not start with the
 * node the comments go before takes none: comments never go where they
 * could change what the YAML says. An empty `expect` is any key: its
 * text, a quote, a tag, or "?" before a long or complex one. */
static size_t line_fits(const comment_writer *w, size_t at, const char *expect)
{
    size_t indent = 0;
    while (at + indent < w->staged && w->stage[at + indent] == ' ')
        indent++;
    size_t left = w->staged - (at + indent);
    const char *line = w->stage + at + indent;
    size_t n = strlen(expect);
    if (left == 0 || *line == '\n' || *line == '#')
        return NOT_YET;
    bool key = !n || !strchr("-:.", expect[0]); /* a key's line may start "? " (a long or complex key) */
    if (key && *line == '?')
        return indent;
    if (n)
        return left >= n && memcmp(line, expect, n) == 0 ? indent : NOT_YET;
    return *line != '-' && *line != ':' ? indent : NOT_YET; /* any key: not an item, nor a value */
}

/* Puts c's lines (from byte `first` of its text) on lines of their own at
 * stage offset `at`, indented `indent`. */
static void put_lines(comment_writer *w, size_t at, const comment_block *c, size_t first, size_t indent, size_t *batch)
{
    size_t lines = 0;
    for (size_t i = first; i < c->len; i++)
        lines += c->text[i] == '\n';
    if (indent > MAX_COMMENT_INDENT)
        indent = MAX_COMMENT_INDENT;
    char *text = malloc(c->len - first + lines * indent + 1);
    if (!text) {
        w->out_of_memory = true;
        return;
    }
    size_t n = 0;
    for (size_t i = first; i < c->len;) {
        size_t len = (size_t)((const char *)memchr(c->text + i, '\n', c->len - i) - (c->text + i)) + 1;
        if (len > 1) { /* a blank line stays empty */
            memset(text + n, ' ', indent);
            n += indent;
        }
        memcpy(text + n, c->text + i, len);
        n += len;
        i += len;
    }
    splice(w, at, text, n, batch);
    free(text);
}

/* Puts a comment (text[0, len), its line break left out) after the staged
 * text that ends at `at`, on its line. */
static void put_trailing(comment_writer *w, size_t at, const char *text, size_t len, size_t *batch)
{
    char *spaced = malloc(len);
    if (!spaced) {
        w->out_of_memory = true;
        return;
    }
    spaced[0] = ' ';
    memcpy(spaced + 1, text, len - 1);
    splice(w, at, spaced, len, batch);
    free(spaced);
}

/* ---- finding each waiting comment's place ---------------------------------- */

/* Whether c is a block scalar's indentation or chomping hint ("|2-", ">+"). */
static bool block_hint(char c)
{
    return c && strchr("123456789+-", c);
}

/* Of the stage before `at` (and from `from` on), where a block scalar's
 * header ends before its hints. */
static size_t before_hints(const char *s, size_t from, size_t at)
{
    for (int hints = 0; hints < 2 && at > from && block_hint(s[at - 1]); hints++)
        at--;
    return at;
}

/* Where the '|' of a literal block scalar with text[0, len) is, when the
 * stage from offset batch to `end` ends with it as libyaml writes one: '|',
 * its hints, a line break, then the lines of the text, those not empty
 * indented alike. NOT_YET when it ends otherwise (libyaml chose another
 * style). */
static size_t literal_start(const comment_writer *w, size_t batch, size_t end, const char *text, size_t len)
{
    const char *s = w->stage;
    size_t k = end, i = len, indent = NOT_YET;
    while (i > 0) {
        if (text[i - 1] == '\n') {
            if (k == batch || s[k - 1] != '\n')
                return NOT_YET;
            k--, i--;
            continue;
        }
        size_t from = i, spaces = 0;
        while (from > 0 && text[from - 1] != '\n')
            from--;
        if (k - batch < i - from || memcmp(s + k - (i - from), text + from, i - from) != 0)
            return NOT_YET;
        k -= i - from;
        while (k - spaces > batch && s[k - spaces - 1] == ' ')
            spaces++;
        if (indent != NOT_YET && spaces != indent)
            return NOT_YET;
        indent = spaces;
        k -= spaces;
        i = from;
    }
    if (k == batch || s[k - 1] != '\n')
        return NOT_YET;
    k--;
    k = before_hints(s, batch, k);
    return k > batch && s[k - 1] == '|' ? k - 1 : NOT_YET;
}

/* Whether the staged lines s[from, end), each less indent spaces, read as
 * YAML whose last node is a folded block scalar of text[0, len) that
 * starts on their first line. libyaml folds the lines of such a scalar
 * anew, so they cannot be matched against its text as a literal one's are;
 * libyaml reads them back instead. Moved left alike, they read as they do
 * in place (an indentation hint counts from the collection around). */
static bool reads_as_folded(const char *s, size_t from, size_t end, size_t indent, const char *text, size_t len)
{
    char *lines = malloc(end - from + 1); /* out of memory, not known: the comment is dropped */
    size_t n = 0;
    for (size_t i = from; lines && i < end;) {
        const char *nl = memchr(s + i, '\n', end - i);
        size_t line = nl ? (size_t)(nl - (s + i)) + 1 : end - i, cut = 0;
        while (cut < indent && cut < line && s[i + cut] == ' ')
            cut++;
        if (cut < indent && cut < line && s[i + cut] != '\n') {
            free(lines); /* less indented: not inside what the line at `from` began */
            return false;
        }
        memcpy(lines + n, s + i + cut, line - cut);
        n += line - cut;
        i += line;
    }
    yaml_parser_t p;
    if (!lines || !yaml_parser_initialize(&p)) {
        free(lines);
        return false;
    }
    yaml_parser_set_input_string(&p, (const unsigned char *)lines, n);
    bool same = false, done = false;
    yaml_event_t e;
    while (!done && yaml_parser_parse(&p, &e)) {
        done = e.type == YAML_STREAM_END_EVENT;
        if (e.type == YAML_SCALAR_EVENT)
            same = e.data.scalar.style == YAML_FOLDED_SCALAR_STYLE && e.start_mark.line == 0 &&
                   e.data.scalar.length == len && memcmp(e.data.scalar.value, text, len) == 0;
        else if (e.type != YAML_STREAM_END_EVENT && e.type != YAML_DOCUMENT_END_EVENT &&
                 e.type != YAML_SEQUENCE_END_EVENT && e.type != YAML_MAPPING_END_EVENT)
            same = false; /* not the last node */
        yaml_event_delete(&e);
    }
    yaml_parser_delete(&p);
    free(lines);
    return done && same;
}

/* Where the '>' of a folded block scalar with text[0, len) is, when the
 * stage from offset batch to `end` ends with it as libyaml writes one: a
 * line that ends in '>' and its hints, less indented than every line with
 * text below it, from which the rest reads back as that scalar
 * (reads_as_folded). NOT_YET when there is none among the first few such
 * lines: each try reads the rest again, and the text's own lines may end in
 * '>' too. */
static size_t folded_start(const comment_writer *w, size_t batch, size_t end, const char *text, size_t len)
{
    const char *s = w->stage;
    size_t below = SIZE_MAX; /* the least indentation of the lines with text below */
    for (size_t line_end = end, tries = 0; line_end > batch && tries < FOLDED_TRIES;) {
        size_t start = line_end - 1; /* line_end - 1 is a line break, or the stage's end */
        while (start > batch && s[start - 1] != '\n')
            start--;
        size_t at = line_end - (s[line_end - 1] == '\n'), indent = 0;
        while (start + indent < at && s[start + indent] == ' ')
            indent++;
        if (start + indent < at && indent < below) {
            below = indent;
            at = before_hints(s, start, at);
            if (at > start && s[at - 1] == '>' && ++tries && reads_as_folded(s, start, end, indent, text, len))
                return at - 1;
        }
        line_end = start;
    }
    return NOT_YET;
}

/* The start of the line on which scalar event x starts, when its text is
 * the last that a call wrote (from stage offset batch on, events up to
 * done - 1; only block collection ends, which write nothing, may follow):
 * written on one line, it starts the last line; in literal style, the line
 * of its '|', in folded style that of its '>'. NOT_YET otherwise. */
static size_t scalar_line(const comment_writer *w, size_t x, size_t batch, size_t done)
{
    for (size_t j = x + 1; j < done; j++)
        if (!w->block_end[j % HISTORY])
            return NOT_YET;
    const char *text = w->scalar[x % HISTORY].text;
    size_t len = w->scalar[x % HISTORY].len, end = w->staged;
    if (!text)
        return NOT_YET;
    node_style style = w->scalar[x % HISTORY].style;
    if (!one_line_scalar(style, text, len) &&
        (end = style == STYLE_FOLDED ? folded_start(w, batch, end, text, len)
                                     : literal_start(w, batch, end, text, len)) == NOT_YET)
        return NOT_YET;
    while (end > batch && w->stage[end - 1] != '\n')
        end--;
    return end > batch ? end : NOT_YET;
}

/* The start of the line event wt->event starts, from what one call wrote
 * (events done_before to done - 1, from stage offset batch on), or NOT_YET.
 * The first event written starts a new line with its line break, or starts
 * where the line before ended (after a block scalar's last line); a later
 * one is found when it is a scalar whose text ends what the call wrote. */
static size_t line_of(const comment_writer *w, const waiting *wt, size_t batch, bool line_start, size_t done_before,
                      size_t done)
{
    if (wt->event == done_before)
        return batch < w->staged && w->stage[batch] == '\n' ? batch + 1 : line_start ? batch : NOT_YET;
    return scalar_line(w, wt->event, batch, done);
}

/* Places a mapping value's first-entry comments once the value, first of
 * what a call wrote at `wt->at`, and the line break before its first entry
 * are written. After a key on one line the value writes ':' (and its tag)
 * and its first entry starts a new line; after a long or complex key, ':'
 * starts a line of its own, and the comments go before it. A trailing
 * comment goes at the end of the key's line, when that line ends with the
 * key (wt->key_one_line: the key is a scalar written on one line) or its ':'.
 * Returns false while the line break is still to come. */
static bool place_before_entry(comment_writer *w, waiting *wt, bool line_start, size_t *batch)
{
    size_t from = wt->at, at;
    const char *expect = ":";
    bool trails = wt->c->trailing && wt->key_one_line;
    if (from < w->staged && w->stage[from] == '\n') {
        at = from + 1; /* "? key", then ":" */
    } else if (line_start) {
        at = from; /* after a block scalar key, which ended its line */
        trails = false;
    } else {
        if (from >= w->staged || w->stage[from] != ':')
            return true; /* dropped */
        const char *nl = memchr(w->stage + from, '\n', w->staged - from);
        if (!nl)
            return false;
        at = (size_t)(nl - w->stage) + 1;
        if (nl - w->stage > (ptrdiff_t)from + 1)
            trails = false; /* ": !tag": read again, a comment after the tag is the collection's own line */
        expect = wt->expect;
    }
    size_t indent = line_fits(w, at, expect);
    if (indent == NOT_YET)
        return true;
    put_lines(w, at, wt->c, trails ? wt->c->trailing : 0, indent, batch);
    if (trails)
        put_trailing(w, at - 1, wt->c->text, wt->c->trailing, batch);
    return true;
}

/* Where the text of event x, written by a call that wrote events up to
 * done - 1 from stage offset batch on, ends; or NOT_YET. Known when only
 * block collection ends follow it, which write nothing, and then at most
 * one scalar, a key or item, which starts a new line (see scalar_line). */
static size_t text_end(const comment_writer *w, size_t x, size_t batch, size_t done)
{
    size_t j = x + 1;
    while (j < done && w->block_end[j % HISTORY])
        j++;
    if (j == done)
        return w->staged;
    size_t next = scalar_line(w, j, batch, done);
    return next == NOT_YET ? NOT_YET : next - 1;
}

/* Where the header line of literal block scalar event x ends (its '|' and
 * hints, then the line break), written by a call that wrote events up to
 * done - 1 from stage offset batch on; NOT_YET when libyaml wrote it
 * otherwise, or its end is not known (text_end). */
static size_t header_end(const comment_writer *w, size_t x, size_t batch, size_t done)
{
    const char *text = w->scalar[x % HISTORY].text;
    size_t end = text ? text_end(w, x, batch, done) : NOT_YET;
    if (end == NOT_YET)
        return NOT_YET;
    /* followed in the same call, a text that ends in a line break ends past the one before what follows */
    size_t len = w->scalar[x % HISTORY].len;
    size_t at = literal_start(w, batch, end < w->staged && len && text[len - 1] == '\n' ? end + 1 : end, text, len);
    if (at == NOT_YET)
        return NOT_YET;
    for (at++; at < w->staged && block_hint(w->stage[at]); at++)
        continue;
    return at < w->staged && w->stage[at] == '\n' ? at : NOT_YET;
}

/* Whether waiting comment wt is done with (placed or dropped), after a
 * call wrote events done_before to done - 1 from stage offset *batch on. */
static bool place(comment_writer *w, waiting *wt, size_t *batch, bool line_start, size_t done_before, size_t done)
{
    if (wt->event >= done)
        return false;
    switch (wt->kind) {
    case BEFORE_LINE: {
        size_t at = line_of(w, wt, *batch, line_start, done_before, done);
        size_t indent = at == NOT_YET ? NOT_YET : line_fits(w, at, wt->expect);
        if (indent != NOT_YET)
            put_lines(w, at, wt->c, 0, indent, batch);
        return true;
    }
    case BEFORE_ENTRY:
        if (wt->at == NOT_YET) {
            if (wt->event != done_before)
                return true; /* dropped: where the value starts is not known */
            wt->at = *batch;
        }
        return place_before_entry(w, wt, line_start, batch);
    case AFTER_TEXT: /* a literal scalar's on its '|' line; an empty one is written "", on one line */
        if (w->scalar[wt->event % HISTORY].style == STYLE_LITERAL && w->scalar[wt->event % HISTORY].len) {
            size_t at = header_end(w, wt->event, *batch, done);
            if (at != NOT_YET)
                put_trailing(w, at, wt->c->text, wt->c->len, batch);
            return true; /* placed, or dropped: never after the text, which would take it in */
        }
        if (wt->at == NOT_YET && (wt->at = text_end(w, wt->event, *batch, done)) == NOT_YET)
            return true; /* dropped: where the text ends is not known */
        if (wt->at == w->staged)
            return false; /* what follows it is still to come */
        if (w->stage[wt->at] == '\n')
            put_trailing(w, wt->at, wt->c->text, wt->c->len, batch);
        return true;
    }
    return true;
}

int cw_emit(comment_writer *w, yaml_emitter_t *em, yaml_event_t *e, const node *scalar, bool block_end)
{
    w->events++;
    if (!w->nwait) {
        if (!yaml_emitter_emit(em, e))
            return 0;
        if (w->staged >= STAGE_KEEP && cw_finish(w) != 0) {
            em->error = YAML_WRITER_ERROR; /* reported as the emitter's own write failures are */
            return 0;
        }
        return 1;
    }
    size_t i = (w->events - 1) % HISTORY; /* text_end looks back at the events after a waiting one */
    w->scalar[i].text = scalar ? scalar->as.text : NULL;
    w->scalar[i].len = scalar ? scalar->len : 0;
    w->scalar[i].style = scalar ? (node_style)scalar->style : STYLE_PLAIN;
    w->block_end[i] = block_end;
    if (!yaml_emitter_flush(em)) {
        yaml_event_delete(e);
        return 0;
    }
    size_t batch = w->staged, done_before = w->events - 1 - held(em);
    bool line_start = w->last_byte == '\n';
    if (!yaml_emitter_emit(em, e) || !yaml_emitter_flush(em))
        return 0;
    /* Each waiting comment is placed from a copy: splice moves the places
     * the list holds, and a copy kept goes back only when it placed nothing. */
    size_t done = w->events - held(em), kept = 0;
    for (i = 0; i < w->nwait; i++) {
        waiting wt = w->wait[i];
        if (!place(w, &wt, &batch, line_start, done_before, done))
            w->wait[kept++] = wt;
    }
    w->nwait = kept;
    return !w->out_of_memory;
}

/* ---- what waits for what ----------------------------------------------------- */

static void await(comment_writer *w, wait_kind kind, const comment_block *c, bool key_one_line, const char *expect)
{
    if (!c->len || w->nwait == MAX_WAITING)
        return;
    waiting *wt = &w->wait[w->nwait++];
    *wt = (waiting){kind, w->events, c, key_one_line, "", NOT_YET};
    size_t n = strlen(expect);
    memcpy(wt->expect, expect, n < sizeof wt->expect ? n : sizeof wt->expect - 1);
}

/* The comments of n, and the bits of them still to place; NULL when none. */
static const node_comments *notes_of(const comment_writer *w, const node *n, uint8_t **placed)
{
    const node_comments *note = n->commented ? comments_find(w->notes, w->nnotes, n) : NULL;
    if (note)
        *placed = &w->placed[note - w->notes];
    return note;
}

/* How the line of key k starts: a plain key's first bytes, or "" (any key)
 * where libyaml chooses the quotes. */
static void key_start(const node *k, char out[8])
{
    size_t n = k->style == STYLE_PLAIN && !k->tagged ? (k->len < 7 ? k->len : 7) : 0;
    memcpy(out, k->as.text, n);
    out[n] = '\0';
}

void cw_entry(comment_writer *w, const node *n, size_t i, const node *item)
{
    bool mapping = n->kind == NODE_MAPPING;
    const node *owner = mapping ? n->as.items[i | 1] : item; /* a key's comments are its value's */
    uint8_t *placed;
    const node_comments *note = notes_of(w, owner, &placed);
    if (!note || (*placed & PLACED_BEFORE))
        return;
    char expect[8] = "-";
    if (mapping && i % 2 == 0) {
        key_start(item, expect);
        /* A first entry's comments go where reading the output again finds
         * them: inside the collection, which only a mapping value keeps. */
        if (i > 0)
            await(w, BEFORE_LINE, &note->before, false, expect);
        return;
    }
    if (!mapping && i > 0)
        await(w, BEFORE_LINE, &note->before, false, expect);
    if (mapping && item->kind != NODE_SCALAR && item->style != STYLE_FLOW && item->len) {
        if (item->kind == NODE_MAPPING)
            key_start(item->as.items[0], expect);
        await(w, BEFORE_ENTRY, &note->inside, one_line(w, n->as.items[i - 1]), expect);
    }
    *placed |= PLACED_BEFORE;
}

void cw_after(comment_writer *w, const node *n)
{
    uint8_t *placed;
    const node_comments *note = notes_of(w, n, &placed);
    bool header = n->kind == NODE_SCALAR && n->style == STYLE_LITERAL; /* placed on the '|' line (header_end) */
    if (note && note->after.len && !(*placed & PLACED_AFTER) && (one_line(w, n) || header)) {
        await(w, AFTER_TEXT, &note->after, false, "");
        *placed |= PLACED_AFTER;
    }
}

void cw_before_end(comment_writer *w, const comment_block *c)
{
    await(w, BEFORE_LINE, c, false, "...");
}

int cw_end(comment_writer *w, yaml_emitter_t *em, const comment_block *c)
{
    w->nwait = 0; /* the lines they waited for never came */
    if (!c->len)
        return 1;
    if (!yaml_emitter_flush(em))
        return 0;
    if (w->last_byte == '\n' && cw_put(w, c->text, c->len) != 0) {
        em->error = YAML_WRITER_ERROR;
        return 0;
    }
    return 1;
}

/* The input's comments, which libyaml does not report: found in the text
 * between events and given to the nodes they belong to (comments.h). */
#include <string.h>

#include "loader.h"

/* libyaml does not report comments. Those before a document's first node
 * (a file's header, a "# Source:" line after "---") lie in text no node
 * holds: from the previous document's end (or the stream's start) to the
 * first event after the document's start, at character `to`. The emitter
 * writes them before the document. Only in UTF-8 read by the first parser
 * (a JSON stream's restarted ones have no comments worth the trouble). */
int loader_document_comments(loader *l, size_t to)
{
    l->opening = false;
    if (!l->comments)
        return 0;
    size_t from = loader_byte_at(l, l->gap_from), end = loader_byte_at(l, to);
    document *d = &l->s->docs[l->s->ndocs - 1];
    return comments_gather(&l->s->arena, l->data, from, end, false, &d->leading) == 0 ? 0 : loader_fail_oom(l);
}


/* Whether the text from character `from` to `to` may hold a comment: the
 * next '#' of the input lies there. Each '#' is found once, its character
 * counted on from the one before, so that the gap before each event costs
 * a comparison. */
static bool hash_between(loader *l, size_t from, size_t to)
{
    while (l->hash_char != SIZE_MAX && (!l->hash_found || l->hash_char < from)) {
        size_t at = l->hash_byte + l->hash_found;
        const char *hash = at < l->len ? memchr(l->data + at, '#', l->len - at) : NULL;
        if (!hash) {
            l->hash_char = SIZE_MAX;
            break;
        }
        size_t byte = (size_t)(hash - l->data);
        l->hash_char += loader_count_chars(l, l->hash_byte, byte);
        l->hash_byte = byte;
        l->hash_found = true;
    }
    return l->hash_char < to;
}

/* Gives n the comments `found` (and empties it). */
static int attach(loader *l, node *n, comment_block *found, comment_place place)
{
    if (!found->len)
        return 0;
    if (place != INSIDE)
        found->trailing = 0;
    node_comments *note = comments_entry(&l->s->notes, n);
    comment_block *to = !note ? NULL : place == BEFORE ? &note->before : place == INSIDE ? &note->inside : &note->after;
    if (!to || comments_join(&l->s->arena, to, found) != 0)
        return loader_fail_oom(l);
    *found = (comment_block){NULL, 0, 0};
    return 0;
}

/* The comments between the last event and e, whose text holds no node.
 * One on the line where the last event ended is that node's own (`after`)
 * when it is a scalar or a flow collection that is no key; after a key, it
 * stays first in `gap`, trailing, for the key's block value (loader_before_event);
 * else it is a line of its own. */
static int gap_comments(loader *l, const yaml_event_t *e, comment_block *gap)
{
    size_t from = l->last_end, to = e->start_mark.index;
    bool mid_line = l->last_mid_line;
    node *owner = l->last_inline;
    l->last_end = e->end_mark.index;
    l->last_mid_line = e->end_mark.column > 0;
    l->last_inline = NULL; /* loader_after_event sets it */
    *gap = (comment_block){NULL, 0, 0};
    if (to <= from || !hash_between(l, from, to))
        return 0;
    size_t start = loader_back_chars(l, l->hash_byte, l->hash_char - from);
    size_t end = loader_skip_chars(l, l->hash_byte, to - l->hash_char);
    if (comments_gather(&l->s->arena, l->data, start, end, mid_line, gap) != 0)
        return loader_fail_oom(l);
    if (owner) {
        comment_block own = comments_take_trailing(gap);
        return attach(l, owner, &own, AFTER);
    }
    if (!l->last_key)
        gap->trailing = 0;
    return 0;
}

/* Gives the open collection at frame `level` the comments before its
 * first entry. They go on the lines after a mapping value's key; those of
 * a sequence item, before its "- " line, unless it is its sequence's first
 * entry: then they are that sequence's, and so on up; the root's go before
 * the document. Each goes where reading the output again finds it. */
static int attach_inside(loader *l, size_t level, comment_block *found)
{
    for (; level > 0; level--) {
        const frame *parent = &l->frames[level - 1];
        node *n = l->frames[level].collection;
        if (parent->collection->kind == NODE_MAPPING)
            return attach(l, n, found, INSIDE);
        if (l->frames[level].base > parent->base) /* the parent had entries when n began */
            return attach(l, n, found, BEFORE);
    }
    found->trailing = 0;
    if (comments_join(&l->s->arena, &l->s->docs[l->s->ndocs - 1].leading, found) != 0)
        return loader_fail_oom(l);
    *found = (comment_block){NULL, 0, 0};
    return 0;
}

/* Adds the comments of b to those carried on, as lines of their own. */
static int carry(loader *l, const comment_block *b)
{
    if (!b->len)
        return 0;
    size_t need = l->carried_len + b->len;
    if (need > l->carried_cap) {
        size_t cap = 2 * l->carried_cap > need ? 2 * l->carried_cap : need;
        char *grown = realloc(l->carried, cap);
        if (!grown)
            return loader_fail_oom(l);
        l->carried = grown;
        l->carried_cap = cap;
    }
    memcpy(l->carried + l->carried_len, b->text, b->len);
    l->carried_len += b->len;
    return 0;
}

/* The comments carried on, as a block of the stream's, and none carried. */
static int take_carried(loader *l, comment_block *out)
{
    *out = (comment_block){NULL, 0, 0};
    if (!l->carried_len)
        return 0;
    char *text = arena_strndup(&l->s->arena, l->carried, l->carried_len);
    if (!text)
        return loader_fail_oom(l);
    *out = (comment_block){text, (uint32_t)l->carried_len, 0};
    l->carried_len = 0;
    return 0;
}

/* Where the comments met before event e of a document go, decided before
 * e changes the stack (see comments.h for what they become):
 * - before a block collection's first entry: inside the collection
 *   (attach_inside);
 * - before a later key: before its value (l->before, for loader_after_event);
 * - before a later sequence item: before the item (likewise);
 * - between a key and a block collection as its value: inside that;
 * - before the end of a collection, or before a scalar value: carried on
 *   to the next of the places above, or to the document's end;
 * - inside a flow collection: dropped. */
int loader_before_event(loader *l, const yaml_event_t *e)
{
    comment_block gap, found;
    if (gap_comments(l, e, &gap) != 0)
        return -1;
    if (!gap.len && !l->carried_len)
        return 0;
    const frame *f = loader_open_frame(l);
    if (f && f->collection->style == STYLE_FLOW)
        return 0;
    bool node_event = e->type == YAML_SCALAR_EVENT || e->type == YAML_ALIAS_EVENT ||
                      e->type == YAML_SEQUENCE_START_EVENT || e->type == YAML_MAPPING_START_EVENT;
    bool block_start = (e->type == YAML_SEQUENCE_START_EVENT || e->type == YAML_MAPPING_START_EVENT) && !loader_flow_start(e);
    size_t entries = f ? l->nchildren - f->base : 0;
    bool value = f && f->collection->kind == NODE_MAPPING && entries % 2 == 1;
    if (e->type == YAML_DOCUMENT_END_EVENT || !f || !node_event || (value && !block_start)) {
        if (carry(l, &gap) != 0)
            return -1;
        return e->type == YAML_DOCUMENT_END_EVENT ? take_carried(l, &l->s->docs[l->s->ndocs - 1].end) : 0;
    }
    if (take_carried(l, &found) != 0 || comments_join(&l->s->arena, &found, &gap) != 0)
        return loader_fail_oom(l);
    if (entries == 0)
        return attach_inside(l, l->depth - 1, &found);
    if (value)
        l->inside = found;
    else
        l->before = found;
    return 0;
}

/* The comments inside a collection's start event: a block collection's
 * with an anchor or a tag spans from those to its first entry. An anchor
 * or tag holds no blank, so a '#' after one starts a comment. byte_at
 * counts on from the last place asked for: a start before it (which the
 * comments before the document took in) has none. */
static int start_comments(loader *l, const yaml_event_t *e, node *n)
{
    bool tagged = e->type == YAML_MAPPING_START_EVENT ? e->data.mapping_start.anchor || !e->data.mapping_start.implicit
                                                      : e->data.sequence_start.anchor || !e->data.sequence_start.implicit;
    if (!tagged || n->style == STYLE_FLOW || e->start_mark.index < l->seen_chars)
        return 0;
    size_t from = loader_byte_at(l, e->start_mark.index), to = loader_byte_at(l, e->end_mark.index);
    comment_block found;
    if (comments_gather(&l->s->arena, l->data, from, to, false, &found) != 0)
        return loader_fail_oom(l);
    return attach_inside(l, l->depth - 1, &found);
}

/* A comment on the header line of block scalar n (`source: |  # run it`),
 * which libyaml takes in with the scalar: no event ends there for
 * gap_comments to find it after. Nothing else on that line has a blank
 * before a '#': a tag or an anchor holds no blank. A literal scalar's is
 * its own (`after`), written back on its '|' line; libyaml folds a folded
 * scalar's lines anew, so the writer could not match its header line, and
 * its comment goes on a line of its own before it (after those there). */
static int header_comment(loader *l, const yaml_event_t *e, node *n)
{
    if (!l->comments || !hash_between(l, e->start_mark.index, e->end_mark.index))
        return 0;
    size_t from = loader_byte_at(l, e->start_mark.index), to = from;
    while (to < l->len && !text_line_break(l->data, to, l->len))
        to++;
    comment_block header;
    if (comments_gather(&l->s->arena, l->data, from, to, true, &header) != 0)
        return loader_fail_oom(l);
    comment_block own = comments_take_trailing(&header);
    if (e->data.scalar.style != YAML_FOLDED_SCALAR_STYLE)
        return attach(l, n, &own, AFTER);
    const frame *f = loader_open_frame(l);
    size_t entry = f && f->collection->kind == NODE_MAPPING ? 2 : 1; /* a first value comes after its key */
    if (!f || l->nchildren - f->base == entry)
        return attach_inside(l, f ? l->depth - 1 : 0, &own);
    return attach(l, n, &own, BEFORE);
}

/* Gives the node event e made the comments before_event kept for it, and
 * notes what a comment on the rest of its line would belong to. */
int loader_after_event(loader *l, const yaml_event_t *e)
{
    bool start = e->type == YAML_SEQUENCE_START_EVENT || e->type == YAML_MAPPING_START_EVENT;
    bool end = e->type == YAML_SEQUENCE_END_EVENT || e->type == YAML_MAPPING_END_EVENT;
    bool scalar = e->type == YAML_SCALAR_EVENT || e->type == YAML_ALIAS_EVENT;
    const frame *f = loader_open_frame(l);
    bool in_flow = f && f->collection->style == STYLE_FLOW;
    node *last = l->nchildren ? l->children[l->nchildren - 1].n : NULL;
    bool key = scalar && f && f->collection->kind == NODE_MAPPING && (l->nchildren - f->base) % 2 == 1;
    l->last_key = key;
    bool block_scalar = e->type == YAML_SCALAR_EVENT && (e->data.scalar.style == YAML_LITERAL_SCALAR_STYLE ||
                                                         e->data.scalar.style == YAML_FOLDED_SCALAR_STYLE);
    bool nothing = scalar && !f && last->kind == NODE_SCALAR && !last->len && !last->tagged; /* a root written "---" */
    if (!in_flow && !key && !nothing && ((scalar && !block_scalar) || (end && last->style == STYLE_FLOW)))
        l->last_inline = last; /* a block scalar ends its line: what follows is no comment of it */
    if (!start && !scalar)
        return 0;
    node *n = start ? f->collection : last;
    if (!key && (l->before.len || l->inside.len) &&
        (attach(l, n, &l->before, BEFORE) != 0 || attach(l, n, &l->inside, INSIDE) != 0))
        return -1;
    if (block_scalar && !key && header_comment(l, e, last) != 0)
        return -1;
    return start ? start_comments(l, e, n) : 0;
}

/* The comments after the last document's end ("...") are its own. */
int loader_stream_end_comments(loader *l, const yaml_event_t *e)
{
    if (!l->s->ndocs || e->start_mark.index <= l->gap_from || l->gap_from < l->seen_chars)
        return 0;
    size_t from = loader_byte_at(l, l->gap_from), to = loader_byte_at(l, e->start_mark.index);
    comment_block found;
    document *d = &l->s->docs[l->s->ndocs - 1];
    if (comments_gather(&l->s->arena, l->data, from, to, false, &found) != 0 ||
        comments_join(&l->s->arena, &d->end, &found) != 0)
        return loader_fail_oom(l);
    return 0;
}


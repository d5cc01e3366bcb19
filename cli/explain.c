#include "explain.h"

#include <stdlib.h>
#include <string.h>

static char *copy(const char *s, bool *oom)
{
    char *c = s ? strdup(s) : NULL;
    *oom |= s && !c;
    return c;
}

void explain_decision(const vp_decision *d, void *ctx)
{
    explained *e = ctx;
    if (e->count == e->cap) {
        size_t cap = e->cap ? e->cap * 2 : 32;
        vp_decision *bigger = realloc(e->items, cap * sizeof *bigger);
        if (!bigger) {
            e->oom = true;
            return;
        }
        e->items = bigger;
        e->cap = cap;
    }
    vp_decision *c = &e->items[e->count++];
    *c = *d;
    c->template_name = copy(d->template_name, &e->oom);
    c->artifact = copy(d->artifact, &e->oom);
    c->role = copy(d->role, &e->oom);
    c->action = copy(d->action, &e->oom);
    c->detail = copy(d->detail, &e->oom);
    c->file = copy(d->file, &e->oom);
}

void explain_error(explained *e, const char *file, unsigned long line, unsigned long column, const char *message)
{
    vp_decision d = {"", NULL, "", "error", message, line, column, file};
    explain_decision(&d, e);
}

void explain_warning(const vp_error *w, void *ctx)
{
    vp_decision d = {"", NULL, "", "warning", vp_error_message(w), vp_error_line(w), vp_error_column(w),
                     vp_error_file(w)};
    explain_decision(&d, ctx);
}

static void free_entry(vp_decision *d)
{
    free((char *)d->template_name);
    free((char *)d->artifact);
    free((char *)d->role);
    free((char *)d->action);
    free((char *)d->detail);
    free((char *)d->file);
}

void explain_free(explained *e)
{
    for (size_t i = 0; i < e->count; i++)
        free_entry(&e->items[i]);
    free(e->items);
    *e = (explained){NULL, 0, 0, false};
}

static bool same_text(const char *a, const char *b)
{
    return a == b || (a && b && strcmp(a, b) == 0);
}

static bool same_entry(const vp_decision *a, const vp_decision *b)
{
    return a->line == b->line && a->column == b->column && same_text(a->file, b->file) &&
           same_text(a->template_name, b->template_name) && same_text(a->artifact, b->artifact) &&
           same_text(a->role, b->role) && same_text(a->action, b->action) && same_text(a->detail, b->detail);
}

void explain_keep_common(explained *e, const explained *other)
{
    size_t kept = 0;
    for (size_t i = 0; i < e->count; i++) {
        bool common = false;
        for (size_t j = 0; j < other->count && !common; j++)
            common = same_entry(&e->items[i], &other->items[j]);
        if (common)
            e->items[kept++] = e->items[i];
        else
            free_entry(&e->items[i]);
    }
    e->count = kept;
    e->oom |= other->oom;
}

int explain_write(explained *e, vp_report_format format, vp_write_fn write, void *ctx)
{
    vp_error *err = NULL;
    vp_status st = vp_decisions_write(e->items, e->count, format, write, ctx, &err);
    vp_error_free(err);
    bool oom = e->oom;
    explain_free(e);
    return st == VP_OK && !oom ? 0 : -1;
}

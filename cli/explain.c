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

int explain_write(explained *e, vp_report_format format, vp_write_fn write, void *ctx)
{
    vp_error *err = NULL;
    vp_status st = vp_decisions_write(e->items, e->count, format, write, ctx, &err);
    vp_error_free(err);
    for (size_t i = 0; i < e->count; i++) {
        free((char *)e->items[i].template_name);
        free((char *)e->items[i].artifact);
        free((char *)e->items[i].role);
        free((char *)e->items[i].action);
        free((char *)e->items[i].detail);
        free((char *)e->items[i].file);
    }
    free(e->items);
    return st == VP_OK && !e->oom ? 0 : -1;
}

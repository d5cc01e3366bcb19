#include "error.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct vp_error {
    vp_status status;
    unsigned long line, column;
    char *file;
    char *message;
};

static vp_error oom_error = {VP_ENOMEM, 0, 0, "", "out of memory"};

vp_error *error_oom(void)
{
    return &oom_error;
}

vp_error *error_new(vp_status status, const char *file, unsigned long line,
                    unsigned long column, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vp_error *e = error_newv(status, file, line, column, fmt, ap);
    va_end(ap);
    return e;
}

/* A message quotes what the input holds (an expression, a path), which may
 * be megabytes long: past MESSAGE_MAX bytes, its middle is left out, so
 * that the start (what is refused) and the end (why) both remain. */
#define MESSAGE_MAX 4096
#define MESSAGE_HEAD 2048
#define MESSAGE_TAIL 1024

static bool utf8_continuation(char c)
{
    return ((unsigned char)c & 0xC0) == 0x80;
}

/* Cuts the middle out of message m (n bytes long, NUL-terminated) in place,
 * on character boundaries; returns its new length. */
static size_t shorten(char *m, size_t n)
{
    size_t head = MESSAGE_HEAD, tail = n - MESSAGE_TAIL;
    for (int k = 0; k < 3 && utf8_continuation(m[head]); k++) /* a character has 3 continuation bytes at most */
        head--;
    for (int k = 0; k < 3 && utf8_continuation(m[tail]); k++)
        tail++;
    int gap = snprintf(m + head, 64, " [... %zu bytes left out ...] ", tail - head);
    memmove(m + head + gap, m + tail, n - tail + 1);
    return head + (size_t)gap + (n - tail);
}

vp_error *error_newv(vp_status status, const char *file, unsigned long line,
                     unsigned long column, const char *fmt, va_list ap)
{
    va_list copy;
    va_copy(copy, ap);
    int n = vsnprintf(NULL, 0, fmt, copy);
    va_end(copy);
    if (n < 0)
        return &oom_error;
    if (!file)
        file = "";
    size_t flen = strlen(file);
    vp_error *e = malloc(sizeof *e + flen + 1 + (size_t)n + 1);
    if (!e)
        return &oom_error;
    e->status = status;
    e->line = line;
    e->column = column;
    e->file = (char *)(e + 1);
    memcpy(e->file, file, flen + 1);
    e->message = e->file + flen + 1;
    vsnprintf(e->message, (size_t)n + 1, fmt, ap);
    if ((size_t)n > MESSAGE_MAX) {
        size_t kept = shorten(e->message, (size_t)n);
        vp_error *small = realloc(e, sizeof *e + flen + 1 + kept + 1);
        if (small) {
            small->file = (char *)(small + 1);
            small->message = small->file + flen + 1;
            e = small;
        }
    }
    return e;
}

vp_status error_give(vp_error **out, vp_error *e)
{
    vp_status status = e->status;
    if (out)
        *out = e;
    else
        vp_error_free(e);
    return status;
}

void warning_givev(vp_warning_fn on_warning, void *ctx, const char *file, unsigned long line,
                   unsigned long column, const char *fmt, va_list ap)
{
    if (!on_warning)
        return;
    vp_error *w = error_newv(VP_OK, file, line, column, fmt, ap);
    on_warning(w, ctx);
    vp_error_free(w);
}

void warning_give(vp_warning_fn on_warning, void *ctx, const char *file, unsigned long line,
                  unsigned long column, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    warning_givev(on_warning, ctx, file, line, column, fmt, ap);
    va_end(ap);
}

vp_status vp_error_status(const vp_error *err) { return err->status; }
const char *vp_error_message(const vp_error *err) { return err->message; }
const char *vp_error_file(const vp_error *err) { return err->file; }
unsigned long vp_error_line(const vp_error *err) { return err->line; }
unsigned long vp_error_column(const vp_error *err) { return err->column; }

void vp_error_free(vp_error *err)
{
    if (err && err != &oom_error)
        free(err);
}

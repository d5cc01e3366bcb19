/* Building the public vp_error objects. */
#ifndef VP_ERROR_H
#define VP_ERROR_H

#include <stdarg.h>

#include "volpass.h"

#if defined(__GNUC__)
#define VP_PRINTF(fmt, args) __attribute__((format(printf, fmt, args)))
#else
#define VP_PRINTF(fmt, args)
#endif

/* Never returns NULL: when memory runs out it returns a shared, static
 * "out of memory" error that vp_error_free knows not to free. */
vp_error *error_new(vp_status status, const char *file, unsigned long line,
                    unsigned long column, const char *fmt, ...) VP_PRINTF(5, 6);

vp_error *error_newv(vp_status status, const char *file, unsigned long line,
                     unsigned long column, const char *fmt, va_list ap) VP_PRINTF(5, 0);

/* Stores `e` in *out when out is non-NULL (else frees it); returns its status. */
vp_status error_give(vp_error **out, vp_error *e);

vp_error *error_oom(void);

/* Hands a warning (an error object of status VP_OK) to `on_warning`, then
 * frees it; does nothing when on_warning is NULL. */
void warning_give(vp_warning_fn on_warning, void *ctx, const char *file, unsigned long line,
                  unsigned long column, const char *fmt, ...) VP_PRINTF(6, 7);
void warning_givev(vp_warning_fn on_warning, void *ctx, const char *file, unsigned long line,
                   unsigned long column, const char *fmt, va_list ap) VP_PRINTF(6, 0);

#endif

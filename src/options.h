/* The rewrite options, checked and read (options.c). */
#ifndef VP_OPTIONS_H
#define VP_OPTIONS_H

#include "volpass.h"

/* Checks opts, then reads the volume source, or the claim template, into
 * *volume or *claim (one document, a mapping; the other stays NULL) for the
 * caller to free. VP_OK, or the error: nothing is read then. */
vp_status options_read(const vp_rewrite_options *opts, vp_stream **volume, vp_stream **claim, vp_error **err);

#endif

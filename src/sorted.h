/* Finding a key in a sorted array: the one binary search the indexes of
 * long lists share (artifacts by name, parameters by name, paths). */
#ifndef VP_SORTED_H
#define VP_SORTED_H

#include <stddef.h>

/* The order of texts a[0, alen) and b[0, blen), byte by byte, a shorter one
 * first: negative, 0 or positive. */
int text_order(const char *a, size_t alen, const char *b, size_t blen);

/* The first of the n elements of `size` bytes at `base`, sorted, that
 * `order` (negative: the element comes before the key) does not put before
 * `key`; n when none. */
size_t sorted_lower_bound(const void *base, size_t n, size_t size, const void *key,
                          int (*order)(const void *element, const void *key));

#endif

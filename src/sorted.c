#include "sorted.h"

#include <string.h>

int text_order(const char *a, size_t alen, const char *b, size_t blen)
{
    int c = memcmp(a, b, alen < blen ? alen : blen);
    return c ? c : (alen > blen) - (alen < blen);
}

size_t sorted_lower_bound(const void *base, size_t n, size_t size, const void *key,
                          int (*order)(const void *element, const void *key))
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (order((const char *)base + mid * size, key) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

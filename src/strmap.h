/* A hash map from byte strings to pointers, for lookups that must not grow
 * with the document (anchors, template names). Keys are not copied: they
 * must outlive the map. */
#ifndef VP_STRMAP_H
#define VP_STRMAP_H

#include <stddef.h>

typedef struct strmap_slot {
    const char *key;
    size_t len;
    void *value;
} strmap_slot;

typedef struct strmap {
    strmap_slot *slots;
    size_t cap;   /* a power of two, or 0 */
    size_t count;
} strmap;

void strmap_init(strmap *m);
void strmap_free(strmap *m);
void *strmap_get(const strmap *m, const char *key, size_t len);
/* Inserts or replaces; returns -1 when out of memory. */
int strmap_put(strmap *m, const char *key, size_t len, void *value);

#endif

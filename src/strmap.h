/* A hash map from byte strings to pointers, for lookups that must not grow
 * with the document (anchors, template names). Keys are not copied: they
 * must outlive the map. */
#ifndef VP_STRMAP_H
#define VP_STRMAP_H

#include <stddef.h>
#include <stdint.h>

typedef struct strmap_slot {
    const char *key;
    uint32_t len;  /* keys come from an input of at most 4 GiB */
    uint32_t hash; /* compared before the key, and kept for growing */
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

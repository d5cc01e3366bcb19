/* What a scalar means: YAML resolves untagged plain scalars by their text
 * (`true` is a boolean, `010` an integer). volpass needs this twice: to quote
 * the strings it writes so that no reader takes them for something else, and
 * to turn YAML into JSON. The types are those Argo and Kubernetes read YAML
 * with: go-yaml v2, under sigs.k8s.io/yaml. */
#ifndef VP_SCALAR_H
#define VP_SCALAR_H

#include <stdbool.h>
#include <stddef.h>

#include "doc.h"

#define CORE_TAG "tag:yaml.org,2002:" /* what "!!" stands for: !!int is CORE_TAG "int" */

typedef enum scalar_type { SCALAR_STR, SCALAR_NULL, SCALAR_BOOL, SCALAR_INT, SCALAR_FLOAT } scalar_type;

/* The type go-yaml v2 gives the scalar: YAML 1.1's words (y, yes, on, ~),
 * Go's integers (010, 0o17, 0x1F, 1_000) and floats (1e3, 08, .5), no
 * base-60 numbers (12:30 is a string) and timestamps read as strings. */
scalar_type scalar_resolve(const node *n);

/* Whether explicitly tagged scalar n holds what its tag says: go-yaml
 * refuses !!int abc and !!timestamp 2001-02-30, and reads an integer tagged
 * !!float as a float. A tag of no type it resolves (!!str, a local !tag)
 * fits any text. */
bool scalar_fits_tag(const node *n);

/* Decodes the base64 of a !!binary scalar, as go-yaml does (Go's standard
 * encoding, padded, line breaks ignored), into out (at least len bytes);
 * its length, or SIZE_MAX when the text is no such base64. */
size_t scalar_base64_decode(const char *text, size_t len, char *out);

/* Whether n is a scalar go-yaml reads as null (~, null, nothing at all):
 * to Argo, a field set to null is absent. NULL-safe. */
bool scalar_is_null(const node *n);

/* Whether n is a scalar go-yaml reads as the boolean true (true, yes, on,
 * True, ...; not the string "true"). NULL-safe. */
bool scalar_is_true(const node *n);

/* True when `text` written plain could be read as anything but a string by a
 * YAML 1.1 or 1.2 reader. Deliberately generous: a needless quote is harmless. */
bool scalar_needs_quotes(const char *text, size_t len);

/* Writes the JSON form of a resolved number or boolean into buf (NUL-terminated).
 * Returns false when JSON cannot represent it (.inf, .nan, huge non-decimal
 * integers): such a scalar is written as a JSON string. */
bool scalar_json_literal(const node *n, scalar_type type, char *buf, size_t size);

/* The text sigs.k8s.io/yaml gives a key that go-yaml reads as a boolean or a
 * number ("true", "8" for 010, "1e+06" for 1e6), in buf (at least the key's
 * length + 32 bytes); false for a string or null key, which is written as it is. */
bool scalar_json_key(const node *n, char *buf, size_t size);

/* Whether a[0, n) and b[0, n) are the same but for the case of ASCII
 * letters, whatever the program's locale (strncasecmp follows it: in a
 * Turkish one, 'I' is no capital 'i'). Stops at the first difference, so
 * a shorter string ends the comparison; n = strlen(a) + 1 compares whole
 * strings, their ends too. */
bool text_equal_ignoring_case(const char *a, const char *b, size_t n);

/* c in lower case when it is an ASCII capital, as text_equal_ignoring_case
 * compares them; else c. */
char text_ascii_lower(char c);

/* Whether text[0, len) is well-formed UTF-8 (no overlong forms, surrogates
 * or code points past U+10FFFF), as every YAML text must be: libyaml
 * refuses to write a scalar that is not. */
bool text_is_utf8(const char *text, size_t len);
/* text itself when it is UTF-8, else a copy in `a` with each byte that
 * starts no character replaced by U+FFFD (a file name in a JSON report:
 * JSON is UTF-8); NULL when out of memory. */
const char *text_as_utf8(arena *a, const char *text, size_t len);

#endif

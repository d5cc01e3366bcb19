/* Argo's template tags and references: finding {{...}} in text, reading
 * "tasks.X.outputs.artifacts.Y" (dotted or bracketed) and splitting an
 * expression "cond ? a : b" into the values it may take. */
#ifndef VP_REFS_H
#define VP_REFS_H

#include <stdbool.h>
#include <stddef.h>
#include <string.h>

typedef struct span {
    const char *s;
    size_t len;
} span;

/* One {{...}} tag: text[start, end) is the whole tag, expr its trimmed inside
 * (without a leading '=' for expression tags). */
typedef struct tag {
    size_t start, end;
    span expr;
    bool expression; /* {{= ... }} */
} tag;

/* Finds the next tag at or after *pos; advances *pos past it. */
bool tag_next(const char *text, size_t len, size_t *pos, tag *out);

typedef enum ref_kind {
    REF_NONE,
    REF_OUTPUT,          /* tasks.X.outputs.KIND.Y or steps.X.outputs.KIND.Y */
    REF_INPUT,           /* inputs.KIND.Y */
    REF_WORKFLOW_OUTPUT, /* workflow.outputs.KIND.Y */
    REF_WORKFLOW_PARAMETER /* workflow.parameters.Y */
} ref_kind;

typedef struct ref {
    ref_kind kind;
    bool artifact;   /* KIND is artifacts (else parameters) */
    bool steps;      /* steps.X rather than tasks.X */
    span step;       /* X */
    span name;       /* Y */
    span rest;       /* what follows Y, e.g. ".path"; empty when nothing */
} ref;

/* Reads the reference of a tag ({{tasks.a.outputs.artifacts.x}}); kind is
 * REF_NONE when `expr` is not one. */
ref ref_parse(span expr);

/* The same of a branch of an expression, which may read members through
 * optional access too (tasks['a']?.outputs?.artifacts?.x). */
ref ref_parse_branch(span expr);

/* The reference tag g is ({{steps.a.outputs.artifacts.b}}); an expression
 * tag ({{=...}}) is none, kind REF_NONE. */
ref tag_ref(const tag *g);

/* The values an expression may evaluate to: the branches of its ?: operators
 * (recursively), each trimmed of spaces and parentheses; an expression
 * without ?: is its own single value. Stores at most `max` (at least 1) and
 * returns how many there are, or max + 1 when there are more or the ?:
 * nest deeper than EXPR_MAX_NESTING: callers give up on such expressions. */
#define EXPR_MAX_NESTING 64
/* Branches of an expression that volpass follows: the volume scheme refuses
 * an artifact picked from more, and verify follows as many. */
#define EXPR_MAX_BRANCHES 16
size_t expr_alternatives(span expr, span *out, size_t max);

/* The terms an expression joins with top-level '+' (a + 'b' + (c)), each
 * trimmed of spaces and of parentheses around it all; an expression with a
 * top-level ?: is one term. Stores at most `max` and returns how many there
 * are (max + 1 when more). */
size_t expr_terms(span expr, span *out, size_t max);

/* A template's own artifact named inside an expression, in any of the
 * language's spellings (inputs.artifacts.x, inputs['artifacts']['x'],
 * inputs?.artifacts?.x, get(inputs.artifacts, 'x')), as a branch or inside a
 * call (sprig.trim(inputs.artifacts.x.path)); or the template's inputs or
 * outputs read whole, or by a member that is none of parameters, artifacts,
 * and an output's result and exitCode ((inputs).artifacts, toJson(outputs)):
 * an opaque mention, of any artifact. String literals are skipped. */
typedef struct artifact_mention {
    bool input;  /* inputs.artifacts (else outputs.artifacts) */
    bool opaque; /* "inputs" or "outputs" alone: which artifacts it reads, volpass cannot tell */
    bool path;   /* the member path follows the name */
    span name;   /* empty when it cannot be read (inputs.artifacts[k], opaque) */
    span whole;  /* from "inputs" or "outputs" through the name, and path */
} artifact_mention;

/* Finds the next mention at or after *pos; advances *pos past it. */
bool expr_next_mention(span expr, size_t *pos, artifact_mention *out);

/* Whether the expression is one mention and nothing else (spaces aside). */
bool expr_mention_is(span expr, artifact_mention *out);

/* A map of parameters read whole, not one of its members: the template's
 * own inputs.parameters, or the outputs.parameters of a step or task (a
 * looped one's aggregate), in an expression or a tag. */
typedef struct parameter_map {
    bool input; /* inputs.parameters (else a call's) */
    bool steps; /* steps.X rather than tasks.X */
    span call;  /* X */
} parameter_map;

/* Finds the next such read at or after *pos; advances *pos past it. */
bool expr_next_parameter_map(span expr, size_t *pos, parameter_map *out);

/* The first read of artifacts (the word, or the string 'artifacts' as a
 * member: ['artifacts']) outside the expression's n branches `alts` (spans
 * of it) and its other string literals: a condition that reads one
 * (tasks.a.outputs.artifacts.x != nil ? ...). The span is the access
 * chain from its root to the name after "artifacts"; empty when none. */
span expr_artifacts_outside(span expr, const span *alts, size_t n);

/* Whether the span is `text`. Inline, so that the length of a literal (the
 * usual argument) is known when compiling. */
static inline bool span_is(span s, const char *text)
{
    return strlen(text) == s.len && memcmp(s.s, text, s.len) == 0;
}

#endif

/*
 * statelang: the Amazon States Language as pure functions.
 *
 * Definition text goes in; an immutable compiled machine or a list of
 * diagnostics comes out. Nothing in this module does I/O, reads the clock,
 * spawns or touches SQLite; json-c is its only dependency besides base/.
 */
#ifndef BATON_STATELANG_H
#define BATON_STATELANG_H

#include <stdbool.h>
#include <stddef.h>

#include "base/base.h"

/* ---- Diagnostics ---------------------------------------------------------
 * One problem in a definition. code is one of AWS's diagnostic codes
 * (SCHEMA_VALIDATION_FAILED, MISSING_TRANSITION_TARGET, ...). location is a
 * JSON Pointer ("/States/Fetch/Next"), or NULL when the problem has no
 * place (text that is not JSON at all). line/column are 1-based positions in
 * the definition text, 0 when unknown.                                     */
typedef enum sl_severity { SL_SEV_ERROR, SL_SEV_WARNING } sl_severity;

typedef struct sl_diag {
    sl_severity severity;
    const char *code; /* static string */
    char *message;    /* owned */
    char *location;   /* owned, may be NULL */
    int line;
    int column;
} sl_diag;

typedef struct sl_diags {
    sl_diag *items;
    size_t len;
    size_t cap;
    bool truncated; /* more problems existed than BT_LIMIT_DIAGNOSTICS */
} sl_diags;

void sl_diags_init(sl_diags *d);
void sl_diags_fini(sl_diags *d);
/* Number of diagnostics with SL_SEV_ERROR. */
size_t sl_diags_errors(const sl_diags *d);

/* ---- Compiling a definition ---------------------------------------------- */
typedef enum sl_machine_type {
    SL_MACHINE_STANDARD,
    SL_MACHINE_EXPRESS
} sl_machine_type;

typedef struct sl_compile_opts {
    sl_machine_type type; /* which rule set (V25 differs) */
} sl_compile_opts;

typedef struct sl_machine sl_machine;

/* Parses and validates a definition of len bytes.
 *
 * Every problem found is appended to diags (all of them, not the first).
 * Returns 0 and a new machine in *out (caller frees with sl_machine_free)
 * when the definition is valid; BT_EINVALID when diags holds at least one
 * error (nothing is written to *out). out may be NULL to validate only. */
int sl_machine_compile(const char *text, size_t len,
                       const sl_compile_opts *opts, sl_machine **out,
                       sl_diags *diags);

void sl_machine_free(sl_machine *m);

/* Parses "STANDARD" / "EXPRESS"; returns false for anything else. */
bool sl_machine_type_parse(const char *s, sl_machine_type *out);

#endif

/*
** F4 - size_t arguments above INT64_MAX are imported into Swift as Int and
** become negative: the wrong status and a misleading message.
**   gi_survivors(s, ids, SIZE_MAX, &n)      -> GI_ERR_ARGUMENT "capacity = -1 is less than the 12 ..."
**                                               (a generous capacity must succeed)
**   gi_result_ids/unary/pairwise, gi_trace_* with capacity SIZE_MAX: the same
**   gi_solve_qip(SIZE_MAX, ...)              -> GI_ERR_ARGUMENT "n = -1 must be at least 1"
**                                               (the header: beyond GI_MAX_CANDIDATES is GI_ERR_LIMIT)
**   gi_add_embedding_scorer(..., SIZE_MAX)   -> GI_ERR_ARGUMENT "dim = -1 must be at least 1" (LIMIT)
**   gi_push_*(..., n = SIZE_MAX, ...)        -> "n = -1 must be in 1..M"
**   gi_trace_record(s, SIZE_MAX, ...)        -> "index = -1 is out of range"
** Cause: the @_cdecl implementations take `Int` for size_t (the Swift
** importer's mapping). Fix: convert with UInt(bitPattern:) before comparing and
** printing, or clamp: `let capacity = capacity < 0 ? Int.max : capacity`.
**
**   cc -Iinclude tests/reliability/findings/F4_size_t_read_as_negative.c \
**      -L.build/release -lgroupinference -Wl,-rpath,$PWD/.build/release -o /tmp/f4 && /tmp/f4
*/
#include <group_inference.h>
#include <stdint.h>
#include <stdio.h>

int main(void) {
    gi_session *s;
    int32_t ids[64];
    size_t n = 0;
    gi_status st;
    gi_session_create(NULL, &s);
    st = gi_survivors(s, ids, SIZE_MAX, &n);
    printf("gi_survivors(capacity = SIZE_MAX): %d '%s'\n", (int)st, gi_last_error());
    st = gi_solve_qip(SIZE_MAX, NULL, NULL, 1, 1, NULL, NULL, NULL, 0);
    printf("gi_solve_qip(n = SIZE_MAX): %d '%s'\n", (int)st, gi_last_error());
    st = gi_add_embedding_scorer(s, "e", 1, SIZE_MAX, NULL, NULL, NULL, NULL);
    printf("gi_add_embedding_scorer(dim = SIZE_MAX): %d '%s'\n", (int)st, gi_last_error());
    gi_session_destroy(s);
    return 0;
}

/*
** F5 - gi_last_error() is not "" after a call that returned GI_OK when a
** callback made a failing library call during it (on the same session - the
** documented GI_ERR_STATE for re-entrant calls - or on any other session or
** gi_solve_qip). The header: "\"\" after a call that returned GI_OK".
** Cause: guarded() (Sources/GroupInferenceC/Status.swift) clears the text when a
** call starts, not when it succeeds; the nested call sets it afterwards.
** Fix: clear it again on the success path (after body() returns GI_OK), or
** save/restore the thread's message around host callbacks.
**
**   cc -Iinclude tests/reliability/findings/F5_nested_error_survives_ok.c \
**      -L.build/release -lgroupinference -Wl,-rpath,$PWD/.build/release -o /tmp/f5 && /tmp/f5
*/
#include <group_inference.h>
#include <stdio.h>

static int q(void *user, int32_t step, const int32_t *ids, size_t n, double *out) {
    size_t a;
    (void)user; (void)step;
    gi_solve_qip(0, NULL, NULL, 0, 0, NULL, NULL, NULL, 0); /* any failing call */
    for (a = 0; a < n; a++) out[a] = ids[a];
    return 0;
}

int main(void) {
    gi_options o;
    gi_session *s;
    gi_status st;
    gi_options_init(&o, sizeof o);
    o.num_candidates = 8;
    o.group_size = 2;
    o.num_steps = 2;
    gi_session_create(&o, &s);
    gi_add_unary_scorer(s, "q", 1, q, NULL, NULL, NULL);
    st = gi_prune(s, 4);
    printf("gi_prune returned %d; gi_last_error() = '%s' (expected '')\n", (int)st, gi_last_error());
    gi_session_destroy(s);
    return 0;
}

/*
** F1 - GLPK aborts the host process when lambda * b_ij (or a scorer weight
** times its scores) overflows float64. Every input is finite, so validation
** passes; GLPKModel then calls glp_set_obj_coef with +-inf and glp_simplex
** dies in an assertion ("Assertion failed: teta >= 0.0, simplex/spychuzc.c
** line 204") - abort(), exit status 134.
**
** Build and run (from the repository root):
**   cc -Iinclude tests/reliability/findings/F1_glpk_abort_on_overflow.c \
**      -L.build/release -lgroupinference -Wl,-rpath,$PWD/.build/release \
**      -o /tmp/f1 && /tmp/f1; echo "exit $?"
** Expected: a status (GI_ERR_SCORES or GI_ERR_ARGUMENT naming the overflow)
** and exit 0. Got: abort. The same through a session (solver = MIP, lambda
** 1e200, a pairwise scorer giving values ~1e200) and through the CLI:
**   .build/release/groupinference-cli qip \
**      tests/reliability/findings/F1_overflow_mip_cli.json --solver mip
*/
#include <group_inference.h>
#include <stdio.h>

int main(void) {
    enum { N = 8 };
    double u[N], b[N * N];
    int32_t sel[N];
    gi_solve_result r;
    gi_options o;
    gi_status st;
    int i, j;
    gi_options_init(&o, sizeof o);
    o.solver = GI_SOLVER_MIP;
    for (i = 0; i < N; i++) {
        u[i] = 0.1 * i;
        for (j = 0; j < N; j++) b[i * N + j] = i == j ? 0 : 1e200 * ((i * 7 + j * 7 + i * j) % 5) / 5.0;
    }
    st = gi_solve_qip(N, u, b, 1e200, 4, &o, sel, &r, sizeof r);
    printf("status %d: %s\n", (int)st, gi_last_error());
    return 0;
}

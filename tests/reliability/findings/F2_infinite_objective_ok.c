/*
** F2 - finite inputs whose sums overflow give GI_OK (status OPTIMAL) with an
** infinite objective and bound: the caller cannot tell the result is
** meaningless. Same in sessions (weight * score overflowing, progress
** objective = inf) and in the CLI ("objective": null, "status": "optimal").
**
**   cc -Iinclude tests/reliability/findings/F2_infinite_objective_ok.c \
**      -L.build/release -lgroupinference -Wl,-rpath,$PWD/.build/release -o /tmp/f2 && /tmp/f2
** Expected: GI_ERR_SCORES ("the objective overflows float64: ...") or a
** finite objective. Got: status 0, objective inf.
*/
#include <group_inference.h>
#include <float.h>
#include <stdio.h>

int main(void) {
    enum { N = 8 };
    double u[N], b[N * N] = {0};
    int32_t sel[N];
    gi_solve_result r;
    int i;
    for (i = 0; i < N; i++) u[i] = DBL_MAX * (0.5 + 0.01 * i); /* finite; any 2 of them overflow */
    gi_status st = gi_solve_qip(N, u, b, 1.0, 4, NULL, sel, &r, sizeof r);
    printf("status %d, objective %g, bound %g, solve status %d, message '%s'\n", (int)st, r.objective, r.bound,
           r.status, gi_last_error());
    return st == GI_OK && !(r.objective < DBL_MAX) ? 1 : 0;
}

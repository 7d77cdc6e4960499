/*
** F9 - gi_solve_qip returns GI_OK with a selection that repeats an index
** ([0, 0] for k = 2): not a group of k distinct items, and the objective it
** reports belongs to no feasible selection. Found by fuzz/api_fuzzer.
** Needs options.restarts > 0 (iterated local search, new in 0.2); with
** restarts = 0 the same problem gives [1, 2].
**
**   cc -Iinclude tests/reliability/findings/F9_duplicate_index_in_selection.c \
**      -L.build/release -lgroupinference -Wl,-rpath,$PWD/.build/release -o /tmp/f9 && /tmp/f9
** Expected: two distinct ascending indices for every seed. Exit 1 if any repeats.
*/
#include <group_inference.h>
#include <stdio.h>

int main(void) {
    double x = -0.71764705888926983;
    double u[3] = {1, x, x};
    double b[9] = {x, x, x, x, x, 1, x, 1, 1}; /* symmetric; the diagonal is ignored */
    int32_t sel[2];
    gi_solve_result r;
    gi_options o;
    int restarts, solver, bad = 0;
    unsigned long long seed;
    for (solver = 0; solver < 4; solver++)
        for (restarts = 0; restarts <= 3; restarts++)
            for (seed = 0; seed < 4; seed++) {
                gi_status st;
                gi_options_init(&o, sizeof o);
                o.solver = solver;
                o.restarts = restarts;
                o.seed = seed;
                o.time_limit = 0.0016;
                sel[0] = sel[1] = -1;
                st = gi_solve_qip(3, u, b, 1.0, 2, &o, sel, &r, sizeof r);
                if (st >= 0 && !(sel[0] >= 0 && sel[0] < sel[1] && sel[1] < 3)) {
                    bad++;
                    printf("solver %d restarts %d seed %llu: status %d selection [%d, %d] objective %g (solve status %d)\n",
                           solver, restarts, seed, (int)st, sel[0], sel[1], r.objective, r.status);
                }
            }
    printf("%d bad selections\n", bad);
    return bad ? 1 : 0;
}

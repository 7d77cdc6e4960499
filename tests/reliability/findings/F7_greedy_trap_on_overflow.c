/*
** F7 - a Swift trap ("Index out of range", SIGILL/SIGTRAP: the host process
** dies) in GreedySelection.select (Sources/GroupInference/Solvers/
** GreedySelection.swift:18, `chosen[best] = true` with best == -1) when every
** remaining candidate's gain is -inf or NaN. All inputs are finite, so the
** validation passes: here lambda * b_ij = 1e200 * -1e200 overflows to -inf
** once one item is chosen. Found by fuzz/api_fuzzer through gi_prune (scorer
** weight * score overflowing); any solver reaches it, since every path starts
** with the greedy heuristic.
** Fix: reject inputs whose weighted terms overflow (see F1/F2: check that
** |u|, |lambda * b| and the assembled session scores stay finite, e.g. that
** K * max|u| + K^2/2 * |lambda| * max|b| < DBL_MAX), and make the greedy
** robust anyway: if best == -1, take the lowest unchosen index.
**
**   cc -Iinclude tests/reliability/findings/F7_greedy_trap_on_overflow.c \
**      -L.build/release -lgroupinference -Wl,-rpath,$PWD/.build/release -o /tmp/f7 && /tmp/f7
** Expected: a status. Got: SIGILL (the -O build traps without a message),
** exit status 132; a debug build prints "Fatal error: Index out of range".
*/
#include <group_inference.h>
#include <stdio.h>

int main(void) {
    enum { N = 4 };
    double u[N] = {0.1, 0.2, 0.3, 0.4}, b[N * N];
    int32_t sel[N];
    gi_options o;
    int i, j;
    gi_status st;
    for (i = 0; i < N; i++)
        for (j = 0; j < N; j++) b[i * N + j] = i == j ? 0 : -1e200;
    gi_options_init(&o, sizeof o);
    o.solver = GI_SOLVER_HEURISTIC;
    st = gi_solve_qip(N, u, b, 1e200, 2, &o, sel, NULL, 0);
    printf("status %d: %s\n", (int)st, gi_last_error());
    return 0;
}

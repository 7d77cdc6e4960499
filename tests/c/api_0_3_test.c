/*
** api_0_3_test.c - the additions of C API 0.3 against the real library:
** gi_discard, the progress hook (gi_set_progress, GI_ERR_CANCELLED), the
** rule for triangular pairwise matrices, bound kinds and memory_limit,
** error paths included.
*/
#include <group_inference.h>

#include "expect.h"

#include <math.h>
#include <stdlib.h>

enum { M = 16, K = 3, T = 5 };

typedef struct host {
    int denoised[M];
    int calls;          /* progress hook calls */
    int cancel_at;      /* steps_done at which the hook asks to stop, or -1 */
    int last_steps_done;
    int64_t last_evaluations;
    int destroyed;
    gi_session *reenter;
    gi_status reenter_status;
} host;

static double quality_of(int32_t id) { return 0.2 + 0.05 * (double)((id * 7) % M); }

static int quality(void *user, int32_t step, const int32_t *ids, size_t n, double *out) {
    size_t a;
    (void)user;
    (void)step;
    for (a = 0; a < n; a++) out[a] = quality_of(ids[a]);
    return 0;
}

/* Upper triangular, as the paper's reference code builds it. */
static int upper_pairs(void *user, int32_t step, const int32_t *ids, size_t n, double *out) {
    size_t a, b;
    (void)user;
    (void)step;
    for (a = 0; a < n; a++)
        for (b = 0; b < n; b++)
            out[a * n + b] = b > a ? fabs((double)(ids[a] - ids[b])) / M : 0.0;
    return 0;
}

static int skewed_pairs(void *user, int32_t step, const int32_t *ids, size_t n, double *out) {
    size_t a, b;
    (void)user;
    (void)step;
    (void)ids;
    for (a = 0; a < n; a++)
        for (b = 0; b < n; b++) out[a * n + b] = a == b ? 0.0 : (b > a ? 0.5 : 0.25);
    return 0;
}

static int denoise(void *user, int32_t step, const int32_t *ids, size_t n) {
    host *h = user;
    size_t a;
    (void)step;
    for (a = 0; a < n; a++) h->denoised[ids[a]]++;
    return 0;
}

static int on_progress(void *user, const gi_progress *p) {
    host *h = user;
    h->calls++;
    h->last_steps_done = p->steps_done;
    h->last_evaluations = p->evaluations;
    if (h->reenter) h->reenter_status = gi_step(h->reenter);
    return p->steps_done == h->cancel_at;
}

static void count_destroy(void *user) { ((host *)user)->destroyed++; }

static gi_session *session(host *h, gi_pairwise_fn pairs) {
    gi_options o;
    gi_session *s = NULL;
    OK(gi_options_init(&o, sizeof o));
    o.num_candidates = M;
    o.group_size = K;
    o.num_steps = T;
    o.lambda = 1.0;
    OK(gi_session_create(&o, &s));
    OK(gi_add_unary_scorer(s, "quality", 1, quality, NULL, NULL, NULL));
    if (pairs) OK(gi_add_pairwise_scorer(s, "pairs", 1, pairs, NULL, NULL, NULL));
    OK(gi_set_denoiser(s, denoise, h, NULL));
    return s;
}

static void test_sizes(void) {
    gi_options o;
    OK(gi_options_init(&o, sizeof o));
    EXPECT(o.memory_limit == 256u << 20);
    /* 0.3 appends fields; the 0.1 sizes stay the minimum. */
    EXPECT(sizeof(gi_options) == 120 && sizeof(gi_progress) == 88);
    EXPECT(sizeof(gi_step_record) == 80 && sizeof(gi_solve_result) == 48);
    EXPECT(strcmp(gi_status_string(GI_ERR_CANCELLED), "unknown status") != 0);
    EXPECT(gi_version_number() == GI_VERSION_NUMBER && GI_VERSION_MINOR == 3);
}

static void test_pairwise_rule(void) {
    enum { N = 9 };
    double u[N], sym[N * N], upper[N * N], lower[N * N];
    int32_t a_sel[4], b_sel[4];
    gi_solve_result a, b;
    gi_options o;
    int i, j;
    for (i = 0; i < N; i++) {
        u[i] = 0.1 * (i % 4);
        for (j = 0; j < N; j++) {
            double v = i == j ? 0 : 0.3 + 0.1 * ((i * j + i + j) % 5);
            sym[i * N + j] = v;
            upper[i * N + j] = j > i ? v : 0;
            lower[i * N + j] = j < i ? v : 0;
        }
    }
    OK(gi_options_init(&o, sizeof o));
    o.solver = GI_SOLVER_EXACT;
    OK(gi_solve_qip(N, u, sym, 2, 4, &o, a_sel, &a, sizeof a));
    OK(gi_solve_qip(N, u, upper, 2, 4, &o, b_sel, &b, sizeof b));
    EXPECT(a.objective == b.objective && memcmp(a_sel, b_sel, sizeof a_sel) == 0);
    OK(gi_solve_qip(N, u, lower, 2, 4, &o, b_sel, &b, sizeof b));
    EXPECT(a.objective == b.objective && memcmp(a_sel, b_sel, sizeof a_sel) == 0);
    EXPECT(a.status == GI_SOLVE_OPTIMAL && a.bound_kind != GI_BOUND_NONE);

    /* Within the relative tolerance (float32 rounding) is symmetric. */
    sym[1] += 1e-8;
    OK(gi_solve_qip(N, u, sym, 2, 4, &o, b_sel, &b, sizeof b));
    EXPECT(fabs(b.objective - a.objective) < 1e-7);
    /* Beyond it, refused, naming the pair. */
    sym[1] += 1e-3;
    EXPECT_STATUS(gi_solve_qip(N, u, sym, 2, 4, &o, b_sel, &b, sizeof b), GI_ERR_ARGUMENT, "[0][1]");
    /* One stray entry below an upper triangle: neither form. */
    upper[5 * N + 2] = 0.1;
    EXPECT_STATUS(gi_solve_qip(N, u, upper, 2, 4, &o, b_sel, &b, sizeof b), GI_ERR_ARGUMENT,
                  "neither symmetric nor strictly triangular");

    /* Bound kinds: trivial (lambda = 0), heuristic's cheap bound. */
    OK(gi_solve_qip(N, u, lower, 0, 4, &o, b_sel, &b, sizeof b));
    EXPECT(b.bound_kind == GI_BOUND_TRIVIAL && b.status == GI_SOLVE_OPTIMAL);
    o.solver = GI_SOLVER_MIP;
    OK(gi_solve_qip(N, u, lower, 2, 4, &o, b_sel, &b, sizeof b));
    EXPECT(b.objective == a.objective);
    EXPECT(b.bound_kind == GI_BOUND_MIP || b.bound_kind == GI_BOUND_CHEAP);

    o.memory_limit = 1000;
    EXPECT_STATUS(gi_solve_qip(N, u, sym, 2, 4, &o, b_sel, &b, sizeof b), GI_ERR_ARGUMENT, "memory_limit");
    o.memory_limit = (size_t)-1; /* no limit */
    o.solver = GI_SOLVER_EXACT;
    OK(gi_solve_qip(N, u, lower, 2, 4, &o, b_sel, &b, sizeof b));
}

/* A session scoring with an upper-triangular matrix chooses what the same
** matrix made symmetric gives gi_solve_qip: lambda is not halved. */
static void test_triangular_session(void) {
    host h;
    gi_session *s;
    gi_step_record r;
    int32_t ids[K];
    size_t n = 0;
    memset(&h, 0, sizeof h);
    h.cancel_at = -1;
    s = session(&h, upper_pairs);
    OK(gi_run(s));
    OK(gi_result_ids(s, ids, K, &n));
    EXPECT(n == K);
    {
        /* The final record scored K' candidates; rebuild its problem. */
        size_t count = 0, last;
        int32_t scored[M];
        double u[M], b[M * M], pw[K * K];
        int32_t sel[K];
        gi_solve_result res;
        size_t a, c;
        OK(gi_trace_count(s, &count));
        last = count - 1;
        OK(gi_trace_record(s, last, &r, sizeof r));
        OK(gi_trace_ids(s, last, scored, M, &n));
        for (a = 0; a < n; a++) {
            u[a] = quality_of(scored[a]);
            for (c = 0; c < n; c++) b[a * n + c] = a == c ? 0 : fabs((double)(scored[a] - scored[c])) / M;
        }
        OK(gi_solve_qip(n, u, b, 1.0, K, NULL, sel, &res, sizeof res));
        EXPECT(fabs(res.objective - r.objective) <= 1e-12);
        OK(gi_result_pairwise(s, pw, K * K, &n));
        EXPECT(fabs(pw[1] - fabs((double)(ids[0] - ids[1])) / M) < 1e-15); /* not halved */
    }
    gi_session_destroy(s);

    memset(&h, 0, sizeof h);
    s = session(&h, skewed_pairs);
    EXPECT_STATUS(gi_run(s), GI_ERR_SCORES, "scorer 'pairs' at step 0");
    gi_session_destroy(s);
}

static void test_progress_hook(void) {
    host h;
    gi_session *s;
    gi_progress p;
    int32_t ids[K];
    size_t n = 0;

    memset(&h, 0, sizeof h);
    h.cancel_at = 2;
    s = session(&h, upper_pairs);
    OK(gi_set_progress(s, on_progress, &h, count_destroy));
    EXPECT_STATUS(gi_run(s), GI_ERR_CANCELLED, "after step 1");
    EXPECT(h.calls == 2 && h.last_steps_done == 2);
    OK(gi_get_progress(s, &p, sizeof p));
    EXPECT(p.steps_done == 2 && !p.done && p.evaluations == h.last_evaluations);
    EXPECT(p.last_solve_status != GI_SOLVE_NONE && p.last_step_seconds > 0);
    EXPECT_STATUS(gi_result_ids(s, ids, K, &n), GI_ERR_STATE, "no results yet");
    /* Resume: the run goes on from step 2; the hook's vote after the last
    ** step is ignored. */
    h.cancel_at = T;
    OK(gi_run(s));
    EXPECT(h.calls == T);
    OK(gi_get_progress(s, &p, sizeof p));
    EXPECT(p.done && p.steps_done == T);
    OK(gi_result_ids(s, ids, K, &n));

    /* Re-entrant calls from the hook are refused, the run is not harmed. */
    gi_session_destroy(s);
    EXPECT(h.destroyed == 1);
    memset(&h, 0, sizeof h);
    h.cancel_at = -1;
    s = session(&h, NULL);
    h.reenter = s;
    OK(gi_set_progress(s, on_progress, &h, count_destroy));
    OK(gi_run(s));
    EXPECT(h.reenter_status == GI_ERR_STATE && h.calls == T);

    /* Replacing and clearing call the old destroy hook at once. */
    OK(gi_set_progress(s, on_progress, &h, count_destroy));
    EXPECT(h.destroyed == 1);
    OK(gi_set_progress(s, NULL, NULL, NULL));
    EXPECT(h.destroyed == 2);
    gi_session_destroy(s);
    EXPECT(h.destroyed == 2);
    /* A failing call still takes ownership. */
    EXPECT_STATUS(gi_set_progress(NULL, on_progress, &h, count_destroy), GI_ERR_ARGUMENT, "session is NULL");
    EXPECT(h.destroyed == 3);
    EXPECT_STATUS(gi_set_progress(s, on_progress, &h, count_destroy), GI_ERR_HANDLE, "not a live session");
    EXPECT(h.destroyed == 4);
}

static void test_discard(void) {
    host h;
    gi_session *s;
    gi_progress p;
    gi_step_record r;
    int32_t lost[3] = {1, 5, 9}, ids[M], twice[2] = {2, 2}, out_of_range[1] = {M}, many[M];
    size_t n = 0, count = 0, i;
    int64_t before;

    memset(&h, 0, sizeof h);
    h.cancel_at = -1;
    s = session(&h, upper_pairs);
    OK(gi_discard(s, NULL, 0)); /* nothing */
    OK(gi_step(s));              /* 16 -> 8 */
    OK(gi_get_progress(s, &p, sizeof p));
    before = p.evaluations;
    OK(gi_survivors(s, ids, M, &n));
    EXPECT(n == 8);
    lost[0] = ids[0];
    lost[1] = ids[3];
    lost[2] = ids[7];
    OK(gi_discard(s, lost, 3));
    OK(gi_get_progress(s, &p, sizeof p));
    EXPECT(p.alive == 5 && p.discarded == 3 && p.evaluations == before);
    OK(gi_trace_count(s, &count));
    OK(gi_trace_record(s, count - 1, &r, sizeof r));
    EXPECT(r.discarded == 3 && r.num_scored == 0 && r.num_kept == 5 && r.step == 0);
    EXPECT(isnan(r.objective) && isnan(r.bound) && r.solve_status == GI_SOLVE_NONE);
    OK(gi_trace_ids(s, count - 1, ids, M, &n));
    EXPECT(n == 3 && ids[0] == lost[0] && ids[2] == lost[2]);
    OK(gi_trace_kept(s, count - 1, ids, M, &n));
    EXPECT(n == 5);
    OK(gi_trace_scores(s, count - 1, 0, NULL, 0, &n));
    EXPECT(n == 0);
    {
        gi_diagnostics d;
        OK(gi_trace_diagnostics(s, count - 1, GI_TRACE_UNARY, &d, sizeof d));
        EXPECT(isnan(d.spearman_previous) && d.common_previous == 0);
    }

    EXPECT_STATUS(gi_discard(s, lost, 1), GI_ERR_ARGUMENT, "already pruned or discarded");
    OK(gi_survivors(s, ids, M, &n));
    twice[0] = twice[1] = ids[0];
    EXPECT_STATUS(gi_discard(s, twice, 2), GI_ERR_ARGUMENT, "twice");
    EXPECT_STATUS(gi_discard(s, out_of_range, 1), GI_ERR_ARGUMENT, "out of range");
    EXPECT_STATUS(gi_discard(s, NULL, 1), GI_ERR_ARGUMENT, "ids is NULL");
    EXPECT_STATUS(gi_discard(s, ids, 3), GI_ERR_ARGUMENT, "fewer than K = 3");
    OK(gi_get_progress(s, &p, sizeof p));
    EXPECT(p.alive == 5 && p.discarded == 3); /* refused calls changed nothing */

    /* The schedule continues from the smaller set; the lost never come back. */
    OK(gi_run(s));
    OK(gi_result_ids(s, ids, K, &n));
    for (i = 0; i < n; i++) EXPECT(ids[i] != lost[0] && ids[i] != lost[1] && ids[i] != lost[2]);
    for (i = 0; i < 3; i++) EXPECT(h.denoised[lost[i]] == 1);
    EXPECT_STATUS(gi_discard(s, ids, 1), GI_ERR_STATE, "done");
    gi_session_destroy(s);
    EXPECT_STATUS(gi_discard(s, ids, 1), GI_ERR_HANDLE, "not a live session");

    /* Before the first step, down to exactly K. */
    memset(&h, 0, sizeof h);
    s = session(&h, NULL);
    for (i = 0; i < M - K; i++) many[i] = (int32_t)(i + K);
    OK(gi_discard(s, many, M - K));
    OK(gi_run(s));
    OK(gi_result_ids(s, ids, K, &n));
    EXPECT(n == K && ids[0] == 0 && ids[1] == 1 && ids[2] == 2);
    OK(gi_get_progress(s, &p, sizeof p));
    EXPECT(p.evaluations == (int64_t)K * T);
    gi_session_destroy(s);
}

int main(void) {
    test_sizes();
    test_pairwise_rule();
    test_triangular_session();
    test_progress_hook();
    test_discard();
    if (failures) {
        fprintf(stderr, "api_0_3_test: %d of %d checks failed\n", failures, checks);
        return 1;
    }
    printf("api_0_3_test: %d checks passed\n", checks);
    return 0;
}

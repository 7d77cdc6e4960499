/*
** api_test.c - calls every entry point of group_inference.h, the error paths
** included, against the real libgroupinference.so. Exit status 0 when every
** check holds; each failure prints the line, the status and the message.
*/
#include <group_inference.h>

#include "expect.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* --- a small host --------------------------------------------------------- */

enum { M = 12, K = 3, T = 4, DIM = 4 };

typedef struct host {
    double quality[M];
    float look[M][DIM];
    int denoised[M];
    int fail_scorer_at;   /* step at which the unary scorer fails, or -2 */
    int fail_denoise_at;  /* step at which the denoiser fails, or -2 */
    int nan_for;          /* candidate given NaN, or -1 */
    gi_session *reenter;  /* session to call back into, or NULL */
    gi_status reenter_status;
    int destroyed;
} host;

static void host_init(host *h) {
    int i, d;
    memset(h, 0, sizeof *h);
    for (i = 0; i < M; i++) {
        h->quality[i] = 0.1 + 0.8 * (double)((i * 7) % M) / M;
        for (d = 0; d < DIM; d++) h->look[i][d] = (float)(1 + ((i * 5 + d * 3) % 7));
    }
    h->fail_scorer_at = -2;
    h->fail_denoise_at = -2;
    h->nan_for = -1;
}

static int quality(void *user, int32_t step, const int32_t *ids, size_t n,
                   double *out) {
    host *h = user;
    size_t a;
    if (step == h->fail_scorer_at) return 42;
    if (h->reenter) h->reenter_status = gi_step(h->reenter);
    for (a = 0; a < n; a++)
        out[a] = ids[a] == h->nan_for ? NAN : h->quality[ids[a]];
    return 0;
}

static int look(void *user, int32_t step, const int32_t *ids, size_t n,
                size_t dim, float *out) {
    host *h = user;
    size_t a;
    (void)step;
    for (a = 0; a < n; a++) memcpy(out + a * dim, h->look[ids[a]], dim * sizeof(float));
    return 0;
}

static int pairs(void *user, int32_t step, const int32_t *ids, size_t n,
                 double *out) {
    size_t a, b;
    (void)user;
    (void)step;
    for (a = 0; a < n; a++)
        for (b = 0; b < n; b++) out[a * n + b] = a == b ? 0.0 : fabs((double)(ids[a] - ids[b])) / M;
    return 0;
}

static int denoise(void *user, int32_t step, const int32_t *ids, size_t n) {
    host *h = user;
    size_t a;
    if (step == h->fail_denoise_at) return 9;
    for (a = 0; a < n; a++) h->denoised[ids[a]]++;
    return 0;
}

static void count_destroy(void *user) { ((host *)user)->destroyed++; }

static gi_session *make_session(int32_t m, int32_t k, int32_t t) {
    gi_options o;
    gi_session *s = NULL;
    OK(gi_options_init(&o, sizeof o));
    o.num_candidates = m;
    o.group_size = k;
    o.num_steps = t;
    o.lambda = 0.5;
    OK(gi_session_create(&o, &s));
    return s;
}

/* --- version, status text, options ---------------------------------------- */

static void test_version_and_status(void) {
    gi_status codes[] = {GI_OK, GI_WARNING, GI_ERR_ARGUMENT, GI_ERR_HANDLE,
                         GI_ERR_STATE, GI_ERR_SCORES, GI_ERR_CALLBACK,
                         GI_ERR_SOLVER, GI_ERR_LIMIT, GI_ERR_VERSION,
                         GI_ERR_INTERNAL};
    size_t i;
    EXPECT(gi_version_number() == GI_VERSION_NUMBER);
    EXPECT(strcmp(gi_version_string(), GI_VERSION_STRING) == 0);
    for (i = 0; i < sizeof codes / sizeof codes[0]; i++) {
        EXPECT(gi_status_string(codes[i]) != NULL);
        EXPECT(strcmp(gi_status_string(codes[i]), "unknown status") != 0);
    }
    EXPECT(strcmp(gi_status_string((gi_status)1234), "unknown status") == 0);
    EXPECT(gi_last_error() != NULL);
}

static void test_options(void) {
    gi_options o;
    unsigned char big[sizeof(gi_options) + 32];
    gi_session *s = (gi_session *)&o; /* must be overwritten with NULL on failure */
    int32_t counts[T] = {8, 8, 4, K};

    EXPECT_STATUS(gi_options_init(NULL, sizeof o), GI_ERR_ARGUMENT, "NULL");
    EXPECT_STATUS(gi_options_init(&o, 8), GI_ERR_VERSION, "size = 8");
    EXPECT(strlen(gi_last_error()) > 0);
    OK(gi_options_init(&o, sizeof o));
    EXPECT(strcmp(gi_last_error(), "") == 0); /* success clears the message */
    EXPECT(o.struct_size == sizeof o && o.num_candidates == 64 && o.group_size == 4);
    EXPECT(o.num_steps == 20 && o.lambda == 1.0 && o.prune_ratio == 0.5);
    EXPECT(o.schedule == GI_SCHEDULE_RATIO && o.first_prune_step == 0);
    EXPECT(o.solver == GI_SOLVER_AUTO && o.time_limit == 0.1 && o.mip_gap == 0.0);
    EXPECT(o.normalize == GI_NORMALIZE_NONE && o.trace_every_step == 0 && o.seed == 0);
    EXPECT(o.survivor_counts == NULL);

    /* A newer host's larger struct: the tail is zeroed and accepted. */
    memset(big, 0xAB, sizeof big);
    OK(gi_options_init((gi_options *)big, sizeof big));
    EXPECT(big[sizeof big - 1] == 0);
    OK(gi_session_create((const gi_options *)big, &s));
    gi_session_destroy(s);
    /* ... but not when it sets fields this library does not know. */
    big[sizeof big - 1] = 1;
    EXPECT_STATUS(gi_session_create((const gi_options *)big, &s), GI_ERR_VERSION, "sets fields beyond");
    EXPECT(s == NULL);
    o.struct_size = 40; /* an impossible older layout */
    EXPECT_STATUS(gi_session_create(&o, &s), GI_ERR_VERSION, "struct_size = 40");

    OK(gi_options_init(&o, sizeof o));
    EXPECT_STATUS(gi_session_create(&o, NULL), GI_ERR_ARGUMENT, "NULL");
    o.num_candidates = 5;
    o.group_size = 6;
    EXPECT_STATUS(gi_session_create(&o, &s), GI_ERR_ARGUMENT, "K = 6");
    o.group_size = 0;
    EXPECT_STATUS(gi_session_create(&o, &s), GI_ERR_ARGUMENT, "K = 0");
    o.group_size = 2;
    o.num_candidates = GI_MAX_CANDIDATES + 1;
    EXPECT_STATUS(gi_session_create(&o, &s), GI_ERR_LIMIT, "num_candidates");
    o.num_candidates = M;
    o.num_steps = GI_MAX_STEPS + 1;
    EXPECT_STATUS(gi_session_create(&o, &s), GI_ERR_LIMIT, "num_steps");
    o.num_steps = T;
    o.lambda = NAN;
    EXPECT_STATUS(gi_session_create(&o, &s), GI_ERR_ARGUMENT, "lambda");
    o.lambda = 1;
    o.prune_ratio = 1.0;
    EXPECT_STATUS(gi_session_create(&o, &s), GI_ERR_ARGUMENT, "prune_ratio");
    o.prune_ratio = 0.5;
    o.first_prune_step = T;
    EXPECT_STATUS(gi_session_create(&o, &s), GI_ERR_ARGUMENT, "first_prune_step");
    o.first_prune_step = 0;
    o.solver = 7;
    EXPECT_STATUS(gi_session_create(&o, &s), GI_ERR_ARGUMENT, "solver = 7");
    o.solver = GI_SOLVER_EXACT;
    o.time_limit = -1;
    EXPECT_STATUS(gi_session_create(&o, &s), GI_ERR_ARGUMENT, "time_limit");
    o.time_limit = INFINITY;
    EXPECT_STATUS(gi_session_create(&o, &s), GI_ERR_ARGUMENT, "time_limit");
    o.time_limit = 1;
    o.mip_gap = 1;
    EXPECT_STATUS(gi_session_create(&o, &s), GI_ERR_ARGUMENT, "mip_gap");
    o.mip_gap = 0;
    o.normalize = 3;
    EXPECT_STATUS(gi_session_create(&o, &s), GI_ERR_ARGUMENT, "normalize");
    o.normalize = GI_NORMALIZE_ZSCORE;
    o.trace_every_step = 2;
    EXPECT_STATUS(gi_session_create(&o, &s), GI_ERR_ARGUMENT, "trace_every_step");
    o.trace_every_step = 1;
    o.schedule = 5;
    EXPECT_STATUS(gi_session_create(&o, &s), GI_ERR_ARGUMENT, "schedule = 5");
    o.schedule = GI_SCHEDULE_COUNTS;
    EXPECT_STATUS(gi_session_create(&o, &s), GI_ERR_ARGUMENT, "survivor_counts and schedule_file are NULL");
    o.group_size = K;
    counts[1] = 9;
    o.survivor_counts = counts;
    EXPECT_STATUS(gi_session_create(&o, &s), GI_ERR_ARGUMENT, "survivor_counts[1] = 9");
    counts[1] = 8;
    OK(gi_session_create(&o, &s));
    counts[0] = 1; /* copied at create: changing it now has no effect */
    EXPECT(s != NULL);
    gi_session_destroy(s);
}

/* --- handles ---------------------------------------------------------------- */

static void test_handles(void) {
    gi_session *s = make_session(M, K, T);
    gi_progress p;
    int not_a_session = 0;
    gi_session_destroy(NULL); /* no-op */
    gi_session_destroy(s);
    gi_session_destroy(s); /* already destroyed: ignored */
    EXPECT_STATUS(gi_step(s), GI_ERR_HANDLE, "not a live session");
    EXPECT_STATUS(gi_get_progress(s, &p, sizeof p), GI_ERR_HANDLE, "not a live session");
    EXPECT_STATUS(gi_step((gi_session *)&not_a_session), GI_ERR_HANDLE, "not a live session");
    EXPECT_STATUS(gi_step(NULL), GI_ERR_ARGUMENT, "session is NULL");
}

/* --- scorers and callbacks ---------------------------------------------------- */

static void test_scorers(void) {
    host h;
    gi_session *s = make_session(M, K, T);
    int32_t id = -1;
    host_init(&h);
    EXPECT_STATUS(gi_add_unary_scorer(s, NULL, 1, quality, &h, count_destroy, &id),
                  GI_ERR_ARGUMENT, "name is NULL");
    EXPECT(h.destroyed == 1); /* ownership passes even when the call fails */
    EXPECT_STATUS(gi_add_unary_scorer(s, "", 1, quality, &h, NULL, &id), GI_ERR_ARGUMENT, "name");
    EXPECT_STATUS(gi_add_unary_scorer(s, "q", NAN, quality, &h, NULL, &id), GI_ERR_ARGUMENT, "weight");
    OK(gi_add_unary_scorer(s, "q", 1, quality, &h, count_destroy, &id));
    EXPECT(id == 0);
    EXPECT_STATUS(gi_add_unary_scorer(s, "q", 1, quality, &h, NULL, &id), GI_ERR_ARGUMENT, "already exists");
    EXPECT_STATUS(gi_add_embedding_scorer(s, "e", 1, 0, look, &h, NULL, &id), GI_ERR_ARGUMENT, "dim = 0");
    EXPECT_STATUS(gi_add_embedding_scorer(s, "e", 1, GI_MAX_EMBEDDING_DIM + 1, look, &h, NULL, &id),
                  GI_ERR_LIMIT, "dim");
    OK(gi_add_embedding_scorer(s, "e", 1, DIM, look, &h, count_destroy, &id));
    EXPECT(id == 1);
    OK(gi_add_pairwise_scorer(s, "p", 0.5, pairs, &h, count_destroy, NULL));
    OK(gi_set_denoiser(s, denoise, &h, count_destroy));
    OK(gi_set_denoiser(s, denoise, &h, count_destroy)); /* replaces: old hook runs */
    EXPECT(h.destroyed == 2);
    OK(gi_step(s));
    EXPECT_STATUS(gi_add_unary_scorer(s, "late", 1, quality, &h, NULL, NULL), GI_ERR_STATE, "too late");
    OK(gi_run(s));
    gi_session_destroy(s);
    EXPECT(h.destroyed == 2 + 4); /* q, e, p and the denoiser, once each */
}

static void test_callback_failures(void) {
    host h;
    gi_session *s = make_session(M, K, T);
    gi_progress p;
    int32_t alive[M];
    size_t n = 0;
    char expected[64];
    host_init(&h);
    EXPECT_STATUS(gi_step(s), GI_ERR_STATE, "no scorers");
    OK(gi_add_unary_scorer(s, "quality", 1, quality, &h, NULL, NULL));
    EXPECT_STATUS(gi_run(s), GI_ERR_STATE, "needs a denoiser");
    OK(gi_set_denoiser(s, denoise, &h, NULL));

    h.fail_denoise_at = 0;
    EXPECT_STATUS(gi_step(s), GI_ERR_CALLBACK, "the denoiser returned 9 at step 0");
    OK(gi_get_progress(s, &p, sizeof p));
    EXPECT(p.steps_done == 0 && p.evaluations == 0);
    h.fail_denoise_at = -2;
    OK(gi_step(s)); /* the same step again */

    h.fail_scorer_at = 1;
    EXPECT_STATUS(gi_step(s), GI_ERR_CALLBACK, "scorer 'quality' returned 42 at step 1");
    OK(gi_get_progress(s, &p, sizeof p));
    EXPECT(p.retry_pending == 1 && p.steps_done == 2 && p.scores_needed == 1);
    h.fail_scorer_at = -2;
    OK(gi_step(s)); /* retries the scoring only */
    OK(gi_get_progress(s, &p, sizeof p));
    EXPECT(p.retry_pending == 0 && p.steps_done == 2 && p.evaluations == M + M / 2);

    OK(gi_step(s)); /* step 2 keeps all K: no scoring */
    OK(gi_get_progress(s, &p, sizeof p));
    EXPECT(p.scores_needed == 1); /* the last step always scores */
    OK(gi_survivors(s, alive, M, &n));
    h.nan_for = alive[n - 1];
    sprintf(expected, "candidate %d", alive[n - 1]);
    EXPECT_STATUS(gi_step(s), GI_ERR_SCORES, expected);
    h.nan_for = -1;

    h.reenter = s;
    OK(gi_step(s)); /* the scorer's nested gi_step is refused, the outer call is fine */
    EXPECT(h.reenter_status == GI_ERR_STATE);
    h.reenter = NULL;
    OK(gi_get_progress(s, &p, sizeof p));
    EXPECT(p.done == 1);
    EXPECT_STATUS(gi_run(s), GI_ERR_STATE, "done");
    EXPECT_STATUS(gi_step(s), GI_ERR_STATE, "done");
    EXPECT_STATUS(gi_prune(s, K), GI_ERR_STATE, "done");
    gi_session_destroy(s);
}

/* --- host-driven loop with pushed values -------------------------------------- */

static void test_pushes(void) {
    host h;
    gi_session *s = make_session(M, K, 2);
    int32_t q = -1, e = -1, pw = -1, cb = -1, ids[M], bad_ids[2] = {0, 0};
    double u[M], mat[M * M], nan_score = NAN;
    float emb[M * DIM], zeros[DIM] = {0, 0, 0, 0};
    size_t n = 0, a, b;
    gi_progress p;
    host_init(&h);
    OK(gi_add_unary_scorer(s, "q", 1, NULL, NULL, NULL, &q));
    OK(gi_add_embedding_scorer(s, "e", 1, DIM, NULL, NULL, NULL, &e));
    OK(gi_add_pairwise_scorer(s, "p", 1, NULL, NULL, NULL, &pw));
    OK(gi_add_unary_scorer(s, "cb", 1, quality, &h, NULL, &cb));

    OK(gi_survivors(s, NULL, 0, &n));
    EXPECT(n == M);
    OK(gi_survivors(s, ids, M, &n));
    EXPECT_STATUS(gi_survivors(s, ids, 3, &n), GI_ERR_ARGUMENT, "capacity = 3");
    EXPECT_STATUS(gi_survivors(s, ids, M, NULL), GI_ERR_ARGUMENT, "count is NULL");
    for (a = 0; a < n; a++) {
        u[a] = h.quality[ids[a]];
        memcpy(emb + a * DIM, h.look[ids[a]], sizeof h.look[0]);
        for (b = 0; b < n; b++) mat[a * n + b] = a == b ? 0 : fabs((double)(ids[a] - ids[b]));
    }
    OK(gi_get_progress(s, &p, sizeof p));
    EXPECT(p.scores_needed == 1 && p.keep_after_next == M / 2);
    EXPECT_STATUS(gi_step(s), GI_ERR_SCORES, "scorer 'q' has no pushed value");
    EXPECT_STATUS(gi_push_unary(s, q, NULL, n, u), GI_ERR_ARGUMENT, "ids is NULL");
    EXPECT_STATUS(gi_push_unary(s, q, ids, n, NULL), GI_ERR_ARGUMENT, "scores is NULL");
    EXPECT_STATUS(gi_push_unary(s, q, ids, 0, u), GI_ERR_ARGUMENT, "n = 0");
    EXPECT_STATUS(gi_push_unary(s, 99, ids, n, u), GI_ERR_ARGUMENT, "scorer id 99");
    EXPECT_STATUS(gi_push_unary(s, e, ids, n, u), GI_ERR_ARGUMENT, "not unary");
    EXPECT_STATUS(gi_push_unary(s, cb, ids, n, u), GI_ERR_ARGUMENT, "has a callback");
    EXPECT_STATUS(gi_push_unary(s, q, bad_ids, 2, u), GI_ERR_ARGUMENT, "twice");
    EXPECT_STATUS(gi_push_unary(s, q, ids, 1, &nan_score), GI_ERR_SCORES, "not finite");
    EXPECT_STATUS(gi_push_embeddings(s, e, ids, n, DIM + 1, emb), GI_ERR_ARGUMENT, "dim");
    EXPECT_STATUS(gi_push_embeddings(s, e, ids, 1, DIM, zeros), GI_ERR_SCORES, "zero norm");
    EXPECT_STATUS(gi_push_pairwise(s, pw, ids, n, NULL), GI_ERR_ARGUMENT, "matrix is NULL");
    OK(gi_push_unary(s, q, ids, n / 2, u)); /* in two batches */
    OK(gi_push_unary(s, q, ids + n / 2, n - n / 2, u + n / 2));
    OK(gi_push_embeddings(s, e, ids, n, DIM, emb));
    OK(gi_push_pairwise(s, pw, ids, n, mat));
    OK(gi_step(s));
    OK(gi_survivors(s, ids, M, &n));
    EXPECT(n == M / 2);
    bad_ids[0] = 0;
    for (a = 0; a < M; a++) {
        int alive = 0;
        for (b = 0; b < n; b++) alive |= ids[b] == (int32_t)a;
        if (!alive) { bad_ids[0] = (int32_t)a; break; }
    }
    EXPECT_STATUS(gi_push_unary(s, q, bad_ids, 1, u), GI_ERR_ARGUMENT, "was pruned");
    /* Last step: the pushes of step 0 are stale. */
    EXPECT_STATUS(gi_step(s), GI_ERR_SCORES, "no pushed");
    for (a = 0; a < n; a++) {
        u[a] = h.quality[ids[a]];
        memcpy(emb + a * DIM, h.look[ids[a]], sizeof h.look[0]);
        for (b = 0; b < n; b++) mat[a * n + b] = a == b ? 0 : 1;
    }
    OK(gi_push_unary(s, q, ids, n, u));
    OK(gi_push_embeddings(s, e, ids, n, DIM, emb));
    OK(gi_push_pairwise(s, pw, ids, n, mat));
    OK(gi_step(s));
    OK(gi_get_progress(s, &p, sizeof p));
    EXPECT(p.done == 1 && p.alive == K && p.evaluations == M + M / 2 && p.naive_evaluations == 2 * M);
    EXPECT_STATUS(gi_push_unary(s, q, ids, 1, u), GI_ERR_STATE, "done");
    gi_session_destroy(s);
}

/* --- results and trace ---------------------------------------------------------- */

static void test_results_and_trace(void) {
    host h;
    gi_session *s = make_session(M, K, T);
    int32_t ids[M];
    double u[M], pw[M * M], scores[M];
    size_t n = 0, records = 0, r, a;
    gi_progress p;
    gi_step_record rec;
    double unary_sum = 0, pair_sum = 0;
    host_init(&h);
    OK(gi_add_unary_scorer(s, "q", 1, quality, &h, NULL, NULL));
    OK(gi_add_embedding_scorer(s, "e", 1, DIM, look, &h, NULL, NULL));
    OK(gi_set_denoiser(s, denoise, &h, NULL));
    EXPECT_STATUS(gi_result_ids(s, ids, M, &n), GI_ERR_STATE, "no results yet");
    EXPECT_STATUS(gi_result_unary(s, u, M, &n), GI_ERR_STATE, "no results yet");
    EXPECT_STATUS(gi_result_pairwise(s, pw, M * M, &n), GI_ERR_STATE, "no results yet");
    EXPECT_STATUS(gi_prune(s, M + 1), GI_ERR_ARGUMENT, "keep = 13");
    EXPECT_STATUS(gi_prune(s, K - 1), GI_ERR_ARGUMENT, "keep = 2");
    OK(gi_prune(s, M)); /* keep everyone: nothing happens */
    OK(gi_prune(s, M - 2)); /* before the first step */
    EXPECT_STATUS(gi_get_progress(s, NULL, sizeof p), GI_ERR_ARGUMENT, "NULL");
    EXPECT_STATUS(gi_get_progress(s, &p, 4), GI_ERR_VERSION, "size = 4");
    OK(gi_get_progress(s, &p, sizeof p));
    EXPECT(p.alive == M - 2 && p.num_records == 1 && isnan(p.objective));
    OK(gi_run(s));
    OK(gi_get_progress(s, &p, sizeof p));
    EXPECT(p.done == 1 && !isnan(p.objective));

    OK(gi_result_ids(s, NULL, 0, &n));
    EXPECT(n == K);
    OK(gi_result_ids(s, ids, K, &n));
    EXPECT(ids[0] < ids[1] && ids[1] < ids[2]);
    for (a = 0; a < n; a++) EXPECT(h.denoised[ids[a]] == T);
    OK(gi_result_unary(s, u, K, &n));
    for (a = 0; a < n; a++) { EXPECT(u[a] == h.quality[ids[a]]); unary_sum += u[a]; }
    EXPECT_STATUS(gi_result_pairwise(s, pw, K, &n), GI_ERR_ARGUMENT, "capacity");
    OK(gi_result_pairwise(s, pw, M * M, &n));
    EXPECT(n == K * K && pw[0] == 0 && pw[1] == pw[K]);
    pair_sum = pw[1] + pw[2] + pw[5];
    EXPECT(fabs(p.objective - (unary_sum + 0.5 * pair_sum)) < 1e-9);

    OK(gi_trace_count(s, &records));
    EXPECT(records == (size_t)p.num_records && records >= 2);
    EXPECT_STATUS(gi_trace_count(s, NULL), GI_ERR_ARGUMENT, "NULL");
    EXPECT_STATUS(gi_trace_record(s, records, &rec, sizeof rec), GI_ERR_ARGUMENT, "out of range");
    EXPECT_STATUS(gi_trace_record(s, 0, &rec, 8), GI_ERR_VERSION, "size = 8");
    for (r = 0; r < records; r++) {
        size_t scored = 0, kept = 0;
        OK(gi_trace_record(s, r, &rec, sizeof rec));
        OK(gi_trace_ids(s, r, ids, M, &scored));
        OK(gi_trace_kept(s, r, NULL, 0, &kept));
        EXPECT((int)scored == rec.num_scored && (int)kept == rec.num_kept);
        OK(gi_trace_scores(s, r, GI_TRACE_UNARY, scores, M, &n));
        EXPECT(n == scored);
        OK(gi_trace_scores(s, r, GI_TRACE_DIVERSITY, scores, M, &n));
        OK(gi_trace_scores(s, r, 0, scores, M, &n));
        for (a = 0; a < n; a++) EXPECT(scores[a] == h.quality[ids[a]]);
        OK(gi_trace_scores(s, r, 1, scores, M, &n));
        EXPECT(rec.seconds_scoring >= 0 && rec.seconds_solving >= 0);
        if (rec.num_kept < rec.num_scored) EXPECT(rec.solve_status != GI_SOLVE_NONE);
    }
    OK(gi_trace_record(s, 0, &rec, sizeof rec));
    EXPECT(rec.step == -1 && rec.on_demand == 1 && rec.num_kept == M - 2);
    OK(gi_trace_record(s, records - 1, &rec, sizeof rec));
    EXPECT(rec.is_final == 1 && rec.step == T - 1 && rec.evaluations == p.evaluations);
    EXPECT_STATUS(gi_trace_scores(s, 0, 2, scores, M, &n), GI_ERR_ARGUMENT, "which = 2");
    EXPECT_STATUS(gi_trace_scores(s, 0, -3, scores, M, &n), GI_ERR_ARGUMENT, "which = -3");
    EXPECT_STATUS(gi_trace_ids(s, 99, ids, M, &n), GI_ERR_ARGUMENT, "index = 99");
    EXPECT_STATUS(gi_trace_kept(s, 99, ids, M, &n), GI_ERR_ARGUMENT, "index = 99");
    gi_session_destroy(s);
}

/* --- diagnostics, adaptive and calibrated schedules ------------------------------- */

/* A full run: everyone denoised to the end, every step scored. */
static gi_session *full_run(host *h) {
    gi_options o;
    gi_session *s = NULL;
    OK(gi_options_init(&o, sizeof o));
    o.num_candidates = M;
    o.group_size = K;
    o.num_steps = T;
    o.lambda = 0.5;
    o.trace_every_step = 1;
    o.first_prune_step = T - 1;
    OK(gi_session_create(&o, &s));
    OK(gi_add_unary_scorer(s, "q", 1, quality, h, NULL, NULL));
    OK(gi_add_embedding_scorer(s, "e", 1, DIM, look, h, NULL, NULL));
    OK(gi_set_denoiser(s, denoise, h, NULL));
    OK(gi_run(s));
    return s;
}

static void test_calibration(void) {
    host h;
    gi_session *runs[2], *s = NULL;
    gi_calibration_goal goal;
    gi_calibration_report report;
    gi_diagnostics d;
    gi_options o;
    gi_progress p;
    int32_t counts[T], loaded[T], ids[M], m = 0, k = 0, t = 0;
    double retention[T], overlap[T], lam = 0;
    size_t n = 0, records = 0;
    const char *path = "build/api_test_schedule.json";
    int a;
    host_init(&h);
    runs[0] = full_run(&h);
    runs[1] = full_run(&h);

    OK(gi_trace_count(runs[0], &records));
    EXPECT(records == T);
    OK(gi_trace_group(runs[0], 0, ids, M, &n));
    EXPECT(n == K); /* detail mode: every record knows its best group */
    EXPECT_STATUS(gi_trace_group(runs[0], 99, ids, M, &n), GI_ERR_ARGUMENT, "index = 99");
    OK(gi_trace_diagnostics(runs[0], 0, GI_TRACE_UNARY, &d, sizeof d));
    EXPECT(isnan(d.spearman_previous) && d.common_previous == 0 && d.common_final == M);
    OK(gi_trace_diagnostics(runs[0], T - 1, 0, &d, sizeof d));
    EXPECT(d.spearman_final == 1 && d.group_overlap_final == 1 && d.common_previous == M);
    OK(gi_trace_diagnostics(runs[0], 1, GI_TRACE_DIVERSITY, &d, sizeof d));
    EXPECT(!isnan(d.movement) && d.movement >= 0);
    EXPECT_STATUS(gi_trace_diagnostics(runs[0], 0, 5, &d, sizeof d), GI_ERR_ARGUMENT, "which = 5");
    EXPECT_STATUS(gi_trace_diagnostics(runs[0], 0, 0, &d, 8), GI_ERR_VERSION, "size = 8");
    EXPECT_STATUS(gi_trace_diagnostics(runs[0], 0, 0, NULL, sizeof d), GI_ERR_ARGUMENT, "NULL");

    memset(&goal, 0, sizeof goal);
    goal.struct_size = sizeof goal;
    goal.budget = 0.8;
    OK(gi_calibrate((const gi_session *const *)runs, 2, &goal, counts, T, retention, overlap, &report, sizeof report));
    EXPECT(counts[T - 1] == K && report.evaluations <= (int64_t)(0.8 * M * T) && report.num_runs == 2);
    EXPECT(report.retention >= report.retention_min && retention[T - 1] > 0.99 && overlap[T - 1] > 0.99);
    for (a = 1; a < T; a++) EXPECT(counts[a] <= counts[a - 1]);
    goal.budget = 0;
    goal.retention = 0.5;
    OK(gi_calibrate((const gi_session *const *)runs, 2, &goal, counts, T, NULL, NULL, &report, sizeof report));
    EXPECT(report.retention >= 0.5);
    EXPECT_STATUS(gi_calibrate((const gi_session *const *)runs, 2, &goal, counts, T - 1, NULL, NULL, NULL, 0),
                  GI_ERR_ARGUMENT, "capacity");
    goal.retention = 2;
    EXPECT_STATUS(gi_calibrate((const gi_session *const *)runs, 2, &goal, counts, T, NULL, NULL, NULL, 0),
                  GI_ERR_ARGUMENT, "retention = 2");
    goal.budget = 0.5;
    EXPECT_STATUS(gi_calibrate((const gi_session *const *)runs, 2, &goal, counts, T, NULL, NULL, NULL, 0),
                  GI_ERR_ARGUMENT, "set exactly one");
    goal.retention = 0;
    goal.budget = 0.01;
    EXPECT_STATUS(gi_calibrate((const gi_session *const *)runs, 2, &goal, counts, T, NULL, NULL, NULL, 0),
                  GI_ERR_ARGUMENT, "needs 21");
    goal.budget = 0.8;
    runs[1] = runs[0];
    EXPECT_STATUS(gi_calibrate((const gi_session *const *)runs, 2, &goal, counts, T, NULL, NULL, NULL, 0),
                  GI_ERR_ARGUMENT, "repeats");
    EXPECT_STATUS(gi_calibrate(NULL, 1, &goal, counts, T, NULL, NULL, NULL, 0), GI_ERR_ARGUMENT, "runs is NULL");
    s = make_session(M, K, T); /* not a full run */
    runs[1] = s;
    EXPECT_STATUS(gi_calibrate((const gi_session *const *)runs, 2, &goal, counts, T, NULL, NULL, NULL, 0),
                  GI_ERR_STATE, "not done");
    gi_session_destroy(s);
    EXPECT_STATUS(gi_calibrate((const gi_session *const *)runs, 2, &goal, counts, T, NULL, NULL, NULL, 0),
                  GI_ERR_HANDLE, "not a live session");

    /* Save, load, and create a session from the file. */
    goal.budget = 0.8;
    OK(gi_calibrate((const gi_session *const *)runs, 1, &goal, counts, T, NULL, NULL, &report, sizeof report));
    OK(gi_schedule_save(path, M, K, T, 0.5, counts, &report, sizeof report));
    OK(gi_schedule_load(path, &m, &k, &t, &lam, loaded, T, &n));
    EXPECT(m == M && k == K && t == T && lam == 0.5 && n == T && memcmp(loaded, counts, sizeof counts) == 0);
    OK(gi_schedule_load(path, NULL, NULL, NULL, NULL, NULL, 0, &n));
    EXPECT(n == T);
    EXPECT_STATUS(gi_schedule_load("build/does-not-exist.json", &m, &k, &t, &lam, loaded, T, &n), GI_ERR_ARGUMENT,
                  "cannot read");
    EXPECT_STATUS(gi_schedule_save(path, M, K, T, INFINITY, counts, NULL, 0), GI_ERR_ARGUMENT, "lambda");
    loaded[1] = M + 1;
    EXPECT_STATUS(gi_schedule_save(path, M, K, T, 0.5, loaded, NULL, 0), GI_ERR_ARGUMENT, "survivor_counts[1]");
    OK(gi_options_init(&o, sizeof o));
    o.num_candidates = M;
    o.group_size = K;
    o.num_steps = T;
    o.schedule = GI_SCHEDULE_COUNTS;
    o.schedule_file = path;
    o.lambda = 2;
    EXPECT_STATUS(gi_session_create(&o, &s), GI_ERR_ARGUMENT, "calibrated for lambda = 0.5");
    o.lambda = 0.5;
    OK(gi_session_create(&o, &s));
    OK(gi_add_unary_scorer(s, "q", 1, quality, &h, NULL, NULL));
    OK(gi_set_denoiser(s, denoise, &h, NULL));
    OK(gi_run(s));
    OK(gi_get_progress(s, &p, sizeof p));
    EXPECT(p.evaluations == report.evaluations);
    gi_session_destroy(s);
    o.num_candidates = M + 1;
    EXPECT_STATUS(gi_session_create(&o, &s), GI_ERR_ARGUMENT, "is for M = 12");
    o.num_candidates = M;
    o.survivor_counts = counts;
    EXPECT_STATUS(gi_session_create(&o, &s), GI_ERR_ARGUMENT, "both set");

    /* The adaptive schedule keeps within its budget. */
    OK(gi_options_init(&o, sizeof o));
    o.num_candidates = M;
    o.group_size = K;
    o.num_steps = T;
    o.schedule = GI_SCHEDULE_ADAPTIVE;
    o.budget = 0.6;
    OK(gi_session_create(&o, &s));
    OK(gi_add_unary_scorer(s, "q", 1, quality, &h, NULL, NULL));
    OK(gi_add_embedding_scorer(s, "e", 1, DIM, look, &h, NULL, NULL));
    OK(gi_set_denoiser(s, denoise, &h, NULL));
    OK(gi_run(s));
    OK(gi_get_progress(s, &p, sizeof p));
    EXPECT(p.done && p.evaluations <= (int64_t)(0.6 * M * T) && p.num_records == T);
    gi_session_destroy(s);
    o.budget = 0.1;
    EXPECT_STATUS(gi_session_create(&o, &s), GI_ERR_ARGUMENT, "raise budget");
    o.budget = 0.6;
    o.reserved = 1;
    EXPECT_STATUS(gi_session_create(&o, &s), GI_ERR_ARGUMENT, "reserved");
    gi_session_destroy(runs[0]);
}

/* --- one-shot solve --------------------------------------------------------------- */

/* Brute force over all k-subsets of n (small n). */
static double brute_force(int n, const double *u, const double *b, double lambda, int k) {
    double best = -INFINITY;
    unsigned mask;
    for (mask = 0; mask < (1u << n); mask++) {
        int i, j, c = 0;
        double v = 0;
        for (i = 0; i < n; i++) c += (mask >> i) & 1;
        if (c != k) continue;
        for (i = 0; i < n; i++) {
            if (!((mask >> i) & 1)) continue;
            v += u[i];
            for (j = i + 1; j < n; j++)
                if ((mask >> j) & 1) v += lambda * b[i * n + j];
        }
        if (v > best) best = v;
    }
    return best;
}

static void test_solve(void) {
    enum { N = 10, BIG = 40 };
    double u[BIG], b[BIG * BIG];
    int32_t sel[BIG];
    gi_solve_result res;
    gi_options o;
    int i, j, trial;
    unsigned seed = 12345;
    for (trial = 0; trial < 30; trial++) {
        int k = 1 + trial % (N - 1);
        double lambda = (trial % 3 == 0) ? -0.5 : 1.5;
        double best;
        for (i = 0; i < N; i++) {
            seed = seed * 1103515245u + 12345u;
            u[i] = (double)(seed >> 16 & 0x7fff) / 32768.0;
            for (j = 0; j <= i; j++) {
                seed = seed * 1103515245u + 12345u;
                b[i * N + j] = b[j * N + i] = i == j ? 0 : (double)(seed >> 16 & 0x7fff) / 16384.0 - 1.0;
            }
        }
        OK(gi_options_init(&o, sizeof o));
        o.solver = trial % 2 ? GI_SOLVER_EXACT : GI_SOLVER_AUTO;
        OK(gi_solve_qip(N, u, b, lambda, k, &o, sel, &res, sizeof res));
        best = brute_force(N, u, b, lambda, k);
        EXPECT(res.status == GI_SOLVE_OPTIMAL);
        EXPECT(fabs(res.objective - best) <= 1e-9 * fmax(1, fabs(best)));
        for (i = 1; i < k; i++) EXPECT(sel[i - 1] < sel[i]);
    }
    OK(gi_solve_qip(N, u, b, 1, 2, NULL, sel, NULL, 0)); /* defaults, no result */

    EXPECT_STATUS(gi_solve_qip(0, u, b, 1, 1, NULL, sel, NULL, 0), GI_ERR_ARGUMENT, "n = 0");
    EXPECT_STATUS(gi_solve_qip(GI_MAX_CANDIDATES + 1, u, b, 1, 1, NULL, sel, NULL, 0), GI_ERR_LIMIT, "n =");
    EXPECT_STATUS(gi_solve_qip(N, NULL, b, 1, 1, NULL, sel, NULL, 0), GI_ERR_ARGUMENT, "unary is NULL");
    EXPECT_STATUS(gi_solve_qip(N, u, NULL, 1, 1, NULL, sel, NULL, 0), GI_ERR_ARGUMENT, "pairwise is NULL");
    EXPECT_STATUS(gi_solve_qip(N, u, b, 1, 1, NULL, NULL, NULL, 0), GI_ERR_ARGUMENT, "selection is NULL");
    EXPECT_STATUS(gi_solve_qip(N, u, b, 1, 0, NULL, sel, NULL, 0), GI_ERR_ARGUMENT, "k = 0");
    EXPECT_STATUS(gi_solve_qip(N, u, b, 1, N + 1, NULL, sel, NULL, 0), GI_ERR_ARGUMENT, "k = 11");
    EXPECT_STATUS(gi_solve_qip(N, u, b, NAN, 2, NULL, sel, NULL, 0), GI_ERR_ARGUMENT, "lambda");
    EXPECT_STATUS(gi_solve_qip(N, u, b, 1, 2, NULL, sel, &res, 8), GI_ERR_VERSION, "result_size = 8");
    b[1] += 0.5; /* asymmetric */
    EXPECT_STATUS(gi_solve_qip(N, u, b, 1, 2, NULL, sel, NULL, 0), GI_ERR_ARGUMENT, "neither symmetric nor strictly triangular");
    b[1] = b[N];
    u[3] = INFINITY;
    EXPECT_STATUS(gi_solve_qip(N, u, b, 1, 2, NULL, sel, NULL, 0), GI_ERR_SCORES, "unary[3]");
    u[3] = 0.5;
    b[2 * N + 5] = b[5 * N + 2] = NAN;
    EXPECT_STATUS(gi_solve_qip(N, u, b, 1, 2, NULL, sel, NULL, 0), GI_ERR_SCORES, "not finite");
    b[2 * N + 5] = b[5 * N + 2] = 0.25;

    /* GLPK parameters at their extremes are clamped or refused before GLPK. */
    OK(gi_options_init(&o, sizeof o));
    o.solver = GI_SOLVER_EXACT;
    o.time_limit = 1e300;
    o.mip_gap = 0.999;
    OK(gi_solve_qip(N, u, b, 1, 4, &o, sel, &res, sizeof res));
    o.mip_gap = -0.1;
    EXPECT_STATUS(gi_solve_qip(N, u, b, 1, 4, &o, sel, &res, sizeof res), GI_ERR_ARGUMENT, "mip_gap");
    o.mip_gap = 0;
    o.solver = -1;
    EXPECT_STATUS(gi_solve_qip(N, u, b, 1, 4, &o, sel, &res, sizeof res), GI_ERR_ARGUMENT, "solver");

    /* A halving step with a tiny budget: exact cannot prove it, says so. */
    for (i = 0; i < BIG; i++) {
        u[i] = 0.3;
        for (j = 0; j < BIG; j++) b[i * BIG + j] = i == j ? 0 : 0.5 + 0.4 * sin((double)(i * 31 + j * 17) * (i + j));
    }
    for (i = 0; i < BIG; i++)
        for (j = 0; j < i; j++) b[i * BIG + j] = b[j * BIG + i];
    OK(gi_options_init(&o, sizeof o));
    o.solver = GI_SOLVER_EXACT;
    o.time_limit = 0.001;
    EXPECT_STATUS(gi_solve_qip(BIG, u, b, 1, BIG / 2, &o, sel, &res, sizeof res), GI_WARNING, "time limit");
    EXPECT(res.status == GI_SOLVE_TIME_LIMIT && res.bound >= res.objective && res.gap > 0);
    o.solver = GI_SOLVER_HEURISTIC;
    OK(gi_solve_qip(BIG, u, b, 1, BIG / 2, &o, sel, &res, sizeof res));
    EXPECT(res.status == GI_SOLVE_HEURISTIC && res.nodes == 0);
}

int main(void) {
    test_version_and_status();
    test_options();
    test_handles();
    test_scorers();
    test_callback_failures();
    test_pushes();
    test_results_and_trace();
    test_calibration();
    test_solve();
    if (failures) {
        fprintf(stderr, "api_test: %d of %d checks failed\n", failures, checks);
        return 1;
    }
    printf("api_test: %d checks passed\n", checks);
    return 0;
}

/*
** prune_alloc_test.c - a session's scoring allocates nothing once it has
** scored once (issue 13, target 3), counted at malloc itself.
**
** Every allocation of the process goes through tests/c/alloc_count.h. A host
** loop scores M = 1024 candidates with D = 768 embeddings (pushed, and from a
** callback), a pairwise callback and unary callbacks, halving them after
** every step. The first and the last scorer are unary callbacks that read the
** allocation counter when they are called: everything between - the other
** scorers' callbacks, checks, Gram matrices, the fused passes - is the scoring
** path, and from the second scoring on it must allocate nothing. Every step
** after the first must also make no allocation of 64 KiB or more (what is left
** is O(n) bookkeeping: the trace record, the solver's index arrays).
** OpenBLAS runs on one thread: its threaded kernels allocate job tables of
** their own.
*/
#define _POSIX_C_SOURCE 200809L
#include <group_inference.h>

#include "alloc_count.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

enum { M = 1024, D = 768, STEPS = 4, BIG = 64 * 1024 };

static int failures = 0;
#define EXPECT(cond, ...)                                                       \
    do {                                                                        \
        if (!(cond)) {                                                          \
            failures++;                                                         \
            fprintf(stderr, "prune_alloc_test:%d: FAILED: ", __LINE__);          \
            fprintf(stderr, __VA_ARGS__);                                       \
            fprintf(stderr, "\n");                                              \
        }                                                                       \
    } while (0)
#define CHECK(call)                                                             \
    do {                                                                        \
        gi_status rc_ = (call);                                                 \
        if (rc_ != GI_OK) {                                                     \
            fprintf(stderr, "prune_alloc_test:%d: %s -> %d: %s\n", __LINE__, #call, \
                    (int)rc_, gi_last_error());                                 \
            exit(1);                                                            \
        }                                                                       \
    } while (0)

static float feature(int id, int t) { return (float)((id * 7 + t * 3) % 11 + 1 + (id % 5 == t % 5) * 4); }

/* The sentinels: the first scorer marks where scoring starts, the last one
** where its scorers end. */
static alloc_counts opened, closed;
static int open_calls, close_calls;

static int open_fn(void *user, int32_t step, const int32_t *ids, size_t n, double *out) {
    (void)user, (void)step;
    opened = alloc_now();
    open_calls++;
    for (size_t a = 0; a < n; a++) out[a] = 0.3 + 0.001 * (ids[a] % 89);
    return 0;
}

static int close_fn(void *user, int32_t step, const int32_t *ids, size_t n, double *out) {
    (void)user, (void)step;
    closed = alloc_now();
    close_calls++;
    for (size_t a = 0; a < n; a++) out[a] = 0.1 * (ids[a] % 3);
    return 0;
}

static int embedding_fn(void *user, int32_t step, const int32_t *ids, size_t n, size_t dim, float *out) {
    (void)user, (void)step;
    for (size_t a = 0; a < n; a++)
        for (size_t t = 0; t < dim; t++) out[a * dim + t] = feature(ids[a] * 3 + 1, (int)t);
    return 0;
}

/* Upper triangular, as the paper's reference code builds it. */
static int pairwise_fn(void *user, int32_t step, const int32_t *ids, size_t n, double *out) {
    (void)user, (void)step;
    for (size_t a = 0; a < n; a++)
        for (size_t b = 0; b < n; b++) out[a * n + b] = b > a ? 1.0 / (1 + abs(ids[a] - ids[b]) % 17) : 0;
    return 0;
}

static void run(int normalize) {
    gi_options o;
    CHECK(gi_options_init(&o, sizeof o));
    o.num_candidates = M;
    o.group_size = 4;
    o.num_steps = STEPS;
    o.solver = GI_SOLVER_HEURISTIC;
    o.lambda = 0.25;
    o.normalize = normalize;
    gi_session *s;
    CHECK(gi_session_create(&o, &s));
    int32_t pushed;
    CHECK(gi_add_unary_scorer(s, "open", 1, open_fn, NULL, NULL, NULL));
    CHECK(gi_add_embedding_scorer(s, "pushed", 1, D, NULL, NULL, NULL, &pushed));
    CHECK(gi_add_embedding_scorer(s, "computed", 0.5, D, embedding_fn, NULL, NULL, NULL));
    CHECK(gi_add_pairwise_scorer(s, "pairs", 0.25, pairwise_fn, NULL, NULL, NULL));
    CHECK(gi_add_unary_scorer(s, "close", 1, close_fn, NULL, NULL, NULL));

    int32_t *ids = malloc(M * sizeof *ids);
    float *emb = malloc((size_t)M * D * sizeof *emb);
    for (int step = 0; step < STEPS; step++) {
        size_t n;
        CHECK(gi_survivors(s, ids, M, &n));
        for (size_t a = 0; a < n; a++)
            for (int t = 0; t < D; t++) emb[a * D + t] = feature(ids[a], t);
        CHECK(gi_push_embeddings(s, pushed, ids, n, D, emb));

        int before = open_calls;
        alloc_largest_reset();
        alloc_counts start = alloc_now();
        CHECK(gi_step(s));
        alloc_counts whole = alloc_since(start);
        EXPECT(open_calls == before + 1 && close_calls == open_calls, "step %d: the sentinels were not called", step);
        long long scoring = (long long)(closed.calls - opened.calls);
        long long scoring_bytes = (long long)(closed.bytes - opened.bytes);
        printf("prune_alloc_test: normalize %d, step %d, n = %4zu: scoring path %lld allocations (%lld KiB); "
               "whole step %lld allocations (%lld KiB), largest %lld bytes\n",
               normalize, step, n, scoring, scoring_bytes / 1024, (long long)whole.calls,
               (long long)whole.bytes / 1024, (long long)whole.largest);
        if (step > 0) {
            EXPECT(scoring == 0, "step %d: the scoring path allocated %lld times (%lld bytes)", step, scoring,
                   scoring_bytes);
            EXPECT(whole.largest < BIG, "step %d: an allocation of %lld bytes", step, (long long)whole.largest);
        }
    }
    gi_progress p;
    CHECK(gi_get_progress(s, &p, sizeof p));
    EXPECT(p.done == 1, "the session did not finish");
    free(ids);
    free(emb);
    gi_session_destroy(s);
}

int main(int argc, char **argv) {
    (void)argc;
    /* OpenBLAS reads its thread count when it loads: run again with one. */
    if (!getenv("OPENBLAS_NUM_THREADS")) {
        setenv("OPENBLAS_NUM_THREADS", "1", 1);
        execv("/proc/self/exe", argv);
        perror("prune_alloc_test: execv");
        return 1;
    }
    run(GI_NORMALIZE_NONE);
    run(GI_NORMALIZE_ZSCORE);
    if (failures) {
        fprintf(stderr, "prune_alloc_test: %d checks FAILED\n", failures);
        return 1;
    }
    printf("prune_alloc_test: from the second scoring on, scoring allocates nothing\n");
    return 0;
}

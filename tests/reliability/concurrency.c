/*
** concurrency.c - 16 sessions on 8 threads (pthreads). Each thread drives two
** sessions, stepping them alternately to the end - half with the exact
** branch and bound (GI_SOLVER_EXACT), half with GLPK (GI_SOLVER_MIP) - and
** makes one-shot gi_solve_qip calls with every solver. Problems are small
** enough to be proven within the time limit, so every result is
** deterministic: the threaded results must equal those of the same work done
** serially on the main thread, bit for bit.
**
** Also: gi_last_error() is per thread (each thread checks the text of its own
** failing calls while the others run), and two threads calling into one
** session at once get GI_OK or GI_ERR_STATE, never a crash.
**
** Threads end after their work, so the library's pthread-key destructors run
** (the GLPK environment of each thread, the last-error text): run under
** valgrind --leak-check=full, no definite leak may remain.
**
** Build: cc -std=c99 -pthread ... concurrency.c -lgroupinference -lm
** Under TSan: clang -fsanitize=thread, ideally against the TSan-instrumented
** library (.build-tsan); see tests/reliability/run.sh.
**   --quick   4 threads x 2 sessions (for valgrind)
*/
#define _DEFAULT_SOURCE 1
#define _POSIX_C_SOURCE 200809L

#include <group_inference.h>

#include <math.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { SESSIONS = 16, THREADS = 8, M = 16, K = 4, T = 4, DIM = 6, QIPS = 4, QN = 12, QK = 5 };

typedef struct outcome {
    gi_status status;
    int32_t ids[K];
    size_t n, records;
    double objective;
    int64_t evaluations;
    int32_t kept[T + 2][M];
    size_t kept_n[T + 2];
    int32_t solve_status[T + 2];
    int32_t qip_sel[QIPS][QK];
    double qip_obj[QIPS];
    int32_t qip_status[QIPS];
    int errors_ok; /* the thread's own error messages were its own */
} outcome;

typedef struct data {
    int index;
    double quality[M];
    float look[M][DIM];
} data;

static data datas[SESSIONS];
static outcome serial[SESSIONS], threaded[SESSIONS];

static uint64_t mix(uint64_t x) {
    x ^= x >> 33;
    x *= 0xff51afd7ed558ccdULL;
    x ^= x >> 33;
    x *= 0xc4ceb9fe1a85ec53ULL;
    x ^= x >> 33;
    return x;
}
static double unit(uint64_t seed) { return (double)(mix(seed) >> 11) / 9007199254740992.0; }

static void make_data(int i) {
    int c, d;
    data *x = &datas[i];
    x->index = i;
    for (c = 0; c < M; c++) {
        x->quality[c] = 0.2 + 0.2 * unit((uint64_t)i * 1000 + (uint64_t)c);
        for (d = 0; d < DIM; d++) x->look[c][d] = (float)(unit((uint64_t)i * 77777 + (uint64_t)c * 31 + (uint64_t)d) - 0.3);
    }
}

/* Scores drift a little with the step, as previews sharpen. */
static int quality(void *user, int32_t step, const int32_t *ids, size_t n, double *out) {
    data *x = user;
    size_t a;
    for (a = 0; a < n; a++) out[a] = x->quality[ids[a]] * (1.0 + 0.05 * (step + 1) * unit((uint64_t)ids[a] + 99));
    return 0;
}
static int look(void *user, int32_t step, const int32_t *ids, size_t n, size_t dim, float *out) {
    data *x = user;
    size_t a, d;
    (void)step;
    for (a = 0; a < n; a++)
        for (d = 0; d < dim; d++) out[a * dim + d] = x->look[ids[a]][d];
    return 0;
}
static int denoise(void *user, int32_t step, const int32_t *ids, size_t n) {
    (void)user; (void)step; (void)ids; (void)n;
    return 0;
}

static gi_session *make_session(int i) {
    gi_options o;
    gi_session *s = NULL;
    gi_options_init(&o, sizeof o);
    o.num_candidates = M;
    o.group_size = K;
    o.num_steps = T;
    o.lambda = 0.5 + 0.1 * (i % 5);
    o.solver = i % 2 ? GI_SOLVER_MIP : GI_SOLVER_EXACT;
    o.time_limit = 120; /* never reached: results are proven, hence deterministic */
    o.seed = (uint64_t)i;
    o.trace_every_step = 1;
    if (gi_session_create(&o, &s) != GI_OK) {
        fprintf(stderr, "session %d: %s\n", i, gi_last_error());
        exit(2);
    }
    gi_add_unary_scorer(s, "quality", 1.0, quality, &datas[i], NULL, NULL);
    gi_add_embedding_scorer(s, "look", 0.7, DIM, look, &datas[i], NULL, NULL);
    gi_set_denoiser(s, denoise, &datas[i], NULL);
    return s;
}

static void finish(gi_session *s, outcome *out) {
    gi_progress p;
    size_t r;
    gi_result_ids(s, out->ids, K, &out->n);
    gi_get_progress(s, &p, sizeof p);
    out->objective = p.objective;
    out->evaluations = p.evaluations;
    gi_trace_count(s, &out->records);
    for (r = 0; r < out->records && r < T + 2; r++) {
        gi_step_record rec;
        gi_trace_kept(s, r, out->kept[r], M, &out->kept_n[r]);
        gi_trace_record(s, r, &rec, sizeof rec);
        out->solve_status[r] = rec.solve_status;
    }
}

static void one_shot(int i, outcome *out) {
    double u[QN], b[QN * QN];
    int q, a, c;
    for (a = 0; a < QN; a++) {
        u[a] = unit((uint64_t)i * 555 + (uint64_t)a);
        for (c = 0; c <= a; c++)
            b[a * QN + c] = b[c * QN + a] = a == c ? 0 : unit((uint64_t)i * 999 + (uint64_t)(a * QN + c)) - 0.2;
    }
    for (q = 0; q < QIPS; q++) {
        gi_options o;
        gi_solve_result r;
        gi_options_init(&o, sizeof o);
        o.solver = q; /* auto, exact, heuristic, mip */
        o.time_limit = 120;
        out->qip_status[q] = gi_solve_qip(QN, u, b, 0.8, QK, &o, out->qip_sel[q], &r, sizeof r);
        out->qip_obj[q] = r.objective;
    }
}

/* A failing call's text belongs to this thread only. */
static int own_errors(gi_session *s, int i) {
    char want[64];
    int ok = 1;
    gi_step_record rec;
    if (gi_trace_record(s, (size_t)(1000 + i), &rec, sizeof rec) != GI_ERR_ARGUMENT) ok = 0;
    snprintf(want, sizeof want, "index = %d", 1000 + i);
    if (strstr(gi_last_error(), want) == NULL) ok = 0;
    return ok;
}

static void drive(const int *which, int count, outcome *outs) {
    gi_session *s[2];
    int j, alive = count;
    gi_progress p;
    for (j = 0; j < count; j++) {
        s[j] = make_session(which[j]);
        memset(&outs[which[j]], 0, sizeof outs[which[j]]);
        outs[which[j]].errors_ok = own_errors(s[j], which[j]);
    }
    while (alive > 0) {
        alive = 0;
        for (j = 0; j < count; j++) {
            gi_get_progress(s[j], &p, sizeof p);
            if (p.done) continue;
            alive++;
            outs[which[j]].status = gi_step(s[j]);
            if (outs[which[j]].status < 0) {
                fprintf(stderr, "session %d: %s\n", which[j], gi_last_error());
                return;
            }
            if (!own_errors(s[j], which[j])) outs[which[j]].errors_ok = 0;
        }
    }
    for (j = 0; j < count; j++) {
        finish(s[j], &outs[which[j]]);
        one_shot(which[j], &outs[which[j]]);
        gi_session_destroy(s[j]);
    }
}

typedef struct task {
    int which[2];
    int count;
} task;

static void *thread_main(void *arg) {
    task *t = arg;
    drive(t->which, t->count, threaded);
    return NULL;
}

/* Two threads on one session: each call is GI_OK or GI_ERR_STATE (busy). */
static gi_session *shared;
static long busy_seen[2], bad_status[2];
static pthread_barrier_t start_line;
static void *hammer(void *arg) {
    long id = (long)(intptr_t)arg, k;
    pthread_barrier_wait(&start_line);
    for (k = 0; k < 200000 && busy_seen[id] < 50; k++) {
        gi_progress p;
        int32_t ids[M];
        size_t n;
        gi_status st = k % 2 ? gi_get_progress(shared, &p, sizeof p) : gi_survivors(shared, ids, M, &n);
        if (st == GI_ERR_STATE) busy_seen[id]++;
        else if (st != GI_OK) bad_status[id]++;
    }
    return NULL;
}

static int same(const outcome *a, const outcome *b) {
    size_t r;
    int q;
    if (a->status != b->status || a->n != b->n || memcmp(a->ids, b->ids, sizeof a->ids) != 0) return 0;
    if (memcmp(&a->objective, &b->objective, sizeof a->objective) != 0) return 0; /* bit for bit */
    if (a->evaluations != b->evaluations || a->records != b->records) return 0;
    for (r = 0; r < a->records && r < T + 2; r++)
        if (a->kept_n[r] != b->kept_n[r] || memcmp(a->kept[r], b->kept[r], a->kept_n[r] * sizeof(int32_t)) != 0 ||
            a->solve_status[r] != b->solve_status[r])
            return 0;
    for (q = 0; q < QIPS; q++)
        if (a->qip_status[q] != b->qip_status[q] || memcmp(a->qip_sel[q], b->qip_sel[q], sizeof a->qip_sel[q]) != 0 ||
            memcmp(&a->qip_obj[q], &b->qip_obj[q], sizeof(double)) != 0)
            return 0;
    return 1;
}

int main(int argc, char **argv) {
    int quick = argc > 1 && strcmp(argv[1], "--quick") == 0;
    int threads = quick ? 4 : THREADS, sessions = 2 * threads;
    pthread_t tid[THREADS], h[2];
    task tasks[THREADS];
    int i, failures = 0, optimal = 0, solves = 0;
    for (i = 0; i < SESSIONS; i++) make_data(i);

    /* serially, on the main thread */
    for (i = 0; i < sessions; i++) {
        int one[1];
        one[0] = i;
        drive(one, 1, serial);
    }
    /* 8 threads, each stepping two sessions alternately */
    for (i = 0; i < threads; i++) {
        tasks[i].which[0] = i;
        tasks[i].which[1] = i + threads;
        tasks[i].count = 2;
        if (pthread_create(&tid[i], NULL, thread_main, &tasks[i]) != 0) return 2;
    }
    for (i = 0; i < threads; i++) pthread_join(tid[i], NULL);

    for (i = 0; i < sessions; i++) {
        size_t r;
        if (!same(&serial[i], &threaded[i])) {
            failures++;
            fprintf(stderr, "session %d: threaded result differs from the serial one (objective %.17g vs %.17g)\n", i,
                    threaded[i].objective, serial[i].objective);
        }
        if (serial[i].status != GI_OK || !threaded[i].errors_ok || !serial[i].errors_ok) {
            failures++;
            fprintf(stderr, "session %d: status %d, own errors %d/%d\n", i, (int)serial[i].status,
                    serial[i].errors_ok, threaded[i].errors_ok);
        }
        for (r = 0; r < serial[i].records && r < T + 2; r++) {
            if (serial[i].solve_status[r] == GI_SOLVE_NONE) continue;
            solves++;
            optimal += serial[i].solve_status[r] == GI_SOLVE_OPTIMAL;
        }
    }
    if (optimal != solves) {
        failures++;
        fprintf(stderr, "only %d of %d prunes proven: results would depend on timing\n", optimal, solves);
    }

    /* one session, two threads at once */
    shared = make_session(0);
    pthread_barrier_init(&start_line, NULL, 2);
    pthread_create(&h[0], NULL, hammer, (void *)(intptr_t)0);
    pthread_create(&h[1], NULL, hammer, (void *)(intptr_t)1);
    pthread_join(h[0], NULL);
    pthread_join(h[1], NULL);
    if (bad_status[0] || bad_status[1]) {
        failures++;
        fprintf(stderr, "concurrent calls on one session gave statuses other than OK/STATE\n");
    }
    gi_session_destroy(shared);
    pthread_barrier_destroy(&start_line);

    printf("concurrency: %d sessions on %d threads (EXACT and MIP, %d prunes, all proven) + %d gi_solve_qip calls: "
           "%s; one session from 2 threads: %ld calls refused as busy, no other status\n",
           sessions, threads, solves, sessions * QIPS, failures ? "MISMATCH" : "identical to the serial run",
           busy_seen[0] + busy_seen[1]);
    return failures ? 1 : 0;
}

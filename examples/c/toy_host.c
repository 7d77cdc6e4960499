/*
** toy_host.c - a complete host of libgroupinference in plain C.
**
** It plays the part of an image generator: M candidates, each a point in a
** small feature space, start as noise and move toward their final state over
** T denoising steps; the "preview" x0_hat(t) is where each one is heading, as
** blurred as the step is early. The library decides after each step which
** candidates are worth denoising further, so that only K reach the end.
**
** Scorers: quality (unary) rewards candidates whose final state lands near
** one of a few "good" modes, as a CLIP score would; diversity (embedding)
** hands the previews to the library, which turns them into 1 - cos distances.
**
** Build: cc -std=c99 -Wall -Wextra -Werror -pedantic toy_host.c \
**            $(pkg-config --cflags --libs groupinference) -lm
*/
#include <group_inference.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { M = 32, K = 4, T = 12, DIM = 8, MODES = 4 };

typedef struct host {
    float target[M][DIM];  /* where each candidate ends up */
    float state[M][DIM];   /* its latent now */
    int steps_done[M];
    long model_calls;
    float modes[MODES][DIM];
} host;

/* A small deterministic generator, so every run prints the same. */
static unsigned long long rng_state = 0x9E3779B97F4A7C15ULL;
static double uniform(void) {
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return (double)(rng_state >> 11) / 9007199254740992.0;
}
static double gaussian(void) {
    double u = uniform() + 1e-12, v = uniform();
    return sqrt(-2.0 * log(u)) * cos(6.283185307179586 * v);
}

static void host_init(host *h) {
    int i, d, m;
    memset(h, 0, sizeof *h);
    for (m = 0; m < MODES; m++)
        for (d = 0; d < DIM; d++) h->modes[m][d] = (float)gaussian();
    for (i = 0; i < M; i++) {
        /* Most candidates fall near a mode (mode 0 more often), some nowhere. */
        m = (int)(uniform() * MODES * 1.5);
        for (d = 0; d < DIM; d++) {
            double centre = m < MODES ? h->modes[m][d] : 0.0;
            h->target[i][d] = (float)(centre + 0.35 * gaussian());
            h->state[i][d] = (float)gaussian(); /* pure noise */
        }
    }
}

/* The denoiser: one model evaluation per candidate moves it 1/(T - t) of the
** remaining way to its target. */
static int denoise(void *user, int32_t step, const int32_t *ids, size_t n) {
    host *h = user;
    size_t a;
    int d;
    for (a = 0; a < n; a++) {
        int i = ids[a];
        float frac = 1.0f / (float)(T - step);
        for (d = 0; d < DIM; d++)
            h->state[i][d] += frac * (h->target[i][d] - h->state[i][d]);
        h->steps_done[i] = step + 1;
        h->model_calls++;
    }
    return 0;
}

/* Preview after the candidate's last step: its state. Early previews are
** still mostly noise, as real x0_hat estimates are blurry. */
static const float *preview(const host *h, int i) { return h->state[i]; }

/* Quality: closeness of the preview to the nearest mode. */
static int quality(void *user, int32_t step, const int32_t *ids, size_t n,
                   double *scores) {
    const host *h = user;
    size_t a;
    int m, d;
    (void)step;
    for (a = 0; a < n; a++) {
        const float *p = preview(h, ids[a]);
        double best = INFINITY;
        for (m = 0; m < MODES; m++) {
            double dist = 0.0;
            for (d = 0; d < DIM; d++) {
                double diff = p[d] - h->modes[m][d];
                dist += diff * diff;
            }
            if (dist < best) best = dist;
        }
        scores[a] = exp(-0.5 * best / DIM);
    }
    return 0;
}

/* Diversity: the preview itself as an embedding. */
static int features(void *user, int32_t step, const int32_t *ids, size_t n,
                    size_t dim, float *out) {
    const host *h = user;
    size_t a;
    (void)step;
    for (a = 0; a < n; a++)
        memcpy(out + a * dim, preview(h, ids[a]), dim * sizeof(float));
    return 0;
}

#define CHECK(call)                                                        \
    do {                                                                   \
        gi_status st_ = (call);                                            \
        if (st_ < 0) {                                                     \
            fprintf(stderr, "%s failed: %s\n", #call, gi_last_error());    \
            return 1;                                                      \
        }                                                                  \
    } while (0)

int main(void) {
    static host h;
    gi_options opts;
    gi_session *s = NULL;
    gi_progress progress;
    int32_t ids[K];
    double unary[K];
    size_t count = 0, r, nrec = 0;
    int a;

    if (gi_version_number() / 10000 != GI_VERSION_MAJOR) {
        fprintf(stderr, "library %s does not match header %s\n",
                gi_version_string(), GI_VERSION_STRING);
        return 1;
    }
    host_init(&h);

    CHECK(gi_options_init(&opts, sizeof opts));
    opts.num_candidates = M;
    opts.group_size = K;
    opts.num_steps = T;
    opts.lambda = 0.5;
    opts.prune_ratio = 0.5; /* reference schedule: halve after every step */
    CHECK(gi_session_create(&opts, &s));
    CHECK(gi_add_unary_scorer(s, "quality", 1.0, quality, &h, NULL, NULL));
    CHECK(gi_add_embedding_scorer(s, "diversity", 1.0, DIM, features, &h,
                                  NULL, NULL));
    CHECK(gi_set_denoiser(s, denoise, &h, NULL));
    CHECK(gi_run(s));

    CHECK(gi_result_ids(s, ids, K, &count));
    CHECK(gi_result_unary(s, unary, K, &count));
    CHECK(gi_get_progress(s, &progress, sizeof progress));
    CHECK(gi_trace_count(s, &nrec));

    printf("groupinference %s: %d candidates, group of %d, %d steps\n",
           gi_version_string(), M, K, T);
    printf("survivors per prune:");
    for (r = 0; r < nrec; r++) {
        gi_step_record rec;
        CHECK(gi_trace_record(s, r, &rec, sizeof rec));
        printf(" %d->%d", rec.num_scored, rec.num_kept);
    }
    printf("\nchosen group:");
    for (a = 0; a < (int)count; a++)
        printf(" #%d (quality %.3f)", ids[a], unary[a]);
    printf("\nobjective: %.4f\n", progress.objective);
    printf("model evaluations: %lld of %lld for denoising all (%.1f%% saved)\n",
           (long long)progress.evaluations,
           (long long)progress.naive_evaluations,
           100.0 * (1.0 - (double)progress.evaluations /
                              (double)progress.naive_evaluations));
    if (progress.evaluations != h.model_calls) {
        fprintf(stderr, "library counted %lld evaluations, host %ld\n",
                (long long)progress.evaluations, h.model_calls);
        return 1;
    }
    for (a = 0; a < (int)count; a++) {
        if (h.steps_done[ids[a]] != T) {
            fprintf(stderr, "candidate %d was not denoised to the end\n", ids[a]);
            return 1;
        }
    }
    gi_session_destroy(s);
    return 0;
}

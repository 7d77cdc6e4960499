/*
** group_inference.h - the C interface of libgroupinference.
**
** Group inference turns "generate K images for one prompt" into choosing a
** *group*: draw M candidate noises, denoise them step by step, and after a
** step keep only the candidates that form the best group - high individual
** quality (unary scores) and high mutual difference (pairwise scores) - by
** solving the quadratic integer program
**
**     maximize   sum_i u_i y_i  +  lambda * sum_{i<j} b_ij y_i y_j
**     subject to sum_i y_i = K',  y in {0,1}^n
**
** so that only K candidates are denoised to the end. The host owns the
** model, the latents, decoding and the scorers; only candidate ids
** (0..M-1), scores and embeddings cross this interface.
**
** Lifecycle:
**
**     gi_options o;  gi_options_init(&o, sizeof o);  o.num_candidates = 64;
**     gi_session *s;  gi_session_create(&o, &s);
**     gi_add_unary_scorer(s, "quality", 1.0, my_quality, ctx, NULL, NULL);
**     gi_set_denoiser(s, my_denoise, ctx, NULL);
**     gi_run(s);  gi_result_ids(s, ids, 4, &n);  gi_session_destroy(s);
**
** A complete host is examples/c/toy_host.c.
**
** Conventions
** - Every function that can fail returns a gi_status. On failure nothing the
**   caller passed is kept and gi_last_error() says what was wrong.
** - Arrays are passed as pointer + count. Output arrays take a capacity and
**   report the number of elements through `count`; pass NULL as the array to
**   ask only for the count.
** - Structs that may grow (options, records, results) travel with their
**   size: the caller passes sizeof as it compiled it, so a library and a
**   host built against different versions of this header still agree.
** - A session must not be used by two threads at the same time, nor from
**   inside one of its own callbacks (such calls fail with GI_ERR_STATE).
**   Different sessions may be used on different threads at once.
** - Each function's block lists every status it can return. "The session
**   errors" there stands for the three every session function shares:
**   GI_ERR_ARGUMENT (session NULL), GI_ERR_HANDLE (not a live session) and
**   GI_ERR_STATE (a call on it is already running: from one of its own
**   callbacks, or on another thread).
** - Nothing reachable from this interface aborts the host process.
** - The API before the "Experimental API" banner near the end is the stable
**   core; what follows the banner may still change during 0.x (see there).
*/
#ifndef GROUP_INFERENCE_H
#define GROUP_INFERENCE_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Section - Version ------------------------------------------------------ */

#define GI_VERSION_MAJOR 0
#define GI_VERSION_MINOR 3
#define GI_VERSION_PATCH 0
#define GI_VERSION_NUMBER \
    (GI_VERSION_MAJOR * 10000 + GI_VERSION_MINOR * 100 + GI_VERSION_PATCH)
#define GI_VERSION_STRING "0.3.0"

/* The run-time version, GI_VERSION_NUMBER of the library that was built. A
** host or binding compares it with the GI_VERSION_NUMBER it was compiled with:
** the major numbers must match and the library's minor must not be older.
** 0.2 added the adaptive and file-based schedules, calibration, diagnostics
** and GI_SOLVER_MIP; 0.3 added gi_discard, the progress hook
** (gi_set_progress, GI_ERR_CANCELLED), memory_limit, bound kinds, and the
** rule for triangular pairwise matrices. */
int32_t gi_version_number(void);

/* The run-time version as text, e.g. "0.2.0". Static storage. */
const char *gi_version_string(void);

/* Section - Limits ------------------------------------------------------- */

/* Sizes beyond these are refused with GI_ERR_LIMIT before anything is
** allocated. A session with M candidates keeps about 8*M*M bytes per
** pairwise scorer and 4*M*dim bytes per embedding scorer. */
#define GI_MAX_CANDIDATES 8192
#define GI_MAX_STEPS 100000
#define GI_MAX_EMBEDDING_DIM 16384
#define GI_MAX_SCORERS 64
/* Scores beyond this magnitude - |u_i| and |lambda * b_ij| after weighting -
** are refused (GI_ERR_SCORES): sums of n^2 of them stay far from float64's
** overflow, and from GLPK's numerical limits. */
#define GI_MAX_SCORE_MAGNITUDE 1e150
/* The exact solvers (EXACT keeps an n x n matrix per subproblem; MIP builds
** a GLPK model with n(n-1)/2 pair variables) are refused for more candidates
** than this; auto mode then spends its time_limit on tabu search alone. */
#define GI_MAX_EXACT_CANDIDATES 256

/* Section - Status and errors -------------------------------------------- */

typedef enum gi_status {
    GI_OK = 0,
    GI_WARNING = 1,        /* done, but an exact solve stopped before proving
                              optimality (time limit); see the records */
    GI_ERR_ARGUMENT = -1,  /* NULL pointer, value out of range, wrong size */
    GI_ERR_HANDLE = -2,    /* not a live session: destroyed, or never made
                              by gi_session_create */
    GI_ERR_STATE = -3,     /* call out of order (step after the last, results
                              before the end) or a re-entrant call */
    GI_ERR_SCORES = -4,    /* NaN/Inf score, zero-norm embedding, or scores
                              missing for a candidate */
    GI_ERR_CALLBACK = -5,  /* a scorer or the denoiser returned non-zero */
    GI_ERR_SOLVER = -6,    /* the MIP solver reported a failure */
    GI_ERR_LIMIT = -7,     /* a size beyond the limits above */
    GI_ERR_VERSION = -8,   /* a struct size this library does not support */
    GI_ERR_INTERNAL = -9,  /* a bug in the library; please report it */
    GI_ERR_CANCELLED = -10 /* the progress hook asked gi_run to stop; the
                              session is intact and gi_run or gi_step
                              continue where it stopped (since 0.3) */
} gi_status;

/* A short constant description of a status code ("invalid argument").
** Unknown codes give "unknown status". Static storage. */
const char *gi_status_string(gi_status status);

/* What the most recent call on this thread did wrong, in words that name the
** argument, scorer, candidate or step; "" after a call that returned GI_OK
** (after GI_WARNING it says what was not proven). The
** text belongs to the library and stays valid until the next call into the
** library on the same thread. Never NULL. */
const char *gi_last_error(void);

/* Section - Options ------------------------------------------------------ */

typedef enum gi_schedule {
    GI_SCHEDULE_RATIO = 0,    /* from first_prune_step on, after every step keep
                                 max(ceil(n*(1-prune_ratio)), K) - the reference */
    GI_SCHEDULE_COUNTS = 1,   /* keep survivor_counts[t] after step t, or the
                                 counts of schedule_file (see gi_calibrate) */
    GI_SCHEDULE_ADAPTIVE = 2  /* (experimental: see the Experimental API
                                 banner) score every step; keep each
                                 candidate that could still join the best
                                 group given how much the scores still move,
                                 within budget */
} gi_schedule;

typedef enum gi_solver {
    GI_SOLVER_AUTO = 0,      /* heuristic, then search for the rest of
                                time_limit: the exact search (alone for the
                                first half, then alternating with tabu
                                search) up to GI_MAX_EXACT_CANDIDATES, tabu
                                search beyond; returns at once when a proof
                                is done; never an error or warning for an
                                unfinished proof */
    GI_SOLVER_EXACT = 1,     /* branch and bound on concave-relaxation bounds,
                                warm-started by the heuristic, within
                                time_limit and mip_gap; GI_WARNING if the
                                proof is not done in time */
    GI_SOLVER_HEURISTIC = 2, /* greedy insertion + best-improvement swaps,
                                with a cheap bound; problems whose answer needs
                                no search (K = 1, K = n, lambda = 0) and those
                                the bound closes report GI_SOLVE_OPTIMAL */
    GI_SOLVER_MIP = 3        /* GLPK branch-and-cut on the linearisation
                                z_ij = y_i y_j strengthened by
                                sum_j z_ij = (K-1) y_i, warm-started by the
                                heuristic; the reference formulation, slower
                                than EXACT beyond a few dozen candidates;
                                GI_WARNING like EXACT */
} gi_solver;

typedef enum gi_normalize {
    GI_NORMALIZE_NONE = 0,   /* raw scores (the reference behaviour) */
    GI_NORMALIZE_ZSCORE = 1  /* each scorer z-scored over the candidates
                                scored at that step before weighting */
} gi_normalize;

/* Session and solver options. Initialise with gi_options_init, then change
** fields. Fields beyond the size the caller declares take their defaults. */
typedef struct gi_options {
    size_t struct_size;       /* sizeof(gi_options) as the caller compiled it;
                                 set by gi_options_init */
    int32_t num_candidates;   /* M, 1..GI_MAX_CANDIDATES (default 64) */
    int32_t group_size;       /* K, 1..M (default 4) */
    int32_t num_steps;        /* T, 1..GI_MAX_STEPS (default 20) */
    int32_t schedule;         /* a gi_schedule (default GI_SCHEDULE_RATIO) */
    double lambda;            /* weight of the pairwise term, finite
                                 (default 1.0) */
    double prune_ratio;       /* rho in [0, 1) for GI_SCHEDULE_RATIO
                                 (default 0.5) */
    int32_t first_prune_step; /* first step, 0-based, after which the ratio
                                 schedule prunes, 0..T-1 (default 0); T-1
                                 selects once, after denoising everyone */
    int32_t solver;           /* a gi_solver (default GI_SOLVER_AUTO) */
    const int32_t *survivor_counts; /* GI_SCHEDULE_COUNTS: num_steps entries,
                                 non-increasing, each in [K, M], the last one
                                 K. Copied by gi_session_create. */
    double time_limit;        /* seconds per solve, every solver, > 0
                                 (default 0.1); each returns within about
                                 1 % + 50 ms of it. AUTO searches until
                                 then unless it proves its answer first:
                                 prunes of more than GI_MAX_EXACT_CANDIDATES
                                 are never proven, so they take all of it */
    double mip_gap;           /* relative gap at which an exact solve may stop
                                 early, in [0, 1) (default 0: prove) */
    int32_t normalize;        /* a gi_normalize (default GI_NORMALIZE_NONE) */
    int32_t trace_every_step; /* 1: score the survivors after every step, also
                                 steps that do not prune, for diagnostics
                                 and calibration (default 0) */
    uint64_t seed;            /* seed of the tabu search and of the
                                 heuristic's restarts (default 0) */
    /* Since 0.2 (a 0.1 host's smaller struct gets these defaults). */
    double budget;            /* (experimental) GI_SCHEDULE_ADAPTIVE: model
                                 evaluations allowed,
                                 as a fraction of M*T, in (0, 1]; at least
                                 enough for M + K(T-1) (default 0.2); other
                                 schedules ignore it */
    const char *schedule_file; /* GI_SCHEDULE_COUNTS with survivor_counts
                                 NULL: a schedule written by gi_schedule_save,
                                 read at create; its M, K, T must match.
                                 Refused with any other schedule. */
    int32_t restarts;         /* rounds of iterated local search after the
                                 heuristic, perturbed by seed (default 0) */
    int32_t reserved;         /* zero */
    /* Since 0.3. */
    size_t memory_limit;      /* bytes the exact search may keep for its open
                                 nodes, at least 1 MiB (default 256 MiB);
                                 beyond it the search stops adding nodes to
                                 its open list and continues depth-first */
} gi_options;

/* Fill *options with the defaults above and set struct_size = size.
** @param options  the struct to fill
** @param size     sizeof(gi_options) as the caller compiled it; at least the
**                 size of version 0.1's struct (88 bytes)
** @return GI_OK, GI_ERR_ARGUMENT (NULL), GI_ERR_VERSION (size too small) */
gi_status gi_options_init(gi_options *options, size_t size);

/* Section - Session ------------------------------------------------------ */

/* An opaque session handle. Handles are never reused, so a destroyed one is
** recognised (GI_ERR_HANDLE) rather than dereferenced. */
typedef struct gi_session gi_session;

/* Create a session: M candidates with stable ids 0..M-1, all alive.
** @param options  NULL for all defaults; otherwise struct_size must be
**                 one this library knows, or larger with the unknown trailing
**                 bytes zero. survivor_counts is copied.
** @param session  receives the handle, or NULL on failure
** @return GI_OK, GI_ERR_ARGUMENT (session NULL, a field out of range, a
**         schedule_file that cannot be read or does not fit), GI_ERR_LIMIT
**         (M or T beyond the limits), GI_ERR_VERSION (struct_size) */
gi_status gi_session_create(const gi_options *options, gi_session **session);

/* Destroy a session and call the destroy hooks of its scorers, denoiser and
** progress hook. NULL and already destroyed handles are ignored. One set of
** the session's scoring buffers (about 8*M*M + 4*M*dim bytes) is kept for
** the next session the process creates, which then skips the cost of fresh
** pages. */
void gi_session_destroy(gi_session *session);

/* Section - Scorers ------------------------------------------------------ */

/* Callbacks receive the `user` pointer given at registration, the step whose
** previews they score (0-based; -1 before the first step), the candidate ids
** (ascending, alive) and room for the answer. They return 0 on success; any
** other value makes the driving call fail with GI_ERR_CALLBACK and is quoted
** in gi_last_error(). Every value written must be finite. `ids` and the
** output buffer belong to the library and are valid during the call only
** (keep no pointer to them); the output comes pre-filled with NaN, so a
** value not written is caught. */

/* Write one score per id into scores[0..n-1]; higher is better. */
typedef int (*gi_unary_fn)(void *user, int32_t step, const int32_t *ids,
                           size_t n, double *scores);

/* Write one embedding per id, row-major, into embeddings[0..n*dim-1]. The
** library turns them into distances 1 - cos(e_i, e_j) with BLAS; no row may
** be all zeros. */
typedef int (*gi_embedding_fn)(void *user, int32_t step, const int32_t *ids,
                               size_t n, size_t dim, float *embeddings);

/* Write an n x n row-major matrix of differences into matrix[0..n*n-1];
** higher is more different. The diagonal is ignored. The matrix must be
** either symmetric - |m_ij - m_ji| <= 1e-6 * max_{i!=j} |m_ij|, used as
** (m_ij + m_ji)/2 - or strictly triangular: every entry below the diagonal
** exactly 0 (or every entry above it), standing for the symmetric matrix
** with the other triangle mirrored, so an upper-triangular matrix does not
** halve lambda. Anything else fails the scoring with GI_ERR_SCORES, naming
** the first asymmetric pair. */
typedef int (*gi_pairwise_fn)(void *user, int32_t step, const int32_t *ids,
                              size_t n, double *matrix);

/* Called once when the library no longer needs `user`. */
typedef void (*gi_destroy_fn)(void *user);

/* Register a scorer. Scorers can be added only before the first gi_step or
** gi_prune. The combined unary score is sum_s weight_s * u_s, the combined
** pairwise score sum_s weight_s * b_s (after normalisation, if chosen).
** @param name      unique within the session, 1..255 bytes; copied
** @param weight    finite
** @param dim       (embedding scorers) length of each embedding,
**                  1..GI_MAX_EMBEDDING_DIM
** @param fn        the callback, or NULL for a scorer whose values the host
**                  pushes with gi_push_* (host-driven loops only)
** @param user      passed to fn and destroy
** @param destroy   NULL, or called exactly once with `user` when the session
**                  is destroyed - or at once if this call fails, so
**                  ownership of `user` always passes to the library
** @param scorer_id receives the scorer's index (0, 1, ...); may be NULL
** @return GI_OK, GI_ERR_ARGUMENT (name NULL, empty, too long or taken;
**         weight not finite; dim 0), GI_ERR_STATE (after the first gi_step
**         or gi_prune), GI_ERR_LIMIT (GI_MAX_SCORERS reached, dim beyond
**         GI_MAX_EMBEDDING_DIM), and the session errors */
gi_status gi_add_unary_scorer(gi_session *session, const char *name,
                              double weight, gi_unary_fn fn, void *user,
                              gi_destroy_fn destroy, int32_t *scorer_id);
gi_status gi_add_embedding_scorer(gi_session *session, const char *name,
                                  double weight, size_t dim,
                                  gi_embedding_fn fn, void *user,
                                  gi_destroy_fn destroy, int32_t *scorer_id);
gi_status gi_add_pairwise_scorer(gi_session *session, const char *name,
                                 double weight, gi_pairwise_fn fn, void *user,
                                 gi_destroy_fn destroy, int32_t *scorer_id);

/* Push values of a scorer registered with fn == NULL, for some alive
** candidates (ids distinct, in 0..M-1). Pushed values describe the current
** previews: they are used by the next scoring and forgotten when the
** previews change (when gi_step completes). Unary and embedding values may be
** pushed in several batches; a pairwise push covers the pairs among its ids
** and replaces the previous pairwise push of that scorer. A pushed pairwise
** matrix follows the rule of gi_pairwise_fn (symmetric, or strictly
** triangular).
** @return GI_OK, GI_ERR_ARGUMENT (unknown scorer, one with a callback,
**         wrong kind or dim, NULL arrays, n outside 1..M, an id out of
**         range, pruned or repeated), GI_ERR_SCORES (NaN/Inf, zero
**         embedding, a pairwise matrix neither symmetric nor strictly
**         triangular), GI_ERR_STATE (session done), and the session
**         errors */
gi_status gi_push_unary(gi_session *session, int32_t scorer_id,
                        const int32_t *ids, size_t n, const double *scores);
gi_status gi_push_embeddings(gi_session *session, int32_t scorer_id,
                             const int32_t *ids, size_t n, size_t dim,
                             const float *embeddings);
gi_status gi_push_pairwise(gi_session *session, int32_t scorer_id,
                           const int32_t *ids, size_t n,
                           const double *matrix);

/* Section - Driving ------------------------------------------------------ */

/* "Advance these candidates by one denoising step and refresh their
** previews." Return 0 on success. */
typedef int (*gi_denoise_fn)(void *user, int32_t step, const int32_t *ids,
                             size_t n);

/* Set (or, with fn == NULL, clear) the denoiser. Without one, the host drives
** the loop itself: advance the survivors (gi_survivors), push scores if the
** next step needs them (gi_progress.scores_needed), then call gi_step.
** destroy follows the same rule as for scorers; a replaced denoiser's destroy
** hook is called at once.
** @return GI_OK, and the session errors */
gi_status gi_set_denoiser(gi_session *session, gi_denoise_fn fn, void *user,
                          gi_destroy_fn destroy);

/* Complete one denoising step: call the denoiser on the survivors (if set),
** count the model evaluations, then - if the schedule prunes after this step
** or it is the last step - score the survivors and keep the best group of
** the scheduled size (K after the last step).
** If scoring or solving failed in the previous call, the step itself was
** already counted: this call only retries the scoring and pruning. If the
** denoiser failed, nothing was counted and this call calls it again.
** @return GI_OK, GI_WARNING (an exact solve hit its time limit),
**         GI_ERR_STATE (already done; no scorers), GI_ERR_CALLBACK (a
**         scorer or the denoiser returned non-zero), GI_ERR_SCORES (a
**         value not finite or missing, a zero embedding, an asymmetric
**         matrix, magnitudes beyond GI_MAX_SCORE_MAGNITUDE), GI_ERR_SOLVER
**         (GLPK failed), GI_ERR_LIMIT (GI_SOLVER_EXACT or GI_SOLVER_MIP
**         asked to prune more than GI_MAX_EXACT_CANDIDATES), and the
**         session errors */
gi_status gi_step(gi_session *session);

/* Score the survivors now and keep the best `keep` of them, K <= keep <=
** alive; keep == alive does nothing. The schedule continues from the smaller
** set. Allowed before the first step (scores then describe the initial
** noises, step -1) and between steps, not once done.
** @return GI_OK, GI_WARNING (an exact solve hit its time limit),
**         GI_ERR_ARGUMENT (keep outside [K, alive]), GI_ERR_STATE (done, no
**         scorers, or a failed step's retry pending: call gi_step first),
**         GI_ERR_CALLBACK, GI_ERR_SCORES, GI_ERR_SOLVER, GI_ERR_LIMIT (as
**         for gi_step), and the session errors */
gi_status gi_prune(gi_session *session, int32_t keep);

/* gi_step until done. Needs a denoiser. With a progress hook
** (gi_set_progress), the hook is called after every step and may stop the
** run early.
** @return GI_OK, GI_WARNING (an exact solve hit its time limit in any
**         step), GI_ERR_CANCELLED (the progress hook asked to stop),
**         GI_ERR_STATE (already done, no scorers, no denoiser),
**         GI_ERR_CALLBACK, GI_ERR_SCORES, GI_ERR_SOLVER, GI_ERR_LIMIT (as
**         for gi_step), and the session errors */
gi_status gi_run(gi_session *session);

/* Remove alive candidates from the survivors without scoring them - for
** instance because the worker holding them died. Allowed before the first
** step, between steps, and while a retry is pending (the retry then scores
** the others). Model evaluations already spent stay counted; the trace gets
** a discard record (gi_step_record.discarded); the schedule continues from
** the smaller set.
** @param ids  distinct alive ids in 0..M-1; may be NULL when n = 0
** @param n    how many; 0 does nothing
** @return GI_OK, GI_ERR_ARGUMENT (ids NULL with n > 0, n > M, an id out
**         of range, already pruned or repeated, or fewer than K candidates
**         would remain), GI_ERR_STATE (done), and the session errors
**         (since 0.3) */
gi_status gi_discard(gi_session *session, const int32_t *ids, size_t n);

/* Section - Progress and results ----------------------------------------- */

typedef struct gi_progress {
    int32_t steps_done;        /* denoising steps completed */
    int32_t num_steps;         /* T */
    int32_t alive;             /* candidates still in play */
    int32_t done;              /* 1 once the final group is chosen */
    int32_t keep_after_next;   /* survivors the schedule keeps after the next
                                  gi_step (alive if it does not prune) */
    int32_t scores_needed;     /* 1 if the next gi_step reads scores: a
                                  host-driven loop pushes them before it */
    int32_t retry_pending;     /* 1 if the last step's scoring failed and the
                                  next gi_step retries it */
    int32_t num_records;       /* trace records so far */
    int64_t evaluations;       /* model evaluations spent: candidates
                                  denoised, summed over steps */
    int64_t naive_evaluations; /* M * T: denoising every candidate */
    double objective;          /* the final group's objective; NaN until done */
    /* Since 0.3. "Latest scoring" skips discard records. */
    int32_t last_solve_status; /* gi_solve_status of the latest scoring;
                                  GI_SOLVE_NONE before any */
    int32_t discarded;         /* candidates removed by gi_discard so far */
    double last_seconds_scoring; /* the latest scoring's times (0 before any) */
    double last_seconds_solving;
    double last_step_seconds;  /* wall time of the latest completed step:
                                  denoiser, scoring and solving (0 before) */
} gi_progress;

/* Where the session stands. Usable at any time.
** @param size  sizeof(gi_progress) as the caller compiled it; fields beyond
**              it are not written
** @return GI_OK, GI_ERR_ARGUMENT (progress NULL), GI_ERR_VERSION (size
**         below the 0.1 struct's 56 bytes), and the session errors */
gi_status gi_get_progress(const gi_session *session, gi_progress *progress,
                          size_t size);

/* Called by gi_run after every step it completes (the last one too) with
** the session's progress, which is valid during the call only. Return 0 to
** go on; anything else makes gi_run return GI_ERR_CANCELLED after that
** step (after the last step the run is complete and the value is ignored).
** The hook must not call into the session (such calls fail with
** GI_ERR_STATE). */
typedef int (*gi_progress_fn)(void *user, const gi_progress *progress);

/* Set (fn non-NULL) or clear (fn NULL) the progress hook. destroy follows
** the rule of the scorers: called once with `user` when the session is
** destroyed or the hook replaced, or at once if this call fails.
** @return GI_OK, and the session errors (since 0.3) */
gi_status gi_set_progress(gi_session *session, gi_progress_fn fn, void *user,
                          gi_destroy_fn destroy);

/* The alive candidates' ids, ascending.
** @return GI_OK, GI_ERR_ARGUMENT (count NULL, capacity too small), and the
**         session errors */
gi_status gi_survivors(const gi_session *session, int32_t *ids,
                       size_t capacity, size_t *count);

/* The final group (K ids, ascending), once done.
** @return GI_OK, GI_ERR_STATE (not done yet), GI_ERR_ARGUMENT (count NULL,
**         capacity too small), and the session errors */
gi_status gi_result_ids(const gi_session *session, int32_t *ids,
                        size_t capacity, size_t *count);

/* The final group's combined unary scores, in the order of gi_result_ids.
** @return as gi_result_ids */
gi_status gi_result_unary(const gi_session *session, double *scores,
                          size_t capacity, size_t *count);

/* The final group's combined pairwise scores b_ij, K x K row-major, zero
** diagonal, in the order of gi_result_ids (count = K*K).
** @return as gi_result_ids */
gi_status gi_result_pairwise(const gi_session *session, double *matrix,
                             size_t capacity, size_t *count);

/* Section - Trace -------------------------------------------------------- */

typedef enum gi_solve_status {
    GI_SOLVE_NONE = 0,       /* nothing was selected (every candidate kept) */
    GI_SOLVE_OPTIMAL = 1,    /* proven optimal (to a relative 1e-11) */
    GI_SOLVE_GAP_LIMIT = 2,  /* stopped when the gap fell to mip_gap */
    GI_SOLVE_TIME_LIMIT = 3, /* stopped at time_limit; see gap */
    GI_SOLVE_HEURISTIC = 4   /* heuristic only; the gap comes from the cheap
                                bound for gi_solve_qip and a session's
                                selection of K; a session's heuristic prunes
                                that keep more than K skip it (bound NaN,
                                GI_BOUND_NONE): it would cost as much as
                                the solve */
} gi_solve_status;

/* Which bound a solve reports (since 0.3): the tightest one it knows. A
** search stopped by the clock before its own bound beats the cheap one
** (a millisecond's time_limit, a loaded machine) reports GI_BOUND_CHEAP. */
typedef enum gi_bound_kind {
    GI_BOUND_NONE = 0,       /* none known: bound and gap are NaN */
    GI_BOUND_TRIVIAL = 1,    /* the problem needed no search (K = n, K = 1,
                                lambda = 0): the bound is the optimum */
    GI_BOUND_CHEAP = 2,      /* O(n^2): each item's unary score plus its
                                best K-1 weighted pair values */
    GI_BOUND_RELAXATION = 3, /* the branch and bound's concave relaxation */
    GI_BOUND_MIP = 4         /* GLPK's LP bound */
} gi_bound_kind;

/* One record per scoring of the survivors: every prune, the final choice,
** and with trace_every_step every step. */
typedef struct gi_step_record {
    int32_t step;          /* step whose previews were scored (-1: before
                              the first step) */
    int32_t num_scored;    /* candidates scored */
    int32_t num_kept;      /* candidates kept */
    int32_t solve_status;  /* a gi_solve_status */
    int32_t on_demand;     /* 1 if made by gi_prune */
    int32_t is_final;      /* 1 if it chose the final group */
    int64_t evaluations;   /* model evaluations spent up to this step */
    double objective;      /* of the kept set under this step's scores */
    double bound;          /* upper bound on the best objective; NaN if
                              none is known */
    double gap;            /* (bound - objective) / max(|objective|, 1e-12);
                              0 when proven, NaN if no bound */
    double seconds_scoring; /* callbacks, cosine distances, assembly */
    double seconds_solving;
    /* Since 0.3. */
    int32_t discarded;     /* ids removed by gi_discard; 0 for a scoring. A
                              discard record scores nothing: num_scored = 0,
                              num_kept = survivors after it, objective, bound
                              and gap NaN; gi_trace_ids gives the discarded
                              ids, gi_trace_kept the survivors */
    int32_t bound_kind;    /* a gi_bound_kind: which bound `bound` is */
} gi_step_record;

/* Which scores gi_trace_scores returns. */
#define GI_TRACE_UNARY (-1)     /* combined unary score, as the solver saw it */
#define GI_TRACE_DIVERSITY (-2) /* mean combined pairwise score to the other
                                   scored candidates */

/* The number of records.
** @return GI_OK, GI_ERR_ARGUMENT (count NULL), and the session errors */
gi_status gi_trace_count(const gi_session *session, size_t *count);

/* Record `index` (0-based, in order of scoring).
** @param size  sizeof(gi_step_record) as the caller compiled it
** @return GI_OK, GI_ERR_ARGUMENT (index out of range, record NULL),
**         GI_ERR_VERSION (size below the 0.1 struct's 72 bytes), and the
**         session errors */
gi_status gi_trace_record(const gi_session *session, size_t index,
                          gi_step_record *record, size_t size);

/* The ids scored in record `index`, ascending (a discard record: the ids
** it removed).
** @return GI_OK, GI_ERR_ARGUMENT (index out of range, count NULL, capacity
**         too small), and the session errors */
gi_status gi_trace_ids(const gi_session *session, size_t index, int32_t *ids,
                       size_t capacity, size_t *count);

/* The ids kept in record `index`, ascending.
** @return as gi_trace_ids */
gi_status gi_trace_kept(const gi_session *session, size_t index, int32_t *ids,
                        size_t capacity, size_t *count);

/* Scores of record `index`, one per scored id (order of gi_trace_ids):
** which >= 0 is a scorer id - its raw score (unary) or its raw mean
** difference to the other scored candidates (embedding, pairwise) -, or
** GI_TRACE_UNARY / GI_TRACE_DIVERSITY for the combined ones. A discard
** record has no scores (count = 0).
** @return GI_OK, GI_ERR_ARGUMENT (index out of range, `which` neither a
**         scorer id nor GI_TRACE_UNARY or GI_TRACE_DIVERSITY, count NULL,
**         capacity too small), and the session errors */
gi_status gi_trace_scores(const gi_session *session, size_t index,
                          int32_t which, double *scores, size_t capacity,
                          size_t *count);

/* Section - One-shot selection ------------------------------------------- */

typedef struct gi_solve_result {
    double objective;      /* of the returned selection, in float64 */
    double bound;          /* upper bound on the optimum; NaN if none */
    double gap;            /* as in gi_step_record */
    double seconds;        /* wall time of the solve */
    int32_t status;        /* a gi_solve_status (never GI_SOLVE_NONE) */
    int32_t bound_kind;    /* a gi_bound_kind: which bound `bound` is (this
                              field was `reserved`, always 0, before 0.3) */
    int64_t nodes;         /* branch-and-bound nodes explored; 0 heuristic */
} gi_solve_result;

/* Choose k of n items maximising sum_i u_i y_i + lambda sum_{i<j} b_ij y_i y_j.
** @param n          1..GI_MAX_CANDIDATES
** @param unary      n finite values
** @param pairwise   n x n row-major, finite; symmetric or strictly
**                   triangular as for gi_pairwise_fn (an asymmetric matrix
**                   is GI_ERR_ARGUMENT); the diagonal is ignored
** @param lambda     finite
** @param k          1..n
** @param options    NULL for defaults; reads solver, time_limit, mip_gap,
**                   seed, restarts, memory_limit
** @param selection  room for k indices; receives the chosen ones, ascending
** @param result     NULL, or receives objective, bound, status, ...
** @param result_size sizeof(gi_solve_result) as the caller compiled it
** @return GI_OK, GI_WARNING (an exact solve hit its time limit),
**         GI_ERR_ARGUMENT (n = 0, NULL arrays, k outside 1..n, lambda not
**         finite, an asymmetric matrix, an option out of range),
**         GI_ERR_SCORES (a value not finite or beyond
**         GI_MAX_SCORE_MAGNITUDE), GI_ERR_LIMIT (n beyond the limit; EXACT
**         or MIP for more than GI_MAX_EXACT_CANDIDATES), GI_ERR_SOLVER
**         (GLPK failed), GI_ERR_VERSION (result_size, options struct_size) */
gi_status gi_solve_qip(size_t n, const double *unary, const double *pairwise,
                       double lambda, int32_t k, const gi_options *options,
                       int32_t *selection, gi_solve_result *result,
                       size_t result_size);

/* ==========================================================================
** Experimental API
** ==========================================================================
** Everything after this banner may still change in a 0.x minor release:
** the best group of each record (gi_trace_group), per-record diagnostics,
** calibration and schedule files - and, declared above with the options,
** the adaptive schedule (GI_SCHEDULE_ADAPTIVE and budget).
** What "experimental" promises:
** - the functions stay exported and keep their signatures and struct
**   layouts within a minor version; a change comes with a minor version
**   bump and a note at gi_version_number;
** - they check their input, never abort, and report errors like the rest;
** - the answers of the methods (the schedules calibration proposes, the
**   adaptive rule's choices) may change between minor versions as the
**   methods improve.
** Everything before the banner is the stable core - options, session,
** scorers, push, step, prune, run, discard, progress, results, the trace
** records, one-shot selection - and changes only compatibly during 0.x.
** ======================================================================== */

/* Section - Trace groups and diagnostics (experimental) ------------------- */

/* The best group of K under record `index`'s scores: the kept ids when the
** record kept K; otherwise computed only in detail mode (trace_every_step or
** the adaptive schedule), else count = 0 (also for a discard record).
** @return as gi_trace_ids */
gi_status gi_trace_group(const gi_session *session, size_t index, int32_t *ids,
                         size_t capacity, size_t *count);

/* How settled a record's scores are. */
typedef struct gi_diagnostics {
    double spearman_previous;  /* rank correlation with the previous record's
                                  scores over the candidates both scored; NaN
                                  for the first record or < 3 in common */
    double spearman_final;     /* the same against the final record; NaN
                                  until done */
    double group_overlap_previous; /* share of this record's best group
                                  (gi_trace_group) in the previous record's;
                                  NaN unless both are known (the same for
                                  every `which`, as are the next one) */
    double group_overlap_final; /* share of it in the final group; NaN until
                                  done or unknown */
    double movement;           /* median |change| of the scores since the
                                  previous record; NaN for the first */
    int32_t common_previous;   /* candidates both records scored */
    int32_t common_final;
} gi_diagnostics;

/* Diagnostics of record `index` for the scores `which` selects (as in
** gi_trace_scores). "diversity" scores are means over the scored set, so
** they also move when the set shrinks. Discard records are skipped as
** "previous" records and have no diagnostics of their own (all NaN).
** @param size  sizeof(gi_diagnostics) as the caller compiled it
** @return GI_OK, GI_ERR_ARGUMENT (index out of range, `which` unknown,
**         diagnostics NULL), GI_ERR_VERSION (size), and the session
**         errors */
gi_status gi_trace_diagnostics(const gi_session *session, size_t index,
                               int32_t which, gi_diagnostics *diagnostics,
                               size_t size);

/* Section - Calibration (experimental) ------------------------------------ */

/* What gi_calibrate aims for - set exactly one of the two: the most
** retention within `budget`, or the fewest model evaluations that keep at
** least `retention`. */
typedef struct gi_calibration_goal {
    size_t struct_size;   /* sizeof(gi_calibration_goal) */
    double budget;        /* fraction of M*T in (0, 1] (at least enough for
                             M + K(T-1)), or 0 */
    double retention;     /* share of full selection's gain over i.i.d.
                             sampling to keep, in (0, 1], or 0 */
} gi_calibration_goal;

typedef struct gi_calibration_report {
    int64_t evaluations;        /* model evaluations the schedule spends */
    double evaluations_fraction; /* of M*T */
    double retention;           /* mean share of full selection's gain over
                                   i.i.d. kept on the runs */
    double retention_min;       /* the worst run's */
    int32_t first_prune_step;   /* first step that prunes */
    int32_t num_runs;
} gi_calibration_report;

/* Derive a schedule from full runs: finished sessions that denoised every
** candidate to the end and scored every step (trace_every_step = 1 and
** first_prune_step = T-1), all with the same M, K, T and lambda. Each run is
** replayed under every schedule of a family (keep all M until step f, fall
** geometrically to K by step g): the runs' previews are what a pruned run
** would see, since candidates are denoised independently. Retention is
** (f(schedule) - f(i.i.d.)) / (f(full) - f(i.i.d.)) under the final scores.
** @param survivor_counts  room for T counts; receives the schedule
** @param step_retention   NULL, or T values: retention when the final group
**                         is chosen directly with step t's scores
** @param step_overlap     NULL, or T values: share of that group in full
**                         selection's group
** @return GI_OK, GI_ERR_ARGUMENT (a NULL array or run, a repeated run,
**         num_runs outside 1..10000, runs unfit - different M, K, T or
**         lambda, not full, discarded candidates -, goal out of range,
**         capacity below T, or no schedule meets the goal), GI_ERR_HANDLE
**         (a run is not a live session), GI_ERR_STATE (a run not done, or
**         in a call), GI_ERR_VERSION (report_size) */
gi_status gi_calibrate(const gi_session *const *runs, size_t num_runs,
                       const gi_calibration_goal *goal,
                       int32_t *survivor_counts, size_t capacity,
                       double *step_retention, double *step_overlap,
                       gi_calibration_report *report, size_t report_size);

/* Write a schedule (e.g. from gi_calibrate) as a small JSON file that
** options.schedule_file and gi_schedule_load read. `lambda` is the lambda it
** was calibrated for (NaN: not recorded); a session with another lambda is
** refused, since retention depends on it. report may be NULL.
** @return GI_OK, GI_ERR_ARGUMENT (path or survivor_counts NULL; M, K, T or
**         the counts out of range; lambda infinite; the file cannot be
**         written), GI_ERR_LIMIT (M or T beyond the limits), GI_ERR_VERSION
**         (report_size) */
gi_status gi_schedule_save(const char *path, int32_t num_candidates,
                           int32_t group_size, int32_t num_steps,
                           double lambda, const int32_t *survivor_counts,
                           const gi_calibration_report *report,
                           size_t report_size);

/* Read a schedule file: M, K, T, lambda (NaN if not recorded; each pointer
** may be NULL) and the counts (count = T; survivor_counts NULL asks only for
** the count).
** @return GI_OK, GI_ERR_ARGUMENT (path or count NULL; the file missing,
**         unreadable, larger than 1 MiB or malformed; capacity below T) */
gi_status gi_schedule_load(const char *path, int32_t *num_candidates,
                           int32_t *group_size, int32_t *num_steps,
                           double *lambda, int32_t *survivor_counts,
                           size_t capacity,
                           size_t *count);

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* GROUP_INFERENCE_H */

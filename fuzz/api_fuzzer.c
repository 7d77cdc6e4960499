/*
** api_fuzzer.c - libFuzzer target over the whole C API of libgroupinference.
**
** The input bytes are read as a program: a sequence of API calls (create with
** random options, scorers of the three kinds, pushes, denoiser, step, prune,
** run, every getter with random capacities/indices/sizes, destroy, calls on
** destroyed handles, gi_solve_qip). Callbacks draw their answers from the
** same bytes: ordinary values, NaN, +-Inf, huge values, zeros, unwritten
** outputs, non-zero return codes, calls back into their own session.
**
** Invariants (a violation calls abort(), which libFuzzer reports as a crash):
** - every status is one of the documented gi_status codes;
** - gi_last_error() is never NULL; non-empty after an error;
** - counts and copied arrays are consistent (count <= capacity when copied,
**   ids ascending and in range);
** - calls on destroyed or made-up handles give GI_ERR_HANDLE;
** - calls from inside a callback into the same session give GI_ERR_STATE;
** - every destroy hook runs exactly once (checked at the end of the input).
** ASan/LSan add: no memory error and no leak in the harness or library.
**
** Sizes are capped so one input runs fast: M <= 64, T <= 8, dims <= 16,
** time_limit <= 0.01 s, solve_qip n <= 40.
**
** Known findings are skipped when GI_FUZZ_SKIP_KNOWN=1, or only those listed
** (GI_FUZZ_SKIP_KNOWN=F9 or "F5,F9"; see tests/reliability/findings/): F1, F2, F7 - finite values whose weighted
** sums overflow abort the process in GLPK (F1), trap in the greedy heuristic
** (F7) or give GI_OK with an infinite objective (F2) - so every value stays
** below 1e100 in magnitude and infinite objectives are not flagged; F5 (a
** nested call's message survives the outer GI_OK) - "" after GI_OK is not
** required; F9 (iterated local search drops an item when k = n - 1) -
** restarts stay 0 in sessions and where k = n - 1.
**
** Build: fuzz/run.sh builds it with /opt/swift/usr/bin/clang
**        -fsanitize=fuzzer,address against the library.
*/
#include <group_inference.h>

#include <float.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* --- input reader --------------------------------------------------------------- */

static const uint8_t *in_data;
static size_t in_size, in_pos;
/* GI_FUZZ_SKIP_KNOWN: "1" skips every known finding, or a list such as "F5,F9"
** skips those; unset or "0" skips none. */
static const char *skip_env;
static int skip_known = -1; /* set once: 1 if anything is skipped */
static int skipping(const char *id) {
    return skip_env && (strcmp(skip_env, "1") == 0 || strstr(skip_env, id) != NULL);
}
static int skip_overflow(void) { return skipping("F1") || skipping("F2") || skipping("F7"); }

static uint8_t take_u8(void) { return in_pos < in_size ? in_data[in_pos++] : 0; }
static uint32_t take_u32(void) {
    uint32_t v = 0;
    int i;
    for (i = 0; i < 4; i++) v = (v << 8) | take_u8();
    return v;
}
static int take_range(int lo, int hi) { /* inclusive */
    uint32_t span = (uint32_t)(hi - lo + 1);
    return lo + (int)(span ? (span <= 256 ? take_u8() % span : take_u32() % span) : 0);
}
static double take_unit(void) { return (double)take_u32() / 4294967296.0; }

static int huge_allowed = 1; /* cleared when skipping the overflow findings */

/* A double from a palette of awkward values, or an ordinary one. */
static double take_double(void) {
    uint8_t c = take_u8();
    if (c < 160) return 2.0 * take_unit() - 1.0;
    switch (c % 24) {
    case 0: return 0.0;
    case 1: return -0.0;
    case 2: return NAN;
    case 3: return INFINITY;
    case 4: return -INFINITY;
    case 5: return huge_allowed ? 1e300 : 1e90;
    case 6: return huge_allowed ? -1e300 : -1e90;
    case 7: return huge_allowed ? DBL_MAX : 1e99;
    case 8: return 5e-324;
    case 9: return 1e-300;
    case 10: return 1.0;
    case 11: return -1.0;
    case 12: return 1e9 * (take_unit() - 0.5);
    case 13: return huge_allowed ? 1e200 : 1e95;
    case 14: return (double)take_range(-3, 3);
    case 15: return 0.5;
    default: return take_unit() * 100.0 - 50.0;
    }
}

static float take_float(void) {
    uint8_t c = take_u8();
    if (c < 180) return (float)(2.0 * take_unit() - 1.0);
    switch (c % 10) {
    case 0: return 0.0f;
    case 1: return NAN;
    case 2: return INFINITY;
    case 3: return FLT_MAX;
    case 4: return -FLT_MAX;
    case 5: return 1e-45f;
    case 6: return 1e-20f;
    case 7: return 1e20f;
    default: return (float)take_range(-2, 2);
    }
}

static size_t take_size(size_t cap) {
    uint8_t c = take_u8();
    switch (c % 16) {
    case 0: return 0;
    case 1: return SIZE_MAX;
    case 2: return (size_t)1 << 40;
    case 3: return cap + 1;
    default: return (size_t)take_range(0, (int)(cap > 4096 ? 4096 : cap));
    }
}

/* --- invariants ------------------------------------------------------------------ */

static void die(const char *what, int line) {
    fprintf(stderr, "api_fuzzer invariant violated (line %d): %s; last error: '%s'\n", line, what,
            gi_last_error() ? gi_last_error() : "(NULL)");
    abort();
}
#define REQUIRE(cond)                         \
    do {                                      \
        if (!(cond)) die(#cond, __LINE__);    \
    } while (0)

static int documented(gi_status s) { return s == GI_OK || s == GI_WARNING || (s <= -1 && s >= -9); }

/* Every status passes through here. */
static gi_status checked(gi_status s, int line) {
    const char *msg = gi_last_error();
    if (!documented(s)) die("undocumented status", line);
    if (msg == NULL) die("gi_last_error() is NULL", line);
    if (s < 0 && msg[0] == '\0') die("an error without a message", line);
    if (s == GI_OK && msg[0] != '\0' && !skipping("F5")) die("GI_OK with a message (F5)", line);
    return s;
}
#define CHECKED(call) checked((call), __LINE__)

/* --- sessions and callback contexts ---------------------------------------------- */

enum { SLOTS = 4, DEAD = 8, MAXM = 64, MAXT = 8, MAXDIM = 16, MAXSCORERS = 10, MAXN = 40 };

typedef struct ctx {
    int slot;          /* session slot it belongs to */
    int kind;          /* 0 unary 1 embedding 2 pairwise 3 denoiser */
    size_t dim;
    long *live;        /* counter of live contexts */
} ctx;

typedef struct slot {
    gi_session *s;
    int32_t m, k, t;
    int scorers;
    int defaults; /* made with NULL options: T = 20, time_limit 0.1 s - never run to the end */
    int kinds[MAXSCORERS];
    size_t dims[MAXSCORERS];
    int mip;
} slot;

static slot slots[SLOTS];
static gi_session *dead[DEAD];
static int ndead;
static long live_contexts;
static int in_callback;

static void ctx_destroy(void *user) {
    ctx *c = user;
    REQUIRE(c != NULL && c->live != NULL);
    (*c->live)--;
    free(c);
}

static ctx *ctx_new(int slot_index, int kind, size_t dim) {
    ctx *c = malloc(sizeof *c);
    c->slot = slot_index;
    c->kind = kind;
    c->dim = dim;
    c->live = &live_contexts;
    live_contexts++;
    return c;
}

static void forget_slot(int i) {
    if (slots[i].s && ndead < DEAD) dead[ndead++] = slots[i].s;
    memset(&slots[i], 0, sizeof slots[i]);
}

/* Inside a callback: sometimes call back into the own session (must be refused). */
static void maybe_reenter(ctx *c) {
    uint8_t r = take_u8();
    gi_session *s = slots[c->slot].s;
    if (s == NULL || r < 240) return;
    switch (r % 4) {
    case 0: REQUIRE(CHECKED(gi_step(s)) == GI_ERR_STATE); break;
    case 1: REQUIRE(CHECKED(gi_prune(s, slots[c->slot].k)) == GI_ERR_STATE); break;
    case 2: {
        gi_progress p;
        REQUIRE(CHECKED(gi_get_progress(s, &p, sizeof p)) == GI_ERR_STATE);
        break;
    }
    default:
        if (r == 255) {
            /* destroy from inside the callback: allowed, the running call finishes */
            gi_session_destroy(s);
            forget_slot(c->slot);
        } else {
            REQUIRE(CHECKED(gi_run(s)) == GI_ERR_STATE);
        }
        break;
    }
}

/* A callback's return code: mostly 0. */
static int take_rc(void) {
    uint8_t r = take_u8();
    if (r < 245) return 0;
    return r == 255 ? -1 : (int)r;
}

static int cb_unary(void *user, int32_t step, const int32_t *ids, size_t n, double *out) {
    ctx *c = user;
    size_t a;
    int rc;
    (void)step;
    REQUIRE(n >= 1 && n <= MAXM && ids != NULL && out != NULL);
    for (a = 1; a < n; a++) REQUIRE(ids[a - 1] < ids[a]);
    in_callback++;
    maybe_reenter(c);
    in_callback--;
    rc = take_rc();
    if (take_u8() < 250)
        for (a = 0; a < n; a++) out[a] = take_double();
    return rc;
}

static int cb_embedding(void *user, int32_t step, const int32_t *ids, size_t n, size_t dim, float *out) {
    ctx *c = user;
    size_t a;
    int rc;
    (void)step;
    if (getenv("GI_FUZZ_TRACE")) fprintf(stderr, "embedding callback: n=%zu dim=%zu registered dim=%zu\n", n, dim, c->dim);
    REQUIRE(n >= 1 && n <= MAXM && ids != NULL && out != NULL && dim == c->dim);
    in_callback++;
    maybe_reenter(c);
    in_callback--;
    rc = take_rc();
    if (take_u8() < 250) {
        uint8_t mode = take_u8();
        for (a = 0; a < n * dim; a++) {
            if (mode < 200) out[a] = (float)((double)((ids[a / dim] * 31 + (int)(a % dim) * 17) % 23) - 11.0) +
                                     0.25f * (float)take_range(-2, 2);
            else out[a] = take_float();
        }
    }
    return rc;
}

static int cb_pairwise(void *user, int32_t step, const int32_t *ids, size_t n, double *out) {
    ctx *c = user;
    size_t a, b;
    int rc;
    (void)step;
    REQUIRE(n >= 1 && n <= MAXM && ids != NULL && out != NULL);
    in_callback++;
    maybe_reenter(c);
    in_callback--;
    rc = take_rc();
    if (take_u8() < 250) {
        uint8_t mode = take_u8();
        for (a = 0; a < n; a++)
            for (b = 0; b < n; b++) {
                if (mode < 200) out[a * n + b] = (double)((ids[a] * 7 + ids[b] * 7 + ids[a] * ids[b]) % 13) / 13.0;
                else out[a * n + b] = take_double();
            }
    }
    return rc;
}

static int cb_denoise(void *user, int32_t step, const int32_t *ids, size_t n) {
    ctx *c = user;
    (void)step;
    REQUIRE(n >= 1 && n <= MAXM && ids != NULL);
    in_callback++;
    maybe_reenter(c);
    in_callback--;
    return take_rc();
}

#if GI_VERSION_NUMBER >= 300
/* Progress hook: checks what it is given; asks to stop now and then. */
static int cb_progress(void *user, const gi_progress *p) {
    ctx *c = user;
    REQUIRE(p != NULL && p->steps_done >= 1 && p->alive >= 1 && p->evaluations >= 0);
    REQUIRE(p->discarded >= 0 && p->last_step_seconds >= 0);
    in_callback++;
    maybe_reenter(c);
    in_callback--;
    return take_u8() < 40;
}
#endif

/* --- operations --------------------------------------------------------------------- */

static void random_options(gi_options *o, int32_t *counts, int for_solve) {
    CHECKED(gi_options_init(o, sizeof *o));
    o->num_candidates = take_range(1, MAXM);
    o->group_size = take_range(1, o->num_candidates);
    o->num_steps = take_range(1, MAXT);
    o->lambda = take_double();
    o->prune_ratio = take_u8() < 200 ? take_unit() : take_double();
    o->first_prune_step = take_range(0, o->num_steps - 1);
    o->solver = take_range(0, 3);
    o->time_limit = take_u8() < 220 ? 1e-4 + 0.0019 * take_unit() : take_double();
    if (!(o->time_limit <= 0.01)) o->time_limit = take_u8() & 1 ? -1.0 : NAN; /* keep runs short: invalid */
    o->mip_gap = take_u8() < 220 ? take_unit() * 0.5 : take_double();
    o->normalize = take_range(0, 1);
    o->trace_every_step = take_range(0, 1);
    o->seed = take_u32();
#if GI_VERSION_NUMBER >= 200
    o->schedule = take_range(0, 2);
    o->budget = take_u8() < 200 ? take_unit() : take_double();
    o->restarts = take_u8() < 230 ? take_range(0, 3) : take_range(-2, 2000);
    if (skipping("F9") && !for_solve) o->restarts = 0; /* F9: sessions prune to alive - 1 at times */
    o->schedule_file = NULL;
#else
    o->schedule = take_range(0, 1);
#endif
    if (o->schedule == GI_SCHEDULE_COUNTS) {
        int32_t i, prev = o->num_candidates;
        for (i = 0; i < o->num_steps; i++) {
            int32_t lo = o->group_size, c;
            c = take_u8() < 240 ? take_range(lo, prev) : take_range(-1, MAXM + 1);
            counts[i] = c;
            if (c >= lo && c <= prev) prev = c;
        }
        if (take_u8() < 240) counts[o->num_steps - 1] = o->group_size;
        o->survivor_counts = counts;
    }
    /* a field out of range now and then */
    switch (take_u8() % 32) {
    case 0: o->num_candidates = take_u8() & 1 ? take_range(-2, 0) : GI_MAX_CANDIDATES + take_range(1, 3); break;
    case 1: o->group_size = take_range(-2, MAXM + 2); break;
    case 2: o->num_steps = take_range(-1, MAXT + 1); if (o->num_steps > MAXT) o->num_steps = 0; break;
    case 3: o->schedule = take_range(-1, 5); break;
    case 4: o->solver = take_range(-1, 6); break;
    case 5: o->normalize = take_range(-1, 3); break;
    case 6: o->trace_every_step = take_range(-1, 3); break;
    case 7: o->struct_size = (size_t)take_range(0, 200); break;
    case 8: o->first_prune_step = take_range(-2, MAXT + 2); break;
    default: break;
    }
    if (o->struct_size > sizeof *o) o->struct_size = sizeof *o; /* the struct is only that big */
    if (o->schedule == GI_SCHEDULE_COUNTS && o->num_steps > MAXT) o->num_steps = MAXT;
}

static void op_create(void) {
    int i = take_range(0, SLOTS - 1);
    gi_options o;
    int32_t counts[MAXT + 2];
    gi_session *s = NULL;
    gi_status st;
    if (slots[i].s) {
        gi_session_destroy(slots[i].s);
        forget_slot(i);
    }
    huge_allowed = !skip_overflow();
    random_options(&o, counts, 0);
    if (take_u8() < 2) {
        /* NULL options: the defaults (M = 64, K = 4, T = 20, auto solver) */
        gi_options_init(&o, sizeof o);
        st = CHECKED(gi_session_create(NULL, &s));
        REQUIRE(st == GI_OK);
    } else {
        st = CHECKED(gi_session_create(&o, &s));
        if (st == GI_OK && o.struct_size < 88) die("create accepted a struct smaller than 0.1's", __LINE__);
    }
    if (st == GI_OK) {
        REQUIRE(s != NULL);
        slots[i].s = s;
        slots[i].m = o.num_candidates;
        slots[i].k = o.group_size;
        slots[i].t = o.num_steps;
        slots[i].mip = o.solver == GI_SOLVER_MIP;
        slots[i].defaults = o.num_steps > MAXT;
    } else {
        REQUIRE(s == NULL);
    }
}

static void set_huge_for(int i) { (void)i; huge_allowed = !skip_overflow(); }

static void op_add_scorer(void) {
    int i = take_range(0, SLOTS - 1), kind = take_range(0, 2), pushed = take_u8() < 64;
    static const char *names[] = {"a", "b", "c", "quality", "look", "pairs", ""};
    const char *name = take_u8() < 4 ? NULL : names[take_range(0, 6)];
    double weight = take_double();
    size_t dim = take_u8() < 240 ? (size_t)take_range(1, MAXDIM) : take_size(MAXDIM);
    int32_t id = -1;
    gi_status st;
    ctx *c;
    gi_session *s = slots[i].s;
    if (s == NULL) s = ndead ? dead[take_range(0, ndead - 1)] : NULL;
    set_huge_for(i);
    c = ctx_new(i, kind, dim);
    switch (kind) {
    case 0: st = CHECKED(gi_add_unary_scorer(s, name, weight, pushed ? NULL : cb_unary, c, ctx_destroy, &id)); break;
    case 1:
        st = CHECKED(gi_add_embedding_scorer(s, name, weight, dim, pushed ? NULL : cb_embedding, c, ctx_destroy, &id));
        break;
    default: st = CHECKED(gi_add_pairwise_scorer(s, name, weight, pushed ? NULL : cb_pairwise, c, ctx_destroy, &id));
    }
    if (slots[i].s == NULL) REQUIRE(st == (s ? GI_ERR_HANDLE : GI_ERR_ARGUMENT));
    if (st == GI_OK) {
        REQUIRE(id == slots[i].scorers);
        if (slots[i].scorers < MAXSCORERS) {
            slots[i].kinds[slots[i].scorers] = kind;
            slots[i].dims[slots[i].scorers] = dim;
        }
        slots[i].scorers++;
    }
}

static void op_push(void) {
    int i = take_range(0, SLOTS - 1);
    slot *sl = &slots[i];
    int32_t scorer = take_u8() < 230 && sl->scorers ? take_range(0, sl->scorers - 1) : take_range(-2, 70);
    size_t n = take_u8() < 230 ? (size_t)take_range(0, sl->m + 1) : take_size(MAXM), a;
    size_t cnt = n > MAXM + 2 ? MAXM + 2 : n; /* what the arrays hold */
    int32_t ids[MAXM + 2];
    double vals[(MAXM + 2) * (MAXM + 2)];
    static float emb[(MAXM + 2) * (MAXDIM + 1)];
    size_t dim = (scorer >= 0 && scorer < sl->scorers && scorer < MAXSCORERS) ? sl->dims[scorer] : 4;
    int which = take_range(0, 2);
    gi_status st;
    if (sl->s == NULL) return;
    set_huge_for(i);
    if (dim < 1 || dim > MAXDIM + 1) dim = 4;
    if (take_u8() > 240) dim = take_size(MAXDIM); /* up to MAXDIM + 1, or absurd */
    if (n > cnt || dim > MAXDIM + 1) {
        /* absurd sizes (n or dim beyond any limit): refused before the arrays are read */
        size_t d = dim > MAXDIM + 1 ? dim : 1;
        /* an absurd dim only matters to embeddings: the others get an absurd n */
        if (n <= cnt && (d == 1 || which != 1)) n = (size_t)1 << 40;
        switch (which) {
        case 0: st = CHECKED(gi_push_unary(sl->s, scorer, ids, n, vals)); break;
        case 1: st = CHECKED(gi_push_embeddings(sl->s, scorer, ids, n, d, emb)); break;
        default: st = CHECKED(gi_push_pairwise(sl->s, scorer, ids, n, vals)); break;
        }
        REQUIRE(st != GI_OK);
        return;
    }
    {
        /* ids: mostly a random subset of 0..m-1 in order, sometimes junk */
        uint8_t mode = take_u8();
        int32_t next = 0;
        for (a = 0; a < cnt; a++) {
            if (mode < 200) {
                next += take_range(0, 1);
                ids[a] = next++;
            } else {
                ids[a] = take_range(-2, sl->m + 1);
            }
        }
    }
    for (a = 0; a < cnt * cnt; a++) vals[a] = take_u8() < 230 ? (double)((a * 7919) % 101) / 101.0 : take_double();
    if (which == 1)
        for (a = 0; a < cnt * dim; a++) emb[a] = take_u8() < 230 ? (float)((a * 31) % 17) - 8.0f : take_float();
    switch (which) {
    case 0: st = CHECKED(gi_push_unary(sl->s, scorer, take_u8() < 3 ? NULL : ids, n, vals)); break;
    case 1: st = CHECKED(gi_push_embeddings(sl->s, scorer, ids, n, dim, take_u8() < 3 ? NULL : emb)); break;
    default: st = CHECKED(gi_push_pairwise(sl->s, scorer, ids, n, vals)); break;
    }
    (void)st;
}

static void op_denoiser(void) {
    int i = take_range(0, SLOTS - 1);
    gi_session *s = slots[i].s;
    gi_status st;
    if (s == NULL) s = ndead ? dead[take_range(0, ndead - 1)] : NULL;
    if (take_u8() < 30) {
        st = CHECKED(gi_set_denoiser(s, NULL, NULL, NULL));
    } else {
        st = CHECKED(gi_set_denoiser(s, cb_denoise, ctx_new(i, 3, 0), ctx_destroy));
    }
    if (slots[i].s == NULL) REQUIRE(st == (s ? GI_ERR_HANDLE : GI_ERR_ARGUMENT));
}

static void check_ids(const int32_t *ids, size_t n, int32_t m) {
    size_t a;
    for (a = 0; a < n; a++) {
        REQUIRE(ids[a] >= 0 && ids[a] < m);
        if (a) REQUIRE(ids[a - 1] < ids[a]);
    }
}

static void op_drive(void) {
    int i = take_range(0, SLOTS - 1);
    gi_session *s = slots[i].s;
    gi_status st;
    int what = take_range(0, 2);
    int32_t m = slots[i].m, k = slots[i].k;
    if (s == NULL) return;
    set_huge_for(i);
    if (slots[i].defaults && what == 2) what = 0; /* keep each input fast */
    switch (what) {
    case 0: st = CHECKED(gi_step(s)); break;
    case 1: st = CHECKED(gi_prune(s, take_u8() < 230 ? take_range(k, m) : take_range(-2, MAXM + 2))); break;
    default: st = CHECKED(gi_run(s)); break;
    }
    /* a callback may have destroyed the session: the call still returned */
    if (slots[i].s == NULL) return;
    if (st == GI_OK || st == GI_WARNING) {
        gi_progress p;
        REQUIRE(CHECKED(gi_get_progress(s, &p, sizeof p)) == GI_OK);
        REQUIRE(p.alive >= k && p.alive <= m && p.steps_done <= slots[i].t);
        if (what == 2) REQUIRE(p.done == 1);
        if (p.done) {
            REQUIRE(p.alive == k);
            if (!skipping("F2")) REQUIRE(isfinite(p.objective)); /* F2 */
        }
    }
}

static void op_get(void) {
    int i = take_range(0, SLOTS - 1);
    gi_session *s = slots[i].s;
    int32_t ids[MAXM + 4];
    double vals[(MAXM + 4) * (MAXM + 4)];
    unsigned char buf[512];
    size_t cap = take_size(MAXM * MAXM), n = 12345, index = take_u8() < 220 ? (size_t)take_range(0, 20) : take_size(100);
    int which = take_range(0, 12);
    gi_status st = GI_OK;
    int32_t m = slots[i].m;
    size_t room_ids = MAXM + 4, room_vals = (MAXM + 4) * (MAXM + 4);
    int null_array = take_u8() < 20, null_count = take_u8() < 5;
    size_t *count = null_count ? NULL : &n;
    if (s == NULL) {
        /* on a dead or made-up handle: GI_ERR_HANDLE */
        gi_session *bad = ndead && take_u8() < 200 ? dead[take_range(0, ndead - 1)] : (gi_session *)(uintptr_t)(take_u32() | 1u);
        REQUIRE(CHECKED(gi_survivors(bad, ids, room_ids, &n)) == GI_ERR_HANDLE);
        REQUIRE(CHECKED(gi_step(bad)) == GI_ERR_HANDLE);
        REQUIRE(CHECKED(gi_trace_count(bad, &n)) == GI_ERR_HANDLE);
        gi_session_destroy(bad); /* ignored */
        return;
    }
    /* the capacity passed never exceeds the real room unless the array is NULL */
    if (!null_array) {
        size_t room = (which == 2 || which == 4 || which == 8) ? room_vals : room_ids;
        if (cap > room) cap = room;
    }
    switch (which) {
    case 0: {
        size_t size = take_u8() < 200 ? sizeof(gi_progress) : (size_t)take_range(0, 300);
        st = CHECKED(gi_get_progress(s, take_u8() < 3 ? NULL : (gi_progress *)buf, size));
        break;
    }
    case 1:
        st = CHECKED(gi_survivors(s, null_array ? NULL : ids, cap, count));
        if (st == GI_OK && !null_array) check_ids(ids, n, m);
        break;
    case 2: st = CHECKED(gi_result_unary(s, null_array ? NULL : vals, cap, count)); break;
    case 3:
        st = CHECKED(gi_result_ids(s, null_array ? NULL : ids, cap, count));
        if (st == GI_OK) {
            REQUIRE(n == (size_t)slots[i].k);
            if (!null_array) check_ids(ids, n, m);
        }
        break;
    case 4: st = CHECKED(gi_result_pairwise(s, null_array ? NULL : vals, cap, count)); break;
    case 5: st = CHECKED(gi_trace_count(s, count)); break;
    case 6: {
        size_t size = take_u8() < 200 ? sizeof(gi_step_record) : (size_t)take_range(0, 300);
        st = CHECKED(gi_trace_record(s, index, take_u8() < 3 ? NULL : (gi_step_record *)buf, size));
        break;
    }
    case 7:
        st = CHECKED(gi_trace_ids(s, index, null_array ? NULL : ids, cap, count));
        if (st == GI_OK && !null_array) check_ids(ids, n, m);
        break;
    case 8:
        st = CHECKED(gi_trace_scores(s, index, take_u8() < 200 ? take_range(-2, 3) : (int32_t)take_u32(),
                                     null_array ? NULL : vals, cap, count));
        break;
    case 9:
        st = CHECKED(gi_trace_kept(s, index, null_array ? NULL : ids, cap, count));
        if (st == GI_OK && !null_array) check_ids(ids, n, m);
        break;
#if GI_VERSION_NUMBER >= 200
    case 10:
        st = CHECKED(gi_trace_group(s, index, null_array ? NULL : ids, cap, count));
        if (st == GI_OK && !null_array) check_ids(ids, n, m);
        break;
    case 11: {
        size_t size = take_u8() < 200 ? sizeof(gi_diagnostics) : (size_t)take_range(0, 300);
        st = CHECKED(gi_trace_diagnostics(s, index, take_range(-3, 3), take_u8() < 3 ? NULL : (gi_diagnostics *)buf,
                                          size));
        break;
    }
#endif
    default: {
        gi_session *dst = slots[(i + 1) % SLOTS].s;
        (void)dst;
        st = CHECKED(gi_trace_count(s, count));
        break;
    }
    }
    if (getenv("GI_FUZZ_TRACE")) fprintf(stderr, "getter %d: status %d, capacity %zu, count %zu, index %zu\n", which, (int)st, cap, n, index);
    /* the array getters (not progress, trace_count, trace_record, diagnostics) */
    if (st == GI_OK && count && !null_array && (which == 1 || which == 2 || which == 3 || which == 4 || which == 7 ||
                                                which == 8 || which == 9 || which == 10))
        REQUIRE(n <= cap);
}

static void op_destroy(void) {
    int i = take_range(0, SLOTS - 1);
    if (slots[i].s) {
        gi_session_destroy(slots[i].s);
        forget_slot(i);
    }
    gi_session_destroy(NULL);
}

static void op_solve(void) {
    gi_options o;
    int32_t counts[MAXT + 2];
    size_t n = take_u8() < 240 ? (size_t)take_range(1, MAXN) : take_size(MAXN), a, b;
    size_t cnt = n > MAXN + 1 ? MAXN + 1 : n;
    static double u[MAXN + 1], pw[(MAXN + 1) * (MAXN + 1)];
    int32_t sel[MAXN + 2];
    int32_t k;
    double lambda;
    gi_solve_result r;
    size_t rsize = take_u8() < 230 ? sizeof r : (size_t)take_range(0, (int)sizeof r);
    gi_status st;
    int use_options = take_u8() < 230;
    huge_allowed = !skip_overflow();
    random_options(&o, counts, 1);
    o.struct_size = sizeof o;
    lambda = take_double();
    k = take_u8() < 230 ? take_range(1, (int)(cnt ? cnt : 1)) : take_range(-1, MAXN + 2);
    {
        uint8_t mode = take_u8();
        for (a = 0; a < cnt; a++) u[a] = mode < 128 ? take_unit() : take_double();
        for (a = 0; a < cnt; a++)
            for (b = a; b < cnt; b++) {
                double v = mode < 128 ? take_unit() : (mode < 192 ? (double)take_range(0, 2) : take_double());
                pw[a * cnt + b] = pw[b * cnt + a] = v;
            }
        if (take_u8() > 250 && cnt > 1) pw[1] += 0.5; /* asymmetric */
    }
#if GI_VERSION_NUMBER >= 200
    /* F9: iterated local search returns k - 1 items when k = n - 1 */
    if (skipping("F9") && (size_t)k + 1 == n) o.restarts = 0;
#endif
    if (n > MAXN + 1) {
        /* SIZE_MAX or 2^40: must be refused before reading n*n values */
        st = CHECKED(gi_solve_qip(n, u, pw, lambda, k, use_options ? &o : NULL, sel, &r, sizeof r));
        REQUIRE(st != GI_OK && st != GI_WARNING);
        return;
    }
    if ((size_t)k > n || k < 1) {
        st = CHECKED(gi_solve_qip(n, u, pw, lambda, k, use_options ? &o : NULL, sel, &r, rsize));
        REQUIRE(st == GI_ERR_ARGUMENT || st == GI_ERR_VERSION || st == GI_ERR_SCORES || st == GI_ERR_LIMIT);
        return;
    }
    sel[k] = -77; /* canary: only k indices are written */
    st = CHECKED(gi_solve_qip(n, u, pw, lambda, k, use_options ? &o : NULL, take_u8() < 2 ? NULL : sel,
                              take_u8() < 20 ? NULL : &r, rsize));
    if (getenv("GI_FUZZ_TRACE")) {
        fprintf(stderr, "gi_solve_qip(n=%zu, lambda=%.17g, k=%d, solver=%d, tl=%g, gap=%g, restarts=%d, options=%s) = %d:",
                n, lambda, k, o.solver, o.time_limit, o.mip_gap,
#if GI_VERSION_NUMBER >= 200
                o.restarts,
#else
                0,
#endif
                use_options ? "yes" : "NULL", (int)st);
        for (a = 0; a < (size_t)k; a++) fprintf(stderr, " %d", sel[a]);
        fprintf(stderr, "\n  u:");
        for (a = 0; a < n; a++) fprintf(stderr, " %.17g", u[a]);
        fprintf(stderr, "\n  b:");
        for (a = 0; a < n * n; a++) fprintf(stderr, " %.17g", pw[a]);
        fprintf(stderr, "\n");
    }
    REQUIRE(sel[k] == -77);
    if (st == GI_OK || st == GI_WARNING) {
        check_ids(sel, (size_t)k, (int32_t)n);
    }
}

#if GI_VERSION_NUMBER >= 200
/* --- schedule files (the library's own JSON reader) and calibration ------------- */

static char schedule_path[64];

/* Writes a schedule file: a valid one for (m, k, t) with a few bytes changed,
** or raw input bytes. */
static void write_schedule_file(int32_t m, int32_t k, int32_t t) {
    char text[2048];
    size_t len = 0, i;
    FILE *f;
    uint8_t mode = take_u8();
    if (mode < 170) {
        int32_t step, prev = m;
        len += (size_t)snprintf(text + len, sizeof text - len,
                                "{\"format\": \"groupinference-schedule\", \"version\": 1, \"num_candidates\": %d, "
                                "\"group_size\": %d, \"num_steps\": %d, \"lambda\": %s, \"survivor_counts\": [",
                                m, k, t, take_u8() < 128 ? "null" : "0.5");
        for (step = 0; step < t && len < sizeof text - 64; step++) {
            int32_t c = step == t - 1 ? k : take_range(k, prev);
            prev = c;
            len += (size_t)snprintf(text + len, sizeof text - len, "%s%d", step ? ", " : "", c);
        }
        len += (size_t)snprintf(text + len, sizeof text - len, "], \"runs\": %d}\n", take_range(0, 9));
        if (len > sizeof text - 1) len = sizeof text - 1;
        for (i = take_range(0, 4); i > 0; i--) { /* mutate a few bytes */
            size_t at = (size_t)take_range(0, (int)len - 1);
            text[at] = (char)take_u8();
        }
        if (take_u8() < 30) len = (size_t)take_range(0, (int)len); /* truncate */
    } else {
        len = (size_t)take_range(0, 300);
        for (i = 0; i < len; i++) text[i] = (char)take_u8();
    }
    f = fopen(schedule_path, "wb");
    REQUIRE(f != NULL);
    if (len) REQUIRE(fwrite(text, 1, len, f) == len);
    fclose(f);
}

static void op_schedule(void) {
    int32_t m = take_range(1, MAXM), k = take_range(1, m), t = take_range(1, MAXT);
    int32_t mm = 0, kk = 0, tt = 0, counts[MAXT + 4];
    double lambda = 0;
    size_t count = 0, cap = take_u8() < 220 ? (size_t)take_range(0, MAXT + 4) : 0;
    gi_status st;
    uint8_t what = take_u8();
    write_schedule_file(m, k, t);
    if (what < 140) {
        st = CHECKED(gi_schedule_load(take_u8() < 3 ? NULL : schedule_path, take_u8() < 20 ? NULL : &mm,
                                      take_u8() < 20 ? NULL : &kk, take_u8() < 20 ? NULL : &tt,
                                      take_u8() < 20 ? NULL : &lambda, take_u8() < 20 ? NULL : counts, cap,
                                      take_u8() < 5 ? NULL : &count));
        if (st == GI_OK) REQUIRE(count <= (size_t)GI_MAX_STEPS);
    } else if (what < 200) {
        /* a session from the file */
        gi_options o;
        gi_session *s = NULL;
        int i = take_range(0, SLOTS - 1);
        CHECKED(gi_options_init(&o, sizeof o));
        o.num_candidates = m;
        o.group_size = k;
        o.num_steps = t;
        o.schedule = GI_SCHEDULE_COUNTS;
        o.schedule_file = schedule_path;
        o.time_limit = 0.002;
        o.lambda = take_u8() < 128 ? 0.5 : 1.0;
        st = CHECKED(gi_session_create(&o, &s));
        if (st == GI_OK) {
            if (slots[i].s) {
                gi_session_destroy(slots[i].s);
                forget_slot(i);
            }
            slots[i].s = s;
            slots[i].m = m;
            slots[i].k = k;
            slots[i].t = t;
        } else {
            REQUIRE(s == NULL);
        }
    } else {
        /* save: valid or invalid arguments, to the scratch path or nowhere */
        int32_t c[MAXT + 4], step, prev = m;
        gi_calibration_report rep;
        memset(&rep, 0, sizeof rep);
        for (step = 0; step < t; step++) {
            c[step] = take_u8() < 230 ? (step == t - 1 ? k : take_range(k, prev)) : take_range(-1, MAXM + 1);
            if (c[step] >= k && c[step] <= prev) prev = c[step];
        }
        st = CHECKED(gi_schedule_save(take_u8() < 10 ? (take_u8() & 1 ? NULL : "/nonexistent-dir/x.json") : schedule_path,
                                      take_u8() < 240 ? m : take_range(-1, 3), k, take_u8() < 240 ? t : 0,
                                      take_double(), take_u8() < 5 ? NULL : c, take_u8() < 128 ? NULL : &rep,
                                      take_u8() < 230 ? sizeof rep : (size_t)take_range(0, 64)));
    }
}

static void op_calibrate(void) {
    const gi_session *runs[6];
    size_t nruns = (size_t)take_range(0, 6), a;
    union { gi_calibration_goal g; unsigned char bytes[128]; } room; /* a declared size up to 64 stays inside */
    gi_calibration_goal goal;
    int32_t counts[MAXT + 4];
    double ret[MAXT + 4], ov[MAXT + 4];
    gi_calibration_report rep;
    gi_status st;
    for (a = 0; a < nruns; a++) {
        uint8_t c = take_u8();
        runs[a] = c < 200 ? slots[c % SLOTS].s : c < 230 && ndead ? dead[c % ndead] : NULL;
    }
    goal.struct_size = take_u8() < 240 ? sizeof goal : (size_t)take_range(0, 64);
    goal.budget = take_u8() < 128 ? take_unit() : (take_u8() < 128 ? 0.0 : take_double());
    goal.retention = goal.budget == 0 ? take_unit() : (take_u8() < 200 ? 0.0 : take_double());
    memset(&room, 0, sizeof room);
    room.g = goal;
    if (take_u8() > 250) room.bytes[sizeof goal + 3] = 1; /* a newer caller's field this library does not know */
    st = CHECKED(gi_calibrate(take_u8() < 5 ? NULL : runs, nruns, take_u8() < 5 ? NULL : &room.g,
                              take_u8() < 5 ? NULL : counts, (size_t)take_range(0, MAXT + 4),
                              take_u8() < 128 ? NULL : ret, take_u8() < 128 ? NULL : ov,
                              take_u8() < 64 ? NULL : &rep, take_u8() < 230 ? sizeof rep : (size_t)take_range(0, 64)));
    (void)st;
}
#endif

#if GI_VERSION_NUMBER >= 300
/* gi_discard (alive ids, junk ids, too many) or gi_set_progress. */
static void op_discard_or_progress(void) {
    int i = take_range(0, SLOTS - 1);
    gi_session *s = slots[i].s;
    gi_status st;
    if (s == NULL) s = ndead ? dead[take_range(0, ndead - 1)] : NULL;
    if (take_u8() < 90) {
        if (take_u8() < 30) st = CHECKED(gi_set_progress(s, NULL, NULL, NULL));
        else st = CHECKED(gi_set_progress(s, cb_progress, ctx_new(i, 4, 0), ctx_destroy));
    } else {
        int32_t alive[MAXM], ids[MAXM];
        size_t n_alive = 0, n, a;
        gi_progress before, after;
        if (slots[i].s == NULL || CHECKED(gi_survivors(s, alive, MAXM, &n_alive)) != GI_OK) {
            st = CHECKED(gi_discard(s, NULL, 0));
        } else {
            REQUIRE(CHECKED(gi_get_progress(s, &before, sizeof before)) == GI_OK);
            n = (size_t)take_range(0, (int32_t)n_alive);
            for (a = 0; a < n; a++)
                ids[a] = take_u8() < 235 ? alive[(a * 7 + take_u8()) % n_alive] : take_range(-2, MAXM + 2);
            st = CHECKED(gi_discard(s, take_u8() < 250 ? ids : NULL, n));
            REQUIRE(CHECKED(gi_get_progress(s, &after, sizeof after)) == GI_OK);
            /* refused: nothing changed; accepted: exactly n fewer, K still there */
            if (st == GI_OK) {
                REQUIRE(after.alive == before.alive - (int32_t)n && after.alive >= slots[i].k);
                REQUIRE(after.evaluations == before.evaluations);
            } else {
                REQUIRE(after.alive == before.alive && after.discarded == before.discarded);
            }
            return;
        }
    }
    if (slots[i].s == NULL) REQUIRE(st == (s ? GI_ERR_HANDLE : GI_ERR_ARGUMENT));
}
#endif

static void op_misc(void) {
    gi_status code = (gi_status)(int32_t)take_u32();
    REQUIRE(gi_status_string(code) != NULL);
    REQUIRE(gi_version_string() != NULL);
    REQUIRE(gi_last_error() != NULL);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    int ops = 0, i;
    if (skip_known < 0) {
        skip_env = getenv("GI_FUZZ_SKIP_KNOWN");
        if (skip_env && strcmp(skip_env, "0") == 0) skip_env = NULL;
        skip_known = skip_env != NULL;
    }
#if GI_VERSION_NUMBER >= 200
    if (schedule_path[0] == '\0') {
        snprintf(schedule_path, sizeof schedule_path, "/tmp/gi_api_fuzz_%ld.json", (long)getpid());
    }
#endif
    in_data = data;
    in_size = size;
    in_pos = 0;
    memset(slots, 0, sizeof slots);
    ndead = 0;
    live_contexts = 0;
    while (in_pos < in_size && ops++ < 48) {
        switch (take_u8() % 14) {
#if GI_VERSION_NUMBER >= 200
        case 12: op_schedule(); break;
        case 13: op_calibrate(); break;
#else
        case 12: case 13: op_misc(); break;
#endif
        case 0: case 1: op_create(); break;
        case 2: case 3: op_add_scorer(); break;
        case 4: op_push(); break;
        case 5: op_denoiser(); break;
        case 6: case 7: op_drive(); break;
        case 8: op_get(); break;
        case 9: op_destroy(); break;
        case 10: op_solve(); break;
#if GI_VERSION_NUMBER >= 300
        case 11: op_discard_or_progress(); break;
#endif
        default: op_misc(); break;
        }
    }
    for (i = 0; i < SLOTS; i++)
        if (slots[i].s) gi_session_destroy(slots[i].s);
    /* every context handed to the library was destroyed exactly once */
    REQUIRE(live_contexts == 0);
    (void)in_callback;
    return 0;
}

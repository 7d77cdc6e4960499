/*
** F3 - an embedding scorer callback that returns a zero (or otherwise
** degenerate) row once makes the session unusable: every later gi_step /
** gi_run fails with the same GI_ERR_SCORES, and the callback is never called
** again, although the header promises that the next gi_step retries the
** scoring.
**
** Cause: GroupSession+Scoring.swift, fillEmbeddings() checks only that the
** values are finite, then stores them for the current epoch
** (slot.storeEmbeddings); the zero norm is detected afterwards in
** CosineDistance.matrix(). On the retry slot.missing() finds the stored rows
** and the stored zero row fails again - forever.
** Fix: check the row norms in fillEmbeddings before storing (as
** pushEmbeddings already does), or drop the stored rows of this epoch when
** CosineDistance throws.
**
**   cc -Iinclude tests/reliability/findings/F3_zero_embedding_poisons_retry.c \
**      -L.build/release -lgroupinference -Wl,-rpath,$PWD/.build/release -o /tmp/f3 && /tmp/f3
** Expected: second gi_run returns 0. Got: -4 again, callback calls stay at 1.
*/
#include <group_inference.h>
#include <stdio.h>
#include <string.h>

static int calls = 0;

static int emb(void *user, int32_t step, const int32_t *ids, size_t n, size_t dim, float *out) {
    size_t a, d;
    (void)user; (void)step;
    calls++;
    for (a = 0; a < n; a++)
        for (d = 0; d < dim; d++) out[a * dim + d] = (float)(1 + (ids[a] * 3 + (int)d) % 5);
    if (calls == 1) memset(out, 0, dim * sizeof(float)); /* first call: candidate ids[0] gets a zero row */
    return 0;
}

static int den(void *user, int32_t step, const int32_t *ids, size_t n) {
    (void)user; (void)step; (void)ids; (void)n;
    return 0;
}

int main(void) {
    gi_options o;
    gi_session *s;
    gi_status first, second;
    gi_options_init(&o, sizeof o);
    o.num_candidates = 8;
    o.group_size = 2;
    o.num_steps = 2;
    gi_session_create(&o, &s);
    gi_add_embedding_scorer(s, "look", 1.0, 4, emb, NULL, NULL, NULL);
    gi_set_denoiser(s, den, NULL, NULL);
    first = gi_run(s);
    printf("first run: %d (%s), callback calls %d\n", (int)first, gi_last_error(), calls);
    second = gi_run(s);
    printf("retry:     %d (%s), callback calls %d\n", (int)second, gi_last_error(), calls);
    gi_session_destroy(s);
    return second == GI_OK ? 0 : 1;
}

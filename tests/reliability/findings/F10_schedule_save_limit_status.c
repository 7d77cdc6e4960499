/*
** F10 (minor) - gi_schedule_save with num_steps > GI_MAX_STEPS (or
** num_candidates > GI_MAX_CANDIDATES) returns GI_ERR_ARGUMENT ("... are out of
** range"), where the header's rule is "Sizes beyond these are refused with
** GI_ERR_LIMIT" and gi_session_create does return GI_ERR_LIMIT for the same
** values. (Correctly, the counts array is not read: ASan sees no overflow.)
** Fix: check the limits first and throw .limit, as SessionConfiguration does;
** or document GI_ERR_ARGUMENT for gi_schedule_save.
**
**   cc -Iinclude tests/reliability/findings/F10_schedule_save_limit_status.c \
**      -L.build/release -lgroupinference -Wl,-rpath,$PWD/.build/release -o /tmp/f10 && /tmp/f10
*/
#include <group_inference.h>
#include <math.h>
#include <stdio.h>

int main(void) {
    int32_t counts[4] = {8, 6, 4, 3};
    gi_status st = gi_schedule_save("/tmp/f10.json", 12, 3, GI_MAX_STEPS + 1, NAN, counts, NULL, 0);
    printf("num_steps = %d: status %d (GI_ERR_LIMIT = %d): %s\n", GI_MAX_STEPS + 1, (int)st, (int)GI_ERR_LIMIT,
           gi_last_error());
    st = gi_schedule_save("/tmp/f10.json", GI_MAX_CANDIDATES + 1, 3, 4, NAN, counts, NULL, 0);
    printf("num_candidates = %d: status %d: %s\n", GI_MAX_CANDIDATES + 1, (int)st, gi_last_error());
    return 0;
}

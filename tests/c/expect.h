/*
** expect.h - the check macros of the C tests. Each failure prints the line,
** the status and the library's message; main() reports the totals.
*/
#ifndef GI_TEST_EXPECT_H
#define GI_TEST_EXPECT_H

#include <stdio.h>
#include <string.h>

static int failures = 0, checks = 0;


#define EXPECT(cond)                                                          \
    do {                                                                      \
        checks++;                                                             \
        if (!(cond)) {                                                        \
            failures++;                                                       \
            fprintf(stderr, "%s:%d: expected %s (last error: %s)\n", __FILE__, \
                    __LINE__, #cond, gi_last_error());                        \
        }                                                                     \
    } while (0)

/* The call returns `status` and, for errors, a message containing `text`. */
#define EXPECT_STATUS(call, status, text)                                     \
    do {                                                                      \
        gi_status got_ = (call);                                              \
        checks++;                                                             \
        if (got_ != (status) ||                                               \
            ((status) != GI_OK && strstr(gi_last_error(), (text)) == NULL)) { \
            failures++;                                                       \
            fprintf(stderr, "%s:%d: %s gave %d (%s), wanted %d with '%s'\n",  \
                    __FILE__, __LINE__, #call, (int)got_, gi_last_error(),    \
                    (int)(status), (text));                                   \
        }                                                                     \
    } while (0)

#define OK(call) EXPECT_STATUS(call, GI_OK, "")

#endif

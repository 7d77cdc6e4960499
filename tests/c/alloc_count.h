/* alloc_count.h - counts every heap allocation the process makes, the
** library's included: include it in exactly one C file of an executable that
** links libgroupinference.so. The executable's malloc family then interposes
** glibc's for every shared object (the executable comes first in symbol
** lookup) and forwards to glibc's __libc_* entry points.
**
**   alloc_counts c = alloc_now();  ...  alloc_since(c).calls
**   alloc_peak_reset(); ... alloc_peak_live() - live bytes at the reset
*/
#ifndef ALLOC_COUNT_H
#define ALLOC_COUNT_H

#include <stddef.h>
#include <stdint.h>

void *__libc_malloc(size_t size);
void *__libc_calloc(size_t count, size_t size);
void *__libc_realloc(void *p, size_t size);
void *__libc_memalign(size_t alignment, size_t size);
void __libc_free(void *p);
size_t malloc_usable_size(void *p);

typedef struct alloc_counts {
    int64_t calls;   /* allocations (malloc, calloc, realloc, aligned) */
    int64_t bytes;   /* bytes asked for by them */
    int64_t largest; /* the largest single request since alloc_largest_reset */
} alloc_counts;

static int64_t alloc_calls_, alloc_bytes_, alloc_live_, alloc_peak_, alloc_largest_;

static void alloc_note_(void *p, size_t size) {
    if (!p) return;
    __atomic_add_fetch(&alloc_calls_, 1, __ATOMIC_RELAXED);
    __atomic_add_fetch(&alloc_bytes_, (int64_t)size, __ATOMIC_RELAXED);
    int64_t live = __atomic_add_fetch(&alloc_live_, (int64_t)malloc_usable_size(p), __ATOMIC_RELAXED);
    int64_t peak = __atomic_load_n(&alloc_peak_, __ATOMIC_RELAXED);
    while (live > peak && !__atomic_compare_exchange_n(&alloc_peak_, &peak, live, 1, __ATOMIC_RELAXED,
                                                       __ATOMIC_RELAXED)) {}
    int64_t big = __atomic_load_n(&alloc_largest_, __ATOMIC_RELAXED);
    while ((int64_t)size > big && !__atomic_compare_exchange_n(&alloc_largest_, &big, (int64_t)size, 1,
                                                              __ATOMIC_RELAXED, __ATOMIC_RELAXED)) {}
}

static void alloc_forget_(void *p) {
    if (p) __atomic_sub_fetch(&alloc_live_, (int64_t)malloc_usable_size(p), __ATOMIC_RELAXED);
}

void *malloc(size_t size) {
    void *p = __libc_malloc(size);
    alloc_note_(p, size);
    return p;
}

void *calloc(size_t count, size_t size) {
    void *p = __libc_calloc(count, size);
    alloc_note_(p, count * size);
    return p;
}

void *realloc(void *old, size_t size) {
    alloc_forget_(old);
    void *p = __libc_realloc(old, size);
    if (p) alloc_note_(p, size);
    else if (old && size) __atomic_add_fetch(&alloc_live_, (int64_t)malloc_usable_size(old), __ATOMIC_RELAXED);
    return p;
}

void free(void *p) {
    alloc_forget_(p);
    __libc_free(p);
}

void *aligned_alloc(size_t alignment, size_t size) {
    void *p = __libc_memalign(alignment, size);
    alloc_note_(p, size);
    return p;
}

void *memalign(size_t alignment, size_t size) { return aligned_alloc(alignment, size); }

int posix_memalign(void **out, size_t alignment, size_t size) {
    void *p = aligned_alloc(alignment, size);
    if (!p) return 12; /* ENOMEM */
    *out = p;
    return 0;
}

static inline alloc_counts alloc_now(void) {
    alloc_counts c = {__atomic_load_n(&alloc_calls_, __ATOMIC_RELAXED),
                      __atomic_load_n(&alloc_bytes_, __ATOMIC_RELAXED),
                      __atomic_load_n(&alloc_largest_, __ATOMIC_RELAXED)};
    return c;
}

/* Allocations since `start` (largest: since the last alloc_largest_reset). */
static inline alloc_counts alloc_since(alloc_counts start) {
    alloc_counts c = alloc_now();
    c.calls -= start.calls;
    c.bytes -= start.bytes;
    return c;
}

static inline void alloc_largest_reset(void) { __atomic_store_n(&alloc_largest_, 0, __ATOMIC_RELAXED); }

/* Live heap bytes now (usable sizes of the blocks not freed). */
static inline int64_t alloc_live(void) { return __atomic_load_n(&alloc_live_, __ATOMIC_RELAXED); }

/* Restart the high-water mark at the live bytes now. */
static inline void alloc_peak_reset(void) { __atomic_store_n(&alloc_peak_, alloc_live(), __ATOMIC_RELAXED); }

static inline int64_t alloc_peak_live(void) { return __atomic_load_n(&alloc_peak_, __ATOMIC_RELAXED); }

#endif

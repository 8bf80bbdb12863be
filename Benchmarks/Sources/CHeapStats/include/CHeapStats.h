#ifndef CHEAP_STATS_H
#define CHEAP_STATS_H

#include <stddef.h>

/// Bytes of the malloc heap in use: glibc's `mallinfo2()`, `uordblks + hblkhd` (every arena,
/// and the chunks mapped on their own).
size_t bench_heap_in_use(void);

#endif

#include "CMallocArenas.h"

#include <stdlib.h>
#include <unistd.h>

#if defined(__linux__)
#include <malloc.h>
#endif

static int arena_cap = 0;

/// Runs when the program is loaded: before `main` and before any thread (the Swift runtime's
/// included), so no thread has an arena of its own yet.
__attribute__((constructor)) static void cap_malloc_arenas(void) {
#if defined(M_ARENA_MAX)
    if (getenv("MALLOC_ARENA_MAX") != NULL) return;
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    int cap = (int)(2 * (cores > 0 ? cores : 1));
    if (mallopt(M_ARENA_MAX, cap) == 1) arena_cap = cap;
#endif
}

int pollster_malloc_arena_cap(void) { return arena_cap; }

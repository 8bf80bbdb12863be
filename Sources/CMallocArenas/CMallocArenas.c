#include "CMallocArenas.h"

#if defined(__linux__)
#include <malloc.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#endif

static int arena_cap = 0;

#if defined(M_ARENA_MAX)
/// Runs when the program is loaded: before `main` and before any thread (the Swift runtime's
/// included), so no thread has an arena of its own yet. A number the user chose
/// (`MALLOC_ARENA_MAX`, or the tunable `glibc.malloc.arena_max`) is left to glibc.
__attribute__((constructor)) static void cap_malloc_arenas(void) {
    if (getenv("MALLOC_ARENA_MAX") != NULL) return;
    const char *tunables = getenv("GLIBC_TUNABLES");
    if (tunables != NULL && strstr(tunables, "arena_max") != NULL) return;
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    int cap = (int)(2 * (cores > 0 ? cores : 1));
    if (mallopt(M_ARENA_MAX, cap) == 1) arena_cap = cap;
}
#endif

int pollster_malloc_arena_cap(void) { return arena_cap; }

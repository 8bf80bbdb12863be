#ifndef CMALLOC_ARENAS_H
#define CMALLOC_ARENAS_H

/// How many malloc arenas glibc may create in this process, as capped when the program was
/// loaded (two per online core, before any thread starts), or 0 when not capped: because
/// `MALLOC_ARENA_MAX` is set (glibc applies it itself) or the C library is not glibc.
int pollster_malloc_arena_cap(void);

#endif

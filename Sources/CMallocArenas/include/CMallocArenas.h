#ifndef CMALLOC_ARENAS_H
#define CMALLOC_ARENAS_H

/// How many malloc arenas glibc may create in this process, as capped when the program was
/// loaded (two per online core, before any thread starts), or 0 when not capped: because
/// the user chose (`MALLOC_ARENA_MAX` or `GLIBC_TUNABLES=glibc.malloc.arena_max=…`, which glibc
/// applies itself) or the C library is not glibc.
int pollster_malloc_arena_cap(void);

#endif

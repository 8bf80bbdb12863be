import CMallocArenas

/// glibc's malloc gives each thread that meets contention an arena of its own, up to eight per
/// core, and keeps what is freed in them: a server whose requests hop between the cooperative
/// threads, the event loops and the database's queues holds tens of MB more than it uses
/// (`pollster mcp --http` with 1,000 tasks: 122–124 MB peak RSS, 108–110 MB with the cap;
/// docs/benchmarks.md, twelfth round). `pollster` caps them at two per core when it is loaded
/// (`CMallocArenas`, before any thread starts), unless `MALLOC_ARENA_MAX` or
/// `GLIBC_TUNABLES=glibc.malloc.arena_max=…` chooses, which glibc applies itself.
enum MallocArenas {
    /// The cap in force (0: glibc's own rules); reading it also keeps the C target linked.
    static var cap: Int { Int(pollster_malloc_arena_cap()) }
}

import ServiceLifecycle

extension Pollster: Service {
    /// Hosts the scheduler that `invoke` calls share, until the calling task is canceled or, in a
    /// `ServiceGroup`, until graceful shutdown.
    ///
    /// While it runs, each invocation's job waits in one timer heap between its submit and its
    /// result and is polled by one loop, as `invokeEach` does for its items, instead of each
    /// caller's task sleeping and waking for every poll: many concurrent `invoke` calls then
    /// cost less memory and CPU (docs/benchmarks.md, section 2). Submits and downloads still run
    /// from the callers' tasks. When it stops, the jobs it holds go back to their callers, which
    /// poll on by themselves: no invocation fails or is lost because it stopped.
    ///
    /// ```swift
    /// try await withThrowingDiscardingTaskGroup { group in
    ///     group.addTask { try await pollster.run() }
    ///     let result = try await pollster.invoke("fal.fast_sdxl", input: ["prompt": "a lighthouse"])
    ///     group.cancelAll()
    /// }
    /// ```
    /// - Throws: `INTERNAL` when it already runs for this engine (one host per engine).
    public func run() async throws {
        let scheduler = scheduler
        let shared = shared
        try await cancelWhenGracefulShutdown { try await shared.host(scheduler) }
    }
}

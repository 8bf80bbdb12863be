import Foundation
import Logging
import PollsterCore
import ServiceLifecycle

/// Claims due tasks from a `TaskStore` and drives each through the engine:
/// `queued → submitting → running → downloading → succeeded | failed | canceled | timed_out`.
///
/// The submit protocol: `submitting` is stored before the POST, `running` with the provider's
/// answer (a `TaskCheckpoint`) before the first poll. A task found in `submitting` after its
/// worker died is submitted again only when the method declares `submit.idempotencyHeader`
/// (with the same key); otherwise it becomes `submit_uncertain`. A task found in `running` or
/// `downloading` resumes polling the same provider job. Nothing is submitted twice.
///
/// On graceful shutdown (a `ServiceGroup` signal) it stops claiming, lets each task reach a
/// point where another worker can resume it (never in the middle of a submit), releases its
/// leases and returns.
public struct TaskWorker: Service {
    /// How a worker runs.
    public struct Configuration: Sendable {
        /// This worker's id in leases; unique per process.
        public var id: String
        /// Tasks driven at once.
        public var concurrency: Int
        /// How long a lease holds without renewal; a dead worker's tasks wait this long.
        public var lease: Duration
        /// Pause between claims when nothing was due.
        public var idleDelay: Duration
        /// Where outputs go: `<filesDirectory>/<task id>/`.
        public var filesDirectory: String
        /// Rounds of downloads for a job that succeeded (each round makes `output.maxAttempts`
        /// attempts per file) before the task fails with `DOWNLOAD_FAILED`; default 3.
        public var downloadRounds: Int
        /// The pause between two rounds of downloads; default 5 s (keep it under a third of
        /// the lease).
        public var downloadRetryDelay: Duration
        /// The longest a task-store call may take before it fails as `STORE_ERROR`; default 10 s.
        /// Keeps a worker responsive (and able to shut down) while its database is unreachable.
        public var storeTimeout: Duration
        /// How long a task whose tool this worker does not know yet waits for the registry to
        /// catch up (a method inserted after the worker started) before failing; default 30 s.
        public var unknownToolGrace: Duration

        /// A configuration.
        public init(
            id: String = Configuration.defaultID(), concurrency: Int = 16, lease: Duration = .seconds(30),
            idleDelay: Duration = .milliseconds(250), filesDirectory: String = "pollster-files",
            downloadRounds: Int = 3, downloadRetryDelay: Duration = .seconds(5),
            storeTimeout: Duration = .seconds(10), unknownToolGrace: Duration = .seconds(30)
        ) {
            self.id = id
            self.concurrency = max(1, concurrency)
            self.lease = lease
            self.idleDelay = idleDelay
            self.filesDirectory = filesDirectory
            self.downloadRounds = max(1, downloadRounds)
            self.downloadRetryDelay = downloadRetryDelay
            self.storeTimeout = storeTimeout
            self.unknownToolGrace = unknownToolGrace
        }

        /// `host:pid:random`.
        public static func defaultID() -> String {
            let host = ProcessInfo.processInfo.hostName
            return "\(host):\(ProcessInfo.processInfo.processIdentifier):\(UUID().uuidString.prefix(8))"
        }
    }

    /// Where tasks live.
    public let store: any TaskStore
    /// The engine that runs them.
    public let pollster: Pollster
    /// How this worker runs.
    public let configuration: Configuration
    let logger: Logger
    /// Store calls under a time limit, with outage reporting.
    let stores: StoreGuard

    /// A worker; nothing happens until `run()`.
    public init(store: any TaskStore, pollster: Pollster, configuration: Configuration, logger: Logger) {
        self.store = store
        self.pollster = pollster
        self.configuration = configuration
        self.logger = logger
        self.stores = StoreGuard(store: store, timeout: configuration.storeTimeout, logger: logger)
    }

    /// False while the task store is failing (for readiness checks).
    public var isStoreReachable: Bool { stores.isReachable }

    /// Since when the task store has been failing, if it is.
    public var storeFailingSince: Date? { stores.failingSince }

    /// Claims and drives tasks until cancelled or, in a `ServiceGroup`, until graceful shutdown.
    public func run() async throws {
        let signals = WorkerSignals()
        let keeper = LeaseKeeper(worker: self, signals: signals)
        await withGracefulShutdownHandler {
            await withTaskGroup(of: Void.self) { keeping in
                keeping.addTask { await keeper.run() }
                await claimAndDrive(signals)
                // Every driver is done: no lease is left to renew.
                keeping.cancelAll()
            }
        } onGracefulShutdown: {
            signals.stop()
        }
        do {
            try await stores.call("releasing leases", running: 0) { [store, configuration] in
                try await store.release(worker: configuration.id)
            }
        } catch {
            logger.warning("releasing leases failed; they expire in \(configuration.lease): \(error)")
        }
    }

    /// Claims due tasks and drives each in its own child task until stopping or canceled; returns
    /// when every driver is done.
    private func claimAndDrive(_ signals: WorkerSignals) async {
        await withDiscardingTaskGroup { group in
            var failedClaims = 0
            while !signals.isStopping && !Task.isCancelled {
                let free = configuration.concurrency - signals.drivingCount
                var claimed: [TaskRecord] = []
                if free > 0 {
                    let claim = TaskClaim(
                        worker: configuration.id, limit: free, lease: configuration.lease,
                        inventoryLimits: await inventoryLimits())
                    do {
                        claimed = try await stores.call("claiming tasks", running: signals.drivingCount) {
                            [store] in try await store.claim(claim)
                        }
                        failedClaims = 0
                    } catch is CancellationError {
                        break
                    } catch {
                        // Reported once by the guard; back off while the store is down.
                        failedClaims += 1
                        try? await Task.sleep(
                            for: min(configuration.idleDelay * (1 << min(failedClaims, 5)), .seconds(5)))
                        continue
                    }
                }
                // A task this worker still drives comes back when its lease lapsed under load:
                // the claim renewed the lease, the driver already running it goes on.
                for task in claimed {
                    guard let box = signals.startDriving(task) else { continue }
                    group.addTask { [id = task.id] in
                        await TaskDriver(worker: self, box: box, signals: signals).drive()
                        signals.stopDriving(id)
                    }
                }
                if claimed.isEmpty {
                    try? await Task.sleep(for: configuration.idleDelay)
                }
            }
        }
    }

    /// `limits.maxConcurrent` per inventory, from the registry.
    private func inventoryLimits() async -> [String: Int] {
        guard let methods = try? await pollster.registry.methods() else { return [:] }
        var limits: [String: Int] = [:]
        for method in methods {
            if let limit = method.limits?.maxConcurrent { limits[method.inventory] = limit }
        }
        return limits
    }
}

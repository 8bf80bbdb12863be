import PollsterCore
import Synchronization

/// One invocation's state between its steps, kept on the heap.
///
/// `JobScheduler` runs each step (the submit, one poll, the result and the outputs) in a
/// short-lived child task; between polls a job is this object in the scheduler's timer heap (or
/// the one reference a single `invoke` holds), not a chain of suspended calls
/// (docs/architecture.md). Steps run one at a time.
final class JobState: Sendable {
    /// What the steps share.
    struct Stage: Sendable {
        var run: Invocation
        /// The origin of the status or result URL last checked against the URL policy (the
        /// provider's own needs no check).
        var checkedOrigin: String?
        /// What the invocation returns, once the last step is done.
        var result: ToolResult? {
            get { if case .result(let result)? = finished { result } else { nil } }
            set { finished = newValue.map(Finished.result) }
        }
        /// The result, boxed: a waiting job keeps 8 bytes for it, not the 200 of a `ToolResult`.
        fileprivate var finished: Finished? = nil
    }

    /// A finished invocation's result, on the heap.
    indirect enum Finished: Sendable {
        case result(ToolResult)
    }

    private let stage: Mutex<Stage>
    /// The call this job runs (its outcome is reported with it).
    let call: JobScheduler.Call

    init(_ run: Invocation, call: JobScheduler.Call) {
        self.call = call
        stage = Mutex(Stage(run: run))
    }

    /// The limits of the method's inventory (the invocation's: a waiting job keeps one copy).
    var limiters: ProviderLimits.Limiters { stage.withLock { $0.run.limiters } }

    /// What the invocation returns (the result is read here rather than passed back from the
    /// last step's child task, so that no `ToolResult` takes room in the waiting frame).
    /// - Throws: when the last step has not run (a bug).
    @inline(never)
    func result() throws(PollsterError) -> ToolResult {
        guard let result = stage.withLock({ $0.result }) else {
            throw PollsterError(.internal, "internal error: the invocation ended without a result")
        }
        return result
    }

    /// Runs one step on a copy of the state and keeps the changes it made.
    func step<Result>(_ body: (inout Stage) async throws -> Result) async throws -> Result {
        var current = stage.withLock { $0 }
        let result = try await body(&current)
        stage.withLock { [current] in $0 = current }
        return result
    }
}

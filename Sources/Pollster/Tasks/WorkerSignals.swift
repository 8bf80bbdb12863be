import Synchronization

/// What a worker's claim loop, lease keeper and drivers share: the tasks being driven, and
/// whether the worker is shutting down.
final class WorkerSignals: Sendable {
    private struct State {
        var stopping = false
        /// The tasks being driven, by id.
        var driving: [String: RecordBox] = [:]
    }

    private let state = Mutex(State())

    /// Graceful shutdown was asked for.
    var isStopping: Bool { state.withLock { $0.stopping } }

    var drivingCount: Int { state.withLock { $0.driving.count } }

    /// The tasks being driven.
    var driven: [String: RecordBox] { state.withLock { $0.driving } }

    /// Records that `task` is being driven.
    /// - Returns: its driver's box; nil if it already was driven.
    func startDriving(_ task: TaskRecord) -> RecordBox? {
        let (box, stopping) = state.withLock { state -> (RecordBox?, Bool) in
            guard state.driving[task.id] == nil else { return (nil, state.stopping) }
            let box = RecordBox(task)
            state.driving[task.id] = box
            return (box, state.stopping)
        }
        if stopping { box?.stop() }
        return box
    }

    func stopDriving(_ id: String) { _ = state.withLock { $0.driving.removeValue(forKey: id) } }

    /// Graceful shutdown: tells every driver.
    func stop() {
        let boxes = state.withLock { state in
            state.stopping = true
            return Array(state.driving.values)
        }
        for box in boxes { box.stop() }
    }
}

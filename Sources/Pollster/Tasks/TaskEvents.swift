import Foundation
import PollsterCore

/// A task each time it changes, read from the store (so it works across processes), ending
/// after the task finishes. From `TaskService.events(_:)`: the update times of every task the
/// service's callers follow are read together (`TaskWatch`), the task whole when it changed.
public struct TaskEvents: AsyncSequence, Sendable {
    let service: TaskService
    let id: String
    let checkEvery: Duration

    public func makeAsyncIterator() -> AsyncIterator {
        AsyncIterator(service: service, id: id, checkEvery: checkEvery)
    }

    /// Reads the task until it changes.
    public struct AsyncIterator: AsyncIteratorProtocol {
        let service: TaskService
        let id: String
        let checkEvery: Duration
        var lastUpdate: Date?
        /// The task's stored update time when it was last read whole.
        var lastSaved: Date?
        var finished = false
        /// When the last check ended: the next one needs a reading of the store that started later.
        var since = ContinuousClock.now

        /// The task after its next change; nil once it finished.
        /// - Throws: `PollsterError` (`TASK_NOT_FOUND` if it is deleted), `CancellationError`.
        public mutating func next() async throws -> TaskRecord? {
            while !finished {
                let changed = try await service.changed(id, since: &lastSaved, readSince: since)
                since = .now
                if let task = changed, task.updatedAt != lastUpdate {
                    lastUpdate = task.updatedAt
                    finished = task.state.isFinished
                    return task
                }
                try await Task.sleep(for: checkEvery)
            }
            return nil
        }
    }
}

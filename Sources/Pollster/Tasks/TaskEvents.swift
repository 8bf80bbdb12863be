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
        /// What the checks have seen.
        var follow = TaskFollow()
        var finished = false

        /// The task after its next change; nil once it finished.
        /// - Throws: `PollsterError` (`TASK_NOT_FOUND` if it is deleted), `CancellationError`.
        public mutating func next() async throws -> TaskRecord? {
            while !finished {
                if let task = try await service.changed(id, &follow), task.updatedAt != lastUpdate {
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

import Foundation
import PollsterCore

/// A task each time it changes, read from the store (so it works across processes), ending
/// after the task finishes. From `TaskService.events(_:)`; the service reads every task its
/// callers follow together (`TaskWatch`).
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
        var finished = false
        /// When the last check started: the next one needs a reading at least that recent.
        var since = ContinuousClock.now

        /// The task after its next change; nil once it finished.
        /// - Throws: `PollsterError` (`TASK_NOT_FOUND` if it is deleted), `CancellationError`.
        public mutating func next() async throws -> TaskRecord? {
            while !finished {
                let task = try await service.watch.task(id, readSince: since)
                since = .now
                if task.updatedAt != lastUpdate {
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

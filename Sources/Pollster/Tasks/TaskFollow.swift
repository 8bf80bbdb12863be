import Foundation

/// What a caller following a task has seen, for `TaskService.changed(_:_:)`: the task's stored
/// update time when it was last read whole, and when the last check ended (the next check
/// needs a reading of the store that started later).
public struct TaskFollow: Sendable {
    /// The task's stored update time when it was last read whole; nil until then.
    public internal(set) var saved: Date?
    /// When the last check ended (or the follow began).
    var checked: ContinuousClock.Instant

    /// A follow that has seen nothing yet.
    public init() {
        saved = nil
        checked = .now
    }
}

import Logging
import Synchronization

/// How a store's claims, lists and retention pass over a row whose record cannot be read
/// (`TaskStoreError.corrupt`: edited by hand, or written by an incompatible version).
///
/// No worker can run such a task, and a claim that failed on it would fail again at every try:
/// one broken row first in line would stop every worker on the store (and one in a list would
/// hide every other task of the page). They leave it out and log it once per store, saying what
/// to do; reading the task by id still fails with the error, naming it.
package final class UnreadableRecords: Sendable {
    private let logger: Logger
    private let reported = Mutex<Set<String>>([])

    package init(logger: Logger) {
        self.logger = logger
    }

    /// The task `read` returns, or nil when its record cannot be read (logged the first time).
    /// - Throws: any other error of `read`.
    package func skipping(_ read: () throws -> TaskRecord) throws -> TaskRecord? {
        do {
            return try read()
        } catch TaskStoreError.corrupt(let id, let reason) {
            if reported.withLock({ $0.insert(id).inserted }) {
                logger.error(
                    "a stored task cannot be read; workers pass over it: repair its row or delete it",
                    metadata: ["task": "\(id)", "reason": "\(reason)"])
            }
            return nil
        }
    }
}

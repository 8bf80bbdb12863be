import Logging
import Synchronization

/// How a store's claims, lists and retention pass over a row whose record cannot be read
/// (`TaskStoreError.corrupt`: edited by hand, or written by an incompatible version).
///
/// No worker can run such a task, and a claim that failed on it would fail again at every try:
/// one broken row first in line would stop every worker on the store (and one in a list would
/// hide every other task). They leave it out (claims and lists read on past it, so they still
/// fill up) and log it once per store, saying what to do; reading the task by id still fails
/// with the error, naming it.
package final class UnreadableRecords: Sendable {
    private let logger: Logger
    private let reported = Mutex<Set<String>>([])

    package init(logger: Logger) {
        self.logger = logger
    }

    /// What becomes of a row passed over, for the log.
    package enum Note: Sendable {
        /// A claim or a list left it where it is.
        case passedOver
        /// Retention deleted it with the other old tasks.
        case deleted

        var message: Logger.Message {
            switch self {
            case .passedOver:
                "a stored task cannot be read; claims and lists pass over it: repair its row or delete it"
            case .deleted:
                "a finished task that could not be read was deleted with the other old tasks; output files it had stay in the files directory"
            }
        }
    }

    /// The task `read` returns, or nil when its record cannot be read (logged the first time).
    /// - Throws: any other error of `read`.
    package func skipping(_ note: Note, _ read: () throws -> TaskRecord) throws -> TaskRecord? {
        do {
            return try read()
        } catch TaskStoreError.corrupt(let id, let reason) {
            if note == .deleted || reported.withLock({ $0.insert(id).inserted }) {
                logger.error(note.message, metadata: ["task": "\(id)", "reason": "\(reason)"])
            }
            return nil
        }
    }
}

extension PollMachine {
    /// Where polling stands: the part of the machine that changes as polls come back.
    ///
    /// A durable task stores it with its checkpoint (`TaskCheckpoint.polling`), so a job resumed
    /// by another worker goes on where it was — its place in the schedule and the backoff, its
    /// failed polls in a row, whether the provider has seen it (a 404 then means it is gone), the
    /// status values no rule recognised — rather than starting over.
    package struct Progress: Sendable, Equatable, Codable {
        /// Polls answered or failed so far.
        package var polls = 0
        /// Polls scheduled so far.
        package var scheduled = 0
        /// The `Retry-After` of the last answer (or of the submit's, before the first poll): it
        /// replaces the computed delay before the next poll.
        package var retryAfter: Duration?
        /// Whether the provider has answered a poll (a later 404 then means the task is gone).
        /// (Declared here, it fills the padding after `retryAfter`: every waiting job holds one.)
        package var seen = false
        /// Failed polls in a row.
        package var consecutiveErrors = 0
        /// Answers in a row in which no status field was found.
        package var withoutStatus = 0
        /// The last status value read (redacted).
        package var lastStatus: String?
        /// Status values no rule recognised, in the order first seen (redacted).
        package var unknownStatuses: [String] = []

        /// No poll yet.
        package init() {}

        enum CodingKeys: String, CodingKey {
            case polls, scheduled, retryAfterSeconds, consecutiveErrors, seen, withoutStatus, lastStatus,
                unknownStatuses
        }

        /// Reads stored progress; missing keys take their initial values (older checkpoints).
        package init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            polls = try c.decodeIfPresent(Int.self, forKey: .polls) ?? 0
            scheduled = try c.decodeIfPresent(Int.self, forKey: .scheduled) ?? 0
            retryAfter = try c.decodeIfPresent(Double.self, forKey: .retryAfterSeconds).map {
                .milliseconds(Int64(($0 * 1000).rounded()))
            }
            consecutiveErrors = try c.decodeIfPresent(Int.self, forKey: .consecutiveErrors) ?? 0
            seen = try c.decodeIfPresent(Bool.self, forKey: .seen) ?? false
            withoutStatus = try c.decodeIfPresent(Int.self, forKey: .withoutStatus) ?? 0
            lastStatus = try c.decodeIfPresent(String.self, forKey: .lastStatus)
            unknownStatuses = try c.decodeIfPresent([String].self, forKey: .unknownStatuses) ?? []
        }

        /// Stores the progress, `Retry-After` in seconds.
        package func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(polls, forKey: .polls)
            try c.encode(scheduled, forKey: .scheduled)
            try c.encodeIfPresent(retryAfter?.seconds, forKey: .retryAfterSeconds)
            try c.encode(consecutiveErrors, forKey: .consecutiveErrors)
            try c.encode(seen, forKey: .seen)
            try c.encode(withoutStatus, forKey: .withoutStatus)
            try c.encodeIfPresent(lastStatus, forKey: .lastStatus)
            if !unknownStatuses.isEmpty { try c.encode(unknownStatuses, forKey: .unknownStatuses) }
        }
    }
}

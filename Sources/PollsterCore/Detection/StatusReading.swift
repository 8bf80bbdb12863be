/// Where a job stands according to one status response.
public enum TaskPhase: String, Sendable, Codable, CaseIterable {
    /// Accepted, not started (queued, waiting).
    case pending
    /// Being worked on.
    case running
    /// Done; outputs available.
    case succeeded
    /// Done without outputs.
    case failed
    /// Stopped by someone.
    case canceled
    /// A status value no rule recognises; polling continues.
    case unknown

    /// True for succeeded, failed and canceled.
    public var isTerminal: Bool { self == .succeeded || self == .failed || self == .canceled }
}

/// What one status response says, and which rule said it.
public struct StatusReading: Sendable, Equatable {
    /// The phase.
    public var phase: TaskPhase
    /// The raw status value as text, if a status field was found.
    public var rawStatus: String?
    /// The path of the status field.
    public var statusPath: String?
    /// Which rule decided (`acceptors[1]`, `default vocabulary`, `success with error field error`…).
    public var rule: String
    /// The provider's message, for failures.
    public var message: String?
    /// Progress normalised to 0–100.
    public var progress: Double?
    /// Position in the provider's queue.
    public var queuePosition: Int?
    /// Set when the answer is a passing fault rather than a status (a rate-limit or transient
    /// error envelope): the poll counts as failed and is retried.
    public var transientError: String?
    /// True when no status field was found in the answer (and no acceptor matched).
    public var statusFieldMissing: Bool {
        phase == .unknown && rawStatus == nil && transientError == nil
    }

    /// A reading from its parts.
    public init(
        phase: TaskPhase, rawStatus: String? = nil, statusPath: String? = nil, rule: String,
        message: String? = nil,
        progress: Double? = nil, queuePosition: Int? = nil
    ) {
        self.phase = phase
        self.rawStatus = rawStatus
        self.statusPath = statusPath
        self.rule = rule
        self.message = message
        self.progress = progress
        self.queuePosition = queuePosition
    }
}

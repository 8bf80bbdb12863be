import PollsterCore

/// An adapter drafted from a recording by ``AdapterInferrer``: the config, every guess behind it
/// with its confidence, and the questions a person must answer.
public struct AdapterDraft: Sendable {
    /// How sure a guess is.
    public enum Confidence: String, Sendable, Comparable {
        /// Seen in the recording and confirmed by a later request or a download.
        case high
        /// Consistent with the recording but not confirmed.
        case medium
        /// A default or a name made up; check it.
        case low

        private var rank: Int {
            switch self {
            case .high: 2
            case .medium: 1
            case .low: 0
            }
        }

        public static func < (lhs: Confidence, rhs: Confidence) -> Bool { lhs.rank < rhs.rank }
    }

    /// One inferred setting and why.
    public struct Guess: Sendable, Equatable {
        /// The config key, e.g. `polling.statusPath` (`baseUrl`, `endpoint` for the method).
        public var key: String
        /// The value chosen, as shown in the YAML.
        public var value: String
        /// How sure it is.
        public var confidence: Confidence
        /// What in the recording led to it.
        public var evidence: String
    }

    /// The inventory key.
    public var inventory: String
    /// The method name.
    public var method: String
    /// The provider's base URL.
    public var baseUrl: String
    /// The submit endpoint, relative to `baseUrl`.
    public var endpoint: String
    /// The submit method.
    public var httpMethod: String
    /// The drafted `adapterConfig`.
    public var config: AdapterConfig
    /// Every guess, in the order made.
    public var guesses: [Guess] = []
    /// What the recording cannot tell; each becomes a `# QUESTION:` comment.
    public var questions: [String] = []

    /// The tool name, `inventory.method`.
    public var tool: String { "\(inventory).\(method)" }

    /// The draft as an adapter YAML file, guesses and questions as comments.
    public var yaml: String { DraftYAML.render(self) }

    /// Records a guess.
    mutating func guess(_ key: String, _ value: String, _ confidence: Confidence, _ evidence: String) {
        guesses.append(Guess(key: key, value: value, confidence: confidence, evidence: evidence))
    }
}

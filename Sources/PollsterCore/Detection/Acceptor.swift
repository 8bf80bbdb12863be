/// A compiled acceptor rule: tests one value and, on a match, decides the phase.
public struct Acceptor: Sendable {
    /// What the rule tests.
    public enum Matcher: Sendable {
        case equals(JSONValue)
        case oneOf([JSONValue])
        case exists(Bool)
        case matches(String)
    }

    /// The path tested; nil means the detected status field.
    public private(set) var path: JSONPath?
    /// The test.
    public let matcher: Matcher
    /// The phase on a match (`retry` becomes running).
    public let phase: TaskPhase
    /// Where the message is.
    public private(set) var messagePath: JSONPath?
    /// The `matches` pattern compiled once at load time; compiling it on every poll cost more than the
    /// rest of the poll (docs/benchmarks.md, scenario 1). Used only while `matcher` still holds its pattern.
    private var compiled: CompiledPattern?

    init(_ config: AcceptorConfig, key: String) throws(PollsterError) {
        path = try config.path.map { path throws(PollsterError) in
            try MethodPlan.path(path, key: "\(key).path")
        }
        messagePath = try config.message.map { path throws(PollsterError) in
            try MethodPlan.path(path, key: "\(key).message")
        }
        var matchers: [Matcher] = []
        if let value = config.equals { matchers.append(.equals(value)) }
        if let values = config.in { matchers.append(.oneOf(values)) }
        if let flag = config.exists { matchers.append(.exists(flag)) }
        if let pattern = config.matches {
            guard let regex = try? Regex(pattern) else {
                throw PollsterError(
                    .invalidConfig, "\(key).matches: '\(pattern)' is not a valid regular expression")
            }
            compiled = CompiledPattern(pattern: pattern, regex: regex)
            matchers.append(.matches(pattern))
        }
        guard matchers.count == 1 else {
            throw PollsterError(
                .invalidConfig,
                "\(key): give exactly one of equals, in, exists, matches (found \(matchers.count))")
        }
        matcher = matchers[0]
        switch config.state.lowercased() {
        case "success": phase = .succeeded
        case "failure": phase = .failed
        case "retry": phase = .running
        case "canceled", "cancelled": phase = .canceled
        default:
            throw PollsterError(
                .invalidConfig,
                "\(key).state: '\(config.state)' is not one of success, failure, retry, canceled")
        }
    }

    /// The same rule with `{id}` in its paths replaced by the task id.
    func bound(taskId: String?) -> Acceptor {
        var copy = self
        copy.path = path?.binding(taskId: taskId)
        copy.messagePath = messagePath?.binding(taskId: taskId)
        return copy
    }

    /// True when the rule matches `value` (nil: the path is missing).
    func test(_ value: JSONValue?) -> Bool {
        switch matcher {
        case .exists(let flag): return (value.map { !$0.isNull } ?? false) == flag
        case .equals(let expected): return value.map { Self.same($0, expected) } ?? false
        case .oneOf(let options):
            return value.map { value in options.contains { Self.same(value, $0) } } ?? false
        case .matches(let pattern):
            guard let text = value?.scalarText else { return false }
            if let compiled, compiled.pattern == pattern { return text.firstMatch(of: compiled.regex) != nil }
            guard let regex = try? Regex(pattern) else { return false }
            return text.firstMatch(of: regex) != nil
        }
    }

    /// A `matches` pattern and its compiled form.
    ///
    /// `@unchecked Sendable`: `Regex<AnyRegexOutput>` is not `Sendable` only because of its output type;
    /// both stored values are immutable after init and matching does not mutate the regex (the standard
    /// library lowers its program once, atomically), so sharing it between threads is safe.
    private struct CompiledPattern: @unchecked Sendable {
        let pattern: String
        let regex: Regex<AnyRegexOutput>
    }

    /// Strings compare case-insensitively; numbers compare as their text.
    static func same(_ value: JSONValue, _ expected: JSONValue) -> Bool {
        guard let left = value.scalarText, let right = expected.scalarText else { return value == expected }
        return left.lowercased() == right.lowercased()
    }
}

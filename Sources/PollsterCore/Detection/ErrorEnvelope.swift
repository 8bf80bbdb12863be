/// The compiled form of `ErrorEnvelopeConfig`: reads a body and says whether it carries an
/// error envelope, and of which kind.
public struct ErrorEnvelope: Sendable {
    /// What an envelope found in a body means.
    public enum Verdict: Sendable, Equatable {
        /// Rate limited: the request was not processed.
        case rateLimited(code: String, message: String)
        /// A passing fault at the provider.
        case transient(code: String, message: String)
        /// The call failed.
        case failed(code: String?, message: String)

        /// The provider's message, with its code.
        public var text: String {
            switch self {
            case .rateLimited(let code, let message), .transient(let code, let message):
                "\(code): \(message)"
            case .failed(let code, let message): code.map { "\($0): \(message)" } ?? message
            }
        }
    }

    let path: JSONPath
    let codePath: JSONPath
    let messagePath: JSONPath
    let rateLimitCodes: [String]
    let transientCodes: [String]

    /// Compiles an envelope config.
    /// - Throws: `INVALID_CONFIG` naming the key of a path that does not parse.
    public init(_ config: ErrorEnvelopeConfig, key: String = "adapterConfig.errorEnvelope")
        throws(PollsterError)
    {
        path = try MethodPlan.path(config.path, key: "\(key).path")
        codePath = try MethodPlan.path(config.codePath, key: "\(key).codePath")
        messagePath = try MethodPlan.path(config.messagePath, key: "\(key).messagePath")
        rateLimitCodes = config.rateLimitCodes
        transientCodes = config.transientCodes
    }

    /// Tencent Cloud API 3.0's envelope.
    public static let tencentCloud = try! ErrorEnvelope(.tencentCloud)

    /// The envelope in `body`, if there is a meaningful one.
    public func verdict(in body: JSONValue) -> Verdict? {
        guard let envelope = path.firstValue(in: body), envelope.isMeaningful else { return nil }
        let code = codePath.firstValue(in: envelope)?.scalarText
        let message =
            messagePath.firstValue(in: envelope).flatMap(StatusClassifier.messageText)
            ?? StatusClassifier.messageText(envelope) ?? envelope.description
        guard let code else { return .failed(code: nil, message: message) }
        if Self.matches(code, rateLimitCodes) { return .rateLimited(code: code, message: message) }
        if Self.matches(code, transientCodes) { return .transient(code: code, message: message) }
        return .failed(code: code, message: message)
    }

    /// True when `code` equals a pattern, or starts with one ending in `*` (case-insensitively).
    static func matches(_ code: String, _ patterns: [String]) -> Bool {
        let code = code.lowercased()
        return patterns.contains { pattern in
            let pattern = pattern.lowercased()
            if pattern.hasSuffix("*") { return code.hasPrefix(pattern.dropLast()) }
            return code == pattern
        }
    }
}

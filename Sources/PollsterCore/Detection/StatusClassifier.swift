import OrderedCollections

/// Reads a status response: finds the status, decides the phase, extracts the message
/// and progress, and says which rule decided.
///
/// Order: acceptors (first match wins) → the error envelope (`adapterConfig.errorEnvelope`,
/// by default `Response.Error`; rate-limit and transient codes are passing faults) → the
/// status field mapped through configured values, then the default vocabulary → a
/// success that carries an error field becomes a failure (a canceled one when the error
/// says the request was canceled).
public struct StatusClassifier: Sendable {
    /// The provider's error envelope (from the method's config).
    public let envelope: ErrorEnvelope
    var statusPath: JSONPath?
    var vocabulary: [String: TaskPhase]
    var acceptors: [Acceptor]
    var progressPath: JSONPath?
    var errorPath: JSONPath?

    /// Compiles the status rules of a polling config.
    /// - Parameters:
    ///   - config: the polling config.
    ///   - envelope: the provider's error envelope in 2xx bodies (`adapterConfig.errorEnvelope`).
    /// - Throws: `INVALID_CONFIG` naming the key.
    public init(_ config: PollingConfig, envelope: ErrorEnvelope = .tencentCloud) throws(PollsterError) {
        let key = "adapterConfig.polling"
        self.envelope = envelope
        statusPath = try config.statusPath.map { path throws(PollsterError) in
            try MethodPlan.path(path, key: "\(key).statusPath")
        }
        progressPath = try config.progressPath.map { path throws(PollsterError) in
            try MethodPlan.path(path, key: "\(key).progressPath")
        }
        errorPath = try config.errorPath.map { path throws(PollsterError) in
            try MethodPlan.path(path, key: "\(key).errorPath")
        }
        vocabulary = StatusVocabulary.defaults
        let extras: [(values: [String]?, phase: TaskPhase)] = [
            (config.pendingValues, .running), (config.successValues, .succeeded),
            (config.failureValues, .failed),
            (config.canceledValues, .canceled),
        ]
        for (values, phase) in extras {
            for value in values ?? [] { vocabulary[value.lowercased()] = phase }
        }
        for (value, state) in config.statusMap ?? [:] {
            guard let phase = Self.mapPhases[state.lowercased()] else {
                throw PollsterError(
                    .invalidConfig,
                    "\(key).statusMap.\(value): '\(state)' is not one of success, failure, running, pending, canceled"
                )
            }
            vocabulary[value.lowercased()] = phase
        }
        var acceptors: [Acceptor] = []
        for (index, acceptor) in (config.acceptors ?? []).enumerated() {
            acceptors.append(try Acceptor(acceptor, key: "\(key).acceptors[\(index)]"))
        }
        self.acceptors = acceptors
    }

    static let mapPhases: [String: TaskPhase] = [
        "success": .succeeded, "succeeded": .succeeded, "failure": .failed, "failed": .failed,
        "running": .running,
        "retry": .running, "pending": .pending, "canceled": .canceled, "cancelled": .canceled,
    ]

    /// True when a path reads the task id (`{id}`): then each job binds its own copy.
    public var usesTaskId: Bool {
        [statusPath, progressPath, errorPath].contains { $0?.usesTaskId == true }
            || acceptors.contains { $0.path?.usesTaskId == true || $0.messagePath?.usesTaskId == true }
    }

    /// The same rules with `{id}` in every path replaced by the task id
    /// (for providers that key the status by id, like `data["{id}"].status`).
    public func bound(taskId: String?) -> StatusClassifier {
        var copy = self
        copy.statusPath = statusPath?.binding(taskId: taskId)
        copy.progressPath = progressPath?.binding(taskId: taskId)
        copy.errorPath = errorPath?.binding(taskId: taskId)
        copy.acceptors = acceptors.map { $0.bound(taskId: taskId) }
        return copy
    }

    /// Where the status is looked for, as messages name it.
    public var statusFieldDescription: String {
        if let statusPath { return "polling.statusPath \(statusPath)" }
        return
            "any of \(StatusVocabulary.fieldNames.joined(separator: ", ")) (top level, or in \(FieldSearch.containers.joined(separator: ", ")))"
    }

    /// The default rules only.
    public static let defaults = try! StatusClassifier(PollingConfig())

    /// Classifies one parsed status response.
    public func classify(_ body: JSONValue) -> StatusReading {
        let status = findStatus(in: body)
        var reading = decide(body, status: status)
        reading.rawStatus = reading.rawStatus ?? status?.value.scalarText
        reading.statusPath = reading.statusPath ?? status?.path.description
        readProgress(from: body, into: &reading)
        return reading
    }

    private func decide(_ body: JSONValue, status: (path: JSONPath, value: JSONValue)?) -> StatusReading {
        for (index, acceptor) in acceptors.enumerated() {
            let value = acceptor.path.map { $0.firstValue(in: body) } ?? status?.value
            if acceptor.test(value) {
                let message = acceptor.messagePath?.firstValue(in: body).flatMap(Self.messageText)
                return StatusReading(
                    phase: acceptor.phase, rawStatus: value?.scalarText,
                    statusPath: acceptor.path?.description,
                    rule: "acceptors[\(index)]",
                    message: message
                        ?? (acceptor.phase == .failed ? failureMessage(in: body, near: status) : nil))
            }
        }
        switch envelope.verdict(in: body) {
        case .failed?:
            return StatusReading(
                phase: .failed, statusPath: envelope.path.description,
                rule: "error envelope \(envelope.path)", message: envelope.verdict(in: body)?.text)
        case let verdict?:
            var reading = StatusReading(
                phase: .running, statusPath: envelope.path.description,
                rule: "error envelope \(envelope.path) (passing fault)")
            reading.transientError = verdict.text
            return reading
        case nil: break
        }
        guard let status else {
            return StatusReading(phase: .unknown, rule: "no status field found")
        }
        let phase: TaskPhase
        let rule: String
        if case .bool(let done) = status.value {
            phase = done ? .succeeded : .running
            rule = "boolean \(status.path)"
        } else if let text = status.value.scalarText, let known = vocabulary[text.lowercased()] {
            phase = known
            rule =
                StatusVocabulary.defaults[text.lowercased()] == known
                ? "default vocabulary" : "configured values"
        } else {
            return StatusReading(phase: .unknown, rule: "unrecognised status value")
        }
        switch phase {
        case .succeeded:
            if let (field, message) = errorBesideSuccess(in: body, near: status) {
                // fal reports a canceled request as COMPLETED with "Request was cancelled".
                let canceled = message.lowercased().contains("cancel")
                return StatusReading(
                    phase: canceled ? .canceled : .failed,
                    rule: "success with error field \(field)\(canceled ? " saying canceled" : "")",
                    message: message)
            }
            return StatusReading(phase: .succeeded, rule: rule)
        case .failed, .canceled:
            return StatusReading(phase: phase, rule: rule, message: failureMessage(in: body, near: status))
        default:
            return StatusReading(phase: phase, rule: rule)
        }
    }

    private func findStatus(in body: JSONValue) -> (path: JSONPath, value: JSONValue)? {
        if let statusPath {
            return statusPath.firstValue(in: body).map { (statusPath, $0) }
        }
        if let found = FieldSearch.first(
            in: body, names: StatusVocabulary.fieldNames, accept: { $0.scalarText != nil && !$0.isNull })
        {
            // A value the vocabulary knows beats an unknown one found first: Volcengine's envelope
            // has a numeric `status` (10000, "ignore it") beside the job's own `data.status`.
            if isKnown(found.value) { return found }
            return FieldSearch.first(in: body, names: StatusVocabulary.fieldNames, accept: isKnown) ?? found
        }
        return FieldSearch.first(in: body, names: StatusVocabulary.doneFlags) {
            if case .bool = $0 { true } else { false }
        }
    }

    /// Whether `value` is a word the method's rules know: the vocabulary (the defaults,
    /// `statusMap`, the configured words), or one an acceptor without a path (which tests the
    /// status field) accepts.
    private func isKnown(_ value: JSONValue) -> Bool {
        if value.scalarText.map({ vocabulary[$0.lowercased()] != nil }) == true { return true }
        return acceptors.contains { $0.path == nil && $0.test(value) }
    }

    /// An error reported next to a success status: errorPath, an error field in the status's
    /// object or at the top level, or a non-zero `ErrCode`.
    private func errorBesideSuccess(
        in body: JSONValue, near status: (path: JSONPath, value: JSONValue)
    ) -> (field: String, message: String)? {
        if let errorPath, let value = errorPath.firstValue(in: body), value.isMeaningful {
            return (errorPath.description, Self.messageText(value) ?? value.description)
        }
        for scope in scopesAround(status, in: body) {
            for name in StatusVocabulary.errorFields {
                if let value = scope.object[name], value.isMeaningful {
                    return (
                        scope.path.appending(.key(name)).description,
                        Self.messageText(value) ?? value.description
                    )
                }
            }
            if let code = scope.object["ErrCode"], code.isMeaningful, code.scalarText != "0" {
                let message =
                    scope.object["ErrMsg"].flatMap(Self.messageText) ?? "ErrCode \(code.scalarText ?? "")"
                return (scope.path.appending(.key("ErrCode")).description, message)
            }
        }
        return nil
    }

    private func failureMessage(in body: JSONValue, near status: (path: JSONPath, value: JSONValue)?)
        -> String?
    {
        if let errorPath, let value = errorPath.firstValue(in: body), let text = Self.messageText(value) {
            return text
        }
        let scopes = (status.map { scopesAround($0, in: body) } ?? []) + FieldSearch.scopes(of: body)
        for names in [StatusVocabulary.messageFields, StatusVocabulary.genericMessageFields] {
            for scope in scopes {
                for name in names {
                    if let value = scope.object[name], value.isMeaningful, let text = Self.messageText(value)
                    {
                        // A code beside a message text leads it, as inside an error object
                        // (Runway: `failureCode` beside `failure`).
                        let code = StatusVocabulary.failureCodeFields.lazy.compactMap {
                            scope.object[$0]?.scalarText
                        }
                        .first
                        return code.map { value.stringValue != nil ? "\($0): \(text)" : text } ?? text
                    }
                }
            }
        }
        return nil
    }

    /// The object holding the status field, then the top level.
    private func scopesAround(
        _ status: (path: JSONPath, value: JSONValue), in body: JSONValue
    ) -> [(path: JSONPath, object: OrderedDictionary<String, JSONValue>)] {
        let parent = JSONPath(Array(status.path.components.dropLast()))
        var scopes: [(path: JSONPath, object: OrderedDictionary<String, JSONValue>)] = []
        if case .object(let object)? = parent.firstValue(in: body) { scopes.append((parent, object)) }
        if !parent.components.isEmpty, case .object(let top) = body { scopes.append((JSONPath([]), top)) }
        return scopes
    }

    private func readProgress(from body: JSONValue, into reading: inout StatusReading) {
        let value: JSONValue?
        if let progressPath {
            value = progressPath.firstValue(in: body)
        } else {
            value =
                FieldSearch.first(in: body, names: StatusVocabulary.progressFields) { $0.doubleValue != nil }?
                .value
        }
        if let value, let number = value.doubleValue ?? value.scalarText.flatMap(Double.init) {
            reading.progress = Self.normalisedProgress(
                number, isInteger: { if case .integer = value { true } else { false } }())
        }
        if let position = FieldSearch.first(
            in: body, names: ["queue_position", "queuePosition"], accept: { _ in true })?
            .value, case .integer(let number) = position
        {
            reading.queuePosition = Int(number)
        }
        if reading.phase == .succeeded { reading.progress = 100 }
    }

    /// 0–1 fractions become percentages; values are clamped to 0–100.
    static func normalisedProgress(_ value: Double, isInteger: Bool) -> Double {
        let percent = (!isInteger && value <= 1) ? value * 100 : value
        return min(100, max(0, percent))
    }

    /// A readable message from a string, or from an object's message-like member.
    public static func messageText(_ value: JSONValue) -> String? {
        switch value {
        case .string(let text): return text.isEmpty ? nil : text
        case .object(let members):
            for name in ["message", "Message", "msg", "detail", "error", "error_message", "description"] {
                if let inner = members[name], let text = messageText(inner) {
                    let code = (members["code"] ?? members["Code"])?.scalarText
                    return code.map { "\($0): \(text)" } ?? text
                }
            }
            return value.description
        case .null: return nil
        default: return value.scalarText ?? value.description
        }
    }
}

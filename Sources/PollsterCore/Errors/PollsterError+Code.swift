extension PollsterError {
    /// A stable error code, shared by the library, the CLI exit codes, HTTP statuses and MCP
    /// results; its `rawValue` (`"TASK_FAILED"`) is what logs, JSON and docs show.
    ///
    /// A struct over a private enum, so that codes can be added without breaking code that
    /// switches over them: compare with `==`, or `switch` with `case .taskFailed:` and a `default`.
    ///
    /// ```swift
    /// do { _ = try await pollster.invoke("fal.fast_sdxl", input: input) } catch {
    ///     if error.code == .submitUncertain { /* look the job up before trying again */ }
    /// }
    /// ```
    public struct Code: Sendable, Hashable, Codable, RawRepresentable, CustomStringConvertible {
        private enum Base: String, Sendable {
            case toolNotFound = "TOOL_NOT_FOUND"
            case invalidConfig = "INVALID_CONFIG"
            case missingSecret = "MISSING_SECRET"
            case invalidInput = "INVALID_INPUT"
            case conflict = "CONFLICT"
            case httpError = "HTTP_ERROR"
            case rateLimited = "RATE_LIMITED"
            case transportError = "TRANSPORT_ERROR"
            case taskIdNotFound = "TASK_ID_NOT_FOUND"
            case taskFailed = "TASK_FAILED"
            case taskCanceled = "TASK_CANCELED"
            case taskNotFound = "TASK_NOT_FOUND"
            case pollingTimeout = "POLLING_TIMEOUT"
            case outputNotFound = "OUTPUT_NOT_FOUND"
            case downloadFailed = "DOWNLOAD_FAILED"
            case unsafeURL = "UNSAFE_URL"
            case responseTooLarge = "RESPONSE_TOO_LARGE"
            case submitUncertain = "SUBMIT_UNCERTAIN"
            case storeError = "STORE_ERROR"
            case canceled = "CANCELED"
            case `internal` = "INTERNAL"
        }

        private let base: Base

        private init(_ base: Base) {
            self.base = base
        }

        /// The code named `rawValue` (`"TASK_FAILED"`), or nil for a name this version does not know.
        public init?(rawValue: String) {
            guard let base = Base(rawValue: rawValue) else { return nil }
            self.base = base
        }

        /// The stable name, such as `"TASK_FAILED"`.
        public var rawValue: String { base.rawValue }

        /// The stable name, such as `"TASK_FAILED"`.
        public var description: String { base.rawValue }

        /// No enabled method has this name (`inventory.method`).
        public static let toolNotFound = Code(.toolNotFound)
        /// A config (YAML file, `tool_methods` row, database URL) is wrong; the message names the key.
        public static let invalidConfig = Code(.invalidConfig)
        /// A `${NAME}` the method needs is not set; nothing was sent.
        public static let missingSecret = Code(.missingSecret)
        /// The caller's input is wrong (not an object, fails `requestSchema`, too large, unreadable).
        public static let invalidInput = Code(.invalidInput)
        /// The request clashes with the state of what it acts on: a task that already finished
        /// cannot be canceled, a task id or idempotency key that exists already.
        public static let conflict = Code(.conflict)
        /// The provider answered with an HTTP status that ends the call (`httpStatus` holds it).
        public static let httpError = Code(.httpError)
        /// The provider kept answering 429 or its rate-limit envelope.
        public static let rateLimited = Code(.rateLimited)
        /// No answer: connection refused, DNS failure, reset, timeout, or a database that cannot be reached.
        public static let transportError = Code(.transportError)
        /// The submit answer held no task id the rules could find.
        public static let taskIdNotFound = Code(.taskIdNotFound)
        /// The provider says the job failed (its message is quoted).
        public static let taskFailed = Code(.taskFailed)
        /// The provider job was canceled (by the provider, or on request through Pollster).
        public static let taskCanceled = Code(.taskCanceled)
        /// The provider, or the task store, does not know the task (any more).
        public static let taskNotFound = Code(.taskNotFound)
        /// `maxWaitSeconds` passed; `lastStatus` and `unknownStatuses` say what was seen.
        public static let pollingTimeout = Code(.pollingTimeout)
        /// The job succeeded but its answer holds no output URL.
        public static let outputNotFound = Code(.outputNotFound)
        /// An output could not be fetched; `outputs` lists the URLs.
        public static let downloadFailed = Code(.downloadFailed)
        /// A URL was refused by the URL policy (scheme, private address, too many redirects).
        public static let unsafeURL = Code(.unsafeURL)
        /// A body or file was larger than its limit.
        public static let responseTooLarge = Code(.responseTooLarge)
        /// The submit may have created a job (5xx, reset or timeout after sending): check the
        /// provider before submitting again.
        public static let submitUncertain = Code(.submitUncertain)
        /// The task store (SQLite, PostgreSQL) could not be read or written in time.
        public static let storeError = Code(.storeError)
        /// The caller's own operation was canceled (its Swift task, a closed connection, Ctrl-C)
        /// before it finished; a provider job it submitted may still run. Not `taskCanceled`.
        public static let canceled = Code(.canceled)
        /// A bug in Pollster: a state that should not happen, an error nothing classified.
        public static let `internal` = Code(.internal)
    }
}

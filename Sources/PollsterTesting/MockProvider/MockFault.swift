/// A misbehaviour the mock server serves instead of a normal answer.
public enum MockFault: Sendable, Equatable {
    /// 429 with a `Retry-After` header (seconds) and a JSON error body.
    case rateLimited(retryAfterSeconds: Int)
    /// The given status (e.g. 500 or 503) with a JSON error body.
    case serverError(status: Int)
    /// The given status (e.g. 502) with an nginx-like `text/html` page.
    case htmlErrorPage(status: Int)
    /// 200 `application/json` whose body stops in the middle of an object.
    case truncatedJSON
    /// The connection is closed without an answer.
    case connectionReset
    /// 404 with a JSON error body, as when a provider has expired a task.
    case notFound
}

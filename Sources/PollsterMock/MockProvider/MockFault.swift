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
    /// 503 with a `Retry-After` header (seconds) and a JSON error body.
    case unavailable(retryAfterSeconds: Int)
    /// The given status with a body whose status says the task failed:
    /// `{"status": "Failed", "error": {"code": "model_error", "message": "The model crashed"}}`.
    case failedStatus(status: Int)
    /// HTTP 200 with Tencent Cloud's rate-limit envelope (`Response.Error.Code = RequestLimitExceeded`).
    case rateLimitEnvelope
    /// No answer at all: the connection stays open and silent (slow or hung providers).
    case noAnswer
    /// 200 `application/json` whose headers (with the whole body's `Content-Length`) come at
    /// once and whose body then comes this many bytes a second: a slow body that a timeout
    /// counting only the wait for headers never ends.
    case trickle(bytesPerSecond: Int)
    /// Files only: the full `Content-Length`, then the connection closes after this many bytes.
    case cutBody(afterBytes: Int)
    /// Files only: a `Content-Length` (and body) this many bytes shorter than the file.
    case shortContentLength(missingBytes: Int)
}

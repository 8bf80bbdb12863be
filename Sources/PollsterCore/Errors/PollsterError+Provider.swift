extension PollsterError {
    /// The error for a provider's non-2xx answer: `RATE_LIMITED` for 429, `HTTP_ERROR` with a
    /// hint on what to check otherwise.
    /// - Parameters:
    ///   - status: the HTTP status.
    ///   - retryAfter: the raw `Retry-After` header, quoted for 429.
    ///   - body: the answer's body (quoted redacted and cut short).
    ///   - context: what was asked (`heygen.generate: submit`).
    ///   - redactor: hides the call's secrets.
    package static func providerAnswer(
        status: Int, retryAfter: String?, body: some Collection<UInt8>, context: String, redactor: Redactor
    ) -> PollsterError {
        let excerpt = redactor.excerpt(body)
        if status == 429 {
            let after = retryAfter.map { " (Retry-After: \($0))" } ?? ""
            return PollsterError(
                .rateLimited,
                "\(context) was rate limited by the provider (HTTP 429)\(after); slow down or raise the provider's quota. Body: \(excerpt)",
                httpStatus: 429)
        }
        let hint: String
        switch status {
        case 401, 403: hint = "check the API key or token"
        case 400, 422: hint = "check the input against the provider's API"
        case 404: hint = "check the endpoint and baseUrl"
        default: hint = "the provider may be having problems"
        }
        return PollsterError(
            .httpError, "\(context) answered HTTP \(status); \(hint). Body: \(excerpt)", httpStatus: status)
    }

    /// HTTP statuses worth asking again: timeouts, rate limits, server errors, and a 404 (before
    /// the task was seen, or of a file not yet published).
    package static func isTransient(httpStatus status: Int) -> Bool {
        status == 404 || status == 408 || status == 425 || status == 429 || status >= 500
    }
}

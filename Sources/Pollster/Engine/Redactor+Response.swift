import NIOHTTP1
import PollsterCore

extension Redactor {
    /// `response` as it may be stored (a task's checkpoint): sensitive headers masked, secrets
    /// masked in the other headers and in the body. A provider can echo the request, credentials
    /// included, in any of them. A body without a secret keeps its bytes exactly.
    func redact(_ response: TransportResponse) -> TransportResponse {
        guard !isEmpty else { return response }
        var headers = HTTPHeaders()
        for (name, value) in response.headers {
            headers.add(name: name, value: redactHeader(name: name, value: value))
        }
        let text = String(decoding: response.body, as: UTF8.self)
        let redacted = redact(text)
        return TransportResponse(
            status: response.status, headers: headers,
            body: redacted == text ? response.body : Array(redacted.utf8))
    }
}

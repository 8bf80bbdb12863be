import PollsterCore
import Testing

/// `DownloadStep`: what an output's answer means and when a download is tried again.
@Suite("Download step rules")
struct DownloadStepTests {
    static let url = "https://cdn.test/out.mp4"

    struct HeadCase: Sendable, CustomTestStringConvertible {
        let name: String
        let answer: DownloadStep.Answer
        var kept = 0
        let expected: Expected
        var testDescription: String { name }

        enum Expected: Sendable {
            case redirect(String)
            case read(Int?)
            /// A retryable failure whose message contains the text; `restart` as given.
            case retry(String, restart: Bool = false)
            /// A final failure with this code whose message contains the text.
            case final(PollsterError.Code, String)
        }
    }

    static let heads: [HeadCase] = [
        HeadCase(
            name: "a 200 is read, as long as it says", answer: .init(status: 200, contentLength: 1000),
            expected: .read(1000)),
        HeadCase(name: "a 200 without a length is read", answer: .init(status: 200), expected: .read(nil)),
        HeadCase(
            name: "a redirect with a Location is followed",
            answer: .init(status: 302, location: "https://cdn2.test/x"),
            expected: .redirect("https://cdn2.test/x")),
        HeadCase(
            name: "a 503 is tried again", answer: .init(status: 503), expected: .retry("answered HTTP 503")),
        HeadCase(name: "a 429 is tried again", answer: .init(status: 429), expected: .retry("HTTP 429")),
        HeadCase(name: "a 408 is tried again", answer: .init(status: 408), expected: .retry("HTTP 408")),
        HeadCase(
            name: "a 404 is final", answer: .init(status: 404), expected: .final(.downloadFailed, "HTTP 404")),
        HeadCase(
            name: "a 403 (an expired signed URL) is final", answer: .init(status: 403),
            expected: .final(.downloadFailed, "HTTP 403")),
        HeadCase(
            name: "a redirect without a Location is final", answer: .init(status: 302),
            expected: .final(.downloadFailed, "HTTP 302")),
        HeadCase(
            name: "a stated length over output.maxBytes is final before any byte is read",
            answer: .init(status: 200, contentLength: 5000),
            expected: .final(.responseTooLarge, "5000 bytes, over output.maxBytes (4096)")),
        HeadCase(
            name: "a 206 that continues the bytes kept is read to the whole size",
            answer: .init(status: 206, contentLength: 600, contentRange: "bytes 400-999/1000"), kept: 400,
            expected: .read(1000)),
        HeadCase(
            name: "a 206 that starts elsewhere starts over",
            answer: .init(status: 206, contentLength: 600, contentRange: "bytes 0-599/1000"), kept: 400,
            expected: .retry("does not continue it (bytes 0-599/1000)", restart: true)),
        HeadCase(
            name: "a 206 when nothing was kept starts over",
            answer: .init(status: 206, contentLength: 600, contentRange: "bytes 0-599/1000"),
            expected: .retry("does not continue it", restart: true)),
        HeadCase(
            name: "a 206 without Content-Range starts over", answer: .init(status: 206, contentLength: 600),
            kept: 400, expected: .retry("no Content-Range", restart: true)),
        HeadCase(
            name: "a resumed 206 whose whole size is over output.maxBytes is final",
            answer: .init(status: 206, contentLength: 3000, contentRange: "bytes 2000-4999/5000"), kept: 2000,
            expected: .final(.responseTooLarge, "5000 bytes")),
    ]

    @Test("an answer's head is read as the rules say", arguments: heads)
    func head(_ test: HeadCase) {
        let step = DownloadStep(maxAttempts: 3, maxBytes: 4096)
        let head = step.head(test.answer, from: Self.url, kept: test.kept)
        switch (head, test.expected) {
        case (.redirect(let location), .redirect(let wanted)):
            #expect(location == wanted)
        case (.read(let total), .read(let wanted)):
            #expect(total == wanted)
        case (.failed(.retryable(let error, _, let restart)), .retry(let text, let wantedRestart)):
            #expect(error.code == .downloadFailed)
            #expect(error.message.contains(text), "\(error.message)")
            #expect(error.message.contains(Self.url), "names the URL")
            #expect(restart == wantedRestart)
        case (.failed(.final(let error)), .final(let code, let text)):
            #expect(error.code == code)
            #expect(error.message.contains(text), "\(error.message)")
        default:
            Issue.record("\(head), expected \(test.expected)")
        }
    }

    @Test("a 429's Retry-After is carried to the wait")
    func retryAfter() {
        var step = DownloadStep(maxAttempts: 3, maxBytes: 4096)
        guard
            case .failed(let failure) = step.head(
                .init(status: 429, retryAfter: .seconds(7)), from: Self.url, kept: 0)
        else {
            Issue.record("a 429 should fail the attempt")
            return
        }
        var random = SystemRandomNumberGenerator()
        #expect(step.failed(failure, using: &random) == .retry(after: .seconds(7), restart: false))
    }

    @Test("a body is whole when it reaches its length and matches what was stated")
    func ended() {
        let step = DownloadStep(maxAttempts: 3, maxBytes: 4096)
        #expect(step.ended(total: 1000, expected: 1000, mismatch: nil, from: Self.url) == nil)
        #expect(step.ended(total: 1000, expected: nil, mismatch: nil, from: Self.url) == nil)
        guard
            case .retryable(let short, _, let restart)? = step.ended(
                total: 400, expected: 1000, mismatch: nil, from: Self.url)
        else {
            Issue.record("a short body should be tried again")
            return
        }
        #expect(short.message.contains("ended after 400 of 1000 bytes"))
        #expect(!restart, "a cut body resumes")
        guard
            case .retryable(let wrong, _, let again)? = step.ended(
                total: 1000, expected: 1000, mismatch: "SHA-256 differs", from: Self.url)
        else {
            Issue.record("a wrong body should be tried again")
            return
        }
        #expect(wrong.message.contains("SHA-256 differs"))
        #expect(again, "wrong bytes start over")
        #expect(step.check(total: 4096, from: Self.url) == nil)
        #expect(step.check(total: 4097, from: Self.url)?.code == .responseTooLarge)
    }

    @Test("failures are tried again until output.maxAttempts, then name the attempts")
    func attempts() {
        var step = DownloadStep(maxAttempts: 3, maxBytes: 4096)
        var random = SystemRandomNumberGenerator()
        let reset = step.requestFailed("connection reset", from: Self.url)
        for (attempt, ceiling) in [(1, 0.5), (2, 1.0)] {
            guard case .retry(let delay, let restart) = step.failed(reset, using: &random) else {
                Issue.record("attempt \(attempt) should be tried again")
                return
            }
            #expect(delay.seconds >= ceiling / 2 && delay.seconds <= ceiling)
            #expect(!restart)
        }
        guard case .fail(let error) = step.failed(reset, using: &random) else {
            Issue.record("the third failure should be final")
            return
        }
        #expect(error.message.contains("failed: connection reset (after 3 attempts)"), "\(error.message)")
        #expect(step.attempts == 3)
    }

    @Test("a failed TLS handshake is not tried again: it would fail the same way")
    func permanentTransportFailure() {
        var step = DownloadStep(maxAttempts: 3, maxBytes: 4096)
        var random = SystemRandomNumberGenerator()
        let refused = step.requestFailed("the TLS handshake failed", from: Self.url, permanent: true)
        guard case .fail(let error) = step.failed(refused, using: &random) else {
            Issue.record("a permanent failure should end the download at once")
            return
        }
        #expect(error.code == .downloadFailed)
        #expect(
            error.message == "download of \(Self.url) failed: the TLS handshake failed", "\(error.message)")
    }

    @Test("a final failure ends at once, without counting attempts in its message")
    func finalAtOnce() {
        var step = DownloadStep(maxAttempts: 3, maxBytes: 4096)
        var random = SystemRandomNumberGenerator()
        let broken = step.brokeOff(after: 10, "EOF", from: Self.url)
        guard case .retry = step.failed(broken, using: &random) else {
            Issue.record("a body that broke off should be tried again")
            return
        }
        let refused = PollsterError(
            .downloadFailed, "download of \(Self.url) answered HTTP 404", httpStatus: 404)
        #expect(step.failed(.final(refused), using: &random) == .fail(refused))
    }
}

/// The rules of one output's download: what an answer's head means, when the body is whole, and
/// when to try again. Like `PollMachine` it does no I/O and has no clock: the downloader sends
/// the requests, streams the bodies, feeds what happened in and does what comes back.
///
/// A download is an idempotent GET, so a transport failure, 408/429/5xx, a body that breaks off
/// or ends short of its `Content-Length`, and bytes that do not match the size or checksum the
/// provider stated are tried again (`OutputRetry`: backoff, or the answer's `Retry-After`), up to
/// `output.maxAttempts` attempts; a wrong body starts again from the first byte, a cut one
/// resumes where it stopped when the server allows. Other refusals and a body over
/// `output.maxBytes` end it at once.
package struct DownloadStep: Sendable {
    /// What one answer's head says to do.
    package enum Head: Sendable, Equatable {
        /// Follow the redirect to this location (the downloader checks every hop).
        case redirect(String)
        /// Read the body; it makes the output this many bytes long in total, if known.
        case read(expectedTotal: Int?)
        /// The attempt failed.
        case failed(Failure)
    }

    /// Why an attempt failed.
    package enum Failure: Sendable, Equatable {
        /// Worth another attempt; `restart` drops the bytes so far (they are wrong, not just
        /// incomplete).
        case retryable(PollsterError, retryAfter: Duration? = nil, restart: Bool = false)
        /// Final: no attempt can do better.
        case final(PollsterError)
    }

    /// What to do after a failed attempt.
    package enum Action: Sendable, Equatable {
        /// Try again after this delay, from the first byte when `restart`.
        case retry(after: Duration, restart: Bool)
        /// The output is lost with this error.
        case fail(PollsterError)
    }

    private let maxAttempts: Int
    private let maxBytes: Int
    /// Attempts failed so far.
    package private(set) var attempts = 0

    /// A step allowed `maxAttempts` attempts and `maxBytes` bytes. Messages name the URL each
    /// call is given, without its query (the hop that failed).
    package init(maxAttempts: Int, maxBytes: Int) {
        self.maxAttempts = maxAttempts
        self.maxBytes = maxBytes
    }

    /// What an answer's head says about the output.
    package struct Answer: Sendable {
        /// The HTTP status.
        package var status: Int
        /// `Location`, `Content-Length` and `Content-Range` as sent.
        package var location: String?
        package var contentLength: Int?
        package var contentRange: String?
        /// `Retry-After`, read.
        package var retryAfter: Duration?

        /// An answer from its parts.
        package init(
            status: Int, location: String? = nil, contentLength: Int? = nil, contentRange: String? = nil,
            retryAfter: Duration? = nil
        ) {
            self.status = status
            self.location = location
            self.contentLength = contentLength
            self.contentRange = contentRange
            self.retryAfter = retryAfter
        }
    }

    /// Reads the head of an answer from `url` (without its query); `kept` is the bytes kept
    /// from earlier attempts, which a `206` must continue.
    package func head(_ answer: Answer, from url: String, kept: Int) -> Head {
        let status = answer.status
        if (300..<400).contains(status), let location = answer.location { return .redirect(location) }
        var refused: PollsterError {
            PollsterError(.downloadFailed, "download of \(url) answered HTTP \(status)", httpStatus: status)
        }
        if status == 429 || status == 408 || status >= 500 {
            return .failed(.retryable(refused, retryAfter: answer.retryAfter))
        }
        guard (200..<300).contains(status) else { return .failed(.final(refused)) }
        if status == 206, kept == 0 || answer.contentRange.flatMap(Self.rangeStart) != kept {
            return .failed(
                .retryable(
                    PollsterError(
                        .downloadFailed,
                        "download of \(url) answered a range that does not continue it (\(answer.contentRange ?? "no Content-Range"))"
                    ), restart: true))
        }
        let expected = answer.contentLength.map { (status == 206 ? kept : 0) + $0 }
        if let expected, expected > maxBytes {
            return .failed(
                .final(
                    PollsterError(
                        .responseTooLarge,
                        "download of \(url) is \(expected) bytes, over output.maxBytes (\(maxBytes)); raise output.maxBytes if it is expected"
                    )))
        }
        return .read(expectedTotal: expected)
    }

    /// The first byte of a `Content-Range: bytes FIRST-LAST/SIZE`.
    static func rangeStart(_ contentRange: String) -> Int? {
        let parts = contentRange.split(separator: " ", maxSplits: 1)
        guard parts.count == 2, parts[0].lowercased() == "bytes", let dash = parts[1].firstIndex(of: "-")
        else { return nil }
        return Int(parts[1][..<dash])
    }

    /// Whether the body from `url` may grow to `total` bytes; else `RESPONSE_TOO_LARGE`.
    package func check(total: Int, from url: String) -> PollsterError? {
        guard total > maxBytes else { return nil }
        return PollsterError(
            .responseTooLarge,
            "download of \(url) exceeded output.maxBytes (\(maxBytes)); raise it if the output is expected to be that large"
        )
    }

    /// Checks a body that ended after `total` bytes against its `Content-Length` (`expected`)
    /// and what the provider stated (`mismatch`, if the bytes differ from it).
    package func ended(total: Int, expected: Int?, mismatch: String?, from url: String) -> Failure? {
        if let expected, total < expected {
            return .retryable(
                PollsterError(
                    .downloadFailed,
                    "download of \(url) ended after \(total) of \(expected) bytes (Content-Length)"))
        }
        if let mismatch {
            return .retryable(
                PollsterError(.downloadFailed, "download of \(url): \(mismatch)"), restart: true)
        }
        return nil
    }

    /// No answer from `url` (a transport failure); its message, and whether asking again fails
    /// the same way (a failed TLS handshake).
    package func requestFailed(_ message: String, from url: String, permanent: Bool = false) -> Failure {
        let error = PollsterError(.downloadFailed, "download of \(url) failed: \(message)")
        return permanent ? .final(error) : .retryable(error)
    }

    /// The body from `url` broke off after `total` bytes; the reason.
    package func brokeOff(after total: Int, _ reason: String, from url: String) -> Failure {
        .retryable(
            PollsterError(.downloadFailed, "download of \(url) broke off after \(total) bytes: \(reason)"))
    }

    /// Takes a failed attempt and says whether to try again.
    package mutating func failed(_ failure: Failure, using random: inout some RandomNumberGenerator) -> Action
    {
        attempts += 1
        switch failure {
        case .final(let error):
            return .fail(error)
        case .retryable(let error, let retryAfter, let restart):
            guard attempts < maxAttempts else {
                var final = error
                final.message += " (after \(attempts) attempts)"
                return .fail(final)
            }
            return .retry(
                after: OutputRetry.delay(after: attempts, retryAfter: retryAfter, using: &random),
                restart: restart)
        }
    }
}

import Crypto
import Foundation
import NIOCore
import NIOHTTP1
import PollsterCore

/// Where one output goes and how it is named.
struct DownloadTarget: Sendable {
    var url: String
    var foundAt: String
    var method: String
    var taskId: String
    var index: Int?
    /// Write into this directory; nil keeps the bytes in memory.
    var directory: String?
    /// The size and checksums the provider's answer states next to the URL.
    var stated = StatedIntegrity()
}

/// Streams outputs into memory or a file, under a size limit and the URL policy,
/// following redirects itself so every hop is checked.
///
/// What an answer means and when to try again are `DownloadStep`'s rules (PollsterCore): a
/// download is an idempotent GET, retried (`output.maxAttempts`) on 5xx, 429, resets, timeouts
/// and bodies that end early, resuming with `Range` when the server advertised
/// `Accept-Ranges: bytes` and a validator (`ETag` or `Last-Modified`, sent back as `If-Range`).
/// The file must match what the provider stated (size, MD5, SHA-256); nothing is left behind
/// when it fails.
struct Downloader: Sendable {
    let transport: any Transport
    let policy: URLPolicy

    /// Time allowed for one download attempt, body included (a stalled body is cut sooner
    /// by the transport's read timeout).
    static let attemptTimeout = Duration.seconds(3600)

    func download(
        _ target: DownloadTarget, limits: OutputConfig, credentials: (String) -> HTTPHeaders,
        events: AsyncStream<ToolEvent>.Continuation?
    ) async throws -> ToolFile {
        if target.url.hasPrefix("data:") { return try decodeDataURI(target, limits: limits) }
        var progress = try DownloadProgress(target)
        var step = DownloadStep(maxAttempts: limits.maxAttempts, maxBytes: limits.maxBytes)
        var random = SystemRandomNumberGenerator()
        while true {
            let failure: DownloadStep.Failure
            do {
                return try await fetch(
                    target, &progress, step, limits: limits, credentials: credentials, events: events)
            } catch let failed as FailedAttempt {
                failure = failed.failure
            } catch {
                progress.discard()
                throw error
            }
            switch step.failed(failure, using: &random) {
            case .fail(let error):
                progress.discard()
                throw error
            case .retry(let delay, let restart):
                do { try await Task.sleep(for: delay) } catch {
                    progress.discard()
                    throw error
                }
                if restart || !progress.canResume { try progress.restart() }
            }
        }
    }

    /// Bytes between two `downloading` events.
    static let progressStep = 256 * 1024

    /// One attempt: follows redirects (each hop checked) and reads the body into `progress`.
    private func fetch(
        _ target: DownloadTarget, _ progress: inout DownloadProgress, _ step: DownloadStep,
        limits: OutputConfig,
        credentials: (String) -> HTTPHeaders, events: AsyncStream<ToolEvent>.Continuation?
    ) async throws -> ToolFile {
        var url = progress.resumeURL ?? target.url
        for _ in 0...policy.maxRedirects {
            _ = try await policy.check(url, allowHosts: limits.allowHosts)
            var headers = credentials(url)
            if let range = progress.rangeHeaders() {
                for (name, value) in range { headers.replaceOrAdd(name: name, value: value) }
            }
            let request = TransportRequest(
                method: "GET", url: url, headers: headers, timeout: Self.attemptTimeout)
            let hop: Hop
            do {
                hop = try await transport.stream(request) { head, body in
                    try await receive(
                        target, from: url, head: head, body: body, into: &progress, step, limits: limits,
                        events: events)
                }
            } catch let failure as TransportFailure {
                throw FailedAttempt(
                    step.requestFailed(
                        failure.message, from: Redactor.stripQuery(url), permanent: failure.isPermanent))
            }
            switch hop {
            case .file(let file): return file
            case .redirect(let location): url = HTTPURL.resolve(location, against: url)
            }
        }
        throw PollsterError(
            .downloadFailed,
            "download of \(Redactor.stripQuery(target.url)) redirected more than \(policy.maxRedirects) times"
        )
    }

    private enum Hop {
        case file(ToolFile)
        case redirect(String)
    }

    /// Reads one answer: its head as `step` says, then its body into `progress`.
    private func receive(
        _ target: DownloadTarget, from url: String, head: TransportResponseHead, body: TransportBody,
        into progress: inout DownloadProgress, _ step: DownloadStep, limits: OutputConfig,
        events: AsyncStream<ToolEvent>.Continuation?
    ) async throws -> Hop {
        let shown = Redactor.stripQuery(url)
        let answer = DownloadStep.Answer(
            status: head.status, location: head.headers.first(name: "Location"),
            contentLength: head.headers.first(name: "Content-Length").flatMap(Int.init),
            contentRange: head.headers.first(name: "Content-Range"),
            retryAfter: head.headers.retryAfterDelay)
        let expected: Int?
        switch step.head(answer, from: shown, kept: progress.total) {
        case .redirect(let location): return .redirect(location)
        case .failed(let failure): throw FailedAttempt(failure)
        case .read(let total): expected = total
        }
        try progress.begin(head, url: url)
        // Within output.maxBytes (checked by the step): an output kept in memory grows no copies.
        if let expected { progress.reserve(expected) }
        var reported = progress.total
        do {
            for try await chunk in body {
                if let tooLarge = step.check(total: progress.total + chunk.readableBytes, from: shown) {
                    throw tooLarge
                }
                try progress.append(chunk)
                if progress.total - reported >= Self.progressStep || progress.total == expected {
                    reported = progress.total
                    events?.yield(
                        .downloading(url: shown, receivedBytes: progress.total, totalBytes: expected))
                }
            }
        } catch let error as PollsterError {
            throw error
        } catch {
            throw FailedAttempt(step.brokeOff(after: progress.total, "\(error)", from: shown))
        }
        let mismatch = progress.integrityMismatch(stated: target.stated)
        if let failure = step.ended(
            total: progress.total, expected: expected, mismatch: mismatch, from: shown)
        {
            throw FailedAttempt(failure)
        }
        return .file(try progress.finish(target, url: url))
    }

    private func decodeDataURI(_ target: DownloadTarget, limits: OutputConfig) throws -> ToolFile {
        guard let comma = target.url.firstIndex(of: ",") else {
            throw PollsterError(.downloadFailed, "malformed data: URI in the result (no comma)")
        }
        let header = target.url[target.url.index(target.url.startIndex, offsetBy: 5)..<comma]
        let payload = String(target.url[target.url.index(after: comma)...])
        let isBase64 = header.hasSuffix(";base64")
        let declaredType = header.split(separator: ";").first.map(String.init).flatMap {
            $0.isEmpty ? nil : $0
        }
        let bytes: [UInt8]
        if isBase64 {
            guard let data = Data(base64Encoded: payload, options: .ignoreUnknownCharacters) else {
                throw PollsterError(.downloadFailed, "malformed base64 in a data: URI in the result")
            }
            bytes = Array(data)
        } else {
            guard let text = PercentEncoding.decode(payload) else {
                throw PollsterError(
                    .downloadFailed, "malformed percent-encoding in a data: URI in the result")
            }
            bytes = Array(text.utf8)
        }
        guard bytes.count <= limits.maxBytes else {
            throw PollsterError(
                .responseTooLarge,
                "a data: URI in the result holds \(bytes.count) bytes, over output.maxBytes")
        }
        let mimeType = MIMEType.resolve(contentType: declaredType, prefix: bytes.prefix(64), url: "")
        let filename = FileNaming.defaultName(
            method: target.method, taskId: target.taskId, index: target.index,
            fileExtension: MIMEType.fileExtension(for: mimeType))
        var sink = try DownloadSink(directory: target.directory)
        try sink.write(ByteBuffer(bytes: bytes))
        let stored = try sink.finish(as: filename)
        let digest = Hex.lowercase(SHA256.hash(data: bytes))
        return ToolFile(
            url: "data:\(mimeType);…", foundAt: target.foundAt, filename: filename, mimeType: mimeType,
            size: bytes.count, sha256: digest, bytes: stored.bytes, path: stored.path)
    }
}

/// A download attempt that failed, as `DownloadStep` reads it.
struct FailedAttempt: Error {
    var failure: DownloadStep.Failure

    init(_ failure: DownloadStep.Failure) { self.failure = failure }
}

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
}

/// Streams outputs into memory or a file, under a size limit and the URL policy,
/// following redirects itself so every hop is checked.
struct Downloader: Sendable {
    let transport: any Transport
    let policy: URLPolicy

    func download(
        _ target: DownloadTarget, limits: OutputConfig, credentials: (String) -> HTTPHeaders,
        events: AsyncStream<ToolEvent>.Continuation?
    ) async throws -> ToolFile {
        if target.url.hasPrefix("data:") { return try decodeDataURI(target, limits: limits) }
        var url = target.url
        for _ in 0...policy.maxRedirects {
            _ = try await policy.check(url, allowHosts: limits.allowHosts)
            let request = TransportRequest(
                method: "GET", url: url, headers: credentials(url), timeout: .seconds(300))
            let outcome: Hop
            do {
                outcome = try await transport.stream(request) { head, body in
                    try await receive(
                        target, from: url, head: head, body: body, limits: limits, events: events)
                }
            } catch let failure as TransportFailure {
                throw PollsterError(
                    .downloadFailed, "download of \(Redactor.stripQuery(url)) failed: \(failure.message)")
            }
            switch outcome {
            case .file(let file): return file
            case .redirect(let location): url = HTTPURL.resolve(location, against: url)
            }
        }
        throw PollsterError(
            .downloadFailed,
            "download of \(Redactor.stripQuery(target.url)) redirected more than \(policy.maxRedirects) times"
        )
    }

    /// Bytes between two `downloading` events.
    static let progressStep = 256 * 1024

    private enum Hop {
        case file(ToolFile)
        case redirect(String)
    }

    private func receive(
        _ target: DownloadTarget, from url: String, head: TransportResponseHead, body: TransportBody,
        limits: OutputConfig, events: AsyncStream<ToolEvent>.Continuation?
    ) async throws -> Hop {
        let shown = Redactor.stripQuery(url)
        if (300..<400).contains(head.status), let location = head.headers.first(name: "Location") {
            return .redirect(location)
        }
        guard (200..<300).contains(head.status) else {
            throw PollsterError(
                .downloadFailed, "download of \(shown) answered HTTP \(head.status)", httpStatus: head.status)
        }
        let declared = head.headers.first(name: "Content-Length").flatMap(Int.init)
        if let declared, declared > limits.maxBytes {
            throw PollsterError(
                .responseTooLarge,
                "download of \(shown) is \(declared) bytes, over output.maxBytes (\(limits.maxBytes)); raise output.maxBytes if it is expected"
            )
        }
        var sink = try DownloadSink(directory: target.directory, expectedBytes: declared)
        var hasher = SHA256()
        var prefix: [UInt8] = []
        var total = 0
        var reported = 0
        do {
            for try await chunk in body {
                total += chunk.readableBytes
                guard total <= limits.maxBytes else {
                    throw PollsterError(
                        .responseTooLarge,
                        "download of \(shown) exceeded output.maxBytes (\(limits.maxBytes)); raise it if the output is expected to be that large"
                    )
                }
                chunk.withUnsafeReadableBytes { hasher.update(bufferPointer: $0) }
                if prefix.count < 64 {
                    prefix +=
                        chunk.getBytes(at: chunk.readerIndex, length: min(64, chunk.readableBytes)) ?? []
                }
                try sink.write(chunk)
                if total - reported >= Self.progressStep || total == declared {
                    reported = total
                    events?.yield(.downloading(url: shown, receivedBytes: total, totalBytes: declared))
                }
            }
        } catch let error as PollsterError {
            sink.discard()
            throw error
        } catch {
            sink.discard()
            throw PollsterError(
                .downloadFailed, "download of \(shown) broke off after \(total) bytes: \(error)")
        }
        let mimeType = MIMEType.resolve(
            contentType: head.headers.first(name: "Content-Type"), prefix: prefix, url: url)
        let filename =
            head.headers.first(name: "Content-Disposition").flatMap {
                FileNaming.filename(fromContentDisposition: $0)
            }
            .map { FileNaming.sanitize($0) }
            ?? FileNaming.defaultName(
                method: target.method, taskId: target.taskId, index: target.index,
                fileExtension: MIMEType.fileExtension(for: mimeType))
        let digest = hasher.finalize().map { String(format: "%02x", $0) }.joined()
        let stored = try sink.finish(as: filename)
        return .file(
            ToolFile(
                url: target.url, foundAt: target.foundAt, filename: filename, mimeType: mimeType, size: total,
                sha256: digest, bytes: stored.bytes, path: stored.path))
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
        let digest = SHA256.hash(data: bytes).map { String(format: "%02x", $0) }.joined()
        return ToolFile(
            url: "data:\(mimeType);…", foundAt: target.foundAt, filename: filename, mimeType: mimeType,
            size: bytes.count, sha256: digest, bytes: stored.bytes, path: stored.path)
    }
}

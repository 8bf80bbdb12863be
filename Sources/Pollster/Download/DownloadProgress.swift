import Crypto
import Foundation
import NIOCore
import PollsterCore

/// What one download has received so far, across attempts: the sink, the running digests,
/// and what is needed to resume (the URL that served the bytes, `Accept-Ranges`, a validator).
struct DownloadProgress {
    private var sink: DownloadSink
    private var sha256 = SHA256()
    private var md5: Insecure.MD5?
    private var prefix: [UInt8] = []
    /// Bytes received so far.
    private(set) var total = 0
    /// The URL that served the bytes so far (after redirects): a resume asks it again.
    private(set) var resumeURL: String?
    private var validator: String?
    private var acceptsRanges = false
    private var contentType: String?
    private var contentDisposition: String?
    private let directory: String?
    private let checksMD5: Bool

    init(_ target: DownloadTarget) throws {
        directory = target.directory
        checksMD5 = target.stated.md5 != nil
        sink = try DownloadSink(directory: target.directory)
        md5 = checksMD5 ? Insecure.MD5() : nil
    }

    /// Whether the next attempt can ask for the rest only.
    var canResume: Bool { total > 0 && acceptsRanges && validator != nil && resumeURL != nil }

    /// `Range` and `If-Range` for a resumed attempt; nil when it must start over.
    func rangeHeaders() -> [(String, String)]? {
        guard canResume, let validator else { return nil }
        return [("Range", "bytes=\(total)-"), ("If-Range", validator)]
    }

    /// Takes a 2xx head into account (`DownloadStep` has checked that a `206` continues the
    /// bytes kept): a full answer after some bytes starts the file over.
    mutating func begin(_ head: TransportResponseHead, url: String) throws {
        if head.status != 206 {
            if total > 0 { try restart() }
            acceptsRanges = head.headers.first(name: "Accept-Ranges")?.lowercased().contains("bytes") ?? false
            let etag = head.headers.first(name: "ETag").flatMap { $0.hasPrefix("W/") ? nil : $0 }
            validator = etag ?? head.headers.first(name: "Last-Modified")
            contentType = head.headers.first(name: "Content-Type")
            contentDisposition = head.headers.first(name: "Content-Disposition")
        }
        resumeURL = url
    }

    /// Makes room for an output of `bytes` in all when it is kept in memory.
    mutating func reserve(_ bytes: Int) { sink.reserve(bytes) }

    /// Adds received bytes.
    mutating func append(_ chunk: ByteBuffer) throws {
        total += chunk.readableBytes
        chunk.withUnsafeReadableBytes { bytes in
            sha256.update(bufferPointer: bytes)
            md5?.update(bufferPointer: bytes)
        }
        if prefix.count < 64 {
            prefix +=
                chunk.getBytes(at: chunk.readerIndex, length: min(64 - prefix.count, chunk.readableBytes))
                ?? []
        }
        try sink.write(chunk)
    }

    /// Drops what arrived and starts again from the first byte.
    mutating func restart() throws {
        sink.discard()
        sink = try DownloadSink(directory: directory)
        sha256 = SHA256()
        md5 = checksMD5 ? Insecure.MD5() : nil
        prefix = []
        total = 0
        resumeURL = nil
        validator = nil
        acceptsRanges = false
    }

    /// Removes the partial file.
    func discard() { sink.discard() }

    /// What does not match the figures the provider stated, if anything.
    func integrityMismatch(stated: StatedIntegrity) -> String? {
        if let size = stated.size, size.value != total {
            return "the provider states \(size.value) bytes (\(size.field)) but \(total) bytes arrived"
        }
        if let expected = stated.sha256, expected.value != sha256Hex {
            return "SHA-256 \(sha256Hex) does not match \(expected.value) stated at \(expected.field)"
        }
        if let expected = stated.md5, let md5, expected.value != Self.hex(md5.finalize()) {
            return
                "MD5 \(Self.hex(md5.finalize())) does not match \(expected.value) stated at \(expected.field)"
        }
        return nil
    }

    /// Names and stores the complete file.
    func finish(_ target: DownloadTarget, url: String) throws -> ToolFile {
        let mimeType = MIMEType.resolve(contentType: contentType, prefix: prefix, url: url)
        let filename =
            contentDisposition.flatMap { FileNaming.filename(fromContentDisposition: $0) }
            .map { FileNaming.sanitize($0) }
            ?? FileNaming.defaultName(
                method: target.method, taskId: target.taskId, index: target.index,
                fileExtension: MIMEType.fileExtension(for: mimeType))
        let stored = try sink.finish(as: filename)
        return ToolFile(
            url: target.url, foundAt: target.foundAt,
            filename: stored.path.map { ($0 as NSString).lastPathComponent } ?? filename,
            mimeType: mimeType, size: total, sha256: sha256Hex, bytes: stored.bytes, path: stored.path)
    }

    private var sha256Hex: String { Self.hex(sha256.finalize()) }

    private static func hex(_ digest: some Sequence<UInt8>) -> String {
        Hex.lowercase(digest)
    }
}

/// MIME types from headers, magic bytes and file extensions.
///
/// ```swift
/// MIMEType.resolve(contentType: "application/octet-stream", prefix: bytes, url: url)
/// // the sniffed type, else the URL's extension, else "application/octet-stream"
/// ```
package enum MIMEType {
    private static let byExtension: [String: String] = [
        "mp4": "video/mp4", "m4v": "video/mp4", "mov": "video/quicktime", "webm": "video/webm",
        "mkv": "video/x-matroska", "avi": "video/x-msvideo",
        "png": "image/png", "jpg": "image/jpeg", "jpeg": "image/jpeg", "gif": "image/gif",
        "webp": "image/webp", "avif": "image/avif", "heic": "image/heic", "bmp": "image/bmp",
        "svg": "image/svg+xml",
        "wav": "audio/wav", "mp3": "audio/mpeg", "ogg": "audio/ogg", "oga": "audio/ogg", "opus": "audio/ogg",
        "flac": "audio/flac", "m4a": "audio/mp4", "aac": "audio/aac",
        "pdf": "application/pdf", "zip": "application/zip", "json": "application/json",
        "txt": "text/plain", "csv": "text/csv", "html": "text/html", "srt": "application/x-subrip",
        "vtt": "text/vtt", "glb": "model/gltf-binary", "gltf": "model/gltf+json", "obj": "model/obj",
    ]

    private static let preferredExtension: [String: String] = [
        "video/mp4": "mp4", "video/quicktime": "mov", "video/webm": "webm", "video/x-matroska": "mkv",
        "video/x-msvideo": "avi",
        "image/png": "png", "image/jpeg": "jpg", "image/gif": "gif", "image/webp": "webp",
        "image/avif": "avif", "image/heic": "heic", "image/bmp": "bmp", "image/svg+xml": "svg",
        "audio/wav": "wav", "audio/x-wav": "wav", "audio/wave": "wav", "audio/vnd.wave": "wav",
        "audio/mpeg": "mp3", "audio/mp3": "mp3", "audio/ogg": "ogg", "audio/opus": "opus",
        "audio/flac": "flac", "audio/x-flac": "flac", "audio/mp4": "m4a", "audio/aac": "aac",
        "application/pdf": "pdf", "application/zip": "zip", "application/json": "json",
        "text/plain": "txt", "text/csv": "csv", "text/html": "html", "application/x-subrip": "srt",
        "text/vtt": "vtt", "model/gltf-binary": "glb", "model/gltf+json": "gltf", "model/obj": "obj",
    ]

    private static let generic: Set<String> = [
        "application/octet-stream", "binary/octet-stream", "application/x-download",
        "application/force-download", "application/unknown",
    ]

    /// MIME type for a file extension, or nil.
    ///
    /// Case-insensitive, with or without the leading dot: `forExtension(".PNG")` is `image/png`.
    package static func forExtension(_ ext: String) -> String? {
        byExtension[(ext.hasPrefix(".") ? String(ext.dropFirst()) : ext).lowercased()]
    }

    /// Preferred file extension for a MIME type, or nil.
    ///
    /// Parameters and case are ignored: `fileExtension(for: "Video/MP4; codecs=avc1")` is `mp4`.
    package static func fileExtension(for mimeType: String) -> String? {
        preferredExtension[essence(mimeType)]
    }

    /// True when a Content-Type says nothing useful about the content.
    ///
    /// That is: missing, empty, not of the form `type/subtype`, or one of
    /// `application/octet-stream`, `binary/octet-stream`, `application/x-download`,
    /// `application/force-download`, `application/unknown`.
    package static func isGeneric(_ contentType: String?) -> Bool {
        guard let contentType else { return true }
        let type = essence(contentType)
        return generic.contains(type) || !isWellFormed(type)
    }

    /// The MIME type of a download, by the design's rule.
    ///
    /// The Content-Type (parameters stripped, lowercased) unless missing or generic; then
    /// the magic bytes of `prefix`; then the extension of the URL's last path segment
    /// (query and fragment ignored); else `application/octet-stream`.
    /// - Parameters:
    ///   - contentType: The response's Content-Type header, if any.
    ///   - prefix: The first bytes of the body (64 are plenty).
    ///   - url: The URL the bytes came from.
    package static func resolve(contentType: String?, prefix: some Collection<UInt8>, url: String) -> String {
        if let contentType, !isGeneric(contentType) { return essence(contentType) }
        if let sniffed = sniff(prefix) { return sniffed }
        if let type = urlExtension(url).flatMap(forExtension) { return type }
        return "application/octet-stream"
    }

    /// `type/subtype`, trimmed and lowercased, without parameters.
    private static func essence(_ contentType: String) -> String {
        String(contentType.prefix { $0 != ";" }).trimmingWhitespace().lowercased()
    }

    /// True for `token/token` with RFC 9110 token characters.
    private static func isWellFormed(_ type: String) -> Bool {
        let parts = type.split(separator: "/", omittingEmptySubsequences: false)
        let tokenSymbols = Set("!#$%&'*+-.^_`|~".unicodeScalars)
        return parts.count == 2
            && parts.allSatisfy { part in
                !part.isEmpty
                    && part.unicodeScalars.allSatisfy {
                        $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0))
                            || tokenSymbols.contains($0)
                    }
            }
    }

    /// The extension of the last path segment of a URL; query, fragment and host ignored.
    private static func urlExtension(_ url: String) -> String? {
        var path = url.prefix { $0 != "?" && $0 != "#" }
        if let scheme = path.firstRange(of: "://") {
            let authority = path[scheme.upperBound...]
            path = authority[(authority.firstIndex(of: "/") ?? authority.endIndex)...]
        }
        guard let segment = path.split(separator: "/", omittingEmptySubsequences: false).last,
            let dot = segment.lastIndex(of: "."), dot != segment.startIndex
        else { return nil }
        return String(segment[segment.index(after: dot)...])
    }
}

extension MIMEType {
    /// MIME type from the first bytes of a file (magic numbers), or nil.
    ///
    /// Recognises mp4 and mov (an `ftyp` box; brand `qt  ` is QuickTime, `M4A `/`M4B ` is
    /// audio/mp4, `avif`/`heic` are images, anything else video/mp4), webm/mkv, png, jpeg,
    /// gif, webp, wav, mp3 (ID3 tag or an MPEG audio frame header), ogg, flac, pdf, zip, and
    /// JSON (first non-whitespace byte `{` or `[`, after an optional UTF-8 BOM).
    /// - Parameter prefix: The first bytes of the content; 16 identify everything but JSON
    ///   after leading whitespace.
    package static func sniff(_ prefix: some Collection<UInt8>) -> String? {
        let head = Array(prefix.prefix(16))
        func starts(_ signature: [UInt8], at offset: Int = 0) -> Bool {
            head.count >= offset + signature.count
                && head[offset..<offset + signature.count].elementsEqual(signature)
        }
        func starts(_ signature: String, at offset: Int = 0) -> Bool {
            starts(Array(signature.utf8), at: offset)
        }

        if starts("ftyp", at: 4) { return isoMediaType(brand: head.count >= 12 ? Array(head[8..<12]) : []) }
        if starts([0x1A, 0x45, 0xDF, 0xA3]) { return "video/webm" }
        if starts([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]) { return "image/png" }
        if starts([0xFF, 0xD8, 0xFF]) { return "image/jpeg" }
        if starts("GIF87a") || starts("GIF89a") { return "image/gif" }
        if starts("RIFF"), starts("WEBP", at: 8) { return "image/webp" }
        if starts("RIFF"), starts("WAVE", at: 8) { return "audio/wav" }
        if starts("ID3") || isMPEGAudioFrame(head) { return "audio/mpeg" }
        if starts("OggS") { return "audio/ogg" }
        if starts("fLaC") { return "audio/flac" }
        if starts("%PDF-") { return "application/pdf" }
        if starts([0x50, 0x4B, 0x03, 0x04]) { return "application/zip" }
        if looksLikeJSON(prefix) { return "application/json" }
        return nil
    }

    /// The type of an ISO base media file by its major brand.
    private static func isoMediaType(brand: [UInt8]) -> String {
        switch String(decoding: brand, as: UTF8.self) {
        case "qt  ": "video/quicktime"
        case "M4A ", "M4B ": "audio/mp4"
        case "avif", "avis": "image/avif"
        case "heic", "heix", "heim", "heis": "image/heic"
        default: "video/mp4"
        }
    }

    /// An MPEG audio frame header: 11 sync bits, then a valid version, layer, bitrate and
    /// sample rate. `FF FE` is excluded: it is far more often a UTF-16 byte order mark.
    private static func isMPEGAudioFrame(_ head: [UInt8]) -> Bool {
        guard head.count >= 2, head[0] == 0xFF, head[1] & 0xE0 == 0xE0, head[1] != 0xFE else { return false }
        let version = (head[1] >> 3) & 0x03
        let layer = (head[1] >> 1) & 0x03
        guard version != 0x01, layer != 0x00 else { return false }
        guard head.count >= 3 else { return true }
        return head[2] >> 4 != 0x0F && (head[2] >> 2) & 0x03 != 0x03
    }

    /// First byte after whitespace (and an optional UTF-8 BOM) is `{` or `[`.
    private static func looksLikeJSON(_ bytes: some Collection<UInt8>) -> Bool {
        var rest = bytes[...]
        if rest.starts(with: [0xEF, 0xBB, 0xBF]) { rest = rest.dropFirst(3) }
        let first = rest.first { ![0x20, 0x09, 0x0A, 0x0D].contains($0) }
        return first == UInt8(ascii: "{") || first == UInt8(ascii: "[")
    }
}

/// MIME types from headers, magic bytes and file extensions.
public enum MIMEType {
    private static let byExtension: [String: String] = [
        "mp4": "video/mp4", "m4v": "video/mp4", "mov": "video/quicktime", "webm": "video/webm",
        "mkv": "video/x-matroska",
        "png": "image/png", "jpg": "image/jpeg", "jpeg": "image/jpeg", "gif": "image/gif",
        "webp": "image/webp",
        "wav": "audio/wav", "mp3": "audio/mpeg", "ogg": "audio/ogg", "flac": "audio/flac", "m4a": "audio/mp4",
        "pdf": "application/pdf", "zip": "application/zip", "json": "application/json", "txt": "text/plain",
        "glb": "model/gltf-binary", "obj": "model/obj",
    ]

    private static let preferredExtension: [String: String] = [
        "video/mp4": "mp4", "video/quicktime": "mov", "video/webm": "webm", "video/x-matroska": "mkv",
        "image/png": "png", "image/jpeg": "jpg", "image/gif": "gif", "image/webp": "webp", "audio/wav": "wav",
        "audio/x-wav": "wav", "audio/wave": "wav", "audio/mpeg": "mp3", "audio/mp3": "mp3",
        "audio/ogg": "ogg",
        "audio/flac": "flac", "audio/mp4": "m4a", "application/pdf": "pdf", "application/zip": "zip",
        "application/json": "json", "text/plain": "txt", "model/gltf-binary": "glb",
    ]

    private static let generic: Set<String> = [
        "", "application/octet-stream", "binary/octet-stream", "application/x-download",
        "application/force-download",
        "application/unknown",
    ]

    /// MIME type from the first bytes of a file (magic numbers), or nil.
    public static func sniff(_ prefix: some Collection<UInt8>) -> String? {
        let bytes = Array(prefix.prefix(64))
        func starts(_ signature: [UInt8], at offset: Int = 0) -> Bool {
            bytes.count >= offset + signature.count
                && Array(bytes[offset..<offset + signature.count]) == signature
        }
        let ascii = { (text: String) in Array(text.utf8) }
        if starts(ascii("ftyp"), at: 4) {
            return starts(ascii("qt  "), at: 8) ? "video/quicktime" : "video/mp4"
        }
        if starts([0x1A, 0x45, 0xDF, 0xA3]) { return "video/webm" }
        if starts([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]) { return "image/png" }
        if starts([0xFF, 0xD8, 0xFF]) { return "image/jpeg" }
        if starts(ascii("GIF87a")) || starts(ascii("GIF89a")) { return "image/gif" }
        if starts(ascii("RIFF")) && starts(ascii("WEBP"), at: 8) { return "image/webp" }
        if starts(ascii("RIFF")) && starts(ascii("WAVE"), at: 8) { return "audio/wav" }
        if starts(ascii("ID3")) || (bytes.count >= 2 && bytes[0] == 0xFF && (bytes[1] & 0xE0) == 0xE0) {
            return "audio/mpeg"
        }
        if starts(ascii("OggS")) { return "audio/ogg" }
        if starts(ascii("fLaC")) { return "audio/flac" }
        if starts(ascii("%PDF-")) { return "application/pdf" }
        if starts([0x50, 0x4B, 0x03, 0x04]) { return "application/zip" }
        if let first = bytes.first(where: { ![0x20, 0x09, 0x0A, 0x0D].contains($0) }),
            first == 0x7B || first == 0x5B
        {
            return "application/json"
        }
        return nil
    }

    /// MIME type for a file extension (`mp4`, `.PNG`), or nil.
    public static func forExtension(_ ext: String) -> String? {
        byExtension[(ext.hasPrefix(".") ? String(ext.dropFirst()) : ext).lowercased()]
    }

    /// Preferred file extension for a MIME type (parameters ignored), or nil.
    public static func fileExtension(for mimeType: String) -> String? {
        preferredExtension[essence(mimeType)]
    }

    /// True when a Content-Type says nothing useful (missing, empty, octet-stream and friends).
    public static func isGeneric(_ contentType: String?) -> Bool {
        generic.contains(essence(contentType ?? ""))
    }

    /// Content-Type unless missing or generic; then magic bytes; then the URL's extension;
    /// else `application/octet-stream`.
    public static func resolve(contentType: String?, prefix: some Collection<UInt8>, url: String) -> String {
        if let contentType, !isGeneric(contentType) { return essence(contentType) }
        if let sniffed = sniff(prefix) { return sniffed }
        let path = url.prefix { $0 != "?" && $0 != "#" }
        if let lastSegment = path.split(separator: "/").last, let dot = lastSegment.lastIndex(of: "."),
            let type = forExtension(String(lastSegment[lastSegment.index(after: dot)...]))
        {
            return type
        }
        return "application/octet-stream"
    }

    private static func essence(_ contentType: String) -> String {
        String(contentType.prefix { $0 != ";" }).trimmingWhitespace().lowercased()
    }
}

import OrderedCollections

/// What a provider's answer states about an output file next to its URL: its size and
/// checksums. A download must match every figure given.
///
/// Read from the object that holds the URL, when that object holds no other URL (so a
/// size can't belong to a sibling thumbnail). Sizes must be positive integers; checksums
/// are hex or base64 (`"sha256:…"` and `"md5:…"` prefixes are accepted under `checksum`,
/// `digest` and `hash`).
public struct StatedIntegrity: Sendable, Equatable {
    /// The size in bytes, and the field that stated it.
    public var size: (value: Int, field: String)?
    /// The MD5 digest as lowercase hex, and the field.
    public var md5: (value: String, field: String)?
    /// The SHA-256 digest as lowercase hex, and the field.
    public var sha256: (value: String, field: String)?

    /// Fields read as the file's size.
    public static let sizeFields = [
        "file_size", "fileSize", "FileSize", "size", "Size", "sizeInBytes", "size_in_bytes", "size_bytes",
        "sizeBytes", "content_length", "contentLength", "bytes", "byte_size",
    ]
    /// Fields read as an MD5 digest.
    public static let md5Fields = ["md5", "MD5", "Md5", "md5_hash", "md5Hash", "content_md5", "contentMd5"]
    /// Fields read as a SHA-256 digest.
    public static let sha256Fields = [
        "sha256", "SHA256", "Sha256", "sha256_hash", "sha256Hash", "checksum_sha256",
    ]
    /// Fields holding `algorithm:digest`.
    public static let prefixedFields = ["checksum", "digest", "hash"]

    /// Nothing stated.
    public init() {}

    public static func == (left: StatedIntegrity, right: StatedIntegrity) -> Bool {
        left.size?.value == right.size?.value && left.md5?.value == right.md5?.value
            && left.sha256?.value == right.sha256?.value
    }

    /// What `object` (the one holding an output URL) states, at `path`.
    public static func read(from object: OrderedDictionary<String, JSONValue>, at path: JSONPath)
        -> StatedIntegrity
    {
        var stated = StatedIntegrity()
        let urls = object.values.filter { $0.stringValue.map(OutputFinder.isOutputURL) ?? false }
        guard urls.count == 1 else { return stated }
        func field(_ name: String) -> String { path.appending(.key(name)).description }
        for name in sizeFields {
            if case .integer(let value)? = object[name], value > 0 {
                stated.size = (Int(value), field(name))
                break
            }
        }
        for name in md5Fields {
            if let text = object[name]?.stringValue, let hex = Self.hex(text, bytes: 16) {
                stated.md5 = (hex, field(name))
                break
            }
        }
        for name in sha256Fields {
            if let text = object[name]?.stringValue, let hex = Self.hex(text, bytes: 32) {
                stated.sha256 = (hex, field(name))
                break
            }
        }
        for name in prefixedFields {
            guard let text = object[name]?.stringValue, let colon = text.firstIndex(of: ":") else { continue }
            let algorithm = text[..<colon].lowercased()
            let digest = String(text[text.index(after: colon)...])
            if algorithm == "sha256", stated.sha256 == nil, let hex = Self.hex(digest, bytes: 32) {
                stated.sha256 = (hex, field(name))
            } else if algorithm == "md5", stated.md5 == nil, let hex = Self.hex(digest, bytes: 16) {
                stated.md5 = (hex, field(name))
            }
        }
        return stated
    }

    /// A digest of `bytes` bytes given as hex or base64, as lowercase hex; nil when it is neither.
    static func hex(_ text: String, bytes: Int) -> String? {
        let trimmed = text.trimmingWhitespace()
        if trimmed.count == bytes * 2, trimmed.allSatisfy(\.isHexDigit) { return trimmed.lowercased() }
        guard let decoded = Base64.decode(trimmed), decoded.count == bytes else { return nil }
        return decoded.map { byte in
            let digits = Array("0123456789abcdef")
            return String([digits[Int(byte >> 4)], digits[Int(byte & 0x0F)]])
        }.joined()
    }
}

/// Standard base64 decoding (with or without padding), without Foundation.
enum Base64 {
    static func decode(_ text: String) -> [UInt8]? {
        var values: [UInt8] = []
        for character in text.utf8 {
            switch character {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"): values.append(character - UInt8(ascii: "A"))
            case UInt8(ascii: "a")...UInt8(ascii: "z"): values.append(character - UInt8(ascii: "a") + 26)
            case UInt8(ascii: "0")...UInt8(ascii: "9"): values.append(character - UInt8(ascii: "0") + 52)
            case UInt8(ascii: "+"), UInt8(ascii: "-"): values.append(62)
            case UInt8(ascii: "/"), UInt8(ascii: "_"): values.append(63)
            case UInt8(ascii: "="): continue
            default: return nil
            }
        }
        guard values.count % 4 != 1 else { return nil }
        var output: [UInt8] = []
        var index = 0
        while index + 1 < values.count {
            let a = values[index]
            let b = values[index + 1]
            output.append(a << 2 | b >> 4)
            if index + 2 < values.count {
                let c = values[index + 2]
                output.append((b & 0x0F) << 4 | c >> 2)
                if index + 3 < values.count { output.append((c & 0x03) << 6 | values[index + 3]) }
            }
            index += 4
        }
        return output
    }
}

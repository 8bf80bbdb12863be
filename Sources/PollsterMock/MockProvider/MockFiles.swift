import NIOCore

/// Deterministic sample files: real magic bytes for the kind, then a fixed filler pattern up to the size.
///
/// The server streams these without building them in memory; tests can compare against ``bytes(kind:size:)``.
public enum MockFiles {
    /// The complete bytes of the file the server serves for `kind` and `size`.
    /// - Parameters:
    ///   - kind: the file type.
    ///   - size: the length in bytes.
    /// - Returns: exactly `max(size, 0)` bytes.
    public static func bytes(kind: MockFileKind, size: Int) -> [UInt8] {
        let content = MockFileContent(kind: kind, size: size)
        return content.bytes(in: 0..<content.size)
    }
}

/// One generated file: a header with the kind's magic bytes, a periodic filler, and for JSON a trailer
/// that closes the document.
struct MockFileContent: Sendable {
    /// The filler repeats with this period, so chunks at multiples of it are identical.
    private static let period = 256
    /// Prebuilt filler chunks that aligned chunks are sliced from (slices share storage).
    private static let binaryTemplate = template(json: false)
    private static let jsonTemplate = template(json: true)
    /// The largest chunk served from a template.
    static let templateSize = 64 * 1024

    let kind: MockFileKind
    let size: Int
    private let header: [UInt8]
    private let trailer: [UInt8]

    init(kind: MockFileKind, size: Int) {
        self.kind = kind
        self.size = max(size, 0)
        self.header = MockFileHeaders.header(for: kind, size: self.size)
        self.trailer = kind == .json ? Array("\"}\n".utf8) : []
    }

    /// The bytes in `range` (which must lie within `0..<size`).
    func bytes(in range: Range<Int>) -> [UInt8] {
        range.map(byte(at:))
    }

    /// The bytes at `offset..<offset + length` as a buffer, sliced from a shared template when possible.
    func chunk(at offset: Int, length: Int, allocator: ByteBufferAllocator) -> ByteBuffer {
        let isFillerOnly =
            offset >= header.count && offset + length <= size - trailer.count
            && offset % Self.period == 0 && length <= Self.templateSize
        if isFillerOnly {
            let template = kind == .json ? Self.jsonTemplate : Self.binaryTemplate
            return template.getSlice(at: template.readerIndex, length: length)!
        }
        var buffer = allocator.buffer(capacity: length)
        buffer.writeBytes(bytes(in: offset..<offset + length))
        return buffer
    }

    private func byte(at offset: Int) -> UInt8 {
        if offset < header.count { return header[offset] }
        let trailerStart = size - trailer.count
        if offset >= trailerStart { return trailer[offset - trailerStart] }
        return Self.filler(at: offset, json: kind == .json)
    }

    /// JSON gets printable letters that need no escaping inside a string; other kinds get 0…255.
    private static func filler(at offset: Int, json: Bool) -> UInt8 {
        if json {
            let alphabet: StaticString = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
            return alphabet.utf8Start[offset % 64]
        }
        return UInt8(truncatingIfNeeded: offset)
    }

    private static func template(json: Bool) -> ByteBuffer {
        var buffer = ByteBufferAllocator().buffer(capacity: templateSize)
        for offset in 0..<templateSize {
            buffer.writeInteger(filler(at: offset, json: json))
        }
        return buffer
    }
}

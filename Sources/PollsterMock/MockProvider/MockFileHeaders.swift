/// The leading bytes of each generated file kind: real magic numbers and plausible first structures.
enum MockFileHeaders {
    static func header(for kind: MockFileKind, size: Int) -> [UInt8] {
        switch kind {
        case .mp4:
            // `ftyp` box (24 bytes), then an `mdat` box holding the rest.
            return bigEndian32(24) + ascii("ftypisom") + [0, 0, 2, 0] + ascii("isomiso2")
                + bigEndian32(size - 24) + ascii("mdat")
        case .png:
            // Signature, then an IHDR chunk for a 1024×768 RGB image (CRC not computed).
            return [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A] + bigEndian32(13) + ascii("IHDR")
                + bigEndian32(1024) + bigEndian32(768) + [8, 2, 0, 0, 0] + [0, 0, 0, 0]
        case .jpeg:
            return [0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x10] + ascii("JFIF")
                + [0x00, 0x01, 0x01, 0x00, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00]
        case .gif:
            return ascii("GIF89a") + littleEndian16(1024) + littleEndian16(768) + [0, 0, 0]
        case .webp:
            return ascii("RIFF") + littleEndian32(size - 8) + ascii("WEBPVP8 ") + littleEndian32(size - 20)
        case .wav:
            // RIFF header and a 16-bit mono 44.1 kHz PCM `fmt ` chunk, then the `data` chunk.
            return ascii("RIFF") + littleEndian32(size - 8) + ascii("WAVEfmt ") + littleEndian32(16)
                + littleEndian16(1) + littleEndian16(1) + littleEndian32(44_100) + littleEndian32(88_200)
                + littleEndian16(2) + littleEndian16(16) + ascii("data") + littleEndian32(size - 44)
        case .mp3:
            // An empty ID3v2.4 tag, then an MPEG-1 Layer III frame header.
            return ascii("ID3") + [0x04, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00] + [0xFF, 0xFB, 0x90, 0x00]
        case .pdf:
            return ascii("%PDF-1.7\n%") + [0xE2, 0xE3, 0xCF, 0xD3, 0x0A]
        case .json:
            return ascii("{\"mock\":\"")
        }
    }

    private static func ascii(_ text: String) -> [UInt8] {
        Array(text.utf8)
    }

    private static func bigEndian32(_ value: Int) -> [UInt8] {
        let value = UInt32(clamping: max(value, 0))
        return [24, 16, 8, 0].map { UInt8(truncatingIfNeeded: value >> $0) }
    }

    private static func littleEndian32(_ value: Int) -> [UInt8] {
        let value = UInt32(clamping: max(value, 0))
        return [0, 8, 16, 24].map { UInt8(truncatingIfNeeded: value >> $0) }
    }

    private static func littleEndian16(_ value: Int) -> [UInt8] {
        let value = UInt16(clamping: max(value, 0))
        return [0, 8].map { UInt8(truncatingIfNeeded: value >> $0) }
    }
}

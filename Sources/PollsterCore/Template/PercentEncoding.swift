/// RFC 3986 percent-encoding for values placed into URLs.
package enum PercentEncoding {
    /// Encodes every byte except the unreserved characters `A-Z a-z 0-9 - . _ ~`.
    package static func encode(_ text: String) -> String {
        var output = ""
        output.reserveCapacity(text.utf8.count)
        for byte in text.utf8 {
            if isUnreserved(byte) {
                output.unicodeScalars.append(Unicode.Scalar(byte))
            } else {
                output += "%"
                output.unicodeScalars.append(Hex.digit(byte >> 4))
                output.unicodeScalars.append(Hex.digit(byte & 0x0F))
            }
        }
        return output
    }

    /// Decodes `%XX` sequences (and `+` as space when `plusIsSpace`); nil on malformed input.
    package static func decode(_ text: String, plusIsSpace: Bool = false) -> String? {
        decodedBytes(text, plusIsSpace: plusIsSpace).flatMap { String(validating: $0, as: UTF8.self) }
    }

    /// The bytes `%XX` sequences stand for; nil when one is malformed.
    static func decodedBytes(_ text: String, plusIsSpace: Bool = false) -> [UInt8]? {
        var bytes: [UInt8] = []
        var iterator = Array(text.utf8).makeIterator()
        while let byte = iterator.next() {
            if byte == UInt8(ascii: "%") {
                guard let high = iterator.next().flatMap(Hex.value(of:)),
                    let low = iterator.next().flatMap(Hex.value(of:))
                else { return nil }
                bytes.append(high << 4 | low)
            } else if plusIsSpace, byte == UInt8(ascii: "+") {
                bytes.append(0x20)
            } else {
                bytes.append(byte)
            }
        }
        return bytes
    }

    private static func isUnreserved(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
            UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"),
            UInt8(ascii: "~"):
            true
        default: false
        }
    }
}

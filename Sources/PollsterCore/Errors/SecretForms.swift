/// The encodings a secret value takes on its way through HTTP: what `Redactor` masks.
///
/// ```swift
/// SecretForms.of("a/b c")
/// // "a/b c", #"a\/b c"#, "a%2Fb%20c", "a%2fb%20c", "a%2Fb+c", …, "YS9iIGM=", "YS9iIGM", …
/// ```
package enum SecretForms {
    /// Every form of `secret`: raw, JSON-escaped, percent-encoded and base64.
    package static func of(_ secret: String) -> Set<String> {
        var forms: Set<String> = [secret]
        forms.formUnion(json(secret))
        forms.formUnion(percent(secret))
        forms.formUnion(base64(Array(secret.utf8)))
        return forms
    }

    /// JSON string escapes: `\"`, `\\`, control characters, with or without `\/`, and non-ASCII
    /// as it is or as `\uXXXX` (either case).
    static func json(_ secret: String) -> Set<String> {
        var forms: Set<String> = []
        for escapeSlash in [false, true] {
            for nonASCII in [NonASCII.raw, .lowerHex, .upperHex] {
                forms.insert(jsonEscaped(secret, escapeSlash: escapeSlash, nonASCII: nonASCII))
            }
        }
        return forms
    }

    enum NonASCII { case raw, lowerHex, upperHex }

    static func jsonEscaped(_ secret: String, escapeSlash: Bool, nonASCII: NonASCII) -> String {
        var output = ""
        for scalar in secret.unicodeScalars {
            switch scalar {
            case "\"": output += "\\\""
            case "\\": output += "\\\\"
            case "/" where escapeSlash: output += "\\/"
            case "\n": output += "\\n"
            case "\r": output += "\\r"
            case "\t": output += "\\t"
            default:
                if scalar.value < 0x20 || (!scalar.isASCII && nonASCII != .raw) {
                    for unit in String(scalar).utf16 {
                        output += "\\u" + hex(UInt32(unit), width: 4, lowercase: nonASCII == .lowerHex)
                    }
                } else {
                    output.unicodeScalars.append(scalar)
                }
            }
        }
        return output
    }

    /// Percent-encodings as RFC 3986 (`%20`), forms (`+`) and JavaScript's
    /// `encodeURIComponent` make them, in upper- and lowercase hex.
    static func percent(_ secret: String) -> Set<String> {
        let alphanumeric = { (byte: UInt8) in
            (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte)
                || (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte)
                || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
        }
        let keeps: [(UInt8) -> Bool] = [
            { alphanumeric($0) || "-._~".utf8.contains($0) },
            { alphanumeric($0) || "-._*".utf8.contains($0) },
            { alphanumeric($0) || "-_.!~*'()".utf8.contains($0) },
        ]
        var forms: Set<String> = []
        for keep in keeps {
            for plus in [false, true] {
                for lowercase in [false, true] {
                    var output = ""
                    for byte in secret.utf8 {
                        if keep(byte) {
                            output.unicodeScalars.append(Unicode.Scalar(byte))
                        } else if plus, byte == UInt8(ascii: " ") {
                            output += "+"
                        } else {
                            output += "%" + hex(UInt32(byte), width: 2, lowercase: lowercase)
                        }
                    }
                    forms.insert(output)
                }
            }
        }
        return forms
    }

    /// Base64 (standard and URL-safe, padded or not) of the secret, and the characters that
    /// encode it inside any longer value (`user:secret` in a Basic header): for each of the three
    /// byte alignments, the run of whole 3-byte groups made of the secret alone.
    static func base64(_ bytes: [UInt8]) -> Set<String> {
        var forms: Set<String> = []
        for urlSafe in [false, true] {
            let whole = encode(bytes, urlSafe: urlSafe)
            forms.insert(whole)
            forms.insert(String(whole.prefix { $0 != "=" }))
            for skip in 0..<3 where bytes.count - skip >= 6 {
                let inner = bytes.dropFirst(skip)
                forms.insert(encode(Array(inner.prefix(inner.count / 3 * 3)), urlSafe: urlSafe))
            }
        }
        return forms
    }

    /// RFC 4648 base64, padded.
    static func encode(_ bytes: [UInt8], urlSafe: Bool = false) -> String {
        let alphabet = Array(
            ("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789" + (urlSafe ? "-_" : "+/")).utf8)
        var output: [UInt8] = []
        output.reserveCapacity((bytes.count + 2) / 3 * 4)
        var index = 0
        while index < bytes.count {
            let count = min(3, bytes.count - index)
            let b0 = UInt32(bytes[index])
            let b1 = count > 1 ? UInt32(bytes[index + 1]) : 0
            let b2 = count > 2 ? UInt32(bytes[index + 2]) : 0
            let group = b0 << 16 | b1 << 8 | b2
            output.append(alphabet[Int(group >> 18 & 63)])
            output.append(alphabet[Int(group >> 12 & 63)])
            output.append(count > 1 ? alphabet[Int(group >> 6 & 63)] : UInt8(ascii: "="))
            output.append(count > 2 ? alphabet[Int(group & 63)] : UInt8(ascii: "="))
            index += 3
        }
        return String(decoding: output, as: UTF8.self)
    }

    private static func hex(_ value: UInt32, width: Int, lowercase: Bool) -> String {
        let digits = String(value, radix: 16, uppercase: !lowercase)
        return String(repeating: "0", count: max(0, width - digits.count)) + digits
    }
}

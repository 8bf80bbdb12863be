import Foundation

/// The canary secrets of the leak tests and every form a provider could echo them in.
///
/// The forms are derived here, independently of `Redactor`, so a form the redactor forgets is a
/// failing test rather than a blind spot shared by both.
enum Canary {
    /// The secret of every auth style (the key, the token, the Basic user, the TC3 secretId).
    static let primary = "canary-7Hq2/xZ9p+secret"
    /// The second half of a pair (the Basic password, the TC3 secretKey).
    static let second = "canary-Pw4k/Lm8q+second"

    /// The environment a tool method reads them from (`${CANARY}`, `${CANARY_2}`).
    static let environment = ["CANARY": primary, "CANARY_2": second]

    /// Every form to look for: each canary raw, JSON-escaped, percent-encoded and in base64
    /// (whole, and the runs that encode it inside any longer base64 value), and the Basic pair.
    static let forms: [String: String] = {
        var forms: [String: String] = [:]
        for (name, value) in [("canary", primary), ("canary 2", second)] {
            forms["\(name) raw"] = value
            forms["\(name) JSON-escaped"] = value.replacing("/", with: "\\/")
            forms["\(name) percent-encoded"] = percent(value, lowercase: false)
            forms["\(name) percent-encoded (lowercase)"] = percent(value, lowercase: true)
            forms["\(name) percent-encoded twice"] = percent(
                percent(value, lowercase: false), lowercase: false)
            let base64 = Data(value.utf8).base64EncodedString()
            forms["\(name) base64"] = base64
            forms["\(name) base64url"] = base64.replacing("+", with: "-").replacing("/", with: "_")
            for skip in 0..<3 {
                let inner = Array(value.utf8.dropFirst(skip))
                forms["\(name) base64 inside (offset \(skip))"] = Data(inner.prefix(inner.count / 3 * 3))
                    .base64EncodedString()
            }
        }
        forms["Basic user:password base64"] = Data("\(primary):\(second)".utf8).base64EncodedString()
        return forms
    }()

    /// The names of the forms that occur in `text` (empty when nothing leaked).
    static func leaks(in text: String) -> [String] {
        forms.filter { text.contains($0.value) }.map(\.key).sorted()
    }

    /// RFC 3986 percent-encoding (unreserved characters kept).
    private static func percent(_ text: String, lowercase: Bool) -> String {
        var output = ""
        for byte in text.utf8 {
            let scalar = Unicode.Scalar(byte)
            if ("0"..."9").contains(scalar) || ("a"..."z").contains(scalar) || ("A"..."Z").contains(scalar)
                || "-._~".unicodeScalars.contains(scalar)
            {
                output.unicodeScalars.append(scalar)
            } else {
                let hex = String(byte, radix: 16, uppercase: !lowercase)
                output += "%" + (hex.count == 1 ? "0" + hex : hex)
            }
        }
        return output
    }
}

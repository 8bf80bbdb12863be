import Crypto
import Foundation
import PollsterCore

/// The steps the request signatures in the shape of AWS's v4 share (`TC3Signer`,
/// `SigV4Signer`): the canonical request hashed into the string to sign, a key derived through
/// the credential scope, the hex HMAC-SHA256 of the string to sign under it.
enum HMACSigning {
    /// The hex SHA-256 of `bytes` (a body, a canonical request).
    static func sha256(_ bytes: [UInt8]) -> String {
        Hex.lowercase(SHA256.hash(data: bytes))
    }

    /// `leading` lines, then the hex SHA-256 of the canonical request's lines, joined by newlines.
    static func stringToSign(_ leading: [String], canonical: [String]) -> String {
        (leading + [sha256(Array(canonical.joined(separator: "\n").utf8))]).joined(separator: "\n")
    }

    /// The hex HMAC-SHA256 of `stringToSign` under the key derived from `secret` through each
    /// part of `scope` in turn.
    static func signature(secret: String, scope: [String], stringToSign: String) -> String {
        var key = SymmetricKey(data: Array(secret.utf8))
        for part in scope {
            key = SymmetricKey(data: Data(HMAC<SHA256>.authenticationCode(for: Array(part.utf8), using: key)))
        }
        return Hex.lowercase(HMAC<SHA256>.authenticationCode(for: Array(stringToSign.utf8), using: key))
    }

    /// The UTC calendar fields of `date`, down to the second.
    static func utc(_ date: Date) -> DateComponents {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        return calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: date)
    }
}

import Crypto
import Foundation
import PollsterCore

/// SHA-256 digests as lowercase hex, as fixtures record them.
enum SHA256Hex {
    /// The digest of `bytes`.
    static func of(_ bytes: some Sequence<UInt8>) -> String {
        var hash = SHA256()
        hash.update(data: Array(bytes))
        return hex(hash.finalize())
    }

    /// A finished digest as hex.
    static func hex(_ digest: SHA256.Digest) -> String {
        Hex.lowercase(digest)
    }
}

import Crypto
import Foundation
import HTTPTypes

/// Signs webhook deliveries the Standard Webhooks way: `webhook-id`, `webhook-timestamp` and
/// `webhook-signature: v1,<base64 HMAC-SHA256 of "id.timestamp.body">`, keyed by the bytes of a
/// `whsec_<base64>` secret.
public struct WebhookSigner: Sendable {
    private let key: SymmetricKey

    /// A signer for a `whsec_…` secret (the prefix is optional).
    /// - Throws: `APIProblem` when the rest is not base64.
    public init(secret: String) throws {
        let encoded = secret.hasPrefix("whsec_") ? String(secret.dropFirst(6)) : secret
        guard let bytes = Data(base64Encoded: encoded), !bytes.isEmpty else {
            throw APIProblem(
                .internalServerError, code: "INVALID_CONFIG", "the webhook secret is not whsec_<base64>")
        }
        key = SymmetricKey(data: bytes)
    }

    /// A new random secret: `whsec_` and 24 random bytes in base64.
    public static func newSecret() -> String {
        var generator = SystemRandomNumberGenerator()
        return "whsec_"
            + Data((0..<24).map { _ in UInt8.random(in: 0...255, using: &generator) }).base64EncodedString()
    }

    /// The `webhook-signature` value for a message.
    public func signature(id: String, timestamp: Int, body: [UInt8]) -> String {
        var message = Array("\(id).\(timestamp).".utf8)
        message += body
        let mac = HMAC<SHA256>.authenticationCode(for: message, using: key)
        return "v1," + Data(mac).base64EncodedString()
    }
}

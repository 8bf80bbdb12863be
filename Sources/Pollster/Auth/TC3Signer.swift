import Foundation
import PollsterCore

/// Tencent Cloud API 3.0 request signing (TC3-HMAC-SHA256).
///
/// Canonical request → string to sign → derived key chain (`"TC3" + SecretKey` → date →
/// service → `tc3_request`) → `Authorization` header. Signed headers: `content-type;host`.
public enum TC3Signer {
    /// The parts of a request that are signed.
    public struct Request: Sendable {
        /// HTTP method.
        public var method: String
        /// Path (`/`), without query.
        public var path: String
        /// Query string without `?` (empty for POST).
        public var query: String
        /// The `Content-Type` header as sent.
        public var contentType: String
        /// The `Host` header as sent.
        public var host: String
        /// The body bytes.
        public var body: [UInt8]

        /// A request from its parts.
        public init(
            method: String, path: String, query: String, contentType: String, host: String, body: [UInt8]
        ) {
            self.method = method
            self.path = path
            self.query = query
            self.contentType = contentType
            self.host = host
            self.body = body
        }
    }

    /// The `Authorization` header value for `request` at `timestamp` (Unix seconds).
    public static func authorization(
        _ request: Request, secretId: String, secretKey: String, service: String, timestamp: Int
    ) -> String {
        let date = utcDate(timestamp)
        let scope = "\(date)/\(service)/tc3_request"
        let signature = self.signature(request, secretKey: secretKey, service: service, timestamp: timestamp)
        return
            "TC3-HMAC-SHA256 Credential=\(secretId)/\(scope), SignedHeaders=content-type;host, Signature=\(signature)"
    }

    /// The hex signature.
    public static func signature(_ request: Request, secretKey: String, service: String, timestamp: Int)
        -> String
    {
        let date = utcDate(timestamp)
        let stringToSign = HMACSigning.stringToSign(
            ["TC3-HMAC-SHA256", String(timestamp), "\(date)/\(service)/tc3_request"],
            canonical: [
                request.method.uppercased(), request.path.isEmpty ? "/" : request.path, request.query,
                "content-type:\(request.contentType)\nhost:\(request.host)\n", "content-type;host",
                HMACSigning.sha256(request.body),
            ])
        return HMACSigning.signature(
            secret: "TC3" + secretKey, scope: [date, service, "tc3_request"], stringToSign: stringToSign)
    }

    /// `yyyy-MM-dd` in UTC.
    static func utcDate(_ timestamp: Int) -> String {
        let parts = HMACSigning.utc(Date(timeIntervalSince1970: Double(timestamp)))
        return String(format: "%04d-%02d-%02d", parts.year!, parts.month!, parts.day!)
    }
}

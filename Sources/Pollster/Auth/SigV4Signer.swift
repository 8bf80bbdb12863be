import Foundation
import PollsterCore

/// Request signing in the shape of AWS Signature Version 4, which Volcengine (火山引擎, the API
/// of Jimeng and other ByteDance models) uses under its own names (`volc-hmac-sha256`).
///
/// Canonical request (method, path, sorted query, sorted lowercase headers, signed header names,
/// SHA-256 of the body) → string to sign (algorithm, time, `date/region/service/terminator`,
/// SHA-256 of the canonical request) → key chain (`keyPrefix + secret` → date → region → service
/// → terminator) → `Authorization: <algorithm> Credential=…, SignedHeaders=…, Signature=…`.
public enum SigV4Signer {
    /// The names one provider gives to the parts of the signature.
    public struct Scheme: Sendable {
        /// The algorithm's name, first in the string to sign and in `Authorization`.
        public var algorithm: String
        /// Prefixed to the secret key to make the first key of the chain.
        public var keyPrefix: String
        /// The last part of the credential scope and of the key chain.
        public var terminator: String
        /// The header carrying the signing time (`yyyyMMdd'T'HHmmss'Z'`).
        public var dateHeader: String
        /// The header carrying the body's SHA-256, signed with the others; nil: not sent.
        public var payloadHashHeader: String?

        /// Volcengine: `HMAC-SHA256`, no key prefix, `request`, `X-Date`, `X-Content-Sha256`.
        public static let volcengine = Scheme(
            algorithm: "HMAC-SHA256", keyPrefix: "", terminator: "request", dateHeader: "X-Date",
            payloadHashHeader: "X-Content-Sha256")
        /// AWS itself, for S3-style paths (signed as sent; other AWS services encode the path a
        /// second time, which Volcengine does not): its published test vectors check the
        /// algorithm the two share.
        public static let aws = Scheme(
            algorithm: "AWS4-HMAC-SHA256", keyPrefix: "AWS4", terminator: "aws4_request",
            dateHeader: "X-Amz-Date", payloadHashHeader: nil)
    }

    /// The parts of a request that are signed.
    public struct Request: Sendable {
        /// HTTP method.
        public var method: String
        /// The path as sent (percent-encoded), without the query.
        public var path: String
        /// The query as sent, without `?`.
        public var query: String
        /// The headers to sign, `Host` among them (the date and payload headers are added).
        public var headers: [(name: String, value: String)]
        /// The body bytes.
        public var body: [UInt8]

        /// A request from its parts.
        public init(
            method: String, path: String, query: String, headers: [(name: String, value: String)],
            body: [UInt8]
        ) {
            self.method = method
            self.path = path
            self.query = query
            self.headers = headers
            self.body = body
        }
    }

    /// What the scheme's keys and names sign with.
    public struct Credentials: Sendable {
        /// The key id, named in the credential scope (Volcengine: the AccessKeyId).
        public var accessKeyId: String
        /// The secret the key chain starts from (Volcengine: the SecretAccessKey, as given).
        public var secretKey: String
        /// The region of the credential scope (`cn-north-1`).
        public var region: String
        /// The service of the credential scope (`cv`).
        public var service: String

        /// Credentials from their parts.
        public init(accessKeyId: String, secretKey: String, region: String, service: String) {
            self.accessKeyId = accessKeyId
            self.secretKey = secretKey
            self.region = region
            self.service = service
        }
    }

    /// The headers to add to `request` signed at `date`: the date, the payload hash (when the
    /// scheme sends it) and `Authorization`.
    public static func headers(
        for request: Request, scheme: Scheme, credentials: Credentials, date: Date
    ) -> [(name: String, value: String)] {
        let time = timestamp(date)
        let payloadHash = HMACSigning.sha256(request.body)
        var added = [(name: scheme.dateHeader, value: time)]
        if let header = scheme.payloadHashHeader { added.append((header, payloadHash)) }
        let signed = (request.headers + added)
            .map { (name: $0.name.lowercased(), value: trimmed($0.value)) }
            .sorted { $0.name < $1.name }
        let signedNames = signed.map(\.name).joined(separator: ";")
        let scopeParts = [String(time.prefix(8)), credentials.region, credentials.service, scheme.terminator]
        let scope = scopeParts.joined(separator: "/")
        let stringToSign = HMACSigning.stringToSign(
            [scheme.algorithm, time, scope],
            canonical: [
                request.method.uppercased(), request.path.isEmpty ? "/" : request.path,
                canonicalQuery(request.query),
                signed.map { "\($0.name):\($0.value)\n" }.joined(), signedNames, payloadHash,
            ])
        let signature = HMACSigning.signature(
            secret: scheme.keyPrefix + credentials.secretKey, scope: scopeParts, stringToSign: stringToSign)
        added.append(
            (
                "Authorization",
                "\(scheme.algorithm) Credential=\(credentials.accessKeyId)/\(scope), SignedHeaders=\(signedNames), Signature=\(signature)"
            ))
        return added
    }

    /// `yyyyMMdd'T'HHmmss'Z'` in UTC.
    static func timestamp(_ date: Date) -> String {
        let parts = HMACSigning.utc(date)
        return String(
            format: "%04d%02d%02dT%02d%02d%02dZ", parts.year!, parts.month!, parts.day!, parts.hour!,
            parts.minute!, parts.second!)
    }

    /// The query's parameters, each name and value percent-encoded as RFC 3986 asks (only
    /// unreserved characters left as they are), sorted by name, then value.
    static func canonicalQuery(_ query: String) -> String {
        query.split(separator: "&", omittingEmptySubsequences: true)
            .map { pair -> (String, String) in
                let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
                let decode = { (text: Substring) in PercentEncoding.decode(String(text)) ?? String(text) }
                return (
                    PercentEncoding.encode(decode(parts[0])),
                    parts.count > 1 ? PercentEncoding.encode(decode(parts[1])) : ""
                )
            }
            .sorted { $0 < $1 }
            .map { "\($0.0)=\($0.1)" }
            .joined(separator: "&")
    }

    /// A header value with its ends trimmed and inner runs of spaces made one.
    private static func trimmed(_ value: String) -> String {
        value.split(separator: " ", omittingEmptySubsequences: true).joined(separator: " ")
    }
}

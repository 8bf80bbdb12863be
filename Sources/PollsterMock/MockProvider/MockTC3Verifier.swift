import Crypto
import Foundation
import PollsterCore

/// Tencent Cloud API 3.0 signatures (TC3-HMAC-SHA256), as the mock server checks them.
///
/// Canonical request → string to sign → key chain (`"TC3" + SecretKey` → date → service →
/// `tc3_request`) → hex HMAC-SHA256. Tests use these functions to sign requests to the mock.
///
/// ```swift
/// let authorization = MockTC3Verifier.authorization(
///     secretId: "AKIDmockSECRETID", secretKey: "mockSecretKey", service: "hunyuan", timestamp: now,
///     path: "/tencent/hunyuan/", headers: ["Content-Type": "application/json", "Host": "127.0.0.1:8080"],
///     payload: Array(body.utf8))
/// ```
public enum MockTC3Verifier {
    /// The algorithm name that starts the `Authorization` header and the string to sign.
    public static let algorithm = "TC3-HMAC-SHA256"

    /// The canonical request.
    /// - Parameters:
    ///   - method: the HTTP method (uppercased).
    ///   - path: the canonical URI; `/` for Tencent's own endpoints.
    ///   - query: the query string without `?` (empty for POST).
    ///   - headers: the request headers, names in any case.
    ///   - signedHeaders: the names of the signed headers, in any case and order.
    ///   - payload: the body bytes.
    ///   - lowercaseValues: lowercase the header values too (Tencent's documentation says so; most
    ///     clients sign the values as sent).
    /// - Returns: the six lines joined with `\n`; headers lowercased, trimmed and sorted.
    public static func canonicalRequest(
        method: String = "POST",
        path: String = "/",
        query: String = "",
        headers: [String: String],
        signedHeaders: [String] = ["content-type", "host"],
        payload: [UInt8],
        lowercaseValues: Bool = false
    ) -> String {
        var values: [String: String] = [:]
        for (name, value) in headers { values[name.lowercased()] = value }
        let names = signedHeaderNames(signedHeaders)
        let canonicalHeaders = names.map { name in
            let value = (values[name] ?? "").trimmingCharacters(in: .whitespaces)
            return "\(name):\(lowercaseValues ? value.lowercased() : value)\n"
        }
        return [
            method.uppercased(), path.isEmpty ? "/" : path, query, canonicalHeaders.joined(),
            names.joined(separator: ";"), sha256Hex(payload),
        ].joined(separator: "\n")
    }

    /// The string to sign for `canonicalRequest` at `timestamp` (Unix seconds).
    public static func stringToSign(canonicalRequest: String, service: String, timestamp: Int) -> String {
        [
            algorithm, String(timestamp), credentialScope(service: service, timestamp: timestamp),
            sha256Hex(Array(canonicalRequest.utf8)),
        ].joined(separator: "\n")
    }

    /// The hex signature of `stringToSign`, with the key derived for the timestamp's UTC date and `service`.
    public static func signature(stringToSign: String, secretKey: String, service: String, timestamp: Int)
        -> String
    {
        var key = SymmetricKey(data: Array(("TC3" + secretKey).utf8))
        for part in [utcDate(timestamp), service, "tc3_request"] {
            key = SymmetricKey(data: Data(HMAC<SHA256>.authenticationCode(for: Array(part.utf8), using: key)))
        }
        return hex(HMAC<SHA256>.authenticationCode(for: Array(stringToSign.utf8), using: key))
    }

    /// The hex signature of a request: ``canonicalRequest(method:path:query:headers:signedHeaders:payload:lowercaseValues:)``,
    /// then ``stringToSign(canonicalRequest:service:timestamp:)``, then
    /// ``signature(stringToSign:secretKey:service:timestamp:)``.
    public static func signature(
        method: String = "POST",
        path: String = "/",
        query: String = "",
        headers: [String: String],
        signedHeaders: [String] = ["content-type", "host"],
        payload: [UInt8],
        secretKey: String,
        service: String,
        timestamp: Int
    ) -> String {
        let canonical = canonicalRequest(
            method: method, path: path, query: query, headers: headers, signedHeaders: signedHeaders,
            payload: payload)
        return signature(
            stringToSign: stringToSign(canonicalRequest: canonical, service: service, timestamp: timestamp),
            secretKey: secretKey, service: service, timestamp: timestamp)
    }

    /// A complete `Authorization` header value for a request.
    /// - Returns: `TC3-HMAC-SHA256 Credential={secretId}/{date}/{service}/tc3_request, SignedHeaders=…, Signature=…`.
    public static func authorization(
        secretId: String,
        secretKey: String,
        service: String,
        timestamp: Int,
        method: String = "POST",
        path: String = "/",
        query: String = "",
        headers: [String: String],
        signedHeaders: [String] = ["content-type", "host"],
        payload: [UInt8]
    ) -> String {
        let signature = signature(
            method: method, path: path, query: query, headers: headers, signedHeaders: signedHeaders,
            payload: payload, secretKey: secretKey, service: service, timestamp: timestamp)
        let scope = credentialScope(service: service, timestamp: timestamp)
        let names = signedHeaderNames(signedHeaders).joined(separator: ";")
        return "\(algorithm) Credential=\(secretId)/\(scope), SignedHeaders=\(names), Signature=\(signature)"
    }

    /// `{date}/{service}/tc3_request`.
    public static func credentialScope(service: String, timestamp: Int) -> String {
        "\(utcDate(timestamp))/\(service)/tc3_request"
    }

    /// The UTC date of `timestamp` (Unix seconds) as `yyyy-MM-dd`.
    public static func utcDate(_ timestamp: Int) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let parts = calendar.dateComponents(
            [.year, .month, .day], from: Date(timeIntervalSince1970: Double(timestamp)))
        return String(format: "%04d-%02d-%02d", parts.year ?? 0, parts.month ?? 0, parts.day ?? 0)
    }

    /// Lowercase hex SHA-256 of `bytes`.
    public static func sha256Hex(_ bytes: [UInt8]) -> String {
        hex(SHA256.hash(data: bytes))
    }

    /// Signed header names lowercased, trimmed and sorted.
    static func signedHeaderNames(_ names: [String]) -> [String] {
        names.map { $0.trimmingCharacters(in: .whitespaces).lowercased() }.filter { !$0.isEmpty }.sorted()
    }

    private static func hex(_ bytes: some Sequence<UInt8>) -> String {
        Hex.lowercase(bytes)
    }
}

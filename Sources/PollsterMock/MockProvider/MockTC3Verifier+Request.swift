import Foundation
import NIOHTTP1

/// Why the mock refused a Tencent request: the code and message of `Response.Error`.
struct MockTencentError: Error, Sendable, Equatable {
    let code: String
    let message: String
}

/// The parts of a `TC3-HMAC-SHA256 Credential=…, SignedHeaders=…, Signature=…` header.
struct MockTC3Authorization: Sendable, Equatable {
    let secretId: String
    let date: String
    let service: String
    let signedHeaders: [String]
    let signature: String

    init?(_ header: String) {
        let prefix = MockTC3Verifier.algorithm + " "
        guard header.hasPrefix(prefix) else { return nil }
        var fields: [String: String] = [:]
        for part in header.dropFirst(prefix.count).split(separator: ",") {
            let pair = part.split(separator: "=", maxSplits: 1)
            guard pair.count == 2 else { return nil }
            fields[pair[0].trimmingCharacters(in: .whitespaces)] = pair[1].trimmingCharacters(
                in: .whitespaces)
        }
        let scope = (fields["Credential"] ?? "").split(separator: "/", omittingEmptySubsequences: false)
        guard scope.count == 4, scope[3] == "tc3_request", !scope[0].isEmpty, !scope[1].isEmpty,
            !scope[2].isEmpty, let signedHeaders = fields["SignedHeaders"],
            let signature = fields["Signature"],
            !signature.isEmpty
        else { return nil }
        self.secretId = String(scope[0])
        self.date = String(scope[1])
        self.service = String(scope[2])
        self.signedHeaders = signedHeaders.split(separator: ";").map { $0.lowercased() }
        self.signature = signature.lowercased()
    }
}

extension MockTC3Verifier {
    /// How far `X-TC-Timestamp` may be from the server's clock, as on Tencent Cloud.
    static let maxClockSkewSeconds = 300

    /// Checks a request's `Authorization` against `credentials`; nil when the signature verifies.
    ///
    /// The canonical URI may be the path as received or `/` (what a client signs for Tencent's own
    /// endpoints); header values may be signed as sent or lowercased. The service is the one in the
    /// credential scope, whatever the route.
    static func failure(
        of request: MockRequest, credentials: MockTencentCredentials,
        now: Int = Int(Date().timeIntervalSince1970)
    ) -> MockTencentError? {
        guard let header = request.header("Authorization"), let authorization = MockTC3Authorization(header)
        else {
            return MockTencentError(
                code: "AuthFailure.InvalidAuthorization",
                message: "The Authorization header is missing or not in the TC3-HMAC-SHA256 format.")
        }
        guard authorization.signedHeaders.contains("content-type"),
            authorization.signedHeaders.contains("host")
        else {
            return MockTencentError(
                code: "AuthFailure.InvalidAuthorization",
                message: "SignedHeaders must include content-type and host.")
        }
        guard authorization.secretId == credentials.secretId else {
            return MockTencentError(
                code: "AuthFailure.SecretIdNotFound",
                message: "The SecretId \(authorization.secretId) was not found or has been disabled.")
        }
        guard
            let timestamp = request.header("X-TC-Timestamp").flatMap({
                Int($0.trimmingCharacters(in: .whitespaces))
            })
        else {
            return MockTencentError(
                code: "MissingParameter", message: "The X-TC-Timestamp header is missing or not an integer.")
        }
        guard abs(now - timestamp) <= maxClockSkewSeconds else {
            return MockTencentError(
                code: "AuthFailure.SignatureExpire",
                message:
                    "The signature has expired: X-TC-Timestamp \(timestamp) is more than 5 minutes from \(now)."
            )
        }
        guard authorization.date == utcDate(timestamp) else {
            return MockTencentError(
                code: "AuthFailure.InvalidAuthorization",
                message:
                    "The credential date \(authorization.date) does not match X-TC-Timestamp (\(utcDate(timestamp)))."
            )
        }
        return verifies(request, authorization, timestamp: timestamp, secretKey: credentials.secretKey)
            ? nil
            : MockTencentError(
                code: "AuthFailure.SignatureFailure",
                message:
                    "The provided credentials could not be validated. Please check your signature is correct."
            )
    }

    private static func verifies(
        _ request: MockRequest, _ authorization: MockTC3Authorization, timestamp: Int, secretKey: String
    ) -> Bool {
        let parts = request.target.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false)
        let path = parts.first.map(String.init) ?? "/"
        let query = parts.count > 1 ? String(parts[1]) : ""
        var headers: [String: String] = [:]
        for name in authorization.signedHeaders {
            headers[name] = request.headers[name].joined(separator: ",")
        }
        for uri in Set([path, "/"]) {
            for lowercaseValues in [false, true] {
                let canonical = canonicalRequest(
                    method: request.method.rawValue, path: uri, query: query, headers: headers,
                    signedHeaders: authorization.signedHeaders, payload: request.body,
                    lowercaseValues: lowercaseValues)
                let expected = signature(
                    stringToSign: stringToSign(
                        canonicalRequest: canonical, service: authorization.service, timestamp: timestamp),
                    secretKey: secretKey, service: authorization.service, timestamp: timestamp)
                if expected == authorization.signature { return true }
            }
        }
        return false
    }
}

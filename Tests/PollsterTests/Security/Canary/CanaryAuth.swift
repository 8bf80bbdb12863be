import Foundation
import PollsterCore
import PollsterMock
import Testing

/// Where an adapter puts the canary: each auth style Pollster supports.
enum CanaryAuth: String, CaseIterable, Sendable, CustomTestStringConvertible {
    case header, bearer, basic, cookie, query, tc3, volc

    var testDescription: String { rawValue }

    /// The `adapterConfig` lines that send the canary this way (indented for the method).
    var config: String {
        switch self {
        case .header: #"headers: { X-Api-Key: "${CANARY}" }"#
        case .bearer: #"auth: { type: bearer, token: "${CANARY}" }"#
        case .basic: #"auth: { type: basic, username: "${CANARY}", password: "${CANARY_2}" }"#
        case .cookie: #"headers: { Cookie: "session=${CANARY}; theme=dark" }"#
        case .query: #"query: { key: "${CANARY}" }"#
        case .tc3:
            #"auth: { type: tc3-hmac-sha256, secretId: "${CANARY}", secretKey: "${CANARY_2}", service: echo }"#
        case .volc:
            #"auth: { type: volc-hmac-sha256, secretId: "${CANARY}", secretKey: "${CANARY_2}", region: cn-north-1, service: cv }"#
        }
    }

    /// An adapter directory whose one method, `canary.run`, submits to `baseURL` (an
    /// ``EchoProviderServer``) with this auth style. Remove it when done.
    func adapterDirectory(baseURL: String) throws -> URL {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "pollster-canary-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        try """
        inventory: canary
        baseUrl: \(baseURL)
        methods:
          - name: run
            endpoint: /jobs
            adapterConfig:
              \(config)
              polling: { statusUrl: "/jobs/{id}", intervalSeconds: 0.02, maxWaitSeconds: 10, maxConsecutiveErrors: 2 }
        """.write(to: directory.appendingPathComponent("canary.yaml"), atomically: true, encoding: .utf8)
        return directory
    }
}

/// How the echoing provider ends the job: the success run and the failure runs.
enum CanaryRun: String, CaseIterable, Sendable, CustomTestStringConvertible {
    case success, providerFailure, submitError, statusError

    var testDescription: String { rawValue }

    var outcome: EchoProviderServer.Outcome {
        switch self {
        case .success: .success
        case .providerFailure: .providerFailure
        case .submitError: .submitError(status: 400)
        case .statusError: .statusError(status: 403)
        }
    }
}

/// The tool and an input for it.
let canaryTool = "canary.run"
let canaryInput: JSONValue = ["prompt": "a lighthouse"]

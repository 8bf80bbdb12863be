import Foundation
import HTTPTypes
import OpenAPIRuntime
import PollsterCore

/// An RFC 9457 problem: what every error of the HTTP API becomes (`application/problem+json`),
/// with Pollster's stable error code in `code`.
///
/// Codes are `PollsterError.Code` values, plus a few that only the HTTP API produces:
/// `UNAUTHORIZED`, `FORBIDDEN`, `NOT_FOUND`, `METHOD_NOT_ALLOWED`, `BAD_REQUEST`,
/// `IDEMPOTENCY_CONFLICT`, `PAYLOAD_TOO_LARGE`, `RANGE_NOT_SATISFIABLE` and `NOT_READY`.
public struct APIProblem: Error, Sendable, Equatable, Codable {
    /// A URI naming the problem type.
    public var type: String
    /// A short summary (the status's reason phrase).
    public var title: String
    /// The HTTP status.
    public var status: Int
    /// What happened and what to change.
    public var detail: String?
    /// The stable Pollster error code.
    public var code: String

    /// A problem with `status` and `code`.
    public init(_ status: HTTPResponse.Status, code: String, _ detail: String? = nil) {
        self.type =
            "https://pollster.dev/problems/\(code.lowercased().replacingOccurrences(of: "_", with: "-"))"
        self.title = status.reasonPhrase
        self.status = status.code
        self.detail = detail
        self.code = code
    }

    /// The problem for an engine error: its code, and the status that fits it.
    public init(_ error: PollsterError) {
        self.init(Self.status(for: error.code), code: error.code.rawValue, error.message)
    }

    /// The HTTP status of each engine error code.
    static func status(for code: PollsterError.Code) -> HTTPResponse.Status {
        switch code {
        case .toolNotFound, .taskNotFound: .notFound
        case .invalidInput: .unprocessableContent
        case .unsafeURL: .unprocessableContent
        case .conflict: .conflict
        case .transportError, .storeError, .canceled: .serviceUnavailable
        case .rateLimited: .tooManyRequests
        case .invalidConfig, .missingSecret, .internal: .internalServerError
        default: .badGateway
        }
    }

    /// 401: no key, or an unknown one.
    static func unauthorized(_ detail: String) -> APIProblem {
        APIProblem(.unauthorized, code: "UNAUTHORIZED", detail)
    }

    /// 404 for a task the caller may not see (or that does not exist: the two look the same).
    static func taskNotFound(_ id: String) -> APIProblem {
        APIProblem(.notFound, code: PollsterError.Code.taskNotFound.rawValue, "no task \(id)")
    }

    /// The JSON body.
    var body: [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return (try? encoder.encode(self)).map { Array($0) } ?? Array(#"{"code":"INTERNAL"}"#.utf8)
    }
}

extension APIProblem: HTTPResponseConvertible {
    /// The status, for OpenAPIRuntime's `ServerError`.
    public var httpStatus: HTTPResponse.Status { HTTPResponse.Status(code: status) }

    /// The problem's content type.
    public var httpHeaderFields: HTTPFields { [.contentType: "application/problem+json"] }

    /// The problem as JSON.
    public var httpBody: HTTPBody? { HTTPBody(body) }
}

import Foundation
import HTTPTypes
import Hummingbird
import Logging
import OpenAPIRuntime
import PollsterCore

/// The outermost middleware: turns every error into an RFC 9457 problem (never HTML, never a
/// stack trace). Engine errors keep their stable code; OpenAPI request-decoding errors are 400;
/// anything unexpected is a 500 with no detail (it is logged).
struct ProblemMiddleware<Context: RequestContext>: RouterMiddleware {
    let logger: Logger

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response)
        async throws -> Response
    {
        do {
            return try await next(request, context)
        } catch {
            return Self.response(for: problem(error, request: request))
        }
    }

    /// The problem an error stands for.
    func problem(_ error: any Error, request: Request) -> APIProblem {
        switch error {
        case let problem as APIProblem: return problem
        case let error as PollsterError: return APIProblem(error)
        case let error as ServerError:
            switch error.underlyingError {
            case let problem as APIProblem: return problem
            case let engine as PollsterError: return APIProblem(engine)
            default: break
            }
            if (400..<500).contains(error.httpStatus.code) {
                return APIProblem(
                    error.httpStatus, code: "BAD_REQUEST", RequestDecodingMessage.describe(error))
            }
            return internalError(error.underlyingError, request: request)
        case let error as HTTPError:
            let code =
                switch error.status.code {
                case 404: "NOT_FOUND"
                case 405: "METHOD_NOT_ALLOWED"
                case 413: "PAYLOAD_TOO_LARGE"
                case 400..<500: "BAD_REQUEST"
                default: PollsterError.Code.internal.rawValue
                }
            if error.status.code >= 500 { return internalError(error, request: request) }
            return APIProblem(error.status, code: code, error.body ?? error.status.reasonPhrase)
        default:
            return internalError(error, request: request)
        }
    }

    private func internalError(_ error: any Error, request: Request) -> APIProblem {
        logger.error("\(request.method) \(request.uri.path) failed: \(error)")
        return APIProblem(
            .internalServerError, code: PollsterError.Code.internal.rawValue, "the server failed; see its log"
        )
    }

    /// A problem as a response.
    static func response(for problem: APIProblem) -> Response {
        Response(
            status: problem.httpStatus, headers: problem.httpHeaderFields,
            body: ResponseBody(byteBuffer: ByteBuffer(bytes: problem.body)))
    }
}

/// Refuses request bodies larger than `limit` bytes (413), before any handler reads them.
struct BodyLimitMiddleware<Context: RequestContext>: RouterMiddleware {
    let limit: Int

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response)
        async throws -> Response
    {
        if let length = request.headers[.contentLength].flatMap({ Int($0) }), length > limit {
            throw APIProblem(.contentTooLarge, code: "PAYLOAD_TOO_LARGE", "the body is over \(limit) bytes")
        }
        guard request.method == .post || request.method == .put || request.method == .patch else {
            return try await next(request, context)
        }
        var request = request
        do {
            _ = try await request.collectBody(upTo: limit)
        } catch {
            throw APIProblem(.contentTooLarge, code: "PAYLOAD_TOO_LARGE", "the body is over \(limit) bytes")
        }
        return try await next(request, context)
    }
}

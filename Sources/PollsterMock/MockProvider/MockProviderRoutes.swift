import Foundation
import NIOHTTP1
import PollsterCore

/// Maps requests to provider-shaped answers. Stateless apart from ``MockProviderState``.
struct MockProviderRoutes: Sendable {
    /// Runway endpoints that submit a task.
    static let runwayEndpoints: Set<String> = [
        "image_to_video", "text_to_image", "text_to_video", "video_to_video",
    ]

    let state: MockProviderState
    /// `http://127.0.0.1:PORT`, the prefix of every URL put in an answer.
    let baseURL: String

    func respond(to request: MockRequest) -> MockResponse {
        let path = request.segments
        switch path.first {
        case "files":
            return file(request)
        case "redirect":
            return redirect(request)
        case "tencent":
            return tencent(request)
        case "jimeng":
            return jimeng(request)
        case "azure":
            return azure(request)
        case "azure-location":
            return azureLocation(request)
        case "fal-ai":
            return fal(request)
        case "v2" where path == ["v2", "video", "generate"]:
            return request.method == .POST ? heygenSubmit(request) : .methodNotAllowed(request)
        case "v1":
            return version1(request)
        default:
            return .noRoute(request)
        }
    }

    private func version1(_ request: MockRequest) -> MockResponse {
        let path = request.segments
        guard path.count >= 2 else { return .noRoute(request) }
        switch path[1] {
        case "video_status.get" where path.count == 2:
            return request.method == .GET ? heygenStatus(request) : .methodNotAllowed(request)
        case "video.list" where path.count == 2:
            return request.method == .GET ? heygenList(request) : .methodNotAllowed(request)
        case "tasks" where path.count == 3:
            return runwayTask(request, id: path[2])
        case let endpoint where path.count == 2 && Self.runwayEndpoints.contains(endpoint):
            return request.method == .POST
                ? runwaySubmit(request, endpoint: endpoint) : .methodNotAllowed(request)
        case "predictions", "models", "deployments":
            return replicate(request)
        default:
            return .noRoute(request)
        }
    }

    /// The URL of a file served by this server.
    func fileURL(_ name: String) -> String {
        "\(baseURL)/files/\(name)"
    }

    /// The URLs of a job's output files: `/files/…`, or the first `/redirect/{n}/…` hop when the
    /// script asks for redirects.
    func outputURLs(_ job: MockJob) -> [String] {
        let hops = job.script.redirectHops
        guard hops > 0 else { return job.outputFileNames.map(fileURL) }
        return job.outputFileNames.map { "\(baseURL)/redirect/\(hops)/\($0)" }
    }

    /// `value` when `condition` holds, JSON null otherwise.
    func nullUnless(_ condition: Bool, _ value: @autoclosure () -> JSONValue) -> JSONValue {
        condition ? value() : .null
    }
}

extension Date {
    /// ISO 8601 with milliseconds, as Runway and Replicate print timestamps.
    var mockTimestamp: String {
        formatted(Date.ISO8601FormatStyle(includingFractionalSeconds: true))
    }
}

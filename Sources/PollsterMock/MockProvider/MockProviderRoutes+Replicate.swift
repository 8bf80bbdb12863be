import Foundation
import NIOHTTP1
import OrderedCollections
import PollsterCore

/// Replicate: `POST /v1/predictions`, `POST /v1/models/{owner}/{name}/predictions` (and deployments),
/// `GET /v1/predictions/{id}`, `POST /v1/predictions/{id}/cancel`; auth by `Authorization: Bearer …`.
extension MockProviderRoutes {
    func replicate(_ request: MockRequest) -> MockResponse {
        if let denied = replicateAuthFailure(request) { return denied }
        let path = request.segments
        switch (path.count, path[1]) {
        case (2, "predictions"):
            return request.method == .POST ? replicateSubmit(request, model: nil) : .methodNotAllowed(request)
        case (3, "predictions"):
            return request.method == .GET ? replicatePoll(id: path[2]) : .methodNotAllowed(request)
        case (4, "predictions") where path[3] == "cancel":
            return request.method == .POST ? replicateCancel(id: path[2]) : .methodNotAllowed(request)
        case (5, "models"), (5, "deployments"):
            guard path[4] == "predictions" else { return .noRoute(request) }
            let model = "\(path[2])/\(path[3])"
            return request.method == .POST
                ? replicateSubmit(request, model: model) : .methodNotAllowed(request)
        default:
            return .noRoute(request)
        }
    }

    private func replicateSubmit(_ request: MockRequest, model: String?) -> MockResponse {
        guard request.hasAcceptableBody else { return .invalidJSONBody }
        let version = request.jsonBody?["version"]?.stringValue
        let model = model ?? version.flatMap { $0.contains(":") ? String($0.prefix { $0 != ":" }) : nil }
        let wait = request.header("Prefer")?.lowercased().hasPrefix("wait") ?? false
        let id = MockIdentifiers.make(for: .replicate)
        let result = state.submit(
            style: .replicate, id: id, model: model ?? "mock/model", requestBody: request.body,
            idempotencyKey: request.idempotencyKey,
            observeIfFinished: wait)
        switch result {
        case .fault(let fault):
            return fault.response
        case .created(let job, let phase):
            return .json(prediction(job, wait ? phase : .running(stage: 0, progress: 0)), status: .created)
        }
    }

    private func replicatePoll(id: String) -> MockResponse {
        switch state.poll(id: id, style: .replicate) {
        case .unknownJob: return replicateNotFound()
        case .fault(let fault): return fault.response
        case .found(let job, let phase): return .json(prediction(job, phase))
        }
    }

    private func replicateCancel(id: String) -> MockResponse {
        switch state.cancel(id: id, style: .replicate, observe: true) {
        case .unknownJob: return replicateNotFound()
        case .alreadyFinished(let job, let phase), .canceled(let job, let phase):
            return .json(prediction(job, phase))
        }
    }

    private func prediction(_ job: MockJob, _ phase: MockJobPhase) -> JSONValue {
        let body = job.requestJSON
        let version = body?["version"]?.stringValue
        let get = "\(baseURL)/v1/predictions/\(job.id)"
        var prediction: OrderedDictionary<String, JSONValue> = [
            "id": .string(job.id),
            "model": .string(job.model),
            "version": .string(version.map { String($0.split(separator: ":").last ?? "") } ?? "mock-version"),
            "input": body?["input"] ?? [:],
            "output": .null,
            "error": .null,
            "logs": "",
            "data_removed": false,
            "urls": [
                "get": .string(get), "cancel": "\(get)/cancel", "stream": "\(baseURL)/v1/stream/\(job.id)",
            ],
            "created_at": .string(job.createdAt.mockTimestamp),
        ]
        let status: String
        switch phase {
        case .running:
            status = phase.runningWord(["starting", "processing"])
        case .succeeded:
            status = "succeeded"
            let urls = outputURLs(job)
            switch urls.count {
            case 0: prediction["output"] = .null
            case 1: prediction["output"] = .string(urls[0])
            default: prediction["output"] = .array(urls.map(JSONValue.string))
            }
            prediction["metrics"] = ["predict_time": 1.2]
        case .failed(let message):
            status = "failed"
            prediction["error"] = .string(message)
        case .canceled:
            status = "canceled"
        case .unknown(let value):
            status = value
        }
        prediction["status"] = .string(status)
        if status != "starting" {
            prediction["started_at"] = .string(job.createdAt.mockTimestamp)
            prediction["logs"] = "Using seed: 42\n"
        }
        if phase.isTerminal { prediction["completed_at"] = .string(Date().mockTimestamp) }
        return .object(prediction)
    }

    private func replicateNotFound() -> MockResponse {
        .json(
            ["title": "Not found", "detail": "The requested resource could not be found.", "status": 404],
            status: .notFound)
    }

    private func replicateAuthFailure(_ request: MockRequest) -> MockResponse? {
        if request.header("Authorization", hasValuePrefixedBy: "Bearer ")
            || request.header("Authorization", hasValuePrefixedBy: "Token ")
        {
            return nil
        }
        return .json(
            [
                "title": "Unauthenticated", "detail": "You did not pass an authentication token",
                "status": 401,
            ],
            status: .unauthorized)
    }
}

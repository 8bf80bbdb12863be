import NIOHTTP1
import OrderedCollections
import PollsterCore

/// Runway: `POST /v1/{image_to_video|text_to_image|…}`, `GET`/`DELETE /v1/tasks/{id}`;
/// auth by `Authorization: Bearer …` plus `X-Runway-Version: 2024-11-06`.
extension MockProviderRoutes {
    /// The API version Runway requires in `X-Runway-Version`.
    static let runwayVersion = "2024-11-06"

    func runwaySubmit(_ request: MockRequest, endpoint: String) -> MockResponse {
        if let denied = runwayAuthFailure(request) { return denied }
        guard request.hasAcceptableBody else { return .invalidJSONBody }
        let id = MockIdentifiers.make(for: .runway)
        switch state.submit(
            style: .runway, id: id, model: endpoint, requestBody: request.body,
            idempotencyKey: request.idempotencyKey)
        {
        case .fault(let fault): return fault.response
        case .created(let job, _): return .json(["id": .string(job.id)])
        }
    }

    func runwayTask(_ request: MockRequest, id: String) -> MockResponse {
        if let denied = runwayAuthFailure(request) { return denied }
        switch request.method {
        case .GET:
            switch state.poll(id: id, style: .runway) {
            case .unknownJob: return runwayNotFound()
            case .fault(let fault): return fault.response
            case .found(let job, let phase): return .json(runwayTask(job, phase))
            }
        case .DELETE:
            switch state.cancel(id: id, style: .runway, observe: false) {
            case .unknownJob: return runwayNotFound()
            case .alreadyFinished, .canceled: return .empty(status: .noContent)
            }
        default:
            return .methodNotAllowed(request)
        }
    }

    private func runwayTask(_ job: MockJob, _ phase: MockJobPhase) -> JSONValue {
        var task: OrderedDictionary<String, JSONValue> = [
            "id": .string(job.id), "createdAt": .string(job.createdAt.mockTimestamp),
        ]
        switch phase {
        case .running(_, let progress):
            let word = phase.runningWord(["PENDING", "RUNNING"])
            task["status"] = .string(word)
            if word == "RUNNING" { task["progress"] = .double((min(progress, 0.99) * 100).rounded() / 100) }
        case .succeeded:
            task["status"] = "SUCCEEDED"
            task["output"] = .array(outputURLs(job).map(JSONValue.string))
        case .failed(let message):
            task["status"] = "FAILED"
            task["failure"] = .string(message)
            task["failureCode"] = "INTERNAL.BAD_OUTPUT.CODE01"
        case .canceled:
            task["status"] = "CANCELLED"
        case .unknown(let value):
            task["status"] = .string(value)
        }
        return .object(task)
    }

    private func runwayNotFound() -> MockResponse {
        .json(["error": "Task not found."], status: .notFound)
    }

    private func runwayAuthFailure(_ request: MockRequest) -> MockResponse? {
        guard request.header("Authorization", hasValuePrefixedBy: "Bearer ") else {
            return .json(
                ["error": "Missing or invalid Authorization header: send 'Authorization: Bearer <key>'."],
                status: .unauthorized)
        }
        guard request.header("X-Runway-Version") == Self.runwayVersion else {
            return .json(
                [
                    "error":
                        "Missing or invalid X-Runway-Version header: it must be set to \(Self.runwayVersion)."
                ],
                status: .badRequest)
        }
        return nil
    }
}

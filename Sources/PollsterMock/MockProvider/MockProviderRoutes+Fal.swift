import NIOHTTP1
import OrderedCollections
import PollsterCore

/// fal.ai queue: `POST /fal-ai/{app}[/{subpath}]`, then `…/fal-ai/{app}/requests/{id}[/status|/cancel]`.
///
/// As on fal, the request URLs use the app id (`fal-ai/{app}`) without the submit subpath.
extension MockProviderRoutes {
    func fal(_ request: MockRequest) -> MockResponse {
        if let denied = falAuthFailure(request) { return denied }
        let path = request.segments
        guard path.count >= 2 else { return .noRoute(request) }
        guard let requestsIndex = path.firstIndex(of: "requests"), requestsIndex >= 2,
            requestsIndex + 1 < path.count
        else {
            return request.method == .POST ? falSubmit(request) : .methodNotAllowed(request)
        }
        let id = path[requestsIndex + 1]
        switch (Array(path[(requestsIndex + 2)...]), request.method) {
        case ([], .GET): return falResult(id: id)
        case (["status"], .GET): return falStatus(id: id)
        case (["cancel"], .PUT): return falCancel(id: id)
        case ([], _), (["status"], _), (["cancel"], _): return .methodNotAllowed(request)
        default: return .noRoute(request)
        }
    }

    private func falSubmit(_ request: MockRequest) -> MockResponse {
        guard request.hasAcceptableBody else { return .invalidJSONBody }
        let model = request.segments.joined(separator: "/")
        let id = MockIdentifiers.make(for: .fal)
        switch state.submit(
            style: .fal, id: id, model: model, requestBody: request.body,
            idempotencyKey: request.idempotencyKey)
        {
        case .fault(let fault):
            return fault.response
        case .created(let job, _):
            let urls = falURLs(job)
            return .json([
                "request_id": .string(job.id), "response_url": .string(urls.response),
                "status_url": .string(urls.status), "cancel_url": .string(urls.cancel), "queue_position": 0,
            ])
        }
    }

    private func falStatus(id: String) -> MockResponse {
        switch state.poll(id: id, style: .fal) {
        case .unknownJob: return falNotFound(id)
        case .fault(let fault): return fault.response
        case .found(let job, let phase):
            var body: OrderedDictionary<String, JSONValue> = [
                "request_id": .string(job.id), "response_url": .string(falURLs(job).response),
            ]
            switch phase {
            case .running:
                let word = phase.runningWord(["IN_QUEUE", "IN_PROGRESS"])
                body["status"] = .string(word)
                if word == "IN_QUEUE" { body["queue_position"] = 0 } else { body["logs"] = [] }
            case .succeeded:
                body["status"] = "COMPLETED"
                body["logs"] = []
                body["metrics"] = ["inference_time": 1.25]
            case .failed(let message):
                body["status"] = "COMPLETED"
                body["logs"] = []
                body["error"] = .string(message)
                body["error_type"] = "runner_error"
            case .canceled:
                // fal reports a canceled request as completed with an error saying so.
                body["status"] = "COMPLETED"
                body["logs"] = []
                body["error"] = "Request was cancelled"
            case .unknown(let value): body["status"] = .string(value)
            }
            return .json(.object(body))
        }
    }

    private func falResult(id: String) -> MockResponse {
        switch state.fetchResult(id: id, style: .fal) {
        case .unknownJob: return falNotFound(id)
        case .fault(let fault): return fault.response
        case .found(let job, let phase):
            switch phase {
            case .succeeded:
                return .json(falOutput(job))
            case .failed(let message):
                return .json(
                    ["detail": [["loc": ["body"], "msg": .string(message), "type": "value_error"]]],
                    status: .unprocessableEntity)
            case .canceled:
                return .json(["detail": "Request was cancelled"], status: .badRequest)
            case .running, .unknown:
                return .json(["detail": "Request is still in progress"], status: .badRequest)
            }
        }
    }

    private func falCancel(id: String) -> MockResponse {
        switch state.cancel(id: id, style: .fal, observe: false) {
        case .unknownJob: return .json(["status": "NOT_FOUND"], status: .notFound)
        case .alreadyFinished: return .json(["status": "ALREADY_COMPLETED"], status: .badRequest)
        case .canceled: return .json(["status": "CANCELLATION_REQUESTED"], status: .accepted)
        }
    }

    private func falOutput(_ job: MockJob) -> JSONValue {
        let output = job.script.output
        let mimeType = JSONValue.string(output.kind.mimeType)
        let urls = outputURLs(job)
        if output.kind.isImage {
            let images: [JSONValue] = urls.map { url in
                ["url": .string(url), "width": 1024, "height": 768, "content_type": mimeType]
            }
            return [
                "images": .array(images), "seed": 42, "has_nsfw_concepts": .array(images.map { _ in false }),
            ]
        }
        let files: [JSONValue] = zip(urls, job.outputFileNames).map { url, name in
            [
                "url": .string(url), "content_type": mimeType, "file_name": .string(name),
                "file_size": .integer(Int64(output.size)),
            ]
        }
        let key = output.kind == .mp4 ? "video" : output.kind.isAudio ? "audio" : "file"
        if files.count == 1 { return [key: files[0]] }
        return ["\(key)s": .array(files)]
    }

    private func falURLs(_ job: MockJob) -> (response: String, status: String, cancel: String) {
        let app = job.model.split(separator: "/").prefix(2).joined(separator: "/")
        let response = "\(baseURL)/\(app)/requests/\(job.id)"
        return (response, "\(response)/status", "\(response)/cancel")
    }

    private func falNotFound(_ id: String) -> MockResponse {
        .json(["detail": "Request \(id) not found"], status: .notFound)
    }

    private func falAuthFailure(_ request: MockRequest) -> MockResponse? {
        if request.header("Authorization", hasValuePrefixedBy: "Key ") { return nil }
        return .json(
            ["detail": "Authentication is required: send 'Authorization: Key <FAL_KEY>'."],
            status: .unauthorized)
    }
}

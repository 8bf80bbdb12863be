import Foundation
import NIOHTTP1
import PollsterCore

/// HeyGen: `POST /v2/video/generate`, `GET /v1/video_status.get?video_id=ID`,
/// `GET /v1/video.list` (newest first: `video_id`, `video_title`, `status`, `created_at`,
/// `type`), auth by `X-Api-Key`.
extension MockProviderRoutes {
    private static let heygenRunningWords = ["pending", "waiting", "processing"]

    func heygenSubmit(_ request: MockRequest) -> MockResponse {
        if let denied = heygenAuthFailure(request) { return denied }
        guard request.hasAcceptableBody else { return .invalidJSONBody }
        let id = MockIdentifiers.make(for: .heygen)
        switch state.submit(
            style: .heygen, id: id, model: "v2/video/generate", requestBody: request.body,
            idempotencyKey: request.idempotencyKey)
        {
        case .fault(let fault):
            return fault.response
        case .created(let job, _):
            return .json(["error": .null, "data": ["video_id": .string(job.id)]])
        }
    }

    func heygenStatus(_ request: MockRequest) -> MockResponse {
        if let denied = heygenAuthFailure(request) { return denied }
        let id = request.query["video_id"] ?? ""
        switch state.poll(id: id, style: .heygen) {
        case .unknownJob:
            return .json(
                [
                    "code": 404, "message": "Video not found", "data": .null,
                    "error": ["code": "video_not_found", "message": "Video \(id) not found"],
                ],
                status: .notFound)
        case .fault(let fault):
            return fault.response
        case .found(let job, let phase):
            return .json(["code": 100, "message": "Success", "data": heygenStatusData(job, phase)])
        }
    }

    func heygenList(_ request: MockRequest) -> MockResponse {
        if let denied = heygenAuthFailure(request) { return denied }
        let videos: [JSONValue] = state.jobs(style: .heygen).map { job, phase in
            let status: String =
                switch phase {
                case .running: "processing"
                case .succeeded: "completed"
                case .failed: "failed"
                case .canceled: "canceled"
                case .unknown(let value): value
                }
            return [
                "video_id": .string(job.id),
                "video_title": .string(job.requestJSON?["title"]?.stringValue ?? ""),
                "status": .string(status), "created_at": .integer(Int64(job.createdAt.timeIntervalSince1970)),
                "type": "GENERATED",
            ]
        }
        return .json(["code": 100, "message": "Success", "data": ["token": .null, "videos": .array(videos)]])
    }

    private func heygenStatusData(_ job: MockJob, _ phase: MockJobPhase) -> JSONValue {
        let status: String
        var error = JSONValue.null
        switch phase {
        case .running: status = phase.runningWord(Self.heygenRunningWords)
        case .succeeded: status = "completed"
        case .failed(let message):
            status = "failed"
            error = ["code": "render_failed", "message": .string(message), "detail": .string(message)]
        case .canceled: status = "canceled"
        case .unknown(let value): status = value
        }
        let succeeded = phase == .succeeded
        let video = outputURLs(job).first
        return [
            "id": .string(job.id),
            "status": .string(status),
            "video_url": nullUnless(succeeded && video != nil, .string(video ?? "")),
            "thumbnail_url": nullUnless(succeeded, .string(fileURL(job.thumbnailFileName))),
            "gif_url": .null,
            "caption_url": .null,
            "duration": nullUnless(succeeded, 12.3),
            "error": error,
            "created_at": .integer(Int64(job.createdAt.timeIntervalSince1970)),
        ]
    }

    private func heygenAuthFailure(_ request: MockRequest) -> MockResponse? {
        let key = request.header("X-Api-Key")?.trimmingCharacters(in: .whitespaces) ?? ""
        guard key.isEmpty else { return nil }
        return .json(
            [
                "data": .null,
                "error": ["code": "invalid_api_key", "message": "Missing or invalid X-Api-Key header."],
            ],
            status: .unauthorized)
    }
}

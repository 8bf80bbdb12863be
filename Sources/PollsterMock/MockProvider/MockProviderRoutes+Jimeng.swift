import Foundation
import NIOHTTP1
import OrderedCollections
import PollsterCore

/// A self-hosted Jimeng (即梦) gateway, auth by `Authorization: Bearer …`:
/// `POST /jimeng/v1/videos/generations` (or `images/generations`) answers
/// `{"ret": "0", "errmsg": "success", "created", "data": {"history_record_id": "<13 digits>"}}`;
/// `POST /jimeng/v1/get_history_by_ids {"history_ids": [id, …]}` answers
/// `{"ret": "0", "errmsg": "success", "data": {"<id>": {"status", "fail_code", "fail_msg", "item_list", …}}}`,
/// keyed by the id itself; ids the gateway does not know are left out (`{"data": {}}`).
///
/// `status` is a number: 20, 42, 45 running; 50 done; 30 failed (`fail_code` "2038", `fail_msg` the
/// script's message) or canceled (`fail_code` "canceled"). An ``MockOutcome/unknownStatus(_:)`` value is
/// sent as a number when it is one.
extension MockProviderRoutes {
    private static let jimengRunningStatuses = ["20", "42", "45"]

    func jimeng(_ request: MockRequest) -> MockResponse {
        let path = Array(request.segments.dropFirst())
        let isSubmit = path == ["v1", "videos", "generations"] || path == ["v1", "images", "generations"]
        guard isSubmit || path == ["v1", "get_history_by_ids"] else { return .noRoute(request) }
        guard request.method == .POST else { return .methodNotAllowed(request) }
        guard request.header("Authorization", hasValuePrefixedBy: "Bearer ") else {
            return .json(
                [
                    "ret": "-2000", "data": .null,
                    "errmsg":
                        "Missing or invalid Authorization header: send 'Authorization: Bearer <sessionid>'.",
                ],
                status: .unauthorized)
        }
        return isSubmit ? jimengSubmit(request, kind: path[1]) : jimengHistory(request)
    }

    /// A submit to `videos/generations` or `images/generations` (`kind`), which decides the item shape.
    private func jimengSubmit(_ request: MockRequest, kind: String) -> MockResponse {
        guard request.hasAcceptableBody else { return .invalidJSONBody }
        let id = MockIdentifiers.make(for: .jimeng)
        switch state.submit(
            style: .jimeng, id: id, model: kind, requestBody: request.body,
            idempotencyKey: request.idempotencyKey)
        {
        case .fault(let fault):
            return fault.response
        case .created(let job, _):
            return .json([
                "ret": "0", "errmsg": "success",
                "created": .integer(Int64(job.createdAt.timeIntervalSince1970)),
                "data": ["history_record_id": .string(job.id)],
            ])
        }
    }

    private func jimengHistory(_ request: MockRequest) -> MockResponse {
        guard let ids = request.jsonBody?["history_ids"]?.arrayValue else {
            return .json(
                ["ret": "1000", "errmsg": "history_ids must be an array of ids", "data": .null],
                status: .badRequest)
        }
        var data = OrderedDictionary<String, JSONValue>()
        for id in ids.map({ $0.scalarText ?? $0.description }) {
            switch state.poll(id: id, style: .jimeng) {
            case .unknownJob: continue
            case .fault(let fault): return fault.response
            case .found(let job, let phase): data[id] = jimengRecord(job, phase)
            }
        }
        return .json(["ret": "0", "errmsg": "success", "data": .object(data)])
    }

    private func jimengRecord(_ job: MockJob, _ phase: MockJobPhase) -> JSONValue {
        var record: OrderedDictionary<String, JSONValue> = [
            "history_record_id": .string(job.id), "fail_code": "", "fail_msg": "", "item_list": [],
            "created_time": .integer(Int64(job.createdAt.timeIntervalSince1970)),
        ]
        let status: String
        switch phase {
        case .running:
            status = phase.runningWord(Self.jimengRunningStatuses)
        case .succeeded:
            status = "50"
            record["item_list"] = .array(outputURLs(job).map(jimengItem(job)))
        case .failed(let message):
            status = "30"
            record["fail_code"] = "2038"
            record["fail_msg"] = .string(message)
        case .canceled:
            status = "30"
            record["fail_code"] = "canceled"
            record["fail_msg"] = "The task was canceled."
        case .unknown(let value):
            status = value
        }
        record["status"] = Int64(status).map(JSONValue.integer) ?? .string(status)
        return .object(record)
    }

    /// One `item_list` entry: a video under `video.transcoded_video.origin.video_url` (`videos/generations`,
    /// whatever the file kind), an image under `image.large_images[0].image_url` (`images/generations`);
    /// the cover (not an output) under `common_attr.cover_url`.
    private func jimengItem(_ job: MockJob) -> (String) -> JSONValue {
        let cover: JSONValue = ["cover_url": .string(fileURL(job.thumbnailFileName))]
        let isImage = job.model == "images"
        return { url in
            isImage
                ? [
                    "image": ["large_images": [["image_url": .string(url), "width": 1024, "height": 768]]],
                    "common_attr": cover,
                ]
                : [
                    "video": [
                        "transcoded_video": [
                            "origin": ["video_url": .string(url), "width": 1280, "height": 720]
                        ]
                    ],
                    "common_attr": cover,
                ]
        }
    }
}

import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import PollsterMock
import Testing

@Suite("Mock provider server")
struct MockProviderServerTests {
    // MARK: HeyGen

    @Test func heygenRunsThroughItsStatusesAndServesVideoAndThumbnail() async throws {
        let script = MockJobScript(polls: 4, output: MockOutput(kind: .mp4, size: 10_000))
        try await withMockServer(script) { mock in
            let submit = try await mock.send(
                .POST, "/v2/video/generate", headers: heygenAuth, json: #"{"video_inputs": []}"#)
            #expect(submit.status == 200)
            let id = try #require(try submit.json()["data"].object["video_id"] as? String)
            #expect(id.count == 32 && id.allSatisfy(\.isHexDigit))

            var statuses: [String] = []
            var data: [String: Any] = [:]
            for _ in 1...5 {
                let poll = try await mock.send(
                    .GET, "/v1/video_status.get?video_id=\(id)", headers: heygenAuth)
                #expect(poll.status == 200)
                data = try poll.json()["data"].object
                statuses.append(try #require(data["status"] as? String))
            }
            #expect(statuses == ["pending", "waiting", "processing", "completed", "completed"])
            let videoURL = try #require(data["video_url"] as? String)
            let thumbnailURL = try #require(data["thumbnail_url"] as? String)
            #expect(videoURL.hasPrefix(mock.server.baseURL + "/files/"))
            #expect(thumbnailURL != videoURL)
            #expect(data["duration"] as? Double == 12.3)
            #expect(data["error"] is NSNull)

            let video = try await mock.get(url: videoURL)
            #expect(video.status == 200)
            #expect(video.headers.first(name: "content-type") == "video/mp4")
            #expect(video.headers.first(name: "content-length") == "10000")
            #expect(video.body == MockFiles.bytes(kind: .mp4, size: 10_000))
            #expect(hasMagicBytes(video.body, of: .mp4))
            let thumbnail = try await mock.get(url: thumbnailURL)
            #expect(thumbnail.headers.first(name: "content-type") == "image/jpeg")
            #expect(hasMagicBytes(thumbnail.body, of: .jpeg))

            let stats = mock.server.stats
            #expect(stats.submissions == 1 && stats.polls == 5 && stats.downloads == 2)
            #expect(stats.pollsByJob == [id: 5])
        }
    }

    @Test func heygenRejectsAMissingKeyAndUnknownVideos() async throws {
        try await withMockServer { mock in
            let denied = try await mock.send(.POST, "/v2/video/generate", json: "{}")
            #expect(denied.status == 401)
            #expect(try denied.json()["error"].object["code"] as? String == "invalid_api_key")
            let unknown = try await mock.send(.GET, "/v1/video_status.get?video_id=nope", headers: heygenAuth)
            #expect(unknown.status == 404)
            #expect(mock.server.stats.submissions == 0)
        }
    }

    // MARK: fal.ai

    @Test func falServesImagesThroughTheQueue() async throws {
        let script = MockJobScript(polls: 3, output: MockOutput(kind: .png, size: 2000, count: 2))
        try await withMockServer(script) { mock in
            let submit = try await mock.send(
                .POST, "/fal-ai/fast-sdxl", headers: falAuth, json: #"{"prompt": "a cat"}"#)
            let queued = try submit.json()
            let id = try #require(queued["request_id"] as? String)
            #expect(UUID(uuidString: id) != nil)
            let responseURL = "\(mock.server.baseURL)/fal-ai/fast-sdxl/requests/\(id)"
            #expect(queued["response_url"] as? String == responseURL)
            #expect(queued["status_url"] as? String == responseURL + "/status")
            #expect(queued["cancel_url"] as? String == responseURL + "/cancel")

            var statuses: [String] = []
            for _ in 1...3 {
                let poll = try await mock.get(url: responseURL + "/status", headers: falAuth)
                statuses.append(try #require(try poll.json()["status"] as? String))
            }
            #expect(statuses == ["IN_QUEUE", "IN_PROGRESS", "COMPLETED"])

            let result = try await mock.get(url: responseURL, headers: falAuth)
            let images = try #require(try result.json()["images"] as? [[String: Any]])
            #expect(images.count == 2)
            #expect(images.first?["width"] as? Int == 1024)
            #expect(images.first?["content_type"] as? String == "image/png")
            let image = try await mock.get(url: try #require(images.last?["url"] as? String))
            #expect(image.headers.first(name: "content-type") == "image/png")
            #expect(hasMagicBytes(image.body, of: .png) && image.body.count == 2000)
            #expect(mock.server.stats.resultFetches == 1)
        }
    }

    @Test func falSubpathModelsUseTheAppURLsAndReturnAVideo() async throws {
        try await withMockServer(MockJobScript(polls: 0)) { mock in
            let submit = try await mock.send(
                .POST, "/fal-ai/kling-video/v1/text-to-video", headers: falAuth, json: #"{"prompt": "waves"}"#
            )
            let queued = try submit.json()
            let id = try #require(queued["request_id"] as? String)
            let statusURL = try #require(queued["status_url"] as? String)
            #expect(statusURL == "\(mock.server.baseURL)/fal-ai/kling-video/requests/\(id)/status")
            let status = try await mock.get(url: statusURL, headers: falAuth).json()
            #expect(status["status"] as? String == "COMPLETED")
            let result = try await mock.get(
                url: try #require(status["response_url"] as? String), headers: falAuth)
            let video = try result.json()["video"].object
            #expect(video["content_type"] as? String == "video/mp4")
            #expect(video["file_size"] as? Int == 4096)
            let file = try await mock.get(url: try #require(video["url"] as? String))
            #expect(hasMagicBytes(file.body, of: .mp4))
        }
    }

    @Test func falReportsFailuresInTheStatusAndTheResult() async throws {
        let script = MockJobScript(polls: 1, outcome: .failure(message: "NSFW content"))
        try await withMockServer(script) { mock in
            let queued = try await mock.send(.POST, "/fal-ai/fast-sdxl", headers: falAuth, json: "{}").json()
            let status = try await mock.get(
                url: try #require(queued["status_url"] as? String), headers: falAuth)
            let body = try status.json()
            #expect(body["status"] as? String == "COMPLETED")
            #expect(body["error"] as? String == "NSFW content")
            #expect(body["error_type"] is String)
            let result = try await mock.get(
                url: try #require(queued["response_url"] as? String), headers: falAuth)
            #expect(result.status == 422)
            #expect(try result.json()["detail"] is [Any])
        }
    }

    @Test func falCancelsAndRequiresAKey() async throws {
        try await withMockServer(MockJobScript(polls: 5)) { mock in
            let denied = try await mock.send(.POST, "/fal-ai/fast-sdxl", json: "{}")
            #expect(denied.status == 401)
            let queued = try await mock.send(.POST, "/fal-ai/fast-sdxl", headers: falAuth, json: "{}").json()
            let cancelURL = try #require(queued["cancel_url"] as? String)
            let cancel = try await mock.send(.PUT, url: cancelURL, headers: falAuth)
            #expect(cancel.status == 202)
            #expect(try cancel.json()["status"] as? String == "CANCELLATION_REQUESTED")
            let status = try await mock.get(
                url: try #require(queued["status_url"] as? String), headers: falAuth)
            let canceled = try status.json()
            #expect(canceled["status"] as? String == "COMPLETED")
            #expect(canceled["error"] as? String == "Request was cancelled")
            let again = try await mock.send(.PUT, url: cancelURL, headers: falAuth)
            #expect(again.status == 400)
        }
    }

    // MARK: Runway

    @Test func runwayReportsProgressAndOutputs() async throws {
        try await withMockServer(MockJobScript(polls: 3, output: MockOutput(kind: .mp4, count: 2))) { mock in
            let submit = try await mock.send(
                .POST, "/v1/image_to_video", headers: runwayAuth, json: #"{"promptImage": "x"}"#)
            #expect(submit.status == 200)
            let id = try #require(try submit.json()["id"] as? String)
            #expect(UUID(uuidString: id) != nil)
            var tasks: [[String: Any]] = []
            for _ in 1...3 {
                tasks.append(try await mock.send(.GET, "/v1/tasks/\(id)", headers: runwayAuth).json())
            }
            #expect(tasks.map { $0["status"] as? String } == ["PENDING", "RUNNING", "SUCCEEDED"])
            #expect(tasks[1]["progress"] as? Double == 0.67)
            #expect(tasks[0]["createdAt"] is String)
            let output = try #require(tasks[2]["output"] as? [String])
            #expect(output.count == 2)
            let file = try await mock.get(url: output[0])
            #expect(hasMagicBytes(file.body, of: .mp4))
        }
    }

    @Test func runwayChecksTheKeyAndTheVersionHeader() async throws {
        try await withMockServer { mock in
            let noVersion = try await mock.send(
                .POST, "/v1/text_to_image", headers: [("Authorization", "Bearer key")], json: "{}")
            #expect(noVersion.status == 400)
            #expect(try #require(try noVersion.json()["error"] as? String).contains("X-Runway-Version"))
            let wrongVersion = try await mock.send(
                .POST, "/v1/text_to_image",
                headers: [("Authorization", "Bearer key"), ("X-Runway-Version", "2023-01-01")], json: "{}")
            #expect(wrongVersion.status == 400)
            let noKey = try await mock.send(
                .POST, "/v1/text_to_image", headers: [("X-Runway-Version", "2024-11-06")], json: "{}")
            #expect(noKey.status == 401)
            #expect(mock.server.stats.submissions == 0)
        }
    }

    @Test func runwayFailsAndCancels() async throws {
        try await withMockServer(MockJobScript(polls: 4)) { mock in
            mock.server.enqueue(MockJobScript(polls: 1, outcome: .failure(message: "bad prompt")))
            let failing = try await mock.send(.POST, "/v1/text_to_image", headers: runwayAuth, json: "{}")
                .json()
            let failed = try await mock.send(
                .GET, "/v1/tasks/\(try #require(failing["id"] as? String))", headers: runwayAuth
            ).json()
            #expect(failed["status"] as? String == "FAILED")
            #expect(failed["failure"] as? String == "bad prompt")
            #expect(failed["failureCode"] is String)

            let running = try await mock.send(.POST, "/v1/text_to_image", headers: runwayAuth, json: "{}")
                .json()
            let id = try #require(running["id"] as? String)
            let delete = try await mock.send(.DELETE, "/v1/tasks/\(id)", headers: runwayAuth)
            #expect(delete.status == 204)
            let task = try await mock.send(.GET, "/v1/tasks/\(id)", headers: runwayAuth).json()
            #expect(task["status"] as? String == "CANCELLED")
            #expect(try await mock.send(.GET, "/v1/tasks/unknown", headers: runwayAuth).status == 404)
        }
    }

    // MARK: Replicate

    @Test func replicateRunsAModelPrediction() async throws {
        try await withMockServer(MockJobScript(polls: 2, output: MockOutput(kind: .webp, count: 2))) { mock in
            let submit = try await mock.send(
                .POST, "/v1/models/black-forest-labs/flux-schnell/predictions", headers: replicateAuth,
                json: #"{"input": {"prompt": "a fox"}}"#)
            #expect(submit.status == 201)
            let created = try submit.json()
            #expect(created["status"] as? String == "starting")
            #expect(created["model"] as? String == "black-forest-labs/flux-schnell")
            #expect(created["input"].object["prompt"] as? String == "a fox")
            #expect(created["output"] is NSNull)
            let getURL = try #require(created["urls"].object["get"] as? String)
            #expect(
                getURL == "\(mock.server.baseURL)/v1/predictions/\(try #require(created["id"] as? String))")

            let first = try await mock.get(url: getURL, headers: replicateAuth).json()
            #expect(first["status"] as? String == "starting")
            let done = try await mock.get(url: getURL, headers: replicateAuth).json()
            #expect(done["status"] as? String == "succeeded")
            #expect(done["metrics"].object["predict_time"] as? Double == 1.2)
            let output = try #require(done["output"] as? [String])
            #expect(output.count == 2)
            let file = try await mock.get(url: output[1])
            #expect(hasMagicBytes(file.body, of: .webp))
        }
    }

    @Test func replicateAnswersPreferWaitWithTheFinishedPrediction() async throws {
        try await withMockServer(MockJobScript(polls: 0)) { mock in
            let submit = try await mock.send(
                .POST, "/v1/predictions", headers: replicateAuth + [("Prefer", "wait=60")],
                json: #"{"version": "owner/model:5c7d5dc6", "input": {}}"#)
            #expect(submit.status == 201)
            let prediction = try submit.json()
            #expect(prediction["status"] as? String == "succeeded")
            #expect(prediction["model"] as? String == "owner/model")
            #expect(prediction["version"] as? String == "5c7d5dc6")
            let url = try #require(prediction["output"] as? String)
            #expect(hasMagicBytes(try await mock.get(url: url).body, of: .mp4))
            #expect(mock.server.stats.polls == 0)
        }
    }

    @Test func replicateCancelsAndRequiresAToken() async throws {
        try await withMockServer(MockJobScript(polls: 3)) { mock in
            #expect(try await mock.send(.POST, "/v1/predictions", json: "{}").status == 401)
            let created = try await mock.send(.POST, "/v1/predictions", headers: replicateAuth, json: "{}")
                .json()
            let cancelURL = try #require(created["urls"].object["cancel"] as? String)
            let canceled = try await mock.send(.POST, url: cancelURL, headers: replicateAuth)
            #expect(canceled.status == 200)
            #expect(try canceled.json()["status"] as? String == "canceled")
            #expect(mock.server.stats.maxConcurrentJobs == 1)
        }
    }

    // MARK: Faults

    @Test(arguments: [
        MockFault.rateLimited(retryAfterSeconds: 7), .serverError(status: 503), .htmlErrorPage(status: 502),
        .truncatedJSON, .connectionReset, .notFound, .unavailable(retryAfterSeconds: 3),
        .failedStatus(status: 500),
        .rateLimitEnvelope,
    ])
    func pollFaultsAreServedAndDoNotAdvanceTheJob(fault: MockFault) async throws {
        try await withMockServer(MockJobScript(polls: 1, faults: [1: fault])) { mock in
            let created = try await mock.send(.POST, "/v1/predictions", headers: replicateAuth, json: "{}")
                .json()
            let id = try #require(created["id"] as? String)
            let path = "/v1/predictions/\(id)"
            switch fault {
            case .rateLimited:
                let reply = try await mock.send(.GET, path, headers: replicateAuth)
                #expect(reply.status == 429)
                #expect(reply.headers.first(name: "retry-after") == "7")
                #expect(try reply.json()["error"] != nil)
            case .serverError:
                let reply = try await mock.send(.GET, path, headers: replicateAuth)
                #expect(reply.status == 503)
                #expect(try reply.json()["error"] != nil)
            case .htmlErrorPage:
                let reply = try await mock.send(.GET, path, headers: replicateAuth)
                #expect(reply.status == 502)
                #expect(reply.headers.first(name: "content-type") == "text/html")
                #expect(
                    String(decoding: reply.body, as: UTF8.self).contains("<title>502 Bad Gateway</title>"))
            case .truncatedJSON:
                let reply = try await mock.send(.GET, path, headers: replicateAuth)
                #expect(reply.status == 200)
                #expect(reply.headers.first(name: "content-type") == "application/json")
                #expect(reply.headers.first(name: "content-length") == String(reply.body.count))
                #expect(throws: (any Error).self) { try reply.json() }
            case .connectionReset:
                await #expect(throws: (any Error).self) {
                    try await mock.send(.GET, path, headers: replicateAuth)
                }
            case .notFound:
                #expect(try await mock.send(.GET, path, headers: replicateAuth).status == 404)
            case .unavailable:
                let reply = try await mock.send(.GET, path, headers: replicateAuth)
                #expect(reply.status == 503)
                #expect(reply.headers.first(name: "retry-after") == "3")
            case .failedStatus:
                let reply = try await mock.send(.GET, path, headers: replicateAuth)
                #expect(reply.status == 500)
                #expect(try reply.json()["status"] as? String == "Failed")
            case .rateLimitEnvelope:
                let reply = try await mock.send(.GET, path, headers: replicateAuth)
                #expect(reply.status == 200)
                let error = try #require(
                    (try reply.json()["Response"] as? [String: Any])?["Error"] as? [String: Any])
                #expect(error["Code"] as? String == "RequestLimitExceeded")
            case .noAnswer, .cutBody, .shortContentLength, .trickle:
                Issue.record("\(fault) is not served for polls in this test")
            }
            let next = try await mock.send(.GET, path, headers: replicateAuth).json()
            #expect(next["status"] as? String == "succeeded")
            #expect(mock.server.stats.polls == 2)
            #expect(mock.server.stats.pollsByJob[id] == 2)
        }
    }

    @Test func submitFaultCreatesNoJobAndUsesUpItsScript() async throws {
        try await withMockServer { mock in
            mock.server.enqueue(MockJobScript(submitFault: .rateLimited(retryAfterSeconds: 3)))
            let limited = try await mock.send(.POST, "/v2/video/generate", headers: heygenAuth, json: "{}")
            #expect(limited.status == 429)
            #expect(limited.headers.first(name: "retry-after") == "3")
            #expect(mock.server.stats.maxConcurrentJobs == 0)
            let accepted = try await mock.send(.POST, "/v2/video/generate", headers: heygenAuth, json: "{}")
            #expect(accepted.status == 200)
            #expect(mock.server.stats.submissions == 2)
            #expect(mock.server.stats.maxConcurrentJobs == 1)
        }
    }

    @Test func resultAndFileFaultsAreServed() async throws {
        try await withMockServer(MockJobScript(polls: 0)) { mock in
            mock.server.enqueue(MockJobScript(polls: 0, resultFault: .serverError(status: 500)))
            let first = try await mock.send(.POST, "/fal-ai/fast-sdxl", headers: falAuth, json: "{}").json()
            let result = try await mock.get(
                url: try #require(first["response_url"] as? String), headers: falAuth)
            #expect(result.status == 500)

            mock.server.enqueue(MockJobScript(polls: 0, fileFault: .connectionReset))
            let second = try await mock.send(
                .POST, "/v1/predictions", headers: replicateAuth + [("Prefer", "wait")], json: "{}")
            let url = try #require(try second.json()["output"] as? String)
            await #expect(throws: (any Error).self) { try await mock.get(url: url) }

            mock.server.enqueue(MockJobScript(polls: 0, fileFault: .htmlErrorPage(status: 502)))
            let third = try await mock.send(
                .POST, "/v1/predictions", headers: replicateAuth + [("Prefer", "wait")], json: "{}")
            let page = try await mock.get(url: try #require(try third.json()["output"] as? String))
            #expect(page.status == 502)
            #expect(mock.server.stats.downloads == 2)
            #expect(mock.server.stats.resultFetches == 1)
        }
    }

    // MARK: Counters

    @Test func countersTrackSubmissionsPollsAndPeakConcurrency() async throws {
        try await withMockServer(MockJobScript(polls: 1)) { mock in
            let heygen = try await mock.send(
                .POST, "/v2/video/generate", headers: heygenAuth, json: #"{"a": 1}"#)
            let fal = try await mock.send(.POST, "/fal-ai/fast-sdxl", headers: falAuth, json: "{}").json()
            let runway = try await mock.send(.POST, "/v1/text_to_image", headers: runwayAuth, json: "{}")
                .json()
            #expect(mock.server.stats.maxConcurrentJobs == 3)

            let videoId = try #require(try heygen.json()["data"].object["video_id"] as? String)
            _ = try await mock.send(.GET, "/v1/video_status.get?video_id=\(videoId)", headers: heygenAuth)
            _ = try await mock.get(url: try #require(fal["status_url"] as? String), headers: falAuth)
            _ = try await mock.send(
                .GET, "/v1/tasks/\(try #require(runway["id"] as? String))", headers: runwayAuth)
            _ = try await mock.send(.POST, "/v1/predictions", headers: replicateAuth, json: "{}")

            let stats = mock.server.stats
            #expect(stats.maxConcurrentJobs == 3)
            #expect(stats.submissions == 4 && stats.polls == 3)
            #expect(stats.submissionsByProvider == ["heygen": 1, "fal": 1, "runway": 1, "replicate": 1])
            #expect(stats.pollsByJob[videoId] == 1)
            let first = try #require(stats.requests.first)
            #expect(first.method == "POST" && first.path == "/v2/video/generate")
            #expect(first.headers["x-api-key"] == "test-key")
            #expect(first.bodyText == #"{"a": 1}"#)
            #expect(stats.requests.count == 7)
        }
    }

    @Test func concurrentSubmissionsAreAllCounted() async throws {
        try await withMockServer(MockJobScript(polls: 1)) { mock in
            try await withThrowingTaskGroup(of: Int.self) { group in
                for _ in 0..<20 {
                    group.addTask {
                        try await mock.send(.POST, "/fal-ai/fast-sdxl", headers: falAuth, json: "{}").status
                    }
                }
                for try await status in group { #expect(status == 200) }
            }
            let stats = mock.server.stats
            #expect(stats.submissions == 20 && stats.maxConcurrentJobs == 20)
        }
    }

    @Test func unknownStatusNeverFinishes() async throws {
        let script = MockJobScript(polls: 1, outcome: .unknownStatus("QUEUED_FOR_REVIEW"))
        try await withMockServer(script) { mock in
            let id = try #require(
                try await mock.send(.POST, "/v1/text_to_image", headers: runwayAuth, json: "{}").json()["id"]
                    as? String)
            for _ in 1...4 {
                let task = try await mock.send(.GET, "/v1/tasks/\(id)", headers: runwayAuth).json()
                #expect(task["status"] as? String == "QUEUED_FOR_REVIEW")
            }
            _ = try await mock.send(.POST, "/v1/text_to_image", headers: runwayAuth, json: "{}")
            #expect(mock.server.stats.maxConcurrentJobs == 2)
        }
    }

    @Test func durationScriptsFinishByTime() async throws {
        // Far apart durations so that a loaded machine cannot blur them.
        try await withMockServer(MockJobScript(duration: .seconds(600))) { mock in
            let slow = try #require(
                try await mock.send(.POST, "/v1/text_to_image", headers: runwayAuth, json: "{}").json()["id"]
                    as? String)
            for _ in 1...3 {
                let task = try await mock.send(.GET, "/v1/tasks/\(slow)", headers: runwayAuth).json()
                #expect(task["status"] as? String != "SUCCEEDED")
            }
            mock.server.enqueue(MockJobScript(duration: .milliseconds(1)))
            let fast = try #require(
                try await mock.send(.POST, "/v1/text_to_image", headers: runwayAuth, json: "{}").json()["id"]
                    as? String)
            try await Task.sleep(for: .milliseconds(50))
            let task = try await mock.send(.GET, "/v1/tasks/\(fast)", headers: runwayAuth).json()
            #expect(task["status"] as? String == "SUCCEEDED")
        }
    }

    // MARK: Files

    @Test(arguments: MockFileKind.allCases)
    func everyKindIsServedWithMagicBytesAndItsType(kind: MockFileKind) async throws {
        let script = MockJobScript(polls: 0, output: MockOutput(kind: kind, size: 1000))
        try await withMockServer(script) { mock in
            let url = try await finishedReplicateOutput(mock)
            let file = try await mock.get(url: url)
            #expect(file.headers.first(name: "content-type") == kind.mimeType)
            #expect(file.headers.first(name: "content-length") == "1000")
            #expect(file.body == MockFiles.bytes(kind: kind, size: 1000))
            #expect(hasMagicBytes(file.body, of: kind))
            #expect(url.hasSuffix("." + kind.fileExtension))
            if kind == .json {
                #expect(throws: Never.self) { try JSONSerialization.jsonObject(with: Data(file.body)) }
            }
        }
    }

    @Test func largeFilesAreStreamedWhole() async throws {
        let size = 8 * 1024 * 1024 + 123
        let script = MockJobScript(polls: 0, output: MockOutput(kind: .mp4, size: size))
        try await withMockServer(script) { mock in
            let file = try await mock.get(url: try await finishedReplicateOutput(mock))
            #expect(file.body.count == size)
            #expect(file.body == MockFiles.bytes(kind: .mp4, size: size))
        }
    }

    @Test func filesCanBeServedWithoutContentType() async throws {
        try await withMockServer(
            MockJobScript(polls: 0, output: MockOutput(kind: .png), omitContentType: true)
        ) { mock in
            let file = try await mock.get(url: try await finishedReplicateOutput(mock))
            #expect(file.status == 200)
            #expect(file.headers.first(name: "content-type") == nil)
            #expect(hasMagicBytes(file.body, of: .png))
            #expect(try await mock.get(url: mock.server.baseURL + "/files/unknown-0.png").status == 404)
        }
    }
}

// MARK: - Helpers

private let heygenAuth = [("X-Api-Key", "test-key")]
private let falAuth = [("Authorization", "Key test-key")]
private let runwayAuth = [("Authorization", "Bearer test-key"), ("X-Runway-Version", "2024-11-06")]
private let replicateAuth = [("Authorization", "Bearer test-key")]

/// A running mock server and a client for it.
private struct MockHarness: Sendable {
    let server: MockProviderServer
    let client: HTTPClient

    func send(
        _ method: HTTPMethod, _ path: String, headers: [(String, String)] = [], json: String? = nil
    ) async throws -> Reply {
        try await send(method, url: server.baseURL + path, headers: headers, json: json)
    }

    func get(url: String, headers: [(String, String)] = []) async throws -> Reply {
        try await send(.GET, url: url, headers: headers)
    }

    func send(
        _ method: HTTPMethod, url: String, headers: [(String, String)] = [], json: String? = nil
    ) async throws -> Reply {
        var request = HTTPClientRequest(url: url)
        request.method = method
        request.headers.add(contentsOf: headers)
        if let json {
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(string: json))
        }
        let response = try await client.execute(request, timeout: .seconds(30))
        let body = try await response.body.collect(upTo: 64 * 1024 * 1024)
        return Reply(
            status: Int(response.status.code), headers: response.headers, body: Array(body.readableBytesView))
    }
}

/// A received answer.
private struct Reply: Sendable {
    let status: Int
    let headers: HTTPHeaders
    let body: [UInt8]

    func json() throws -> [String: Any] {
        let object = try JSONSerialization.jsonObject(with: Data(body))
        return try #require(object as? [String: Any])
    }
}

extension Optional where Wrapped == Any {
    /// The wrapped JSON object, or an empty one.
    fileprivate var object: [String: Any] {
        (self as? [String: Any]) ?? [:]
    }
}

private func withMockServer(
    _ script: MockJobScript = .init(), _ body: (MockHarness) async throws -> Void
) async throws {
    let server = try await MockProviderServer.start(defaultScript: script)
    let client = HTTPClient(eventLoopGroupProvider: .singleton)
    do {
        try await body(MockHarness(server: server, client: client))
    } catch {
        try await client.shutdown()
        try await server.shutdown()
        throw error
    }
    try await client.shutdown()
    try await server.shutdown()
}

/// Submits a replicate prediction with `Prefer: wait` and returns its (first) output URL.
private func finishedReplicateOutput(_ mock: MockHarness) async throws -> String {
    let reply = try await mock.send(
        .POST, "/v1/predictions", headers: replicateAuth + [("Prefer", "wait")], json: "{}")
    return try #require(try reply.json()["output"] as? String)
}

private func hasMagicBytes(_ bytes: [UInt8], of kind: MockFileKind) -> Bool {
    func ascii(_ text: String, at offset: Int = 0) -> Bool {
        let expected = Array(text.utf8)
        return bytes.count >= offset + expected.count
            && Array(bytes[offset..<offset + expected.count]) == expected
    }
    switch kind {
    case .mp4: return ascii("ftypisom", at: 4)
    case .png: return bytes.starts(with: [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A])
    case .jpeg: return bytes.starts(with: [0xFF, 0xD8, 0xFF])
    case .gif: return ascii("GIF89a")
    case .webp: return ascii("RIFF") && ascii("WEBP", at: 8)
    case .wav: return ascii("RIFF") && ascii("WAVE", at: 8)
    case .mp3: return ascii("ID3")
    case .pdf: return ascii("%PDF-")
    case .json: return ascii("{")
    }
}

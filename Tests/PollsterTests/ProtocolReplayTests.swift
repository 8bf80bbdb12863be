import Foundation
import Pollster
import PollsterCore
import PollsterMock
import Synchronization
import Testing

/// Signed Tencent requests, numeric Jimeng statuses and Azure-style operations, replayed
/// from recorded exchanges through the shipped adapters.
@Suite("Provider protocols (replay)")
struct ProtocolReplayTests {
    @Test(
        "a successful job yields its file, with every exchange used",
        arguments: [
            ("tencent-hunyuan/success.json", "image/png", "Response.JobId (submit.taskIdPath)"),
            ("tencent-vod/success.json", "image/jpeg", "Response.TaskId (submit.taskIdPath)"),
            ("jimeng/success.json", "video/mp4", "data.history_record_id (submit.taskIdPath)"),
            ("azure/operation-success.json", "video/mp4", "header Operation-Location (last path segment)"),
            ("azure/location-success.json", "video/mp4", "header Location (last path segment)"),
        ])
    func success(fixture: String, mimeType: String, taskIdSource: String) async throws {
        let run = try await replay(fixture)
        let result = try run.result.get()
        #expect(result.files.count == 1)
        #expect(result.files.first?.mimeType == mimeType)
        #expect(result.files.first?.bytes?.isEmpty == false)
        #expect(result.detection.taskId == taskIdSource)
        #expect(run.transport.unexpectedRequests.isEmpty)
        #expect(run.transport.remainingExchanges == 0)
    }

    @Test("a 202 operation URL's last segment is the task id the checkpoint stores")
    func operationIdIsCheckpointed() async throws {
        let stored = Mutex<TaskCheckpoint?>(nil)
        let run = try await replay("azure/operation-success.json") { checkpoint in
            stored.withLock { $0 = checkpoint }
        }
        #expect(try run.result.get().taskId == "7c9e6679-7425-40de-944b-e07fc1f90ae7")
        let checkpoint = try #require(stored.withLock { $0 })
        // Stored with the task, so that canceling the task reaches the provider.
        #expect(checkpoint.providerTaskId == "7c9e6679-7425-40de-944b-e07fc1f90ae7")
    }

    @Test(
        "a failed job is TASK_FAILED with the provider's message and the rule that decided",
        arguments: [
            ("tencent-hunyuan/failure.json", "图片审核不通过", "configured values"),
            ("tencent-vod/finish-with-errcode.json", "Prompt failed the content check.", "acceptors[1]"),
            ("tencent-vod/finish-with-errcodeext.json", "violates the content policy", "acceptors[2]"),
            ("jimeng/failure.json", "rejected by the content policy", "acceptors[1]"),
            (
                "azure/operation-failure.json", "InvalidRequest: The input text is empty.",
                "default vocabulary"
            ),
        ])
    func failure(fixture: String, message: String, rule: String) async throws {
        let run = try await replay(fixture)
        let error = try #require(run.error, "expected a failure")
        #expect(error.code == .taskFailed)
        #expect(error.message.contains(message))
        #expect(error.message.contains(rule))
        #expect(error.taskId != nil)
        #expect(run.transport.unexpectedRequests.isEmpty)
    }

    @Test("Volcengine: every API request is signed, the envelope's request_id and status are not the job's")
    func volcengine() async throws {
        let run = try await replay("volcengine/success.json")
        let result = try run.result.get()
        #expect(result.taskId == "7392616336519610409")
        #expect(result.files.map(\.mimeType) == ["image/png"])
        #expect(run.transport.unexpectedRequests.isEmpty)
        let api = run.requests.filter { $0.url.hasPrefix("https://visual.volcengineapi.com/") }
        #expect(api.count == 4)
        for request in api {
            let url = try #require(URLComponents(string: request.url))
            let time = try #require(request.headers.first(name: "X-Date"))
            let date = try #require(Self.signingTime.date(from: time))
            let expected = SigV4Signer.headers(
                for: SigV4Signer.Request(
                    method: request.method, path: url.percentEncodedPath,
                    query: url.percentEncodedQuery ?? "",
                    headers: [
                        ("Content-Type", try #require(request.headers.first(name: "Content-Type"))),
                        ("Host", try #require(request.headers.first(name: "Host"))),
                    ],
                    body: request.body ?? []),
                scheme: .volcengine,
                credentials: SigV4Signer.Credentials(
                    accessKeyId: "AKLTreplay", secretKey: "cmVwbGF5LXNlY3JldA==", region: "cn-north-1",
                    service: "cv"),
                date: date)
            for (name, value) in expected {
                #expect(request.headers.first(name: name) == value, "\(name) of \(request.url)")
            }
            #expect(
                request.headers.first(name: "Authorization")?.hasPrefix("HMAC-SHA256 Credential=AKLTreplay/")
                    == true)
        }
        let polls = api.dropFirst().map { String(decoding: $0.body ?? [], as: UTF8.self) }
        #expect(polls.allSatisfy { $0.contains(#""task_id":"7392616336519610409""#) }, "\(polls)")
        // The image is on another origin: no credentials go there.
        let download = try #require(run.requests.last)
        #expect(download.headers.first(name: "Authorization") == nil)
    }

    /// `X-Date`'s form, `yyyyMMdd'T'HHmmss'Z'`.
    static let signingTime: DateFormatter = {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyyMMdd'T'HHmmss'Z'"
        return formatter
    }()

    @Test("a rejected signature (HTTP 200 + Response.Error) fails the submit with Tencent's message")
    func signatureRejected() async throws {
        let run = try await replay("tencent-hunyuan/signature-rejected.json")
        let error = try #require(run.error, "expected a failure")
        #expect(error.code == .taskFailed)
        #expect(error.message.contains("AuthFailure.SignatureFailure"))
    }

    @Test("an operation that disappears after it was seen is TASK_NOT_FOUND")
    func expiredOperation() async throws {
        let run = try await replay("azure/operation-expired.json")
        let error = try #require(run.error, "expected a failure")
        #expect(error.code == .taskNotFound)
        #expect(error.taskId == "7c9e6679-7425-40de-944b-e07fc1f90ae7")
    }

    @Test("explain names the id-keyed status path and the rule for Jimeng")
    func explainJimeng() async throws {
        let fixture = try Fixture.load(path: "\(Repository.fixtures)/jimeng/success.json")
        let method = try await YAMLRegistry(directory: Repository.adapters).method(
            named: "jimeng.generate_video")
        let lines = FixtureExplainer.explain(fixture, method: method)
        #expect(lines.contains { $0.contains("task id: 18427036011010 (from data.history_record_id") })
        #expect(
            lines.contains { $0.contains(#"data["18427036011010"].status → succeeded (configured values)"#) })
        #expect(lines.contains { $0.contains("output: https://v3-artist.vlabvod.com/") })
    }
}

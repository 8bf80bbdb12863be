import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import PollsterMock
import Testing

@Suite("Mock provider server: Tencent, Jimeng, Azure, redirects")
struct MockProviderServerMoreShapesTests {
    // MARK: TC3 signatures

    @Test func tc3MatchesTencentsDocumentedExample() {
        let payload = Array(
            #"{"Limit": 1, "Filters": [{"Values": ["\u672a\u547d\u540d"], "Name": "instance-name"}]}"#.utf8)
        let headers = ["Content-Type": "application/json; charset=utf-8", "Host": "cvm.tencentcloudapi.com"]
        #expect(
            MockTC3Verifier.sha256Hex(payload)
                == "35e9c5b0e3ae67532d3c9f17ead6c90222632e5b1ff7f6e89887f1398934f064")
        let canonical = MockTC3Verifier.canonicalRequest(headers: headers, payload: payload)
        #expect(
            canonical == """
                POST
                /

                content-type:application/json; charset=utf-8
                host:cvm.tencentcloudapi.com

                content-type;host
                35e9c5b0e3ae67532d3c9f17ead6c90222632e5b1ff7f6e89887f1398934f064
                """)
        #expect(
            MockTC3Verifier.sha256Hex(Array(canonical.utf8))
                == "5ffe6a04c0664d6b969fab9a13bdab201d63ee709638e2749d62a09ca18d7031")
        let signature = MockTC3Verifier.signature(
            headers: headers, payload: payload, secretKey: "Gu5t9xGARNpq86cd98joQYCN3EXAMPLE", service: "cvm",
            timestamp: 1_551_113_065)
        #expect(signature == "72e494ea809ad7a8c8f7a4507b9bddcbaa8e581f516e8da2f66e2c5a96525168")
        #expect(MockTC3Verifier.utcDate(1_551_113_065) == "2019-02-25")
        let authorization = MockTC3Verifier.authorization(
            secretId: "AKIDEXAMPLE", secretKey: "Gu5t9xGARNpq86cd98joQYCN3EXAMPLE", service: "cvm",
            timestamp: 1_551_113_065, headers: headers, payload: payload)
        #expect(
            authorization == "TC3-HMAC-SHA256 Credential=AKIDEXAMPLE/2019-02-25/cvm/tc3_request, "
                + "SignedHeaders=content-type;host, Signature=\(signature)")
    }

    @Test func tencentRejectsBadSignaturesWithA200ErrorEnvelope() async throws {
        try await withHarness { (mock: Harness) async throws in
            let body = #"{"Prompt": "a cat"}"#
            let wrongKey = MockTencentCredentials(secretId: "AKIDmockSECRETID", secretKey: "wrong")
            #expect(
                try await mock.errorCode(mock.tencent(.submitHunyuan, body, credentials: wrongKey))
                    == "AuthFailure.SignatureFailure")
            let wrongId = MockTencentCredentials(secretId: "AKIDother", secretKey: "mockSecretKey")
            #expect(
                try await mock.errorCode(mock.tencent(.submitHunyuan, body, credentials: wrongId))
                    == "AuthFailure.SecretIdNotFound")
            let signed = mock.tencent(.submitHunyuan, body)
            #expect(
                try await mock.errorCode(signed, body: #"{"Prompt": "a dog"}"#)
                    == "AuthFailure.SignatureFailure")
            let unsigned = signed.filter { $0.0 != "Authorization" }
            #expect(try await mock.errorCode(unsigned) == "AuthFailure.InvalidAuthorization")
            let stale = mock.tencent(
                .submitHunyuan, body, timestamp: Int(Date().timeIntervalSince1970) - 3600)
            #expect(try await mock.errorCode(stale) == "AuthFailure.SignatureExpire")
            #expect(
                try await mock.errorCode(mock.tencent(.submitHunyuan, body, action: "DescribeInstances"))
                    == "InvalidAction")
            #expect(
                try await mock.errorCode(mock.tencent(.submitHunyuan, body, version: "2017-03-12"))
                    == "NoSuchVersion")
            #expect(mock.server.stats.submissions == 0)
        }
    }

    @Test func tencentAcceptsMoreSignedHeadersTheRootURIAndCustomCredentials() async throws {
        let credentials = MockTencentCredentials(secretId: "AKIDcustom", secretKey: "customKey")
        try await withHarness(credentials: credentials) { mock in
            let body = #"{"Prompt": "a cat"}"#
            let extra = mock.tencent(
                .submitHunyuan, body, credentials: credentials,
                signedHeaders: ["content-type", "host", "x-tc-action"],
                lowercaseValues: true)
            let root = mock.tencent(.submitHunyuan, body, credentials: credentials, signedPath: "/")
            for headers in [extra, root] {
                let reply = try await mock.send(.POST, "/tencent/hunyuan/", headers: headers, body: body)
                    .json()
                #expect(reply["Response"].fields["JobId"] is String)
            }
            let defaults = try await mock.send(
                .POST, "/tencent/hunyuan/", headers: mock.tencent(.submitHunyuan, body, credentials: .init()),
                body: body
            ).json()
            #expect(
                defaults["Response"].fields["Error"].fields["Code"] as? String
                    == "AuthFailure.SecretIdNotFound")
            #expect(mock.server.tencentCredentials == credentials)
        }
    }

    // MARK: Tencent Hunyuan

    @Test func hunyuanRunsThroughStringStatusCodesAndServesImages() async throws {
        let script = MockJobScript(polls: 3, output: MockOutput(kind: .png, size: 3000, count: 2))
        try await withHarness(script) { mock in
            let submit = try await mock.tencentCall(.submitHunyuan, #"{"Prompt": "雨中的猫", "Num": 2}"#)
            let id = try #require(submit["JobId"] as? String)
            #expect(id.split(separator: "-").count == 8 && id.hasSuffix("-0"))
            #expect(submit["RequestId"] is String)

            var answers: [[String: Any]] = []
            for _ in 1...3 {
                answers.append(try await mock.tencentCall(.queryHunyuan, #"{"JobId": "\#(id)"}"#))
            }
            #expect(answers.map { $0["JobStatusCode"] as? String } == ["1", "2", "5"])
            #expect(answers.map { $0["JobStatusMsg"] as? String } == ["排队中", "处理中", "处理完成"])
            let done = answers[2]
            #expect(done["ResultDetails"] as? [String] == ["Success", "Success"])
            #expect(done["RevisedPrompt"] as? [String] == ["雨中的猫", "雨中的猫"])
            #expect(done["JobErrorCode"] as? String == "")
            let images = try #require(done["ResultImage"] as? [String])
            #expect(images.count == 2)
            let image = try await mock.get(url: images[1])
            #expect(image.headers.first(name: "content-type") == "image/png")
            #expect(image.body == MockFiles.bytes(kind: .png, size: 3000))

            let stats = mock.server.stats
            #expect(stats.submissionsByProvider == ["tencent-hunyuan": 1])
            #expect(stats.pollsByJob == [id: 3] && stats.maxConcurrentJobs == 1)
        }
    }

    @Test func hunyuanReportsFailuresUnknownJobsAndMissingParameters() async throws {
        try await withHarness(MockJobScript(polls: 1, outcome: .failure(message: "图片审核不通过"))) { mock in
            let id = try #require(try await mock.tencentCall(.submitHunyuan, "{}")["JobId"] as? String)
            let failed = try await mock.tencentCall(.queryHunyuan, #"{"JobId": "\#(id)"}"#)
            #expect(failed["JobStatusCode"] as? String == "4")
            #expect(failed["JobStatusMsg"] as? String == "处理失败")
            #expect(failed["JobErrorMsg"] as? String == "图片审核不通过")
            #expect(failed["JobErrorCode"] as? String == "FailedOperation.GenerateImageFailed")
            #expect(failed["ResultImage"] as? [String] == [])
            let unknown = try await mock.tencentCall(.queryHunyuan, #"{"JobId": "nope"}"#)
            #expect(unknown["Error"].fields["Code"] as? String == "FailedOperation.JobNotExist")
            let missing = try await mock.tencentCall(.queryHunyuan, "{}")
            #expect(missing["Error"].fields["Code"] as? String == "MissingParameter")
        }
    }

    @Test func tencentServesScriptedFaults() async throws {
        try await withHarness(MockJobScript(polls: 1, faults: [1: .serverError(status: 503)])) { mock in
            mock.server.enqueue(MockJobScript(submitFault: .rateLimited(retryAfterSeconds: 2)))
            let limited = try await mock.send(
                .POST, "/tencent/vod/", headers: mock.tencent(.createVOD, "{}"), body: "{}")
            #expect(limited.status == 429 && limited.headers.first(name: "retry-after") == "2")
            let id = try #require(try await mock.tencentCall(.createVOD, "{}")["TaskId"] as? String)
            let query = #"{"TaskId": "\#(id)"}"#
            let faulted = try await mock.send(
                .POST, "/tencent/vod/", headers: mock.tencent(.describeVOD, query), body: query)
            #expect(faulted.status == 503)
            #expect(try await mock.tencentCall(.describeVOD, query)["Status"] as? String == "FINISH")
            #expect(mock.server.stats.submissions == 2 && mock.server.stats.polls == 2)
        }
    }

    // MARK: Tencent VOD

    @Test func vodDescribesTheTaskWithNestedOutputFileInfos() async throws {
        try await withHarness(MockJobScript(polls: 3, output: MockOutput(kind: .jpeg, size: 1500))) { mock in
            let create = try await mock.tencentCall(
                .createVOD, #"{"SubAppId": 1500000001, "ModelName": "GEM", "Prompt": "a fox"}"#)
            let id = try #require(create["TaskId"] as? String)
            #expect(id.contains("-AigcImageTask-"))
            let query = #"{"TaskId": "\#(id)", "SubAppId": 1500000001}"#
            var answers: [[String: Any]] = []
            for _ in 1...3 { answers.append(try await mock.tencentCall(.describeVOD, query)) }
            #expect(answers.map { $0["Status"] as? String } == ["WAITING", "PROCESSING", "FINISH"])
            #expect(answers.allSatisfy { $0["TaskType"] as? String == "AigcImageTask" })
            let tasks = answers.map { $0["AigcImageTask"].fields }
            #expect(tasks.map { $0["Status"] as? String } == ["WAITING", "PROCESSING", "FINISH"])
            #expect(tasks.map { $0["Progress"] as? Int } == [33, 66, 100])
            let task = tasks[2]
            #expect(
                task["TaskId"] as? String == id && task["ErrCode"] as? Int == 0
                    && task["Message"] as? String == "")
            #expect(task["Input"].fields["ModelName"] as? String == "GEM")
            let files = try #require(task["Output"].fields["FileInfos"] as? [[String: Any]])
            #expect(files.count == 1 && files[0]["FileType"] as? String == "jpg")
            let file = try await mock.get(url: try #require(files[0]["FileUrl"] as? String))
            #expect(file.body == MockFiles.bytes(kind: .jpeg, size: 1500))

            let otherApp = try await mock.tencentCall(.describeVOD, #"{"TaskId": "\#(id)", "SubAppId": 42}"#)
            #expect(otherApp["Error"].fields["Code"] as? String == "ResourceNotFound")
            #expect(mock.server.stats.submissionsByProvider == ["tencent-vod": 1])
        }
    }

    @Test func vodFinishesWithANonZeroErrCodeOnFailureAndCancel() async throws {
        try await withHarness(MockJobScript(polls: 1, outcome: .failure(message: "prompt rejected"))) {
            mock in
            mock.server.enqueue(MockJobScript(polls: 1, outcome: .failure(message: "prompt rejected")))
            mock.server.enqueue(MockJobScript(polls: 1, outcome: .canceled))
            mock.server.enqueue(MockJobScript(polls: 1, outcome: .unknownStatus("ABORTED")))
            var tasks: [[String: Any]] = []
            for _ in 1...3 {
                let id = try #require(try await mock.tencentCall(.createVOD, "{}")["TaskId"] as? String)
                let answer = try await mock.tencentCall(.describeVOD, #"{"TaskId": "\#(id)"}"#)
                tasks.append(
                    answer["AigcImageTask"].fields.merging(["outer": answer["Status"] ?? ""]) { a, _ in a })
            }
            #expect(tasks.map { $0["outer"] as? String } == ["FINISH", "FINISH", "ABORTED"])
            #expect(tasks.map { $0["ErrCode"] as? Int } == [10001, 10002, 0])
            #expect(tasks[0]["Message"] as? String == "prompt rejected")
            #expect(tasks[0]["Output"].fields["FileInfos"] as? [Any] != nil)
            #expect((tasks[0]["Output"].fields["FileInfos"] as? [Any])?.isEmpty == true)
        }
    }

    // MARK: Jimeng

    @Test func jimengKeysTheStatusByTheHistoryId() async throws {
        try await withHarness(MockJobScript(polls: 4)) { mock in
            #expect(try await mock.send(.POST, "/jimeng/v1/videos/generations", body: "{}").status == 401)
            let submit = try await mock.send(
                .POST, "/jimeng/v1/videos/generations", headers: jimengAuth, body: #"{"prompt": "waves"}"#
            ).json()
            #expect(submit["created"] is Int && submit["ret"] as? String == "0")
            let id = try #require(submit["data"].fields["history_record_id"] as? String)
            #expect(id.count == 13 && id.allSatisfy(\.isNumber))

            var records: [[String: Any]] = []
            for _ in 1...4 {
                let data = try await mock.send(
                    .POST, "/jimeng/v1/get_history_by_ids", headers: jimengAuth,
                    body: #"{"history_ids": ["\#(id)"]}"#
                ).json()["data"].fields
                #expect(Array(data.keys) == [id])
                records.append(data[id].fields)
            }
            #expect(records.map { $0["status"] as? Int } == [20, 42, 45, 50])
            let item = try #require((records[3]["item_list"] as? [[String: Any]])?.first)
            let url = try #require(
                item["video"].fields["transcoded_video"].fields["origin"].fields["video_url"] as? String)
            let video = try await mock.get(url: url)
            #expect(video.headers.first(name: "content-type") == "video/mp4")
            #expect(item["common_attr"].fields["cover_url"] as? String != url)

            let unknown = try await mock.send(
                .POST, "/jimeng/v1/get_history_by_ids", headers: jimengAuth,
                body: #"{"history_ids": ["123"]}"#)
            #expect(unknown.status == 200)
            #expect(try unknown.json()["data"].fields.isEmpty)
            #expect(mock.server.stats.submissionsByProvider == ["jimeng": 1])
        }
    }

    @Test func jimengFailsWithStatus30AndSendsNumericUnknownStatuses() async throws {
        try await withHarness(MockJobScript(polls: 1, outcome: .failure(message: "内容不合规"))) { mock in
            mock.server.enqueue(MockJobScript(polls: 1, outcome: .failure(message: "内容不合规")))
            mock.server.enqueue(MockJobScript(polls: 1, outcome: .unknownStatus("99")))
            var records: [[String: Any]] = []
            for _ in 1...2 {
                let id = try #require(
                    try await mock.send(
                        .POST, "/jimeng/v1/videos/generations", headers: jimengAuth, body: "{}"
                    )
                    .json()["data"].fields["history_record_id"] as? String)
                let data = try await mock.send(
                    .POST, "/jimeng/v1/get_history_by_ids", headers: jimengAuth,
                    body: #"{"history_ids": [\#(id)]}"#
                ).json()["data"].fields
                records.append(data[id].fields)
            }
            #expect(records[0]["status"] as? Int == 30)
            #expect(records[0]["fail_code"] as? String == "2038")
            #expect(records[0]["fail_msg"] as? String == "内容不合规")
            #expect(records[1]["status"] as? Int == 99)
        }
    }

    @Test func jimengImageGenerationsListLargeImages() async throws {
        try await withHarness(MockJobScript(polls: 0, output: MockOutput(kind: .webp, count: 2))) { mock in
            let id = try #require(
                try await mock.send(.POST, "/jimeng/v1/images/generations", headers: jimengAuth, body: "{}")
                    .json()["data"].fields["history_record_id"] as? String)
            let record = try await mock.send(
                .POST, "/jimeng/v1/get_history_by_ids", headers: jimengAuth,
                body: #"{"history_ids": ["\#(id)"]}"#
            ).json()["data"].fields[id].fields
            #expect(record["status"] as? Int == 50)
            let items = try #require(record["item_list"] as? [[String: Any]])
            let urls = items.compactMap {
                ($0["image"].fields["large_images"] as? [[String: Any]])?.first?["image_url"] as? String
            }
            #expect(urls.count == 2)
            #expect(try await mock.get(url: urls[0]).headers.first(name: "content-type") == "image/webp")
        }
    }

    // MARK: Azure

    @Test func azureOperationLocationRunsToAResourceLocation() async throws {
        try await withHarness(MockJobScript(polls: 3, output: MockOutput(kind: .wav, size: 800))) { mock in
            #expect(try await mock.send(.POST, "/azure/jobs", body: "{}").status == 401)
            let submit = try await mock.send(
                .POST, "/azure/jobs?api-version=2024-05-01", headers: azureAuth, body: #"{"text": "hi"}"#)
            #expect(submit.status == 202 && submit.body.isEmpty)
            #expect(submit.headers.first(name: "retry-after") == "1")
            let operation = try #require(submit.headers.first(name: "operation-location"))
            #expect(operation.hasPrefix(mock.server.baseURL + "/azure/operations/"))
            #expect(operation.hasSuffix("?api-version=2024-05-01"))

            var statuses: [String] = []
            var last: Reply?
            for _ in 1...3 {
                let poll = try await mock.get(url: operation, headers: azureAuth)
                statuses.append(try #require(try poll.json()["status"] as? String))
                #expect(poll.headers.first(name: "retry-after") == (statuses.count < 3 ? "1" : nil))
                last = poll
            }
            #expect(statuses == ["NotStarted", "Running", "Succeeded"])
            let done = try #require(try last?.json())
            let resource = try #require(done["resourceLocation"] as? String)
            #expect(resource.hasPrefix(mock.server.baseURL + "/azure/results/"))
            let result = try await mock.get(url: resource, headers: azureAuth).json()
            #expect(result["status"] as? String == "Succeeded")
            let file = try await mock.get(url: try #require(result["output"].fields["url"] as? String))
            #expect(file.body == MockFiles.bytes(kind: .wav, size: 800))
            #expect(mock.server.stats.resultFetches == 1)
        }
    }

    @Test func azureOperationReportsFailureWithAnErrorObject() async throws {
        let script = MockJobScript(
            polls: 2, outcome: .failure(message: "quota exceeded"), retryAfterSeconds: nil)
        try await withHarness(script) { mock in
            let submit = try await mock.send(.POST, "/azure/jobs", headers: azureAuth, body: "{}")
            #expect(submit.headers.first(name: "retry-after") == nil)
            let operation = try #require(submit.headers.first(name: "operation-location"))
            _ = try await mock.get(url: operation, headers: azureAuth)
            let failed = try await mock.get(url: operation, headers: azureAuth).json()
            #expect(failed["status"] as? String == "Failed")
            #expect(failed["error"].fields["message"] as? String == "quota exceeded")
            #expect(failed["error"].fields["code"] is String)
            #expect(failed["resourceLocation"] == nil)
            #expect(try await mock.get(url: operation + "x", headers: azureAuth).status == 404)
        }
    }

    @Test func azureLocationAnswers202WhileRunningAnd200WithTheResult() async throws {
        try await withHarness(MockJobScript(polls: 2, retryAfterSeconds: 0)) { mock in
            mock.server.enqueue(MockJobScript(polls: 2, retryAfterSeconds: 0))
            mock.server.enqueue(MockJobScript(polls: 1, outcome: .failure(message: "bad input")))
            let submit = try await mock.send(
                .POST, "/azure-location/jobs", headers: [("api-key", "k")], body: "{}")
            #expect(submit.status == 202 && submit.body.isEmpty)
            #expect(submit.headers.first(name: "retry-after") == "0")
            let location = try #require(submit.headers.first(name: "location"))
            #expect(location.hasPrefix(mock.server.baseURL + "/azure-location/status/"))
            let running = try await mock.get(url: location, headers: azureAuth)
            #expect(running.status == 202 && running.headers.first(name: "retry-after") == "0")
            #expect(try running.json()["status"] as? String == "running")
            let done = try await mock.get(url: location, headers: azureAuth)
            #expect(done.status == 200)
            let url = try #require(try done.json()["output"].fields["url"] as? String)
            #expect(try await mock.get(url: url).status == 200)

            let failing = try await mock.send(.POST, "/azure-location/jobs", headers: azureAuth, body: "{}")
            let failed = try await mock.get(
                url: try #require(failing.headers.first(name: "location")), headers: azureAuth)
            #expect(failed.status == 200)
            #expect(try failed.json()["status"] as? String == "failed")
            #expect(try failed.json()["error"].fields["message"] as? String == "bad input")
            #expect(mock.server.stats.submissionsByProvider == ["azure-location": 2])
        }
    }

    // MARK: Redirects

    @Test func outputsRedirectThroughAbsoluteAndRelativeHops() async throws {
        let script = MockJobScript(polls: 0, output: MockOutput(kind: .gif, size: 700), fileRedirects: 3)
        try await withHarness(script) { mock in
            let url = try await mock.finishedAzureLocationOutput()
            let name = String(url.split(separator: "/").last ?? "")
            #expect(url == "\(mock.server.baseURL)/redirect/3/\(name)")
            var locations: [String] = []
            var next = url
            for _ in 1...3 {
                let hop = try await mock.get(url: next)
                #expect(hop.status == 302)
                let location = try #require(hop.headers.first(name: "location"))
                locations.append(location)
                next = try #require(URL(string: location, relativeTo: URL(string: next))?.absoluteString)
            }
            #expect(
                locations == [
                    "../../redirect/2/\(name)", "\(mock.server.baseURL)/redirect/1/\(name)", "/files/\(name)",
                ])
            let file = try await mock.get(url: next)
            #expect(file.body == MockFiles.bytes(kind: .gif, size: 700))

            let following = HTTPClient(eventLoopGroupProvider: .singleton)
            let response = try await following.execute(HTTPClientRequest(url: url), timeout: .seconds(30))
            let body = try await response.body.collect(upTo: 1 << 20)
            try await following.shutdown()
            #expect(Array(body.readableBytesView) == MockFiles.bytes(kind: .gif, size: 700))
            #expect(mock.server.stats.redirects == 6 && mock.server.stats.downloads == 2)
        }
    }

    @Test func theLastHopCanPointAtANonLoopbackTarget() async throws {
        let target = "http://169.254.169.254/latest/meta-data"
        try await withHarness(MockJobScript(polls: 0, fileRedirectTarget: target)) { mock in
            mock.server.enqueue(MockJobScript(polls: 0, fileRedirectTarget: target))
            mock.server.enqueue(
                MockJobScript(polls: 0, fileRedirects: 2, fileRedirectTarget: target, fileRedirectStatus: 307)
            )
            let single = try await mock.finishedAzureLocationOutput()
            #expect(single.contains("/redirect/1/"))
            let hop = try await mock.get(url: single)
            #expect(hop.status == 302 && hop.headers.first(name: "location") == target)

            let double = try await mock.finishedAzureLocationOutput()
            let first = try await mock.get(url: double)
            #expect(first.status == 307)
            let second = try await mock.get(url: try #require(first.headers.first(name: "location")))
            #expect(second.status == 307 && second.headers.first(name: "location") == target)
            #expect(try await mock.get(url: mock.server.baseURL + "/redirect/1/unknown-0.mp4").status == 404)
        }
    }
}

// MARK: - Helpers

private let jimengAuth = [("Authorization", "Bearer session-id")]
private let azureAuth = [("Ocp-Apim-Subscription-Key", "test-key")]

/// A Tencent action on the mock: route, action, version and signing service.
private enum TencentCall {
    case submitHunyuan, queryHunyuan, createVOD, describeVOD

    var path: String {
        self == .submitHunyuan || self == .queryHunyuan ? "/tencent/hunyuan/" : "/tencent/vod/"
    }
    var service: String { self == .submitHunyuan || self == .queryHunyuan ? "hunyuan" : "vod" }
    var version: String { service == "hunyuan" ? "2023-09-01" : "2018-07-17" }
    var action: String {
        switch self {
        case .submitHunyuan: "SubmitHunyuanImageJob"
        case .queryHunyuan: "QueryHunyuanImageJob"
        case .createVOD: "CreateAigcImageTask"
        case .describeVOD: "DescribeTaskDetail"
        }
    }
}

/// A running mock server and a client for it that does not follow redirects.
private struct Harness: Sendable {
    let server: MockProviderServer
    let client: HTTPClient

    func send(_ method: HTTPMethod, _ path: String, headers: [(String, String)] = [], body: String? = nil)
        async throws -> Reply
    {
        try await send(method, url: server.baseURL + path, headers: headers, body: body)
    }

    func get(url: String, headers: [(String, String)] = []) async throws -> Reply {
        try await send(.GET, url: url, headers: headers)
    }

    func send(_ method: HTTPMethod, url: String, headers: [(String, String)] = [], body: String? = nil)
        async throws -> Reply
    {
        var request = HTTPClientRequest(url: url)
        request.method = method
        request.headers.add(contentsOf: headers)
        if let body { request.body = .bytes(ByteBuffer(string: body)) }
        let response = try await client.execute(request, timeout: .seconds(30))
        let bytes = try await response.body.collect(upTo: 16 * 1024 * 1024)
        return Reply(
            status: Int(response.status.code), headers: response.headers, body: Array(bytes.readableBytesView)
        )
    }

    /// Signed headers for a Tencent call (the server's credentials unless others are given).
    func tencent(
        _ call: TencentCall, _ body: String, credentials: MockTencentCredentials? = nil,
        action: String? = nil,
        version: String? = nil, timestamp: Int = Int(Date().timeIntervalSince1970),
        signedHeaders: [String] = ["content-type", "host"], lowercaseValues: Bool = false,
        signedPath: String? = nil
    ) -> [(String, String)] {
        let credentials = credentials ?? server.tencentCredentials
        let headers = [
            "Content-Type": "application/json; charset=utf-8", "Host": "127.0.0.1:\(server.port)",
            "X-TC-Action": action ?? call.action, "X-TC-Version": version ?? call.version,
            "X-TC-Timestamp": String(timestamp), "X-TC-Region": "ap-guangzhou",
        ]
        let canonical = MockTC3Verifier.canonicalRequest(
            path: signedPath ?? call.path, headers: headers, signedHeaders: signedHeaders,
            payload: Array(body.utf8),
            lowercaseValues: lowercaseValues)
        let signature = MockTC3Verifier.signature(
            stringToSign: MockTC3Verifier.stringToSign(
                canonicalRequest: canonical, service: call.service, timestamp: timestamp),
            secretKey: credentials.secretKey, service: call.service, timestamp: timestamp)
        let scope = MockTC3Verifier.credentialScope(service: call.service, timestamp: timestamp)
        let authorization =
            "TC3-HMAC-SHA256 Credential=\(credentials.secretId)/\(scope), "
            + "SignedHeaders=\(signedHeaders.sorted().joined(separator: ";")), Signature=\(signature)"
        return headers.sorted { $0.key < $1.key }.map { ($0.key, $0.value) } + [
            ("Authorization", authorization)
        ]
    }

    /// Sends a signed Tencent call and returns `Response` (HTTP 200 required).
    func tencentCall(_ call: TencentCall, _ body: String) async throws -> [String: Any] {
        let reply = try await send(.POST, call.path, headers: tencent(call, body), body: body)
        #expect(reply.status == 200)
        return try reply.json()["Response"].fields
    }

    /// Sends a signed Hunyuan submit (to `/tencent/hunyuan/`) and returns `Response.Error.Code` (HTTP 200 required).
    func errorCode(_ headers: [(String, String)], body: String = #"{"Prompt": "a cat"}"#) async throws
        -> String?
    {
        let reply = try await send(.POST, "/tencent/hunyuan/", headers: headers, body: body)
        #expect(reply.status == 200)
        return try reply.json()["Response"].fields["Error"].fields["Code"] as? String
    }

    /// Submits an Azure Location job scripted to finish at once and returns its first output URL.
    func finishedAzureLocationOutput() async throws -> String {
        let submit = try await send(.POST, "/azure-location/jobs", headers: azureAuth, body: "{}")
        let status = try await get(
            url: try #require(submit.headers.first(name: "location")), headers: azureAuth)
        return try #require(try status.json()["output"].fields["url"] as? String)
    }
}

/// A received answer.
private struct Reply: Sendable {
    let status: Int
    let headers: HTTPHeaders
    let body: [UInt8]

    func json() throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(body)) as? [String: Any])
    }
}

extension Optional where Wrapped == Any {
    /// The wrapped JSON object, or an empty one.
    fileprivate var fields: [String: Any] {
        (self as? [String: Any]) ?? [:]
    }
}

private func withHarness(
    _ script: MockJobScript = .init(), credentials: MockTencentCredentials = .init(),
    _ body: (Harness) async throws -> Void
) async throws {
    let server = try await MockProviderServer.start(defaultScript: script, tencentCredentials: credentials)
    let client = HTTPClient(
        eventLoopGroupProvider: .singleton,
        configuration: HTTPClient.Configuration(redirectConfiguration: .disallow))
    do {
        try await body(Harness(server: server, client: client))
    } catch {
        try await client.shutdown()
        try await server.shutdown()
        throw error
    }
    try await client.shutdown()
    try await server.shutdown()
}

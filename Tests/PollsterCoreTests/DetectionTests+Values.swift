import OrderedCollections
import PollsterCore
import Testing

/// More `DetectionTests` cases, written as `JSONValue` literals rather than JSON text.
extension DetectionTests {
    // MARK: Task id and status URL detection, from provider-shaped values

    static let idCases: [(JSONValue, String, String)] = [
        (JSONValue.object(["data": ["video_id": "v1"], "error": nil]), "v1", "data.video_id"),
        (["request_id": "r1", "status_url": "https://q/1"], "r1", "request_id"),
        (["id": "p1", "urls": ["get": "https://x"]], "p1", "id"),
        (["Response": ["JobId": "j1", "RequestId": "q"]], "j1", "Response.JobId"),
        (["data": ["history_record_id": 1_234_567_890_123]], "1234567890123", "data.history_record_id"),
        (["id": "", "task_id": "t1"], "t1", "task_id"),
        (["result": ["task": ["taskId": "deep"]]], "deep", "result.task.taskId"),
    ]

    @Test(
        "task ids are found where providers put them",
        arguments: idCases)
    func taskIds(body: JSONValue, id: String, source: String) {
        let detected = TaskIdDetector.detect(in: body)
        #expect(detected?.value == id)
        #expect(detected?.source == source)
    }

    @Test("an explicit path wins; none found is nil")
    func explicitAndMissing() throws {
        let body: JSONValue = ["id": "a", "custom": ["ref": "b"]]
        #expect(
            TaskIdDetector.detect(in: body, explicitPath: try JSONPath(parsing: "custom.ref"))?.value == "b")
        #expect(TaskIdDetector.detect(in: ["status": "ok"]) == nil)
    }

    @Test("status URLs come from the body, or the headers of a 202")
    func statusURLs() {
        let fal = StatusURLDetector.detect(body: ["status_url": "https://q/s"], status: 200) { _ in nil }
        #expect(fal?.url.value == "https://q/s")
        #expect(fal?.mode == .statusBody)
        let replicate = StatusURLDetector.detect(body: ["urls": ["get": "https://r/p"]], status: 201) { _ in
            nil
        }
        #expect(replicate?.url.source == "urls.get")
        let operation = StatusURLDetector.detect(body: nil, status: 202) {
            $0 == "Operation-Location" ? "https://a/op" : nil
        }
        #expect(operation?.mode == .statusBody)
        let location = StatusURLDetector.detect(body: nil, status: 202) {
            $0 == "Location" ? "/status/1" : nil
        }
        #expect(location?.mode == .location)
        #expect(StatusURLDetector.detect(body: nil, status: 200) { $0 == "Location" ? "/x" : nil } == nil)
    }

    // MARK: Status classification, from provider-shaped values

    static let phaseCases: [(JSONValue, TaskPhase, String)] = [
        (JSONValue.object(["data": ["status": "pending"]]), TaskPhase.pending, "data.status"),
        (["data": ["status": "processing"]], .running, "data.status"),
        (["data": ["status": "completed", "error": nil]], .succeeded, "data.status"),
        (["status": "IN_QUEUE", "queue_position": 3], .pending, "status"),
        (["status": "IN_PROGRESS"], .running, "status"),
        (["status": "COMPLETED"], .succeeded, "status"),
        (["status": "THROTTLED"], .running, "status"),
        (["status": "SUCCEEDED", "output": ["u"]], .succeeded, "status"),
        (["status": "starting"], .running, "status"),
        (["status": "canceled"], .canceled, "status"),
        (["status": "NotStarted"], .pending, "status"),
        (["status": "InProgress"], .running, "status"),
        (["done": true], .succeeded, "done"),
        (["Response": ["Status": "PROCESSING"]], .running, "Response.Status"),
    ]

    @Test(
        "provider bodies read as the expected phase",
        arguments: phaseCases)
    func phases(body: JSONValue, phase: TaskPhase, path: String) {
        let reading = StatusClassifier.defaults.classify(body)
        #expect(reading.phase == phase)
        #expect(reading.statusPath == path)
    }

    static let failureCases: [(JSONValue, String)] = [
        (
            JSONValue.object(["data": ["status": "failed", "error": ["code": 40119, "message": "too long"]]]),
            "40119: too long"
        ),
        // Runway: the code beside the text leads it, as inside an error object.
        (
            ["status": "FAILED", "failure": "moderation", "failureCode": "SAFETY.INPUT.TEXT"],
            "SAFETY.INPUT.TEXT: moderation"
        ),
        (["status": "failed", "error_message": "quota", "error_code": 1001], "1001: quota"),
        // An error object keeps its own code, not a sibling's.
        (["status": "failed", "error": ["code": 7, "message": "boom"], "error_code": 9], "7: boom"),
        (["status": "failed", "error": "CUDA OOM"], "CUDA OOM"),
    ]

    @Test(
        "failures carry the provider's message",
        arguments: failureCases)
    func failureMessages(body: JSONValue, message: String) {
        let reading = StatusClassifier.defaults.classify(body)
        #expect(reading.phase == .failed)
        #expect(reading.message == message)
    }

    @Test("a success carrying an error, or an error envelope, is a failure")
    func successWithError() {
        let fal = StatusClassifier.defaults.classify(["status": "COMPLETED", "error": "runner crashed"])
        #expect(fal.phase == .failed)
        #expect(fal.rule == "success with error field error")
        let code = StatusClassifier.defaults.classify([
            "Status": "success", "ErrCode": 10001, "ErrMsg": "bad",
        ])
        #expect(code.phase == .failed)
        #expect(code.message == "bad")
        let envelope = StatusClassifier.defaults.classify([
            "Response": ["Error": ["Code": "AuthFailure", "Message": "denied"], "RequestId": "r"]
        ])
        #expect(envelope.phase == .failed)
        #expect(envelope.message == "AuthFailure: denied")
    }

    @Test("unknown values stay unknown and report the raw value", arguments: ["rendering_v3", "20"])
    func unknown(value: String) {
        let reading = StatusClassifier.defaults.classify(["status": .string(value)])
        #expect(reading.phase == .unknown)
        #expect(reading.rawStatus == value)
    }

    static let progressValueCases: [(JSONValue, Double)] = [
        (JSONValue.double(0.42), 42.0), (.integer(57), 57), (.double(1.0), 100),
    ]

    @Test("progress values are normalised to 0-100", arguments: progressValueCases)
    func progressValue(value: JSONValue, expected: Double) {
        let reading = StatusClassifier.defaults.classify(["status": "running", "progress": value])
        #expect(reading.progress == expected)
    }

    @Test("configured values, statusMap, paths and acceptors decide, first acceptor first")
    func configured() throws {
        var config = PollingConfig(
            statusPath: #"data["{id}"].status"#,
            statusMap: ["10": "success", "30": "failure", "20": "running"])
        config.acceptors = [
            AcceptorConfig(path: "flag", exists: true, state: "failure", message: "flag.reason"),
            AcceptorConfig(path: #"data["{id}"].status"#, in: [42, 45], state: "retry"),
            AcceptorConfig(path: "note", matches: "^done", state: "success"),
        ]
        let classifier = try StatusClassifier(config).bound(taskId: "7")
        #expect(classifier.classify(["data": ["7": ["status": 10]]]).phase == .succeeded)
        #expect(classifier.classify(["data": ["7": ["status": 30]]]).phase == .failed)
        let retry = classifier.classify(["data": ["7": ["status": 45]]])
        #expect(retry.phase == .running)
        #expect(retry.rule == "acceptors[1]")
        let flagged = classifier.classify(["data": ["7": ["status": 10]], "flag": ["reason": "nsfw"]])
        #expect(flagged.phase == .failed)
        #expect(flagged.message == "nsfw")
        #expect(classifier.classify(["note": "done!"]).rule == "acceptors[2]")
    }

    @Test("invalid rules are INVALID_CONFIG naming the key")
    func invalidRules() {
        #expect {
            _ = try StatusClassifier(
                PollingConfig(acceptors: [AcceptorConfig(equals: 1, in: [2], state: "success")]))
        } throws: { error in
            (error as? PollsterError)?.message.contains("acceptors[0]: give exactly one of") == true
        }
        #expect {
            _ = try StatusClassifier(PollingConfig(statusMap: ["1": "done-ish"]))
        } throws: { error in
            (error as? PollsterError)?.message.contains("statusMap.1") == true
        }
    }

    // MARK: Output search, from provider-shaped values

    static let literalOutputCases: [(JSONValue, [String])] = [
        (
            JSONValue.object([
                "data": [
                    "video_url": "https://c/v.mp4", "thumbnail_url": "https://c/t.jpg",
                    "gif_url": "https://c/g.gif",
                ]
            ]),
            ["https://c/v.mp4"]
        ),
        (
            ["images": [["url": "https://c/1.png"], ["url": "https://c/2.png"]], "seed": 1],
            ["https://c/1.png", "https://c/2.png"]
        ),
        (["output": "https://r/out.png", "urls": ["get": "https://api/p"]], ["https://r/out.png"]),
        (["output": ["https://r/0.png", "https://r/1.png"]], ["https://r/0.png", "https://r/1.png"]),
        (["status_url": "https://q/s", "response_url": "https://q/r", "logs": ["https://l"]], []),
        (["video": ["url": "https://f/v.mp4", "cover_url": "https://f/c.jpg"]], ["https://f/v.mp4"]),
        (["result": ["file": "data:text/plain;base64,aGk="]], ["data:text/plain;base64,aGk="]),
    ]

    @Test(
        "the best outputs are found and non-outputs skipped",
        arguments: literalOutputCases)
    func search(result: JSONValue, urls: [String]) {
        #expect(OutputFinder.find(in: result).map(\.url) == urls)
    }

    @Test("explicit paths win, and all takes every URL")
    func explicitAndAll() throws {
        let result: JSONValue = [
            "preview_url": "https://c/p.jpg", "video_url": "https://c/v.mp4", "extra": ["url": "https://c/x"],
        ]
        #expect(
            OutputFinder.find(in: result, explicitPaths: [try JSONPath(parsing: "preview_url")]).map(\.url)
                == ["https://c/p.jpg"])
        #expect(
            Set(OutputFinder.find(in: result, all: true).map(\.url)) == ["https://c/v.mp4", "https://c/x"])
    }
}

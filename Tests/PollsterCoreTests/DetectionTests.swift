import PollsterCore
import Testing

@Suite("Detection: task ids, status URLs, status classification, outputs")
struct DetectionTests {
    // MARK: Task id

    struct TaskIdCase: Sendable, CustomTestStringConvertible {
        var name: String
        var body: String
        var explicitPath: String?
        var id: String?
        var source: String?
        var testDescription: String { name }
    }

    static let taskIdCases: [TaskIdCase] = [
        .init(
            name: "Runway: top-level id", body: #"{"id": "17f20503-6c24-4c16-946b-35dbbce2af2f"}"#,
            id: "17f20503-6c24-4c16-946b-35dbbce2af2f", source: "id"),
        .init(
            name: "HeyGen: data.video_id",
            body: #"{"error": null, "data": {"video_id": "7a1b2c3d4e5f46a7b8c9d0e1f2a3b4c5"}}"#,
            id: "7a1b2c3d4e5f46a7b8c9d0e1f2a3b4c5", source: "data.video_id"),
        .init(
            name: "fal: request_id",
            body: #"""
                {"request_id": "764cabcf-b745-4b3e-ae38-1200304cf45b",
                 "response_url": "https://queue.fal.run/fal-ai/fast-sdxl/requests/764cabcf-b745-4b3e-ae38-1200304cf45b",
                 "status_url": "https://queue.fal.run/fal-ai/fast-sdxl/requests/764cabcf-b745-4b3e-ae38-1200304cf45b/status",
                 "queue_position": 0}
                """#,
            id: "764cabcf-b745-4b3e-ae38-1200304cf45b", source: "request_id"),
        .init(
            name: "Tencent: Response.JobId",
            body: #"""
                {"Response": {"JobId": "1258344701-1732516800-abcdef12-3456-7890-abcd-ef1234567890-0",
                              "RequestId": "9b4f6c3e-1111-4b6a-8d3a-5c2f1e0a9b7d"}}
                """#,
            id: "1258344701-1732516800-abcdef12-3456-7890-abcd-ef1234567890-0", source: "Response.JobId"),
        .init(
            name: "Replicate: id beside urls",
            body:
                #"{"id": "gm3qorzdhgbfurvjtvhg6dckhu", "status": "starting", "urls": {"get": "https://api.replicate.com/v1/predictions/gm3q"}}"#,
            id: "gm3qorzdhgbfurvjtvhg6dckhu", source: "id"),
        .init(
            name: "integer id", body: #"{"task_id": 7384019283746}"#, id: "7384019283746", source: "task_id"),
        .init(
            name: "Jimeng: integer in data",
            body: #"{"created": 1732521600, "data": {"history_record_id": 18427036011010}}"#,
            id: "18427036011010", source: "data.history_record_id"),
        .init(
            name: "top level beats containers", body: #"{"data": {"id": "inner"}, "job_id": "outer"}"#,
            id: "outer",
            source: "job_id"),
        .init(
            name: "name order: id before request_id", body: #"{"request_id": "r", "id": "i"}"#, id: "i",
            source: "id"),
        .init(
            name: "Volcengine: a top-level request_id gives way to data.task_id",
            body: #"""
                {"code": 10000, "data": {"task_id": "7392616336519610409"}, "message": "Success",
                 "request_id": "20240720103939AF0029465CF6A74E51EC", "status": 10000, "time_elapsed": "104.852309ms"}
                """#,
            id: "7392616336519610409", source: "data.task_id"),
        .init(
            name: "a top-level request_id beside a container without an id stays the id",
            body: #"{"request_id": "r", "data": {"status": "queued"}}"#, id: "r", source: "request_id"),
        .init(
            name: "a request_id stays the id beside a bare id elsewhere (a user's, a model's)",
            body: #"{"request_id": "r", "data": {"id": "u"}}"#, id: "r", source: "request_id"),
        .init(
            name: "a task-specific name beats a request_id at the same level",
            body: #"{"request_id": "r", "task_id": "t"}"#, id: "t", source: "task_id"),
        .init(
            name: "two levels deep", body: #"{"result": {"task": {"taskId": "deep"}}}"#, id: "deep",
            source: "result.task.taskId"),
        .init(
            name: "one level before two",
            body: #"{"data": {"task": {"id": "two"}}, "job": {"jobId": "one"}}"#,
            id: "one", source: "job.jobId"),
        .init(
            name: "empty string skipped", body: #"{"id": "", "task_id": "t1"}"#, id: "t1", source: "task_id"),
        .init(
            name: "blank string skipped", body: #"{"id": "  ", "data": {"id": "d1"}}"#, id: "d1",
            source: "data.id"),
        .init(name: "null skipped", body: #"{"id": null, "jobId": "j"}"#, id: "j", source: "jobId"),
        .init(
            name: "floats and booleans are not ids", body: #"{"id": 1.5, "taskId": true}"#, id: nil,
            source: nil),
        .init(name: "objects are not ids", body: #"{"id": {"value": "x"}}"#, id: nil, source: nil),
        .init(name: "none", body: #"{"status": "ok", "message": "queued"}"#, id: nil, source: nil),
        .init(name: "not an object", body: #"["id", "x"]"#, id: nil, source: nil),
        .init(
            name: "unknown container is not searched", body: #"{"payload": {"id": "hidden"}}"#, id: nil,
            source: nil),
        .init(
            name: "explicit path wins", body: #"{"id": "a", "custom": {"ref": "b"}}"#,
            explicitPath: "custom.ref",
            id: "b", source: "custom.ref (submit.taskIdPath)"),
        .init(
            name: "explicit integer", body: #"{"id": "a", "data": [{"n": 42}]}"#, explicitPath: "data[0].n",
            id: "42",
            source: "data[0].n (submit.taskIdPath)"),
        .init(
            name: "explicit path that finds nothing does not fall back", body: #"{"id": "a"}"#,
            explicitPath: "custom.ref", id: nil, source: nil),
        .init(
            name: "explicit path to an empty string", body: #"{"id": "a", "ref": ""}"#, explicitPath: "ref",
            id: nil,
            source: nil),
    ]

    @Test("task ids are found where providers put them, with their source", arguments: taskIdCases)
    func taskId(testCase: TaskIdCase) throws {
        let body = try JSONParser.parse(testCase.body)
        let explicit = try testCase.explicitPath.map { path throws(PollsterError) in
            try JSONPath(parsing: path)
        }
        let detected = TaskIdDetector.detect(in: body, explicitPath: explicit)
        #expect(detected?.value == testCase.id)
        #expect(detected?.source == testCase.source)
    }

    // MARK: Status URL

    struct StatusURLCase: Sendable, CustomTestStringConvertible {
        var name: String
        var body: String?
        var status: Int
        var headers: [String: String] = [:]
        var url: String?
        var source: String?
        var mode: StatusURLDetector.Mode?
        var testDescription: String { name }
    }

    static let statusURLCases: [StatusURLCase] = [
        .init(
            name: "fal status_url",
            body: #"""
                {"request_id": "764c", "status_url": "https://queue.fal.run/fal-ai/fast-sdxl/requests/764c/status",
                 "response_url": "https://queue.fal.run/fal-ai/fast-sdxl/requests/764c"}
                """#,
            status: 200, url: "https://queue.fal.run/fal-ai/fast-sdxl/requests/764c/status",
            source: "status_url",
            mode: .statusBody),
        .init(
            name: "Replicate urls.get",
            body: #"""
                {"id": "gm3q", "urls": {"cancel": "https://api.replicate.com/v1/predictions/gm3q/cancel",
                 "get": "https://api.replicate.com/v1/predictions/gm3q"}}
                """#,
            status: 201, url: "https://api.replicate.com/v1/predictions/gm3q", source: "urls.get",
            mode: .statusBody),
        .init(
            name: "statusUrl, relative", body: #"{"statusUrl": "/v1/status/9"}"#, status: 200,
            url: "/v1/status/9",
            source: "statusUrl", mode: .statusBody),
        .init(
            name: "inside data", body: #"{"data": {"polling_url": "https://x.test/p/1"}}"#, status: 200,
            url: "https://x.test/p/1", source: "data.polling_url", mode: .statusBody),
        .init(
            name: "operation_url", body: #"{"operation_url": "http://x.test/op/1"}"#, status: 200,
            url: "http://x.test/op/1", source: "operation_url", mode: .statusBody),
        .init(name: "not a URL", body: #"{"status_url": "n/a"}"#, status: 200),
        .init(name: "no URL at all", body: #"{"id": "x"}"#, status: 200),
        .init(
            name: "202 + Operation-Location", body: nil, status: 202,
            headers: ["Operation-Location": "https://example.cognitiveservices.azure.com/operations/7c9e"],
            url: "https://example.cognitiveservices.azure.com/operations/7c9e",
            source: "header Operation-Location", mode: .statusBody),
        .init(
            name: "202 + Azure-AsyncOperation", body: nil, status: 202,
            headers: ["Azure-AsyncOperation": "https://management.azure.com/op/1"],
            url: "https://management.azure.com/op/1", source: "header Azure-AsyncOperation", mode: .statusBody
        ),
        .init(
            name: "202 + Location", body: nil, status: 202, headers: ["Location": "/jobs/7/status"],
            url: "/jobs/7/status", source: "header Location", mode: .location),
        .init(
            name: "202 with both: Operation-Location preferred", body: nil, status: 202,
            headers: ["Location": "/l", "Operation-Location": "https://a.test/op"], url: "https://a.test/op",
            source: "header Operation-Location", mode: .statusBody),
        .init(
            name: "202 body URL beats headers", body: #"{"status_url": "https://a.test/s"}"#, status: 202,
            headers: ["Location": "/l"], url: "https://a.test/s", source: "status_url", mode: .statusBody),
        .init(
            name: "200 + Location is not a status URL", body: nil, status: 200, headers: ["Location": "/l"]),
        .init(
            name: "201 + Operation-Location (Azure's guidelines allow 201)", body: nil, status: 201,
            headers: ["Operation-Location": "/op"], url: "/op", source: "header Operation-Location",
            mode: .statusBody),
        .init(
            name: "200 + Azure-AsyncOperation", body: nil, status: 200,
            headers: ["Azure-AsyncOperation": "https://management.azure.com/op/2"],
            url: "https://management.azure.com/op/2", source: "header Azure-AsyncOperation", mode: .statusBody
        ),
        .init(
            name: "201 + Location names the resource created, not a status URL", body: nil, status: 201,
            headers: ["Location": "/things/1"]),
        .init(
            name: "400 + Operation-Location is no status URL", body: nil, status: 400,
            headers: ["Operation-Location": "/op"]),
        .init(name: "202 with an empty Location", body: nil, status: 202, headers: ["Location": ""]),
        .init(name: "202 without headers", body: nil, status: 202),
    ]

    @Test("status URLs come from the body, or the headers of a 2xx", arguments: statusURLCases)
    func statusURL(testCase: StatusURLCase) throws {
        let body = try testCase.body.map { text throws(JSONParser.Failure) in try JSONParser.parse(text) }
        let headers = testCase.headers
        let detected = StatusURLDetector.detect(body: body, status: testCase.status) { headers[$0] }
        #expect(detected?.url.value == testCase.url)
        #expect(detected?.url.source == testCase.source)
        #expect(detected?.mode == testCase.mode)
    }

    // MARK: Status classification (defaults)

    struct StatusCase: Sendable, CustomTestStringConvertible {
        var name: String
        var body: String
        var phase: TaskPhase
        var raw: String?
        var path: String?
        var rule: String? = nil
        var message: String? = nil
        var testDescription: String { name }
    }

    static let heygenStatus = #"""
        {"code": 100, "data": {"id": "7a1b2c3d4e5f46a7b8c9d0e1f2a3b4c5", "status": "STATUS",
         "video_url": null, "thumbnail_url": null, "gif_url": null, "caption_url": null,
         "duration": null, "error": null, "created_at": 1732521600, "video_url_caption": null},
         "message": "Success"}
        """#

    static func heygen(_ status: String) -> String { heygenStatus.replacing("STATUS", with: status) }

    static let statusCases: [StatusCase] = [
        .init(
            name: "Volcengine: data.status, not the envelope's numeric status",
            body: #"""
                {"code": 10000, "data": {"status": "done", "image_urls": ["https://cdn.test/a.png"]},
                 "message": "Success", "request_id": "2024", "status": 10000, "time_elapsed": "5ms"}
                """#,
            phase: .succeeded, raw: "done", path: "data.status"),
        .init(
            name: "Volcengine: generating",
            body: #"{"code": 10000, "data": {"status": "generating"}, "status": 10000}"#,
            phase: .running, raw: "generating", path: "data.status"),
        .init(
            name: "an unknown value found first is kept when no other is known",
            body: #"{"status": "mystery", "data": {"status": "enigma"}}"#, phase: .unknown, raw: "mystery",
            path: "status"),
        .init(
            name: "HeyGen pending", body: heygen("pending"), phase: .pending, raw: "pending",
            path: "data.status"),
        .init(
            name: "HeyGen waiting", body: heygen("waiting"), phase: .pending, raw: "waiting",
            path: "data.status"),
        .init(
            name: "HeyGen processing", body: heygen("processing"), phase: .running, raw: "processing",
            path: "data.status", rule: "default vocabulary"),
        .init(
            name: "HeyGen completed",
            body: #"""
                {"code": 100, "data": {"id": "7a1b", "status": "completed",
                 "video_url": "https://files2.heygen.ai/aws_pacific/avatar_tmp/7a1b.mp4?Expires=1733126400&Signature=abc",
                 "thumbnail_url": "https://files2.heygen.ai/aws_pacific/avatar_tmp/7a1b.jpeg", "caption_url": null,
                 "duration": 4.2, "error": null}, "message": "Success"}
                """#,
            phase: .succeeded, raw: "completed", path: "data.status", rule: "default vocabulary"),
        .init(
            name: "HeyGen failed, message from data.error.message",
            body: #"""
                {"code": 100, "data": {"id": "7a1b", "status": "failed", "video_url": null,
                 "error": {"code": 40119, "message": "Video is too long (> 3600.0s). Please upgrade your plan.",
                           "detail": "Video is too long"}}, "message": "Success"}
                """#,
            phase: .failed, raw: "failed", path: "data.status", rule: "default vocabulary",
            message: "40119: Video is too long (> 3600.0s). Please upgrade your plan."),
        .init(
            name: "HeyGen unknown value", body: heygen("rendering_v3"), phase: .unknown, raw: "rendering_v3",
            path: "data.status", rule: "unrecognised status value"),
        .init(
            name: "fal IN_QUEUE",
            body:
                #"{"status": "IN_QUEUE", "response_url": "https://queue.fal.run/r/764c", "queue_position": 2}"#,
            phase: .pending, raw: "IN_QUEUE", path: "status"),
        .init(
            name: "fal IN_PROGRESS",
            body:
                #"{"status": "IN_PROGRESS", "logs": [{"message": "step 10/25", "timestamp": "2024-11-25T08:00:02.000Z"}]}"#,
            phase: .running, raw: "IN_PROGRESS", path: "status"),
        .init(
            name: "fal COMPLETED",
            body:
                #"{"status": "COMPLETED", "response_url": "https://queue.fal.run/r/764c", "logs": [], "metrics": {"inference_time": 1.9}}"#,
            phase: .succeeded, raw: "COMPLETED", path: "status", rule: "default vocabulary"),
        .init(
            name: "fal COMPLETED with error",
            body: #"""
                {"status": "COMPLETED", "response_url": "https://queue.fal.run/r/764c",
                 "error": "Internal server error while running the model", "error_type": "runner_error"}
                """#,
            phase: .failed, raw: "COMPLETED", path: "status", rule: "success with error field error",
            message: "Internal server error while running the model"),
        .init(
            name: "fal ERROR", body: #"{"status": "ERROR", "error": "Request timed out in queue"}"#,
            phase: .failed,
            raw: "ERROR", path: "status", message: "Request timed out in queue"),
        .init(
            name: "Runway THROTTLED",
            body: #"{"id": "17f2", "status": "THROTTLED", "createdAt": "2024-11-25T08:00:00.000Z"}"#,
            phase: .running, raw: "THROTTLED", path: "status"),
        .init(
            name: "Runway PENDING", body: #"{"id": "17f2", "status": "PENDING"}"#, phase: .pending,
            raw: "PENDING",
            path: "status"),
        .init(
            name: "Runway SUCCEEDED",
            body:
                #"{"id": "17f2", "status": "SUCCEEDED", "output": ["https://dnznrvs05pmza.cloudfront.net/17f2/output.mp4?_jwt=e"]}"#,
            phase: .succeeded, raw: "SUCCEEDED", path: "status"),
        .init(
            name: "Runway FAILED with failure, led by its failureCode",
            body: #"""
                {"id": "17f2", "status": "FAILED", "createdAt": "2024-11-25T08:00:00.000Z",
                 "failure": "The image you provided did not pass our content moderation.",
                 "failureCode": "SAFETY.INPUT.IMAGE"}
                """#,
            phase: .failed, raw: "FAILED", path: "status",
            message: "SAFETY.INPUT.IMAGE: The image you provided did not pass our content moderation."),
        .init(
            name: "Replicate starting",
            body:
                #"{"id": "gm3q", "input": {"prompt": "a cat"}, "logs": "", "output": null, "error": null, "status": "starting"}"#,
            phase: .running, raw: "starting", path: "status"),
        .init(
            name: "Replicate succeeded",
            body: #"""
                {"id": "gm3q", "input": {"prompt": "a cat"}, "logs": "Using seed: 1234\n",
                 "output": "https://replicate.delivery/xezq/abc123/out-0.png", "error": null, "status": "succeeded",
                 "urls": {"get": "https://api.replicate.com/v1/predictions/gm3q"}, "metrics": {"predict_time": 2.1}}
                """#,
            phase: .succeeded, raw: "succeeded", path: "status", rule: "default vocabulary"),
        .init(
            name: "Replicate failed",
            body:
                #"{"id": "gm3q", "error": "CUDA out of memory. Tried to allocate 2.00 GiB", "status": "failed"}"#,
            phase: .failed, raw: "failed", path: "status",
            message: "CUDA out of memory. Tried to allocate 2.00 GiB"),
        .init(
            name: "Replicate canceled", body: #"{"id": "gm3q", "error": null, "status": "canceled"}"#,
            phase: .canceled,
            raw: "canceled", path: "status"),
        .init(
            name: "Azure NotStarted", body: #"{"id": "7c9e", "status": "NotStarted"}"#, phase: .pending,
            raw: "NotStarted", path: "status"),
        .init(
            name: "Azure Failed with error object",
            body:
                #"{"id": "7c9e", "status": "Failed", "error": {"code": "InvalidRequest", "message": "The input text is empty."}}"#,
            phase: .failed, raw: "Failed", path: "status", message: "InvalidRequest: The input text is empty."
        ),
        .init(
            name: "Tencent Response.Error envelope",
            body: #"""
                {"Response": {"Error": {"Code": "AuthFailure.SignatureFailure",
                 "Message": "The provided credentials could not be validated."},
                 "RequestId": "ed93f3cb-f35e-473f-b9f3-0d451b8b79c6"}}
                """#,
            phase: .failed, raw: nil, path: "Response.Error", rule: "error envelope Response.Error",
            message: "AuthFailure.SignatureFailure: The provided credentials could not be validated."),
        .init(
            name: "Response.Error beats a success status",
            body: #"{"Response": {"Status": "SUCCESS", "Error": {"Code": "X", "Message": "m"}}}"#,
            phase: .failed,
            raw: "SUCCESS", path: "Response.Error", rule: "error envelope Response.Error", message: "X: m"),
        .init(
            name: "Tencent VOD status in Response", body: #"{"Response": {"Status": "PROCESSING"}}"#,
            phase: .running,
            raw: "PROCESSING", path: "Response.Status"),
        .init(
            name: "boolean done: true",
            body: #"{"name": "operations/123", "done": true, "response": {"x": 1}}"#,
            phase: .succeeded, raw: "true", path: "done", rule: "boolean done"),
        .init(
            name: "boolean done: false", body: #"{"name": "operations/123", "done": false}"#, phase: .running,
            raw: "false", path: "done", rule: "boolean done"),
        .init(
            name: "boolean in a container", body: #"{"operation": {"completed": true}}"#, phase: .succeeded,
            raw: "true", path: "operation.completed", rule: "boolean operation.completed"),
        .init(
            name: "a status field beats a done flag", body: #"{"done": true, "state": "RUNNING"}"#,
            phase: .running,
            raw: "RUNNING", path: "state"),
        .init(
            name: "Jimeng numeric 20 needs config", body: #"{"data": {"status": 20}}"#, phase: .unknown,
            raw: "20",
            path: "data.status", rule: "unrecognised status value"),
        .init(
            name: "Hunyuan numeric string needs config", body: #"{"Response": {"JobStatusCode": "5"}}"#,
            phase: .unknown, raw: "5", path: "Response.JobStatusCode"),
        .init(
            name: "unknown string keeps its raw value", body: #"{"status": "PAUSED_FOR_MAINTENANCE"}"#,
            phase: .unknown, raw: "PAUSED_FOR_MAINTENANCE", path: "status", rule: "unrecognised status value"),
        .init(
            name: "no status field", body: #"{"id": "x", "created": 1}"#, phase: .unknown, raw: nil,
            path: nil,
            rule: "no status field found"),
        .init(
            name: "null status is no status", body: #"{"status": null, "data": {"state": "queued"}}"#,
            phase: .pending,
            raw: "queued", path: "data.state"),
        .init(
            name: "success with a non-zero ErrCode",
            body: #"{"Status": "success", "ErrCode": 10001, "ErrMsg": "content check failed"}"#,
            phase: .failed,
            raw: "success", path: "Status", rule: "success with error field ErrCode",
            message: "content check failed"),
        .init(
            name: "success with ErrCode 0", body: #"{"Status": "success", "ErrCode": 0, "ErrMsg": ""}"#,
            phase: .succeeded, raw: "success", path: "Status"),
        .init(
            name: "success with an empty error",
            body: #"{"status": "done", "error": "", "error_message": null}"#,
            phase: .succeeded, raw: "done", path: "status"),
        .init(
            name: "success with error_message in the status object",
            body: #"{"task": {"task_status": "finished", "error_message": "quota exceeded"}}"#,
            phase: .failed,
            raw: "finished", path: "task.task_status", rule: "success with error field task.error_message",
            message: "quota exceeded"),
        .init(
            name: "canceled with a message",
            body: #"{"status": "cancelled", "failure_reason": "user request"}"#, phase: .canceled,
            raw: "cancelled",
            path: "status", message: "user request"),
    ]

    @Test("provider bodies classify with the default rules", arguments: statusCases)
    func classify(testCase: StatusCase) throws {
        let reading = StatusClassifier.defaults.classify(try JSONParser.parse(testCase.body))
        #expect(reading.phase == testCase.phase)
        #expect(reading.rawStatus == testCase.raw)
        #expect(reading.statusPath == testCase.path)
        if let rule = testCase.rule { #expect(reading.rule == rule) }
        #expect(reading.message == testCase.message)
        if testCase.phase == .succeeded { #expect(reading.progress == 100) }
    }

    @Test("the phases that end a job")
    func terminalPhases() {
        #expect(TaskPhase.allCases.filter(\.isTerminal) == [.succeeded, .failed, .canceled])
    }

    // MARK: Progress

    static let progressCases: [(String, Double?)] = [
        (#"{"status": "RUNNING", "progress": 0.42}"#, 42),
        (#"{"status": "RUNNING", "progress": 57}"#, 57),
        (#"{"status": "RUNNING", "progress": 0.5}"#, 50),
        (#"{"status": "RUNNING", "progress": 1}"#, 1),
        (#"{"status": "RUNNING", "progress": 0}"#, 0),
        (#"{"status": "RUNNING", "progress": 150}"#, 100),
        (#"{"status": "RUNNING", "progress": -3}"#, 0),
        (#"{"status": "RUNNING", "percent": 33}"#, 33),
        (#"{"Response": {"Status": "PROCESSING", "Progress": 40}, "data": {"percentage": 12.5}}"#, 12.5),
        (#"{"status": "RUNNING", "progress": "42"}"#, nil),
        (#"{"status": "RUNNING"}"#, nil),
        (#"{"status": "SUCCEEDED", "progress": 0.9}"#, 100),
    ]

    @Test("progress is normalised to 0–100", arguments: progressCases)
    func progress(body: String, expected: Double?) throws {
        let reading = StatusClassifier.defaults.classify(try JSONParser.parse(body))
        if let expected {
            let progress = try #require(reading.progress)
            #expect(abs(progress - expected) < 1e-9)
        } else {
            #expect(reading.progress == nil)
        }
    }

    @Test("the queue position is read")
    func queuePosition() throws {
        let reading = StatusClassifier.defaults.classify(
            try JSONParser.parse(#"{"status": "IN_QUEUE", "queue_position": 3}"#))
        #expect(reading.queuePosition == 3)
        #expect(StatusClassifier.defaults.classify(["status": "IN_QUEUE"]).queuePosition == nil)
    }

    @Test("a progressPath reads a custom field, including numeric text")
    func progressPath() throws {
        let classifier = try StatusClassifier(PollingConfig(progressPath: "Response.AigcImageTask.Progress"))
        let reading = classifier.classify(
            try JSONParser.parse(
                #"{"Response": {"Status": "PROCESSING", "AigcImageTask": {"Progress": 40}}}"#))
        #expect(reading.progress == 40)
        let text = try StatusClassifier(PollingConfig(progressPath: "p")).classify([
            "status": "running", "p": "0.25",
        ])
        #expect(text.progress == 25)
    }

    // MARK: Configured classifiers

    struct ConfiguredCase: Sendable, CustomTestStringConvertible {
        var body: String
        var phase: TaskPhase
        var rule: String
        var raw: String?
        var path: String?
        var message: String? = nil
        var testDescription: String { body }
    }

    /// Extra values and an explicit status path (a numeric vocabulary).
    static let valuesConfig = PollingConfig(
        statusPath: "data.job.code", successValues: ["50"], failureValues: ["30", "Broken"],
        pendingValues: ["20", "42"], canceledValues: ["99"], statusMap: ["10": "success", "45": "pending"])

    static let valuesCases: [ConfiguredCase] = [
        .init(
            body: #"{"data": {"job": {"code": 50}}}"#, phase: .succeeded, rule: "configured values",
            raw: "50",
            path: "data.job.code"),
        .init(
            body: #"{"data": {"job": {"code": "50"}}}"#, phase: .succeeded, rule: "configured values",
            raw: "50",
            path: "data.job.code"),
        .init(
            body: #"{"data": {"job": {"code": 10}}}"#, phase: .succeeded, rule: "configured values",
            raw: "10",
            path: "data.job.code"),
        .init(
            body: #"{"data": {"job": {"code": 20}}}"#, phase: .running, rule: "configured values", raw: "20",
            path: "data.job.code"),
        .init(
            body: #"{"data": {"job": {"code": 45}}}"#, phase: .pending, rule: "configured values", raw: "45",
            path: "data.job.code"),
        .init(
            body: #"{"data": {"job": {"code": 30, "fail_reason": "policy"}}}"#, phase: .failed,
            rule: "configured values", raw: "30", path: "data.job.code", message: "policy"),
        .init(
            body: #"{"data": {"job": {"code": "BROKEN"}}}"#, phase: .failed, rule: "configured values",
            raw: "BROKEN",
            path: "data.job.code"),
        .init(
            body: #"{"data": {"job": {"code": 99}}}"#, phase: .canceled, rule: "configured values", raw: "99",
            path: "data.job.code"),
        .init(
            body: #"{"data": {"job": {"code": 77}}}"#, phase: .unknown, rule: "unrecognised status value",
            raw: "77",
            path: "data.job.code"),
        // The explicit path beats a detectable status elsewhere.
        .init(
            body: #"{"status": "completed", "data": {"job": {"code": 20}}}"#, phase: .running,
            rule: "configured values", raw: "20", path: "data.job.code"),
        .init(
            body: #"{"status": "completed"}"#, phase: .unknown, rule: "no status field found", raw: nil,
            path: nil),
        // The default words still apply at the configured path.
        .init(
            body: #"{"data": {"job": {"code": "Succeeded"}}}"#, phase: .succeeded, rule: "default vocabulary",
            raw: "Succeeded", path: "data.job.code"),
    ]

    @Test("extra values, a status map and statusPath extend the defaults", arguments: valuesCases)
    func configuredValues(testCase: ConfiguredCase) throws {
        let classifier = try StatusClassifier(Self.valuesConfig)
        let reading = classifier.classify(try JSONParser.parse(testCase.body))
        #expect(reading.phase == testCase.phase)
        #expect(reading.rule == testCase.rule)
        #expect(reading.rawStatus == testCase.raw)
        #expect(reading.statusPath == testCase.path)
        #expect(reading.message == testCase.message)
    }

    /// Acceptors: equals / in / exists / matches, first match wins.
    static let acceptorConfig = PollingConfig(
        acceptors: [
            AcceptorConfig(
                path: "data.err_code", matches: "^-?[1-9]", state: "failure", message: "data.message"),
            AcceptorConfig(path: "data.state", in: ["DONE", "FINISHED", 50], state: "success"),
            AcceptorConfig(path: "data.result_url", exists: true, state: "success"),
            AcceptorConfig(equals: "HOLD", state: "retry"),
            AcceptorConfig(path: "data.cancelled_by", exists: true, state: "canceled"),
            AcceptorConfig(path: "data.state", equals: 30, state: "failure"),
            AcceptorConfig(path: "data.heartbeat", exists: false, state: "retry"),
        ])

    static let acceptorCases: [ConfiguredCase] = [
        // No acceptor matches (heartbeat present): the defaults decide.
        .init(
            body: #"{"data": {"state": "running", "err_code": 0, "heartbeat": 1}}"#, phase: .running,
            rule: "default vocabulary", raw: "running", path: "data.state"),
        .init(
            body: #"{"data": {"state": "failed", "error": "boom", "heartbeat": 1}}"#, phase: .failed,
            rule: "default vocabulary", raw: "failed", path: "data.state", message: "boom"),
        // matches, with the message path; first match wins over the `in` rule below it.
        .init(
            body: #"{"data": {"state": "FINISHED", "err_code": 1001, "message": "quota exceeded"}}"#,
            phase: .failed,
            rule: "acceptors[0]", raw: "1001", path: "data.err_code", message: "quota exceeded"),
        .init(
            body: #"{"data": {"state": "FINISHED", "err_code": "-5", "message": "bad"}}"#, phase: .failed,
            rule: "acceptors[0]", raw: "-5", path: "data.err_code", message: "bad"),
        // A failure acceptor without a message path falls back to the usual message fields.
        .init(
            body: #"{"data": {"state": 30, "fail_reason": "rejected by policy"}}"#, phase: .failed,
            rule: "acceptors[5]", raw: "30", path: "data.state", message: "rejected by policy"),
        // in, case-insensitively and numbers as text.
        .init(
            body: #"{"data": {"state": "finished", "err_code": 0}}"#, phase: .succeeded, rule: "acceptors[1]",
            raw: "finished", path: "data.state"),
        .init(
            body: #"{"data": {"state": "50"}}"#, phase: .succeeded, rule: "acceptors[1]", raw: "50",
            path: "data.state"),
        // exists: true, and null does not exist.
        .init(
            body: #"{"data": {"state": "weird", "result_url": "https://x.test/r"}}"#, phase: .succeeded,
            rule: "acceptors[2]", raw: "https://x.test/r", path: "data.result_url"),
        .init(
            body: #"{"data": {"state": "hold", "result_url": null}}"#, phase: .running, rule: "acceptors[3]",
            raw: "hold", path: "data.state"),
        // equals without a path tests the detected status field.
        .init(
            body: #"{"data": {"state": "HOLD", "heartbeat": 1}}"#, phase: .running, rule: "acceptors[3]",
            raw: "HOLD",
            path: "data.state"),
        // A word only an acceptor knows is still the status: a known word deeper does not win.
        .init(
            body: #"{"state": "HOLD", "data": {"state": "running", "heartbeat": 1}}"#, phase: .running,
            rule: "acceptors[3]", raw: "HOLD", path: "state"),
        .init(
            body: #"{"data": {"state": "running", "cancelled_by": "user", "heartbeat": 1}}"#,
            phase: .canceled,
            rule: "acceptors[4]", raw: "user", path: "data.cancelled_by"),
        // exists: false matches a missing path.
        .init(
            body: #"{"data": {"state": "completed"}}"#, phase: .running, rule: "acceptors[6]",
            raw: "completed", path: "data.heartbeat"),
    ]

    @Test("acceptors decide first; the first match wins", arguments: acceptorCases)
    func acceptors(testCase: ConfiguredCase) throws {
        let classifier = try StatusClassifier(Self.acceptorConfig)
        let reading = classifier.classify(try JSONParser.parse(testCase.body))
        #expect(reading.phase == testCase.phase)
        #expect(reading.rule == testCase.rule)
        #expect(reading.rawStatus == testCase.raw)
        #expect(reading.statusPath == testCase.path)
        #expect(reading.message == testCase.message)
    }

    @Test("Tencent VOD: FINISH with a non-zero ErrCode is a failure through an acceptor")
    func tencentVODAcceptor() throws {
        let classifier = try StatusClassifier(
            PollingConfig(
                statusPath: "Response.Status",
                statusMap: ["WAITING": "pending", "PROCESSING": "running", "FINISH": "success"],
                acceptors: [
                    AcceptorConfig(
                        path: "Response.AigcImageTask.ErrCode", matches: "^-?[1-9]", state: "failure",
                        message: "Response.AigcImageTask.Message")
                ]))
        let failed = classifier.classify(
            try JSONParser.parse(
                #"""
                {"Response": {"TaskType": "AigcImageTask", "Status": "FINISH",
                 "AigcImageTask": {"Status": "FINISH", "ErrCode": 10001, "Message": "Prompt failed the content check.",
                                   "Progress": 100}}}
                """#))
        #expect(failed.phase == .failed)
        #expect(failed.message == "Prompt failed the content check.")
        let done = classifier.classify(
            try JSONParser.parse(
                #"{"Response": {"Status": "FINISH", "AigcImageTask": {"ErrCode": 0, "Message": ""}}}"#))
        #expect(done.phase == .succeeded)
        #expect(done.rule == "configured values")
    }

    @Test("Jimeng: paths keyed by the task id are bound before classifying")
    func jimengBoundById() throws {
        let classifier = try StatusClassifier(
            PollingConfig(
                statusPath: #"data["{id}"].status"#,
                statusMap: [
                    "20": "running", "42": "running", "45": "running", "10": "success", "50": "success",
                ],
                acceptors: [
                    AcceptorConfig(
                        path: #"data["{id}"].status"#, equals: 30, state: "failure",
                        message: #"data["{id}"].fail_msg"#)
                ])
        )
        .bound(taskId: "18427036011010")
        let running = classifier.classify(
            try JSONParser.parse(
                #"{"data": {"18427036011010": {"status": 42, "fail_code": "", "item_list": []}}}"#))
        #expect(running.phase == .running)
        #expect(running.statusPath == #"data["18427036011010"].status"#)
        let failed = classifier.classify(
            try JSONParser.parse(
                #"""
                {"data": {"18427036011010": {"status": 30, "fail_code": "2038", "item_list": [],
                 "fail_msg": "Generation failed: the prompt was rejected by the content policy."}}}
                """#))
        #expect(failed.phase == .failed)
        #expect(failed.rule == "acceptors[0]")
        #expect(failed.message == "Generation failed: the prompt was rejected by the content policy.")
        let done = classifier.classify(try JSONParser.parse(#"{"data": {"18427036011010": {"status": 50}}}"#))
        #expect(done.phase == .succeeded)
    }

    @Test("an errorPath names the provider's message")
    func errorPath() throws {
        let classifier = try StatusClassifier(PollingConfig(errorPath: "meta.problem.text"))
        let failed = classifier.classify(
            try JSONParser.parse(
                #"{"status": "failed", "error": "generic", "meta": {"problem": {"text": "specific"}}}"#))
        #expect(failed.message == "specific")
        let succeeded = classifier.classify(
            try JSONParser.parse(#"{"status": "succeeded", "meta": {"problem": {"text": "late failure"}}}"#))
        #expect(succeeded.phase == .failed)
        #expect(succeeded.rule == "success with error field meta.problem.text")
        #expect(succeeded.message == "late failure")
    }

    static let messageTextCases: [(JSONValue, String?)] = [
        (JSONValue.string("plain"), "plain"),
        ("", nil),
        (nil, nil),
        (["message": "m"], "m"),
        (["Code": "E1", "Message": "m"], "E1: m"),
        (["code": 40119, "msg": "too long"], "40119: too long"),
        (["detail": "d", "other": 1], "d"),
        (["unrelated": 1], #"{"unrelated":1}"#),
        (42, "42"),
    ]

    @Test("messageText reads strings and message-like members", arguments: messageTextCases)
    func messageText(value: JSONValue, expected: String?) {
        #expect(StatusClassifier.messageText(value) == expected)
    }

    // MARK: Outputs

    struct OutputCase: Sendable, CustomTestStringConvertible {
        var name: String
        var body: String
        var paths: [String]? = nil
        var all: Bool = false
        var urls: [String]
        var found: [String]
        var testDescription: String { name }
    }

    static let outputCases: [OutputCase] = [
        .init(
            name: "HeyGen: video_url beats thumbnail_url and gif_url",
            body: #"""
                {"code": 100, "data": {"id": "7a1b", "status": "completed",
                 "video_url": "https://files2.heygen.ai/a/7a1b.mp4?Expires=1&Signature=abc",
                 "thumbnail_url": "https://files2.heygen.ai/a/7a1b.jpeg", "gif_url": "https://files2.heygen.ai/a/7a1b.gif",
                 "caption_url": null, "error": null}, "message": "Success"}
                """#,
            urls: ["https://files2.heygen.ai/a/7a1b.mp4?Expires=1&Signature=abc"], found: ["data.video_url"]),
        .init(
            name: "fal: images[*].url returns every image",
            body: #"""
                {"images": [{"url": "https://v3.fal.media/files/koala/a.png", "width": 1024, "content_type": "image/png"},
                            {"url": "https://v3.fal.media/files/koala/b.png", "width": 1024}],
                 "timings": {"inference": 1.9}, "seed": 1234567, "has_nsfw_concepts": [false],
                 "prompt": "a lighthouse at dawn"}
                """#,
            urls: ["https://v3.fal.media/files/koala/a.png", "https://v3.fal.media/files/koala/b.png"],
            found: ["images[0].url", "images[1].url"]),
        .init(
            name: "Replicate: output string; urls and input are not outputs",
            body: #"""
                {"id": "gm3q", "input": {"image": "https://example.com/in.png"}, "logs": "",
                 "output": "https://replicate.delivery/xezq/abc123/out-0.png", "error": null, "status": "succeeded",
                 "urls": {"cancel": "https://api.replicate.com/v1/predictions/gm3q/cancel",
                          "get": "https://api.replicate.com/v1/predictions/gm3q",
                          "stream": "https://stream.replicate.com/v1/files/abc"}}
                """#,
            urls: ["https://replicate.delivery/xezq/abc123/out-0.png"], found: ["output"]),
        .init(
            name: "Replicate: output array",
            body: #"""
                {"id": "gm3q", "status": "succeeded",
                 "output": ["https://replicate.delivery/xezq/abc123/out-0.png",
                            "https://replicate.delivery/xezq/abc123/out-1.png"],
                 "urls": {"get": "https://api.replicate.com/v1/predictions/gm3q"}}
                """#,
            urls: [
                "https://replicate.delivery/xezq/abc123/out-0.png",
                "https://replicate.delivery/xezq/abc123/out-1.png",
            ],
            found: ["output[0]", "output[1]"]),
        .init(
            name: "Replicate: an object output gives every file in it",
            body: #"""
                {"id": "gm3q", "status": "succeeded",
                 "output": {"image": "https://replicate.delivery/xezq/abc123/image.png",
                            "mask": "https://replicate.delivery/xezq/abc123/mask.png",
                            "frames": ["https://replicate.delivery/xezq/abc123/f0.png"], "seed": 42},
                 "urls": {"get": "https://api.replicate.com/v1/predictions/gm3q"}}
                """#,
            urls: [
                "https://replicate.delivery/xezq/abc123/image.png",
                "https://replicate.delivery/xezq/abc123/mask.png",
                "https://replicate.delivery/xezq/abc123/f0.png",
            ],
            found: ["output.image", "output.mask", "output.frames[0]"]),
        .init(
            name: "no preferred key anywhere: the best candidate's group only",
            body: #"{"result": {"first": "https://cdn.test/a.png", "second": "https://cdn.test/b.png"}}"#,
            urls: ["https://cdn.test/a.png"], found: ["result.first"]),
        .init(
            name: "Runway: output[]",
            body:
                #"{"id": "17f2", "status": "SUCCEEDED", "output": ["https://dnznrvs05pmza.cloudfront.net/17f2/output.mp4?_jwt=eyJ"]}"#,
            urls: ["https://dnznrvs05pmza.cloudfront.net/17f2/output.mp4?_jwt=eyJ"], found: ["output[0]"]),
        .init(
            name: "Azure: output.url",
            body:
                #"{"id": "7c9e", "output": {"url": "https://examplestorage.blob.core.windows.net/results/output.mp4?sig=R"}}"#,
            urls: ["https://examplestorage.blob.core.windows.net/results/output.mp4?sig=R"],
            found: ["output.url"]),
        .init(
            name: "excluded keys are never outputs",
            body: #"""
                {"status_url": "https://q.test/s", "statusUrl": "https://q.test/s2", "response_url": "https://q.test/r",
                 "cancel_url": "https://q.test/c", "logs": ["https://q.test/log"], "webhook_url": "https://hook.test",
                 "callbackUrl": "https://cb.test", "preview_image": "https://p.test/x.png",
                 "cover_url": "https://c.test/x.jpg", "thumbnailUrl": "https://t.test/x.jpg",
                 "urls": {"get": "https://api.test/p"}, "input": {"url": "https://in.test/x"},
                 "inputs": ["https://in.test/y"], "caption_url": "https://c.test/c.vtt"}
                """#,
            urls: [], found: []),
        .init(
            name: "an unlisted key is still searched",
            body: #"{"status_url": "https://q.test/s", "result": {"file": "https://cdn.test/x.bin"}}"#,
            urls: ["https://cdn.test/x.bin"], found: ["result.file"]),
        .init(
            name: "shallower before deeper",
            body: #"{"a": {"b": {"url": "https://deep.test/x"}}, "url": "https://shallow.test/x"}"#,
            urls: ["https://shallow.test/x"], found: ["url"]),
        .init(
            name: "a preferred key beats a shallower plain key",
            body: #"{"link": "https://plain.test/x", "data": {"video_url": "https://v.test/x.mp4"}}"#,
            urls: ["https://v.test/x.mp4"], found: ["data.video_url"]),
        .init(
            name: "non-URL strings are ignored",
            body: #"{"output": "just text", "result_url": "ftp://x.test/a", "url": "/relative/path"}"#,
            urls: [],
            found: []),
        .init(
            name: "data: URIs count",
            body: #"{"status": "done", "image": "data:image/png;base64,iVBORw0KGgo="}"#,
            urls: ["data:image/png;base64,iVBORw0KGgo="], found: ["image"]),
        .init(
            name: "duplicates collapse",
            body: #"{"output": ["https://x.test/a.png", "https://x.test/a.png"]}"#,
            urls: ["https://x.test/a.png"],
            found: ["output[0]"]),
        .init(
            name: "all: true returns every candidate, best first",
            body:
                #"{"extra": {"url": "https://e.test/x"}, "video_url": "https://v.test/x.mp4", "misc": "https://m.test/y"}"#,
            all: true, urls: ["https://v.test/x.mp4", "https://e.test/x", "https://m.test/y"],
            found: ["video_url", "extra.url", "misc"]),
        .init(
            name: "without all, only the best group",
            body:
                #"{"extra": {"url": "https://e.test/x"}, "video_url": "https://v.test/x.mp4", "misc": "https://m.test/y"}"#,
            urls: ["https://v.test/x.mp4"], found: ["video_url"]),
        .init(
            name: "all: true still skips excluded keys and duplicates",
            body:
                #"{"video_url": "https://v.test/x.mp4", "data": {"video_url": "https://v.test/x.mp4"}, "thumbnail_url": "https://t.test/t.jpg"}"#,
            all: true, urls: ["https://v.test/x.mp4"], found: ["video_url"]),
        .init(
            name: "explicit paths win over the search",
            body:
                #"{"video_url": "https://v.test/x.mp4", "data": {"thumbnail_url": "https://t.test/t.jpg"}}"#,
            paths: ["data.thumbnail_url"], urls: ["https://t.test/t.jpg"], found: ["data.thumbnail_url"]),
        .init(
            name: "explicit wildcard path",
            body: #"""
                {"Response": {"AigcImageTask": {"Output": {"FileInfos": [
                  {"FileUrl": "https://vod.test/1.png", "FileId": "1"}, {"FileUrl": "https://vod.test/2.png", "FileId": "2"}]}}}}
                """#,
            paths: ["Response.AigcImageTask.Output.FileInfos[*].FileUrl"],
            urls: ["https://vod.test/1.png", "https://vod.test/2.png"],
            found: [
                "Response.AigcImageTask.Output.FileInfos[0].FileUrl",
                "Response.AigcImageTask.Output.FileInfos[1].FileUrl",
            ]),
        .init(
            name: "explicit path to objects takes their url-like member",
            body:
                #"{"results": [{"href": "https://a.test/1"}, {"uri": "https://a.test/2", "url": "https://a.test/2u"}], "video_url": "https://v.test/x"}"#,
            paths: ["results"], urls: ["https://a.test/1", "https://a.test/2u"],
            found: ["results[0].href", "results[1].url"]),
        .init(
            name: "several explicit paths, in order",
            body: #"{"a": "https://a.test/x", "b": ["https://b.test/1", "not a url"], "c": null}"#,
            paths: ["b", "c", "missing", "a"], urls: ["https://b.test/1", "https://a.test/x"],
            found: ["b[0]", "a"]),
        .init(
            name: "explicit paths that find nothing: nothing", body: #"{"video_url": "https://v.test/x"}"#,
            paths: ["output"], urls: [], found: []),
    ]

    @Test("outputs are found by explicit paths or a ranked search", arguments: outputCases)
    func outputs(testCase: OutputCase) throws {
        let body = try JSONParser.parse(testCase.body)
        var explicit: [JSONPath]?
        if let paths = testCase.paths {
            explicit = try paths.map { path throws(PollsterError) in try JSONPath(parsing: path) }
        }
        let candidates = OutputFinder.find(in: body, explicitPaths: explicit, all: testCase.all)
        #expect(candidates.map(\.url) == testCase.urls)
        #expect(candidates.map(\.path.description) == testCase.found)
    }

    static let exclusionCases: [(String, Bool)] = [
        ("thumbnail_url", true), ("thumbnailUrl", true), ("ThumbnailURL", true), ("previewImage", true),
        ("cover", true), ("Webhook", true), ("callback_url", true), ("urls", true), ("logs", true),
        ("video_url", false), ("url", false), ("output", false), ("url_list", false),
    ]

    @Test("excluded keys", arguments: exclusionCases)
    func excluded(key: String, isExcluded: Bool) {
        #expect(OutputFinder.isExcluded(key) == isExcluded)
    }
}

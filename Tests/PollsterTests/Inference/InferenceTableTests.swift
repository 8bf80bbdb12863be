import Foundation
import NIOHTTP1
import PollsterCore
import PollsterMock
import PollsterTesting
import Testing

/// The pure parts of record and infer, as tables: redaction of recorded values, curl parsing,
/// and what the inferrer drafts from small hand-made exchanges.
@Suite("Record and infer: pure logic")
struct InferenceTableTests {
    static let redactor = FixtureRedactor(secrets: [
        "API_KEY": "sk-live-1234/abcd", "SECRET_ID": "AKIDexample99",
    ])

    static let headerCases: [(name: String, value: String, recorded: String)] = [
        ("X-Api-Key", "sk-live-1234/abcd", "${API_KEY}"),
        ("Authorization", "Bearer sk-live-1234/abcd", "Bearer ${API_KEY}"),
        ("Authorization", "Key sk-live-1234/abcd", "Key ${API_KEY}"),
        ("Authorization", "Bearer unknown-token-value", "Bearer [REDACTED]"),
        ("Authorization", "Basic dXNlcjpwYXNz", "Basic [REDACTED]"),
        (
            "Authorization",
            "TC3-HMAC-SHA256 Credential=AKIDexample99/2024-05-01/hunyuan/tc3_request, SignedHeaders=content-type;host, Signature=9f0a",
            "TC3-HMAC-SHA256 Credential=${SECRET_ID}/2024-05-01/hunyuan/tc3_request, SignedHeaders=content-type;host, Signature=[REDACTED]"
        ),
        ("Cookie", "session=sk-live-1234/abcd; theme=dark", "session=${API_KEY}; theme=[REDACTED]"),
        ("Ocp-Apim-Subscription-Key", "other-key-5678", "[REDACTED]"),
        ("X-Runway-Version", "2024-11-06", "2024-11-06"),
        (
            "Location", "https://cdn.test/out.mp4?X-Amz-Signature=abc&X-Amz-Date=1",
            "https://cdn.test/out.mp4?X-Amz-Signature=[REDACTED]&X-Amz-Date=1"
        ),
    ]

    @Test("headers keep their scheme and placeholders, nothing else secret", arguments: headerCases)
    func header(name: String, value: String, recorded: String) {
        #expect(Self.redactor.header(name: name, value: value) == recorded)
    }

    static let urlCases: [(url: String, recorded: String)] = [
        ("https://api.test/v1/jobs?key=sk-live-1234%2Fabcd", "https://api.test/v1/jobs?key=${API_KEY}"),
        ("https://api.test/v1/jobs?token=zzz&page=2", "https://api.test/v1/jobs?token=[REDACTED]&page=2"),
        (
            "https://cos.test/a.png?q-sign-algorithm=sha1&q-signature=ff",
            "https://cos.test/a.png?q-sign-algorithm=[REDACTED]&q-signature=[REDACTED]"
        ),
        ("https://files.test/v.mp4?sig=abc&se=2030", "https://files.test/v.mp4?sig=[REDACTED]&se=2030"),
        ("https://u:p@api.test/x", "https://[REDACTED]@api.test/x"),
    ]

    @Test("URLs lose secrets and signed query values", arguments: urlCases)
    func url(url: String, recorded: String) {
        #expect(Self.redactor.url(url) == recorded)
    }

    @Test("a body echoing the secret in any encoding records only the placeholder")
    func body() {
        let echoed: JSONValue = [
            "raw": "sk-live-1234/abcd", "escaped": #"sk-live-1234\/abcd"#, "percent": "sk-live-1234%2Fabcd",
            "base64": .string(Data("sk-live-1234/abcd".utf8).base64EncodedString()),
            "output": "https://cdn.test/o.png?Signature=s&Expires=1",
        ]
        let text = JSONWriter.string(Self.redactor.json(echoed))
        #expect(!text.contains("sk-live"))
        #expect(!text.contains(Data("sk-live-1234/abcd".utf8).base64EncodedString()))
        #expect(text.contains("Signature=[REDACTED]"))
    }

    static let curlCases:
        [(command: String, method: String, url: String, headers: [String: String], body: JSONValue?)] = [
            (
                #"curl -X POST https://api.test/v1/jobs -H 'Authorization: Bearer abc123456' -H "Content-Type: application/json" -d '{"prompt": "a cat"}'"#,
                "POST", "https://api.test/v1/jobs",
                ["Authorization": "Bearer [REDACTED]", "Content-Type": "application/json"],
                ["prompt": "a cat"]
            ),
            ("curl https://api.test/v1/jobs/42", "GET", "https://api.test/v1/jobs/42", [:], nil),
            (
                "curl --request PUT \\\n  --url 'https://api.test/x?api_key=k123456' \\\n  --data '{}'",
                "PUT",
                "https://api.test/x?api_key=[REDACTED]", [:], [:]
            ),
        ]

    @Test("curl command lines parse, with credentials masked", arguments: curlCases)
    func curl(command: String, method: String, url: String, headers: [String: String], body: JSONValue?)
        throws
    {
        let request = try CurlCommand.parse(command)
        #expect(request.method == method)
        #expect(request.url == url)
        #expect(request.headers == headers)
        #expect(request.body == body)
    }

    /// A hand-made recording: submit, polls with `statuses`, then (on success) a download.
    static func fixture(
        submit: JSONValue, statusURL: String, pollBody: (String) -> JSONValue, statuses: [String],
        downloaded: Bool, input: JSONValue = ["prompt": "x"], submitHeaders: [String: String] = [:]
    ) -> Fixture {
        var exchanges: [Fixture.Exchange] = []
        var first = Fixture.Exchange(
            method: "POST", url: "https://api.test/v1/jobs", requestBody: input, status: 200,
            body: JSONWriter.bytes(submit))
        first.requestHeaders = submitHeaders
        exchanges.append(first)
        for status in statuses {
            exchanges.append(
                Fixture.Exchange(
                    method: "GET", url: statusURL, status: 200, body: JSONWriter.bytes(pollBody(status))))
        }
        if downloaded {
            var download = Fixture.Exchange(method: "GET", url: "https://cdn.test/out.png", status: 200)
            download.bodyOmitted = true
            exchanges.append(download)
        }
        return Fixture(tool: "acme.render", input: input, exchanges: exchanges)
    }

    @Test("default words: explicit id, templated status URL, status path, outputs without the decoy")
    func defaultVocabulary() throws {
        let fixture = Self.fixture(
            submit: ["data": ["job_id": "j-12345"]], statusURL: "https://api.test/v1/jobs/j-12345",
            pollBody: { status in
                [
                    "data": [
                        "status": .string(status),
                        "result_url": status == "completed" ? "https://cdn.test/out.png" : nil,
                        "thumbnail_url": "https://cdn.test/thumb.jpg",
                    ]
                ]
            },
            statuses: ["queued", "processing", "completed"], downloaded: true,
            submitHeaders: ["X-Api-Key": "${ACME_KEY}", "Content-Type": "application/json"])
        let draft = try AdapterInferrer.infer([fixture])
        #expect(draft.tool == "acme.render")
        #expect(draft.baseUrl == "https://api.test")
        #expect(draft.endpoint == "/v1/jobs")
        #expect(draft.config.headers == ["X-Api-Key": "${ACME_KEY}"])
        #expect(draft.config.submit.taskIdPath == "data.job_id")
        #expect(draft.config.polling?.statusUrl == "/v1/jobs/{id}")
        #expect(draft.config.polling?.statusPath == "data.status")
        #expect(draft.config.polling?.statusMap == nil)
        #expect(draft.config.output.paths == ["data.result_url"])
        #expect(
            draft.guesses.contains { $0.key == "output.paths" && $0.evidence.contains("data.thumbnail_url") })
    }

    @Test("numeric codes in an id-keyed answer: statusMap from what followed, a question for failure")
    func numericCodes() throws {
        let fixture = Self.fixture(
            submit: ["data": ["history_record_id": "778899001"]],
            statusURL: "https://api.test/v1/history?ids=778899001",
            pollBody: { status in
                [
                    "data": [
                        "778899001": [
                            "status": .integer(Int64(status)!), "fail_msg": "",
                            "items": status == "50" ? ["https://cdn.test/out.png"] : [],
                        ]
                    ]
                ]
            },
            statuses: ["20", "42", "50"], downloaded: true)
        let draft = try AdapterInferrer.infer([fixture])
        #expect(draft.config.polling?.statusUrl == "/v1/history?ids={id}")
        #expect(draft.config.polling?.statusPath == "data.{id}.status")
        #expect(draft.config.polling?.statusMap == ["20": "running", "42": "running", "50": "success"])
        #expect(draft.config.output.paths == ["data.{id}.items[*]"])
        #expect(draft.questions.contains { $0.contains("no failure was recorded") })
        #expect(draft.yaml.contains("# QUESTION: polling.statusMap"))
    }

    @Test("a failure recording adds the failure code and the error path")
    func failureRecording() throws {
        let body: (String) -> JSONValue = { status in
            [
                "Response": [
                    "JobStatusCode": .string(status),
                    "JobErrorMsg": status == "4" ? "rejected by review" : "",
                    "ResultImage": status == "5" ? ["https://cdn.test/out.png"] : [],
                ]
            ]
        }
        let success = Self.fixture(
            submit: ["Response": ["JobId": "job-5551"]], statusURL: "https://api.test/v1/jobs/job-5551",
            pollBody: body, statuses: ["1", "2", "5"], downloaded: true)
        let failure = Self.fixture(
            submit: ["Response": ["JobId": "job-5552"]], statusURL: "https://api.test/v1/jobs/job-5552",
            pollBody: body, statuses: ["1", "4"], downloaded: false)
        let draft = try AdapterInferrer.infer([success, failure])
        #expect(draft.config.polling?.statusPath == "Response.JobStatusCode")
        #expect(
            draft.config.polling?.statusMap == [
                "1": "running", "2": "running", "4": "failure", "5": "success",
            ])
        #expect(draft.config.polling?.errorPath == "Response.JobErrorMsg")
        #expect(!draft.questions.contains { $0.contains("no failure was recorded") })
    }

    @Test("a body field that carried the client reference is left out of the draft, with a question")
    func referenceTag() throws {
        var fixture = Self.fixture(
            submit: ["id": "j-1"], statusURL: "https://api.test/v1/jobs/j-1",
            pollBody: {
                ["status": .string($0), "output": $0 == "succeeded" ? "https://cdn.test/out.png" : nil]
            },
            statuses: ["running", "succeeded"], downloaded: true)
        fixture.reference = "ref-42"
        fixture.exchanges[0].requestBody = ["prompt": "x", "title": "Pollster (ref-42)"]
        let draft = try AdapterInferrer.infer([fixture])
        #expect(draft.config.body == nil, "the input alone is the body")
        #expect(draft.questions.contains { $0.contains("title") && $0.contains("submit.reconcile") })
    }

    @Test("a fixture without exchanges is INVALID_INPUT")
    func empty() {
        #expect(throws: PollsterError.self) { try AdapterInferrer.infer([Fixture(exchanges: [])]) }
    }
}

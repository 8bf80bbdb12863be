import PollsterCore
import Testing

@Suite("Template: placeholders, secrets, encodings, JSON rendering")
struct TemplateTests {
    static let secrets = Secrets([
        "HEYGEN_API_KEY": "hg-secret-123",
        "SPACEY": "a b/c",
        "NEWLINE": "line1\nline2",
    ])

    static let context = TemplateContext(
        input: [
            "prompt": "a cat", "aspect_ratio": nil, "n": 7, "ratio": 1.5, "flag": true,
            "opts": ["k": "v"], "tags": ["a", "b"], "evil": "x\r\nInjected: 1",
            "path": "a/b?c=d&e", "unicode": "é",
        ],
        taskId: "a/b?c",
        response: [
            "urls": ["get": "https://api.replicate.com/v1/predictions/p1?x=1"],
            "data": ["video_id": "v 1"],
        ],
        status: ["result": ["url": "https://cdn.example.com/o.png"], "progress": 0.5],
        secrets: secrets)

    /// The same context before anything is known about the job.
    static let emptyContext = TemplateContext(input: [:], secrets: secrets)

    // MARK: Rendering

    struct RenderCase: Sendable, CustomTestStringConvertible {
        var text: String
        var encoding: Template.Encoding
        var expected: String
        var testDescription: String { "\(text) (\(encoding))" }
    }

    static let renderCases: [RenderCase] = [
        // {id} is percent-encoded inside a URL.
        .init(text: "/v1/tasks/{id}", encoding: .url, expected: "/v1/tasks/a%2Fb%3Fc"),
        .init(
            text: "/v1/video_status.get?video_id={id}", encoding: .url,
            expected: "/v1/video_status.get?video_id=a%2Fb%3Fc"),
        .init(text: "/v1/tasks/{taskId}", encoding: .url, expected: "/v1/tasks/a%2Fb%3Fc"),
        // A URL template that is exactly one placeholder is inserted raw (a whole URL).
        .init(
            text: "{response.urls.get}", encoding: .url,
            expected: "https://api.replicate.com/v1/predictions/p1?x=1"),
        .init(text: "{status.result.url}", encoding: .url, expected: "https://cdn.example.com/o.png"),
        // Inputs and responses are encoded too.
        .init(text: "/q?prompt={input.prompt}", encoding: .url, expected: "/q?prompt=a%20cat"),
        .init(text: "/f/{input.path}", encoding: .url, expected: "/f/a%2Fb%3Fc%3Dd%26e"),
        .init(text: "/u/{input.unicode}", encoding: .url, expected: "/u/%C3%A9"),
        .init(text: "/p/{response.data.video_id}", encoding: .url, expected: "/p/v%201"),
        .init(text: "/r?ar={input.aspect_ratio|16:9}", encoding: .url, expected: "/r?ar=16%3A9"),
        // Secrets are encoded in URLs and raw in headers.
        .init(text: "/k/${SPACEY}", encoding: .url, expected: "/k/a%20b%2Fc"),
        .init(text: "Key ${HEYGEN_API_KEY}", encoding: .header, expected: "Key hg-secret-123"),
        .init(text: "${SPACEY}", encoding: .header, expected: "a b/c"),
        // Plain rendering of each source.
        .init(text: "{input.prompt}", encoding: .plain, expected: "a cat"),
        .init(text: "{response.data.video_id}", encoding: .plain, expected: "v 1"),
        .init(text: "{status.result.url}", encoding: .plain, expected: "https://cdn.example.com/o.png"),
        .init(text: "{id}", encoding: .plain, expected: "a/b?c"),
        .init(
            text: "n={input.n}, r={input.ratio}, f={input.flag}", encoding: .plain,
            expected: "n=7, r=1.5, f=true"),
        .init(text: "{input.tags[1]}-{input.tags[-2]}", encoding: .plain, expected: "b-a"),
        .init(text: "opts={input.opts}", encoding: .plain, expected: #"opts={"k":"v"}"#),
        .init(text: "p={status.progress}", encoding: .plain, expected: "p=0.5"),
        // Defaults: used when missing or null, ignored when the value exists.
        .init(text: "ratio {input.aspect_ratio|16:9}", encoding: .plain, expected: "ratio 16:9"),
        .init(text: "{input.missing|fallback}", encoding: .header, expected: "fallback"),
        .init(text: "{input.prompt|unused}", encoding: .plain, expected: "a cat"),
        .init(text: "{input.missing|}", encoding: .plain, expected: ""),
        .init(text: "{input.missing|a|b}", encoding: .plain, expected: "a|b"),
        // Literal braces.
        .init(text: "{{literal}}", encoding: .plain, expected: "{literal}"),
        .init(text: "{{id}}", encoding: .url, expected: "{id}"),
        .init(text: "a }} b {{ c", encoding: .plain, expected: "a } b { c"),
        .init(text: "{{{id}}}", encoding: .plain, expected: "{a/b?c}"),
        // Braces that do not form a placeholder stay literal.
        .init(text: #"{"a": 1}"#, encoding: .plain, expected: #"{"a": 1}"#),
        .init(text: #"body {"k": "{input.prompt}"}"#, encoding: .plain, expected: #"body {"k": "a cat"}"#),
        .init(text: "{ id }", encoding: .plain, expected: "{ id }"),
        .init(text: "{a b}", encoding: .plain, expected: "{a b}"),
        .init(text: "{12}", encoding: .plain, expected: "{12}"),
        .init(text: "{}", encoding: .plain, expected: "{}"),
        .init(text: "cost: {x:y}", encoding: .plain, expected: "cost: {x:y}"),
        .init(text: "{input.prompt", encoding: .plain, expected: "{input.prompt"),
        .init(text: "${", encoding: .plain, expected: "${"),
        .init(text: "$ {x y}", encoding: .plain, expected: "$ {x y}"),
        // Plain rendering does not police line breaks (bodies may contain them).
        .init(text: "{input.evil}", encoding: .plain, expected: "x\r\nInjected: 1"),
        .init(text: "${NEWLINE}", encoding: .plain, expected: "line1\nline2"),
    ]

    @Test("templates render per encoding", arguments: renderCases)
    func render(testCase: RenderCase) throws {
        let template = try Template(parsing: testCase.text)
        #expect(try template.render(Self.context, encoding: testCase.encoding) == testCase.expected)
        #expect(template.text == testCase.text)
        #expect(template.description == testCase.text)
    }

    // MARK: Rendering errors

    struct RenderErrorCase: Sendable, CustomTestStringConvertible {
        var text: String
        var encoding: Template.Encoding
        var empty: Bool = false
        var code: PollsterError.Code
        var mentions: String
        var testDescription: String { "\(text) (\(encoding))\(empty ? " before submit" : "")" }
    }

    static let renderErrorCases: [RenderErrorCase] = [
        .init(
            text: "Bearer ${MISSING_KEY}", encoding: .header, code: .missingSecret, mentions: "MISSING_KEY"),
        .init(text: "/k/${OTHER_SECRET}", encoding: .url, code: .missingSecret, mentions: "OTHER_SECRET"),
        .init(text: "{input.missing}", encoding: .plain, code: .invalidInput, mentions: "missing"),
        .init(text: "/q/{input.missing}", encoding: .url, code: .invalidInput, mentions: "missing"),
        .init(text: "{input.aspect_ratio}", encoding: .plain, code: .invalidInput, mentions: "aspect_ratio"),
        .init(text: "{response.nope}", encoding: .plain, code: .taskIdNotFound, mentions: "nope"),
        .init(text: "{status.nope}", encoding: .plain, code: .taskFailed, mentions: "nope"),
        .init(
            text: "/v1/tasks/{id}", encoding: .url, empty: true, code: .taskIdNotFound, mentions: "task id"),
        .init(
            text: "{response.urls.get}", encoding: .url, empty: true, code: .taskIdNotFound,
            mentions: "urls.get"),
        // A single placeholder in a URL must be a scalar.
        .init(text: "{input.opts}", encoding: .url, code: .invalidInput, mentions: "opts"),
        // Header values refuse CR/LF, whether from inputs or secrets, single or embedded.
        .init(text: "X {input.evil}", encoding: .header, code: .invalidInput, mentions: "line break"),
        .init(text: "{input.evil}", encoding: .header, code: .invalidInput, mentions: "line break"),
        .init(text: "{input.evil}", encoding: .url, code: .invalidInput, mentions: "line break"),
        .init(text: "Bearer ${NEWLINE}", encoding: .header, code: .invalidInput, mentions: "line break"),
    ]

    @Test("rendering fails with a stable code and a message naming the culprit", arguments: renderErrorCases)
    func renderErrors(testCase: RenderErrorCase) throws {
        let template = try Template(parsing: testCase.text)
        let context = testCase.empty ? Self.emptyContext : Self.context
        let error = #expect(throws: PollsterError.self) {
            try template.render(context, encoding: testCase.encoding)
        }
        #expect(error?.code == testCase.code)
        #expect(error?.message.contains(testCase.mentions) == true, "\(error?.message ?? "")")
    }

    @Test("a missing secret is named, with how to set it, before anything is sent")
    func missingSecretMessage() throws {
        let template = try Template(parsing: "Key ${HEYGEN_KEY_V2}")
        let error = #expect(throws: PollsterError.self) {
            try template.render(TemplateContext(input: [:], secrets: Secrets([:])), encoding: .header)
        }
        #expect(error?.code == .missingSecret)
        #expect(error?.message.contains("${HEYGEN_KEY_V2}") == true)
        #expect(error?.message.contains("HEYGEN_KEY_V2=") == true)
        // renderJSON reports it the same way.
        let json = #expect(throws: PollsterError.self) {
            try template.renderJSON(TemplateContext(input: [:], secrets: Secrets([:])))
        }
        #expect(json?.code == .missingSecret)
    }

    @Test("errors never quote a secret value")
    func secretValueNotInErrors() throws {
        let template = try Template(parsing: "Bearer ${NEWLINE}")
        let error = #expect(throws: PollsterError.self) {
            try template.render(Self.context, encoding: .header)
        }
        #expect(error?.message.contains("line1") == false)
        #expect(error?.description.contains("line2") == false)
        #expect(!Self.secrets.description.contains("hg-secret-123"))
    }

    // MARK: JSON rendering

    static let jsonCases: [(String, JSONValue?)] = [
        ("{input.n}", JSONValue?.some(.integer(7))),
        ("{input.ratio}", .double(1.5)),
        ("{input.flag}", true),
        ("{input.opts}", ["k": "v"]),
        ("{input.tags}", ["a", "b"]),
        ("{input.prompt}", "a cat"),
        ("{id}", "a/b?c"),
        ("{response.urls.get}", "https://api.replicate.com/v1/predictions/p1?x=1"),
        ("{status.progress}", .double(0.5)),
        // A missing single placeholder without default: nil, so the field is left out.
        ("{input.missing}", nil),
        ("{input.aspect_ratio}", nil),
        // Defaults that read as JSON scalars keep that type; others stay text.
        ("{input.missing|5}", .integer(5)),
        ("{input.missing|-2}", .integer(-2)),
        ("{input.missing|2.5}", .double(2.5)),
        ("{input.missing|false}", false),
        ("{input.missing|null}", nil as JSONValue),
        ("{input.aspect_ratio|16:9}", "16:9"),
        ("{input.missing|Hunyuan}", "Hunyuan"),
        ("{input.missing|[1]}", "[1]"),
        ("{input.missing|}", ""),
        ("{input.n|99}", .integer(7)),
        // Anything else is a string.
        ("n={input.n}", "n=7"),
        ("{input.n}{input.n}", "77"),
        ("${HEYGEN_API_KEY}", "hg-secret-123"),
        ("plain text", "plain text"),
        ("{{input.n}}", "{input.n}"),
        (#"{"a": 1}"#, #"{"a": 1}"#),
    ]

    @Test("renderJSON keeps the type of a lone placeholder", arguments: jsonCases)
    func renderJSON(text: String, expected: JSONValue?) throws {
        #expect(try Template(parsing: text).renderJSON(Self.context) == expected)
    }

    @Test("renderJSON of a string with a missing placeholder fails instead of dropping it")
    func renderJSONMissingInsideText() throws {
        let error = #expect(throws: PollsterError.self) {
            try Template(parsing: "ratio {input.missing}").renderJSON(Self.context)
        }
        #expect(error?.code == .invalidInput)
    }

    // MARK: Parsing

    struct ParseErrorCase: Sendable, CustomTestStringConvertible {
        var text: String
        var mentions: String
        var testDescription: String { text }
    }

    static let parseErrorCases: [ParseErrorCase] = [
        .init(text: "{foo.bar}", mentions: "unknown placeholder '{foo.bar}'"),
        .init(text: "/v1/{foo}", mentions: "unknown placeholder '{foo}'"),
        .init(text: "{Input.x}", mentions: "unknown placeholder"),
        .init(text: "{input}", mentions: "needs a path"),
        .init(text: "{response.}", mentions: "needs a path"),
        .init(text: "{id.x}", mentions: "{id} takes no path"),
        .init(text: "{input.a..b}", mentions: "invalid JSON path 'a..b'"),
        .init(text: "{status.items[}", mentions: "invalid JSON path"),
        .init(text: "${not-valid}", mentions: "not a valid secret reference"),
        .init(text: "${1ABC}", mentions: "not a valid secret reference"),
        .init(text: "${}", mentions: "not a valid secret reference"),
    ]

    @Test("malformed templates are refused at load time with INVALID_CONFIG", arguments: parseErrorCases)
    func parseErrors(testCase: ParseErrorCase) {
        let error = #expect(throws: PollsterError.self) { try Template(parsing: testCase.text) }
        #expect(error?.code == .invalidConfig)
        #expect(error?.message.contains(testCase.mentions) == true, "\(error?.message ?? "")")
    }

    struct ShapeCase: Sendable, CustomTestStringConvertible {
        var text: String
        var secrets: [String]
        var usesTaskId: Bool
        var isLiteral: Bool
        var single: Bool
        var testDescription: String { text }
    }

    static let shapeCases: [ShapeCase] = [
        .init(text: "plain", secrets: [], usesTaskId: false, isLiteral: true, single: false),
        .init(text: "", secrets: [], usesTaskId: false, isLiteral: true, single: false),
        .init(text: "{{id}}", secrets: [], usesTaskId: false, isLiteral: true, single: false),
        .init(text: "{id}", secrets: [], usesTaskId: true, isLiteral: false, single: true),
        .init(text: "/v1/tasks/{taskId}", secrets: [], usesTaskId: true, isLiteral: false, single: false),
        .init(text: "{input.x|1}", secrets: [], usesTaskId: false, isLiteral: false, single: true),
        .init(
            text: "${A} ${B_2} ${A}", secrets: ["A", "B_2", "A"], usesTaskId: false, isLiteral: false,
            single: false),
        .init(text: "${TOKEN}", secrets: ["TOKEN"], usesTaskId: false, isLiteral: false, single: false),
    ]

    @Test("templates report their secrets, task id use and shape", arguments: shapeCases)
    func shape(testCase: ShapeCase) throws {
        let template = try Template(parsing: testCase.text)
        #expect(template.secretNames == testCase.secrets)
        #expect(template.usesTaskId == testCase.usesTaskId)
        #expect(template.isLiteral == testCase.isLiteral)
        #expect((template.singlePlaceholder != nil) == testCase.single)
    }

    @Test("a placeholder records its source and default")
    func placeholderParts() throws {
        let placeholder = try #require(try Template(parsing: "{input.aspect_ratio|16:9}").singlePlaceholder)
        #expect(placeholder.source == .input(try JSONPath(parsing: "aspect_ratio")))
        #expect(placeholder.defaultText == "16:9")
        let response = try #require(try Template(parsing: "{response.urls.get}").singlePlaceholder)
        #expect(response.source == .response(try JSONPath(parsing: "urls.get")))
        #expect(response.defaultText == nil)
        let status = try #require(try Template(parsing: "{status.data[0].state}").singlePlaceholder)
        #expect(status.source == .status(try JSONPath(parsing: "data[0].state")))
        #expect(try Template(parsing: "{id}").singlePlaceholder?.source == .id)
    }

    // MARK: Percent-encoding

    static let encodingCases: [(String, String)] = [
        ("abcXYZ019-._~", "abcXYZ019-._~"),
        ("a/b?c", "a%2Fb%3Fc"),
        ("a b+c&d=e#f%", "a%20b%2Bc%26d%3De%23f%25"),
        ("é中", "%C3%A9%E4%B8%AD"),
        ("\r\n", "%0D%0A"),
        ("", ""),
    ]

    @Test("percent-encoding leaves only unreserved characters and round-trips", arguments: encodingCases)
    func percentEncoding(raw: String, encoded: String) {
        #expect(PercentEncoding.encode(raw) == encoded)
        #expect(PercentEncoding.decode(encoded) == raw)
    }

    @Test("percent-decoding handles + and refuses malformed escapes")
    func percentDecoding() {
        #expect(PercentEncoding.decode("a+b", plusIsSpace: true) == "a b")
        #expect(PercentEncoding.decode("a+b") == "a+b")
        #expect(PercentEncoding.decode("%4a%4A") == "JJ")
        #expect(PercentEncoding.decode("%") == nil)
        #expect(PercentEncoding.decode("%G0") == nil)
        #expect(PercentEncoding.decode("%FF") == nil)
    }

    // MARK: A submitted job: id, submit response, status, secrets

    static let submitContext = TemplateContext(
        input: ["prompt": "a cat", "n": 3, "ratio": nil, "nested": ["k": "v"]],
        taskId: "a/b?c=d",
        response: ["urls": ["get": "https://api.example.com/v1/p/1?x=1"], "id": 7],
        status: ["result": ["url": "https://cdn.example.com/x.png"]],
        secrets: Secrets(["API_KEY": "s3cr3t-value"]))

    static let submitRenderCases: [(String, Template.Encoding, String)] = [
        ("/jobs/{id}", Template.Encoding.url, "/jobs/a%2Fb%3Fc%3Dd"),
        ("{response.urls.get}", .url, "https://api.example.com/v1/p/1?x=1"),
        ("/p/{response.id}/{input.prompt}", .url, "/p/7/a%20cat"),
        ("Bearer ${API_KEY}", .header, "Bearer s3cr3t-value"),
        ("{input.ratio|16:9}", .plain, "16:9"),
        ("{input.nested.k}-{status.result.url}", .plain, "v-https://cdn.example.com/x.png"),
        ("literal {{braces}} and {\"json\": 1}", .plain, "literal {braces} and {\"json\": 1}"),
    ]

    @Test(
        "strings render per encoding",
        arguments: submitRenderCases)
    func renderAfterSubmit(text: String, encoding: Template.Encoding, expected: String) throws {
        #expect(try Template(parsing: text).render(Self.submitContext, encoding: encoding) == expected)
    }

    static let submitJSONCases: [(String, JSONValue?)] = [
        ("{input.n}", JSONValue?.some(3)), ("{input.nested}", ["k": "v"]), ("{input.missing}", nil),
        ("{input.missing|5}", 5), ("{input.missing|true}", true), ("{input.missing|16:9}", "16:9"),
        ("n={input.n}", "n=3"),
    ]

    @Test(
        "JSON rendering keeps the type of a lone placeholder",
        arguments: submitJSONCases)
    func renderJSONAfterSubmit(text: String, expected: JSONValue?) throws {
        #expect(try Template(parsing: text).renderJSON(Self.submitContext) == expected)
    }

    @Test("a missing secret is MISSING_SECRET naming it")
    func missingSecret() throws {
        let template = try Template(parsing: "Key ${FAL_KEY}")
        #expect(template.secretNames == ["FAL_KEY"])
        #expect {
            _ = try template.render(Self.submitContext, encoding: .header)
        } throws: { error in
            let error = error as? PollsterError
            return error?.code == .missingSecret && error?.message.contains("FAL_KEY") == true
        }
    }

    @Test("a missing input without default names the field")
    func missingInput() throws {
        #expect {
            _ = try Template(parsing: "/v/{input.version}").render(Self.submitContext, encoding: .url)
        } throws: { error in
            (error as? PollsterError)?.message.contains("input field 'version'") == true
        }
    }

    @Test("header values with line breaks are refused")
    func headerInjection() throws {
        let context = TemplateContext(input: ["v": "x\r\nX-Evil: 1"], secrets: Secrets([:]))
        #expect {
            _ = try Template(parsing: "{input.v}").render(context, encoding: .header)
        } throws: { error in
            (error as? PollsterError)?.code == .invalidInput
        }
    }

    @Test(
        "unknown placeholder sources are INVALID_CONFIG", arguments: ["{foo.bar}", "{id.x}", "${bad name}"])
    func unknownSource(text: String) {
        #expect {
            _ = try Template(parsing: text)
        } throws: { error in
            (error as? PollsterError)?.code == .invalidConfig
        }
    }

    @Test("Secrets never print their values")
    func secretsDescription() {
        #expect(!"\(Secrets(["K": "value-123"]))".contains("value-123"))
        #expect(Redactor(secrets: ["value-123"]).redact("token value-123!") == "token [REDACTED]!")
    }
}

/// A client reference made up for an invocation reads as a random lowercase UUID (version 4).
@Suite("GeneratedReference")
struct GeneratedReferenceTests {
    /// A generator that returns the given words in turn.
    struct Fixed: RandomNumberGenerator {
        var words: [UInt64]
        mutating func next() -> UInt64 { words.removeFirst() }
    }

    @Test(
        "version 4, variant 10, lowercase 8-4-4-4-12",
        arguments: [
            ([UInt64.max, UInt64.max], "ffffffff-ffff-4fff-bfff-ffffffffffff"),
            ([0, 0], "00000000-0000-4000-8000-000000000000"),
            ([0x0123_4567_89AB_CDEF, 0xFEDC_BA98_7654_3210], "01234567-89ab-4def-bedc-ba9876543210"),
        ])
    func spelling(_ words: [UInt64], _ expected: String) {
        var random = Fixed(words: words)
        #expect(GeneratedReference(using: &random).text == expected)
    }

    @Test("a context with a generated reference reads it the same every time; a given one wins")
    func inContext() throws {
        var random = SystemRandomNumberGenerator()
        var context = TemplateContext(input: [:], secrets: Secrets([:]))
        #expect(context.reference == nil)
        context.generateReference(using: &random)
        let first = try #require(context.reference)
        #expect(context.reference == first)
        #expect(first.count == 36)
        #expect(try Template(parsing: "{reference}").render(context, encoding: .plain) == first)
        var other = TemplateContext(input: [:], secrets: Secrets([:]))
        other.generateReference(using: &random)
        #expect(other.reference != first)
        context.reference = "given-key"
        #expect(context.reference == "given-key")
    }
}

import PollsterCore
import Testing

@Suite("Templates")
struct TemplateTableTests {
    static let context = TemplateContext(
        input: ["prompt": "a cat", "n": 3, "ratio": nil, "nested": ["k": "v"]],
        taskId: "a/b?c=d",
        response: ["urls": ["get": "https://api.example.com/v1/p/1?x=1"], "id": 7],
        status: ["result": ["url": "https://cdn.example.com/x.png"]],
        secrets: Secrets(["API_KEY": "s3cr3t-value"]))

    static let renderCases: [(String, Template.Encoding, String)] = [
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
        arguments: renderCases)
    func render(text: String, encoding: Template.Encoding, expected: String) throws {
        #expect(try Template(parsing: text).render(Self.context, encoding: encoding) == expected)
    }

    static let jsonCases: [(String, JSONValue?)] = [
        ("{input.n}", JSONValue?.some(3)), ("{input.nested}", ["k": "v"]), ("{input.missing}", nil),
        ("{input.missing|5}", 5), ("{input.missing|true}", true), ("{input.missing|16:9}", "16:9"),
        ("n={input.n}", "n=3"),
    ]

    @Test(
        "JSON rendering keeps the type of a lone placeholder",
        arguments: jsonCases)
    func renderJSON(text: String, expected: JSONValue?) throws {
        #expect(try Template(parsing: text).renderJSON(Self.context) == expected)
    }

    @Test("a missing secret is MISSING_SECRET naming it")
    func missingSecret() throws {
        let template = try Template(parsing: "Key ${FAL_KEY}")
        #expect(template.secretNames == ["FAL_KEY"])
        #expect {
            _ = try template.render(Self.context, encoding: .header)
        } throws: { error in
            let error = error as? PollsterError
            return error?.code == .missingSecret && error?.message.contains("FAL_KEY") == true
        }
    }

    @Test("a missing input without default names the field")
    func missingInput() throws {
        #expect {
            _ = try Template(parsing: "/v/{input.version}").render(Self.context, encoding: .url)
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

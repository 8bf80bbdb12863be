import Foundation
import PollsterTesting
import Testing

/// openapi.yaml exercised by schemathesis against the live server: no 5xx, and every answer
/// conforms to the document (status, content type, headers, schema).
@Suite("HTTP API contract (schemathesis)", .serialized)
struct ContractTests {
    @Test(.timeLimit(.minutes(5)), PythonClients.available)
    func schemathesisFindsNoServerErrorsAndNoSchemaViolations() async throws {
        let python = try #require(PythonClients.interpreter, "no .venv: see Tests/python-requirements.txt")
        let schemathesis = URL(fileURLWithPath: python).deletingLastPathComponent().appendingPathComponent(
            "schemathesis")
        try await withServer { server in
            _ = try await server.submit()  // a task, so list pages are not all empty
            let arguments = [
                "run", "\(server.baseURL)/openapi.yaml", "--url", server.baseURL,
                "--header", "Authorization: Bearer \(server.keyA)",
                "--checks",
                "not_a_server_error,status_code_conformance,content_type_conformance,response_headers_conformance,response_schema_conformance",
                "--max-examples", "20", "--max-time", "60", "--seed", "1", "--workers", "1",
                "--exclude-path", "/v1/tasks/{id}/events", "--phases", "examples,coverage,fuzzing",
                "--generation-database", "none", "--suppress-health-check", "all", "--request-timeout", "20",
            ]
            let run = try await ProcessRun.run(
                schemathesis, arguments, in: Repository.root, environment: ["NO_COLOR": "1"])
            if run.status != 0 {
                Issue.record("schemathesis failed:\n\(run.output.suffix(6000))\n\(run.error.suffix(2000))")
            }
            #expect(run.status == 0)
        }
    }
}

import PollsterCore
import PollsterMock
import Testing

/// Recorded fixtures are written as they came: members in stored order, two-space indentation.
@Suite("PrettyJSON")
struct PrettyJSONTests {
    static let cases: [(String, String)] = [
        (
            #"{"status":"done","data":{"video_url":"u","id":"v1"},"code":0}"#,
            """
            {
              "status": "done",
              "data": {
                "video_url": "u",
                "id": "v1"
              },
              "code": 0
            }

            """
        ),
        (
            #"[{"b":[],"a":{}},null,1.5]"#,
            """
            [
              {
                "b": [],
                "a": {}
              },
              null,
              1.5
            ]

            """
        ),
        (#""text""#, "\"text\"\n"),
    ]

    @Test("members are written in stored order, as the provider sent them", arguments: cases)
    func storedOrder(json: String, expected: String) throws {
        let value = try JSONParser.parse(json)
        #expect(PrettyJSON.string(value) == expected)
        #expect(try JSONParser.parse(PrettyJSON.string(value)) == value)
    }
}

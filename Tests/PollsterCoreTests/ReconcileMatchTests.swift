import PollsterCore
import Testing

/// How a lookup answer's field is matched against the call's client reference
/// (`submit.reconcile.referencePath`).
@Suite("Reconcile: which listed job carries the reference")
struct ReconcileMatchTests {
    static let uuid = "3f2a9c1e-5b7d-4e21-9a0b-c4d5e6f70812"

    @Test(
        "a field carries the reference when it is the reference or holds it as a whole word",
        arguments: [
            (uuid, uuid, true),
            ("Launch video (\(uuid))", uuid, true),
            ("\(uuid): teaser", uuid, true),
            ("x\(uuid)", uuid, false),
            ("\(uuid)-2", uuid, false),
            ("\(uuid)_b", uuid, false),
            ("Launch video (other) \(uuid.dropLast())", uuid, false),
            ("42", "42", true),
            ("Episode 42 (abc)", "42", false),
            ("order-42", "42", false),
            ("", uuid, false),
        ])
    func carries(field: String, reference: String, expected: Bool) throws {
        let plan = try Self.plan()
        let answer: JSONValue = ["data": ["videos": [["video_title": .string(field), "video_id": "v-1"]]]]
        #expect((plan.job(in: answer, reference: reference) != nil) == expected)
    }

    @Test("an integer field matches its digits exactly")
    func integerField() throws {
        let plan = try Self.plan()
        let answer: JSONValue = ["data": ["videos": [["video_title": 4242, "video_id": "v-1"]]]]
        #expect(plan.job(in: answer, reference: "4242") != nil)
        #expect(plan.job(in: answer, reference: "42") == nil)
    }

    @Test("the first listed job that carries the reference is the one found")
    func firstOfMany() throws {
        let plan = try Self.plan()
        let answer: JSONValue = [
            "data": [
                "videos": [
                    ["video_title": .string("Other (\(Self.uuid.uppercased()))"), "video_id": "v-0"],
                    ["video_title": .string("Mine (\(Self.uuid))"), "video_id": "v-1"],
                    ["video_title": .string("Mine again (\(Self.uuid))"), "video_id": "v-2"],
                ]
            ]
        ]
        #expect(plan.job(in: answer, reference: Self.uuid)?["video_id"] == "v-1")
    }

    static func plan() throws -> ReconcilePlan {
        let config = MethodConfig(
            name: "m", endpoint: "https://api.test/jobs",
            adapterConfig: AdapterConfig(
                submit: SubmitConfig(
                    reconcile: ReconcileConfig(
                        tag: .init(bodyField: "title"),
                        lookup: .init(
                            url: "https://api.test/list", itemsPath: "data.videos",
                            referencePath: "video_title",
                            taskIdPath: "video_id")))))
        return try #require(try MethodPlan(method: config, baseUrl: nil).submit.reconcile)
    }
}

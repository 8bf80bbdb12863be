import PollsterPostgres
import Testing

/// Channel names reach `LISTEN` unescaped: only plain identifiers pass.
@Suite("Notification channel")
struct NotificationChannelTests {
    @Test(
        "valid and invalid names",
        arguments: [
            ("pollster_registry", true), ("_x1", true), ("a", true), ("", false), ("1abc", false),
            ("Upper", false), (#"x"; DROP TABLE tool_methods; --"#, false), ("a b", false),
            ("é", false), (String(repeating: "a", count: 64), false),
            (String(repeating: "a", count: 63), true),
        ])
    func validation(name: String, valid: Bool) {
        #expect(NotificationChannel.isValid(name) == valid)
        #expect(((try? NotificationChannel(name)) != nil) == valid)
    }

    @Test("the registry channel is the one the trigger uses")
    func registryChannel() {
        #expect(NotificationChannel.registry.name == "pollster_registry")
    }
}

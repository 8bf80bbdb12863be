import ArgumentParser

/// The rule every `--…-timeout` option of the long-running commands shares.
enum TimeoutSeconds {
    /// Refuses `seconds` unless it is above 0 and at most a day.
    static func check(_ seconds: Double, option: String) throws {
        guard seconds > 0, seconds <= 86_400 else {
            throw ValidationError(
                "\(option) wants a number of seconds above 0 and at most 86400, got \(seconds)")
        }
    }
}

import ArgumentParser

/// The rule every option given in seconds (`--…-timeout`, `--lease`, `--unready-after`) of the
/// long-running commands shares: a number that fits a `Duration` and means something.
enum SecondsOption {
    /// Refuses `seconds` unless it is above 0 and at most a day.
    static func check(_ seconds: Double, option: String) throws {
        guard seconds > 0, seconds <= 86_400 else {
            throw ValidationError(
                "\(option) wants a number of seconds above 0 and at most 86400, got \(seconds)")
        }
    }
}

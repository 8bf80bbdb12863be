/// Polls `condition` every 10 ms until it holds or `within` has passed.
///
/// The default leaves room for a loaded CI machine; a test of a timing promise passes its own
/// limit.
/// - Returns: whether it held in time.
public func eventually(within limit: Duration = .seconds(3), _ condition: () async throws -> Bool)
    async throws
    -> Bool
{
    let clock = ContinuousClock()
    let deadline = clock.now + limit
    while true {
        if try await condition() { return true }
        if clock.now >= deadline { return false }
        try await Task.sleep(for: .milliseconds(10))
    }
}

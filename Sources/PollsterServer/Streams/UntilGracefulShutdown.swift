import ServiceLifecycle

/// Runs `body` on each element of `sequence` until the sequence ends or graceful shutdown
/// begins, whichever comes first: for responses that would otherwise stay open as long as their
/// client does. Only the newest element waits while `body` runs (each is a whole snapshot, as a
/// task's events are; the last one is never dropped), so a slow reader holds no backlog.
/// - Throws: what the sequence or `body` throws.
func forEach<Events: AsyncSequence & Sendable>(
    _ sequence: Events, untilGracefulShutdown body: (Events.Element) async throws -> Void
) async throws where Events.Element: Sendable {
    let (elements, sink) = AsyncThrowingStream.makeStream(
        of: Events.Element.self, bufferingPolicy: .bufferingNewest(1))
    try await withThrowingTaskGroup(of: Void.self) { group in
        group.addTask {
            do {
                for try await element in sequence { sink.yield(element) }
                sink.finish()
            } catch {
                sink.finish(throwing: error)
            }
        }
        group.addTask {
            try? await gracefulShutdown()
            sink.finish()
        }
        for try await element in elements { try await body(element) }
        group.cancelAll()
    }
}

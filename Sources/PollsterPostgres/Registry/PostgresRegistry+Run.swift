import Logging
import PollsterCore
import PostgresNIO
import ServiceLifecycle
import Synchronization

extension PostgresRegistry {
    /// Keeps the snapshot current until cancelled (or, in a `ServiceGroup`, until graceful
    /// shutdown). The `PostgresClient` must be running alongside.
    ///
    /// Three child tasks: one listens for `NOTIFY pollster_registry` (and listens again,
    /// with growing pauses, whenever the connection drops), one ticks every
    /// `refreshInterval`, and one reloads whenever either asks — requests that arrive
    /// during a reload are merged into one more reload. A failed reload is logged and
    /// the previous snapshot stays in use.
    public func run() async throws {
        await cancelWhenGracefulShutdown {
            let (requests, request) = AsyncStream.makeStream(
                of: Void.self, bufferingPolicy: .bufferingNewest(1))
            await withDiscardingTaskGroup { group in
                group.addTask { await self.reload(on: requests) }
                group.addTask { await self.tick(request) }
                group.addTask { await self.listen(request) }
            }
        }
    }

    private func reload(on requests: AsyncStream<Void>) async {
        var failing = false
        for await _ in requests {
            do {
                try await refresh()
                if failing { logger.info("registry reloads again") }
                failing = false
            } catch {
                if !failing {
                    logger.warning("registry reload failed; keeping the last snapshot: \(error.message)")
                }
                failing = true
            }
        }
    }

    private func tick(_ request: AsyncStream<Void>.Continuation) async {
        request.yield()
        while (try? await Task.sleep(for: configuration.refreshInterval)) != nil {
            request.yield()
        }
    }

    private func listen(_ request: AsyncStream<Void>.Continuation) async {
        let channel = NotificationChannel.registry.name
        var delay = configuration.relistenDelay
        var reported = false
        while !Task.isCancelled {
            var failure: (any Error)?
            do {
                try await database.client.withConnection { connection in
                    // Cancellation must end the listen even when its connection was killed under it
                    // (a `LISTEN` sent into a dead connection may never answer): closing the
                    // connection fails whatever is waiting on it, and the pool replaces it.
                    try await withTaskCancellationHandler {
                        try await connection.listen(on: channel) { notifications in
                            self.listening(true)
                            if reported { self.logger.info("listening for registry changes again") }
                            reported = false
                            delay = self.configuration.relistenDelay
                            request.yield()  // catch up on anything missed while not listening
                            for try await _ in notifications { request.yield() }
                        }
                    } onCancel: {
                        connection.close().whenComplete { _ in }
                    }
                }
            } catch {
                failure = error
            }
            listening(false)
            if Task.isCancelled { return }
            if !reported {
                let cause = failure.map { DatabaseError.wrap($0, "listening", url: database.url).message }
                logger.warning(
                    """
                    registry notifications stopped (\(cause ?? "connection closed")); reloading every \
                    \(configuration.refreshInterval) and listening again
                    """)
                reported = true
            }
            try? await Task.sleep(for: delay)
            delay = min(delay * 2, configuration.refreshInterval)
        }
    }

    private func listening(_ value: Bool) {
        state.withLock { $0.listening = value }
    }
}

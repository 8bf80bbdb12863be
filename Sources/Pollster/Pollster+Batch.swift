import PollsterCore

/// One call of a batch.
public struct BatchItem: Sendable {
    /// `inventory.method`.
    public var tool: String
    /// The input.
    public var input: JSONValue
    /// A caller's label, echoed in the outcome.
    public var id: String?

    /// An item.
    public init(tool: String, input: JSONValue, id: String? = nil) {
        self.tool = tool
        self.input = input
        self.id = id
    }
}

/// How one item of a batch ended.
public struct BatchOutcome: Sendable {
    /// The item's position in the batch.
    public var index: Int
    /// The item.
    public var item: BatchItem
    /// Its result or error.
    public var result: Result<ToolResult, PollsterError>
}

extension Pollster {
    /// Invokes every item, at most `concurrency` at a time. Each inventory's `limits`
    /// (`maxConcurrent`, `requestsPerSecond`) hold on top, across every call of this engine.
    /// A failed item does not stop the others.
    ///
    /// - Parameters:
    ///   - items: the calls.
    ///   - concurrency: calls in progress at once (≥ 1).
    ///   - options: applied to every call (`events` is ignored).
    ///   - onStart: called with an item's index when it starts.
    ///   - onOutcome: called as each item ends, in completion order.
    /// - Returns: the outcomes in item order.
    public func invokeBatch(
        _ items: [BatchItem], concurrency: Int = 8, options: InvokeOptions = InvokeOptions(),
        onStart: (Int) -> Void = { _ in }, onOutcome: (BatchOutcome) -> Void = { _ in }
    ) async -> [BatchOutcome] {
        var outcomes: [BatchOutcome?] = Array(repeating: nil, count: items.count)
        await invokeEach(items, concurrency: concurrency, options: options, onStart: onStart) { outcome in
            outcomes[outcome.index] = outcome
            onOutcome(outcome)
        }
        return outcomes.compactMap { $0 }
    }

    /// Invokes every item like `invokeBatch`, but keeps nothing: each outcome goes to `onOutcome`
    /// as it comes, so a batch of any size (a lazy sequence of a million items) holds memory
    /// only for the jobs in progress.
    ///
    /// Waiting jobs are data in one scheduler, not tasks (docs/architecture.md, "How a waiting
    /// job is held"), so `concurrency` can be in the tens of thousands.
    public func invokeEach(
        _ items: some Sequence<BatchItem>, concurrency: Int = 8, options: InvokeOptions = InvokeOptions(),
        onStart: (Int) -> Void = { _ in }, onOutcome: (BatchOutcome) -> Void
    ) async {
        var shared = options
        shared.events = nil
        let options = shared
        let calls = items.enumerated().lazy.map { index, item in
            JobScheduler.Call(index: index, item: item, options: options)
        }
        await scheduler.run(calls, width: max(1, concurrency), onStart: onStart) { call, result in
            onOutcome(
                BatchOutcome(
                    index: call.index, item: call.item,
                    result: result.mapError { Self.mapped($0, tool: call.item.tool) }))
        }
    }
}

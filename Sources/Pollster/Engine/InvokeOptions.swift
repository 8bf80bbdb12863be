import PollsterCore

/// Per-invocation options.
public struct InvokeOptions: Sendable {
    /// Write outputs into this directory instead of memory.
    public var outputDirectory: String?
    /// Send requests to this base URL instead of the inventory's (tests, the demo, on-prem gateways).
    public var baseUrlOverride: String?
    /// Replace `polling.intervalSeconds`.
    public var pollInterval: Duration?
    /// Replace `polling.maxWaitSeconds`.
    public var maxWait: Duration?
    /// The idempotency key sent in `submit.idempotencyHeader`, also the client reference of
    /// `submit.reconcile` (generated when nil; durable tasks pass their stored key).
    public var idempotencyKey: String?
    /// Receives progress events; finished when the invocation ends.
    ///
    /// ```swift
    /// let (events, continuation) = AsyncStream.makeStream(of: ToolEvent.self)
    /// async let result = pollster.invoke("fal.fast_sdxl", input: input, options: .init(events: continuation))
    /// for await event in events { print(event) }
    /// ```
    public var events: AsyncStream<ToolEvent>.Continuation?
    /// Called once the provider has accepted the job, before the first poll. Durable tasks
    /// persist it here; if it throws, the invocation stops (the job stays at the provider).
    public var onAccepted: (@Sendable (TaskCheckpoint) async throws -> Void)?
    /// Called once the job has succeeded at the provider and its result is in, before the
    /// outputs are downloaded. Durable tasks store the result here, so a failed download is
    /// retried later from it without polling or submitting again.
    public var onResult: (@Sendable (JSONValue) async throws -> Void)?
    /// Resume a job the provider already accepted instead of submitting: polling continues
    /// from the checkpoint and the deadline still counts from its `submittedAt`; a checkpoint
    /// that holds the job's result goes straight to the downloads.
    public var resume: TaskCheckpoint?
    /// Called after each poll with where polling stands; durable tasks store it with their
    /// checkpoint so that a resumed job goes on from it.
    var onPolled: (@Sendable (PollMachine.Progress) -> Void)?

    /// Options; all default to the method's config.
    public init(
        outputDirectory: String? = nil, baseUrlOverride: String? = nil, pollInterval: Duration? = nil,
        maxWait: Duration? = nil, idempotencyKey: String? = nil,
        events: AsyncStream<ToolEvent>.Continuation? = nil
    ) {
        self.outputDirectory = outputDirectory
        self.baseUrlOverride = baseUrlOverride
        self.pollInterval = pollInterval
        self.maxWait = maxWait
        self.idempotencyKey = idempotencyKey
        self.events = events
    }
}

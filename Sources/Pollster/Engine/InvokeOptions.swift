import PollsterCore

/// Per-invocation options.
public struct InvokeOptions: Sendable {
    /// The options' values. Copies share them until one is changed: every waiting job of a batch
    /// holds the batch's options, 8 bytes each rather than a copy of every field.
    private struct Values: Sendable {
        var outputDirectory: String?
        var baseUrlOverride: String?
        var pollInterval: Duration?
        var maxWait: Duration?
        var idempotencyKey: String?
        var events: AsyncStream<ToolEvent>.Continuation?
        var onAccepted: (@Sendable (TaskCheckpoint) async throws -> Void)?
        var onResult: (@Sendable (JSONValue) async throws -> Void)?
        var resume: TaskCheckpoint?
        var onPolled: (@Sendable (PollMachine.Progress) -> Void)?
    }

    private final class Storage: Sendable {
        let values: Values
        init(_ values: Values) { self.values = values }
    }

    private var storage: Storage

    private var values: Values {
        get { storage.values }
        set { storage = Storage(newValue) }
    }

    /// Write outputs into this directory instead of memory.
    public var outputDirectory: String? {
        get { values.outputDirectory }
        set { values.outputDirectory = newValue }
    }
    /// Send requests to this base URL instead of the inventory's (tests, the demo, on-prem gateways).
    public var baseUrlOverride: String? {
        get { values.baseUrlOverride }
        set { values.baseUrlOverride = newValue }
    }
    /// Replace `polling.intervalSeconds`.
    public var pollInterval: Duration? {
        get { values.pollInterval }
        set { values.pollInterval = newValue }
    }
    /// Replace `polling.maxWaitSeconds`.
    public var maxWait: Duration? {
        get { values.maxWait }
        set { values.maxWait = newValue }
    }
    /// The idempotency key sent in `submit.idempotencyHeader`, also the client reference of
    /// `submit.reconcile` (generated when nil; durable tasks pass their stored key).
    public var idempotencyKey: String? {
        get { values.idempotencyKey }
        set { values.idempotencyKey = newValue }
    }
    /// Receives progress events; finished when the invocation ends.
    ///
    /// ```swift
    /// let (events, continuation) = AsyncStream.makeStream(of: ToolEvent.self)
    /// async let result = pollster.invoke("fal.fast_sdxl", input: input, options: .init(events: continuation))
    /// for await event in events { print(event) }
    /// ```
    public var events: AsyncStream<ToolEvent>.Continuation? {
        get { values.events }
        set { values.events = newValue }
    }
    /// Called once the provider has accepted the job, before the first poll. Durable tasks
    /// persist it here; if it throws, the invocation stops (the job stays at the provider).
    public var onAccepted: (@Sendable (TaskCheckpoint) async throws -> Void)? {
        get { values.onAccepted }
        set { values.onAccepted = newValue }
    }
    /// Called once the job has succeeded at the provider and its result is in, before the
    /// outputs are downloaded. Durable tasks store the result here, so a failed download is
    /// retried later from it without polling or submitting again.
    public var onResult: (@Sendable (JSONValue) async throws -> Void)? {
        get { values.onResult }
        set { values.onResult = newValue }
    }
    /// Resume a job the provider already accepted instead of submitting: polling continues
    /// from the checkpoint and the deadline still counts from its `submittedAt`; a checkpoint
    /// that holds the job's result goes straight to the downloads.
    public var resume: TaskCheckpoint? {
        get { values.resume }
        set { values.resume = newValue }
    }
    /// Called after each poll with where polling stands; durable tasks store it with their
    /// checkpoint so that a resumed job goes on from it.
    var onPolled: (@Sendable (PollMachine.Progress) -> Void)? {
        get { values.onPolled }
        set { values.onPolled = newValue }
    }

    /// Options; all default to the method's config.
    public init(
        outputDirectory: String? = nil, baseUrlOverride: String? = nil, pollInterval: Duration? = nil,
        maxWait: Duration? = nil, idempotencyKey: String? = nil,
        events: AsyncStream<ToolEvent>.Continuation? = nil
    ) {
        storage = Storage(
            Values(
                outputDirectory: outputDirectory, baseUrlOverride: baseUrlOverride,
                pollInterval: pollInterval,
                maxWait: maxWait, idempotencyKey: idempotencyKey, events: events))
    }
}

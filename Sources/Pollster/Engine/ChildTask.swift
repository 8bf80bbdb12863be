/// Runs `operation` in a child task that ends as soon as it returns.
///
/// A task keeps the memory that its deepest chain of async calls ever needed until the task ends
/// (the task allocator never gives slabs back). A job spends far longer waiting than sending, so
/// each of its steps runs in a short-lived child (`HttpAdapter.run`): the deep frames of a request
/// are freed when the step ends, and a waiting job keeps only its own shallow frames
/// (docs/benchmarks.md).
/// Cancellation and task-local values pass to the child as usual.
///
/// Not inlined: the task group's temporaries then take room only while a step runs, not in the
/// caller's frame for as long as it waits.
@inline(never)
func inChildTask<Result: Sendable>(_ operation: @escaping @Sendable () async throws -> Result) async throws
    -> Result
{
    try await withThrowingTaskGroup(of: Result.self) { group in
        group.addTask(operation: operation)
        guard let result = try await group.next() else { throw CancellationError() }
        return result
    }
}

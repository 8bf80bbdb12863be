import PollsterCore

extension PollsterError {
    /// What threw an error that is not a `PollsterError`: decides the code of an error nothing
    /// more specific is known about.
    package enum Origin: Sendable {
        /// A `Transport` or the engine around it: `TRANSPORT_ERROR`.
        case transport
        /// A `ToolRegistry` (a database behind it that cannot be read): `TRANSPORT_ERROR`.
        case registry
        /// A `TaskStore`: `STORE_ERROR`.
        case store
    }

    /// Any error as a `PollsterError`: the one place where transport failures, task-store errors,
    /// parser failures and cancellation get their stable codes, at the edge of the engine.
    ///
    /// - Parameters:
    ///   - error: what was thrown; a `PollsterError` is returned unchanged.
    ///   - context: what was being done, the start of the message (`"fal.fast_sdxl"`,
    ///     `"task store: listing tasks failed"`).
    ///   - origin: what threw it.
    /// - Returns: `CANCELED` for a `CancellationError`; `TRANSPORT_ERROR` for a `TransportFailure`;
    ///   `CONFLICT` for a duplicate task id and `STORE_ERROR` for an unreadable record
    ///   (`TaskStoreError`); `INTERNAL` for a JSON parser failure nothing handled (a bug); otherwise
    ///   the code of `origin`.
    package static func mapping(_ error: any Error, _ context: String, from origin: Origin) -> PollsterError {
        switch error {
        case let error as PollsterError:
            return error
        case is CancellationError:
            return PollsterError(
                .canceled, "\(context): canceled by the caller before it finished")
        case let failure as TransportFailure:
            return PollsterError(.transportError, "\(context): \(failure.message)")
        case TaskStoreError.duplicate(let id):
            return PollsterError(.conflict, "\(context): a task with id \(id) exists already")
        case let failure as TaskStoreError:
            return PollsterError(.storeError, "\(context): \(failure)")
        case let failure as JSONParser.Failure:
            return PollsterError(
                .internal, "\(context): internal error: an unexpected JSON parse failure: \(failure)")
        default:
            switch origin {
            case .transport, .registry: return PollsterError(.transportError, "\(context): \(error)")
            case .store: return PollsterError(.storeError, "\(context): \(error)")
            }
        }
    }
}

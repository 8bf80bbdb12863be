extension PollMachine {
    /// The error for a terminal failed or canceled reading of `job` (also used on the submit
    /// answer, before any machine exists).
    package static func terminalError(_ reading: StatusReading, job: Job) -> PollsterError {
        let message = reading.message.map { job.redactor.redact($0) }
        if reading.phase == .canceled {
            return PollsterError(
                .taskCanceled,
                "\(job.name): the provider reports the task as canceled\(message.map { ": \($0)" } ?? "")",
                taskId: job.taskId, lastStatus: reading.rawStatus)
        }
        return PollsterError(
            .taskFailed,
            "\(job.name): the provider reports failure (\(reading.rule))\(message.map { ": \($0)" } ?? " with no message")",
            taskId: job.taskId, lastStatus: reading.rawStatus)
    }

    /// `POLLING_TIMEOUT`, naming the status values no rule recognised.
    func timeoutError(_ job: Job) -> PollsterError {
        var message =
            "\(job.name): the task \(job.taskId ?? "") did not finish within \(Int(schedule.maxWait.seconds)) s (polling.maxWaitSeconds) after \(polls) polls; last status: \(lastStatus ?? "none")"
        if !unknownStatuses.isEmpty {
            message +=
                ". Status values no rule recognised: \(unknownStatuses.joined(separator: ", ")); if they mean done or failed, add them to polling.successValues / polling.failureValues"
        } else {
            message += ". Raise polling.maxWaitSeconds if the provider is just slow"
        }
        return PollsterError(
            .pollingTimeout, message, taskId: job.taskId, lastStatus: lastStatus,
            unknownStatuses: unknownStatuses)
    }
}

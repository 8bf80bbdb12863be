import PollsterCore

/// One status value that ended a success in one recording and a failure in another (Tencent
/// VOD's `FINISH` with a non-zero `ErrCode`): an acceptor on the field that tells them apart.
enum ConflictRule {
    static func infer(
        value: String, calls: [RecordedCall], taskId: String?, into polling: inout PollingConfig,
        draft: inout AdapterDraft
    ) {
        guard let succeeded = calls.first(where: { !$0.downloads.isEmpty }),
            let failed = calls.first(where: { $0.downloads.isEmpty }),
            let good = succeeded.terminalBody, let bad = failed.terminalBody
        else { return }
        let badId = StatusRules.otherTaskId(failed, draft: draft)
        let goodId = StatusRules.otherTaskId(succeeded, draft: draft)
        let telling = JSONLeaves.of(bad).first { leaf in
            let general = JSONLeaves.general(leaf.path, taskId: badId)
            let other = general.binding(taskId: goodId).firstValue(in: good)
            switch leaf.value {
            case .integer(let code): return code != 0 && (other == nil || other == .integer(0))
            default: return false
            }
        }
        guard let telling else {
            draft.questions.append(
                "polling.statusMap: '\(value)' ended both a success and a failure, and no error code tells them apart; add an acceptor"
            )
            return
        }
        let path = JSONLeaves.general(telling.path, taskId: badId).description
        let canceled = JSONWriter.string(bad).lowercased().contains("cancel")
        let acceptor = AcceptorConfig(
            path: path, matches: "^-?[1-9]", state: canceled ? "canceled" : "failure",
            message: polling.errorPath)
        polling.acceptors = (polling.acceptors ?? []) + [acceptor]
        draft.guess(
            "polling.acceptors", "\(path) non-zero → \(acceptor.state)", .medium,
            "'\(value)' ended a failure with \(path) = \(telling.value) and a success with 0")
    }
}

import PollsterCore

/// The result step and the output paths.
extension AdapterInferrer {
    static func inferOutputs(_ call: RecordedCall, taskId: String?, into draft: inout AdapterDraft) {
        if let result = call.result {
            let url: String
            if let path = JSONLeaves.path(of: .string(result.url), in: call.submitBody) {
                url = "{response.\(path)}"
            } else if let path = JSONLeaves.path(of: .string(result.url), in: call.terminalBody) {
                url = "{status.\(path)}"
            } else {
                let relative = relative(result.url, to: draft.baseUrl).path
                url = taskId.map { relative.replacing($0, with: "{id}") } ?? relative
            }
            draft.config.result = ResultConfig(url: url, method: result.method)
            draft.guess("result.url", url, .high, "after the last poll: \(result.method) \(result.url)")
        }
        guard let final = call.finalBody else { return }
        let downloaded = Set(call.downloads.map(\.url))
        var paths: [String] = []
        var decoys: [String] = []
        for leaf in JSONLeaves.of(final) {
            guard case .string(let text) = leaf.value, text.hasPrefix("http://") || text.hasPrefix("https://")
            else { continue }
            if downloaded.contains(text) {
                let general = JSONLeaves.general(leaf.path, taskId: taskId, wildcards: true).description
                if !paths.contains(general) { paths.append(general) }
            } else if text != call.polls.first?.url, text != call.result?.url {
                decoys.append(leaf.path.description)
            }
        }
        if !paths.isEmpty {
            draft.config.output.paths = paths
            draft.guess(
                "output.paths", paths.joined(separator: ", "), .high,
                "the URLs downloaded"
                    + (decoys.isEmpty ? "" : "; not outputs: \(decoys.joined(separator: ", "))"))
        } else if !downloaded.isEmpty {
            draft.questions.append(
                "output.paths: the downloaded URLs are not in the final answer; set output.paths by hand")
        } else {
            draft.questions.append(
                "output.paths: nothing was downloaded in this recording; record a success to find the outputs"
                    + (decoys.isEmpty ? "" : " (URLs seen: \(decoys.joined(separator: ", ")))"))
        }
    }
}

/// `pollster://tasks/{task id}/files/{n}`: output file `n` of a durable task.
struct FileResourceURI: Sendable, Equatable {
    /// The durable task's id.
    var taskId: String
    /// The file's index in the task's result.
    var index: Int

    /// The URI template, for `resources/templates/list`.
    static let template = "pollster://tasks/{taskId}/files/{index}"

    /// The URI text.
    var text: String { "pollster://tasks/\(taskId)/files/\(index)" }

    /// The parts of `text`, or nil when it is not such a URI.
    init?(_ text: String) {
        let prefix = "pollster://tasks/"
        guard text.hasPrefix(prefix) else { return nil }
        let parts = text.dropFirst(prefix.count).split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[1] == "files", !parts[0].isEmpty, let index = Int(parts[2]), index >= 0
        else { return nil }
        self.taskId = String(parts[0])
        self.index = index
    }

    /// File `index` of task `taskId`.
    init(taskId: String, index: Int) {
        self.taskId = taskId
        self.index = index
    }
}

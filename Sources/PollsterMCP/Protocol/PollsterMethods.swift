import MCP

// The SDK's stock `tools/list` and `tools/call` types cannot carry the 2025-11-25 task fields
// (`Tool.execution`, `params.task`, `CreateTaskResult`, a `resource_link` with `size`), and it has no
// tasks methods at all. These types keep the wire names and take and return plain JSON, shaped by
// the mapping types of this module after the specification's schema.

/// `tools/list`.
enum ListToolsMethod: Method {
    static let name = "tools/list"
    typealias Parameters = Value
    typealias Result = Value
}

/// `tools/call`, plain or task-augmented (`params.task`).
enum CallToolMethod: Method {
    static let name = "tools/call"
    typealias Parameters = Value
    typealias Result = Value
}

/// `tasks/get`.
enum GetTaskMethod: Method {
    static let name = "tasks/get"
    typealias Parameters = Value
    typealias Result = Value
}

/// `tasks/result`.
enum TaskResultMethod: Method {
    static let name = "tasks/result"
    typealias Parameters = Value
    typealias Result = Value
}

/// `tasks/list`.
enum ListTasksMethod: Method {
    static let name = "tasks/list"
    typealias Parameters = Value
    typealias Result = Value
}

/// `tasks/cancel`.
enum CancelTaskMethod: Method {
    static let name = "tasks/cancel"
    typealias Parameters = Value
    typealias Result = Value
}

/// `resources/list`.
enum ListResourcesMethod: Method {
    static let name = "resources/list"
    typealias Parameters = Value
    typealias Result = Value
}

/// `resources/templates/list`.
enum ListResourceTemplatesMethod: Method {
    static let name = "resources/templates/list"
    typealias Parameters = Value
    typealias Result = Value
}

/// `resources/read`.
enum ReadResourceMethod: Method {
    static let name = "resources/read"
    typealias Parameters = Value
    typealias Result = Value
}

/// `notifications/tasks/status`: a task's new state, as `tasks/get` would return it.
struct TaskStatusNotification: Notification {
    static let name = "notifications/tasks/status"
    typealias Parameters = Value
}

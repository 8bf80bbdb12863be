/// Who is calling: the tenant of the API key that signed the request, and what it may do.
public struct Tenant: Sendable, Equatable {
    /// The tenant's name; tasks it creates are owned by it (`TaskRecord.owner`).
    public var name: String
    /// What the key may do (`Scope`).
    public var scopes: Set<Scope>

    /// A tenant.
    public init(name: String, scopes: Set<Scope> = Set(Scope.allCases)) {
        self.name = name
        self.scopes = scopes
    }

    /// The caller of the request being handled (set by the auth middleware).
    @TaskLocal static var current: Tenant?

    /// What an API key may do.
    public enum Scope: String, Sendable, CaseIterable, Codable {
        /// Submit, cancel and retry tasks.
        case toolsInvoke = "tools:invoke"
        /// Read tools, tasks, events and files.
        case tasksRead = "tasks:read"
    }
}

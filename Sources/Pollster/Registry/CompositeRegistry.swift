import PollsterCore

/// Several registries as one, in order of precedence.
///
/// Rule for a name clash: the first source that knows a tool decides — its method is used,
/// and if its config is broken the call fails with that error rather than silently falling
/// back to a later source. `methods()` lists each name once, from the first source that has it.
public struct CompositeRegistry: ToolRegistry {
    private let sources: [any ToolRegistry]

    /// Registries in order of precedence (e.g. PostgreSQL rows, then the YAML directory).
    public init(_ sources: [any ToolRegistry]) { self.sources = sources }

    public func method(named name: String) async throws -> ToolMethod {
        var notFound: PollsterError?
        for source in sources {
            do {
                return try await source.method(named: name)
            } catch let error as PollsterError where error.code == .toolNotFound {
                notFound = notFound ?? error
            }
        }
        throw notFound
            ?? PollsterError(.toolNotFound, "no tool method named \(name) (no registry configured)")
    }

    public func methods() async throws -> [ToolMethod] {
        var seen: Set<String> = []
        var all: [ToolMethod] = []
        for source in sources {
            for method in try await source.methods() where seen.insert(method.name).inserted {
                all.append(method)
            }
        }
        return all.sorted { $0.name < $1.name }
    }

    public func problems() async throws -> [PollsterError] {
        var all: [PollsterError] = []
        for source in sources { all += try await source.problems() }
        return all
    }
}

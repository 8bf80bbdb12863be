import PollsterCore

/// Several registries as one, in order of precedence.
///
/// Rule for a name clash: the first source that knows a tool decides — its method is used,
/// and if its config is broken the call fails with that error rather than silently falling
/// back to a later source. `methods()` lists each name once, from the first source that has it,
/// and leaves out a name whose deciding source holds it broken (it cannot be called).
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
        for (index, source) in sources.enumerated() {
            for method in try await source.methods() where seen.insert(method.name).inserted {
                if await isClaimed(method.name, before: index) { continue }
                all.append(method)
            }
        }
        return all.sorted { $0.name < $1.name }
    }

    /// True when a source before `index` knows `name` (only a broken config gets here, as
    /// valid ones were listed first).
    private func isClaimed(_ name: String, before index: Int) async -> Bool {
        for source in sources[..<index] {
            do {
                _ = try await source.method(named: name)
                return true
            } catch let error as PollsterError where error.code == .toolNotFound {
                continue
            } catch {
                return true
            }
        }
        return false
    }

    public func problems() async throws -> [PollsterError] {
        var all: [PollsterError] = []
        for source in sources { all += try await source.problems() }
        return all
    }
}

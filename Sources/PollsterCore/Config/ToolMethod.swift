import Synchronization

/// A tool method ready to run: its inventory, its config and the compiled plan.
///
/// Creating one validates everything that can be checked without a request: templates,
/// JSON paths, enumerations and numeric ranges. Errors name the config key.
public struct ToolMethod: Sendable {
    /// The inventory key (`heygen`).
    public var inventory: String { storage.inventory }
    /// The inventory's base URL.
    public var baseUrl: String? { storage.baseUrl }
    /// The inventory's limits.
    public var limits: LimitsConfig? { storage.limits }
    /// The method as configured.
    public var config: MethodConfig { storage.config }
    /// The compiled form used on every request.
    public var plan: MethodPlan { storage.plan }

    /// The fields, shared by every copy: a method is copied into the async frames of each
    /// running invocation, and inline it was 1.4 KB per copy (docs/benchmarks.md, scenario 2).
    private final class Storage: Sendable {
        let inventory: String
        let baseUrl: String?
        let limits: LimitsConfig?
        let config: MethodConfig
        let plan: MethodPlan
        let name: String
        let providerURL: HTTPURL?
        /// The last call's `baseUrl` override and its parsed form: calls with an override
        /// usually all have the same one, and it is checked on every request.
        let lastOverride = Mutex<(baseUrl: String?, url: HTTPURL?)?>(nil)

        init(
            inventory: String, baseUrl: String?, limits: LimitsConfig?, config: MethodConfig, plan: MethodPlan
        ) {
            self.name = "\(inventory).\(config.name)"
            self.inventory = inventory
            self.baseUrl = baseUrl
            self.limits = limits
            self.config = config
            self.plan = plan
            self.providerURL = Self.providerURL(baseUrl: baseUrl, endpoint: plan.submit.endpoint.text)
        }

        static func providerURL(baseUrl: String?, endpoint: String) -> HTTPURL? {
            if let baseUrl, let url = HTTPURL(baseUrl) { return url }
            return HTTPURL(endpoint)
        }

        /// `providerURL` for a call's `baseUrl` override.
        func providerURL(overriddenBy baseUrl: String?) -> HTTPURL? {
            if let last = lastOverride.withLock({ $0 }), last.baseUrl == baseUrl { return last.url }
            let url = Self.providerURL(baseUrl: baseUrl, endpoint: plan.submit.endpoint.text)
            lastOverride.withLock { $0 = (baseUrl, url) }
            return url
        }
    }

    private let storage: Storage

    /// `inventory.method`.
    public var name: String { storage.name }

    /// The URL whose origin is the provider's own (where credentials may go): the base URL,
    /// or the endpoint when it is absolute; `baseUrl` (a call's override) replaces the
    /// inventory's. Parsed once per method, not per request.
    package func providerURL(baseUrl: String?) -> HTTPURL? {
        baseUrl == storage.baseUrl ? storage.providerURL : storage.providerURL(overriddenBy: baseUrl)
    }

    /// Compiles and validates a method of an inventory.
    /// - Throws: `INVALID_CONFIG` naming the key (relative to the method) and what to change.
    public init(inventory: InventoryConfig, method: MethodConfig) throws(PollsterError) {
        storage = Storage(
            inventory: inventory.inventory, baseUrl: inventory.baseUrl, limits: inventory.limits,
            config: method,
            plan: try MethodPlan(method: method, baseUrl: inventory.baseUrl))
    }

    /// Every method of an inventory, compiled. An invalid method is left out and reported
    /// (prefixed with its index and name) without affecting the others; an invalid
    /// inventory-level key fails every method.
    public static func compile(_ inventory: InventoryConfig) -> (
        methods: [ToolMethod], problems: [CompileProblem]
    ) {
        do {
            try InventoryValidator.validate(inventory)
        } catch {
            return ([], [CompileProblem(method: nil, error: error)])
        }
        var methods: [ToolMethod] = []
        var problems: [CompileProblem] = []
        for (index, method) in inventory.methods.enumerated() {
            do {
                methods.append(try ToolMethod(inventory: inventory, method: method))
            } catch {
                let name = "\(inventory.inventory).\(method.name)"
                problems.append(
                    CompileProblem(method: name, error: error.prefixed("methods[\(index)] (\(method.name))")))
            }
        }
        return (methods, problems)
    }
}

/// A config problem found while compiling an inventory.
public struct CompileProblem: Sendable {
    /// The tool (`inventory.method`) it disables; nil when it disables the whole inventory.
    public var method: String?
    /// What is wrong.
    public var error: PollsterError

    /// A problem from its parts.
    public init(method: String?, error: PollsterError) {
        self.method = method
        self.error = error
    }
}

/// Checks of an inventory that are not about one method.
enum InventoryValidator {
    static func validate(_ inventory: InventoryConfig) throws(PollsterError) {
        guard ToolName.isValidPart(inventory.inventory) else {
            throw PollsterError(
                .invalidConfig,
                "inventory: '\(inventory.inventory)' is not a valid inventory key; use letters, digits, '_' and '-'"
            )
        }
        if let baseUrl = inventory.baseUrl, !(baseUrl.hasPrefix("http://") || baseUrl.hasPrefix("https://")) {
            throw PollsterError(
                .invalidConfig,
                "baseUrl: '\(URLCredentials.mask(baseUrl))' must start with http:// or https://")
        }
        try MethodPlan.refuseUserinfo(inventory.baseUrl, key: "baseUrl")
        if let limits = inventory.limits {
            if let max = limits.maxConcurrent, max < 1 {
                throw PollsterError(.invalidConfig, "limits.maxConcurrent: must be at least 1, got \(max)")
            }
            if let rps = limits.requestsPerSecond, !(rps > 0) {
                throw PollsterError(
                    .invalidConfig, "limits.requestsPerSecond: must be greater than 0, got \(rps)")
            }
        }
        var seen: Set<String> = []
        for (index, method) in inventory.methods.enumerated() {
            let key = "\(method.name)@\(method.versionId)"
            guard seen.insert(key).inserted else {
                throw PollsterError(
                    .invalidConfig,
                    "methods[\(index)].name: '\(method.name)' version \(method.versionId) is defined twice")
            }
        }
    }
}

/// Parsing and checking of `inventory.method` names.
package enum ToolName {
    /// Splits `inventory.method` at the first dot.
    /// - Throws: `TOOL_NOT_FOUND` when the name has no dot.
    package static func split(_ name: String) throws(PollsterError) -> (inventory: String, method: String) {
        guard let dot = name.firstIndex(of: "."), dot != name.startIndex,
            name.index(after: dot) != name.endIndex
        else {
            throw PollsterError(
                .toolNotFound,
                "'\(name)' is not a tool name; use inventory.method, e.g. heygen.create_avatar_video_v2")
        }
        return (String(name[..<dot]), String(name[name.index(after: dot)...]))
    }

    /// True for a non-empty name of letters, digits, `_` and `-`.
    package static func isValidPart(_ part: String) -> Bool {
        !part.isEmpty && part.count <= 128
            && part.unicodeScalars.allSatisfy {
                $0.isASCII
                    && ($0.properties.isAlphabetic || ("0"..."9").contains($0) || $0 == "_" || $0 == "-")
            }
    }
}

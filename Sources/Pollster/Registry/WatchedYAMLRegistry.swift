import Foundation
import Logging
import PollsterCore
import ServiceLifecycle
import Synchronization
import UnixSignals

/// A YAML adapter directory that long-running processes (workers, servers) keep current:
/// `run()` reloads it when its files change (checked every `checkInterval`) and on SIGHUP.
///
/// A reload that fails keeps the previous methods in use and logs what to fix; files that
/// load replace them at once, so a method added or changed on disk is used without a restart.
public final class WatchedYAMLRegistry: ToolRegistry, Service {
    private struct State {
        var registry: YAMLRegistry
        var signature: [String: Data]
    }

    /// The directory (or file) watched.
    public let directory: String
    /// How often the files are checked for changes.
    public let checkInterval: Duration
    private let logger: Logger
    private let state: Mutex<State>

    /// Loads `directory` now.
    /// - Throws: what `YAMLRegistry(directory:)` throws (a directory that cannot be read).
    public init(directory: String, checkInterval: Duration = .seconds(2), logger: Logger) throws {
        self.directory = directory
        self.checkInterval = checkInterval
        self.logger = logger
        state = Mutex(
            State(registry: try YAMLRegistry(directory: directory), signature: Self.signature(of: directory)))
    }

    private var current: YAMLRegistry { state.withLock { $0.registry } }

    public func method(named name: String) async throws -> ToolMethod {
        try await current.method(named: name)
    }

    public func methods() async throws -> [ToolMethod] { try await current.methods() }

    public func problems() async throws -> [PollsterError] { try await current.problems() }

    /// Reloads on file changes and SIGHUP until cancelled or graceful shutdown.
    public func run() async throws {
        await cancelWhenGracefulShutdown {
            await withDiscardingTaskGroup { group in
                group.addTask {
                    while (try? await Task.sleep(for: self.checkInterval)) != nil {
                        if Self.signature(of: self.directory) != self.state.withLock({ $0.signature }) {
                            await self.reload(because: "files changed")
                        }
                    }
                }
                group.addTask {
                    for await _ in await UnixSignalsSequence(trapping: .sighup) {
                        await self.reload(because: "SIGHUP")
                    }
                }
            }
        }
    }

    /// Loads the directory again now; keeps the previous methods when it cannot be read. A
    /// broken file disables only its own methods, each logged as an error naming what to fix.
    public func reload(because reason: String = "asked") async {
        let signature = Self.signature(of: directory)
        do {
            let registry = try YAMLRegistry(directory: directory)
            state.withLock { $0 = State(registry: registry, signature: signature) }
            logger.info(
                "adapters reloaded (\(reason))",
                metadata: ["directory": "\(directory)", "inventories": "\(registry.inventories.count)"])
            for problem in (try? await registry.problems()) ?? [] {
                logger.error(
                    "tool method disabled: \(problem.message)", metadata: ["code": "\(problem.code.rawValue)"]
                )
            }
        } catch {
            state.withLock { $0.signature = signature }
            logger.error(
                "reloading adapters failed (\(reason)); the previous ones stay in use: \(error)",
                metadata: ["directory": "\(directory)"])
        }
    }

    /// Path → contents of every file under `path` (adapter directories are small; comparing
    /// contents catches an edit that keeps the size within the file system's timestamp resolution).
    static func signature(of path: String) -> [String: Data] {
        let manager = FileManager.default
        var files = [path]
        if let children = manager.enumerator(atPath: path) {
            files += children.compactMap { $0 as? String }.map {
                (path as NSString).appendingPathComponent($0)
            }
        }
        var signature: [String: Data] = [:]
        for file in files {
            var isDirectory: ObjCBool = false
            guard manager.fileExists(atPath: file, isDirectory: &isDirectory), !isDirectory.boolValue,
                let contents = manager.contents(atPath: file)
            else { continue }
            signature[file] = contents
        }
        return signature
    }
}

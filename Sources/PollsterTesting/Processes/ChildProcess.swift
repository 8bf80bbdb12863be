import Synchronization

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A program started with `posix_spawn`, for tests that run command lines and daemons.
///
/// Not Foundation's `Process`: on Linux its `run()` reads past a buffer while it lists
/// `/proc/self/fd` and crashes a test run now and then (swift-corelibs-foundation #5472, in
/// Swift 6.3.1). Here the child closes every inherited descriptor above 2 itself
/// (`posix_spawn_file_actions_addclosefrom_np`; `POSIX_SPAWN_CLOEXEC_DEFAULT` on Darwin).
public final class ChildProcess: Sendable {
    /// What a spawn could not do.
    public struct Failure: Error, CustomStringConvertible {
        /// What was being started.
        public var command: String
        /// The `errno` of the failing call.
        public var code: Int32
        /// `command: strerror(code)`.
        public var description: String { "\(command): \(String(cString: strerror(code)))" }
    }

    /// The process id.
    public let pid: pid_t
    /// The exit status once reaped: the exit code, or the signal number that ended it.
    private let reaped = Mutex<Int32?>(nil)

    /// Starts `executable arguments…` in `directory` with exactly `environment`.
    /// - Parameters:
    ///   - output: the file standard output is written to (created or truncated).
    ///   - error: the file standard error is written to; nil sends it where standard output goes.
    /// Standard input is `/dev/null`.
    public init(
        _ executable: String, _ arguments: [String], in directory: String? = nil,
        environment: [String: String],
        output: String, error: String? = nil
    ) throws {
        #if os(Linux)
            var actions = posix_spawn_file_actions_t()
            var attributes = posix_spawnattr_t()
        #else
            var actions: posix_spawn_file_actions_t?
            var attributes: posix_spawnattr_t?
        #endif
        posix_spawn_file_actions_init(&actions)
        posix_spawnattr_init(&attributes)
        defer {
            posix_spawn_file_actions_destroy(&actions)
            posix_spawnattr_destroy(&attributes)
        }
        let writeFlags = O_WRONLY | O_CREAT | O_TRUNC
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, output, writeFlags, 0o644)
        if let error {
            posix_spawn_file_actions_addopen(&actions, 2, error, writeFlags, 0o644)
        } else {
            posix_spawn_file_actions_adddup2(&actions, 1, 2)
        }
        #if os(Linux)
            if let directory {
                guard let addChdir = Self.addChdir else { throw Failure(command: executable, code: ENOSYS) }
                _ = addChdir(&actions, directory)
            }
            _ = Self.addCloseFrom?(&actions, 3)
        #else
            if let directory { posix_spawn_file_actions_addchdir_np(&actions, directory) }
            posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_CLOEXEC_DEFAULT))
        #endif
        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        let envp = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { for pointer in argv + envp { free(pointer) } }
        var pid = pid_t()
        let code = posix_spawn(&pid, executable, &actions, &attributes, argv, envp)
        guard code == 0 else { throw Failure(command: executable, code: code) }
        self.pid = pid
    }

    #if os(Linux)
        // glibc's `_np` file actions (2.29, 2.34) are not in Swift's Glibc module: looked up by name.
        private typealias AddChdir =
            @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, UnsafePointer<CChar>) -> Int32
        private typealias AddCloseFrom =
            @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32
        private static let addChdir = symbol("posix_spawn_file_actions_addchdir_np", as: AddChdir.self)
        private static let addCloseFrom = symbol(
            "posix_spawn_file_actions_addclosefrom_np", as: AddCloseFrom.self)

        private static func symbol<Function>(_ name: String, as type: Function.Type) -> Function? {
            guard let address = dlsym(dlopen(nil, RTLD_NOW), name) else { return nil }
            return unsafeBitCast(address, to: type)
        }
    #endif

    /// This process's environment, changed by `changes` (a nil value removes a variable).
    public static func environment(changing changes: [String: String?]) -> [String: String] {
        var merged: [String: String] = [:]
        var entry = environ
        while let pointer = entry.pointee {
            let text = String(cString: pointer)
            if let equals = text.firstIndex(of: "=") {
                merged[String(text[..<equals])] = String(text[text.index(after: equals)...])
            }
            entry += 1
        }
        for (name, value) in changes { merged[name] = value }
        return merged
    }

    /// Whether it still runs.
    public var isRunning: Bool { reap(blocking: false) == nil }

    /// Sends `signal` (SIGTERM, SIGKILL, …) unless it has already ended.
    public func send(_ signal: Int32) {
        if isRunning { kill(pid, signal) }
    }

    /// Waits for it to end without holding a thread: checks every 10 ms.
    /// - Returns: the exit code, or the number of the signal that ended it.
    public func exitStatus() async -> Int32 {
        while true {
            if let status = reap(blocking: false) { return status }
            try? await Task.sleep(for: .milliseconds(10))
        }
    }

    /// Waits for it to end, blocking the calling thread (for synchronous callers).
    public func waitBlocking() -> Int32 {
        reap(blocking: true) ?? -1
    }

    /// Reaps the child once; later calls give the stored status.
    private func reap(blocking: Bool) -> Int32? {
        reaped.withLock { stored in
            if let stored { return stored }
            var status: Int32 = 0
            var result: pid_t
            repeat {
                result = waitpid(pid, &status, blocking ? 0 : WNOHANG)
            } while result == -1 && errno == EINTR
            guard result == pid else { return nil }
            let signal = status & 0x7f
            stored = signal == 0 ? (status >> 8) & 0xff : signal
            return stored
        }
    }
}

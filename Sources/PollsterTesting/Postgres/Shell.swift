import Foundation

/// Runs programs for the test cluster (initdb, pg_ctl, chown).
enum Shell {
    struct Failure: Error, CustomStringConvertible {
        var command: String
        var status: Int32
        var output: String
        var description: String { "`\(command)` exited \(status): \(output)" }
    }

    /// Runs `executable` with `arguments`, as the `postgres` user when `asPostgres` and we are root.
    ///
    /// Blocks the calling thread until the command ends (initdb, pg_ctl: seconds at most).
    /// - Returns: standard output and error, combined.
    @discardableResult
    static func run(_ executable: String, _ arguments: [String], asPostgres: Bool = false) throws -> String {
        var command = [executable] + arguments
        if asPostgres, getuid() == 0 {
            if let runuser = ["/usr/sbin/runuser", "/sbin/runuser"].first(where: {
                FileManager.default.isExecutableFile(atPath: $0)
            }) {
                command = [runuser, "-u", "postgres", "--"] + command
            } else {
                command = [
                    "/bin/su", "postgres", "-s", "/bin/sh", "-c", command.map(quote).joined(separator: " "),
                ]
            }
        }
        let log = NSTemporaryDirectory() + "pollster-shell-\(UUID()).log"
        defer { try? FileManager.default.removeItem(atPath: log) }
        // The `postgres` user may not be allowed into the checkout (e.g. under /root). Inherited
        // descriptors are closed in the child, so a daemon it leaves behind (the postmaster of
        // `pg_ctl start`) holds none of ours.
        let child = try ChildProcess(
            command[0], Array(command.dropFirst()), in: NSTemporaryDirectory(),
            environment: ChildProcess.environment(changing: [:]), output: log)
        let status = child.waitBlocking()
        let output = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
        guard status == 0 else {
            throw Failure(command: command.joined(separator: " "), status: status, output: output)
        }
        return output
    }

    /// The first of `names` found on PATH or in `/usr/lib/postgresql/*/bin` (newest version first).
    static func find(_ name: String) -> String? {
        var directories = (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":").map(
            String.init)
        let root = "/usr/lib/postgresql"
        let versions = (try? FileManager.default.contentsOfDirectory(atPath: root)) ?? []
        directories += versions.sorted { (Int($0) ?? 0) > (Int($1) ?? 0) }.map { "\(root)/\($0)/bin" }
        return directories.map { "\($0)/\(name)" }.first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    private static func quote(_ word: String) -> String {
        "'" + word.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }
}

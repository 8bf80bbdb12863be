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
    /// The command runs under `bash`, which first closes every inherited descriptor above 2:
    /// Foundation's `Process` watches a socket that a daemon (the postmaster `pg_ctl start`
    /// leaves behind) would otherwise inherit, and `waitUntilExit()` would never return.
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
        let closeInherited =
            #"for f in /proc/$$/fd/*; do n=${f##*/}; if [ "$n" -gt 2 ]; then exec {n}>&-; fi; done 2>/dev/null; exec "$@""#
        command = ["/bin/bash", "-c", closeInherited, "bash"] + command
        let process = Process()
        process.executableURL = URL(fileURLWithPath: command[0])
        process.arguments = Array(command.dropFirst())
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        process.standardInput = FileHandle.nullDevice
        // The `postgres` user may not be allowed into the checkout (e.g. under /root).
        process.currentDirectoryURL = URL(fileURLWithPath: NSTemporaryDirectory())
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let output = String(decoding: data, as: UTF8.self)
        guard process.terminationStatus == 0 else {
            throw Failure(
                command: command.joined(separator: " "), status: process.terminationStatus, output: output)
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

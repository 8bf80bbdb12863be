import Foundation
import PollsterCore
import PollsterPostgres

/// Starting and removing throwaway clusters (synchronous: `initdb` and `pg_ctl` run to the end).
extension PostgresTestCluster {
    /// The external server's URL, or a new cluster's URL and directory.
    static func start() throws -> (DatabaseURL, String?) {
        if let external = ProcessInfo.processInfo.environment["POLLSTER_TEST_DATABASE_URL"], !external.isEmpty
        {
            return (try DatabaseURL(external), nil)
        }
        guard let initdb = Shell.find("initdb"), let pgCtl = Shell.find("pg_ctl") else {
            throw PollsterError(
                .transportError,
                "initdb/pg_ctl not found on PATH or in /usr/lib/postgresql/*/bin; install the PostgreSQL server "
                    + "(apt-get install postgresql) or set POLLSTER_TEST_DATABASE_URL")
        }
        removeStaleClusters(pgCtl: pgCtl)
        let directory = try makeDirectory()
        do {
            try Shell.run(
                initdb,
                [
                    "-D", "\(directory)/data", "-U", "postgres", "-A", "trust", "--no-sync", "-E", "UTF8",
                    "--locale=C",
                ],
                asPostgres: true)
            // Written first, so a run killed from here on leaves a cluster the next run can remove.
            try "\(getpid())".write(toFile: "\(directory)/owner.pid", atomically: true, encoding: .utf8)
            var lastError: (any Error)?
            for _ in 0..<3 {
                let port = try freePort()
                let options = [
                    "-c listen_addresses=127.0.0.1", "-p \(port)", "-k \(directory)", "-c fsync=off",
                    "-c synchronous_commit=off", "-c full_page_writes=off", "-c max_connections=300",
                ]
                do {
                    try Shell.run(
                        pgCtl,
                        [
                            "-D", "\(directory)/data", "-l", "\(directory)/server.log", "-w", "-t", "60",
                            "-o",
                            options.joined(separator: " "), "start",
                        ], asPostgres: true)
                    return (
                        try DatabaseURL("postgres://postgres@127.0.0.1:\(port)/postgres?sslmode=disable"),
                        directory
                    )
                } catch {
                    lastError = error  // most likely the port was taken meanwhile
                }
            }
            let log = (try? String(contentsOfFile: "\(directory)/server.log", encoding: .utf8)) ?? ""
            throw PollsterError(
                .transportError, "pg_ctl start failed: \(lastError.map { "\($0)" } ?? "") \(log.suffix(2000))"
            )
        } catch {
            destroy(directory)
            throw error
        }
    }

    private static func makeDirectory() throws -> String {
        var template = Array("/tmp/pollster-pg-XXXXXX".utf8CString)
        guard let pointer = mkdtemp(&template) else {
            throw PollsterError(.transportError, "cannot create a temporary directory")
        }
        let directory = String(cString: pointer)
        if getuid() == 0 { try Shell.run("/bin/chown", ["postgres:postgres", directory]) }
        return directory
    }

    /// Stops the server (immediately: it is throwaway) and removes its directory.
    static func destroy(_ directory: String) {
        if let pgCtl = Shell.find("pg_ctl"),
            FileManager.default.fileExists(atPath: "\(directory)/data/postmaster.pid")
        {
            _ = try? Shell.run(
                pgCtl, ["-D", "\(directory)/data", "-m", "immediate", "-w", "stop"], asPostgres: true)
        }
        try? FileManager.default.removeItem(atPath: directory)
    }

    /// Clusters left by test runs that were killed before they could stop them.
    private static func removeStaleClusters(pgCtl: String) {
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/tmp")) ?? []
        for entry in entries where entry.hasPrefix("pollster-pg-") {
            let directory = "/tmp/\(entry)"
            if let text = try? String(contentsOfFile: "\(directory)/owner.pid", encoding: .utf8) {
                guard let owner = pid_t(text.trimmingCharacters(in: .whitespacesAndNewlines)),
                    kill(owner, 0) != 0, errno == ESRCH
                else { continue }
            } else {
                // No owner yet: being set up right now, unless it is old.
                let created =
                    (try? FileManager.default.attributesOfItem(atPath: directory))?[.modificationDate]
                    as? Date
                guard let created, created.timeIntervalSinceNow < -3600 else { continue }
            }
            destroy(directory)
        }
    }

    /// A loopback TCP port nobody listens on right now.
    private static func freePort() throws -> Int {
        #if canImport(Glibc)
            let streamType = Int32(SOCK_STREAM.rawValue)
        #else
            let streamType = SOCK_STREAM
        #endif
        let descriptor = socket(AF_INET, streamType, 0)
        guard descriptor >= 0 else { throw PollsterError(.transportError, "socket() failed") }
        defer { close(descriptor) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { pointer in
                bind(descriptor, pointer, length) == 0 && getsockname(descriptor, pointer, &length) == 0
            }
        }
        guard bound else { throw PollsterError(.transportError, "cannot bind a loopback port") }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}

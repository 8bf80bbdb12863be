import Foundation

/// CPU and memory of the server under load, a process of its own, read from `/proc/<pid>`.
struct ServerProcess: Sendable {
    /// The server's process id.
    let pid: Int32

    /// User + system CPU seconds the process has used so far (`utime` + `stime` of `stat`).
    var cpuSeconds: Double {
        guard let text = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
            let close = text.lastIndex(of: ")")
        else { return 0 }
        // After the command name come the fields from 3 (state) on: utime is 14, stime 15.
        let fields = text[text.index(after: close)...].split(separator: " ")
        guard fields.count > 12, let user = Double(fields[11]), let system = Double(fields[12]) else {
            return 0
        }
        return (user + system) / Double(sysconf(Int32(_SC_CLK_TCK)))
    }

    /// `VmRSS` (current) in bytes.
    var residentBytes: Int { ProcessStats.statusField("VmRSS", process: "\(pid)") ?? 0 }

    /// `VmHWM` (peak resident set since the process started) in bytes.
    var peakResidentBytes: Int { ProcessStats.statusField("VmHWM", process: "\(pid)") ?? 0 }
}

import CHeapStats
import Foundation

/// Whole-process figures from the kernel: CPU time (`getrusage`) and resident memory
/// (`/proc/self/status`).
enum ProcessStats {
    /// User and system CPU seconds this process has used so far.
    static func cpuSeconds() -> (user: Double, system: Double) {
        var usage = rusage()
        getrusage(Int32(RUSAGE_SELF.rawValue), &usage)
        func seconds(_ time: timeval) -> Double { Double(time.tv_sec) + Double(time.tv_usec) / 1e6 }
        return (seconds(usage.ru_utime), seconds(usage.ru_stime))
    }

    /// `VmRSS` (current) in bytes.
    static var residentBytes: Int { statusField("VmRSS") ?? 0 }

    /// `VmHWM` (peak resident set) in bytes.
    static var peakResidentBytes: Int { statusField("VmHWM") ?? 0 }

    /// Bytes of the malloc heap in use, over every arena and the chunks mapped on their own
    /// (glibc's `mallinfo2`: `uordblks + hblkhd`): what the program holds, unlike RSS without
    /// the pages malloc keeps free.
    static var heapInUseBytes: Int { Int(bench_heap_in_use()) }

    /// Open file descriptors of this process.
    static var openDescriptors: Int {
        (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd").count) ?? 0
    }

    /// The soft `RLIMIT_NOFILE`, raised to the hard limit first.
    static func raiseDescriptorLimit() -> Int {
        var limit = rlimit()
        getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
        if limit.rlim_cur < limit.rlim_max {
            limit.rlim_cur = limit.rlim_max
            setrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
            getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
        }
        return Int(limit.rlim_cur)
    }

    /// A `kB` line of `/proc/<process>/status` (this process by default), in bytes.
    static func statusField(_ name: String, process: String = "self") -> Int? {
        guard let text = try? String(contentsOfFile: "/proc/\(process)/status", encoding: .utf8) else {
            return nil
        }
        for line in text.split(separator: "\n") where line.hasPrefix("\(name):") {
            let number = line.dropFirst(name.count + 1).split(whereSeparator: { $0 == " " || $0 == "\t" })
                .first
            return number.flatMap { Int($0) }.map { $0 * 1024 }
        }
        return nil
    }
}

import Foundation

/// Terminal output: results to stdout, everything else to stderr.
enum Console {
    /// Writes a line to standard output.
    static func out(_ text: String) {
        FileHandle.standardOutput.write(Data((text + "\n").utf8))
    }

    /// Writes a line to standard error.
    static func error(_ text: String) {
        FileHandle.standardError.write(Data((text + "\n").utf8))
    }

    /// Overwrites the current standard-error line (for live progress on a terminal).
    static func status(_ text: String) {
        FileHandle.standardError.write(Data(("\r\u{1B}[2K" + text).utf8))
    }

    /// True when standard error is a terminal.
    static var isInteractive: Bool { isatty(STDERR_FILENO) != 0 }
}

import Foundation

/// Fresh directories under the system's temporary one, for a test's files.
enum TemporaryDirectory {
    /// Creates `pollster-<purpose>-<UUID>`; remove it with `remove(_:)` (in a `defer`).
    static func make(_ purpose: String) throws -> URL {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "pollster-\(purpose)-\(UUID())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        return directory
    }

    /// Removes a directory and everything in it.
    static func remove(_ directory: URL) { try? FileManager.default.removeItem(at: directory) }
}

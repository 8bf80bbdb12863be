import PollsterCore

/// A PostgreSQL `LISTEN`/`NOTIFY` channel name, checked before use.
///
/// PostgresNIO sends channel names into `LISTEN "<name>"` without escaping, so only a
/// plain identifier (lower-case letters, digits and `_`, not starting with a digit, at most
/// 63 bytes) is accepted.
package struct NotificationChannel: Sendable, Hashable, CustomStringConvertible {
    /// The channel name.
    package let name: String

    /// The channel the registry trigger notifies (`pg_notify('pollster_registry', …)` in sql/migrations).
    package static let registry = NotificationChannel(checked: "pollster_registry")

    /// A validated channel name.
    /// - Throws: `INVALID_CONFIG` when `name` is not a plain lower-case identifier.
    package init(_ name: String) throws(PollsterError) {
        guard Self.isValid(name) else {
            throw PollsterError(
                .invalidConfig,
                "'\(name)' is not a usable notification channel; use lower-case letters, digits and '_' (at most 63)"
            )
        }
        self.name = name
    }

    private init(checked name: String) {
        precondition(Self.isValid(name), "invalid built-in channel name")
        self.name = name
    }

    /// True for a lower-case identifier PostgreSQL accepts unquoted.
    package static func isValid(_ name: String) -> Bool {
        guard let first = name.unicodeScalars.first, name.utf8.count <= 63 else { return false }
        let lower: ClosedRange<Unicode.Scalar> = "a"..."z"
        let digit: ClosedRange<Unicode.Scalar> = "0"..."9"
        guard lower.contains(first) || first == "_" else { return false }
        return name.unicodeScalars.allSatisfy { lower.contains($0) || digit.contains($0) || $0 == "_" }
    }

    package var description: String { name }
}

/// One schema change: a file `sql/migrations/NNNN_name.sql`, embedded in the binary.
public struct Migration: Sendable, Hashable {
    /// The number the file name starts with; migrations run in this order, once each.
    public var version: Int
    /// The file name without `.sql` (`0001_registry`).
    public var name: String
    /// The SQL script, exactly as in the file.
    public var sql: String

    /// A migration from its parts.
    public init(version: Int, name: String, sql: String) {
        self.version = version
        self.name = name
        self.sql = sql
    }
}

import Foundation
import PollsterCore

/// Loads secrets from the process environment and an optional `.env` file.
///
/// The environment wins over the file. Values are never logged.
public enum SecretStore {
    /// The environment merged over `.env` (if the file exists).
    /// - Parameter dotEnvPath: the file to read; default `.env` in the working directory.
    public static func load(
        environment: [String: String] = ProcessInfo.processInfo.environment, dotEnvPath: String? = ".env"
    ) -> Secrets {
        var values: [String: String] = [:]
        if let dotEnvPath, let text = try? String(contentsOfFile: dotEnvPath, encoding: .utf8) {
            values = parseDotEnv(text)
        }
        return Secrets(values.merging(environment) { _, environment in environment })
    }

    /// Parses `KEY=value` lines: `export ` prefixes, `#` comments, single or double quotes.
    public static func parseDotEnv(_ text: String) -> [String: String] {
        var values: [String: String] = [:]
        for rawLine in text.split(whereSeparator: \.isNewline) {
            var line = rawLine.trimmingCharacters(in: .whitespaces)
            if line.isEmpty || line.hasPrefix("#") { continue }
            if line.hasPrefix("export ") { line = String(line.dropFirst(7)) }
            guard let equals = line.firstIndex(of: "=") else { continue }
            let key = line[..<equals].trimmingCharacters(in: .whitespaces)
            var value = line[line.index(after: equals)...].trimmingCharacters(in: .whitespaces)
            if value.count >= 2, let first = value.first, first == "\"" || first == "'", value.last == first {
                value = String(value.dropFirst().dropLast())
                if first == "\"" { value = value.replacingOccurrences(of: "\\n", with: "\n") }
            } else if let hash = value.range(of: " #") {
                value = value[..<hash.lowerBound].trimmingCharacters(in: .whitespaces)
            }
            if !key.isEmpty { values[key] = value }
        }
        return values
    }
}

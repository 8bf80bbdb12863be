import Foundation

/// Generates job ids in each provider's style.
enum MockIdentifiers {
    /// A lowercase UUID, as runway and fal use.
    static func uuid() -> String {
        UUID().uuidString.lowercased()
    }

    /// 32 lowercase hex digits, as HeyGen uses.
    static func hex() -> String {
        random(count: 32, from: Array("0123456789abcdef"))
    }

    /// 26 lowercase letters and digits, as Replicate uses.
    static func alphanumeric() -> String {
        random(count: 26, from: Array("abcdefghijklmnopqrstuvwxyz0123456789"))
    }

    /// An id in the style of `style`.
    static func make(for style: MockProviderStyle) -> String {
        switch style {
        case .heygen: hex()
        case .fal, .runway: uuid()
        case .replicate: alphanumeric()
        }
    }

    private static func random(count: Int, from alphabet: [Character]) -> String {
        var generator = SystemRandomNumberGenerator()
        return String((0..<count).map { _ in alphabet.randomElement(using: &generator)! })
    }
}

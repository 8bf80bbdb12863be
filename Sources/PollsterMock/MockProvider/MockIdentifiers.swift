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

    /// `{appId}-{epoch}-{uuid}-0`, as Tencent Hunyuan job ids look.
    static func hunyuanJobId() -> String {
        "\(Int.random(in: 1_250_000_000..<1_260_000_000))-\(Int(Date().timeIntervalSince1970))-\(uuid())-0"
    }

    /// `{subAppId}-AigcImageTask-{32 hex}`, as Tencent VOD task ids look.
    static func vodTaskId() -> String {
        "\(Int.random(in: 1_500_000_000..<1_600_000_000))-AigcImageTask-\(hex())"
    }

    /// 13 decimal digits, as Jimeng history record ids look.
    static func digits() -> String {
        String(Int.random(in: 1_000_000_000_000..<10_000_000_000_000))
    }

    /// An id in the style of `style`.
    static func make(for style: MockProviderStyle) -> String {
        switch style {
        case .heygen: hex()
        case .fal, .runway, .azure, .azureLocation: uuid()
        case .replicate: alphanumeric()
        case .tencentHunyuan: hunyuanJobId()
        case .tencentVOD: vodTaskId()
        case .jimeng: digits()
        }
    }

    private static func random(count: Int, from alphabet: [Character]) -> String {
        var generator = SystemRandomNumberGenerator()
        return String((0..<count).map { _ in alphabet.randomElement(using: &generator)! })
    }
}

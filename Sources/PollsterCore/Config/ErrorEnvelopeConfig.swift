/// A provider's error envelope: an object that, when present in a 2xx body, means the call
/// failed (Tencent Cloud's `Response.Error {Code, Message}`).
///
/// Codes listed in `rateLimitCodes` mean the request was not processed (a submit is retried,
/// a poll waits); `transientCodes` mean a passing fault (a poll is retried; a submit may have
/// created a job). Any other code is a failure. A code pattern ending in `*` matches by prefix.
public struct ErrorEnvelopeConfig: Sendable, Hashable, Codable {
    /// JSON path of the envelope; default `Response.Error`.
    public var path: String
    /// Path of the code inside the envelope; default `Code`.
    public var codePath: String
    /// Path of the message inside the envelope; default `Message`.
    public var messagePath: String
    /// Codes meaning "rate limited, not processed".
    public var rateLimitCodes: [String]
    /// Codes meaning "a passing fault, try again".
    public var transientCodes: [String]

    /// Tencent Cloud API 3.0's envelope, the default for configs that name none.
    public static let tencentCloud = ErrorEnvelopeConfig()

    /// An envelope from its parts; the defaults describe Tencent Cloud API 3.0.
    public init(
        path: String = "Response.Error", codePath: String = "Code", messagePath: String = "Message",
        rateLimitCodes: [String] = ["RequestLimitExceeded*"],
        transientCodes: [String] = ["InternalError*", "ResourceUnavailable.ServiceBusy*"]
    ) {
        self.path = path
        self.codePath = codePath
        self.messagePath = messagePath
        self.rateLimitCodes = rateLimitCodes
        self.transientCodes = transientCodes
    }

    static let keys = ["path", "codePath", "messagePath", "rateLimitCodes", "transientCodes"]

    public init(from decoder: any Decoder) throws {
        let defaults = Self.tencentCloud
        let c = try ConfigContainer(decoder, known: Self.keys)
        path = try c("path", default: defaults.path)
        codePath = try c("codePath", default: defaults.codePath)
        messagePath = try c("messagePath", default: defaults.messagePath)
        rateLimitCodes = try c("rateLimitCodes", default: defaults.rateLimitCodes)
        transientCodes = try c("transientCodes", default: defaults.transientCodes)
    }

    public func encode(to encoder: any Encoder) throws {
        var c = ConfigEncoder(encoder)
        try c("path", path)
        try c("codePath", codePath)
        try c("messagePath", messagePath)
        try c("rateLimitCodes", rateLimitCodes)
        try c("transientCodes", transientCodes)
    }
}

import PollsterCore
import PollsterMock
import Testing

/// Every shipped protocol shape the mock provider speaks, as the fault matrix drives it.
struct ProtocolShape: Sendable, CustomTestStringConvertible {
    var tool: String
    /// The mock's path prefix for the shape (its `baseUrl` override is the mock's URL plus this).
    var prefix: String
    var input: JSONValue
    var kind: MockFileKind
    /// The status is read from an explicit `statusPath`, so a generic `{"status": "Failed"}` body
    /// is not this provider's answer.
    var explicitStatus = false
    /// The provider states the output's size next to its URL (a short body is detectable).
    var statesSize = false
    /// 202 + Location: the status code, not a body field, says running or done.
    var locationMode = false

    var testDescription: String { tool }

    static let all: [ProtocolShape] = [
        ProtocolShape(
            tool: "heygen.create_avatar_video_v2", prefix: "",
            input: sampleInputs["heygen.create_avatar_video_v2"]!, kind: .mp4),
        ProtocolShape(tool: "fal.fast_sdxl", prefix: "", input: ["prompt": "a lighthouse"], kind: .png),
        ProtocolShape(
            tool: "fal.kling_text_to_video", prefix: "", input: ["prompt": "waves"], kind: .mp4,
            statesSize: true),
        ProtocolShape(
            tool: "runway.image_to_video", prefix: "", input: sampleInputs["runway.image_to_video"]!,
            kind: .mp4),
        ProtocolShape(
            tool: "replicate.create_prediction", prefix: "",
            input: sampleInputs["replicate.create_prediction"]!,
            kind: .png),
        ProtocolShape(
            tool: "tencent-hunyuan.submit_image_job", prefix: "/tencent/hunyuan",
            input: ["prompt": "a lighthouse"],
            kind: .png, explicitStatus: true),
        ProtocolShape(
            tool: "tencent-vod.create_aigc_image_task", prefix: "/tencent/vod",
            input: ["sub_app_id": 1_500_032_969, "prompt": "a lighthouse"], kind: .png, explicitStatus: true),
        ProtocolShape(
            tool: "jimeng.generate_video", prefix: "/jimeng", input: ["prompt": "waves at night"], kind: .mp4,
            explicitStatus: true),
        ProtocolShape(
            tool: "azure-example.operation_location_job", prefix: "/azure", input: ["text": "hello"],
            kind: .png),
        ProtocolShape(
            tool: "azure-example.location_job", prefix: "/azure-location", input: ["text": "hello"],
            kind: .png,
            locationMode: true),
    ]

    /// Values for every secret the shipped adapters use; Tencent's are the mock's own, which it verifies.
    static let secrets = replaySecrets.merging([
        "TENCENTCLOUD_SECRET_ID": MockTencentCredentials().secretId,
        "TENCENTCLOUD_SECRET_KEY": MockTencentCredentials().secretKey,
    ])
}

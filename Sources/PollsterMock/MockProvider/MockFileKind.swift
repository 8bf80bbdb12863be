/// The file types the mock server can generate, each with real magic bytes.
public enum MockFileKind: String, Sendable, CaseIterable {
    /// MPEG-4 video (`ftypisom`).
    case mp4
    /// PNG image.
    case png
    /// JPEG image.
    case jpeg
    /// GIF image (`GIF89a`).
    case gif
    /// WebP image (`RIFF....WEBP`).
    case webp
    /// WAV audio (`RIFF....WAVE`).
    case wav
    /// MP3 audio with an ID3 tag.
    case mp3
    /// PDF document.
    case pdf
    /// A JSON document.
    case json

    /// The MIME type served as `Content-Type`.
    public var mimeType: String {
        switch self {
        case .mp4: "video/mp4"
        case .png: "image/png"
        case .jpeg: "image/jpeg"
        case .gif: "image/gif"
        case .webp: "image/webp"
        case .wav: "audio/wav"
        case .mp3: "audio/mpeg"
        case .pdf: "application/pdf"
        case .json: "application/json"
        }
    }

    /// The file name extension, without the dot.
    public var fileExtension: String {
        switch self {
        case .jpeg: "jpg"
        default: rawValue
        }
    }

    /// Whether this kind is an image (fal answers with an `images` array).
    var isImage: Bool {
        switch self {
        case .png, .jpeg, .gif, .webp: true
        default: false
        }
    }

    /// Whether this kind is audio.
    var isAudio: Bool {
        self == .wav || self == .mp3
    }
}

import PollsterCore
import Testing

@Suite("MIMEType")
struct MIMETypeTests {
    private static func ascii(_ text: String) -> [UInt8] { Array(text.utf8) }

    static let png: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]

    static let magic: [(String, [UInt8], String)] = [
        ("mp4 isom", [0, 0, 0, 0x18] + ascii("ftypisom"), "video/mp4"),
        ("mp4 mp42", [0, 0, 0, 0x20] + ascii("ftypmp42\0\0\0\0"), "video/mp4"),
        ("mp4, brand cut off", [0, 0, 0, 0x20] + ascii("ftyp"), "video/mp4"),
        ("mov", [0, 0, 0, 0x14] + ascii("ftypqt  "), "video/quicktime"),
        ("m4a", [0, 0, 0, 0x20] + ascii("ftypM4A "), "audio/mp4"),
        ("avif", [0, 0, 0, 0x1C] + ascii("ftypavif"), "image/avif"),
        ("heic", [0, 0, 0, 0x18] + ascii("ftypheic"), "image/heic"),
        ("webm/mkv", [0x1A, 0x45, 0xDF, 0xA3, 0x9F], "video/webm"),
        ("png", png, "image/png"),
        ("jpeg jfif", [0xFF, 0xD8, 0xFF, 0xE0], "image/jpeg"),
        ("jpeg exif", [0xFF, 0xD8, 0xFF, 0xE1], "image/jpeg"),
        ("gif87a", ascii("GIF87a"), "image/gif"),
        ("gif89a", ascii("GIF89a\u{1}\0"), "image/gif"),
        ("webp", ascii("RIFF\u{10}\0\0\0WEBPVP8 "), "image/webp"),
        ("wav", ascii("RIFF\u{10}\0\0\0WAVEfmt "), "audio/wav"),
        ("mp3 with ID3", ascii("ID3\u{4}\0"), "audio/mpeg"),
        ("mp3 frame FF FB", [0xFF, 0xFB, 0x90, 0x64], "audio/mpeg"),
        ("mp3 frame FF F3", [0xFF, 0xF3, 0x48, 0xC4], "audio/mpeg"),
        ("mp3 MPEG-2.5 FF E3", [0xFF, 0xE3, 0x18], "audio/mpeg"),
        ("ogg", ascii("OggS\0\u{2}"), "audio/ogg"),
        ("flac", ascii("fLaC\0\0\0\u{22}"), "audio/flac"),
        ("pdf", ascii("%PDF-1.7\n"), "application/pdf"),
        ("zip", [0x50, 0x4B, 0x03, 0x04, 0x14], "application/zip"),
        ("json object", ascii("{\"a\":1}"), "application/json"),
        ("json array after whitespace", ascii(" \t\r\n[1,2]"), "application/json"),
        ("json after a UTF-8 BOM", [0xEF, 0xBB, 0xBF] + ascii("{}"), "application/json"),
    ]

    @Test("magic bytes identify the type", arguments: magic)
    func sniff(kind: String, bytes: [UInt8], type: String) {
        #expect(MIMEType.sniff(bytes) == type, "\(kind)")
    }

    static let unknown: [(String, [UInt8])] = [
        ("empty", []),
        ("random", [1, 2, 3]),
        ("plain text", ascii("hello, world")),
        ("html", ascii("<!doctype html>")),
        ("ftyp at the wrong offset", ascii("ftypisom")),
        ("png cut short", [0x89, 0x50, 0x4E, 0x47]),
        ("gif88a", ascii("GIF88a")),
        ("RIFF avi", ascii("RIFF\0\0\0\0AVI LIST")),
        ("UTF-16 byte order mark", [0xFF, 0xFE, 0x7B, 0x00]),
        ("frame sync, reserved layer", [0xFF, 0xF9, 0x90]),
        ("frame sync, bad bitrate", [0xFF, 0xFB, 0xF0]),
        ("zip end record only", [0x50, 0x4B, 0x05, 0x06]),
        ("%PDF without dash", ascii("%PDF")),
        ("only whitespace", ascii("   \n")),
    ]

    @Test("unknown bytes give nil", arguments: unknown)
    func sniffNothing(kind: String, bytes: [UInt8]) {
        #expect(MIMEType.sniff(bytes) == nil, "\(kind)")
    }

    @Test("sniffing reads any byte collection, not just arrays")
    func sniffSlices() {
        let bytes: [UInt8] = [0, 0] + Self.png
        #expect(MIMEType.sniff(bytes.dropFirst(2)) == "image/png")
        #expect(MIMEType.sniff(Self.ascii("  {}").prefix(64)) == "application/json")
    }

    @Test(
        "extensions map to types",
        arguments: [
            ("mp4", "video/mp4"), (".PNG", "image/png"), ("JPEG", "image/jpeg"), ("jpg", "image/jpeg"),
            ("mov", "video/quicktime"), ("webm", "video/webm"), ("mp3", "audio/mpeg"), ("wav", "audio/wav"),
            ("flac", "audio/flac"), ("ogg", "audio/ogg"), ("pdf", "application/pdf"),
            ("zip", "application/zip"), ("json", "application/json"), ("gif", "image/gif"),
            ("webp", "image/webp"), ("exe", nil), ("", nil), (".", nil),
        ] as [(String, String?)])
    func forExtension(ext: String, type: String?) {
        #expect(MIMEType.forExtension(ext) == type)
    }

    @Test(
        "types map to their preferred extension",
        arguments: [
            ("video/mp4", "mp4"), ("image/jpeg", "jpg"), ("text/plain; charset=utf-8", "txt"),
            ("Audio/MPEG", "mp3"), (" video/quicktime ;x=1", "mov"), ("audio/x-wav", "wav"),
            ("application/json", "json"), ("application/x-unheard-of", nil), ("", nil),
        ] as [(String, String?)])
    func fileExtension(type: String, ext: String?) {
        #expect(MIMEType.fileExtension(for: type) == ext)
    }

    @Test(
        "generic content types say nothing",
        arguments: [
            (nil, true), ("", true), ("  ", true), ("application/octet-stream", true),
            ("Application/Octet-Stream; charset=binary", true), ("binary/octet-stream", true),
            ("application/x-download", true), ("application/force-download", true),
            ("application/unknown", true), ("garbage", true), ("video/", true), ("/mp4", true),
            ("video/mp4", false), ("image/png; q=1", false), ("text/plain", false),
            ("application/json", false),
        ] as [(String?, Bool)])
    func generic(contentType: String?, isGeneric: Bool) {
        #expect(MIMEType.isGeneric(contentType) == isGeneric)
    }

    static let resolveCases: [(String, String?, [UInt8], String, String)] = [
        ("header beats sniff", "video/mp4; codecs=avc1", png, "https://c/a.webm", "video/mp4"),
        ("header is lowercased", "Image/PNG", [], "", "image/png"),
        ("sniff beats extension when header generic", "application/octet-stream", png, "x.mp4", "image/png"),
        ("sniff beats extension when header missing", nil, png, "https://c/a.mp3", "image/png"),
        ("extension when bytes unknown", nil, [1, 2, 3], "https://c/a.webm?sig=1.png", "video/webm"),
        (
            "extension ignores the fragment", "binary/octet-stream", [], "https://c/v/clip.MOV#t=1.gif",
            "video/quicktime"
        ),
        ("no extension", nil, [1, 2, 3], "https://c/a", "application/octet-stream"),
        ("dot only in the host", nil, [], "https://cdn.example.com", "application/octet-stream"),
        ("a host is not a file name", nil, [], "https://clip.mp4", "application/octet-stream"),
        ("relative path", nil, [], "media/clip.png", "image/png"),
        ("dot in a directory", nil, [], "https://c/v1.2/file", "application/octet-stream"),
        ("unknown extension", nil, [], "https://c/a.xyz", "application/octet-stream"),
        ("nothing at all", nil, [], "", "application/octet-stream"),
    ]

    @Test("resolve: header unless generic, then magic bytes, then extension", arguments: resolveCases)
    func resolve(rule: String, contentType: String?, prefix: [UInt8], url: String, expected: String) {
        #expect(MIMEType.resolve(contentType: contentType, prefix: prefix, url: url) == expected, "\(rule)")
    }
}

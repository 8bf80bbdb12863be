import Foundation
import PollsterCore
import Testing

@Suite("URLs and addresses")
struct URLAndAddressTests {
    @Test(
        "URLs parse to their origin",
        arguments: [
            ("https://API.example.com/v1?x=1", "https://api.example.com:443", "/v1?x=1"),
            ("http://127.0.0.1:8089", "http://127.0.0.1:8089", ""),
            ("http://[::1]:9/p", "http://[::1]:9", "/p"),
        ])
    func parse(text: String, origin: String, rest: String) throws {
        let url = try #require(HTTPURL(text))
        #expect(url.origin == origin)
        #expect(url.pathAndQuery == rest)
    }

    @Test(
        "URLs with user info, spaces, other schemes or bad ports are refused",
        arguments: [
            "https://user:pw@example.com/", "https://exa mple.com/", "ftp://example.com/",
            "http://example.com:99999/",
            "http://example.com\r\nX: y", "example.com/path",
        ])
    func refused(text: String) {
        #expect(HTTPURL(text) == nil)
    }

    @Test(
        "joining and resolving",
        arguments: [
            (HTTPURL.join(base: "https://a.test/api/", "/v1/x"), "https://a.test/api/v1/x"),
            (HTTPURL.join(base: "https://a.test", "https://b.test/y"), "https://b.test/y"),
            (HTTPURL.resolve("/ops/1", against: "https://a.test/jobs/2?q"), "https://a.test/ops/1"),
            (
                HTTPURL.resolve("../../r/2/f.png?x=1", against: "http://h:1/r/4/f.png"),
                "http://h:1/r/2/f.png?x=1"
            ),
            (HTTPURL.resolve("./f.png", against: "http://h/a/b"), "http://h/a/f.png"),
        ])
    func join(actual: String, expected: String) {
        #expect(actual == expected)
    }

    @Test(
        "non-public addresses are named",
        arguments: [
            ("127.0.0.1", "loopback"), ("10.2.3.4", "private"), ("172.20.0.1", "private"),
            ("192.168.1.1", "private"),
            ("169.254.169.254", "link-local"), ("100.64.0.1", "carrier-grade NAT"),
            ("0.0.0.0", "unspecified"),
            ("224.0.0.1", "multicast"), ("::1", "loopback"), ("fe80::1%eth0", "link-local"),
            ("fd00::1", "unique-local"),
            ("::ffff:127.0.0.1", "loopback"), ("[::]", "unspecified"), ("ff02::1", "multicast"),
        ])
    func nonPublic(text: String, reason: String) throws {
        let address = try #require(IPAddress(text))
        #expect(AddressPolicy.nonPublicReason(address) == reason)
    }

    @Test("public addresses pass, and non-addresses do not parse")
    func publicAndInvalid() throws {
        for text in ["8.8.8.8", "2606:4700::1111", "1.1.1.1"] {
            #expect(AddressPolicy.nonPublicReason(try #require(IPAddress(text))) == nil)
        }
        for text in ["010.0.0.1", "1.2.3", "256.1.1.1", "example.com", "1::2::3", "12345::1"] {
            #expect(IPAddress(text) == nil, "\(text)")
        }
    }
}

@Suite("MIME types and file names")
struct MIMEAndFileNameTests {
    static let magic: [([UInt8], String)] = [
        ([0, 0, 0, 0x18] + Array("ftypisom".utf8), "video/mp4"),
        ([0, 0, 0, 0x14] + Array("ftypqt  ".utf8), "video/quicktime"),
        ([0x1A, 0x45, 0xDF, 0xA3], "video/webm"),
        ([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A], "image/png"),
        ([0xFF, 0xD8, 0xFF, 0xE0], "image/jpeg"), (Array("GIF89a".utf8), "image/gif"),
        (Array("RIFF\0\0\0\0WEBP".utf8), "image/webp"), (Array("RIFF\0\0\0\0WAVE".utf8), "audio/wav"),
        (Array("ID3\u{4}".utf8), "audio/mpeg"), (Array("OggS".utf8), "audio/ogg"),
        (Array("fLaC".utf8), "audio/flac"),
        (Array("%PDF-1.7".utf8), "application/pdf"), ([0x50, 0x4B, 0x03, 0x04], "application/zip"),
        (Array("  {\"a\":1}".utf8), "application/json"),
    ]

    @Test("magic bytes identify the type", arguments: magic)
    func sniff(bytes: [UInt8], type: String) {
        #expect(MIMEType.sniff(bytes) == type)
    }

    @Test("the header wins unless generic, then magic bytes, then the extension")
    func resolveOrder() {
        let png: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]
        #expect(MIMEType.resolve(contentType: "video/mp4; codecs=avc1", prefix: png, url: "") == "video/mp4")
        #expect(
            MIMEType.resolve(contentType: "application/octet-stream", prefix: png, url: "x.mp4")
                == "image/png")
        #expect(
            MIMEType.resolve(contentType: nil, prefix: [1, 2, 3], url: "https://c/a.webm?sig=1")
                == "video/webm")
        #expect(
            MIMEType.resolve(contentType: nil, prefix: [1, 2, 3], url: "https://c/a")
                == "application/octet-stream")
        #expect(MIMEType.sniff([1, 2, 3]) == nil)
    }

    @Test(
        "Content-Disposition names are read and made safe",
        arguments: [
            (#"attachment; filename="video.mp4""#, "video.mp4"),
            (#"attachment; filename*=UTF-8''%E8%A7%86%E9%A2%91.mp4; filename="fallback.mp4""#, "视频.mp4"),
            (#"attachment; filename="../../etc/passwd""#, "passwd"),
            (#"inline; filename="..\\x.png""#, "x.png"),
            (#"attachment; filename=".hidden""#, "hidden"),
            (#"attachment; filename="a b:c?.png""#, "a_b_c_.png"),
        ])
    func dispositions(header: String, name: String) throws {
        let raw = try #require(FileNaming.filename(fromContentDisposition: header))
        #expect(FileNaming.sanitize(raw) == name)
    }

    @Test("default names and length limits")
    func defaults() {
        #expect(
            FileNaming.defaultName(method: "render", taskId: "t/1", index: nil, fileExtension: "mp4")
                == "render-t_1.mp4")
        #expect(
            FileNaming.defaultName(method: "render", taskId: "t1", index: 2, fileExtension: nil)
                == "render-t1-2")
        let long = FileNaming.sanitize(String(repeating: "a", count: 500) + ".png")
        #expect(long.utf8.count <= 200 && long.hasSuffix(".png"))
        #expect(FileNaming.sanitize("///") == "file")
    }
}

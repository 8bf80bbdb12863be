import PollsterCore
import Testing

@Suite("HTTPURL: parsing, origins, join and resolve")
struct HTTPURLTests {
    struct ParseCase: Sendable, CustomTestStringConvertible {
        var text: String
        var scheme: String
        var host: String
        var port: Int?
        var pathAndQuery: String
        var path: String
        var origin: String
        var description: String
        var testDescription: String { text }
    }

    static let parseCases: [ParseCase] = [
        .init(
            text: "https://api.heygen.com/v1/video_status.get?video_id=abc", scheme: "https",
            host: "api.heygen.com",
            port: nil, pathAndQuery: "/v1/video_status.get?video_id=abc", path: "/v1/video_status.get",
            origin: "https://api.heygen.com:443",
            description: "https://api.heygen.com/v1/video_status.get?video_id=abc"),
        .init(
            text: "HTTP://Example.COM:8080", scheme: "http", host: "example.com", port: 8080,
            pathAndQuery: "",
            path: "", origin: "http://example.com:8080", description: "http://example.com:8080"),
        .init(
            text: "http://example.com", scheme: "http", host: "example.com", port: nil, pathAndQuery: "",
            path: "",
            origin: "http://example.com:80", description: "http://example.com"),
        .init(
            text: "https://queue.fal.run/fal-ai/fast-sdxl/requests/764c/status", scheme: "https",
            host: "queue.fal.run", port: nil, pathAndQuery: "/fal-ai/fast-sdxl/requests/764c/status",
            path: "/fal-ai/fast-sdxl/requests/764c/status", origin: "https://queue.fal.run:443",
            description: "https://queue.fal.run/fal-ai/fast-sdxl/requests/764c/status"),
        .init(
            text: "http://[::1]:9000/x", scheme: "http", host: "::1", port: 9000, pathAndQuery: "/x",
            path: "/x",
            origin: "http://[::1]:9000", description: "http://[::1]:9000/x"),
        .init(
            text: "https://[2001:DB8::1]/a?b#c", scheme: "https", host: "2001:db8::1", port: nil,
            pathAndQuery: "/a?b#c", path: "/a", origin: "https://[2001:db8::1]:443",
            description: "https://[2001:db8::1]/a?b#c"),
        .init(
            text: "http://127.0.0.1:8000/v1/videos/generations", scheme: "http", host: "127.0.0.1",
            port: 8000,
            pathAndQuery: "/v1/videos/generations", path: "/v1/videos/generations",
            origin: "http://127.0.0.1:8000",
            description: "http://127.0.0.1:8000/v1/videos/generations"),
        .init(
            text: "https://a.example?x=1", scheme: "https", host: "a.example", port: nil,
            pathAndQuery: "/?x=1",
            path: "/", origin: "https://a.example:443", description: "https://a.example/?x=1"),
        .init(
            text: "https://a.example#frag", scheme: "https", host: "a.example", port: nil,
            pathAndQuery: "/#frag",
            path: "/", origin: "https://a.example:443", description: "https://a.example/#frag"),
        .init(
            text: "https://evil.test/@api.example.com", scheme: "https", host: "evil.test", port: nil,
            pathAndQuery: "/@api.example.com", path: "/@api.example.com", origin: "https://evil.test:443",
            description: "https://evil.test/@api.example.com"),
        .init(
            text: "https://h.test:443/p", scheme: "https", host: "h.test", port: 443, pathAndQuery: "/p",
            path: "/p",
            origin: "https://h.test:443", description: "https://h.test:443/p"),
    ]

    @Test("absolute http(s) URLs parse into their parts", arguments: parseCases)
    func parse(testCase: ParseCase) throws {
        let url = try #require(HTTPURL(testCase.text))
        #expect(url.scheme == testCase.scheme)
        #expect(url.host == testCase.host)
        #expect(url.port == testCase.port)
        #expect(url.pathAndQuery == testCase.pathAndQuery)
        #expect(url.path == testCase.path)
        #expect(url.origin == testCase.origin)
        #expect(url.description == testCase.description)
        // The description parses back to the same URL.
        #expect(HTTPURL(url.description) == url)
    }

    static let refused: [String] = [
        // User-info: credentials in URLs, or host confusion.
        "https://user:pass@api.example.com/x",
        "https://user@api.example.com",
        "https://api.example.com@evil.test/",
        // Spaces, control characters, backslashes.
        "https://exa mple.com/",
        "https://example.com/a b",
        " https://example.com/",
        "https://example.com/\t",
        "https://example.com/a\nb",
        "https://example.com\\@evil.test/",
        "https://example.com/\u{7F}",
        // Not http(s) or not absolute.
        "ftp://example.com/file",
        "file:///etc/passwd",
        "javascript:alert(1)",
        "https:example.com",
        "example.com/path",
        "/relative/path",
        "",
        // Bad authority.
        "https://",
        "https:///path",
        "https://:443/",
        "https://host:0/",
        "https://host:65536/",
        "https://host:abc/",
        "https://host:/",
        "https://[::1",
        "https://[::1]x/",
        "https://[]/",
    ]

    @Test("malformed, non-http and user-info URLs are refused", arguments: refused)
    func refuse(text: String) {
        #expect(HTTPURL(text) == nil)
    }

    static let originCases: [(String, String, Bool)] = [
        ("https://API.example.com/a", "https://api.example.com:443/b?c", true),
        ("http://api.example.com", "https://api.example.com", false),
        ("https://api.example.com", "https://api.example.com:8443", false),
        ("https://api.example.com", "https://cdn.example.com", false),
        ("http://example.com:80/", "http://example.com/x", true),
    ]

    @Test("origins compare scheme, host and effective port", arguments: originCases)
    func sameOrigin(first: String, second: String, same: Bool) throws {
        let a = try #require(HTTPURL(first))
        let b = try #require(HTTPURL(second))
        #expect((a.origin == b.origin) == same)
    }

    @Test("effective ports default per scheme")
    func effectivePorts() throws {
        #expect(try #require(HTTPURL("http://a.test")).effectivePort == 80)
        #expect(try #require(HTTPURL("https://a.test")).effectivePort == 443)
        #expect(try #require(HTTPURL("https://a.test:8443")).effectivePort == 8443)
    }

    static let joinCases: [(String?, String, String)] = [
        ("https://api.heygen.com", "/v2/video/generate", "https://api.heygen.com/v2/video/generate"),
        ("https://api.heygen.com/", "/v2/video/generate", "https://api.heygen.com/v2/video/generate"),
        ("https://gw.example.com/api", "v1/jobs", "https://gw.example.com/api/v1/jobs"),
        ("https://gw.example.com/api/", "/v1/jobs", "https://gw.example.com/api/v1/jobs"),
        ("https://gw.example.com/api/", "v1/jobs?x=1", "https://gw.example.com/api/v1/jobs?x=1"),
        ("https://a.test", "https://b.test/x", "https://b.test/x"),
        ("https://a.test", "http://b.test/x", "http://b.test/x"),
        (nil, "/x", "/x"),
        (nil, "https://b.test/x", "https://b.test/x"),
        ("https://a.test/base/", "", "https://a.test/base"),
        ("https://vod.tencentcloudapi.com", "/", "https://vod.tencentcloudapi.com/"),
    ]

    @Test("join appends relative endpoints to the base and keeps absolute ones", arguments: joinCases)
    func join(base: String?, endpoint: String, expected: String) {
        #expect(HTTPURL.join(base: base, endpoint) == expected)
    }

    static let resolveCases: [(String, String, String)] = [
        (
            "https://cdn.example.com/x.png", "https://api.example.com/v1/jobs/1",
            "https://cdn.example.com/x.png"
        ),
        ("/v1/status/1", "https://api.example.com/v1/jobs/1", "https://api.example.com/v1/status/1"),
        ("/v1/status/1", "http://localhost:8080/a", "http://localhost:8080/v1/status/1"),
        ("/x", "https://[::1]:8443/y", "https://[::1]:8443/x"),
        ("/x", "https://h.test:443/y", "https://h.test:443/x"),
        ("status/1", "https://api.example.com/v1/jobs/1", "https://api.example.com/v1/jobs/status/1"),
        ("s/1", "https://h.test", "https://h.test/s/1"),
        ("./s", "https://h.test/a/b", "https://h.test/a/s"),
        ("../results/7?sig=a/../b", "https://h.test/ops/7", "https://h.test/results/7?sig=a/../b"),
        ("/a/./b/../c", "https://h.test/x", "https://h.test/a/c"),
        ("/a/b/..", "https://h.test", "https://h.test/a/"),
        ("/a/b/.", "https://h.test", "https://h.test/a/b/"),
        ("/../../x", "https://h.test", "https://h.test/x"),
        ("/x?y#z", "https://h.test/q?old=1", "https://h.test/x?y#z"),
        ("/x", "not a url", "/x"),
        // A reference with a scheme of its own stays absolute (the URL policy then refuses it).
        ("HTTP://h.test/x", "https://a.test/y", "http://h.test/x"),
        ("file:///etc/passwd", "https://a.test/y", "file:///etc/passwd"),
        ("gopher://h.test:70/x", "https://a.test/y", "gopher://h.test:70/x"),
        ("//evil.test/x", "https://a.test/y", "https://evil.test/x"),
        ("//evil.test/x", "http://a.test/y", "http://evil.test/x"),
    ]

    @Test(
        "resolve handles absolute and path references against the URL they came from", arguments: resolveCases
    )
    func resolve(reference: String, base: String, expected: String) {
        #expect(HTTPURL.resolve(reference, against: base) == expected)
    }
}

import PollsterCore
import Testing

@Suite("FileNaming")
struct FileNamingTests {
    static let dispositions: [(String, String?)] = [
        (#"attachment; filename="video.mp4""#, "video.mp4"),
        (#"attachment; filename=video.mp4"#, "video.mp4"),
        (#"attachment;filename=video.mp4 ; size=3"#, "video.mp4"),
        (#"inline; FILENAME="Clip.MOV""#, "Clip.MOV"),
        (#"attachment; filename*=UTF-8''%E8%A7%86%E9%A2%91.mp4; filename="fallback.mp4""#, "视频.mp4"),
        (#"attachment; filename="fallback.mp4"; filename*=utf-8'en'na%C3%AFve%20file.txt"#, "naïve file.txt"),
        (#"attachment; filename*=ISO-8859-1''caf%E9.png"#, "café.png"),
        (#"attachment; filename*=UTF-8''bad%ZZ.mp4; filename="good.mp4""#, "good.mp4"),
        (#"attachment; filename*=KOI8-R''x.mp4; filename="good.mp4""#, "good.mp4"),
        (#"attachment; filename*="UTF-8''quoted%20ext.png""#, "quoted ext.png"),
        (#"attachment; filename="a;b.mp4"; x=1"#, "a;b.mp4"),
        (#"attachment; filename="say \"hi\".txt""#, #"say "hi".txt"#),
        (#"attachment; filename="../../etc/passwd""#, "../../etc/passwd"),
        (#"attachment; filename="unterminated.mp4"#, "unterminated.mp4"),
        ("attachment", nil),
        ("inline; name=\"field\"", nil),
        (#"attachment; filename="""#, nil),
        ("", nil),
    ]

    @Test("Content-Disposition gives the raw file name", arguments: dispositions)
    func contentDisposition(header: String, filename: String?) {
        #expect(FileNaming.filename(fromContentDisposition: header) == filename)
    }

    static let unsafe: [(String, String)] = [
        (#"attachment; filename="../../etc/passwd""#, "passwd"),
        (#"inline; filename="..\\x.png""#, "x.png"),
        (#"attachment; filename=C:\Windows\system.ini"#, "system.ini"),
        (#"attachment; filename=".hidden""#, "hidden"),
        (#"attachment; filename=".."; filename*=UTF-8''..%2F..%2F.bashrc"#, "bashrc"),
        (#"attachment; filename*=UTF-8''a%00b%0D%0A.mp4"#, "ab.mp4"),
        (#"attachment; filename="a b:c?.png""#, "a_b_c_.png"),
    ]

    @Test("names from headers are made safe", arguments: unsafe)
    func dispositionThenSanitize(header: String, name: String) throws {
        let raw = try #require(FileNaming.filename(fromContentDisposition: header))
        #expect(FileNaming.sanitize(raw) == name)
    }

    static let sanitizeCases: [(String, String)] = [
        ("video.mp4", "video.mp4"),
        ("My-File_v2.final.PNG", "My-File_v2.final.PNG"),
        ("../../etc/passwd", "passwd"),
        (#"..\..\boot.ini"#, "boot.ini"),
        ("dir/", "dir"),
        ("..", "file"),
        ("...", "file"),
        (".hidden", "hidden"),
        ("...tricky.sh", "tricky.sh"),
        ("", "file"),
        ("///", "file"),
        ("???", "file"),
        ("a\0b.txt", "ab.txt"),
        ("line\r\nbreak.txt", "linebreak.txt"),
        ("tab\there", "tabhere"),
        ("a  b", "a_b"),
        ("a__b", "a_b"),
        ("_", "file"),
        ("render-abc_123.mp4", "render-abc_123.mp4"),
        ("render-abc_.mp4", "render-abc_.mp4"),
        ("-x-", "-x-"),
        ("a<>:\"|?*b.txt", "a_b.txt"),
        ("rm -rf $(x).sh", "rm_-rf_x_.sh"),
        ("视频 01.mp4", "视频_01.mp4"),
        ("Ünïcödé.txt", "Ünïcödé.txt"),
        ("cafe\u{301}.png", "cafe\u{301}.png"),
        ("صورة.png", "صورة.png"),
        ("\u{301}lone mark", "_lone_mark"),
        ("٣.png", "٣.png"),
        ("emoji🎬.mp4", "emoji_.mp4"),
        ("evil\u{202E}gpj.exe", "evil_gpj.exe"),
        ("full\u{FF0F}width", "full_width"),
    ]

    @Test("sanitize keeps a single, visible, portable name", arguments: sanitizeCases)
    func sanitize(raw: String, name: String) {
        #expect(FileNaming.sanitize(raw) == name)
    }

    static let longNames: [(String, String)] = [
        (String(repeating: "a", count: 500) + ".png", ".png"),
        (String(repeating: "视", count: 120) + ".mp4", ".mp4"),
        (String(repeating: "é", count: 300), ""),
        (String(repeating: "b", count: 300) + "." + String(repeating: "x", count: 40), ""),
    ]

    @Test("long names are capped at 200 bytes, keeping a short extension", arguments: longNames)
    func longName(raw: String, ext: String) {
        let name = FileNaming.sanitize(raw)
        #expect(name.utf8.count <= 200)
        #expect(name.utf8.count > 190)
        #expect(name.hasSuffix(ext))
        #expect(raw.hasPrefix(String(name.prefix(50))))
    }

    @Test("a name at the limit is untouched")
    func exactLimit() {
        let name = String(repeating: "n", count: 196) + ".mp4"
        #expect(FileNaming.sanitize(name) == name)
    }

    static let defaults: [(String, String, Int?, String?, String)] = [
        ("render", "abc123", nil, "mp4", "render-abc123.mp4"),
        ("render", "abc123", 2, "png", "render-abc123-2.png"),
        ("render", "t1", 2, nil, "render-t1-2"),
        ("render", "t1", nil, ".jpg", "render-t1.jpg"),
        ("render", "t1", nil, "", "render-t1"),
        ("render", "t/1", nil, "mp4", "render-t_1.mp4"),
        ("render", "../../x", 1, "mp4", "render-.._.._x-1.mp4"),
        ("text/speech", "a b", nil, "mp3", "text_speech-a_b.mp3"),
        ("render", String(repeating: "9", count: 300), 3, "webm", ""),  // "" means: check the cap
    ]

    @Test("default names are {method}-{taskId}[-{n}].{ext}, sanitized", arguments: defaults)
    func defaultName(method: String, taskId: String, index: Int?, ext: String?, expected: String) {
        let name = FileNaming.defaultName(method: method, taskId: taskId, index: index, fileExtension: ext)
        if expected.isEmpty {
            #expect(name.utf8.count <= 200 && name.hasPrefix("render-999") && name.hasSuffix(".webm"))
        } else {
            #expect(name == expected)
        }
    }
}

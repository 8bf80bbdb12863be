import NIOHTTP1

/// Files: `GET /files/{jobId}-{index}.{ext}` (outputs) and `GET /files/{jobId}-thumbnail.jpg`.
extension MockProviderRoutes {
    /// The size of HeyGen thumbnails.
    static let thumbnailSize = 2048

    func file(_ request: MockRequest) -> MockResponse {
        guard request.method == .GET else { return .methodNotAllowed(request) }
        let path = request.segments
        guard path.count == 2, let dash = path[1].lastIndex(of: "-") else { return fileNotFound() }
        let name = path[1]
        let jobId = String(name[..<dash])
        let suffix = name[name.index(after: dash)...].prefix { $0 != "." }
        switch state.download(jobId: jobId, output: suffix != "thumbnail") {
        case .unknownJob:
            return fileNotFound()
        case .fault(let fault):
            switch fault {
            case .cutBody, .shortContentLength:
                guard let job = state.job(id: jobId) else { return fileNotFound() }
                return serve(job, suffix: suffix, request: request, fault: fault)
            default:
                return fault.response
            }
        case .found(let job, _):
            return serve(job, suffix: suffix, request: request, fault: nil)
        }
    }

    /// A file answer: the whole file, the rest of it for `Range: bytes=N-` (when `If-Range`, if
    /// sent, still matches the `ETag`), or a cut or short body for those faults.
    private func serve(_ job: MockJob, suffix: Substring, request: MockRequest, fault: MockFault?)
        -> MockResponse
    {
        let content: MockFileContent
        if suffix == "thumbnail" {
            content = MockFileContent(kind: .jpeg, size: Self.thumbnailSize)
        } else if let index = Int(suffix), job.outputFileNames.indices.contains(index) {
            content = MockFileContent(kind: job.script.output.kind, size: job.script.output.size)
        } else {
            return fileNotFound()
        }
        var headers = HTTPHeaders()
        if !job.script.omitContentType { headers.add(name: "Content-Type", value: content.kind.mimeType) }
        let etag = "\"\(job.id)-\(suffix)-\(content.size)\""
        headers.add(name: "Accept-Ranges", value: "bytes")
        headers.add(name: "ETag", value: etag)
        var slice = MockFileSlice()
        var status = HTTPResponseStatus.ok
        if let start = Self.rangeStart(request.headers.first(name: "Range")),
            request.headers.first(name: "If-Range").map({ $0 == etag }) ?? true, start < content.size
        {
            slice.start = start
            status = .partialContent
            headers.add(name: "Content-Range", value: "bytes \(start)-\(content.size - 1)/\(content.size)")
        }
        switch fault {
        case .cutBody(let bytes)?: slice.closeAt = slice.start + bytes
        case .shortContentLength(let missing)?: slice.end = max(content.size - missing, slice.start)
        default: break
        }
        return MockResponse(status: status, headers: headers, body: .file(content, slice))
    }

    /// The start of `bytes=N-`.
    static func rangeStart(_ header: String?) -> Int? {
        guard let header, header.hasPrefix("bytes="), header.hasSuffix("-") else { return nil }
        return Int(header.dropFirst(6).dropLast())
    }

    private func fileNotFound() -> MockResponse {
        .text("Not Found\n", contentType: "text/plain", status: .notFound)
    }
}

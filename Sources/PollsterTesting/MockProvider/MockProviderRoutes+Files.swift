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
        switch state.download(jobId: jobId) {
        case .unknownJob:
            return fileNotFound()
        case .fault(let fault):
            return fault.response
        case .found(let job, _):
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
            return MockResponse(status: .ok, headers: headers, body: .file(content))
        }
    }

    private func fileNotFound() -> MockResponse {
        .text("Not Found\n", contentType: "text/plain", status: .notFound)
    }
}

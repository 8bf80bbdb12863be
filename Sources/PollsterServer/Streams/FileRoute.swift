import Foundation
import HTTPTypes
import Hummingbird
import Pollster

/// `GET /v1/tasks/{id}/files/{n}`: an output file of a succeeded task, streamed from disk with
/// its `Content-Type`, `Content-Length`, `ETag` (its SHA-256), `If-None-Match` (304) and one
/// `Range` (206, or 416 when it is out of the file).
struct FileRoute {
    let api: PollsterAPI
    let fileIO = FileIO()

    func respond(_ request: Request, context: some RequestContext) async throws -> Response {
        let id = context.parameters.get("id") ?? ""
        guard let index = context.parameters.get("n").flatMap({ Int($0) }), index >= 0 else {
            throw APIProblem(.badRequest, code: "BAD_REQUEST", "the file number must be an integer from 0")
        }
        let task = try await api.visibleTask(id)
        let files = task.result?.files ?? []
        guard files.indices.contains(index), let path = files[index].path,
            let attributes = try? FileManager.default.attributesOfItem(atPath: path),
            let size = (attributes[.size] as? NSNumber)?.intValue
        else {
            throw APIProblem(
                .notFound, code: "NOT_FOUND", "task \(id) has no stored file \(index) (it has \(files.count))"
            )
        }
        let file = files[index]
        let etag = "\"\(file.sha256 ?? "\(size)-\(Int(task.updatedAt.timeIntervalSince1970))")\""
        var headers: HTTPFields = [.contentType: file.mimeType, .eTag: etag, .acceptRanges: "bytes"]
        headers[.contentDisposition] =
            "inline; filename=\"\(file.filename.replacingOccurrences(of: "\"", with: ""))\""
        if let match = request.headers[.ifNoneMatch],
            match == "*"
                || match.split(separator: ",").contains(where: {
                    $0.trimmingCharacters(in: .whitespaces) == etag
                })
        {
            return Response(status: .notModified, headers: headers)
        }
        api.metrics.downloaded()
        if let rangeHeader = request.headers[.range], rangeHeader.hasPrefix("bytes="), size > 0 {
            guard let range = Self.range(rangeHeader, size: size) else {
                throw APIProblem(
                    .rangeNotSatisfiable, code: "RANGE_NOT_SATISFIABLE",
                    "\(rangeHeader) is outside the file's \(size) bytes")
            }
            headers[.contentRange] = "bytes \(range.lowerBound)-\(range.upperBound)/\(size)"
            headers[.contentLength] = String(range.count)
            let body = try await fileIO.loadFile(path: path, range: range, context: context)
            return Response(status: .partialContent, headers: headers, body: body)
        }
        headers[.contentLength] = String(size)
        let body = try await fileIO.loadFile(path: path, context: context)
        return Response(status: .ok, headers: headers, body: body)
    }

    /// One byte range (`bytes=a-b`, `bytes=a-`, `bytes=-n`) within `size`; nil if unsatisfiable.
    /// Several ranges are not supported: the first one is served.
    static func range(_ header: String, size: Int) -> ClosedRange<Int>? {
        guard header.hasPrefix("bytes="), let first = header.dropFirst(6).split(separator: ",").first else {
            return nil
        }
        let parts = first.trimmingCharacters(in: .whitespaces).split(
            separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 2 else { return nil }
        if parts[0].isEmpty {
            guard let suffix = Int(parts[1]), suffix > 0 else { return nil }
            return max(0, size - suffix)...(size - 1)
        }
        guard let start = Int(parts[0]), start >= 0, start < size else { return nil }
        if parts[1].isEmpty { return start...(size - 1) }
        guard let end = Int(parts[1]), end >= start else { return nil }
        return start...min(end, size - 1)
    }
}

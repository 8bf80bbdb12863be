import NIOHTTP1

/// Redirect hops: `GET /redirect/{n}/{file}` answers the script's redirect status with a `Location`
/// towards `/redirect/{n-1}/{file}`, and from `/redirect/1/{file}` towards `/files/{file}` (or the
/// script's ``MockJobScript/fileRedirectTarget``).
extension MockProviderRoutes {
    func redirect(_ request: MockRequest) -> MockResponse {
        guard request.method == .GET else { return .methodNotAllowed(request) }
        let path = request.segments
        guard path.count == 3, let hops = Int(path[1]), hops >= 1, let dash = path[2].lastIndex(of: "-"),
            let job = state.redirect(jobId: String(path[2][..<dash]))
        else {
            return .text("Not Found\n", contentType: "text/plain", status: .notFound)
        }
        let name = path[2]
        let location: String
        if hops == 1, let target = job.script.fileRedirectTarget {
            location = target
        } else {
            location = redirectLocation(
                hop: hops, to: hops == 1 ? "/files/\(name)" : "/redirect/\(hops - 1)/\(name)")
        }
        var headers = HTTPHeaders()
        headers.add(name: "Location", value: location)
        return MockResponse(
            status: HTTPResponseStatus(statusCode: job.script.fileRedirectStatus), headers: headers,
            body: .bytes([]))
    }

    /// The `Location` form for hop `n` (served at `/redirect/{n}/…`) pointing at the root-relative `path`:
    /// absolute when `n % 3 == 2`, root-relative when `n % 3 == 1`, path-relative when `n % 3 == 0`.
    private func redirectLocation(hop: Int, to path: String) -> String {
        switch hop % 3 {
        case 2: baseURL + path
        case 1: path
        default: "../.." + path
        }
    }
}

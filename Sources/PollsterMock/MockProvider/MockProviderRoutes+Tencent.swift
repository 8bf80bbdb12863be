import Foundation
import NIOHTTP1
import OrderedCollections
import PollsterCore

/// Tencent Cloud API 3.0: `POST /tencent/hunyuan/` and `POST /tencent/vod/`, the action in `X-TC-Action`,
/// the version in `X-TC-Version`, the parameters as a JSON body, every request signed with TC3-HMAC-SHA256
/// (checked against ``MockProviderServer/tencentCredentials``).
///
/// As on Tencent Cloud, errors are HTTP 200 with `{"Response": {"Error": {"Code", "Message"}, "RequestId"}}`;
/// only the script's faults answer other statuses.
extension MockProviderRoutes {
    /// A Tencent product the mock serves, by its path segment.
    enum TencentProduct: String, Sendable {
        case hunyuan
        case vod

        /// The API version the product's actions exist in.
        var version: String {
            switch self {
            case .hunyuan: "2023-09-01"
            case .vod: "2018-07-17"
            }
        }
    }

    func tencent(_ request: MockRequest) -> MockResponse {
        let path = request.segments
        guard path.count == 2, let product = TencentProduct(rawValue: path[1]) else {
            return .noRoute(request)
        }
        guard request.method == .POST else { return .methodNotAllowed(request) }
        if let failure = MockTC3Verifier.failure(of: request, credentials: state.tencentCredentials) {
            return tencentError(failure.code, failure.message)
        }
        let action = request.header("X-TC-Action")?.trimmingCharacters(in: .whitespaces) ?? ""
        let version = request.header("X-TC-Version")?.trimmingCharacters(in: .whitespaces) ?? ""
        guard !action.isEmpty else {
            return tencentError("MissingParameter", "The X-TC-Action header is missing.")
        }
        guard !version.isEmpty else {
            return tencentError("MissingParameter", "The X-TC-Version header is missing.")
        }
        guard version == product.version else {
            return tencentError(
                "NoSuchVersion", "The version \(version) does not exist for \(product.rawValue).")
        }
        let parsed: JSONValue? = request.body.isEmpty ? [:] : request.jsonBody
        guard let body = parsed, body.objectValue != nil else {
            return tencentError("InvalidParameter", "The request body is not a JSON object.")
        }
        switch (product, action) {
        case (.hunyuan, "SubmitHunyuanImageJob"): return hunyuanSubmit(request)
        case (.hunyuan, "QueryHunyuanImageJob"): return hunyuanQuery(body)
        case (.vod, "CreateAigcImageTask"): return vodCreate(request, body)
        case (.vod, "DescribeTaskDetail"): return vodDescribe(body)
        default:
            return tencentError("InvalidAction", "The action \(action) does not exist in version \(version).")
        }
    }

    /// `{"Response": {fields…, "RequestId"}}` with HTTP 200.
    func tencentResponse(_ fields: OrderedDictionary<String, JSONValue>) -> MockResponse {
        var fields = fields
        fields["RequestId"] = .string(MockIdentifiers.uuid())
        return .json(["Response": .object(fields)])
    }

    /// `{"Response": {"Error": {"Code", "Message"}, "RequestId"}}` with HTTP 200.
    func tencentError(_ code: String, _ message: String) -> MockResponse {
        tencentResponse(["Error": ["Code": .string(code), "Message": .string(message)]])
    }

    /// The non-empty string (or whole number) parameter `name`, or nil.
    func tencentParameter(_ body: JSONValue, _ name: String) -> String? {
        switch body[name] {
        case .string(let value)? where !value.isEmpty: value
        case .integer(let value)?: String(value)
        case .double(let value)?: Int64(exactly: value).map(String.init)
        default: nil
        }
    }

    /// `MissingParameter` for `name`.
    func tencentMissing(_ name: String) -> MockResponse {
        tencentError("MissingParameter", "The request is missing a required parameter `\(name)`.")
    }
}

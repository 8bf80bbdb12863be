import Foundation
import NIOHTTP1
import OrderedCollections
import PollsterCore

/// Builds the submit, status and result requests of one invocation from the compiled plan.
///
/// Credentials (configured headers and auth) go only to the provider's own origin.
struct RequestBuilder: Sendable {
    let method: ToolMethod
    let baseUrl: String?
    let secrets: Secrets

    var plan: MethodPlan { method.plan }

    /// The submit request; its idempotency key and client reference are `context.reference`.
    func submit(_ context: TemplateContext) throws(PollsterError) -> TransportRequest {
        var url = HTTPURL.join(base: baseUrl, try plan.submit.endpoint.render(context, encoding: .url))
        var body: [UInt8]?
        var query: [(String, String)] = []
        for (name, template) in plan.submit.query {
            query.append((name, try template.render(context, encoding: .plain)))
        }
        var json: JSONValue?
        if let template = plan.submit.body {
            json = try BodyRenderer.render(template, context) ?? .object([:])
        } else if plan.submit.method == "GET" || plan.submit.method == "DELETE" {
            query += Self.queryItems(from: context.input)
        } else {
            json = context.input
        }
        let tag = try plan.submit.reconcile?.tag.map { tag throws(PollsterError) in
            let isHeader = if case .header = tag.place { true } else { false }
            return (tag.place, try tag.value.render(context, encoding: isHeader ? .header : .plain))
        }
        switch tag {
        case (.query(let name), let value)?: query.append((name, value))
        case (.bodyField(let name), let value)?:
            if case .object(var members)? = json {
                members[name] = .string(value)
                json = .object(members)
            }
        default: break
        }
        body = json.map(JSONWriter.bytes)
        url = Self.appending(query, to: url)
        var headers = try credentials(for: url, context)
        if case (.header(let name), let value)? = tag {
            headers.replaceOrAdd(name: name, value: value)
        }
        if body != nil, !headers.contains(name: "Content-Type") {
            headers.add(name: "Content-Type", value: "application/json")
        }
        if let header = plan.submit.idempotencyHeader {
            headers.replaceOrAdd(name: header, value: context.reference ?? UUID().uuidString.lowercased())
        }
        let request = TransportRequest(
            method: plan.submit.method, url: try checkedURL(url, key: "endpoint"), headers: headers,
            body: body,
            timeout: plan.requestTimeout)
        return try signed(request, context)
    }

    /// A status request to an already resolved URL (`parsed`: the same URL, parsed once for
    /// every check of a poll).
    func status(url: String, parsed: HTTPURL?, _ context: TemplateContext, polling: PollingPlan)
        throws(PollsterError) -> TransportRequest
    {
        guard let parsed else { throw Self.notAbsolute(url, key: "polling.statusUrl") }
        let isProvider = isProviderOrigin(parsed)
        var headers = try credentials(isProvider: isProvider, context)
        // Headers that carry a secret go only to the provider's origin, like `headers` and `auth`.
        for (name, template) in polling.headers where isProvider || template.secretNames.isEmpty {
            headers.replaceOrAdd(name: name, value: try template.render(context, encoding: .header))
        }
        var body: [UInt8]?
        if let template = polling.body {
            try refuseSecrets(in: template, to: url, key: "polling.statusBody")
            body = JSONWriter.bytes(try BodyRenderer.render(template, context) ?? .object([:]))
            if !headers.contains(name: "Content-Type") {
                headers.add(name: "Content-Type", value: "application/json")
            }
        }
        let request = TransportRequest(
            method: polling.method, url: url, headers: headers, body: body, timeout: plan.requestTimeout)
        return try signed(request, parsed: parsed, context)
    }

    /// The request that looks a job up by its client reference (`submit.reconcile.lookup`).
    func lookup(_ reconcile: ReconcilePlan, _ context: TemplateContext) throws(PollsterError)
        -> TransportRequest
    {
        try plain(
            method: reconcile.method, url: try configuredURL(reconcile.url, context), body: reconcile.body,
            context,
            key: "adapterConfig.submit.reconcile.lookup.url")
    }

    /// A request to a URL (result, cancel), with credentials only for the provider's origin.
    func plain(
        method: String, url: String, body template: JSONValue? = nil, _ context: TemplateContext, key: String
    ) throws(PollsterError) -> TransportRequest {
        var headers = try credentials(for: url, context)
        var body: [UInt8]?
        if let template {
            try refuseSecrets(in: template, to: url, key: key.replacingOccurrences(of: ".url", with: ".body"))
            body = JSONWriter.bytes(try BodyRenderer.render(template, context) ?? .object([:]))
            if !headers.contains(name: "Content-Type") {
                headers.add(name: "Content-Type", value: "application/json")
            }
        }
        return try signed(
            TransportRequest(
                method: method, url: try checkedURL(url, key: key), headers: headers, body: body,
                timeout: plan.requestTimeout), context)
    }

    /// Adds request signatures (TC3, Volcengine) to requests for the provider's origin
    /// (`parsed`: the request's URL, when the caller parsed it already).
    private func signed(_ request: TransportRequest, parsed: HTTPURL? = nil, _ context: TemplateContext)
        throws(PollsterError) -> TransportRequest
    {
        guard let auth = plan.auth, auth.signs, let url = parsed ?? HTTPURL(request.url),
            isProviderOrigin(url)
        else { return request }
        var request = request
        let host = url.port.map { "\(url.host):\($0)" } ?? url.host
        let contentType = request.headers.first(name: "Content-Type") ?? "application/json"
        request.headers.replaceOrAdd(name: "Content-Type", value: contentType)
        request.headers.replaceOrAdd(name: "Host", value: host)
        let query =
            url.pathAndQuery.split(separator: "?", maxSplits: 1).dropFirst().first.map(String.init) ?? ""
        if case .tc3(let secretId, let secretKey, let service) = auth {
            let timestamp = Int(Date().timeIntervalSince1970)
            request.headers.replaceOrAdd(name: "X-TC-Timestamp", value: String(timestamp))
            let signing = TC3Signer.Request(
                method: request.method, path: url.path, query: query, contentType: contentType, host: host,
                body: request.body ?? [])
            request.headers.replaceOrAdd(
                name: "Authorization",
                value: TC3Signer.authorization(
                    signing, secretId: try secretId.render(context, encoding: .header),
                    secretKey: try secretKey.render(context, encoding: .header),
                    service: service ?? String(url.host.prefix { $0 != "." }), timestamp: timestamp))
        }
        if case .volc(let accessKeyId, let secretKey, let region, let service) = auth {
            let signing = SigV4Signer.Request(
                method: request.method, path: url.path, query: query,
                headers: [("Content-Type", contentType), ("Host", host)], body: request.body ?? [])
            let credentials = SigV4Signer.Credentials(
                accessKeyId: try accessKeyId.render(context, encoding: .header),
                secretKey: try secretKey.render(context, encoding: .header), region: region, service: service)
            for (name, value) in SigV4Signer.headers(
                for: signing, scheme: .volcengine, credentials: credentials, date: Date())
            {
                request.headers.replaceOrAdd(name: name, value: value)
            }
        }
        return request
    }

    /// Renders a configured URL template (relative ones join the base URL).
    func configuredURL(_ template: Template, _ context: TemplateContext) throws(PollsterError) -> String {
        HTTPURL.join(base: baseUrl, try template.render(context, encoding: .url))
    }

    /// The origin credentials may be sent to.
    var providerOrigin: String? { method.providerURL(baseUrl: baseUrl)?.origin }

    /// True when `url` is on the provider's own origin (where credentials may go).
    func isProviderOrigin(_ url: String) -> Bool {
        HTTPURL(url).map(isProviderOrigin) ?? false
    }

    /// True when `url` is on the provider's own origin.
    func isProviderOrigin(_ url: HTTPURL) -> Bool {
        method.providerURL(baseUrl: baseUrl).map(url.hasSameOrigin) ?? false
    }

    /// Refuses to send a body template that references a secret to another origin.
    private func refuseSecrets(in template: JSONValue, to url: String, key: String) throws(PollsterError) {
        guard !isProviderOrigin(url), !MethodPlan.secretNames(in: template).isEmpty else { return }
        throw PollsterError(
            .unsafeURL,
            "\(key) references a secret, and \(Redactor.stripQuery(url)) is not on the provider's origin (\(providerOrigin ?? "none")); secrets go only to the provider's own origin. Nothing was sent"
        )
    }

    /// Configured headers and auth, when `url` is on the provider's origin; otherwise only `Accept`.
    func credentials(for url: String, _ context: TemplateContext) throws(PollsterError) -> HTTPHeaders {
        try credentials(isProvider: isProviderOrigin(url), context)
    }

    /// Configured headers and auth for a request to the provider's origin (`isProvider`);
    /// otherwise only `Accept`.
    private func credentials(isProvider: Bool, _ context: TemplateContext) throws(PollsterError)
        -> HTTPHeaders
    {
        var headers: HTTPHeaders = ["Accept": "application/json", "User-Agent": "pollster/0.1"]
        guard isProvider else { return headers }
        for (name, template) in plan.headers {
            headers.replaceOrAdd(name: name, value: try template.render(context, encoding: .header))
        }
        switch plan.auth {
        case .bearer(let token)?:
            headers.replaceOrAdd(
                name: "Authorization", value: "Bearer " + (try token.render(context, encoding: .header)))
        case .header(let name, let value)?:
            headers.replaceOrAdd(name: name, value: try value.render(context, encoding: .header))
        case .tc3?, .volc?: break  // signed once the whole request is known
        case .basic(let username, let password)?:
            let pair =
                try username.render(context, encoding: .header) + ":"
                + password.render(context, encoding: .header)
            headers.replaceOrAdd(
                name: "Authorization", value: "Basic " + Data(pair.utf8).base64EncodedString())
        case nil: break
        }
        return headers
    }

    private func checkedURL(_ url: String, key: String) throws(PollsterError) -> String {
        guard HTTPURL(url) != nil else { throw Self.notAbsolute(url, key: key) }
        return url
    }

    /// A URL that `key` produced is not an absolute http(s) URL.
    private static func notAbsolute(_ url: String, key: String) -> PollsterError {
        PollsterError(
            .invalidConfig,
            "\(key) produced '\(Redactor.stripQuery(url))', which is not an absolute http(s) URL; set baseUrl or use an absolute URL"
        )
    }

    static func appending(_ query: [(String, String)], to url: String) -> String {
        guard !query.isEmpty else { return url }
        let encoded = query.map { PercentEncoding.encode($0.0) + "=" + PercentEncoding.encode($0.1) }.joined(
            separator: "&")
        return url + (url.contains("?") ? "&" : "?") + encoded
    }

    /// Input members as query items, in the input's order (arrays repeat the key; objects are
    /// JSON text).
    static func queryItems(from input: JSONValue) -> [(String, String)] {
        guard case .object(let members) = input else { return [] }
        var items: [(String, String)] = []
        for (key, member) in members {
            switch member {
            case .null: continue
            case .array(let values): items += values.map { (key, $0.scalarText ?? $0.description) }
            case let value: items.append((key, value.scalarText ?? value.description))
            }
        }
        return items
    }
}

/// Renders JSON body templates: strings are templates, missing single placeholders drop their field.
enum BodyRenderer {
    static func render(_ template: JSONValue, _ context: TemplateContext) throws(PollsterError) -> JSONValue?
    {
        switch template {
        case .string(let text): return try Template(parsing: text).renderJSON(context)
        case .array(let items):
            var output: [JSONValue] = []
            for item in items { if let value = try render(item, context) { output.append(value) } }
            return .array(output)
        case .object(let members):
            var output = OrderedDictionary<String, JSONValue>()
            for (key, member) in members {
                if let value = try render(member, context) { output[key] = value }
            }
            return .object(output)
        default: return template
        }
    }
}

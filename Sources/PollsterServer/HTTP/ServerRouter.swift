import Foundation
import Hummingbird
import Logging
import OpenAPIHummingbird
import OpenAPIRuntime

/// The routes: the generated JSON operations, the hand-written streaming ones, and the
/// middleware every request passes (problems, body limit, auth).
enum ServerRouter {
    static func make(api: PollsterAPI, logger: Logger) throws -> Router<BasicRequestContext> {
        let router = Router(context: BasicRequestContext.self)
        router.add(middleware: ProblemMiddleware(logger: logger))
        router.add(middleware: BodyLimitMiddleware(limit: api.configuration.maxBodyBytes))
        router.add(middleware: AuthMiddleware(keys: api.configuration.requireAuth ? api.state : nil))
        try api.registerHandlers(on: router)
        let files = FileRoute(api: api)
        router.get("/v1/tasks/:id/files/:n") { request, context in
            try await files.respond(request, context: context)
        }
        let events = EventsRoute(api: api)
        router.get("/v1/tasks/:id/events") { request, context in
            try await events.respond(request, context: context)
        }
        router.get("/openapi.yaml") { _, _ in
            guard let url = Bundle.module.url(forResource: "openapi", withExtension: "yaml"),
                let document = try? Data(contentsOf: url)
            else { throw APIProblem(.notFound, code: "NOT_FOUND", "the OpenAPI document is not bundled") }
            return Response(
                status: .ok, headers: [.contentType: "application/yaml"],
                body: ResponseBody(byteBuffer: ByteBuffer(bytes: document)))
        }
        router.get("/metrics") { _, _ in
            let text = await api.metrics.render(api.service)
            return Response(
                status: .ok, headers: [.contentType: "text/plain; version=0.0.4"],
                body: ResponseBody(byteBuffer: ByteBuffer(bytes: text)))
        }
        return router
    }
}

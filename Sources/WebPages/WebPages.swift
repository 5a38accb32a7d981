import Foundation
public import Hummingbird
import Mustache
public import Workflow

/// The signing pages and the agent console as one Hummingbird route collection: mount it at the
/// root of the server (`/s/…` signing pages, `/console/…` agent console, `/assets/…` the
/// stylesheet, script and signature font). Every action goes through the `WorkflowEngine`;
/// the pages add presentation, sessions and request security, no domain rules.
public struct WebPages<Context: Hummingbird.RequestContext>: Sendable {
    public let engine: WorkflowEngine
    public let configuration: WebPagesConfiguration
    let views: Views
    let images: PageImages
    let codeLimiter: RateLimiter
    let loginLimiter: RateLimiter
    let consoleSessions: ConsoleSessions
    let scriptFont: [UInt8]

    /// Pages over `engine`; the signing links it e-mails must point at `/s/` of this server.
    public init(engine: WorkflowEngine, configuration: WebPagesConfiguration) throws {
        self.engine = engine
        self.configuration = configuration
        var templates = SignerTemplates.all
        templates.merge(ConsoleTemplates.all) { $1 }
        views = try Views(templates: templates)
        images = PageImages(directory: configuration.pageCacheDirectory, dpi: configuration.pageDPI)
        codeLimiter = RateLimiter(limit: configuration.codeEntriesPerMinute)
        loginLimiter = RateLimiter(limit: configuration.codeEntriesPerMinute)
        consoleSessions = ConsoleSessions(lifetime: configuration.consoleSessionLifetime)
        let font = configuration.fontsDirectory.appendingPathComponent("DancingScript/DancingScript-Regular.otf")
        guard let bytes = FileManager.default.contents(atPath: font.path) else {
            throw WebPagesError(.notFound, "the signature font \(font.path) is missing; point fontsDirectory at Countersign's Fonts folder")
        }
        scriptFont = Array(bytes)
    }

    /// The routes: signing pages under `/s/:token`, the console under `/console`, assets under `/assets`.
    public func routes() -> RouteCollection<Context> {
        let routes = RouteCollection(context: Context.self)
        routes.get("assets/pages.css") { _, _ in Views.bytes(Array(Assets.css.utf8), type: "text/css; charset=utf-8") }
        routes.get("assets/pages.js") { _, _ in Views.bytes(Array(Assets.javascript.utf8), type: "text/javascript; charset=utf-8") }
        routes.get("assets/script.otf") { _, _ in Views.bytes(scriptFont, type: "font/otf") }
        addSigningRoutes(to: routes)
        addConsoleRoutes(to: routes)
        return routes
    }

    /// Who is asking, for the evidence: the peer address when the context knows it, the user agent.
    func requestContext(_ request: Request, _ context: Context) -> Workflow.RequestContext {
        var ip: String?
        if let remote = (context as? any RemoteAddressRequestContext)?.remoteAddress { ip = remote.ipAddress }
        return Workflow.RequestContext(ip: ip, userAgent: request.headers[.userAgent])
    }
}

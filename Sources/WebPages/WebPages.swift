import Foundation
public import Hummingbird
import Mustache
import Typesetting
public import Workflow

/// The signing pages and the agent console as one Hummingbird route collection: mount it at the
/// root of the server (`/s/…` signing pages, `/console/…` agent console, `/assets/…` the
/// stylesheet, script and signature fonts). Every action goes through the `WorkflowEngine`;
/// the pages add presentation, sessions and request security, no domain rules.
public struct WebPages<Context: Hummingbird.RequestContext>: Sendable {
    public let engine: WorkflowEngine
    public let configuration: WebPagesConfiguration
    let views: Views
    let images: PageImages
    let codeLimiter: RateLimiter
    let loginLimiter: RateLimiter
    let consoleSessions: ConsoleSessions
    /// Every signature font's file, served under `/assets/fonts/` for the typed previews.
    let scriptFonts: [SignatureFont: [UInt8]]

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
        var fonts: [SignatureFont: [UInt8]] = [:]
        for font in SignatureFont.allCases {
            let file = configuration.fontsDirectory.appendingPathComponent(font.file)
            guard let bytes = FileManager.default.contents(atPath: file.path) else {
                throw WebPagesError(.notFound, "the signature font \(file.path) is missing; point fontsDirectory at Countersign's Fonts folder")
            }
            fonts[font] = Array(bytes)
        }
        scriptFonts = fonts
    }

    /// The routes: signing pages under `/s/:token`, the console under `/console`, assets under `/assets`.
    public func routes() -> RouteCollection<Context> {
        let routes = RouteCollection(context: Context.self)
        routes.get("assets/pages.css") { _, _ in Views.bytes(Array(Assets.css.utf8), type: "text/css; charset=utf-8") }
        routes.get("assets/pages.js") { _, _ in Views.bytes(Array(Assets.javascript.utf8), type: "text/javascript; charset=utf-8") }
        for (font, bytes) in scriptFonts {
            routes.get(RouterPath(String(Assets.fontPath(font).dropFirst()))) { _, _ in Views.bytes(bytes, type: "font/" + URL(fileURLWithPath: font.file).pathExtension) }
        }
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

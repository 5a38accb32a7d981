import Foundation
import InputChecks
import Typesetting
import WebPages
public import Workflow

/// The configuration of `countersign serve`: one JSON file (docs/api.md, "Configuration"),
/// then environment variables over it. Unknown keys in the file are refused, so a typo never
/// silently falls back to a default.
public struct ServerConfiguration: Sendable, Hashable, Codable {
    /// Where to listen.
    public var host: String = "127.0.0.1"
    public var port: Int = 8080
    /// The workflow home (store, development seal); relative to the configuration file.
    public var home: String = "countersign-workflow"
    /// The shared store: a `postgres://user[:password]@host[:port]/database` URL that every node
    /// names, or an SQLite folder (one node); absent, the home's own SQLite store.
    public var store: String?
    /// The signing pages and agent console, mounted at `/s/…` and `/console/…`.
    public var pages: Pages = Pages()
    /// The public base URL of this service (signing links and embedded URLs start with it).
    public var publicURL: String = "http://127.0.0.1:8080"
    /// TLS: a PEM certificate chain and its PEM private key; plain HTTP when absent.
    public var tls: TLS?
    /// The in-process worker: run due jobs here too (any number of nodes may).
    public var worker: Worker = Worker()
    /// Largest request body accepted (bytes); larger is 413.
    public var maxBodyBytes: Int = 10 * 1024 * 1024
    /// Largest bulk-send upload (bytes); streamed, never held in memory whole.
    public var maxBulkBytes: Int = 1024 * 1024 * 1024
    /// Requests per API key per window (per node).
    public var rateLimit: RateLimit = RateLimit()
    /// Seconds a request may take to arrive and be answered before the connection is closed (slow clients).
    public var requestTimeout: Double = 30
    /// Seconds in-flight requests get to finish on shutdown.
    public var shutdownGracePeriod: Double = 30
    /// `trace`, `debug`, `info`, `notice`, `warning`, `error` or `critical`.
    public var logLevel: String = "info"
    /// The organisation seal completed envelopes are sealed with; absent: the home's development CA.
    public var seal: Seal = Seal()

    public struct TLS: Sendable, Hashable, Codable {
        public var certificate: String
        public var key: String
        public init(certificate: String, key: String) {
            self.certificate = certificate
            self.key = key
        }
    }

    /// The organisation seal: its key (a PKCS#12, or a PEM key with its PEM chain), where its
    /// password comes from (a file or an environment variable; never the file itself), the
    /// anchors sealed files must verify against, and a time-stamp authority for PAdES B-T.
    public struct Seal: Sendable, Hashable, Codable {
        public var p12: String?
        public var key: String?
        public var cert: String?
        public var passwordFile: String?
        /// The name of the environment variable holding the password.
        public var passwordEnv: String?
        /// PEM files of trust anchors; empty: the root the seal's own chain ends in.
        public var trust: [String] = []
        /// An RFC 3161 TSA (`http://…`).
        public var tsa: String?
        public init() {}

        enum CodingKeys: String, CodingKey, CaseIterable { case p12, key, cert, passwordFile, passwordEnv, trust, tsa }

        public init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            p12 = try container.decodeIfPresent(String.self, forKey: .p12)
            key = try container.decodeIfPresent(String.self, forKey: .key)
            cert = try container.decodeIfPresent(String.self, forKey: .cert)
            passwordFile = try container.decodeIfPresent(String.self, forKey: .passwordFile)
            passwordEnv = try container.decodeIfPresent(String.self, forKey: .passwordEnv)
            trust = try container.decodeIfPresent([String].self, forKey: .trust) ?? []
            tsa = try container.decodeIfPresent(String.self, forKey: .tsa)
        }

        /// Whether a key is given (else the development CA seals).
        public var hasKey: Bool { p12 != nil || key != nil }

        func check() throws {
            if p12 != nil, key != nil || cert != nil {
                throw ServiceError(.configuration, "seal: give seal.p12, or seal.key with seal.cert, not both")
            }
            if (key == nil) != (cert == nil) {
                throw ServiceError(.configuration, "seal.key and seal.cert go together (a PEM private key and its PEM certificate chain)")
            }
            if passwordFile != nil, passwordEnv != nil {
                throw ServiceError(.configuration, "seal: give seal.passwordFile or seal.passwordEnv, not both")
            }
            if !hasKey, passwordFile != nil || passwordEnv != nil {
                throw ServiceError(.configuration, "seal: a password is given but no key (seal.p12, or seal.key with seal.cert; "
                                   + "$COUNTERSIGN_SEAL_P12): without one the home's development CA seals")
            }
            if let tsa, URL(string: tsa)?.scheme?.lowercased() != "http" || URL(string: tsa)?.host == nil {
                throw ServiceError(.configuration, "seal.tsa '\(tsa)' is not an http:// URL of a time-stamp authority")
            }
        }
    }

    public struct Worker: Sendable, Hashable, Codable {
        public var enabled: Bool = true
        /// Seconds between polls of the job queue.
        public var interval: Double = 2
        /// The SMTP relay (`HOST:PORT`); without it (or `mailDirectory`) e-mails wait for a
        /// worker that has one.
        public var smtp: String?
        /// For development instead of `smtp`: a folder each e-mail is written into as an `.eml`
        /// file (`MailDirectory`); relative to the configuration file.
        public var mailDirectory: String?
        /// Deliver webhooks from this node (signed POSTs through the SSRF guard).
        public var webhooks: Bool = true
        /// Networks (CIDR) webhooks may reach although they are internal (loopback, private…).
        public var webhookAllow: [String] = []
        /// Seconds a job this node claims stays leased to it: if the node dies, other nodes take
        /// the job after this.
        public var lease: Double = 300
        /// Jobs this node runs at once. More than one lets a job that mostly waits (a distant SMTP
        /// relay, a slow webhook receiver) leave the processor to another (a completion); with a
        /// local relay and receivers, one per node is faster (docs/performance.md).
        public var concurrency: Int = 1
        public init(enabled: Bool = true, interval: Double = 2, smtp: String? = nil, mailDirectory: String? = nil, webhooks: Bool = true,
                    webhookAllow: [String] = [], lease: Double = 300, concurrency: Int = 1) {
            self.enabled = enabled
            self.interval = interval
            self.smtp = smtp
            self.mailDirectory = mailDirectory
            self.webhooks = webhooks
            self.webhookAllow = webhookAllow
            self.lease = lease
            self.concurrency = concurrency
        }

        enum CodingKeys: String, CodingKey, CaseIterable { case enabled, interval, smtp, mailDirectory, webhooks, webhookAllow, lease, concurrency }

        public init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            let defaults = Worker()
            enabled = try container.decodeIfPresent(Bool.self, forKey: .enabled) ?? defaults.enabled
            interval = try container.decodeIfPresent(Double.self, forKey: .interval) ?? defaults.interval
            smtp = try container.decodeIfPresent(String.self, forKey: .smtp)
            mailDirectory = try container.decodeIfPresent(String.self, forKey: .mailDirectory)
            webhooks = try container.decodeIfPresent(Bool.self, forKey: .webhooks) ?? defaults.webhooks
            webhookAllow = try container.decodeIfPresent([String].self, forKey: .webhookAllow) ?? defaults.webhookAllow
            lease = try container.decodeIfPresent(Double.self, forKey: .lease) ?? defaults.lease
            concurrency = try container.decodeIfPresent(Int.self, forKey: .concurrency) ?? defaults.concurrency
        }
    }

    /// The signing pages and the agent console (docs/signing-page.md, docs/console.md).
    public struct Pages: Sendable, Hashable, Codable {
        public var enabled: Bool = true
        /// A file holding the key (at least 32 bytes) that binds page cookies and CSRF tokens;
        /// every node behind one load balancer needs the same. Absent: random per process.
        public var sessionKeyFile: String?
        /// The origins allowed to frame the signing page (embedded signing), per account id.
        public var frameAncestors: [String: [String]] = [:]
        /// Where rendered page images are cached; relative to the configuration file.
        public var cacheDirectory: String = "page-cache"
        /// The shipped `Fonts/` folder (the typed signature's script font); absent: found like
        /// every other resource (`$COUNTERSIGN_FONTS`, `$COUNTERSIGN_HOME`, beside the executable).
        public var fontsDirectory: String?
        public init() {}

        enum CodingKeys: String, CodingKey, CaseIterable { case enabled, sessionKeyFile, frameAncestors, cacheDirectory, fontsDirectory }

        public init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            let defaults = Pages()
            enabled = try container.decodeIfPresent(Bool.self, forKey: .enabled) ?? defaults.enabled
            sessionKeyFile = try container.decodeIfPresent(String.self, forKey: .sessionKeyFile)
            frameAncestors = try container.decodeIfPresent([String: [String]].self, forKey: .frameAncestors) ?? defaults.frameAncestors
            cacheDirectory = try container.decodeIfPresent(String.self, forKey: .cacheDirectory) ?? defaults.cacheDirectory
            fontsDirectory = try container.decodeIfPresent(String.self, forKey: .fontsDirectory)
        }
    }

    public struct RateLimit: Sendable, Hashable, Codable {
        public var requests: Int = 600
        /// The window in seconds.
        public var window: Int = 60
        public init(requests: Int = 600, window: Int = 60) {
            self.requests = requests
            self.window = window
        }
    }

    public init() {}

    enum CodingKeys: String, CodingKey, CaseIterable {
        case host, port, home, store, pages, publicURL, tls, worker, maxBodyBytes, maxBulkBytes, rateLimit, requestTimeout,
             shutdownGracePeriod, logLevel, seal
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let defaults = ServerConfiguration()
        host = try container.decodeIfPresent(String.self, forKey: .host) ?? defaults.host
        port = try container.decodeIfPresent(Int.self, forKey: .port) ?? defaults.port
        home = try container.decodeIfPresent(String.self, forKey: .home) ?? defaults.home
        store = try container.decodeIfPresent(String.self, forKey: .store)
        pages = try container.decodeIfPresent(Pages.self, forKey: .pages) ?? defaults.pages
        publicURL = try container.decodeIfPresent(String.self, forKey: .publicURL) ?? defaults.publicURL
        tls = try container.decodeIfPresent(TLS.self, forKey: .tls)
        worker = try container.decodeIfPresent(Worker.self, forKey: .worker) ?? defaults.worker
        maxBodyBytes = try container.decodeIfPresent(Int.self, forKey: .maxBodyBytes) ?? defaults.maxBodyBytes
        maxBulkBytes = try container.decodeIfPresent(Int.self, forKey: .maxBulkBytes) ?? defaults.maxBulkBytes
        rateLimit = try container.decodeIfPresent(RateLimit.self, forKey: .rateLimit) ?? defaults.rateLimit
        requestTimeout = try container.decodeIfPresent(Double.self, forKey: .requestTimeout) ?? defaults.requestTimeout
        shutdownGracePeriod = try container.decodeIfPresent(Double.self, forKey: .shutdownGracePeriod) ?? defaults.shutdownGracePeriod
        logLevel = try container.decodeIfPresent(String.self, forKey: .logLevel) ?? defaults.logLevel
        seal = try container.decodeIfPresent(Seal.self, forKey: .seal) ?? defaults.seal
    }

    /// The environment variables that override the file, and the key each sets.
    public static let environmentKeys: [(variable: String, key: String)] = [
        ("COUNTERSIGN_HOST", "host"), ("COUNTERSIGN_PORT", "port"), ("COUNTERSIGN_WORKFLOW_HOME", "home"),
        ("COUNTERSIGN_STORE", "store"), ("COUNTERSIGN_SESSION_KEY_FILE", "pages.sessionKeyFile"),
        ("COUNTERSIGN_PUBLIC_URL", "publicURL"), ("COUNTERSIGN_TLS_CERTIFICATE", "tls.certificate"),
        ("COUNTERSIGN_TLS_KEY", "tls.key"), ("COUNTERSIGN_WORKER", "worker.enabled"), ("COUNTERSIGN_SMTP", "worker.smtp"), ("COUNTERSIGN_MAIL_DIR", "worker.mailDirectory"),
        ("COUNTERSIGN_MAX_BODY_BYTES", "maxBodyBytes"), ("COUNTERSIGN_RATE_LIMIT", "rateLimit.requests"),
        ("COUNTERSIGN_LOG_LEVEL", "logLevel"), ("COUNTERSIGN_SEAL_P12", "seal.p12"), ("COUNTERSIGN_SEAL_KEY", "seal.key"),
        ("COUNTERSIGN_SEAL_CERT", "seal.cert"), ("COUNTERSIGN_SEAL_PASSWORD_FILE", "seal.passwordFile"),
        ("COUNTERSIGN_SEAL_TRUST", "seal.trust (PEM files separated by ':')"), ("COUNTERSIGN_TSA", "seal.tsa"),
    ]

    /// Reads the file (if any), applies the environment and checks the result. Relative paths
    /// in the file are taken from the file's folder.
    public static func load(file: String?, environment: [String: String]) throws -> ServerConfiguration {
        var configuration = ServerConfiguration()
        var base = URL(fileURLWithPath: FileManager.default.currentDirectoryPath)
        if let file {
            let url = URL(fileURLWithPath: file)
            guard let data = FileManager.default.contents(atPath: url.path) else {
                throw ServiceError(.configuration, "cannot read the configuration file \(file)")
            }
            do {
                // A key the configuration does not have (at any depth) is refused with the one meant.
                configuration = try StrictJSONDecoder(what: "the configuration").decode(ServerConfiguration.self, from: data)
            } catch let unknown as StrictJSONDecoder.KeyProblem {
                throw ServiceError(.configuration, "\(file): \(unknown)")
            } catch let error as DecodingError {
                throw ServiceError(.configuration, "\(file): \(DecodingProblem.describe(error, json: data, what: "the configuration"))")
            } catch {
                throw ServiceError(.configuration, "\(file): " + (DecodingProblem.describeSyntax(error as NSError, json: data, what: "the configuration")
                                                                   ?? "not JSON: \(error)"))
            }
            base = url.deletingLastPathComponent()
        }
        try configuration.apply(environment)
        configuration.resolvePaths(against: base)
        try configuration.check()
        return configuration
    }

    mutating func apply(_ environment: [String: String]) throws {
        func integer(_ variable: String) throws -> Int? {
            guard let text = environment[variable] else { return nil }
            guard let value = Int(text) else { throw ServiceError(.configuration, "$\(variable) '\(text)' is not a whole number") }
            return value
        }
        // Paths from the environment are the caller's: relative ones are taken from the current
        // folder here (only the file's own paths are taken from the file's folder, later).
        let here = URL(fileURLWithPath: FileManager.default.currentDirectoryPath)
        func absolute(_ value: String) -> String {
            value.hasPrefix("/") ? value : here.appendingPathComponent(value).standardizedFileURL.path
        }
        if let value = environment["COUNTERSIGN_HOST"] { host = value }
        if let value = try integer("COUNTERSIGN_PORT") { port = value }
        if let value = environment["COUNTERSIGN_WORKFLOW_HOME"] { home = absolute(value) }
        if let value = environment["COUNTERSIGN_STORE"] { store = value.isEmpty ? nil : value.contains("://") ? value : absolute(value) }
        if let value = environment["COUNTERSIGN_SESSION_KEY_FILE"] { pages.sessionKeyFile = value.isEmpty ? nil : absolute(value) }
        if let value = environment["COUNTERSIGN_PUBLIC_URL"] { publicURL = value }
        let certificate = environment["COUNTERSIGN_TLS_CERTIFICATE"].map(absolute), key = environment["COUNTERSIGN_TLS_KEY"].map(absolute)
        if certificate != nil || key != nil {
            guard let certificate = certificate ?? tls?.certificate, let key = key ?? tls?.key else {
                throw ServiceError(.configuration, "TLS needs both a certificate and a key: set $COUNTERSIGN_TLS_CERTIFICATE and $COUNTERSIGN_TLS_KEY")
            }
            tls = TLS(certificate: certificate, key: key)
        }
        if let value = environment["COUNTERSIGN_WORKER"] {
            switch value.lowercased() {
            case "1", "true", "yes", "on": worker.enabled = true
            case "0", "false", "no", "off": worker.enabled = false
            default: throw ServiceError(.configuration, "$COUNTERSIGN_WORKER '\(value)' is not true or false")
            }
        }
        if let value = environment["COUNTERSIGN_SMTP"] { worker.smtp = value.isEmpty ? nil : value }
        if let value = environment["COUNTERSIGN_MAIL_DIR"] { worker.mailDirectory = value.isEmpty ? nil : absolute(value) }
        if let value = try integer("COUNTERSIGN_MAX_BODY_BYTES") { maxBodyBytes = value }
        if let value = try integer("COUNTERSIGN_RATE_LIMIT") { rateLimit.requests = value }
        if let value = environment["COUNTERSIGN_LOG_LEVEL"] { logLevel = value }
        // The environment replaces the file's choice whole: a PKCS#12 from the environment
        // drops the file's PEM key and chain (and the other way round), a password file its
        // password variable.
        func path(_ variable: String) -> String?? {
            guard let value = environment[variable] else { return nil }
            return .some(value.isEmpty ? nil : absolute(value))
        }
        if let value = path("COUNTERSIGN_SEAL_P12") {
            seal.p12 = value
            if value != nil { seal.key = nil; seal.cert = nil }
        }
        let sealKey = path("COUNTERSIGN_SEAL_KEY"), sealCert = path("COUNTERSIGN_SEAL_CERT")
        if let sealKey { seal.key = sealKey }
        if let sealCert { seal.cert = sealCert }
        if (sealKey ?? nil) != nil || (sealCert ?? nil) != nil, environment["COUNTERSIGN_SEAL_P12"] == nil { seal.p12 = nil }
        if let value = path("COUNTERSIGN_SEAL_PASSWORD_FILE") {
            seal.passwordFile = value
            if value != nil { seal.passwordEnv = nil }
        }
        if let value = environment["COUNTERSIGN_SEAL_TRUST"] {
            seal.trust = value.split(separator: ":").map { absolute(String($0)) }
        }
        if let value = environment["COUNTERSIGN_TSA"] { seal.tsa = value.isEmpty ? nil : value }
    }

    mutating func resolvePaths(against base: URL) {
        func resolve(_ path: String) -> String {
            path.hasPrefix("/") ? path : base.appendingPathComponent(path).standardizedFileURL.path
        }
        home = resolve(home)
        if let location = store, !location.contains("://") { store = resolve(location) }
        pages.cacheDirectory = resolve(pages.cacheDirectory)
        pages.sessionKeyFile = pages.sessionKeyFile.map(resolve)
        pages.fontsDirectory = pages.fontsDirectory.map(resolve)
        if let tls { self.tls = TLS(certificate: resolve(tls.certificate), key: resolve(tls.key)) }
        seal.p12 = seal.p12.map(resolve)
        seal.key = seal.key.map(resolve)
        seal.cert = seal.cert.map(resolve)
        seal.passwordFile = seal.passwordFile.map(resolve)
        seal.trust = seal.trust.map(resolve)
        worker.mailDirectory = worker.mailDirectory.map(resolve)
    }

    func check() throws {
        guard (0...65_535).contains(port) else { throw ServiceError(.configuration, "port \(port) is not between 0 and 65535") }
        guard let url = URL(string: publicURL), url.scheme == "http" || url.scheme == "https", url.host != nil else {
            throw ServiceError(.configuration, "publicURL '\(publicURL)' is not an http(s) URL")
        }
        guard maxBodyBytes >= 1024 else { throw ServiceError(.configuration, "maxBodyBytes must be at least 1024") }
        guard maxBulkBytes >= maxBodyBytes else { throw ServiceError(.configuration, "maxBulkBytes must be at least maxBodyBytes") }
        guard rateLimit.requests > 0, rateLimit.window > 0 else {
            throw ServiceError(.configuration, "rateLimit.requests and rateLimit.window must be positive")
        }
        guard worker.lease >= 1 else { throw ServiceError(.configuration, "worker.lease must be at least 1 second") }
        guard (1...64).contains(worker.concurrency) else {
            throw ServiceError(.configuration, "worker.concurrency must be 1 to 64 (jobs this node runs at once), not \(worker.concurrency)")
        }
        guard worker.interval > 0, requestTimeout > 0, shutdownGracePeriod >= 0 else {
            throw ServiceError(.configuration, "worker.interval and requestTimeout must be positive, shutdownGracePeriod not negative")
        }
        if worker.smtp != nil, worker.mailDirectory != nil {
            throw ServiceError(.configuration, "give worker.smtp or worker.mailDirectory, not both")
        }
        if let smtp = worker.smtp {
            do { _ = try SMTPClient(relay: smtp) } catch let error as WorkflowError {
                throw ServiceError(.configuration, "worker.smtp: \(error.reason)")
            }
        }
        _ = try webhookPolicy()
        try seal.check()
        let levels = ["trace", "debug", "info", "notice", "warning", "error", "critical"]
        guard levels.contains(logLevel) else {
            throw ServiceError(.configuration, "logLevel '\(logLevel)' is not one of \(levels.joined(separator: ", "))")
        }
    }

    /// The SSRF guard of webhook deliveries and endpoint URLs, with `worker.webhookAllow`.
    public func webhookPolicy() throws -> WebhookAddressPolicy {
        do {
            return try WebhookAddressPolicy(allowList: worker.webhookAllow)
        } catch {
            throw ServiceError(.configuration, "worker.webhookAllow: \(error.reason)")
        }
    }

    /// The pages' settings: the session key from its file (random per process without one).
    func webPages() throws -> WebPagesConfiguration {
        var key: [UInt8]?
        if let file = pages.sessionKeyFile {
            // Each case its own advice: the key is shared by every node, so only a file that is
            // not there yet should be made anew.
            guard FileManager.default.fileExists(atPath: file) else {
                throw ServiceError(.configuration, "pages.sessionKeyFile \(file) does not exist; make it once with "
                                   + "`head -c 32 /dev/urandom > \(file)` and give every node the same file")
            }
            // A regular file of a sensible size: a directory or a device is not a key, and a
            // mistyped path to a large file would be read whole (8 GiB took 35 s and its size in memory).
            let attributes = try? FileManager.default.attributesOfItem(atPath: file)
            guard attributes?[.type] as? FileAttributeType == .typeRegular else {
                throw ServiceError(.configuration, "pages.sessionKeyFile \(file) is not a regular file (a directory, a device or a "
                                   + "pipe); name the file that holds the key, the same on every node")
            }
            guard let size = attributes?[.size] as? UInt64, size <= 4096 else {
                throw ServiceError(.configuration, "pages.sessionKeyFile \(file) is larger than 4 KB, so it is not a session key "
                                   + "file; name the 32-byte (or longer) key file every node shares")
            }
            guard let bytes = FileManager.default.contents(atPath: file) else {
                throw ServiceError(.configuration, "pages.sessionKeyFile \(file) cannot be read by this process (check its owner "
                                   + "and permissions); do not make a new one, which would sign every node's sessions out")
            }
            guard Set(bytes).count > 1 else {
                throw ServiceError(.configuration, "pages.sessionKeyFile \(file) holds one byte repeated, not a random key; make it "
                                   + "with `head -c 32 /dev/urandom > \(file)` and give every node the same file")
            }
            guard bytes.count >= 32 else {
                throw ServiceError(.configuration, "pages.sessionKeyFile \(file) holds \(bytes.count) bytes; a session key needs at "
                                   + "least 32 (`head -c 32 /dev/urandom > \(file)`, then give every node the same file)")
            }
            key = Array(bytes)
        }
        let fonts: URL
        if let directory = pages.fontsDirectory {
            fonts = URL(fileURLWithPath: directory)
        } else {
            do {
                fonts = try ResourceLocator.standard.directory(.fonts)
            } catch {
                throw ServiceError(.configuration, "pages.fontsDirectory is not set and \(error.reason)")
            }
        }
        return WebPagesConfiguration(fontsDirectory: fonts,
                                     pageCacheDirectory: URL(fileURLWithPath: pages.cacheDirectory),
                                     secureCookies: true, frameAncestors: pages.frameAncestors, sessionKey: key)
    }
}

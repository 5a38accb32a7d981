import Foundation
import Workflow

/// Where a `PostgresWorkflowStore` connects and how many connections it may hold.
public struct PostgresStoreConfiguration: Sendable, Hashable {
    /// How the server is reached.
    public enum Endpoint: Sendable, Hashable {
        /// TCP to a host name or address and port (no TLS: use a loopback, a private network or a
        /// TLS-terminating proxy).
        case tcp(host: String, port: Int)
        /// The server's Unix-domain socket file (e.g. `/var/run/postgresql/.s.PGSQL.5432`).
        case unixSocket(path: String)
    }

    public var endpoint: Endpoint
    public var username: String
    public var password: String?
    public var database: String
    /// The most connections this process opens (each worker task holds one while it runs a query).
    public var maximumConnections: Int
    /// The longest a store call waits for a pooled connection before failing as `store` (while
    /// the database is down, instead of the pool's minute; `PatientLease`).
    public var connectionPatience: Duration = .seconds(10)
    /// Whether most commits are one call of the commit function (`OneStatementCommit`, the
    /// default); false commits every change the long way, as statements in a transaction. For
    /// tests, which run the conformance suite both ways so that the long way stays proven.
    var commitsInOneStatement = true

    public init(endpoint: Endpoint, username: String, password: String? = nil, database: String, maximumConnections: Int = 8) {
        self.endpoint = endpoint
        self.username = username
        self.password = password
        self.database = database
        self.maximumConnections = maximumConnections
    }

    /// Reads a `postgres://user[:password]@host[:port]/database` URL (`postgresql://` also), the
    /// form libpq and most hosting providers print. A `host` query item naming a folder selects the
    /// Unix socket in it: `postgres://user@/db?host=/var/run/postgresql&port=5433`. `sslmode` may
    /// be `disable`, `allow` or `prefer` (no TLS is spoken); any other, and any other parameter, is
    /// refused rather than ignored.
    public init(url text: String, maximumConnections: Int = 8) throws {
        guard let components = URLComponents(string: text), let scheme = components.scheme,
              scheme == "postgres" || scheme == "postgresql" else {
            throw WorkflowError(.invalidRequest, "'\(text)' is not a postgres:// URL; write postgres://user:password@host:5432/database")
        }
        let database = String(components.path.drop { $0 == "/" })
        guard !database.isEmpty else {
            throw WorkflowError(.invalidRequest, "the URL names no database; add it as the path: postgres://user@host/database")
        }
        guard let user = components.user, !user.isEmpty else {
            throw WorkflowError(.invalidRequest, "the URL names no user; write postgres://user@host/database")
        }
        let items = components.queryItems ?? []
        // A decoded control character (`%00`) would end the string in the startup message and
        // smuggle in parameters of its own (`options`, `replication`).
        for (part, value) in [("user", user), ("password", components.password ?? ""), ("database", database),
                              ("host", components.host ?? "")] + items.map({ ($0.name, $0.value ?? "") })
        where value.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }) {
            throw WorkflowError(.invalidRequest, "the URL's \(part) holds a control character (a %00 or a line break); remove it")
        }
        if let repeated = Dictionary(grouping: items, by: \.name).first(where: { $0.value.count > 1 })?.key {
            throw WorkflowError(.invalidRequest, "the URL gives '\(repeated)' more than once; give it once")
        }
        // A parameter not honoured is refused rather than ignored: `sslmode=verify-full` read
        // as nothing would connect in plaintext to a database the operator meant to reach
        // over verified TLS.
        for item in items where !["host", "port", "sslmode"].contains(item.name) {
            throw WorkflowError(.invalidRequest, "the URL's parameter '\(item.name)' is not one Countersign reads (host, port, sslmode); remove it")
        }
        if let mode = items.first(where: { $0.name == "sslmode" })?.value, !["disable", "allow", "prefer"].contains(mode) {
            throw WorkflowError(.invalidRequest, "sslmode=\(mode): Countersign does not speak TLS to PostgreSQL, so it cannot honour it; "
                                + "reach the database over loopback, a Unix socket or a private network, or through a TLS-terminating "
                                + "proxy, and write sslmode=disable (docs/operations.md)")
        }
        let queryPort = items.first { $0.name == "port" }?.value
        if let queryPort, Int(queryPort) == nil {
            throw WorkflowError(.invalidRequest, "the URL's port '\(queryPort)' is not a number")
        }
        let port = components.port ?? queryPort.flatMap(Int.init) ?? 5432
        guard (1...65535).contains(port) else {
            throw WorkflowError(.invalidRequest, "the URL's port \(port) is not between 1 and 65535")
        }
        let endpoint: Endpoint
        if let folder = items.first(where: { $0.name == "host" })?.value, folder.hasPrefix("/") {
            endpoint = .unixSocket(path: "\(folder)/.s.PGSQL.\(port)")
        } else if var host = components.host, !host.isEmpty {
            // An IPv6 literal is written in brackets in a URL (`[::1]`), not when connecting.
            if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
            endpoint = .tcp(host: host, port: port)
        } else {
            throw WorkflowError(.invalidRequest, "the URL names no host; write postgres://user@host:5432/database or ?host=/socket/folder")
        }
        self.init(endpoint: endpoint, username: user, password: components.password, database: database,
                  maximumConnections: maximumConnections)
    }
}

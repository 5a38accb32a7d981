public import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A throwaway PostgreSQL cluster for tests: `initdb` in a temporary folder, the server started
/// with `pg_ctl` on a free loopback port (Unix sockets in the same folder), stopped and deleted
/// by `stop()`. PostgreSQL refuses to run as root, so under root every server command runs as
/// the `postgres` user (`runuser`) and the folder is given to that user.
///
/// A missing PostgreSQL is an error, never a skipped test: `scripts/test` installs the Debian
/// package `postgresql` (scripts/lib/common.sh, SYSTEM_PACKAGES).
public final class PostgresServer: Sendable {
    /// The folder with the cluster, its log and its sockets.
    public let directory: URL
    public let port: Int
    /// The superuser the cluster was created with (trust authentication on loopback only).
    public let user = "countersign"
    private let binaries: URL
    private let runAs: String?

    /// Where the PostgreSQL programs are: `COUNTERSIGN_POSTGRES_BIN`, or the newest
    /// `/usr/lib/postgresql/*/bin` with `initdb` (Debian's layout).
    public static func binaries() throws -> URL {
        if let path = ProcessInfo.processInfo.environment["COUNTERSIGN_POSTGRES_BIN"] {
            return URL(fileURLWithPath: path)
        }
        let root = "/usr/lib/postgresql"
        let versions = ((try? FileManager.default.contentsOfDirectory(atPath: root)) ?? [])
            .compactMap(Int.init).sorted(by: >)
        for version in versions where FileManager.default.isExecutableFile(atPath: "\(root)/\(version)/bin/initdb") {
            return URL(fileURLWithPath: "\(root)/\(version)/bin")
        }
        throw PostgresServerError(reason: """
            PostgreSQL is not installed (no initdb in /usr/lib/postgresql/*/bin): run scripts/test, which installs the \
            Debian package postgresql, or `apt-get install postgresql`, or set COUNTERSIGN_POSTGRES_BIN to its bin folder
            """)
    }

    /// Creates and starts a new cluster. `durable: false` turns fsync off (tests); the
    /// benchmark keeps it on.
    public static func start(durable: Bool = false) throws -> PostgresServer {
        let binaries = try binaries()
        let runAs: String? = geteuid() == 0 ? "postgres" : nil
        let directory = URL(fileURLWithPath: NSTemporaryDirectory())
            .appendingPathComponent("countersign-postgres-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        var lastError: (any Error)?
        do {
            if let runAs {
                try check(runCommand("chown", [runAs, directory.path]), "giving \(directory.path) to the \(runAs) user")
            }
            let server = PostgresServer(directory: directory, port: 0, binaries: binaries, runAs: runAs)
            try check(server.run("initdb", ["-D", server.dataDirectory, "-U", server.user, "--auth=trust", "--encoding=UTF8",
                                            "--no-locale", "--no-sync"]), "initdb")
            // A port that was free a moment ago can be taken before the server binds it: try a few.
            for _ in 0..<3 {
                let port = try freeLoopbackPort()
                let started = PostgresServer(directory: directory, port: port, binaries: binaries, runAs: runAs)
                var options = "-p \(port) -k \(directory.path) -c listen_addresses=127.0.0.1 -c max_connections=200"
                if !durable { options += " -c fsync=off -c synchronous_commit=off -c full_page_writes=off" }
                // The server outlives pg_ctl: spawned directly, so it inherits no descriptor that
                // Foundation's Process watches to see its child end.
                let result = try started.run("pg_ctl", ["-D", started.dataDirectory, "-l", started.logFile, "-o", options, "-w", "-t", "60",
                                                        "start"], detached: true)
                if result.status == 0 { return started }
                lastError = PostgresServerError(reason: "pg_ctl start failed: \(result.stderr)\(result.stdout)\n\(started.logTail())")
            }
        } catch {
            lastError = error
        }
        try? FileManager.default.removeItem(at: directory)
        throw lastError ?? PostgresServerError(reason: "the server did not start")
    }

    private init(directory: URL, port: Int, binaries: URL, runAs: String?) {
        self.directory = directory
        self.port = port
        self.binaries = binaries
        self.runAs = runAs
    }

    private var dataDirectory: String { directory.appendingPathComponent("data").path }
    private var logFile: String { directory.appendingPathComponent("server.log").path }

    /// Stops the server (fast shutdown) and deletes the cluster.
    public func stop() {
        _ = try? run("pg_ctl", ["-D", dataDirectory, "-m", "fast", "-w", "-t", "60", "stop"])
        try? FileManager.default.removeItem(at: directory)
    }

    /// Runs one of the PostgreSQL programs (as the `postgres` user under root).
    @discardableResult
    public func run(_ program: String, _ arguments: [String], input: Data? = nil, detached: Bool = false) throws -> CommandResult {
        var command = [binaries.appendingPathComponent(program).path] + arguments
        if let runAs {
            let runuser = ["/usr/sbin/runuser", "/sbin/runuser", "/usr/bin/runuser"].first { FileManager.default.isExecutableFile(atPath: $0) }
            guard let runuser else { throw PostgresServerError(reason: "running as root, but there is no runuser to start PostgreSQL as \(runAs)") }
            // In the cluster's folder: the postgres user may not enter the caller's working directory.
            command = [runuser, "-u", runAs, "--", "/usr/bin/env", "--chdir=\(directory.path)"] + command
        }
        if detached { return try spawnAndWait(command, output: directory.appendingPathComponent("pg_ctl.out").path) }
        return try runCommand(command[0], Array(command.dropFirst()), input: input)
    }

    /// Creates an empty database.
    public func createDatabase(_ name: String) throws {
        try Self.check(run("createdb", ["-h", "127.0.0.1", "-p", String(port), "-U", user, name]), "createdb \(name)")
    }

    /// Runs SQL with `psql` against a database, stopping at the first error.
    public func psql(_ sql: String, database: String) throws -> CommandResult {
        try run("psql", ["-h", "127.0.0.1", "-p", String(port), "-U", user, "-d", database, "-v", "ON_ERROR_STOP=1", "-X", "-A", "-t",
                         "-c", sql])
    }

    /// The end of the server's log (for failure messages).
    public func logTail() -> String {
        let text = (try? String(contentsOfFile: logFile, encoding: .utf8)) ?? ""
        return text.split(separator: "\n").suffix(20).joined(separator: "\n")
    }

    private static func check(_ result: CommandResult, _ what: String) throws {
        guard result.status == 0 else {
            throw PostgresServerError(reason: "\(what) failed (exit \(result.status)): \(result.stderr)\(result.stdout)")
        }
    }
}

/// The test PostgreSQL server could not be set up.
public struct PostgresServerError: Error, CustomStringConvertible {
    public var reason: String
    public init(reason: String) { self.reason = reason }
    public var description: String { reason }
}

/// Runs a command with posix_spawn, its output to `output`, and waits for it: unlike Foundation's
/// Process this works when the command leaves a daemon running (`pg_ctl start`).
func spawnAndWait(_ command: [String], output: String) throws -> CommandResult {
    var actions = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&actions)
    defer { posix_spawn_file_actions_destroy(&actions) }
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
    posix_spawn_file_actions_addopen(&actions, 1, output, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
    posix_spawn_file_actions_adddup2(&actions, 1, 2)
    // Nothing else: a descriptor of this process (another test's pipe) kept open by the server
    // would make whoever waits on it wait for the server.
    // (glibc ≥ 2.34 has posix_spawn_file_actions_addclosefrom_np; Swift's Glibc module does not
    // declare it, so it is looked up by name.)
    typealias CloseFrom = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32
    guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "posix_spawn_file_actions_addclosefrom_np") else {
        throw PostgresServerError(reason: "this C library lacks posix_spawn_file_actions_addclosefrom_np (glibc 2.34 or later is needed)")
    }
    _ = unsafeBitCast(symbol, to: CloseFrom.self)(&actions, 3)
    let arguments = command.map { strdup($0) } + [nil]
    defer { arguments.forEach { free($0) } }
    var pid: pid_t = 0
    let spawned = posix_spawn(&pid, command[0], &actions, nil, arguments, environ)
    guard spawned == 0 else { throw PostgresServerError(reason: "cannot run \(command[0]): error \(spawned)") }
    var status: Int32 = 0
    while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
    let text = (try? String(contentsOfFile: output, encoding: .utf8)) ?? ""
    let exited = status & 0x7f == 0
    return CommandResult(status: exited ? (status >> 8) & 0xff : 128 + (status & 0x7f), stdout: text, stderr: "", stdoutData: Data(text.utf8))
}

/// A TCP port on 127.0.0.1 that nothing listens on right now (bound to port 0, then closed).
public func freeLoopbackPort() throws -> Int {
    let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    guard descriptor >= 0 else { throw PostgresServerError(reason: "cannot create a socket: errno \(errno)") }
    defer { close(descriptor) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_port = 0
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    let bound = withUnsafePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
    }
    guard bound == 0 else { throw PostgresServerError(reason: "cannot bind a loopback socket: errno \(errno)") }
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    let named = withUnsafeMutablePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(descriptor, $0, &length) }
    }
    guard named == 0 else { throw PostgresServerError(reason: "cannot read the socket's port: errno \(errno)") }
    return Int(UInt16(bigEndian: address.sin_port))
}

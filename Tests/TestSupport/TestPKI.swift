public import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A real test PKI on loopback, made with the `openssl` CLI in a temporary directory: a root and an
/// intermediate CA (`openssl ca` databases), end-entity certificates whose Authority Information
/// Access names an OCSP responder and whose CRL distribution point names a CRL, both on 127.0.0.1;
/// `openssl ocsp` as the responder (a child process the tests start and stop) and CRLs served by a
/// `LoopbackHTTPServer`. `faketime` backdates responses and CRLs for freshness cases.
public final class TestPKI: @unchecked Sendable {
    /// How the OCSP responder answers.
    public enum ResponderMode: Sendable, Equatable {
        /// Signed by a delegated responder certificate (id-kp-OCSPSigning, ocsp-nocheck) the intermediate issued.
        case delegated
        /// Signed by the intermediate CA itself.
        case issuer
        /// Signed by a certificate the intermediate issued without id-kp-OCSPSigning.
        case unauthorised
        /// Delegated, but produced `daysAgo` days ago with a one-hour validity (past nextUpdate).
        case stale(daysAgo: Int)
    }

    /// An end-entity identity: key, certificate and the PEM chain (leaf, intermediate, root).
    public struct Identity: Sendable {
        public let name: String
        public let key: URL
        public let certificate: URL
        public let chain: URL
    }

    public let directory: URL
    /// The root certificate (PEM): the trust anchor.
    public let rootCertificate: URL
    public let intermediateCertificate: URL
    /// The OCSP responder's port (named in every end-entity certificate's AIA).
    public let ocspPort: Int
    /// Serves /root.crl and /intermediate.crl (DER) from `directory`.
    public let crlServer: LoopbackHTTPServer
    public var ocspURL: URL { URL(string: "http://127.0.0.1:\(ocspPort)/")! }

    private let caStartDaysAgo: Int
    private var responder: Process?
    private var responderMode: ResponderMode = .delegated
    private let lock = NSLock()

    /// Makes the CAs, the responder certificates and the first CRLs; starts the CRL server. The
    /// OCSP responder starts with `startResponder`.
    /// `caStartDaysAgo`: how long ago the root and the intermediate became valid (backdated
    /// material needs CAs older than it).
    public init(validityDays: Int = 30, caStartDaysAgo: Int = 1) throws {
        self.caStartDaysAgo = caStartDaysAgo
        directory = try TestEnvironment.scratchDirectory("TestPKI")
        rootCertificate = directory.appendingPathComponent("root/ca.pem")
        intermediateCertificate = directory.appendingPathComponent("intermediate/ca.pem")
        ocspPort = try LoopbackHTTPServer.freePort()
        let crlDirectory = directory
        crlServer = try LoopbackHTTPServer { request in
            let name = request.path.split(separator: "/").last.map(String.init) ?? ""
            guard request.method == "GET", ["root.crl", "intermediate.crl"].contains(name),
                  let data = FileManager.default.contents(atPath: crlDirectory.appendingPathComponent(name).path) else {
                return .init(status: "404 Not Found", contentType: "text/plain", body: Array("no such CRL".utf8))
            }
            return .init(contentType: "application/pkix-crl", body: [UInt8](data))
        }
        try makeAuthorities(validityDays: validityDays)
    }

    deinit {
        stopResponder()
        crlServer.stop()
        try? FileManager.default.removeItem(at: directory)
    }

    // MARK: Certificates

    /// Issues an end-entity signing certificate from the intermediate, valid for `days` days from
    /// `start` (default now), with AIA OCSP and a CRL distribution point on loopback.
    public func issue(_ name: String, days: Int = 30, startDaysAgo: Int = 0) throws -> Identity {
        try issue(name, days: days, startDaysAgo: startDaysAgo, profile: "signer")
    }

    /// Issues a time-stamping certificate (critical extendedKeyUsage timeStamping) from the
    /// intermediate, with AIA OCSP and a CRL distribution point on loopback like a signer's.
    public func issueTimestampAuthority(_ name: String, days: Int = 30, startDaysAgo: Int = 0) throws -> Identity {
        try issue(name, days: days, startDaysAgo: startDaysAgo, profile: "tsa")
    }

    private func issue(_ name: String, days: Int, startDaysAgo: Int, profile: String) throws -> Identity {
        let key = path("\(name).key")
        try openssl(["genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", key])
        try openssl(["req", "-new", "-key", key, "-subj", "/CN=\(name)/O=Countersign Test PKI", "-out", path("\(name).csr")])
        let start = Date().addingTimeInterval(-Double(startDaysAgo) * 86_400 - 60)
        try openssl(["ca", "-batch", "-config", path("intermediate/ca.cnf"), "-extensions", profile, "-notext",
                     "-startdate", Self.caTime(start), "-enddate", Self.caTime(start.addingTimeInterval(Double(days) * 86_400)),
                     "-in", path("\(name).csr"), "-out", path("\(name).pem")])
        let chain = directory.appendingPathComponent("\(name)-chain.pem")
        try Data((try pem("\(name).pem") + pem("intermediate/ca.pem") + pem("root/ca.pem")).utf8).write(to: chain)
        return Identity(name: name, key: URL(fileURLWithPath: key), certificate: URL(fileURLWithPath: path("\(name).pem")),
                        chain: chain)
    }

    /// Revokes `identity` in the intermediate's database and publishes a new CRL; a running
    /// responder is restarted so that it reads the database again.
    public func revoke(_ identity: Identity, reason: String = "keyCompromise") throws {
        try revoke(certificate: identity.certificate, reason: reason)
    }

    /// Revokes the certificate in this PEM file (one the intermediate issued, a TSA's).
    public func revoke(certificate: URL, reason: String = "keyCompromise") throws {
        try openssl(["ca", "-config", path("intermediate/ca.cnf"), "-revoke", certificate.path, "-crl_reason", reason])
        try publishCRL(of: "intermediate")
        if let mode = lock.withLock({ responder != nil ? responderMode : nil }) { try startResponder(mode) }
    }

    /// Publishes the CA's CRL (`root` or `intermediate`), valid `hours` hours from `daysAgo` days ago.
    public func publishCRL(of authority: String, hours: Int = 24, daysAgo: Int = 0) throws {
        let pemCRL = path("\(authority)/crl.pem")
        let arguments = ["ca", "-gencrl", "-config", path("\(authority)/ca.cnf"), "-crlhours", "\(hours)", "-out", pemCRL]
        if daysAgo > 0 {
            let result = try runBackdated(days: daysAgo, "openssl", arguments, timeout: 30)
            guard result.status == 0 else { throw TestTSAError("openssl ca -gencrl (backdated): \(result.stderr)") }
        } else {
            try run("openssl", arguments)
        }
        try openssl(["crl", "-in", pemCRL, "-outform", "DER", "-out", path("\(authority).crl")])
    }

    // MARK: OCSP responder

    /// Starts `openssl ocsp` for the intermediate's certificates on `ocspPort`; waits until it listens.
    public func startResponder(_ mode: ResponderMode = .delegated) throws {
        stopResponder()
        let log = path("ocsp-\(UUID().uuidString.prefix(8)).log")
        try Data().write(to: URL(fileURLWithPath: log))
        let (signer, key) = switch mode {
        case .delegated, .stale: ("intermediate/ocsp.pem", "intermediate/ocsp.key")
        case .issuer: ("intermediate/ca.pem", "intermediate/ca.key")
        case .unauthorised: ("intermediate/rogue.pem", "intermediate/rogue.key")
        }
        let arguments = ["ocsp", "-index", path("intermediate/index.txt"), "-port", "\(ocspPort)", "-rsigner", path(signer),
                         "-rkey", path(key), "-CA", path("intermediate/ca.pem"), "-nmin", "60"]
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/openssl")
        process.arguments = arguments
        if case .stale(let days) = mode {
            // libfaketime preloaded into openssl itself (not the faketime wrapper, whose child
            // would outlive a SIGKILL of the wrapper).
            var environment = ProcessInfo.processInfo.environment
            environment["LD_PRELOAD"] = libfaketimePath
            environment["FAKETIME"] = "-\(days)d"
            process.environment = environment
        }
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = FileHandle(forWritingAtPath: log)
        process.standardError = FileHandle(forWritingAtPath: log)
        try process.run()
        lock.withLock {
            responder = process
            responderMode = mode
        }
        let deadline = Date().addingTimeInterval(10)
        while Date() < deadline {
            // It prints this once it listens. (A probe connection would not do: openssl 3.0's
            // single-process responder stops answering after a connection that sends nothing.)
            if (try? String(contentsOfFile: log, encoding: .utf8))?.contains("waiting for OCSP client") == true { return }
            guard process.isRunning else {
                let output = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
                throw TestTSAError("openssl ocsp exited with status \(process.terminationStatus): \(output)")
            }
            usleep(50_000)
        }
        throw TestTSAError("openssl ocsp did not listen on port \(ocspPort) within 10 s")
    }

    /// Stops the responder (the port is then refused).
    public func stopResponder() {
        guard let process = lock.withLock({ () -> Process? in
            defer { responder = nil }
            return responder
        }) else { return }
        // SIGKILL: the single-process responder ignores SIGTERM while it waits for a connection.
        // Polls instead of waitUntilExit, which can wait for a run loop that test threads do not run.
        kill(process.processIdentifier, SIGKILL)
        let deadline = Date().addingTimeInterval(5)
        while process.isRunning && Date() < deadline { usleep(20_000) }
    }

    // MARK: Making the authorities

    private func makeAuthorities(validityDays: Int) throws {
        for authority in ["root", "intermediate"] {
            let folder = directory.appendingPathComponent(authority)
            try FileManager.default.createDirectory(at: folder.appendingPathComponent("issued"), withIntermediateDirectories: true)
            try Data().write(to: folder.appendingPathComponent("index.txt"))
            try Data("1000\n".utf8).write(to: folder.appendingPathComponent("serial"))
            try Data("01\n".utf8).write(to: folder.appendingPathComponent("crlnumber"))
            try Data(configuration(authority).utf8).write(to: folder.appendingPathComponent("ca.cnf"))
            try openssl(["genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", path("\(authority)/ca.key")])
        }
        let start = Date().addingTimeInterval(-Double(caStartDaysAgo) * 86_400)
        let end = start.addingTimeInterval(Double(validityDays + 3650) * 86_400)
        try openssl(["req", "-new", "-key", path("root/ca.key"), "-subj", "/CN=Countersign Test PKI Root/O=Countersign Test PKI",
                     "-out", path("root/ca.csr")])
        try openssl(["ca", "-batch", "-selfsign", "-config", path("root/ca.cnf"), "-extensions", "root", "-notext",
                     "-keyfile", path("root/ca.key"), "-startdate", Self.caTime(start), "-enddate", Self.caTime(end),
                     "-in", path("root/ca.csr"), "-out", path("root/ca.pem")])
        try openssl(["req", "-new", "-key", path("intermediate/ca.key"),
                     "-subj", "/CN=Countersign Test PKI Intermediate/O=Countersign Test PKI", "-out", path("intermediate/ca.csr")])
        try openssl(["ca", "-batch", "-config", path("root/ca.cnf"), "-extensions", "intermediate", "-notext",
                     "-startdate", Self.caTime(start), "-enddate", Self.caTime(end),
                     "-in", path("intermediate/ca.csr"), "-out", path("intermediate/ca.pem")])
        for (name, profile) in [("ocsp", "responder"), ("rogue", "signer")] {
            try openssl(["genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", path("intermediate/\(name).key")])
            try openssl(["req", "-new", "-key", path("intermediate/\(name).key"),
                         "-subj", "/CN=Countersign Test PKI \(name == "ocsp" ? "OCSP Responder" : "Rogue Responder")", "-out",
                         path("intermediate/\(name).csr")])
            try openssl(["ca", "-batch", "-config", path("intermediate/ca.cnf"), "-extensions", profile, "-notext",
                         "-startdate", Self.caTime(start), "-enddate", Self.caTime(end),
                         "-in", path("intermediate/\(name).csr"), "-out", path("intermediate/\(name).pem")])
        }
        try publishCRL(of: "root")
        try publishCRL(of: "intermediate")
    }

    private func configuration(_ authority: String) -> String {
        let folder = directory.appendingPathComponent(authority).path
        let crlBase = crlServer.baseURL.absoluteString
        return """
            [ ca ]
            default_ca = this
            [ this ]
            dir = \(folder)
            database = $dir/index.txt
            serial = $dir/serial
            crlnumber = $dir/crlnumber
            new_certs_dir = $dir/issued
            certificate = $dir/ca.pem
            private_key = $dir/ca.key
            default_md = sha256
            policy = anything
            unique_subject = no
            copy_extensions = none
            [ anything ]
            commonName = supplied
            organizationName = optional
            [ root ]
            basicConstraints = critical,CA:TRUE
            keyUsage = critical,keyCertSign,cRLSign
            subjectKeyIdentifier = hash
            [ intermediate ]
            basicConstraints = critical,CA:TRUE,pathlen:0
            keyUsage = critical,keyCertSign,cRLSign
            subjectKeyIdentifier = hash
            authorityKeyIdentifier = keyid
            crlDistributionPoints = URI:\(crlBase)/root.crl
            [ signer ]
            basicConstraints = critical,CA:FALSE
            keyUsage = critical,digitalSignature,nonRepudiation
            subjectKeyIdentifier = hash
            authorityKeyIdentifier = keyid
            authorityInfoAccess = OCSP;URI:\(ocspURL.absoluteString)
            crlDistributionPoints = URI:\(crlBase)/intermediate.crl
            [ tsa ]
            basicConstraints = critical,CA:FALSE
            keyUsage = critical,digitalSignature
            extendedKeyUsage = critical,timeStamping
            subjectKeyIdentifier = hash
            authorityKeyIdentifier = keyid
            authorityInfoAccess = OCSP;URI:\(ocspURL.absoluteString)
            crlDistributionPoints = URI:\(crlBase)/intermediate.crl
            [ responder ]
            basicConstraints = critical,CA:FALSE
            keyUsage = critical,digitalSignature
            extendedKeyUsage = critical,OCSPSigning
            noCheck = ignored
            subjectKeyIdentifier = hash
            authorityKeyIdentifier = keyid

            """
    }

    // MARK: Helpers

    private func path(_ name: String) -> String { directory.appendingPathComponent(name).path }

    private func pem(_ name: String) throws -> String { try String(contentsOfFile: path(name), encoding: .utf8) }

    private func openssl(_ arguments: [String]) throws { try run("openssl", arguments) }

    private func run(_ tool: String, _ arguments: [String]) throws {
        let result = try runCommand(tool, arguments, timeout: 30)
        guard result.status == 0 else { throw TestTSAError("\(tool) \(arguments.prefix(2).joined(separator: " ")): \(result.stderr)") }
    }

    /// `openssl ca` dates: YYYYMMDDHHMMSSZ.
    private static func caTime(_ date: Date) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyyMMddHHmmss'Z'"
        return formatter.string(from: date)
    }
}

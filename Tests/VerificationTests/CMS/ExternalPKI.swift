import Foundation
import TestSupport

/// Keys and certificates made by the openssl CLI (never by our Crypto module): an RSA root and
/// one leaf per key type, for signatures made by other tools than ours.
final class ExternalPKI: @unchecked Sendable {
    static let shared = try! ExternalPKI()

    enum KeyType: String, Sendable, CaseIterable {
        case rsa2048, rsa1024, p256, p521, brainpoolP256r1, brainpoolP384r1, ed25519, ed448

        var genpkey: [String] {
            switch self {
            case .rsa2048: ["-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048"]
            case .rsa1024: ["-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:1024"]
            case .p256: ["-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256"]
            case .p521: ["-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-521"]
            case .brainpoolP256r1, .brainpoolP384r1: ["-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:\(rawValue)"]
            case .ed25519: ["-algorithm", "ED25519"]
            case .ed448: ["-algorithm", "ED448"]
            }
        }
    }

    struct Leaf {
        var certificate: URL
        var key: URL
        var commonName: String
    }

    let directory: URL
    let root: URL
    private var leaves: [String: Leaf] = [:]
    private let lock = NSLock()

    private init() throws {
        directory = try TestEnvironment.scratchDirectory("external-pki")
        root = directory.appendingPathComponent("root.pem")
        try Data("""
            basicConstraints=critical,CA:FALSE
            keyUsage=critical,digitalSignature,nonRepudiation
            subjectKeyIdentifier=hash
            authorityKeyIdentifier=keyid

            """.utf8).write(to: directory.appendingPathComponent("leaf.cnf"))
        try Self.openssl(["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", path("root.key"), "-out", root.path,
                          "-days", "30", "-subj", "/CN=External Root", "-addext", "basicConstraints=critical,CA:TRUE",
                          "-addext", "keyUsage=critical,keyCertSign,cRLSign"])
    }

    func path(_ name: String) -> String { directory.appendingPathComponent(name).path }

    /// The leaf for `type`, made on first use; `digest` is the hash the root signs its
    /// certificate with.
    func leaf(_ type: KeyType, certificateDigest digest: String = "sha256") throws -> Leaf {
        lock.lock()
        defer { lock.unlock() }
        let id = digest == "sha256" ? type.rawValue : "\(type.rawValue)-\(digest)"
        if let leaf = leaves[id] { return leaf }
        let name = "External \(id) Signer"
        try Self.openssl(["genpkey"] + type.genpkey + ["-out", path("\(id).key")])
        try Self.openssl(["req", "-new", "-key", path("\(id).key"), "-out", path("\(id).csr"), "-subj", "/CN=\(name)"])
        try Self.openssl(["x509", "-req", "-in", path("\(id).csr"), "-CA", root.path, "-CAkey", path("root.key"), "-\(digest)",
                          "-CAcreateserial", "-out", path("\(id).pem"), "-days", "30", "-extfile", path("leaf.cnf")])
        let leaf = Leaf(certificate: directory.appendingPathComponent("\(id).pem"),
                        key: directory.appendingPathComponent("\(id).key"), commonName: name)
        leaves[id] = leaf
        return leaf
    }

    /// Runs the openssl CLI; throws with its stderr on failure.
    @discardableResult
    static func openssl(_ arguments: [String], input: Data? = nil) throws -> Data {
        let result = try runCommand("openssl", arguments, input: input)
        guard result.status == 0 else { throw TestTSAError("openssl \(arguments.joined(separator: " ")): \(result.stderr)") }
        return result.stdoutData
    }

    /// Runs openssl on `input` written to a file (`IN` in the arguments) and returns what it writes to `OUT`.
    func opensslFiles(_ arguments: [String], input: [UInt8]) throws -> [UInt8] {
        let name = UUID().uuidString
        let inURL = directory.appendingPathComponent("\(name).in")
        let outURL = directory.appendingPathComponent("\(name).out")
        defer {
            try? FileManager.default.removeItem(at: inURL)
            try? FileManager.default.removeItem(at: outURL)
        }
        try Data(input).write(to: inURL)
        try Self.openssl(arguments.map { $0 == "IN" ? inURL.path : $0 == "OUT" ? outURL.path : $0 })
        return [UInt8](try Data(contentsOf: outURL))
    }
}

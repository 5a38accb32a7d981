import CountersignCrypto
import Foundation
import TestSupport
import Testing

/// Keys and certificates the crypto tests share: one EC test root, and one signer per key
/// type issued by it (generated once per test run; RSA-3072 generation is slow).
enum CryptoFixtures {
    static let root: DevelopmentCA = {
        do {
            return try DevelopmentCA.createRoot(commonName: "Countersign Test Root", organization: "Countersign tests",
                                                key: .ecP256)
        } catch {
            fatalError("cannot create the test root: \(error)")
        }
    }()

    private static let cache = IdentityCache()

    /// A signer with digitalSignature + nonRepudiation, issued by `root`.
    static func identity(_ spec: PrivateKey.Spec) throws -> SigningIdentity {
        try cache.identity(for: spec) { try root.issue(commonName: "Test Signer \(spec)", key: spec) }
    }

    /// Writes `bytes` to a file in `directory`.
    @discardableResult
    static func write(_ bytes: some DataProtocol, _ name: String, in directory: URL) throws -> URL {
        let url = directory.appendingPathComponent(name)
        try Data(bytes).write(to: url)
        return url
    }

    /// The independent judge: `openssl cms -verify` over the detached content, trusting `trust`.
    static func opensslVerify(cms: [UInt8], content: [UInt8], trust: Certificate = root.certificate,
                              extra: [String] = []) throws -> CommandResult {
        let directory = try TestEnvironment.scratchDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let cmsURL = try write(cms, "signature.der", in: directory)
        let contentURL = try write(content, "content.bin", in: directory)
        let caURL = try write(Data(trust.pemEncoded.utf8), "ca.pem", in: directory)
        return try runCommand("openssl", ["cms", "-verify", "-inform", "DER", "-binary", "-in", cmsURL.path,
                                          "-content", contentURL.path, "-CAfile", caURL.path, "-out", "/dev/null"] + extra,
                              timeout: 30)
    }

    /// `openssl cms -cmsout -print` of a DER CMS.
    static func opensslPrint(cms: [UInt8]) throws -> String {
        let directory = try TestEnvironment.scratchDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let url = try write(cms, "signature.der", in: directory)
        let result = try runCommand("openssl", ["cms", "-cmsout", "-print", "-inform", "DER", "-in", url.path], timeout: 30)
        #expect(result.status == 0, "openssl cms -print failed: \(result.stderr)")
        return result.stdout
    }

    static func randomContent(_ count: Int = 4096) -> [UInt8] {
        (0..<count).map { _ in UInt8.random(in: 0...255) }
    }
}

/// Generated identities, by spec, shared across parallel tests.
final class IdentityCache: @unchecked Sendable {
    private let lock = NSLock()
    private var identities: [PrivateKey.Spec: SigningIdentity] = [:]

    func identity(for spec: PrivateKey.Spec, make: () throws -> SigningIdentity) throws -> SigningIdentity {
        lock.lock()
        defer { lock.unlock() }
        if let identity = identities[spec] { return identity }
        let identity = try make()
        identities[spec] = identity
        return identity
    }
}

/// Runs `body` expecting a CryptoError with `code`.
func expectCryptoError(_ code: CryptoError.Code, sourceLocation: SourceLocation = #_sourceLocation,
                       _ body: () throws -> Void) {
    do {
        try body()
        Issue.record("expected \(code), but nothing was thrown", sourceLocation: sourceLocation)
    } catch let error as CryptoError {
        #expect(error.code == code, "got \(error.code): \(error.reason)", sourceLocation: sourceLocation)
    } catch {
        Issue.record("expected CryptoError \(code), got \(error)", sourceLocation: sourceLocation)
    }
}

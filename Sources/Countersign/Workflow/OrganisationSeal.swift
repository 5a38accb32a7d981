public import Foundation
public import Workflow

/// Where a workflow home's organisation seal comes from: by default the home's development CA
/// (`dev-ca/`, made on first use, untrusted anywhere else); in production the organisation's own
/// certificate, the anchors its sealed files must verify against, and a time-stamp authority.
public struct OrganisationSeal: Sendable {
    /// The seal's key and certificate chain; nil for the home's development CA.
    public var identity: IdentityLoader?
    /// PEM files holding the certificates every sealed file must verify against, before its
    /// envelope is completed and in `audit verify`. Empty: the development CA, or the root
    /// certificate the seal's own chain ends in. With a TSA, its root belongs here too.
    public var trust: [URL]
    /// An RFC 3161 time-stamp authority: seals become PAdES B-T (B-LTA when the seal's
    /// certificate names revocation sources) and each new ledger head is time-stamped.
    public var timestampURL: URL?

    public init(identity: IdentityLoader? = nil, trust: [URL] = [], timestampURL: URL? = nil) {
        self.identity = identity
        self.trust = trust
        self.timestampURL = timestampURL
    }

    /// The home's development CA, no TSA.
    public static let development = OrganisationSeal()

    /// Loads the seal for the home in `directory` (making its development CA when that is the
    /// seal and it does not exist yet). Errors name the file they are about and say what to do.
    public func configuration(home directory: URL, at date: Date = Date()) throws -> SealConfiguration {
        let identity: SigningIdentity
        var anchors: [Certificate] = []
        if let loader = self.identity {
            identity = try loader.load(at: date)
        } else {
            let files = DevelopmentCAFiles(directory: directory.appendingPathComponent("dev-ca"))
            if !FileManager.default.fileExists(atPath: files.signerPKCS12.path) { _ = try DevelopmentCA.make(in: files.directory) }
            let password = try PasswordSource.file(files.signerPassword.path).read()
            identity = try SigningIdentity.load(pkcs12: Data(contentsOf: files.signerPKCS12), password: password)
            anchors = try Certificate.load(pem: Data(contentsOf: files.caCertificate))
        }
        anchors += try trustAnchors()
        if self.identity != nil, trust.isEmpty {
            // The root the seal's own chain ends in, when the chain carries it.
            let chain = [identity.certificate] + identity.chain
            guard let root = chain.last(where: \.isSelfIssued) else {
                throw CryptoError(.untrusted, "the seal's chain (\(identity.certificate.subject)) does not end in a root certificate, "
                                  + "so there is nothing its sealed files could be verified against — give the root with --seal-trust FILE.pem "
                                  + "(or \"seal\": {\"trust\": […]} in the server configuration)")
            }
            anchors = [root]
        }
        // Every sealed file must verify against the anchors before its envelope completes: a
        // seal that cannot chain to them would fail every completion, so it is refused now.
        do {
            _ = try ChainValidator(trustAnchors: anchors).validate(identity.certificate, intermediates: identity.chain, at: date)
        } catch let error as CryptoError {
            throw CryptoError(error.code, "the seal's certificate (\(identity.certificate.subject)) does not chain to the trust anchors "
                              + "(\(anchors.map(\.subject).joined(separator: "; "))): \(error.reason) — give the root that issued it with "
                              + "--seal-trust FILE.pem, and the intermediates in the seal's PKCS#12 or --seal-cert chain")
        }
        return SealConfiguration(identity: identity, trustAnchors: anchors, timestampURL: timestampURL)
    }

    /// The certificates in the `trust` files (read and checked: each must hold PEM certificates).
    public func trustAnchors() throws -> [Certificate] {
        var anchors: [Certificate] = []
        for file in trust {
            guard let data = FileManager.default.contents(atPath: file.path) else {
                throw CryptoError(.io, "\(file.path): cannot read the seal's trust anchors — give a readable PEM file")
            }
            let certificates: [Certificate]
            do {
                certificates = try Certificate.load(pem: data)
            } catch let error as CryptoError {
                throw CryptoError(error.code, "\(file.path): \(error.reason) — the seal's trust anchors must be PEM certificates")
            }
            guard !certificates.isEmpty else {
                throw CryptoError(.malformed, "\(file.path): holds no PEM certificate — the seal's trust anchors must be PEM certificates")
            }
            anchors += certificates
        }
        return anchors
    }

    /// One line saying what seals: the certificate's subject, fingerprint and validity, and
    /// whether it is the development CA (for a worker's or a server's start-up log).
    public static func describe(_ configuration: SealConfiguration, development: Bool) -> String {
        let certificate = configuration.identity.certificate
        var line = "sealing with \(certificate.subject) (SHA-256 \(certificate.sha256Fingerprint.prefix(16))…, valid until "
            + "\(ISO8601DateFormatter().string(from: certificate.notAfter)))"
        if development { line += ", the home's development CA: untrusted anywhere else; give an organisation seal for production (serve: seal.p12 or $COUNTERSIGN_SEAL_P12; worker: --seal-p12)" }
        if let url = configuration.timestampURL { line += ", time-stamped by \(url.absoluteString)" }
        return line
    }
}

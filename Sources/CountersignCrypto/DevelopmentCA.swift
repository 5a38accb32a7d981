internal import COpenSSL
public import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A certificate authority for development and tests — never for real signatures. Its
/// names say so: "Countersign DEVELOPMENT CA — NOT TRUSTED".
public struct DevelopmentCA: Sendable {
    /// The root's commonName and organization.
    public static let rootName = "Countersign DEVELOPMENT CA — NOT TRUSTED"
    /// The commonName of the signer `make(in:)` issues.
    public static let signerName = "Countersign Development Signer"

    /// This CA's certificate and key.
    public let certificate: Certificate
    public let privateKey: PrivateKey
    /// The certificates above this CA (empty for a root).
    public let chain: [Certificate]

    /// An issuing CA from an identity whose certificate is a CA (e.g. an intermediate).
    public init(identity: SigningIdentity) throws {
        guard identity.certificate.isCA else {
            throw CryptoError(.invalidArgument, "\(identity.certificate.subject) is not a CA certificate")
        }
        certificate = identity.certificate
        privateKey = identity.privateKey
        chain = identity.chain
    }

    private init(root: Certificate, key: PrivateKey) {
        certificate = root
        privateKey = key
        chain = []
    }

    /// A new self-signed root CA.
    public static func createRoot(commonName: String = rootName, organization: String? = rootName,
                                  key spec: PrivateKey.Spec = .rsa(3072), notBefore: Date = Date().addingTimeInterval(-300),
                                  notAfter: Date = Date().addingTimeInterval(10 * 365 * 86_400)) throws -> DevelopmentCA {
        let key = try PrivateKey.generate(spec)
        let root = try CertificateBuilder.build(
            commonName: commonName, organization: organization, subjectKey: key, issuer: nil, issuerKey: key,
            notBefore: notBefore, notAfter: notAfter,
            extensions: [(NID_basic_constraints, "critical,CA:TRUE"), (NID_key_usage, "critical,keyCertSign,cRLSign"),
                         (NID_subject_key_identifier, "hash")])
        return DevelopmentCA(root: root, key: key)
    }

    /// Issues a certificate for a new key. `keyUsage` nil leaves the extension out;
    /// `extendedKeyUsage` is OpenSSL config syntax (e.g. "critical,timeStamping"); `isCA` makes
    /// an intermediate (basicConstraints CA:TRUE). The identity's chain is this CA and its chain.
    public func issue(commonName: String, organization: String? = nil, key spec: PrivateKey.Spec = .rsa(2048),
                      notBefore: Date = Date().addingTimeInterval(-300),
                      notAfter: Date = Date().addingTimeInterval(365 * 86_400),
                      keyUsage: Certificate.KeyUsage? = [.digitalSignature, .nonRepudiation],
                      extendedKeyUsage: String? = nil, isCA: Bool = false) throws -> SigningIdentity {
        let key = try PrivateKey.generate(spec)
        var extensions: [(Int32, String)] = [(NID_basic_constraints, isCA ? "critical,CA:TRUE" : "critical,CA:FALSE")]
        if let keyUsage, !keyUsage.isEmpty { extensions.append((NID_key_usage, "critical," + keyUsage.configValue)) }
        if let extendedKeyUsage { extensions.append((NID_ext_key_usage, extendedKeyUsage)) }
        extensions += [(NID_subject_key_identifier, "hash"), (NID_authority_key_identifier, "keyid:always")]
        let leaf = try CertificateBuilder.build(
            commonName: commonName, organization: organization, subjectKey: key, issuer: certificate,
            issuerKey: privateKey, notBefore: notBefore, notAfter: notAfter, extensions: extensions)
        return try SigningIdentity(privateKey: key, certificate: leaf, chain: [certificate] + chain)
    }

    /// The files `make(in:)` writes.
    public struct Files: Sendable, Hashable {
        /// The root certificate, PEM (0644) — what a verifier would be told to trust.
        public let caCertificate: URL
        /// The root's key, unencrypted PKCS#8 PEM (0600).
        public let caPrivateKey: URL
        /// Signer key + certificate + root, PKCS#12 (0600).
        public let signerPKCS12: URL
        /// The PKCS#12 password, one line (0600).
        public let signerPassword: URL
    }

    /// What `make(in:options:)` creates: key types, names and validity. The defaults are an
    /// RSA-3072 root valid 10 years and an RSA-2048 signer valid 1 year, both from 5 minutes ago.
    public struct Options: Sendable, Hashable {
        public var rootKey: PrivateKey.Spec = .rsa(3072)
        public var signerKey: PrivateKey.Spec = .rsa(2048)
        public var rootName: String = DevelopmentCA.rootName
        public var signerName: String = DevelopmentCA.signerName
        /// Start of both certificates' validity (tests sign at earlier dates with an earlier one).
        public var notBefore: Date = Date().addingTimeInterval(-300)
        /// Days the signer's certificate is valid from `notBefore`; the root covers 10 years or
        /// the signer's validity, whichever is longer.
        public var validityDays: Int = 365

        public init() {}
    }

    /// Creates a development root CA and a signer (digitalSignature + nonRepudiation) in
    /// `directory`: ca.pem, ca-key.pem, signer.p12 and signer.pass (a random password).
    /// Refuses to overwrite any of them.
    @discardableResult
    public static func make(in directory: URL, options: Options = Options()) throws -> Files {
        let files = Files(caCertificate: directory.appendingPathComponent("ca.pem"),
                          caPrivateKey: directory.appendingPathComponent("ca-key.pem"),
                          signerPKCS12: directory.appendingPathComponent("signer.p12"),
                          signerPassword: directory.appendingPathComponent("signer.pass"))
        let all = [files.caCertificate, files.caPrivateKey, files.signerPKCS12, files.signerPassword]
        if let existing = all.first(where: { FileManager.default.fileExists(atPath: $0.path) }) {
            throw CryptoError(.io, "\(existing.path) already exists; remove it or choose another directory")
        }
        do {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true,
                                                    attributes: [.posixPermissions: 0o700])
        } catch {
            throw CryptoError(.io, "cannot create \(directory.path): \(error.localizedDescription)")
        }
        let signerEnd = options.notBefore.addingTimeInterval(Double(max(1, options.validityDays)) * 86_400)
        let root = try createRoot(commonName: options.rootName, organization: options.rootName, key: options.rootKey,
                                  notBefore: options.notBefore,
                                  notAfter: max(signerEnd, options.notBefore.addingTimeInterval(10 * 365 * 86_400)))
        let signer = try root.issue(commonName: options.signerName, organization: options.rootName, key: options.signerKey,
                                    notBefore: options.notBefore, notAfter: signerEnd)
        let password = Data(try OpenSSL.randomBytes(24)).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
        let contents: [(URL, Data, mode_t)] = [
            (files.caCertificate, Data(root.certificate.pemEncoded.utf8), 0o644),
            (files.caPrivateKey, try root.privateKey.pemEncoded(password: nil), 0o600),
            (files.signerPKCS12, try signer.pkcs12(password: password, friendlyName: options.signerName), 0o600),
            (files.signerPassword, Data((password + "\n").utf8), 0o600),
        ]
        var written: [URL] = []
        do {
            for (url, data, mode) in contents {
                try writeFile(url, data, mode: mode)
                written.append(url)
            }
        } catch {
            for url in written { try? FileManager.default.removeItem(at: url) }  // no half-made CA
            throw error
        }
        return files
    }

    /// Creates `url` with exactly `mode` (never wider, whatever the umask) and writes `data`.
    private static func writeFile(_ url: URL, _ data: Data, mode: mode_t) throws {
        let descriptor = open(url.path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode)
        guard descriptor >= 0 else {
            throw CryptoError(.io, "cannot create \(url.path): \(String(cString: strerror(errno)))")
        }
        defer { close(descriptor) }
        guard fchmod(descriptor, mode) == 0 else {
            throw CryptoError(.io, "cannot set the mode of \(url.path): \(String(cString: strerror(errno)))")
        }
        try data.withUnsafeBytes { buffer in
            var offset = 0
            while offset < buffer.count {
                let written = write(descriptor, buffer.baseAddress! + offset, buffer.count - offset)
                if written < 0 && errno == EINTR { continue }
                guard written > 0 else {
                    throw CryptoError(.io, "cannot write \(url.path): \(String(cString: strerror(errno)))")
                }
                offset += written
            }
        }
    }
}

/// Assembles and signs X.509 v3 certificates.
enum CertificateBuilder {
    static func build(commonName: String, organization: String?, subjectKey: PrivateKey, issuer: Certificate?,
                      issuerKey: PrivateKey, notBefore: Date, notAfter: Date,
                      extensions: [(Int32, String)]) throws -> Certificate {
        ERR_clear_error()
        guard let raw = X509_new() else { throw OpenSSL.failure("cannot allocate a certificate") }
        let x509 = OwnedPointer(takingOwnershipOf: raw, free: X509_free)
        guard let rawName = X509_NAME_new() else { throw OpenSSL.failure("cannot allocate a name") }
        let nameOwner = OwnedPointer(takingOwnershipOf: rawName, free: X509_NAME_free)
        let name = nameOwner.pointer
        var entries = [("CN", commonName)]
        if let organization { entries.append(("O", organization)) }
        for (field, value) in entries where X509_NAME_add_entry_by_txt(name, field, MBSTRING_UTF8, value, -1, -1, 0) != 1 {
            throw OpenSSL.failure("cannot put \(field)=\(value) in a certificate name")
        }
        var serial = try OpenSSL.randomBytes(16)
        serial[0] = serial[0] & 0x7F | 0x40  // positive, always 16 bytes
        guard let rawSerial = BN_bin2bn(serial, Int32(serial.count), nil) else { throw OpenSSL.failure("cannot make a serial") }
        let serialNumber = OwnedPointer(takingOwnershipOf: rawSerial, free: BN_free)
        let notBeforeTime = try OpenSSL.asn1Time(notBefore)
        let notAfterTime = try OpenSSL.asn1Time(notAfter)
        guard X509_set_version(raw, 2) == 1,
              BN_to_ASN1_INTEGER(serialNumber.pointer, X509_get_serialNumber(raw)) != nil,
              X509_set_subject_name(raw, name) == 1,
              X509_set_issuer_name(raw, issuer.map { X509_get_subject_name($0.x509) } ?? name) == 1,
              X509_set1_notBefore(raw, UnsafePointer<ASN1_TIME>(notBeforeTime.pointer)) == 1,
              X509_set1_notAfter(raw, UnsafePointer<ASN1_TIME>(notAfterTime.pointer)) == 1,
              X509_set_pubkey(raw, subjectKey.pkey) == 1
        else { throw OpenSSL.failure("cannot fill in the certificate") }
        for (nid, value) in extensions where cs_add_extension(issuer?.x509 ?? raw, raw, nid, value) != 1 {
            throw OpenSSL.failure("cannot add the extension \(value)")
        }
        guard X509_sign(raw, issuerKey.pkey, EVP_sha256()) > 0 else { throw OpenSSL.failure("cannot sign the certificate") }
        return try Certificate(takingOwnershipOf: x509.take())
    }
}

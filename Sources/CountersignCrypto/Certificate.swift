internal import COpenSSL
public import Foundation

/// An X.509 certificate. Immutable; every property is read once when it is loaded.
///
/// `@unchecked Sendable`: the owned `X509*` is never mutated after init, and OpenSSL's
/// reference counting and cached-extension reads are thread-safe.
public final class Certificate: @unchecked Sendable, Hashable, CustomStringConvertible {
    /// The keyUsage extension's bits (RFC 5280 §4.2.1.3).
    public struct KeyUsage: OptionSet, Sendable, Hashable {
        public let rawValue: UInt32
        public init(rawValue: UInt32) { self.rawValue = rawValue }

        public static let digitalSignature = KeyUsage(rawValue: 0x0080)
        public static let nonRepudiation = KeyUsage(rawValue: 0x0040)
        public static let keyEncipherment = KeyUsage(rawValue: 0x0020)
        public static let dataEncipherment = KeyUsage(rawValue: 0x0010)
        public static let keyAgreement = KeyUsage(rawValue: 0x0008)
        public static let keyCertSign = KeyUsage(rawValue: 0x0004)
        public static let cRLSign = KeyUsage(rawValue: 0x0002)
        public static let encipherOnly = KeyUsage(rawValue: 0x0001)
        public static let decipherOnly = KeyUsage(rawValue: 0x8000)

        /// The extension's value in OpenSSL config syntax ("digitalSignature,nonRepudiation").
        var configValue: String {
            let names: [(KeyUsage, String)] = [
                (.digitalSignature, "digitalSignature"), (.nonRepudiation, "nonRepudiation"),
                (.keyEncipherment, "keyEncipherment"), (.dataEncipherment, "dataEncipherment"),
                (.keyAgreement, "keyAgreement"), (.keyCertSign, "keyCertSign"), (.cRLSign, "cRLSign"),
                (.encipherOnly, "encipherOnly"), (.decipherOnly, "decipherOnly"),
            ]
            return names.filter { contains($0.0) }.map(\.1).joined(separator: ",")
        }
    }

    let x509: OpaquePointer

    /// The DER encoding.
    public let derEncoded: [UInt8]
    /// The subject as an RFC 4514 string ("CN=…,O=…", most specific first; UTF-8 kept as is).
    public let subject: String
    /// The issuer as an RFC 4514 string.
    public let issuer: String
    /// The subject's first commonName, if any.
    public let commonName: String?
    /// The serial number as lower-case hex (big-endian, no leading zeros beyond one byte).
    public let serialNumber: String
    public let notBefore: Date
    public let notAfter: Date
    /// SHA-256 of the DER, lower-case hex.
    public let sha256Fingerprint: String
    /// The keyUsage bits, or nil when the extension is absent (any usage allowed).
    public let keyUsage: KeyUsage?
    /// Whether basicConstraints says this is a CA.
    public let isCA: Bool
    /// The public key, e.g. "RSA 2048" or "EC P-256".
    public let publicKeyAlgorithm: String

    /// Takes ownership of `x509` (freed in deinit).
    init(takingOwnershipOf x509: OpaquePointer) throws {
        guard let der = try? OpenSSL.encode("a certificate", { i2d_X509(x509, $0) }),
              let notBefore = OpenSSL.date(X509_get0_notBefore(x509)),
              let notAfter = OpenSSL.date(X509_get0_notAfter(x509)) else {
            X509_free(x509)
            throw CryptoError(.malformed, "the certificate cannot be re-encoded or its validity dates read")
        }
        self.x509 = x509
        derEncoded = der
        self.notBefore = notBefore
        self.notAfter = notAfter
        subject = Certificate.text(of: X509_get_subject_name(x509))
        issuer = Certificate.text(of: X509_get_issuer_name(x509))
        commonName = Certificate.commonName(of: X509_get_subject_name(x509))
        serialNumber = Certificate.serialText(x509)
        sha256Fingerprint = OpenSSL.hex(DigestAlgorithm.sha256.hash(derEncoded))
        let flags = X509_get_extension_flags(x509)  // also caches the extensions
        keyUsage = flags & UInt32(EXFLAG_KUSAGE) != 0 ? KeyUsage(rawValue: X509_get_key_usage(x509)) : nil
        isCA = flags & UInt32(EXFLAG_CA) != 0
        publicKeyAlgorithm = X509_get0_pubkey(x509).map { PrivateKey.describe($0) } ?? "unknown"
    }

    deinit { X509_free(x509) }

    /// Parses one DER certificate.
    public convenience init(derEncoded bytes: [UInt8]) throws {
        let owned = try OpenSSL.decode("certificate", bytes, free: X509_free) { d2i_X509(nil, $0, $1) }
        try self.init(takingOwnershipOf: owned.take())
    }

    /// Parses every certificate in a PEM file (in file order). Throws if there are none.
    public static func load(pem: Data) throws -> [Certificate] {
        try CryptoLibrary.require()
        ERR_clear_error()
        var certificates: [Certificate] = []
        try BIOs.reading(pem) { bio in
            while let x509 = PEM_read_bio_X509(bio, nil, nil, nil) {
                certificates.append(try Certificate(takingOwnershipOf: x509))
            }
        }
        // The loop ends on "no start line" at the end of the input; anything else is a
        // certificate block that does not parse, which must not be skipped silently.
        let last = ERR_peek_last_error()
        if last != 0 && ERR_GET_REASON(last) != PEM_R_NO_START_LINE {
            throw OpenSSL.failure("PEM certificate \(certificates.count + 1) cannot be read", code: .malformed)
        }
        ERR_clear_error()
        guard !certificates.isEmpty else { throw CryptoError(.malformed, "no PEM certificate found") }
        return certificates
    }

    /// Parses a certificate given as DER or PEM (the first one in a PEM file).
    public static func load(_ data: Data) throws -> Certificate {
        try CryptoLibrary.require()
        if data.first == DER.sequence { return try Certificate(derEncoded: [UInt8](data)) }
        return try load(pem: data)[0]
    }

    /// PEM text ("-----BEGIN CERTIFICATE-----…").
    public var pemEncoded: String {
        let base64 = Data(derEncoded).base64EncodedString(options: [.lineLength64Characters, .endLineWithLineFeed])
        return "-----BEGIN CERTIFICATE-----\n\(base64)\n-----END CERTIFICATE-----\n"
    }

    /// Whether `date` lies within notBefore…notAfter.
    public func isValid(at date: Date) -> Bool { notBefore <= date && date <= notAfter }

    /// Whether the subject and issuer names are the same (a root, usually).
    public var isSelfIssued: Bool { X509_NAME_cmp(X509_get_subject_name(x509), X509_get_issuer_name(x509)) == 0 }

    /// The serial number's INTEGER content octets (two's complement), nil if OpenSSL cannot
    /// encode it.
    func serialContent() -> [UInt8]? { Certificate.serialContent(x509) }

    static func serialContent(_ x509: OpaquePointer) -> [UInt8]? {
        (try? OpenSSL.encode("a serial number") { i2d_ASN1_INTEGER(X509_get0_serialNumber(x509), $0) })
            .flatMap { try? SerialNumber.content(ofDER: $0) }
    }

    static func serialText(_ x509: OpaquePointer) -> String {
        serialContent(x509).map { SerialNumber.text($0) } ?? "unreadable"
    }

    /// The DER of the issuer Name and of the serial INTEGER (CMS IssuerAndSerialNumber parts).
    func issuerAndSerialDER() throws -> (issuer: [UInt8], serial: [UInt8]) {
        let issuer = try OpenSSL.encode("an issuer name") { i2d_X509_NAME(X509_get_issuer_name(x509), $0) }
        let serial = try OpenSSL.encode("a serial number") { i2d_ASN1_INTEGER(X509_get0_serialNumber(x509), $0) }
        return (issuer, serial)
    }

    public var description: String { "\(subject) (serial \(serialNumber), SHA-256 \(sha256Fingerprint.prefix(16))…)" }

    public static func == (lhs: Certificate, rhs: Certificate) -> Bool { lhs.derEncoded == rhs.derEncoded }
    public func hash(into hasher: inout Hasher) { hasher.combine(derEncoded) }

    static func text(of name: OpaquePointer?) -> String {
        guard let name, let bio = try? BIOs.memory() else { return "" }
        guard X509_NAME_print_ex(bio.pointer, name, 0, cs_name_print_flags()) >= 0 else { return "" }
        return String(decoding: BIOs.contents(of: bio.pointer), as: UTF8.self)
    }

    static func commonName(of name: OpaquePointer?) -> String? {
        let index = X509_NAME_get_index_by_NID(name, NID_commonName, -1)
        guard index >= 0, let entry = X509_NAME_get_entry(name, index),
              let data = X509_NAME_ENTRY_get_data(entry) else { return nil }
        var utf8: UnsafeMutablePointer<UInt8>?
        let length = ASN1_STRING_to_UTF8(&utf8, data)
        guard length >= 0, let utf8 else { return nil }
        defer { cs_OPENSSL_free(utf8) }
        return String(decoding: UnsafeBufferPointer(start: utf8, count: Int(length)), as: UTF8.self)
    }

    /// Up-references the X509 for an OpenSSL stack that will free it.
    func retained() -> OpaquePointer {
        X509_up_ref(x509)
        return x509
    }
}

/// An owned STACK_OF(X509) holding up-referenced certificates.
struct CertificateStack: ~Copyable {
    let pointer: OpaquePointer

    init(_ certificates: [Certificate]) throws {
        guard let stack = cs_sk_X509_new_null() else { throw OpenSSL.failure("cannot allocate a certificate stack") }
        for certificate in certificates {
            let x509 = certificate.retained()
            if cs_sk_X509_push(stack, x509) <= 0 {
                X509_free(x509)
                cs_sk_X509_pop_free(stack)
                throw OpenSSL.failure("cannot build a certificate stack")
            }
        }
        pointer = stack
    }

    deinit { cs_sk_X509_pop_free(pointer) }

    /// Copies the X509s of any stack into Certificates (up-referencing each).
    static func certificates(in stack: OpaquePointer?) throws -> [Certificate] {
        guard let stack else { return [] }
        var result: [Certificate] = []
        for index in 0..<max(0, cs_sk_X509_num(stack)) {
            guard let x509 = cs_sk_X509_value(stack, index) else { continue }
            X509_up_ref(x509)
            result.append(try Certificate(takingOwnershipOf: x509))
        }
        return result
    }
}

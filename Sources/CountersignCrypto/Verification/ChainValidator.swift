internal import COpenSSL
public import Foundation

/// Builds and checks certificate paths to a fixed set of trust anchors (OpenSSL's
/// X509_STORE), at a chosen time. Anchors need not be self-signed (partial chains are
/// allowed: an anchor is trusted because the caller says so). Revocation is not checked.
///
/// The store is built once, when the validator is made, and shared by every validation (a
/// verifier checking thousands of files makes one validator per run).
public struct ChainValidator: Sendable {
    public let trustAnchors: [Certificate]
    private let store: TrustStore

    public init(trustAnchors: [Certificate]) {
        self.trustAnchors = trustAnchors
        store = TrustStore(trustAnchors)
    }

    /// The path from `certificate` to an anchor (leaf first, anchor last), valid at `time`.
    ///
    /// Throws `.certificateExpired` / `.certificateNotYetValid` when some certificate on the
    /// path is outside its validity at `time`, `.untrusted` when no path reaches an anchor,
    /// `.chainInvalid` for anything else (bad signature, CA constraints, …). The reason names
    /// the offending certificate.
    public func validate(_ certificate: Certificate, intermediates: [Certificate] = [], at time: Date) throws -> [Certificate] {
        guard !trustAnchors.isEmpty else {
            throw CryptoError(.untrusted, "no trust anchors were given, so \(certificate.subject) cannot be trusted")
        }
        guard let store = store.pointer else { throw OpenSSL.failure("cannot allocate a certificate store") }
        ERR_clear_error()
        guard let rawContext = X509_STORE_CTX_new() else { throw OpenSSL.failure("cannot allocate a verification context") }
        let owner = OwnedPointer(takingOwnershipOf: rawContext, free: X509_STORE_CTX_free)
        let context = owner.pointer
        let untrusted = try CertificateStack(intermediates)
        guard X509_STORE_CTX_init(context, store, certificate.x509, untrusted.pointer) == 1 else {
            throw OpenSSL.failure("cannot start chain verification")
        }
        let parameters = X509_STORE_CTX_get0_param(context)
        X509_VERIFY_PARAM_set_time(parameters, time_t(time.timeIntervalSince1970.rounded(.down)))
        _ = X509_VERIFY_PARAM_set_flags(parameters, UInt(X509_V_FLAG_PARTIAL_CHAIN))
        _ = X509_STORE_CTX_set_purpose(context, X509_PURPOSE_ANY)
        guard X509_verify_cert(context) == 1 else {
            let error = X509_STORE_CTX_get_error(context)
            let depth = X509_STORE_CTX_get_error_depth(context)
            let current = X509_STORE_CTX_get_current_cert(context)
            let offender = current.map { Certificate.text(of: X509_get_subject_name($0)) } ?? certificate.subject
            let text = X509_verify_cert_error_string(Int(error)).map { String(cString: $0) } ?? "error \(error)"
            _ = OpenSSL.drainErrors()
            let code = Self.code(for: error)
            let namesake = code == .untrusted ? current.flatMap { namesakeNote(for: $0) } ?? "" : ""
            throw CryptoError(code, "chain validation at \(time.isoText) failed at depth \(depth) (\(offender)): \(text)\(namesake)")
        }
        let chain = X509_STORE_CTX_get1_chain(context)
        defer { if let chain { cs_sk_X509_pop_free(chain) } }
        return try CertificateStack.certificates(in: chain)
    }

    /// When no path reaches an anchor but an anchor bears the name of the certificate where the
    /// path stopped, or of its issuer, two different CAs share a name (every development CA
    /// does, and a re-keyed CA keeps its name): said plainly, with both fingerprints, since the
    /// names alone read as if the right anchor had been given.
    private func namesakeNote(for stopped: OpaquePointer) -> String? {
        // A reference of our own for the certificate to hold (the context keeps its own).
        guard X509_up_ref(stopped) == 1, let certificate = try? Certificate(takingOwnershipOf: stopped) else { return nil }
        let names: Set<String> = [certificate.subject, certificate.issuer]
        let namesakes = trustAnchors.filter { names.contains($0.subject) && $0 != certificate }
        guard let anchor = namesakes.first else { return nil }
        let difference = certificate.subject == anchor.subject
            ? "the chain's is \(certificate.sha256Fingerprint.prefix(16))…"
            : "it did not issue \(certificate.subject)"
        return "; a trust anchor bears that name, \(anchor.subject), but is another CA (anchor SHA-256 "
            + "\(anchor.sha256Fingerprint.prefix(16))…; \(difference)): two CAs share the name, so give the trust file "
            + "of the CA that issued this certificate"
    }

    private static func code(for error: Int32) -> CryptoError.Code {
        switch error {
        case X509_V_ERR_CERT_HAS_EXPIRED: .certificateExpired
        case X509_V_ERR_CERT_NOT_YET_VALID: .certificateNotYetValid
        case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT, X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY,
             X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT, X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN,
             X509_V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE, X509_V_ERR_CERT_UNTRUSTED:
            .untrusted
        default: .chainInvalid
        }
    }
}

/// An X509_STORE holding the anchors, built once and only read afterwards.
///
/// `@unchecked Sendable`: the store is never mutated after init; OpenSSL locks its internal
/// caches, so verification contexts on many threads may share it.
private final class TrustStore: @unchecked Sendable {
    let pointer: OpaquePointer?

    init(_ anchors: [Certificate]) {
        ERR_clear_error()
        let store = X509_STORE_new()
        if let store {
            for anchor in anchors {
                _ = X509_STORE_add_cert(store, anchor.x509)  // duplicates are harmless
            }
        }
        ERR_clear_error()
        pointer = store
    }

    deinit { if let pointer { X509_STORE_free(pointer) } }
}

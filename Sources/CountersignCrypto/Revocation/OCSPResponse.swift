internal import COpenSSL
public import Foundation

/// An OCSP response (RFC 6960): its status, when it was produced, the certificates it carries
/// and what it says about each certificate it names. Parsing checks nothing: `signer(among:)`
/// and `isSigned(by:)` are the signature checks, `status(of:issuer:)` matches a certificate's
/// CertID; whether the signer was authorised is the caller's decision (it needs the issuer).
public final class OCSPResponse: @unchecked Sendable {
    /// OCSPResponseStatus.
    public enum ResponseStatus: Int, Sendable, Hashable {
        case successful = 0
        case malformedRequest = 1
        case internalError = 2
        case tryLater = 3
        case signatureRequired = 5
        case unauthorized = 6
    }

    /// What a SingleResponse says about one certificate.
    public struct SingleStatus: Sendable, Hashable {
        public enum CertificateStatus: Sendable, Hashable {
            case good
            case revoked(time: Date, reason: RevocationReason?)
            case unknown
        }

        public let status: CertificateStatus
        public let thisUpdate: Date
        public let nextUpdate: Date?
    }

    /// The DER of the whole OCSPResponse.
    public let der: [UInt8]
    public let responseStatus: ResponseStatus?
    /// producedAt (nil unless the status is successful).
    public let producedAt: Date?
    /// The certificates the response includes (the responder's, usually).
    public let certificates: [Certificate]
    /// SHA-256 of the DER, lower-case hex.
    public let sha256: String

    private let response: OpaquePointer
    private let basic: OpaquePointer?

    /// Parses one DER OCSPResponse (any status). `.malformed` if it is not one, or if a
    /// successful response has no BasicOCSPResponse.
    public init(der: [UInt8]) throws {
        try CryptoLibrary.require()
        let owned = try OpenSSL.decode("OCSP response", der, free: OCSP_RESPONSE_free) { d2i_OCSP_RESPONSE(nil, $0, $1) }
        let status = ResponseStatus(rawValue: Int(OCSP_response_status(owned.pointer)))
        var basic: OpaquePointer?
        var producedAt: Date?
        var certificates: [Certificate] = []
        if status == .successful {
            guard let body = OCSP_response_get1_basic(owned.pointer) else {
                throw OpenSSL.failure("the OCSP response has no BasicOCSPResponse", code: .malformed)
            }
            basic = body
            producedAt = OpenSSL.date(OCSP_resp_get0_produced_at(body))
            certificates = (try? CertificateStack.certificates(in: OCSP_resp_get0_certs(body))) ?? []
        }
        self.der = der
        responseStatus = status
        self.producedAt = producedAt
        self.certificates = certificates
        sha256 = OpenSSL.hex(DigestAlgorithm.sha256.hash(der))
        response = owned.take()
        self.basic = basic
    }

    deinit {
        if let basic { OCSP_BASICRESP_free(basic) }
        OCSP_RESPONSE_free(response)
    }

    /// The certificate that signed the response, found by its ResponderID among the response's
    /// own certificates and `candidates`; nil if none matches.
    public func signer(among candidates: [Certificate]) -> Certificate? {
        guard let basic, let stack = try? CertificateStack(candidates) else { return nil }
        var found: OpaquePointer?
        defer { ERR_clear_error() }
        guard OCSP_resp_get0_signer(basic, &found, stack.pointer) == 1, let found else { return nil }
        X509_up_ref(found)
        return try? Certificate(takingOwnershipOf: found)
    }

    /// Whether the response's signature verifies with `certificate`'s key (no chain, no
    /// authorisation check: those are the caller's).
    public func isSigned(by certificate: Certificate) -> Bool {
        guard let basic, let stack = try? CertificateStack([certificate]), let store = X509_STORE_new() else { return false }
        defer {
            X509_STORE_free(store)
            ERR_clear_error()
        }
        let flags = UInt(OCSP_NOINTERN | OCSP_NOVERIFY | OCSP_NOCHECKS)
        return OCSP_basic_verify(basic, stack.pointer, store, flags) == 1
    }

    /// nil when the response is signed by `issuer` or by a responder `issuer` authorised (RFC
    /// 6960 §4.2.2.2: a certificate it issued with id-kp-OCSPSigning, valid when the response
    /// was produced); else why it does not count. The signer is looked for among the response's
    /// own certificates, `issuer` and `others`.
    public func authorisationProblem(issuer: Certificate, others: [Certificate]) -> String? {
        guard let signer = signer(among: [issuer] + others) else {
            return "its signer's certificate is not in the response or the document"
        }
        guard isSigned(by: signer) else { return "its signature does not verify with \(signer.subject)" }
        if signer == issuer || signer.hasSameSubjectAndKey(as: issuer) { return nil }
        guard signer.isIssued(by: issuer) else {
            return "it is signed by \(signer.subject), which the certificate's issuer did not issue"
        }
        guard signer.isOCSPSigner else {
            return "it is signed by \(signer.subject), which has no id-kp-OCSPSigning extended key usage"
        }
        if let producedAt, !signer.isValid(at: producedAt) {
            return "its responder certificate \(signer.subject) was not valid when the response was produced (\(producedAt.isoText))"
        }
        return nil
    }

    /// The SingleResponse whose CertID names `certificate` issued by `issuer` (any CertID hash
    /// algorithm), or nil.
    public func status(of certificate: Certificate, issuer: Certificate) -> SingleStatus? {
        guard let basic else { return nil }
        for index in 0..<max(0, OCSP_resp_count(basic)) {
            guard let single = OCSP_resp_get0(basic, index), let identifier = OCSP_SINGLERESP_get0_id(single) else { continue }
            var algorithm: OpaquePointer?
            _ = OCSP_id_get0_info(nil, &algorithm, nil, nil, identifier)
            guard let md = cs_digest_of(algorithm),
                  let mine = OCSP_cert_to_id(md, certificate.x509, issuer.x509) else { continue }
            defer { OCSP_CERTID_free(mine) }
            guard OCSP_id_cmp(mine, identifier) == 0 else { continue }
            var reason: Int32 = -1
            var revoked: UnsafeMutablePointer<ASN1_GENERALIZEDTIME>?
            var thisUpdate: UnsafeMutablePointer<ASN1_GENERALIZEDTIME>?
            var nextUpdate: UnsafeMutablePointer<ASN1_GENERALIZEDTIME>?
            let code = OCSP_single_get0_status(single, &reason, &revoked, &thisUpdate, &nextUpdate)
            guard let issued = OpenSSL.date(UnsafePointer(thisUpdate)) else { continue }
            let status: SingleStatus.CertificateStatus
            switch code {
            case V_OCSP_CERTSTATUS_GOOD: status = .good
            case V_OCSP_CERTSTATUS_REVOKED:
                guard let time = OpenSSL.date(UnsafePointer(revoked)) else { continue }
                status = .revoked(time: time, reason: reason >= 0 ? RevocationReason(rawValue: Int(reason)) : nil)
            default: status = .unknown
            }
            return SingleStatus(status: status, thisUpdate: issued, nextUpdate: OpenSSL.date(UnsafePointer(nextUpdate)))
        }
        return nil
    }

    /// Whether the response's nonce agrees with `request`'s: true when equal or when the
    /// responder did not echo one, false when it echoed a different one (a replay).
    func nonceAgrees(with request: OCSPRequest) -> Bool {
        guard let basic else { return false }
        let result = OCSP_check_nonce(request.request, basic)
        return result == 1 || result == -1 || result == 2
    }
}

/// An OCSP request for one certificate, with a random nonce.
final class OCSPRequest {
    let request: OpaquePointer

    init(certificate: Certificate, issuer: Certificate) throws {
        ERR_clear_error()
        guard let request = OCSP_REQUEST_new() else { throw OpenSSL.failure("cannot allocate an OCSP request") }
        self.request = request
        guard let identifier = OCSP_cert_to_id(EVP_sha1(), certificate.x509, issuer.x509) else {
            throw OpenSSL.failure("cannot make the OCSP CertID of \(certificate.subject)")
        }
        guard OCSP_request_add0_id(request, identifier) != nil else {
            OCSP_CERTID_free(identifier)
            throw OpenSSL.failure("cannot add the CertID to the OCSP request")
        }
        guard OCSP_request_add1_nonce(request, nil, -1) == 1 else { throw OpenSSL.failure("cannot add an OCSP nonce") }
    }

    deinit { OCSP_REQUEST_free(request) }

    func der() throws -> [UInt8] {
        try OpenSSL.encode("an OCSP request") { i2d_OCSP_REQUEST(request, $0) }
    }
}

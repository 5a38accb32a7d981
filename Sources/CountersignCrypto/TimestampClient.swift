internal import COpenSSL
public import Foundation

/// An RFC 3161 client: asks a TSA (over plain HTTP) to timestamp a signature value and
/// returns the verified TimeStampToken, ready for `CMSSigner.addTimestampToken`.
public struct TimestampClient: Sendable {
    public let url: URL
    /// The imprint's hash algorithm.
    public var digest: DigestAlgorithm
    public var connectTimeout: TimeInterval
    /// The limit for sending the query and reading the whole reply.
    public var readTimeout: TimeInterval
    /// When not empty, the TSA certificate must chain to one of these (checked by OpenSSL's
    /// TS_RESP_verify_response with TS_VFY_SIGNATURE); otherwise only the token's own
    /// signature, imprint and nonce are checked.
    public var trustAnchors: [Certificate]

    public init(url: URL, digest: DigestAlgorithm = .sha256, connectTimeout: TimeInterval = 10,
                readTimeout: TimeInterval = 30, trustAnchors: [Certificate] = []) {
        self.url = url
        self.digest = digest
        self.connectTimeout = connectTimeout
        self.readTimeout = readTimeout
        self.trustAnchors = trustAnchors
    }

    /// Timestamps `signatureValue` (imprint = its hash) and returns the token's DER.
    ///
    /// `.network` when the TSA cannot be reached or the HTTP exchange fails (the reason names
    /// the URL and the system error); `.timestampFailed` when the TSA refuses or answers with
    /// anything that is not a valid, matching token.
    public func timestampToken(forSignature signatureValue: [UInt8]) throws -> [UInt8] {
        try token(imprint: digest.hash(signatureValue)) { try $0.verify(imprintOf: signatureValue) }
    }

    /// Timestamps data the caller has hashed with `digest` (a document timestamp's byte ranges)
    /// and returns the token's DER; errors as `timestampToken(forSignature:)`.
    public func timestampToken(forDigest imprint: [UInt8]) throws -> [UInt8] {
        guard imprint.count == digest.length else {
            throw CryptoError(.invalidArgument, "a \(digest) digest has \(digest.length) bytes, not \(imprint.count)")
        }
        return try token(imprint: imprint) { try $0.verify(imprint: imprint) }
    }

    private func token(imprint: [UInt8], check: (TimestampToken) throws -> Void) throws -> [UInt8] {
        let request = try TimestampRequest(digest: digest, imprint: imprint)
        let http = HTTPClient(connectTimeout: connectTimeout, readTimeout: readTimeout)
        let response = try http.post(url, contentType: "application/timestamp-query",
                                     accept: "application/timestamp-reply", body: try request.der())
        guard response.status == 200 else {
            // The service is not there or not working (a wrong path, an outage): like an
            // unreachable TSA, a network failure, not something wrong with the document.
            throw CryptoError(.network, "\(url.absoluteString) answered HTTP \(response.status), not a timestamp; check the TSA URL")
        }
        let token = try request.checkReply(response.body, anchors: trustAnchors, from: url)
        do {
            try check(TimestampToken.parse(der: token))
        } catch let error as CryptoError {
            throw CryptoError(.timestampFailed, "the token from \(url.absoluteString) does not verify: \(error.reason)")
        }
        return token
    }
}

/// A TimeStampReq with a random nonce and certReq, and the checks of the reply to it.
final class TimestampRequest {
    private let request: OpaquePointer

    init(digest: DigestAlgorithm, imprint: [UInt8]) throws {
        ERR_clear_error()
        guard let request = TS_REQ_new() else { throw OpenSSL.failure("cannot allocate a timestamp request") }
        self.request = request
        guard let rawImprint = TS_MSG_IMPRINT_new() else { throw OpenSSL.failure("cannot allocate an imprint") }
        let imprintOwner = OwnedPointer(takingOwnershipOf: rawImprint, free: TS_MSG_IMPRINT_free)
        let messageImprint = imprintOwner.pointer
        guard let algorithm = X509_ALGOR_new() else { throw OpenSSL.failure("cannot allocate an algorithm") }
        defer { X509_ALGOR_free(algorithm) }
        var nonceBytes = try OpenSSL.randomBytes(8)
        nonceBytes[0] = nonceBytes[0] & 0x7F | 0x01
        guard let rawNumber = BN_bin2bn(nonceBytes, Int32(nonceBytes.count), nil) else {
            throw OpenSSL.failure("cannot make a nonce")
        }
        let number = OwnedPointer(takingOwnershipOf: rawNumber, free: BN_free)
        let nonce = BN_to_ASN1_INTEGER(number.pointer, nil)
        defer { ASN1_INTEGER_free(nonce) }
        X509_ALGOR_set_md(algorithm, digest.evpMD)
        var imprint = imprint
        guard TS_REQ_set_version(request, 1) == 1,
              TS_MSG_IMPRINT_set_algo(messageImprint, algorithm) == 1,
              TS_MSG_IMPRINT_set_msg(messageImprint, &imprint, Int32(imprint.count)) == 1,
              TS_REQ_set_msg_imprint(request, messageImprint) == 1,
              nonce != nil, TS_REQ_set_nonce(request, nonce) == 1,
              TS_REQ_set_cert_req(request, 1) == 1
        else { throw OpenSSL.failure("cannot build the timestamp request") }
    }

    deinit { TS_REQ_free(request) }

    func der() throws -> [UInt8] {
        try OpenSSL.encode("the timestamp request") { i2d_TS_REQ(request, $0) }
    }

    /// Parses a TimeStampResp, requires status granted, checks version, imprint and nonce
    /// (and the TSA chain when anchors are given), and returns the token's bytes as sent.
    func checkReply(_ body: [UInt8], anchors: [Certificate], from url: URL) throws -> [UInt8] {
        let source = url.absoluteString
        let response: OwnedPointer
        do {
            response = try OpenSSL.decode("TimeStampResp", body, free: TS_RESP_free) { d2i_TS_RESP(nil, $0, $1) }
        } catch {
            throw CryptoError(.timestampFailed, "\(source) did not answer with a timestamp response (\(body.count) bytes)")
        }
        let statusInfo = TS_RESP_get_status_info(response.pointer)
        let status = ASN1_INTEGER_get(TS_STATUS_INFO_get0_status(statusInfo))
        guard status == 0 || status == 1 else {  // granted, grantedWithMods
            throw CryptoError(.timestampFailed, "\(source) refused the timestamp (status \(status)\(Self.text(statusInfo)))")
        }
        // TimeStampResp ::= SEQUENCE { status PKIStatusInfo, timeStampToken OPTIONAL }: keep the
        // token's bytes exactly as the TSA signed them rather than re-encoding OpenSSL's copy.
        let fields = try DER.parse(body[...]).children()
        guard fields.count == 2 else { throw CryptoError(.timestampFailed, "\(source) granted but sent no token") }

        ERR_clear_error()
        guard let rawContext = TS_REQ_to_TS_VERIFY_CTX(request, nil) else {
            throw OpenSSL.failure("cannot set up timestamp verification")
        }
        let owner = OwnedPointer(takingOwnershipOf: rawContext, free: TS_VERIFY_CTX_free)
        let context = owner.pointer
        if !anchors.isEmpty {
            guard let store = X509_STORE_new() else { throw OpenSSL.failure("cannot allocate a certificate store") }
            for anchor in anchors { _ = X509_STORE_add_cert(store, anchor.x509) }
            _ = TS_VERIFY_CTX_set_store(context, store)  // the context frees it
            _ = TS_VERIFY_CTX_add_flags(context, Int32(TS_VFY_SIGNATURE))
        } else {
            // TS_VFY_SIGNER matches TSTInfo's optional `tsa` name against the signer that the
            // signature check finds; with no chain to check there is no signer, and OpenSSL
            // would refuse every token that names its TSA (RFC 3161 §2.4.2 allows it).
            _ = TS_VERIFY_CTX_set_flags(context, Int32(TS_VFY_VERSION | TS_VFY_IMPRINT | TS_VFY_NONCE))
        }
        guard TS_RESP_verify_response(context, response.pointer) == 1 else {
            throw OpenSSL.failure("the timestamp response from \(source) fails verification against the request",
                                  code: .timestampFailed)
        }
        return Array(fields[1].encoded)
    }

    private static func text(_ statusInfo: OpaquePointer?) -> String {
        guard let stack = TS_STATUS_INFO_get0_text(statusInfo) else { return "" }
        let strings = (0..<max(0, cs_sk_ASN1_UTF8STRING_num(stack))).map {
            String(decoding: OpenSSL.bytes(of: cs_sk_ASN1_UTF8STRING_value(stack, $0)), as: UTF8.self)
        }
        return strings.isEmpty ? "" : ": " + strings.joined(separator: "; ")
    }
}

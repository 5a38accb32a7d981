internal import COpenSSL
public import Foundation

/// Makes detached CMS SignedData over a digest the caller computed (a PDF's two byte ranges):
/// the content itself is never needed.
///
/// OpenSSL's `CMS_SignerInfo_sign` always adds a signingTime attribute, which PAdES B-B forbids,
/// so this signer lets OpenSSL lay out the SignerInfo, adds the signed attributes itself,
/// signs their DER with EVP_DigestSign and stores the signature.
public struct CMSSigner: Sendable {
    /// RSA signature padding (ignored for EC keys, which always use ECDSA).
    public enum RSAPadding: String, Sendable, Hashable {
        /// RSASSA-PKCS1-v1_5.
        case pkcs1v15
        /// RSASSA-PSS, MGF1 with the same digest, salt length = digest length.
        case pss
    }

    /// Which signed attributes go in.
    public enum Profile: String, Sendable, Hashable {
        /// PAdES (`ETSI.CAdES.detached`): contentType, messageDigest, ESS signingCertificateV2;
        /// no signingTime (the time goes in the signature dictionary's /M).
        case cades
        /// `adbe.pkcs7.detached`: contentType, messageDigest, signingTime.
        case pkcs7
    }

    /// How to sign.
    public struct Options: Sendable, Hashable {
        public var digest: DigestAlgorithm
        public var rsaPadding: RSAPadding
        public var profile: Profile
        /// Bytes reserved for an RFC 3161 token in `maximumSignatureSize(timestamped: true)`.
        public var timestampTokenReserve: Int

        public init(digest: DigestAlgorithm = .sha256, rsaPadding: RSAPadding = .pkcs1v15,
                    profile: Profile = .cades, timestampTokenReserve: Int = 8192) {
            self.digest = digest
            self.rsaPadding = rsaPadding
            self.profile = profile
            self.timestampTokenReserve = timestampTokenReserve
        }
    }

    public let identity: SigningIdentity
    public let options: Options
    private let builder: CMSBuilder
    private let layout: SizeLayout
    /// The patchable CMS for fixed-shape signatures (RSA, CAdES), made once per signer.
    private let template: CMSTemplate?

    /// A signer; `.invalidArgument` for PSS with an EC key or a negative reserve.
    public init(identity: SigningIdentity, options: Options = Options()) throws {
        try CryptoLibrary.require()
        if options.rsaPadding == .pss && identity.privateKey.kind != .rsa {
            throw CryptoError(.invalidArgument, "RSA-PSS padding needs an RSA key; this is \(identity.privateKey.kind)")
        }
        guard options.timestampTokenReserve >= 0 else {
            throw CryptoError(.invalidArgument, "the timestamp token reserve cannot be negative")
        }
        self.identity = identity
        self.options = options
        builder = CMSBuilder(identity: identity, options: options)
        layout = try builder.measure()
        template = try CMSTemplate(builder: builder)
    }

    /// Signs `digest` (the hash of the content with `options.digest`) and returns the DER of
    /// a detached CMS ContentInfo. `signingTime` is used by the `.pkcs7` profile only.
    public func sign(digest: [UInt8], signingTime: Date = Date()) throws -> [UInt8] {
        guard digest.count == options.digest.length else {
            throw CryptoError(.invalidArgument,
                              "a \(options.digest) digest has \(options.digest.length) bytes, not \(digest.count)")
        }
        if let template { return try template.sign(digest: digest) }
        return try signBuilt(digest: digest, signingTime: signingTime)
    }

    /// The CMS built by OpenSSL for this one signature (the path for shapes the template does not
    /// cover; tests compare the template's bytes with it).
    func signBuilt(digest: [UInt8], signingTime: Date) throws -> [UInt8] {
        let prepared = try builder.prepare(digest: digest, signingTime: signingTime)
        let toBeSigned = try CMSHandle.signedAttributesDER(prepared.signerInfo)
        let context = try SigningContext(key: identity.privateKey, digest: options.digest, padding: options.rsaPadding)
        let signature = try context.sign(toBeSigned)
        guard ASN1_STRING_set(CMS_SignerInfo_get0_signature(prepared.signerInfo), signature, Int32(signature.count)) == 1
        else { throw OpenSSL.failure("cannot store the signature") }
        let der = try prepared.cms.der()
        // Our own output must verify before it leaves: a wrong attribute order or algorithm
        // identifier would otherwise surface only in someone else's validator.
        try CMSSignedData.parse(der: der).verifySignature(contentDigest: digest)
        return der
    }

    /// An upper bound of the DER size `sign` produces (and, if `timestamped`, of the result of
    /// adding a token of up to `options.timestampTokenReserve` bytes), computed from the key
    /// size, the digest, the certificates' DER sizes and the attributes — no trial signature.
    public func maximumSignatureSize(timestamped: Bool) -> Int {
        layout.total(timestampReserve: timestamped ? options.timestampTokenReserve : nil)
    }

    /// The SignerInfo's signature value (what an RFC 3161 token's imprint is computed over).
    public static func signatureValue(of cms: [UInt8]) throws -> [UInt8] {
        let handle = try CMSHandle(der: cms)
        return OpenSSL.bytes(of: CMS_SignerInfo_get0_signature(try handle.onlySignerInfo()))
    }

    /// `cms` with `token` (a TimeStampToken's DER) added as the unsigned attribute
    /// id-aa-signatureTimeStampToken (1.2.840.113549.1.9.16.2.14). The signature is untouched.
    public static func addTimestampToken(_ token: [UInt8], to cms: [UInt8]) throws -> [UInt8] {
        let node = try DER.parse(token[...])
        guard node.tag == DER.sequence else { throw CryptoError(.malformed, "the timestamp token is not a DER SEQUENCE") }
        let handle = try CMSHandle(der: cms)
        let signerInfo = try handle.onlySignerInfo()
        guard CMS_unsigned_add1_attr_by_NID(signerInfo, NID_id_smime_aa_timeStampToken, V_ASN1_SEQUENCE,
                                            token, Int32(token.count)) == 1
        else { throw OpenSSL.failure("cannot add the timestamp token") }
        return try handle.der()
    }
}

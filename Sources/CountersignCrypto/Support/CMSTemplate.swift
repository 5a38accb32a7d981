internal import COpenSSL
import Foundation

/// A detached CMS laid out once per signer, for the case where every signature has the same
/// shape: an RSA key (the signature value is always the modulus length) and the CAdES
/// attributes (no signingTime). Per signature only the messageDigest value and the signature
/// value change, at fixed offsets and with fixed lengths, so the DER is patched instead of
/// being built by OpenSSL again; the signed attributes are re-signed every time.
///
/// The template is checked when it is made: a signature over a test digest, patched in, must
/// parse and verify as a whole CMS. Each signature is then verified with the certificate's
/// public key before it is returned.
struct CMSTemplate: Sendable {
    /// The ContentInfo with a zero digest and a signature over it.
    private let der: [UInt8]
    /// The signed attributes as signed (DER SET OF) with a zero digest.
    private let signedAttributes: [UInt8]
    private let digestInAttributes: Int
    private let digestInDER: Int
    private let signatureInDER: Int
    private let signatureLength: Int
    private let options: CMSSigner.Options
    private let identity: SigningIdentity

    /// The template for `builder`'s identity and options, or nil when signatures vary in shape
    /// (ECDSA, the pkcs7 profile's signingTime) and must be built one by one.
    init?(builder: CMSBuilder) throws {
        let options = builder.options
        let identity = builder.identity
        guard identity.privateKey.kind == .rsa, options.profile == .cades else { return nil }
        let zero = [UInt8](repeating: 0, count: options.digest.length)
        let prepared = try builder.prepare(digest: zero, signingTime: Date(timeIntervalSince1970: 0))
        let attributes = try CMSHandle.signedAttributesDER(prepared.signerInfo)
        let context = try SigningContext(key: identity.privateKey, digest: options.digest, padding: options.rsaPadding)
        let signature = try context.sign(attributes)
        guard signature.count == identity.privateKey.maximumSignatureSize,
              ASN1_STRING_set(CMS_SignerInfo_get0_signature(prepared.signerInfo), signature, Int32(signature.count)) == 1
        else { return nil }
        let der = try prepared.cms.der()

        // messageDigest: SEQUENCE { OID 1.2.840.113549.1.9.4, SET { OCTET STRING digest } }
        let oid: [UInt8] = [0x06, 0x09, 0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x09, 0x04]
        let marker = oid + [DER.set, UInt8(zero.count + 2), DER.octetString, UInt8(zero.count)]
        let header = try DER.parse(attributes[...])
        let content = Array(header.content)
        guard let markerAt = Self.onlyOccurrence(of: marker, in: attributes),
              let contentInDER = Self.onlyOccurrence(of: content, in: der),
              let signatureAt = Self.onlyOccurrence(of: signature, in: der) else { return nil }
        let headerLength = attributes.count - content.count
        self.der = der
        signedAttributes = attributes
        digestInAttributes = markerAt + marker.count
        digestInDER = contentInDER + digestInAttributes - headerLength
        signatureInDER = signatureAt
        signatureLength = signature.count
        self.options = options
        self.identity = identity

        // The patched result must be a CMS any verifier accepts, once, before any real use.
        let probe = (0..<zero.count).map { UInt8(truncatingIfNeeded: $0 &* 37 &+ 11) }
        try CMSSignedData.parse(der: try sign(digest: probe)).verifySignature(contentDigest: probe)
    }

    /// The DER of a detached CMS over `digest`.
    func sign(digest: [UInt8]) throws -> [UInt8] {
        var attributes = signedAttributes
        attributes.replaceSubrange(digestInAttributes..<(digestInAttributes + digest.count), with: digest)
        let context = try SigningContext(key: identity.privateKey, digest: options.digest, padding: options.rsaPadding)
        let signature = try context.sign(attributes)
        guard signature.count == signatureLength else {
            throw CryptoError(.invalidArgument, "the RSA signature has \(signature.count) bytes, not \(signatureLength)")
        }
        // A faulty private-key operation must never leave the process: check it with the
        // certificate's public key.
        try SigningContext.verify(signature, over: attributes, certificate: identity.certificate,
                                  digest: options.digest, padding: options.rsaPadding)
        var out = der
        out.replaceSubrange(digestInDER..<(digestInDER + digest.count), with: digest)
        out.replaceSubrange(signatureInDER..<(signatureInDER + signature.count), with: signature)
        return out
    }

    /// Where `needle` starts in `haystack`, if it occurs exactly once.
    private static func onlyOccurrence(of needle: [UInt8], in haystack: [UInt8]) -> Int? {
        guard !needle.isEmpty, needle.count <= haystack.count else { return nil }
        var found: Int? = nil
        for start in 0...(haystack.count - needle.count)
        where haystack[start] == needle[0] && haystack[start..<(start + needle.count)].elementsEqual(needle) {
            if found != nil { return nil }
            found = start
        }
        return found
    }
}

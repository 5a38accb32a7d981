internal import COpenSSL

/// Owns a `CMS_ContentInfo*` holding SignedData.
final class CMSHandle {
    let cms: OpaquePointer

    init(takingOwnershipOf cms: OpaquePointer) { self.cms = cms }

    deinit { CMS_ContentInfo_free(cms) }

    /// Parses DER; anything but a ContentInfo with SignedData is `.malformed`.
    convenience init(der: [UInt8]) throws {
        let owned = try OpenSSL.decode("CMS ContentInfo", der, free: CMS_ContentInfo_free) { d2i_CMS_ContentInfo(nil, $0, $1) }
        self.init(takingOwnershipOf: owned.take())
        guard OBJ_obj2nid(CMS_get0_type(cms)) == NID_pkcs7_signed else {
            throw CryptoError(.malformed, "the CMS ContentInfo is not SignedData")
        }
    }

    /// The one SignerInfo (a PDF signature has exactly one).
    func onlySignerInfo() throws -> OpaquePointer {
        let signerInfos = CMS_get0_SignerInfos(cms)
        let count = cs_sk_CMS_SignerInfo_num(signerInfos)
        guard count == 1, let signerInfo = cs_sk_CMS_SignerInfo_value(signerInfos, 0) else {
            ERR_clear_error()
            throw CryptoError(.malformed, "expected exactly one SignerInfo, found \(max(count, 0))")
        }
        return signerInfo
    }

    /// The DER of the whole ContentInfo.
    func der() throws -> [UInt8] {
        try OpenSSL.encode("the CMS ContentInfo") { i2d_CMS_ContentInfo(cms, $0) }
    }

    /// The DER SET OF a SignerInfo's signed attributes: the bytes its signature covers.
    static func signedAttributesDER(_ signerInfo: OpaquePointer) throws -> [UInt8] {
        var encoded: [[UInt8]] = []
        for index in 0..<max(0, CMS_signed_get_attr_count(signerInfo)) {
            let attribute = CMS_signed_get_attr(signerInfo, index)
            encoded.append(try OpenSSL.encode("a signed attribute") { i2d_X509_ATTRIBUTE(attribute, $0) })
        }
        return DER.setOf(encoded)
    }

    /// The DER of an AlgorithmIdentifier.
    static func algorithmDER(_ algorithm: UnsafePointer<X509_ALGOR>?) throws -> [UInt8] {
        try OpenSSL.encode("an algorithm identifier") { i2d_X509_ALGOR(algorithm, $0) }
    }
}

/// An ETSI EN 319 102-1 sub-indication (§5.1.3, Table 5), reported next to our own issue codes
/// so a result can be compared with other AdES validators'. Only the ones this verifier can
/// reach are named here; the raw value is the standard's spelling.
public struct SubIndication: Sendable, Hashable, CustomStringConvertible {
    public let name: String
    public init(_ name: String) { self.name = name }
    public var description: String { name }

    // TOTAL-FAILED
    /// The signature or the file breaks the format so that it cannot be (safely) processed.
    public static let formatFailure = SubIndication("FORMAT_FAILURE")
    /// The hash of the signed data does not match the signed digest.
    public static let hashFailure = SubIndication("HASH_FAILURE")
    /// The signature value does not verify with the signer's public key.
    public static let sigCryptoFailure = SubIndication("SIG_CRYPTO_FAILURE")

    // INDETERMINATE
    /// No path from the signer's certificate to a trust anchor.
    public static let noCertificateChainFound = SubIndication("NO_CERTIFICATE_CHAIN_FOUND")
    /// A path was built but is not valid (signatures, constraints).
    public static let certificateChainGeneralFailure = SubIndication("CERTIFICATE_CHAIN_GENERAL_FAILURE")
    /// A certificate's constraints (key usage) forbid this use.
    public static let chainConstraintsFailure = SubIndication("CHAIN_CONSTRAINTS_FAILURE")
    /// The signing time lies outside the signer certificate's validity and nothing proves the
    /// signature existed while it was valid.
    public static let outOfBoundsNoPOE = SubIndication("OUT_OF_BOUNDS_NO_POE")
    /// The signature (or its timestamp) is of a time after the validation time: at that time
    /// it did not exist yet.
    public static let notYetValid = SubIndication("NOT_YET_VALID")
    /// The signer's certificate cannot be found (not in the CMS, or the SID names none).
    public static let noSigningCertificateFound = SubIndication("NO_SIGNING_CERTIFICATE_FOUND")
    /// An algorithm or key size is not acceptable (or not supported) under the validation policy.
    public static let cryptoConstraintsFailure = SubIndication("CRYPTO_CONSTRAINTS_FAILURE")
    /// The signed data cannot be obtained (e.g. a sub-filter this verifier does not check).
    public static let signedDataNotFound = SubIndication("SIGNED_DATA_NOT_FOUND")
}

/// An error from the crypto layer: a stable code and a reason a person can act on.
///
/// Reasons never contain passwords or key material. Equality compares codes only, in the
/// style of swift-asn1's errors.
public struct CryptoError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What kind of problem this is. Codes are stable; reasons are for people.
    public struct Code: Sendable, Hashable, CustomStringConvertible {
        public let name: String
        public init(_ name: String) { self.name = name }
        public var description: String { name }

        /// The password does not open the key or PKCS#12 file.
        public static let wrongPassword = Code("wrongPassword")
        /// The key is encrypted and no password was given.
        public static let passwordRequired = Code("passwordRequired")
        /// No password could be read from the chosen source (no TTY, unset variable, unreadable file).
        public static let passwordUnavailable = Code("passwordUnavailable")
        /// No certificate matches the private key.
        public static let keyCertificateMismatch = Code("keyCertificateMismatch")
        public static let certificateExpired = Code("certificateExpired")
        public static let certificateNotYetValid = Code("certificateNotYetValid")
        /// The certificate's keyUsage has neither digitalSignature nor nonRepudiation.
        public static let noSigningKeyUsage = Code("noSigningKeyUsage")
        /// A key type, curve or size this engine does not sign with.
        public static let unsupportedKey = Code("unsupportedKey")
        /// An algorithm (digest, signature) this engine does not handle.
        public static let unsupportedAlgorithm = Code("unsupportedAlgorithm")
        /// Bytes that are not the DER/PEM/PKCS#12 structure they should be.
        public static let malformed = Code("malformed")
        /// OpenSSL failed in a way not covered by a more specific code; the reason has its errors.
        public static let openSSL = Code("openSSL")
        /// A CMS signature does not verify.
        public static let signatureInvalid = Code("signatureInvalid")
        /// The signed messageDigest differs from the digest of the content.
        public static let digestMismatch = Code("digestMismatch")
        /// The ESS signing-certificate attribute does not name the signer's certificate.
        public static let signingCertificateMismatch = Code("signingCertificateMismatch")
        /// No path from the certificate to a trust anchor.
        public static let untrusted = Code("untrusted")
        /// A chain was built but is invalid for another reason (signature, constraints, purpose).
        public static let chainInvalid = Code("chainInvalid")
        /// The TSA refused, or answered with something that is not a valid timestamp.
        public static let timestampFailed = Code("timestampFailed")
        /// The TSA could not be reached or the HTTP exchange failed.
        public static let network = Code("network")
        /// Reading or writing a file failed.
        public static let io = Code("io")
        /// The caller passed something unusable (wrong digest length, PSS with an EC key, …).
        public static let invalidArgument = Code("invalidArgument")
        /// libcrypto cannot be loaded.
        public static let systemLibrary = Code("systemLibrary")
    }

    public let code: Code
    public let reason: String
    public let fileID: String
    public let line: Int

    public init(_ code: Code, _ reason: String, fileID: String = #fileID, line: Int = #line) {
        self.code = code
        self.reason = reason
        self.fileID = fileID
        self.line = line
    }

    public var description: String { reason }

    public static func == (lhs: CryptoError, rhs: CryptoError) -> Bool { lhs.code == rhs.code }
    public func hash(into hasher: inout Hasher) { hasher.combine(code) }
}

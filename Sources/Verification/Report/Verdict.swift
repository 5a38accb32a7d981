/// A validation verdict in ETSI EN 319 102-1 terms.
public enum Verdict: String, Sendable, Hashable, Comparable, CustomStringConvertible {
    /// Intact, no disallowed change since, and trusted at the signing time.
    case passed = "PASSED"
    /// Intact, but trust or time cannot be established (no or wrong anchors, expired, unsupported algorithm).
    case indeterminate = "INDETERMINATE"
    /// Broken, wrapped, changed in a disallowed way, bad CMS or malformed structure.
    case failed = "FAILED"

    public var description: String { rawValue }

    /// The ETSI EN 319 102-1 main indication: TOTAL-PASSED, TOTAL-FAILED or INDETERMINATE.
    public var indication: String {
        switch self {
        case .passed: "TOTAL-PASSED"
        case .indeterminate: "INDETERMINATE"
        case .failed: "TOTAL-FAILED"
        }
    }

    /// Orders by severity: PASSED < INDETERMINATE < FAILED, so `max` is the worst.
    public static func < (lhs: Verdict, rhs: Verdict) -> Bool { lhs.severity < rhs.severity }

    private var severity: Int {
        switch self {
        case .passed: 0
        case .indeterminate: 1
        case .failed: 2
        }
    }
}

/// One reason a verdict is not PASSED: a stable code, a sentence for people, and the verdict it forces.
public struct VerificationIssue: Sendable, Hashable, CustomStringConvertible {
    /// What kind of problem this is. Codes are stable; reasons are for people.
    public struct Code: Sendable, Hashable, CustomStringConvertible {
        public let name: String
        public init(_ name: String) { self.name = name }
        public var description: String { name }

        /// The file breaks a strict structural rule (DESIGN.md §7: parser differentials are attacks).
        public static let malformedFile = Code("malformedFile")
        /// An incremental update holds bytes no cross-reference entry explains.
        public static let unexplainedBytes = Code("unexplainedBytes")
        /// The file has no signed signature field.
        public static let noSignatures = Code("noSignatures")
        /// `/Contents` is missing, empty, not a hex string or not one DER CMS.
        public static let badContents = Code("badContents")
        /// `/ByteRange` is missing, not four non-negative integers, or out of the file.
        public static let badByteRange = Code("badByteRange")
        /// The gap of `/ByteRange` is not exactly the `/Contents` hex string (signature wrapping).
        public static let wrappedSignature = Code("wrappedSignature")
        /// The signed ranges end at no revision end, or the signature dictionary lies outside them.
        public static let badCoverage = Code("badCoverage")
        /// The signature dictionary is not where a signature dictionary can be (object stream, redefined).
        public static let badSignatureDictionary = Code("badSignatureDictionary")
        /// The CMS is malformed, or its signature or signer certificate reference do not verify.
        public static let badCMS = Code("badCMS")
        /// The digest of the signed ranges differs from the CMS messageDigest.
        public static let digestMismatch = Code("digestMismatch")
        /// The timestamp token does not verify or is not over this signature.
        public static let badTimestamp = Code("badTimestamp")
        /// A later revision changes something a signature forbids.
        public static let disallowedModification = Code("disallowedModification")
        /// DocMDP: a certification signature that is not the first signature.
        public static let misplacedCertification = Code("misplacedCertification")
        /// The embedded audit record contradicts itself or the document.
        public static let auditMismatch = Code("auditMismatch")
        /// No path to a trust anchor (or none given).
        public static let untrusted = Code("untrusted")
        /// A certificate is outside its validity at the signing time, or its key usage forbids signing.
        public static let certificateNotUsable = Code("certificateNotUsable")
        /// The signature's time (its trusted timestamp's, else the one it claims) is after the
        /// validation time (`--at`, or now for a time in the future).
        public static let timeAfterValidation = Code("timeAfterValidation")
        /// The timestamp authority is not trusted.
        public static let untrustedTimestamp = Code("untrustedTimestamp")
        /// An algorithm or `/SubFilter` this verifier does not check.
        public static let unsupported = Code("unsupported")
        /// The signer's certificate is not in the CMS.
        public static let signerCertificateMissing = Code("signerCertificateMissing")
        /// The signature value does not verify with the signer's public key.
        public static let signatureInvalid = Code("signatureInvalid")
        /// A detached `/SubFilter` whose CMS also encapsulates content: two candidate signed contents.
        public static let contentNotDetached = Code("contentNotDetached")
        /// The signature verifies, but an algorithm or key size is below the algorithm policy
        /// (docs/verification.md) at the time the signature is proven to have existed.
        public static let weakAlgorithm = Code("weakAlgorithm")

        /// The ETSI EN 319 102-1 sub-indication this code stands for, nil where that standard
        /// has none (`noSignatures`, `auditMismatch`).
        public var defaultSubIndication: SubIndication? {
            switch name {
            case "malformedFile", "unexplainedBytes", "badContents", "badByteRange", "wrappedSignature", "badCoverage",
                 "badSignatureDictionary", "badCMS", "contentNotDetached", "disallowedModification", "misplacedCertification":
                .formatFailure
            case "digestMismatch": .hashFailure
            case "signatureInvalid", "badTimestamp": .sigCryptoFailure
            case "untrusted", "untrustedTimestamp": .noCertificateChainFound
            case "certificateNotUsable": .outOfBoundsNoPOE
            case "timeAfterValidation": .notYetValid
            case "signerCertificateMissing": .noSigningCertificateFound
            case "unsupported", "weakAlgorithm": .cryptoConstraintsFailure
            default: nil
            }
        }
    }

    public let code: Code
    public let reason: String
    /// The verdict this issue forces (FAILED or INDETERMINATE).
    public let verdict: Verdict
    /// The ETSI EN 319 102-1 sub-indication, next to our code (nil where the standard has none).
    public let subIndication: SubIndication?

    /// An issue; the sub-indication defaults to the code's (`Code.defaultSubIndication`).
    public init(_ code: Code, _ reason: String, verdict: Verdict = .failed, subIndication: SubIndication? = nil) {
        self.code = code
        self.reason = reason
        self.verdict = verdict
        self.subIndication = subIndication ?? code.defaultSubIndication
    }

    public var description: String { reason }
}

/// An error from the verifier's API itself (the file could not be read): a code and a reason.
/// Problems *in* a file are never errors; they are issues in its report.
public struct VerificationError: Error, Sendable, Hashable, CustomStringConvertible {
    public struct Code: Sendable, Hashable, CustomStringConvertible {
        public let name: String
        public init(_ name: String) { self.name = name }
        public var description: String { name }

        /// The file does not exist.
        public static let notFound = Code("notFound")
        /// The file exists but cannot be read.
        public static let io = Code("io")
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
    public static func == (lhs: VerificationError, rhs: VerificationError) -> Bool { lhs.code == rhs.code }
    public func hash(into hasher: inout Hasher) { hasher.combine(code) }
}

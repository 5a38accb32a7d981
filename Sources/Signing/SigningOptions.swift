public import Foundation
public import Typesetting

/// Where a signature goes.
public enum SignaturePlacement: Sendable, Hashable {
    /// An existing unsigned signature field, by its fully qualified name (e.g. `sig_customer`).
    case field(String)
    /// A new field with a widget at a rectangle (PDF user space, points) on a 1-based page.
    case rectangle(page: Int, x: Double, y: Double, width: Double, height: Double)
    /// A new field placed relative to text found on the page (like DocuSign anchor tabs): the
    /// widget's lower-left corner is the match's lower-left corner moved by the offsets.
    case anchor(text: String, occurrence: Int, offsetX: Double, offsetY: Double, width: Double, height: Double)
    /// A new field with no widget on any page.
    case invisible(fieldName: String?)
}

/// The signer's mark in the appearance.
public enum SignatureMark: Sendable, Hashable {
    /// A typed name drawn in one of the signature script fonts (Dancing Script unless chosen).
    case typedName(String, font: SignatureFont = .standard)
    /// A drawn signature as a PNG (alpha kept).
    case image(png: [UInt8])
}

/// Which kind of PDF signature to make.
public enum SignatureProfile: String, Sendable, Hashable, CaseIterable {
    /// PAdES B-B: `/ETSI.CAdES.detached`, ESS signingCertificateV2, no CMS signingTime.
    case padesBB = "pades-b-b"
    /// PAdES B-T: B-B plus an RFC 3161 signature timestamp from a TSA.
    case padesBT = "pades-b-t"
    /// PAdES B-LT: B-T plus, in a second revision, the DSS with the validation data (certificates,
    /// OCSP responses, CRLs) of the signer's and the timestamp authority's chains.
    case padesBLT = "pades-b-lt"
    /// PAdES B-LTA: B-LT plus, in a third revision, a document timestamp covering the DSS.
    case padesBLTA = "pades-b-lta"
    /// `/adbe.pkcs7.detached`.
    case pkcs7 = "pkcs7"
}

extension SignatureProfile {
    /// Whether the CMS carries an RFC 3161 signature timestamp (B-T and up).
    public var isTimestamped: Bool { self == .padesBT || self == .padesBLT || self == .padesBLTA }

    /// The long-term level the signed file is then raised to, if any.
    public var longTermLevel: LongTermLevel? {
        switch self {
        case .padesBLT: .lt
        case .padesBLTA: .lta
        default: nil
        }
    }
}

/// A DocMDP certification made by the first signature.
public enum Certification: String, Sendable, Hashable {
    /// No changes allowed after certification (`/P 1`).
    case noChanges = "no-changes"
    /// Only form filling and signing allowed (`/P 2`).
    case formFill = "form-fill"

    var permissionLevel: Int { self == .noChanges ? 1 : 2 }
}

/// Everything about one signature except the key.
public struct SignatureRequest: Sendable {
    public var placement: SignaturePlacement
    /// The mark in the appearance; nil draws the signer's name typed in `typedNameFont`.
    public var mark: SignatureMark?
    /// The script font of the typed name drawn when `mark` is nil.
    public var typedNameFont = SignatureFont.standard
    /// The name shown ("Digitally signed by …") and written to `/Name`; defaults to the certificate's common name.
    public var signerName: String?
    public var reason: String?
    public var location: String?
    public var contactInfo: String?
    public var profile: SignatureProfile
    public var certification: Certification?
    /// The signing time written to `/M` (and shown); the clock by default.
    public var signingTime: Date
    /// Audit events for a Certificate of Completion page in the same revision as this signature.
    public var audit: AuditTrail?
    /// Sign even when the box is too small for legible text (smallest type, clipped), with a
    /// warning in `SignedFile.warnings`; by default that is an `appearanceTooSmall` error.
    public var allowIllegibleAppearance = false
    /// The password of an encrypted input (its user or owner password); empty, the usual empty
    /// user password. Signing an encrypted file needs its permissions (`/P`) to allow the
    /// signature, or the owner password.
    public var documentPassword = ""

    public init(placement: SignaturePlacement, mark: SignatureMark? = nil, signerName: String? = nil,
                reason: String? = nil, location: String? = nil, contactInfo: String? = nil,
                profile: SignatureProfile = .padesBB, certification: Certification? = nil,
                signingTime: Date = Date(), audit: AuditTrail? = nil) {
        self.placement = placement
        self.mark = mark
        self.signerName = signerName
        self.reason = reason
        self.location = location
        self.contactInfo = contactInfo
        self.profile = profile
        self.certification = certification
        self.signingTime = signingTime
        self.audit = audit
    }
}

/// An error from signing: a stable code and a reason saying what to do.
public struct SigningError: Error, Sendable, Hashable, CustomStringConvertible {
    public struct Code: Sendable, Hashable, CustomStringConvertible {
        public let name: String
        public init(_ name: String) { self.name = name }
        public var description: String { name }

        public static let fieldNotFound = Code("fieldNotFound")
        public static let fieldAlreadySigned = Code("fieldAlreadySigned")
        public static let notASignatureField = Code("notASignatureField")
        public static let anchorNotFound = Code("anchorNotFound")
        public static let badPlacement = Code("badPlacement")
        public static let badAudit = Code("badAudit")
        public static let auditAfterSignature = Code("auditAfterSignature")
        public static let certificationNotFirst = Code("certificationNotFirst")
        public static let placeholderTooSmall = Code("placeholderTooSmall")
        public static let timestampRequired = Code("timestampRequired")
        public static let badImage = Code("badImage")
        /// The signature box is too small for a legible appearance (`allowIllegibleAppearance` accepts it).
        public static let appearanceTooSmall = Code("appearanceTooSmall")
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
    public static func == (lhs: SigningError, rhs: SigningError) -> Bool { lhs.code == rhs.code }
    public func hash(into hasher: inout Hasher) { hasher.combine(code) }
}

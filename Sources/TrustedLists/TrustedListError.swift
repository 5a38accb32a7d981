/// Why a trusted list could not be used: a stable code, a reason for people (what, where, what
/// to do). Equality is on the code.
public struct TrustedListError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What kind of problem this is. Codes are stable; reasons are for people.
    public struct Code: Sendable, Hashable, CustomStringConvertible {
        public let name: String
        public init(_ name: String) { self.name = name }
        public var description: String { name }

        /// The file cannot be read.
        public static let io = Code("io")
        /// Not well-formed XML, or not a TS 119 612 TrustServiceStatusList.
        public static let malformed = Code("malformed")
        /// The XML uses something a trusted list never needs and attacks do: a DOCTYPE (external
        /// or internal entities), a second signature, an element with a repeated Id.
        public static let hostileXML = Code("hostileXML")
        /// The list carries no signature, or a signature whose shape is not the enveloped
        /// whole-document signature TS 119 612 requires (other references, XPath, external URIs).
        public static let signatureShape = Code("signatureShape")
        /// The signature does not verify (the list changed after signing, or a broken signature).
        public static let signatureInvalid = Code("signatureInvalid")
        /// The signature verifies, but with a certificate nobody pinned.
        public static let unpinnedSigner = Code("unpinnedSigner")
        /// No certificate is pinned for this list (no --trust-list-signer, no LOTL pointer).
        public static let noPinnedSigner = Code("noPinnedSigner")
        /// A chain's anchor is a certificate no accepted list names.
        public static let notInTrustedList = Code("notInTrustedList")
        /// The service a chain's anchor belongs to was not granted at the time that matters.
        public static let serviceNotGranted = Code("serviceNotGranted")
        /// libxml2 or libxmlsec1 cannot be loaded.
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
    public static func == (lhs: TrustedListError, rhs: TrustedListError) -> Bool { lhs.code == rhs.code }
    public func hash(into hasher: inout Hasher) { hasher.combine(code) }
}

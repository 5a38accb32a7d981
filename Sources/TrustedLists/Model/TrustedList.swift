public import CountersignCrypto
public import Foundation

/// One ETSI TS 119 612 trusted list whose signature verified against a pinned certificate: the
/// EU list of trusted lists (LOTL) or a national trusted list.
public struct TrustedList: Sendable, Hashable {
    /// Which kind of list (`TSLType`).
    public enum Kind: String, Sendable, Hashable {
        /// The EU list of the lists (`…/TSLType/EUlistofthelists`): pointers, no services.
        case listOfTrustedLists = "LOTL"
        /// A national trusted list (`…/TSLType/EUgeneric` and other non-LOTL types).
        case trustedList = "TL"
    }

    /// The file the list was read from, as given.
    public var source: String
    public var kind: Kind
    /// The `TSLType` URI as written.
    public var type: String
    /// `SchemeTerritory`: "EU" for the LOTL, a country code for a national list.
    public var territory: String
    public var sequenceNumber: Int?
    public var operatorName: String?
    public var issued: Date?
    /// `NextUpdate`: after it the list is stale (DSS: expired).
    public var nextUpdate: Date?
    /// The certificate whose key verified the list's signature.
    public var signer: Certificate
    /// `PointersToOtherTSL` (the LOTL's pointers to national lists).
    public var pointers: [TrustedListPointer]
    /// Every service of every trust service provider.
    public var services: [TrustService]

    /// Whether the list was past its `NextUpdate` at `time`.
    public func isExpired(at time: Date) -> Bool { nextUpdate.map { $0 < time } ?? false }
}

/// An `OtherTSLPointer`: where another list is, for which territory, and who may sign it.
public struct TrustedListPointer: Sendable, Hashable {
    /// `TSLLocation` (a URL; offline, the list file is matched by territory).
    public var location: String
    public var territory: String?
    /// The pointed-to list's `TSLType`.
    public var type: String?
    /// `MimeType` (application/vnd.etsi.tsl+xml for the machine-readable list).
    public var mimeType: String?
    /// The certificates that may sign the pointed-to list (`ServiceDigitalIdentities`).
    public var signers: [Certificate]

    /// Whether this points at an XML trusted list (not the PDF form, not another LOTL).
    public var pointsToXMLTrustedList: Bool {
        let xml = mimeType.map { $0.lowercased().contains("xml") } ?? location.lowercased().hasSuffix(".xml")
        return xml && !(type ?? "").hasSuffix("EUlistofthelists")
    }
}

/// A `TSPService` with its history: what it is, its certificates, and its status over time.
public struct TrustService: Sendable, Hashable {
    /// The trust service provider's name (`TSPName`).
    public var provider: String
    /// `ServiceName` (current).
    public var name: String
    /// The territory of the list it comes from.
    public var territory: String
    /// The certificates of `ServiceDigitalIdentity` (`X509Certificate`).
    public var certificates: [Certificate]
    /// The status periods, oldest first: the current `ServiceInformation` and every
    /// `ServiceHistoryInstance`, each in force from its `StatusStartingTime` until the next one.
    public var history: [TrustServiceStatus]

    /// The status in force at `time`: the period with the latest start not after it (nil before
    /// the first period).
    public func status(at time: Date) -> TrustServiceStatus? {
        history.last { $0.start <= time }
    }
}

/// One period of a service's status, with what it said about the service then.
public struct TrustServiceStatus: Sendable, Hashable {
    /// `ServiceTypeIdentifier` (e.g. `http://uri.etsi.org/TrstSvc/Svctype/CA/QC`).
    public var type: String
    /// `ServiceStatus` URI.
    public var status: String
    /// `StatusStartingTime`.
    public var start: Date
    /// The `Qualifications` extension: qualifiers and the certificates they apply to.
    public var qualifications: [QualificationRule]
    /// `AdditionalServiceInformation` URIs (e.g. `…/SvcInfoExt/ForeSignatures`).
    public var additionalInformation: [String]

    /// Whether the status makes the service a trust anchor: granted (eIDAS), or under
    /// supervision, in cessation of supervision, accredited (Directive 1999/93/EC) — the
    /// statuses EU DSS accepts.
    public var isGranted: Bool { ServiceStatusURI.granted.contains(status) }
    /// The last path segment of the status URI ("granted", "withdrawn", …).
    public var statusName: String { status.split(separator: "/").last.map(String.init) ?? status }
    /// The last two segments of the type URI ("CA/QC", "TSA/QTST", …).
    public var typeName: String {
        guard let range = type.range(of: "/Svctype/") else { return type }
        return String(type[range.upperBound...])
    }
}

/// A `QualificationElement`: qualifier URIs applying to certificates that meet the criteria.
public struct QualificationRule: Sendable, Hashable {
    /// `Qualifier/@uri` values (e.g. `…/SvcInfoExt/QCWithSSCD`).
    public var qualifiers: [String]
    public var criteria: QualificationCriteria
}

/// A `CriteriaList`: which certificates a qualification applies to (TS 119 612 §5.5.9.2.1).
public indirect enum QualificationCriteria: Sendable, Hashable {
    /// `KeyUsageBit name="…"` with its required value.
    case keyUsage(name: String, set: Bool)
    /// `PolicySet`: the certificate holds every policy OID listed.
    case policies([String])
    /// `ExtendedKeyUsage` / `KeyPurposeId`: the certificate's extended key usage holds the OID.
    case extendedKeyUsage(String)
    /// A criterion this verifier does not evaluate (e.g. `CertSubjectDNAttribute`): never matches.
    case unsupported(String)
    /// A nested `CriteriaList` with its `assert` (all, atLeastOne, none).
    case list(assert: String, items: [QualificationCriteria])
}

/// The service status URIs (TS 119 612 v2 Annex D / v1 for Directive 1999/93/EC lists).
public enum ServiceStatusURI {
    static let current = "http://uri.etsi.org/TrstSvc/TrustedList/Svcstatus/"
    static let directive = "http://uri.etsi.org/TrstSvc/eSigDir-1999-93-EC-TrustedList/Svcstatus/"
    /// The statuses under which a service anchors trust.
    public static let granted: Set<String> = [
        current + "granted", current + "recognisedatnationallevel",
        directive + "undersupervision", directive + "supervisionincessation", directive + "accredited",
        current + "undersupervision", current + "supervisionincessation", current + "accredited",
    ]
}

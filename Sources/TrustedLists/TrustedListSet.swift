public import CountersignCrypto
public import Foundation

/// The trusted lists of one verification run: the EU LOTL and national lists, each accepted only
/// when its XML signature verifies with a pinned certificate (ETSI TS 119 612 §5.7).
///
/// Pins: a list of trusted lists (LOTL) must be signed by a certificate the caller pins
/// (`--trust-list-signer`); a national list by a certificate its LOTL pointer names
/// (`ServiceDigitalIdentities` of the `OtherTSLPointer` for its territory) or one the caller
/// pins. Offline, the LOTL's pointers are resolved to the given files by territory; pointers
/// with no file are listed in `missingPointers`.
public struct TrustedListSet: Sendable {
    /// A list file the caller gave, or its contents.
    public struct Source: Sendable {
        public var name: String
        public var bytes: [UInt8]
        public init(name: String, bytes: [UInt8]) {
            self.name = name
            self.bytes = bytes
        }
    }

    /// A list that was refused, and why (nothing of it is used).
    public struct Refusal: Sendable, Hashable {
        public var source: String
        public var error: TrustedListError
    }

    /// The accepted lists, in the order given.
    public private(set) var lists: [TrustedList] = []
    /// The refused lists: broken or unpinned signature, hostile or malformed XML.
    public private(set) var refused: [Refusal] = []
    /// Pointers of accepted LOTLs to XML trusted lists that no given file provides.
    public private(set) var missingPointers: [TrustedListPointer] = []
    /// Accepted lists past their `NextUpdate` at the validation time (still used, as EU DSS
    /// does with its default policy; each is reported).
    public private(set) var expired: [TrustedList] = []

    /// The service types whose certificates anchor chains: CAs issuing (qualified) certificates
    /// and timestamp authorities.
    public static let anchorTypes: Set<String> = [
        "http://uri.etsi.org/TrstSvc/Svctype/CA/QC", "http://uri.etsi.org/TrstSvc/Svctype/CA/PKC",
        "http://uri.etsi.org/TrstSvc/Svctype/TSA", "http://uri.etsi.org/TrstSvc/Svctype/TSA/QTST",
        "http://uri.etsi.org/TrstSvc/Svctype/TSA/TSS-QC", "http://uri.etsi.org/TrstSvc/Svctype/TSA/TSS-AdESQCandQES",
    ]

    /// Reads, checks and resolves `sources`; `pinned` are the certificates the caller trusts to
    /// sign a LOTL (or a national list given without its LOTL); `time` judges freshness.
    public static func load(_ sources: [Source], pinned: [Certificate], at time: Date) -> TrustedListSet {
        var set = TrustedListSet()
        var parsed: [(source: Source, document: ParsedXMLDocument, isLOTL: Bool, territory: String)] = []
        for source in sources {
            do {
                let document = try ParsedXMLDocument.parse(source.bytes, name: source.name)
                let scheme = document.root.child("SchemeInformation")
                parsed.append((source, document, (scheme?.child("TSLType")?.text ?? "").hasSuffix("listofthelists"),
                               scheme?.child("SchemeTerritory")?.text ?? ""))
            } catch let error as TrustedListError {
                set.refused.append(Refusal(source: source.name, error: error))
            } catch {
                set.refused.append(Refusal(source: source.name, error: TrustedListError(.malformed, "\(source.name): \(error)")))
            }
        }
        var accepted: [Int: TrustedList] = [:]
        for (index, item) in parsed.enumerated() where item.isLOTL {
            accepted[index] = set.accept(item.document, name: item.source.name, pinned: pinned)
        }
        let lotls = accepted.values.filter { $0.kind == .listOfTrustedLists }
        let pointers = lotls.flatMap(\.pointers).filter(\.pointsToXMLTrustedList)
        for (index, item) in parsed.enumerated() where !item.isLOTL {
            let pointed = pointers.filter { $0.territory == item.territory }.flatMap(\.signers)
            accepted[index] = set.accept(item.document, name: item.source.name, pinned: pinned + pointed)
        }
        set.lists = accepted.sorted { $0.key < $1.key }.map(\.value)
        let territories = Set(parsed.map(\.territory))
        set.missingPointers = pointers.filter { !territories.contains($0.territory ?? "") }
        set.expired = set.lists.filter { $0.isExpired(at: time) }
        return set
    }

    private mutating func accept(_ document: ParsedXMLDocument, name: String, pinned: [Certificate]) -> TrustedList? {
        do {
            let signer = try EnvelopedSignature.verify(document, name: name, pinned: pinned)
            return try TrustedListReader(name: name).read(document.root, signer: signer)
        } catch let error as TrustedListError {
            refused.append(Refusal(source: name, error: error))
        } catch {
            refused.append(Refusal(source: name, error: TrustedListError(.malformed, "\(name): \(error)")))
        }
        return nil
    }

    /// Every service of the accepted lists.
    public var services: [TrustService] { lists.flatMap(\.services) }

    /// The certificates that may anchor a chain: those of services of an anchor type that were
    /// granted at some time. Whether one anchors a given signature depends on its status at the
    /// signing time (`anchor(_:at:)`).
    public var anchorCertificates: [Certificate] {
        var seen: Set<Certificate> = []
        return services.filter { $0.history.contains { Self.anchorTypes.contains($0.type) && $0.isGranted } }
            .flatMap(\.certificates).filter { seen.insert($0).inserted }
    }

    /// The services whose digital identity is `certificate`.
    public func services(for certificate: Certificate) -> [TrustService] {
        services.filter { $0.certificates.contains(certificate) }
    }

    /// Whether `certificate`, the anchor a chain reached, is a trust service granted at `time`:
    /// the granted service, or why none is.
    public func anchor(_ certificate: Certificate, at time: Date) -> Result<TrustService, TrustedListError> {
        let candidates = services(for: certificate)
        guard !candidates.isEmpty else {
            return .failure(TrustedListError(.notInTrustedList, "\(certificate.subject) is in no trusted list"))
        }
        if let granted = candidates.first(where: { service in
            service.status(at: time).map { $0.isGranted && Self.anchorTypes.contains($0.type) } ?? false
        }) {
            return .success(granted)
        }
        let described = candidates.map { service -> String in
            let when = ISO8601DateFormatter().string(from: time)
            guard let status = service.status(at: time) else {
                return "the service \"\(service.name)\" (\(service.territory)) had no status yet at \(when)"
            }
            return "the service \"\(service.name)\" (\(service.territory)) was \(status.statusName) (\(status.typeName)) from \(ISO8601DateFormatter().string(from: status.start)), so not granted at \(when)"
        }
        return .failure(TrustedListError(.serviceNotGranted, described.joined(separator: "; ")))
    }
}

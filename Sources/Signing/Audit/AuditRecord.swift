import CountersignCrypto
public import Foundation

/// The machine-readable audit record embedded in the sealed PDF (`audit.json`, relationship
/// `/Supplement`): the trail's events in time order, each carrying the SHA-256 of the one
/// before it, and the SHA-256 of the document before the audit page was added.
public struct AuditRecord: Sendable, Hashable {
    public struct ChainedEvent: Sendable, Hashable {
        public var sequence: Int
        public var at: String
        public var actor: String
        public var role: String?
        public var type: String
        public var ip: String?
        public var userAgent: String?
        /// SHA-256 (hex) of the previous event's canonical form; 64 zeros for the first.
        public var previousHash: String
        /// SHA-256 (hex) of this event's canonical form.
        public var hash: String

        /// The bytes hashed: the fields on separate lines, in a fixed order (docs/audit.md).
        public static func canonicalForm(sequence: Int, at: String, actor: String, type: String, ip: String?,
                                         userAgent: String?, previousHash: String) -> [UInt8] {
            Array([String(sequence), at, actor, type, ip ?? "", userAgent ?? "", previousHash]
                .joined(separator: "\n").utf8)
        }
    }

    public static let schema = "urn:countersign:audit:1"
    public static let genesisHash = String(repeating: "0", count: 64)

    public var trail: AuditTrail
    public var documentSHA256: String
    public var documentPages: Int
    public var template: [String: String]
    public var sealSubject: String
    public var sealFingerprint: String
    public var sealTime: String
    public var timeSource: String
    public var events: [ChainedEvent]

    /// The record of `trail`, sealed by `sealSubject` at `sealTime`; its events as `chain` orders
    /// and chains them.
    public init(trail: AuditTrail, documentSHA256: String, documentPages: Int, template: [String: String],
                sealSubject: String, sealFingerprint: String, sealTime: Date, timeSource: String) {
        self.trail = trail
        self.documentSHA256 = documentSHA256
        self.documentPages = documentPages
        self.template = template
        self.sealSubject = sealSubject
        self.sealFingerprint = sealFingerprint
        self.sealTime = AuditTime.iso(sealTime)
        self.timeSource = timeSource
        events = Self.chain(trail)
    }

    /// Every event of `trail` ordered by time (then by the events' `order`, then signer events
    /// before envelope events, stable) and chained: what a record of the trail lists, whoever
    /// seals it.
    public static func chain(_ trail: AuditTrail) -> [ChainedEvent] {
        var flat: [(date: Date, event: AuditTrail.Event, role: String?, actor: String)] = []
        for signer in trail.signers {
            for event in signer.events {
                flat.append((AuditTime.parse(event.at) ?? .distantPast, event, signer.role,
                             event.actor ?? signer.email))
            }
        }
        for event in trail.events ?? [] {
            flat.append((AuditTime.parse(event.at) ?? .distantPast, event, nil, event.actor ?? "system"))
        }
        // By time; within one second by the caller's order, when given; else as listed.
        let ordered = flat.enumerated().sorted {
            ($0.element.date, $0.element.event.order ?? Int.max, $0.offset) < ($1.element.date, $1.element.event.order ?? Int.max, $1.offset)
        }.map(\.element)
        var previous = AuditRecord.genesisHash
        var chained: [ChainedEvent] = []
        for (index, item) in ordered.enumerated() {
            let signerIP = trail.signers.first { $0.email == item.actor }?.ip
            let signerAgent = trail.signers.first { $0.email == item.actor }?.userAgent
            let ip = item.event.ip ?? signerIP
            let agent = item.event.userAgent ?? signerAgent
            let at = AuditTime.iso(item.date)
            let canonical = ChainedEvent.canonicalForm(sequence: index + 1, at: at, actor: item.actor,
                                                       type: item.event.type, ip: ip, userAgent: agent,
                                                       previousHash: previous)
            let hash = DigestAlgorithm.sha256.hash(canonical).hexString
            chained.append(ChainedEvent(sequence: index + 1, at: at, actor: item.actor, role: item.role,
                                        type: item.event.type, ip: ip, userAgent: agent, previousHash: previous,
                                        hash: hash))
            previous = hash
        }
        return chained
    }

    /// The JSON embedded in the PDF (sorted keys, so the same record gives the same bytes).
    public var json: Data { Data(jsonValue.bytes) }

    var jsonValue: AuditJSON {
        let signers: [AuditJSON] = trail.signers.map { signer in
            .object(["name": .string(signer.name), "email": .string(signer.email), "role": .string(signer.role),
                     "authentication": .string(signer.authentication), "ip": .optional(signer.ip),
                     "userAgent": .optional(signer.userAgent)])
        }
        let events: [AuditJSON] = self.events.map { event in
            .object(["sequence": .integer(event.sequence), "at": .string(event.at), "actor": .string(event.actor),
                     "role": .optional(event.role), "type": .string(event.type), "ip": .optional(event.ip),
                     "userAgent": .optional(event.userAgent), "previousHash": .string(event.previousHash),
                     "hash": .string(event.hash)])
        }
        var document: [String: AuditJSON] = ["sha256": .string(documentSHA256), "pages": .integer(documentPages),
                                             "template": .object(template.mapValues(AuditJSON.string))]
        if let sent = trail.documentAsSent {
            document["asSent"] = .object(["sha256": .string(sent.sha256), "bytes": .integer(sent.bytes)])
        }
        return .object([
            "schema": .string(AuditRecord.schema), "envelopeId": .string(trail.envelopeId),
            "documentName": .string(trail.documentName),
            "document": .object(document),
            "seal": .object(["subject": .string(sealSubject), "certificateSHA256": .string(sealFingerprint),
                             "time": .string(sealTime), "timeSource": .string(timeSource)]),
            "signers": .array(signers), "events": .array(events),
        ])
    }
}


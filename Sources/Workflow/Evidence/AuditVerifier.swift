import Foundation
public import CountersignCrypto
import Signing
import Verification

/// One problem `audit verify` found, naming where it is and what it means.
public struct AuditFinding: Sendable, Hashable, CustomStringConvertible {
    public struct Code: Sendable, Hashable, CustomStringConvertible {
        public let name: String
        public init(_ name: String) { self.name = name }
        public var description: String { name }

        /// An event's content no longer hashes to its stored hash: it was edited.
        public static let eventAltered = Code("eventAltered")
        /// A sequence number is missing: an event was deleted.
        public static let eventMissing = Code("eventMissing")
        /// Two events are in each other's places.
        public static let eventsReordered = Code("eventsReordered")
        /// An event does not link to the one before it.
        public static let chainBroken = Code("chainBroken")
        /// Personal data was removed without a purge, or does not match its hash.
        public static let personalData = Code("personalData")
        /// The envelope's recorded head is not the chain's head (events cut off at the end).
        public static let headMismatch = Code("headMismatch")
        /// The account ledger's chain is broken or names a head the envelope's chain does not have.
        public static let ledger = Code("ledger")
        /// A ledger anchor's time-stamp token does not cover the ledger head it names.
        public static let anchor = Code("anchor")
        /// A stored document is not the one the evidence names (it was replaced or is missing).
        public static let document = Code("document")
        /// A sealed PDF does not verify, or its embedded audit record disagrees with the store.
        public static let sealedPDF = Code("sealedPDF")
        /// The events hash together but tell a history the workflow cannot make: an envelope
        /// ended twice, or acted on after it ended (a void appended after the completion).
        public static let historyImpossible = Code("historyImpossible")
        /// A sealed PDF is intact, but its seal does not chain to the trust anchors given
        /// (INDETERMINATE for that reason alone): not tampering, a missing or wrong trust root.
        public static let sealUntrusted = Code("sealUntrusted")
    }

    public var code: Code
    public var account: String
    /// The envelope id, `library`, or `ledger`.
    public var stream: String
    public var sequence: Int?
    public var message: String

    public var description: String {
        "\(account)/\(stream)\(sequence.map { " #\($0)" } ?? ""): \(code): \(message)"
    }
}

/// What `audit verify` checked and found.
public struct AuditVerification: Sendable, Hashable {
    public var accounts = 0
    public var streams = 0
    public var events = 0
    public var ledgerEntries = 0
    public var anchors = 0
    public var sealedDocuments = 0
    public var findings: [AuditFinding] = []
    public var isIntact: Bool { findings.isEmpty }
}

/// Re-checks the evidence of a store: every event chain, every account ledger and its anchors,
/// and every sealed PDF against the store and against itself (`Verification`).
public struct AuditVerifier: Sendable {
    public let store: any WorkflowStore
    public let trustAnchors: [Certificate]

    public init(store: any WorkflowStore, trustAnchors: [Certificate]) {
        self.store = store
        self.trustAnchors = trustAnchors
    }

    /// Checks one account, or every account when `account` is nil.
    public func verify(account: String? = nil) async throws -> AuditVerification {
        var result = AuditVerification()
        var accounts: [String] = []
        if let account { accounts = [account] } else { accounts = try await store.accounts().map(\.id) }
        for account in accounts {
            result.accounts += 1
            var heads: [String: [WorkflowEvent]] = [:]
            for stream in try await store.streams(account: account) {
                let events = try await store.events(account: account, stream: stream)
                result.streams += 1
                result.events += events.count
                result.findings += Self.check(chain: events, account: account, stream: stream)
                heads[stream] = events
            }
            var envelopes: [Envelope] = []
            var after: String?
            while true {
                let page = try await store.envelopes(account: account, query: EnvelopeQuery(after: after, limit: 500))
                envelopes += page
                guard page.count == 500, let last = page.last else { break }
                after = last.id
            }
            for envelope in envelopes {
                let events = heads[envelope.id] ?? []
                if events.count != envelope.eventCount || events.last?.hash ?? WorkflowEvent.genesis != envelope.headHash {
                    result.findings.append(AuditFinding(code: .headMismatch, account: account, stream: envelope.id, sequence: nil,
                        message: "the envelope records \(envelope.eventCount) events ending in \(envelope.headHash.prefix(12))…; the log has \(events.count) ending in \((events.last?.hash ?? "none").prefix(12))… — events were cut off or added outside the workflow"))
                }
                result.findings += try await checkDocuments(envelope, events: events, result: &result)
            }
            let completed = envelopes.filter { envelope in heads[envelope.id]?.contains { $0.type == "envelope.completed" } == true }
            result.findings += try await checkLedger(account: account, heads: heads, completed: completed.map(\.id), result: &result)
        }
        return result
    }

    /// The events that end an envelope, and those that may follow one.
    static let ends: Set<String> = ["envelope.completed", "envelope.voided", "envelope.declined", "envelope.expired"]
    static let afterEnd: Set<String> = ["retention.held", "retention.released", "envelope.purged"]

    /// The chain checks of one stream, each problem named once.
    static func check(chain events: [WorkflowEvent], account: String, stream: String) -> [AuditFinding] {
        var findings: [AuditFinding] = []
        func add(_ code: AuditFinding.Code, _ sequence: Int?, _ message: String) {
            findings.append(AuditFinding(code: code, account: account, stream: stream, sequence: sequence, message: message))
        }
        let purged = events.contains { $0.type == "envelope.purged" }
        var expected = 1
        var reordered = Set<Int>()
        var ended: WorkflowEvent?
        for (index, event) in events.enumerated() {
            // A decline records the envelope's end, then the recipient's action, in one transition.
            let declineItself = ended?.type == "envelope.declined" && event.type == "recipient.declined" && event.sequence == (ended?.sequence ?? 0) + 1
            if let end = ended, !afterEnd.contains(event.type), !declineItself {
                add(.historyImpossible, event.sequence, "event \(event.sequence) (\(event.type)) follows event \(end.sequence) (\(end.type)), "
                    + "after which only retention events and a purge can happen")
            } else if ends.contains(event.type) {
                ended = event
            }
            if event.sequence != expected {
                add(.eventMissing, expected, "event\(event.sequence - expected > 1 ? "s \(expected)–\(event.sequence - 1) are" : " \(expected) is") missing: deleted from the log")
            }
            expected = event.sequence + 1
            if reordered.contains(index) { continue }
            let previous = index > 0 ? events[index - 1].hash : WorkflowEvent.genesis
            if event.previousHash != previous, index + 1 < events.count, event.previousHash == events[index + 1].hash {
                add(.eventsReordered, event.sequence, "events \(event.sequence) and \(events[index + 1].sequence) are in each other's places")
                reordered.insert(index + 1)
                continue
            }
            if event.hash != event.computedHash {
                add(.eventAltered, event.sequence, "event \(event.sequence) (\(event.type)) was altered: its content no longer hashes to its recorded hash")
            } else if event.previousHash != previous, index > 0 || event.sequence == 1 {
                if events[index].sequence == (index > 0 ? events[index - 1].sequence + 1 : 1) {
                    add(.chainBroken, event.sequence, "event \(event.sequence) does not follow the event before it")
                }
            }
            if let personal = event.personal {
                if WorkflowEvent.personalHash(personal) != event.personalSHA256 {
                    add(.personalData, event.sequence, "the personal data of event \(event.sequence) was altered")
                }
            } else if !purged {
                add(.personalData, event.sequence, "the personal data of event \(event.sequence) is gone, but no purge is recorded")
            }
        }
        return findings
    }

    /// The account's ledger: its own chain, each entry against the envelope's log, an entry for
    /// every envelope whose log records its completion (`completed`), and the anchors.
    func checkLedger(account: String, heads: [String: [WorkflowEvent]], completed: [String],
                     result: inout AuditVerification) async throws -> [AuditFinding] {
        var findings: [AuditFinding] = []
        let ledger = try await store.ledger(account: account)
        result.ledgerEntries += ledger.count
        let entered = Set(ledger.map(\.envelope))
        for id in completed.sorted() where !entered.contains(id) {
            findings.append(AuditFinding(code: .ledger, account: account, stream: id, sequence: nil,
                                         message: "the envelope's log records its completion, but the account's ledger has no entry for it — ledger entries were cut off or never written"))
        }
        var previous = WorkflowEvent.genesis
        for (index, entry) in ledger.enumerated() {
            if entry.sequence != index + 1 || entry.previousHash != previous || entry.hash != entry.computedHash {
                findings.append(AuditFinding(code: .ledger, account: account, stream: "ledger", sequence: entry.sequence,
                                             message: "ledger entry \(entry.sequence) is altered or out of its chain"))
            }
            previous = entry.hash
            // An entry that is itself edited says nothing reliable about its envelope's log: the
            // finding above names it, and the envelope is not blamed for it.
            guard entry.hash == entry.computedHash else { continue }
            let events = heads[entry.envelope] ?? []
            // A count outside the log (a row edited to 0, or past the end) is a finding, not an index.
            if entry.envelopeEvents < 1 || entry.envelopeEvents > events.count || events[entry.envelopeEvents - 1].hash != entry.envelopeHead {
                findings.append(AuditFinding(code: .ledger, account: account, stream: entry.envelope, sequence: entry.envelopeEvents,
                                             message: "the ledger recorded this envelope's chain head at completion as \(entry.envelopeHead.prefix(12))…; the log no longer has it there — its history was rewritten"))
            }
        }
        let hashes = Dictionary(ledger.map { ($0.sequence, $0.hash) }, uniquingKeysWith: { a, _ in a })
        for anchor in try await store.anchors(account: account) {
            result.anchors += 1
            do {
                guard hashes[anchor.sequence] == anchor.head else {
                    throw WorkflowError(.evidence, "it names a head the ledger does not have at \(anchor.sequence)")
                }
                let token = try TimestampToken.parse(der: Array(anchor.token))
                try token.verify(imprintOf: Array(anchor.head.utf8))
                // The stored time is the token's, for listing (anchors stored before it was took
                // the local clock, within the request's round trip): one far from it was edited.
                guard abs(token.genTime.timeIntervalSince(anchor.at)) <= Self.anchorTimeTolerance else {
                    throw WorkflowError(.evidence, "its stored time \(EventTime.iso(anchor.at)) is not the token's \(EventTime.iso(token.genTime))")
                }
            } catch {
                findings.append(AuditFinding(code: .anchor, account: account, stream: "ledger", sequence: anchor.sequence,
                                             message: "the time-stamp over ledger entry \(anchor.sequence) does not hold: \(error)"))
            }
        }
        return findings
    }

    /// How far an anchor's stored time may be from its token's (see `checkLedger`).
    static let anchorTimeTolerance: TimeInterval = 300

    /// The first difference between what a sealed audit record states (events and signers)
    /// and the record the stored events make now, or nil. Compared as multisets of lines, so a
    /// record from an older release that ordered simultaneous events differently still matches.
    static func difference(record: AuditReport, trail: AuditTrail) -> String? {
        let events = AuditRecord.chain(trail).map {
            AuditReport.eventLine(type: $0.type, at: $0.at, actor: $0.actor, ip: $0.ip, userAgent: $0.userAgent)
        }
        let signers = trail.signers.map {
            AuditReport.signerLine(name: $0.name, email: $0.email, role: $0.role, authentication: $0.authentication)
        }
        func shown(_ line: String?) -> String {
            line.map { "(" + $0.split(separator: "\n", omittingEmptySubsequences: false).joined(separator: ", ") + ")" } ?? "nothing"
        }
        for (what, stored, sealed) in [("event", events, record.statedEvents), ("signer", signers, record.statedSigners)] {
            let extra = surplus(stored, over: sealed), missing = surplus(sealed, over: stored)
            if extra != nil || missing != nil {
                return "the store has \(what) \(shown(extra)) where the seal certified \(shown(missing))"
            }
        }
        return nil
    }

    /// The first line (in sorted order) that `lines` holds more often than `other`, or nil.
    static func surplus(_ lines: [String], over other: [String]) -> String? {
        var left = Dictionary(other.map { ($0, 1) }, uniquingKeysWith: +)
        for line in lines.sorted() {
            guard let count = left[line], count > 0 else { return line }
            left[line] = count - 1
        }
        return nil
    }

    /// Whether a report is INDETERMINATE only because no certificate chain reaches the anchors:
    /// no file issue, and every issue of every signature that did not pass is of that kind.
    static func onlyUntrusted(_ report: VerificationReport) -> Bool {
        let failing = report.signatures.filter { $0.verdict != .passed }
        return report.fileIssues.isEmpty && !failing.isEmpty && failing.allSatisfy { signature in
            let issues = signature.issues.filter { $0.verdict == signature.verdict }
            return !issues.isEmpty && issues.allSatisfy { $0.subIndication == .noCertificateChainFound }
        }
    }

    func checkDocuments(_ envelope: Envelope, events: [WorkflowEvent], result: inout AuditVerification) async throws -> [AuditFinding] {
        var findings: [AuditFinding] = []
        func add(_ code: AuditFinding.Code, _ message: String) {
            findings.append(AuditFinding(code: code, account: envelope.account, stream: envelope.id, sequence: nil, message: message))
        }
        guard envelope.retention.purgedAt == nil else { return [] }
        let verifier = PDFVerifier(trustAnchors: trustAnchors)
        let completed = events.last { $0.type == "envelope.completed" }
        for document in envelope.documents {
            guard let bytes = try await store.documents.get(document.sentSHA256) else {
                add(.document, "\(document.id) as sent (\(document.sentSHA256.prefix(12))…) is missing from the document store")
                continue
            }
            if sha256Hex(bytes) != document.sentSHA256 {
                add(.document, "\(document.id) as sent: the stored file is not the document the evidence names (it was replaced)")
            }
            guard let sealed = document.sealedSHA256 else { continue }
            result.sealedDocuments += 1
            if let completed, !(completed.data["sealed"] ?? "").contains("\(document.id):\(sealed)") {
                add(.document, "\(document.id): the envelope names sealed file \(sealed.prefix(12))…, the completion event another")
            }
            guard let file = try await store.documents.get(sealed) else {
                add(.document, "\(document.id): the sealed file \(sealed.prefix(12))… is missing from the document store")
                continue
            }
            guard sha256Hex(file) == sealed else {
                add(.document, "\(document.id): the stored sealed file is not the one the evidence names (it was replaced)")
                continue
            }
            let keptAsSent = (completed?.data["sentAsFirstRevision"] ?? "").split(separator: " ").contains { $0 == document.id }
            if keptAsSent, !file.starts(with: bytes) {
                add(.document, "\(document.id): the completion says the sealed file begins with the document as sent, and it does not")
            }
            let report = verifier.verify(bytes: file, name: document.name)
            let certified = Int(completed?.data["certifiedEvents"] ?? "") ?? 0
            // Untrusted only, and sealed by the certificate the (hash-chained) completion event
            // names: a trust root is missing. Sealed by another certificate, it is a finding.
            let sealedBy = report.signatures.last { $0.kind == .signature }?.signer?.certificateSHA256
            if report.verdict == .indeterminate, Self.onlyUntrusted(report),
               let named = completed?.data["sealCertificateSHA256"], sealedBy?.lowercased() == named.lowercased() {
                add(.sealUntrusted, "\(document.id): the sealed PDF is intact, but its seal does not chain to the trust anchors given "
                    + "(INDETERMINATE) — give the seal's root (`audit verify --seal-trust FILE.pem`)")
            } else if report.verdict != .passed {
                add(.sealedPDF, "\(document.id): the sealed PDF verifies \(report.verdict)")
            } else if let audit = report.audit, certified > 0, certified <= events.count {
                let trail = try? CertificateTrail.make(envelope: envelope, events: Array(events.prefix(certified)), document: document)
                let expected = (trail?.signers.reduce(0) { $0 + $1.events.count } ?? 0) + (trail?.events?.count ?? 0)
                var disagreements: [String] = []
                if audit.envelopeId != envelope.id { disagreements.append("it names envelope \(audit.envelopeId ?? "none")") }
                if !audit.chainIntact { disagreements.append("its own event chain is broken") }
                if !audit.documentHashMatches { disagreements.append("the document hash it states is not the file's") }
                if audit.events != expected {
                    disagreements.append("it lists \(audit.events) events where the \(certified) stored events it certifies make \(expected)")
                }
                if !disagreements.isEmpty {
                    add(.sealedPDF, "\(document.id): the sealed PDF's audit record disagrees with the store: " + disagreements.joined(separator: "; "))
                } else if let trail, let difference = Self.difference(record: audit, trail: trail) {
                    // The same number of events, but not the same ones: the store's history was
                    // rewritten consistently (hashes recomputed) after the seal certified it.
                    add(.sealedPDF, "\(document.id): the sealed PDF's audit record, signed at completion, disagrees with the stored events: \(difference)")
                }
                if audit.sentDocumentMatches == false {
                    add(.sealedPDF, "\(document.id): the sealed PDF's audit record states a document as sent that the file does not begin with")
                }
            } else if report.audit == nil {
                add(.sealedPDF, "\(document.id): the sealed PDF carries no audit record")
            } else if certified > events.count {
                add(.sealedPDF, "\(document.id): the sealed PDF certifies \(certified) events; the log has \(events.count) — events were cut off")
            } else {
                add(.sealedPDF, "\(document.id): no completion event in the log says how many events the sealed PDF certifies")
            }
        }
        return findings
    }
}

import Foundation
@testable import Signing
import TestSupport
import Testing

/// The audit record's JSON writer holds the layout JSONSerialization gives (sorted keys, pretty,
/// slashes unescaped), so the embedded audit.json keeps the bytes it always had.
@Suite struct AuditJSONTests {
    /// The record through JSONSerialization: the reference layout.
    static func foundationJSON(_ record: AuditRecord) throws -> [UInt8] {
        func optional(_ value: String?) -> Any { value ?? NSNull() }
        let signers: [[String: Any]] = record.trail.signers.map { signer in
            ["name": signer.name, "email": signer.email, "role": signer.role, "authentication": signer.authentication,
             "ip": optional(signer.ip), "userAgent": optional(signer.userAgent)]
        }
        let events: [[String: Any]] = record.events.map { event in
            ["sequence": event.sequence, "at": event.at, "actor": event.actor, "role": optional(event.role),
             "type": event.type, "ip": optional(event.ip), "userAgent": optional(event.userAgent),
             "previousHash": event.previousHash, "hash": event.hash]
        }
        let object: [String: Any] = [
            "schema": AuditRecord.schema, "envelopeId": record.trail.envelopeId, "documentName": record.trail.documentName,
            "document": ["sha256": record.documentSHA256, "pages": record.documentPages, "template": record.template],
            "seal": ["subject": record.sealSubject, "certificateSHA256": record.sealFingerprint, "time": record.sealTime,
                     "timeSource": record.timeSource],
            "signers": signers, "events": events,
        ]
        return [UInt8](try JSONSerialization.data(withJSONObject: object,
                                                  options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]))
    }

    static func record(_ trail: AuditTrail, template: [String: String]) -> AuditRecord {
        AuditRecord(trail: trail, documentSHA256: String(repeating: "ab", count: 32), documentPages: 3, template: template,
                    sealSubject: "CN=Seal/O=Example \"Quoted\"", sealFingerprint: String(repeating: "0f", count: 32),
                    sealTime: Date(timeIntervalSince1970: 1_767_225_600), timeSource: "signer's system clock (UTC)")
    }

    /// Times are whole seconds: events of one second keep the order their `order` gives (a
    /// workflow's sequence), not signers' events first; without one, signers' events first.
    @Test func eventsOfOneSecondKeepTheirOrder() throws {
        let second = "2026-12-07T10:00:00Z"
        func trail(ordered: Bool) throws -> AuditTrail {
            let signer = AuditTrail.Signer(name: "Casey", email: "casey@example.com", role: "customer", authentication: "Email OTP",
                                           events: [AuditTrail.Event(type: "signed", at: second, order: ordered ? 3 : nil)])
            return try AuditTrail(checking: "env_1", documentName: "Order", signers: [signer],
                                  events: [AuditTrail.Event(type: "created", at: second, actor: "agent", order: ordered ? 1 : nil),
                                           AuditTrail.Event(type: "sent", at: second, actor: "agent", order: ordered ? 2 : nil)])
        }
        #expect(Self.record(try trail(ordered: true), template: [:]).events.map(\.type) == ["created", "sent", "signed"])
        #expect(Self.record(try trail(ordered: false), template: [:]).events.map(\.type) == ["signed", "created", "sent"])
        // The order is not part of the trail's JSON.
        #expect(!String(decoding: try JSONEncoder().encode(try trail(ordered: true)), as: UTF8.self).contains("order"))
    }

    @Test func theFixtureRecordHasFoundationsBytes() throws {
        let trail = try AuditTrail.load(Data(contentsOf: TestEnvironment.fixtures.appendingPathComponent("audit-events.json")))
        for template in [[:], ["id": "service-agreement", "version": "3", "sha256": String(repeating: "1", count: 64)]] {
            let record = Self.record(trail, template: template)
            #expect([UInt8](record.json) == (try Self.foundationJSON(record)))
        }
    }

    @Test func escapesAndEmptyContainersHaveFoundationsBytes() throws {
        var trail = try AuditTrail.load(Data(contentsOf: TestEnvironment.fixtures.appendingPathComponent("audit-events.json")))
        trail.documentName = "a/b \"c\" \\ d\n\te\r\u{08}\u{0C}\u{01}\u{1F} é € 😀 \u{7F}"
        trail.envelopeId = ""
        trail.signers[0].userAgent = nil
        trail.signers[0].name = "Zoë O'Brien-Łukasiewicz"
        let record = Self.record(trail, template: [:])
        #expect(String(decoding: record.json, as: UTF8.self) == String(decoding: try Self.foundationJSON(record), as: UTF8.self))
    }
}

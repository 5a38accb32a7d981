import CountersignCrypto
import Foundation
import GRDB
import Testing
import TestSupport
import Workflow
import WorkflowSQLite

/// Tampering with the store behind the workflow's back — with raw SQL that drops the
/// append-only triggers first, or by replacing a file — is found and named by `audit verify`.
@Suite(.serialized) struct TamperTests {
    /// A completed envelope's store, copied for each tamper case.
    static let completed: Task<(URL, String, String), any Error> = Task {
        let fixture = try await WorkflowFixture.make("tamper")
        let envelope = try await fixture.engine.createEnvelope(fixture.agent, fixture.request())
        try await fixture.engine.send(fixture.agent, envelope: envelope.id)
        try await fixture.signAll("gabriel.cote@crescentcapital.ca", name: "Gabriel Côté")
        try await fixture.signAll("jamie.chen@northbeam.example", name: "Jamie Chen")
        _ = try await WorkflowWorker(engine: fixture.engine, smtp: nil).runDue()
        let queue = try DatabaseQueue(path: fixture.store.path)
        try await queue.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA wal_checkpoint(TRUNCATE)") }
        return (fixture.directory, envelope.id, fixture.admin.account)
    }

    struct Case: Sendable, CustomStringConvertible {
        var description: String
        var sql: String?
        var swapDocument = false
        var rewriteIP = false
        var appendVoid = false
        var expected: AuditFinding.Code
        var sequence: Int?
    }

    static let cases: [Case] = [
        Case(description: "an edited event row", sql: "UPDATE events SET type = 'recipient.approved' WHERE sequence = 5",
             expected: .eventAltered, sequence: 5),
        Case(description: "a deleted event row", sql: "DELETE FROM events WHERE sequence = 4", expected: .eventMissing, sequence: 4),
        Case(description: "two events swapped", sql: """
            UPDATE events SET sequence = -1 WHERE sequence = 6; UPDATE events SET sequence = 6 WHERE sequence = 7;
            UPDATE events SET sequence = 7 WHERE sequence = -1
            """, expected: .eventsReordered, sequence: 6),
        Case(description: "the last events cut off", sql: "DELETE FROM events WHERE sequence >= (SELECT MAX(sequence) - 1 FROM events WHERE stream LIKE 'env_%') AND stream LIKE 'env_%'",
             expected: .headMismatch),
        Case(description: "personal data edited", sql: "UPDATE event_personal SET personal = '{\"email\":\"someone@else.example\"}' WHERE sequence = 3",
             expected: .personalData, sequence: 3),
        Case(description: "a swapped sealed document", swapDocument: true, expected: .document),
        // A count of 0 once crashed the verifier (an index before the log's first event).
        Case(description: "a ledger entry's event count edited to 0", sql: "UPDATE ledger SET envelope_events = 0", expected: .ledger),
        Case(description: "the ledger's entries cut off", sql: "DELETE FROM ledger", expected: .ledger),
        // Rewritten with every hash recomputed: only the seal, signed at completion, still says what happened.
        Case(description: "a signer's IP rewritten with the chain recomputed", rewriteIP: true, expected: .sealedPDF),
        Case(description: "a void appended after the completion, its hash computed", appendVoid: true, expected: .historyImpossible),
    ]

    @Test(arguments: cases)
    func auditVerifyNamesTheTampering(_ test: Case) async throws {
        let (source, envelopeID, account) = try await Self.completed.value
        let copy = try TestEnvironment.scratchDirectory("tamper-copy-\(UUID().uuidString.prefix(8))")
        try FileManager.default.removeItem(at: copy)
        try FileManager.default.copyItem(at: source, to: copy)
        defer { try? FileManager.default.removeItem(at: copy) }
        let storeDirectory = copy.appendingPathComponent("store")
        let trust = try Certificate.load(pem: Data(contentsOf: copy.appendingPathComponent("ca/ca.pem")))
        do {
            let clean = try SQLiteWorkflowStore(directory: storeDirectory)
            let before = try await AuditVerifier(store: clean, trustAnchors: trust).verify()
            #expect(before.isIntact, "\(before.findings)")
        }
        if let sql = test.sql {
            let queue = try DatabaseQueue(path: storeDirectory.appendingPathComponent("workflow.sqlite").path)
            let statement = sql.replacingOccurrences(of: "WHERE sequence", with: "WHERE stream = '\(envelopeID)' AND sequence")
            try await queue.write { db in
                try db.execute(sql: "DROP TRIGGER events_append_only_update; DROP TRIGGER events_append_only_delete")
                try db.execute(sql: "DROP TRIGGER ledger_append_only_update; DROP TRIGGER ledger_append_only_delete")
                try db.execute(sql: statement)
            }
        }
        if test.rewriteIP {
            try await Self.rewriteSignerIP(store: storeDirectory, account: account, envelope: envelopeID)
        }
        if test.appendVoid {
            let events = try await SQLiteWorkflowStore(directory: storeDirectory).events(account: account, stream: envelopeID)
            let last = try #require(events.last)
            var void = last
            void.sequence = last.sequence + 1
            void.type = "envelope.voided"
            void.previousHash = last.hash
            void.hash = void.computedHash
            let row = void
            let queue = try DatabaseQueue(path: storeDirectory.appendingPathComponent("workflow.sqlite").path)
            try await queue.write { db in
                try db.execute(sql: """
                    INSERT INTO events (account, stream, sequence, type, at, actor, data, personal_sha256, previous_hash, hash)
                    SELECT account, stream, ?, ?, at, actor, data, personal_sha256, ?, ? FROM events WHERE account = ? AND stream = ? AND sequence = ?
                    """, arguments: [row.sequence, row.type, row.previousHash, row.hash, account, envelopeID, last.sequence])
                try db.execute(sql: """
                    INSERT INTO event_personal (account, stream, sequence, personal)
                    SELECT account, stream, ?, personal FROM event_personal WHERE account = ? AND stream = ? AND sequence = ?
                    """, arguments: [row.sequence, account, envelopeID, last.sequence])
            }
        }
        let store = try SQLiteWorkflowStore(directory: storeDirectory)
        if test.swapDocument {
            let envelope = try #require(try await store.envelope(account: account, id: envelopeID))
            let sealed = try #require(envelope.documents.first?.sealedSHA256)
            let path = try FileDocumentStore(root: storeDirectory.appendingPathComponent("documents")).url(for: sealed)
            let original = try #require(try await store.documents.get(envelope.documents[0].sentSHA256))
            try Data(original).write(to: path)
        }
        let result = try await AuditVerifier(store: store, trustAnchors: trust).verify()
        // An edited ledger row is named on the ledger, not on the envelope it speaks of.
        let named = result.findings.filter { $0.code == test.expected && ($0.stream == envelopeID || $0.stream == "ledger") }
        #expect(!named.isEmpty, "expected \(test.expected): \(result.findings)")
        if let sequence = test.sequence { #expect(named.contains { $0.sequence == sequence }, "\(named)") }
        if test.rewriteIP {
            #expect(named.contains { $0.message.contains("disagrees with the stored events") && $0.message.contains("192.0.2.66") }, "\(named)")
        }
    }

    /// Gives the first event with an IP another one, recomputing its personal hash and every
    /// hash from there on, as an insider who knows the hashing would.
    static func rewriteSignerIP(store directory: URL, account: String, envelope: String) async throws {
        var events = try await SQLiteWorkflowStore(directory: directory).events(account: account, stream: envelope)
        let first = try #require(events.firstIndex { $0.personal?["ip"] != nil })
        events[first].personal?["ip"] = "192.0.2.66"
        events[first].personalSHA256 = WorkflowEvent.personalHash(events[first].personal ?? [:])
        for index in first..<events.count {
            if index > 0 { events[index].previousHash = events[index - 1].hash }
            events[index].hash = events[index].computedHash
        }
        let rewritten = Array(events[first...])
        let queue = try DatabaseQueue(path: directory.appendingPathComponent("workflow.sqlite").path)
        try await queue.write { db in
            try db.execute(sql: "DROP TRIGGER events_append_only_update; DROP TRIGGER events_append_only_delete")
            for event in rewritten {
                try db.execute(sql: "UPDATE events SET personal_sha256 = ?, previous_hash = ?, hash = ? WHERE account = ? AND stream = ? AND sequence = ?",
                               arguments: [event.personalSHA256, event.previousHash, event.hash, account, envelope, event.sequence])
                if let personal = event.personal {
                    try db.execute(sql: "UPDATE event_personal SET personal = ? WHERE account = ? AND stream = ? AND sequence = ?",
                                   arguments: [StringMapJSON.encode(personal), account, envelope, event.sequence])
                }
            }
        }
    }
}

import Foundation
import Testing
@testable import Workflow

/// What a commit writes beside an envelope's record: nothing when neither the CRM metadata nor
/// the signing links changed, only the difference when the envelope as read is known, and
/// everything when it is not.
@Suite struct EnvelopeIndexWritesTests {
    static let at = Date(timeIntervalSince1970: 1_800_000_000)

    static func envelope(revision: Int, metadata: [String: String], tokens: [[String]]) -> Envelope {
        var envelope = Envelope(id: "env_1", account: "acme", subject: "S", template: nil, createdAt: at, createdBy: "key",
                                metadata: metadata)
        envelope.revision = revision
        envelope.recipients = tokens.enumerated().map { index, hashes in
            var recipient = Recipient(id: "rcp_\(index + 1)", name: "R", email: "r\(index)@example.com", role: .signer, routingOrder: 1)
            recipient.tokenHashes = hashes
            return recipient
        }
        return envelope
    }

    @Test func anUnchangedEnvelopeWritesNothing() {
        let read = Self.envelope(revision: 3, metadata: ["lead": "L1"], tokens: [["a"], ["b"]])
        var next = read
        next.revision = 4
        next.subject = "changed, but not indexed"
        #expect(EnvelopeIndexWrites(envelope: next, previous: read).isEmpty)
    }

    @Test func onlyTheDifferenceIsWritten() {
        let read = Self.envelope(revision: 3, metadata: ["lead": "L1", "owner": "ann", "ticket": "T"], tokens: [["a"], ["b"]])
        let next = Self.envelope(revision: 4, metadata: ["lead": "L2", "owner": "ann", "crm": "C"], tokens: [["a", "c"], []])
        let writes = EnvelopeIndexWrites(envelope: next, previous: read)
        #expect(!writes.deleteAll)
        #expect(writes.deletedMetadataKeys == ["lead", "ticket"])
        #expect(writes.insertedMetadata.map { "\($0.key)=\($0.value)" } == ["crm=C", "lead=L2"])
        #expect(writes.deletedTokenHashes == ["b"])
        #expect(writes.insertedTokens.map { "\($0.tokenHash)>\($0.recipient)" } == ["c>rcp_1"])
    }

    @Test func aTokenMovedToAnotherRecipientIsDeletedAndInsertedAgain() {
        let read = Self.envelope(revision: 1, metadata: [:], tokens: [["a"], []])
        let next = Self.envelope(revision: 2, metadata: [:], tokens: [[], ["a"]])
        let writes = EnvelopeIndexWrites(envelope: next, previous: read)
        #expect(writes.deletedTokenHashes == ["a"])
        #expect(writes.insertedTokens.map { "\($0.tokenHash)>\($0.recipient)" } == ["a>rcp_2"])
    }

    @Test(arguments: [nil, 2, 4])
    func withoutTheRevisionBeforeEverythingIsWrittenAgain(previousRevision: Int?) {
        let next = Self.envelope(revision: 4, metadata: ["lead": "L1"], tokens: [["a"]])
        let previous = previousRevision.map { Self.envelope(revision: $0, metadata: ["lead": "L1"], tokens: [["a"]]) }
        let writes = EnvelopeIndexWrites(envelope: next, previous: previous)
        #expect(writes.deleteAll)
        #expect(writes.insertedMetadata.map(\.key) == ["lead"])
        #expect(writes.insertedTokens.map(\.tokenHash) == ["a"])
    }

    @Test func aNewEnvelopeHasNothingToDelete() {
        let writes = EnvelopeIndexWrites(envelope: Self.envelope(revision: 0, metadata: ["lead": "L1"], tokens: [["a"]]), previous: nil)
        #expect(!writes.deleteAll)
        #expect(writes.insertedTokens.count == 1 && writes.insertedMetadata.count == 1)
    }
}

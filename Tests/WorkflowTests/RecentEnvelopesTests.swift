import Foundation
import Testing
@testable import Workflow

/// A signer's action starts from the envelope the engine remembers committing, without reading
/// the store; these tests make that memory stale on purpose. Two engines share one store, as two
/// nodes or a node and a CLI do: `other` changes the envelope behind `node`'s back, and `node`'s
/// next action must end as if it had read the store — the same outcome, the same events, nothing
/// refused that the stored envelope allows, nothing allowed that it refuses.
@Suite struct RecentEnvelopesTests {
    struct Nodes {
        let fixture: WorkflowFixture
        let node: WorkflowEngine
        let other: WorkflowEngine
        let envelope: String
        let context = RequestContext(ip: "203.0.113.7", userAgent: "Tests/1.0")

        /// An envelope sent by `node`, which therefore remembers it with the first signer's token.
        static func make(_ label: String = #function) async throws -> Nodes {
            let fixture = try await WorkflowFixture.make(label)
            let other = WorkflowEngine(store: fixture.store, clock: fixture.clock, configuration: fixture.engine.configuration)
            let created = try await fixture.engine.createEnvelope(fixture.agent, fixture.request())
            _ = try await fixture.engine.send(fixture.agent, envelope: created.id)
            return Nodes(fixture: fixture, node: fixture.engine, other: other, envelope: created.id)
        }

        func events() async throws -> [String] {
            try await fixture.store.events(account: fixture.agent.account, stream: envelope).map(\.type)
        }
    }

    static let customer = "gabriel.cote@crescentcapital.ca"

    @Test func aSignersActionsAfterTheFirstDoNotReadTheStore() async throws {
        let nodes = try await Nodes.make()
        let token = try await nodes.fixture.token(for: Self.customer)
        #expect(nodes.node.recent.envelope(tokenHash: sha256Hex(token))?.recipient == "rcp_1", "sending remembered the envelope")
        let view = try await nodes.node.open(token: token, context: nodes.context)
        #expect(view.needsConsent)
        #expect(try await nodes.node.recent.envelope(tokenHash: sha256Hex(token))?.envelope
            == nodes.fixture.store.envelope(account: nodes.fixture.agent.account, id: nodes.envelope), "the memory is the stored envelope")
    }

    @Test func aRefusalOnAStaleMemoryIsDecidedAgainOnTheStore() async throws {
        let nodes = try await Nodes.make()
        let token = try await nodes.fixture.token(for: Self.customer)
        // The other node lets the customer open, consent and authenticate by code; `node` still
        // remembers them unauthenticated, which would refuse the adoption.
        let view = try await nodes.other.open(token: token, context: nodes.context)
        try await nodes.other.consent(token: token, disclosureVersion: view.disclosureVersion,
                                      disclosureSHA256: nodes.other.configuration.disclosure.sha256, context: nodes.context)
        try await nodes.other.requestCode(token: token, context: nodes.context)
        try await nodes.other.authenticate(token: token, code: try await nodes.fixture.code(for: Self.customer), context: nodes.context)
        #expect(nodes.node.recent.envelope(tokenHash: sha256Hex(token))?.envelope.recipients.first?.authenticatedAt == nil)
        try await nodes.node.adopt(token: token, mark: .typed("Gabriel Côté", font: .standard), context: nodes.context)
        try await nodes.node.sign(token: token, context: nodes.context)
        let stored = try await nodes.fixture.engine.envelope(nodes.fixture.agent, id: nodes.envelope)
        #expect(stored.recipients.first?.state == .completed)
        let types = try await nodes.events()
        // Each once: adopted and signed, then the company invited.
        #expect(types.suffix(3) == ["recipient.adopted_signature", "recipient.signed", "recipient.sent"], "\(types)")
        #expect(types.filter { $0 == "recipient.signed" }.count == 1)
    }

    @Test func anActionOnAStaleMemoryOfAVoidedEnvelopeIsRefused() async throws {
        let nodes = try await Nodes.make()
        let token = try await nodes.fixture.token(for: Self.customer)
        _ = try await nodes.node.open(token: token, context: nodes.context)
        _ = try await nodes.other.void(nodes.fixture.agent, envelope: nodes.envelope, reason: "Wrong plan")
        let before = try await nodes.events()
        // `node` remembers the envelope sent: the commit it would make names a revision the
        // store no longer has, and the fresh read refuses.
        await #expect(throws: WorkflowError(.illegalTransition, "")) {
            try await nodes.node.consent(token: token, disclosureVersion: nodes.node.configuration.disclosure.version,
                                         disclosureSHA256: nodes.node.configuration.disclosure.sha256, context: nodes.context)
        }
        #expect(try await nodes.events() == before, "nothing recorded")
    }

    @Test func aLinkRevokedByACorrectionElsewhereIsRefused() async throws {
        let nodes = try await Nodes.make()
        let token = try await nodes.fixture.token(for: Self.customer)
        _ = try await nodes.other.correct(nodes.fixture.agent, envelope: nodes.envelope, recipient: "rcp_1", email: "gabriel@crescent.example")
        let before = try await nodes.events()
        await #expect(throws: WorkflowError(.unauthenticated, "")) { _ = try await nodes.node.open(token: token, context: nodes.context) }
        #expect(try await nodes.events() == before, "nothing recorded")
    }

    @Test func anActionThatChangesNothingAnswersFromTheStore() async throws {
        let nodes = try await Nodes.make()
        let token = try await nodes.fixture.token(for: Self.customer)
        let first = try await nodes.node.open(token: token, context: nodes.context)
        #expect(first.needsConsent)
        // Consent on the other node; opening again on `node` commits nothing (the same recipient,
        // the same address), so its answer must come from the store, not from the memory.
        try await nodes.other.consent(token: token, disclosureVersion: first.disclosureVersion,
                                      disclosureSHA256: nodes.other.configuration.disclosure.sha256, context: nodes.context)
        let again = try await nodes.node.open(token: token, context: nodes.context)
        #expect(!again.needsConsent)
    }

    @Test func theMemoryKeepsTheNewestRevisionAndStartsOverWhenFull() throws {
        let recent = RecentEnvelopes(capacity: 2)
        func envelope(_ id: String, revision: Int, token: String) -> Envelope {
            var recipient = Recipient(id: "rcp_1", name: "A", email: "a@example.com", role: .signer, routingOrder: 1)
            recipient.tokenHashes = [token]
            var envelope = Envelope(id: id, account: "acc_1", subject: "S", template: nil, createdAt: Date(timeIntervalSince1970: 0),
                                    createdBy: "key_1")
            envelope.recipients = [recipient]
            envelope.revision = revision
            return envelope
        }
        recent.remember(envelope("env_1", revision: 2, token: "t2"))
        recent.remember(envelope("env_1", revision: 1, token: "t1"))
        #expect(recent.envelope(tokenHash: "t2")?.envelope.revision == 2 && recent.envelope(tokenHash: "t1") == nil)
        recent.remember(envelope("env_1", revision: 3, token: "t3"))
        #expect(recent.envelope(tokenHash: "t2") == nil, "a token the newer revision no longer has is forgotten")
        recent.remember(envelope("env_2", revision: 1, token: "u1"))
        #expect(recent.count == 2)
        recent.remember(envelope("env_3", revision: 1, token: "v1"))
        #expect(recent.count == 1 && recent.envelope(tokenHash: "v1") != nil && recent.envelope(tokenHash: "t3") == nil)
        #expect(recent.bytes == RecentEnvelopes.footprint(envelope("env_3", revision: 1, token: "v1")))

        // Signature images count: a budget of two small envelopes holds one with a large image
        // alone, and none larger than the whole budget.
        let small = RecentEnvelopes.footprint(envelope("env_4", revision: 1, token: "w1"))
        let budgeted = RecentEnvelopes(capacity: 100, byteBudget: 2 * small + 10)
        budgeted.remember(envelope("env_4", revision: 1, token: "w1"))
        budgeted.remember(envelope("env_5", revision: 1, token: "x1"))
        #expect(budgeted.count == 2)
        var signed = envelope("env_6", revision: 1, token: "y1")
        signed.recipients[0].mark = .drawn(png: Data(count: small))
        budgeted.remember(signed)
        #expect(budgeted.count == 1 && budgeted.envelope(tokenHash: "y1") != nil && budgeted.bytes <= budgeted.byteBudget)
        signed.revision = 2
        signed.recipients[0].mark = .drawn(png: Data(count: 3 * small))
        budgeted.remember(signed)
        #expect(budgeted.count == 0 && budgeted.bytes == 0 && budgeted.envelope(tokenHash: "y1") == nil)
    }
}

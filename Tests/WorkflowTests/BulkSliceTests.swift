import Foundation
import Testing
import TestSupport
@testable import Workflow

/// A bulk send is worked off in slices: each job works for `bulkSlice` (at least one batch of
/// rows), then hands over to a follow-up job due at once. Other jobs run between slices, and a
/// node shutting down finishes its slice instead of being cancelled mid-row.
@Suite struct BulkSliceTests {
    @Test func aBulkSendIsWorkedOffInSlicesEachAHandOverDueAtOnce() async throws {
        let fixture = try await WorkflowFixture.make(bulkSlice: 0)
        var spec = BulkSpec(templateID: "service-agreement", templateVersion: "3", subject: "Bulk {{lead_id}}",
                            recipients: [RecipientRequest(name: "{{contact_first_name}}", email: "{{contact_email}}", role: .signer,
                                                          authentication: .link, signatureRole: "customer"),
                                         RecipientRequest(name: "Jamie Chen", email: "jamie.chen@northbeam.example", role: .signer,
                                                          routingOrder: 2, authentication: .link, signatureRole: "company")])
        spec.rowKeyColumn = "lead_id"
        let bulk = try await fixture.engine.createBulkSend(fixture.agent, spec: spec)
        // 45 rows: three batches of 20, so three slices with a zero-length slice.
        var leads = (1...45).map { index in
            var lead = WorkflowFixture.lead
            lead["lead_id"] = String(format: "LD-%06d", index)
            return lead
        }.makeIterator()
        #expect(try await fixture.engine.addBulkRows(fixture.agent, bulk: bulk.id) { leads.next().map { (1, .success($0)) } }.added == 45)
        let pass = try await WorkflowWorker(engine: fixture.engine, smtp: nil).runDue()
        #expect(pass.ran[.bulkSend] == 3, "\(pass.ran)")
        let rows = try await fixture.engine.bulkRows(fixture.agent, bulk: bulk.id)
        #expect(rows.count == 45 && rows.allSatisfy { $0.state == .created })
        let jobs = try await fixture.store.jobs(account: fixture.agent.account, kind: .bulkSend, envelope: bulk.id)
        #expect(jobs.count == 3 && jobs.allSatisfy { $0.state == .done }, "\(jobs.map(\.state))")
        // The e-mails of each slice were claimed before the next slice (they come first).
        #expect(pass.ran[.email] == nil, "no relay in this worker: the e-mails wait, queued")
    }

    /// A spec no row could be sent with (a required signature nobody signs) is refused at once,
    /// not row by row.
    @Test func aSpecMissingARequiredSignerIsRefusedBeforeAnyRow() async throws {
        let fixture = try await WorkflowFixture.make()
        let spec = BulkSpec(templateID: "service-agreement", templateVersion: "3", subject: "Bulk",
                            recipients: [RecipientRequest(name: "{{contact_first_name}}", email: "{{contact_email}}", role: .signer,
                                                          authentication: .link, signatureRole: "customer")])
        do {
            _ = try await fixture.engine.createBulkSend(fixture.agent, spec: spec)
            Issue.record("a bulk send without the company's signer was accepted")
        } catch let error as WorkflowError {
            #expect(error.code == .invalidRequest && error.reason.contains("required signature for 'company'"), "\(error.reason)")
        }
    }

    @Test func aCSVWithoutTheRowKeyColumnIsRefusedWhole() async throws {
        let fixture = try await WorkflowFixture.make()
        var spec = BulkSpec(templateID: "service-agreement", templateVersion: "3", subject: "Bulk",
                            recipients: [RecipientRequest(name: "{{contact_first_name}}", email: "{{contact_email}}", role: .signer,
                                                          authentication: .link, signatureRole: "customer"),
                                         RecipientRequest(name: "Jamie Chen", email: "jamie.chen@northbeam.example", role: .signer,
                                                          routingOrder: 2, authentication: .link, signatureRole: "company")])
        spec.rowKeyColumn = "lead_id"
        let bulk = try await fixture.engine.createBulkSend(fixture.agent, spec: spec)
        let file = try TestEnvironment.scratchDirectory().appendingPathComponent("rows.csv")
        try Data("lead_ld,contact_email\r\nLD-1,a@example.com\r\n".utf8).write(to: file)
        await #expect {
            _ = try await fixture.engine.addBulkRows(fixture.agent, bulk: bulk.id, file: file, format: .csv)
        } throws: { error in
            guard let error = error as? WorkflowError else { return false }
            return error.code == .invalidRequest && error.reason.contains("has no column 'lead_id'") && error.reason.contains("did you mean 'lead_ld'?")
        }
        #expect(try await fixture.engine.bulkRows(fixture.agent, bulk: bulk.id).isEmpty, "nothing was added")
    }
}

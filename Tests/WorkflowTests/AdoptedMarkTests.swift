import Foundation
import Testing
import TestSupport
import Typesetting
import Workflow

/// A typed mark's script font: stored with the mark (old rows without one read as Dancing
/// Script), named by a known identifier at the boundary, recorded in the adoption event.
@Suite struct AdoptedMarkTests {
    private func json(_ mark: AdoptedMark) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return String(decoding: try encoder.encode(mark), as: UTF8.self)
    }

    private func mark(_ json: String) throws -> AdoptedMark {
        try JSONDecoder().decode(AdoptedMark.self, from: Data(json.utf8))
    }

    @Test func theStoredShapeKeepsTheFontAndRowsWithoutOneReadAsDancingScript() throws {
        #expect(try json(.typed("Zoë", font: .kaushanScript)) == #"{"typed":{"_0":"Zoë","font":"kaushan-script"}}"#)
        #expect(try json(.drawn(png: Data([1, 2]))) == #"{"drawn":{"png":"AQI="}}"#)
        #expect(try json(.uploaded(png: Data([3]))) == #"{"uploaded":{"png":"Aw=="}}"#)
        // What the store held before marks had a font (the synthesized coding's shape).
        #expect(try mark(#"{"typed":{"_0":"Gabriel Côté"}}"#) == .typed("Gabriel Côté", font: .dancingScript))
        for value in [AdoptedMark.typed("Ana", font: .texGyreChorus), .typed("Ana"), .drawn(png: Data([9])), .uploaded(png: Data())] {
            #expect(try mark(try json(value)) == value)
        }
    }

    @Test(arguments: [#"{"typed":{"_0":"Ana","font":"comic-sans"}}"#, #"{"typed":{"font":"kaushan-script"}}"#,
                      #"{"typed":{"_0":"Ana"},"drawn":{"png":""}}"#, #"{}"#, #"{"painted":{"png":""}}"#])
    func aMalformedStoredMarkIsADecodingError(_ stored: String) {
        #expect(throws: DecodingError.self) { try mark(stored) }
    }

    @Test func aFontIsNamedByAKnownIdentifierOrRefusedNamingTheField() throws {
        #expect(try AdoptedMark.typed("Ana", fontIdentifier: nil) == .typed("Ana", font: .dancingScript))
        for font in SignatureFont.allCases {
            #expect(try AdoptedMark.typed("Ana", fontIdentifier: font.rawValue) == .typed("Ana", font: font))
        }
        for unknown in ["", "Kaushan Script", "KAUSHAN-SCRIPT", "comic-sans"] {
            do {
                _ = try AdoptedMark.typed("Ana", fontIdentifier: unknown)
                Issue.record("'\(unknown)' was taken")
            } catch {
                #expect(error.code == .invalidRequest)
                #expect(error.reason.hasPrefix("font: '\(unknown)'") && error.reason.contains("dancing-script, kaushan-script, tex-gyre-chorus"),
                        "\(error.reason)")
            }
        }
        #expect(AdoptedMark.typed("Ana", font: .kaushanScript).scriptFont == .kaushanScript)
        #expect(AdoptedMark.drawn(png: Data()).scriptFont == .dancingScript)
    }

    @Test func theAdoptionEventRecordsTheFontAndTheEnvelopeKeepsIt() async throws {
        let fixture = try await WorkflowFixture.make(seal: false)
        let envelope = try await fixture.engine.createEnvelope(fixture.agent, fixture.request())
        try await fixture.engine.send(fixture.agent, envelope: envelope.id)
        let token = try await fixture.token(for: "gabriel.cote@crescentcapital.ca")
        let context = RequestContext(ip: "192.0.2.1")
        let view = try await fixture.engine.open(token: token, context: context)
        try await fixture.engine.consent(token: token, disclosureVersion: view.disclosureVersion,
                                         disclosureSHA256: fixture.engine.configuration.disclosure.sha256, context: context)
        try await fixture.engine.requestCode(token: token, context: context)
        try await fixture.engine.authenticate(token: token, code: try await fixture.code(for: "gabriel.cote@crescentcapital.ca"),
                                              context: context)
        try await fixture.engine.adopt(token: token, mark: .typed("Gabriel Côté", font: .texGyreChorus), context: context)
        // Only a PNG the completion can draw, and that shows something, is taken.
        let blank = await #expect(throws: WorkflowError.self) {
            try await fixture.engine.adopt(token: token, mark: .drawn(png: Data([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A])), context: context)
        }
        #expect(blank?.code == .invalidRequest && blank?.reason.contains("the signature image cannot be used: the PNG cannot be read") == true)
        let drawing = try Data(contentsOf: TestEnvironment.root.appendingPathComponent("Fixtures/signature-mark.png"))
        try await fixture.engine.adopt(token: token, mark: .drawn(png: drawing), context: context)
        try await fixture.engine.adopt(token: token, mark: .typed("G. Côté", font: .kaushanScript), context: context)
        let events = try await fixture.store.events(account: fixture.admin.account, stream: envelope.id)
            .filter { $0.type == "recipient.adopted_signature" }
        #expect(events.map { $0.data["kind"] ?? "" } == ["typed", "drawn", "typed"])
        #expect(events.map { $0.data["font"] } == ["tex-gyre-chorus", nil, "kaushan-script"])
        let stored = try await fixture.engine.envelope(fixture.agent, id: envelope.id)
        #expect(stored.recipients.first { $0.email == "gabriel.cote@crescentcapital.ca" }?.mark == .typed("G. Côté", font: .kaushanScript))
    }
}

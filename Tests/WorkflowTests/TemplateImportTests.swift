import Foundation
import Testing
import TestSupport
import Workflow

/// Importing a template checks that it compiles: its own errors are refused at once, by line
/// and column, and change nothing; a draft may still wait for its clauses to be approved.
@Suite(.serialized) struct TemplateImportTests {
    static func template(id: String, body: String, fields: String = #"<field name="company_name" type="text" required="true"/>"#) -> Data {
        Data("""
            <template xmlns="urn:countersign:template:1" id="\(id)" version="1">
              <fields>\(fields)</fields>
              <body>
            \(body)
              </body>
            </template>
            """.utf8)
    }

    @Test func aTemplateWithItsOwnErrorsIsRefusedByLineAndColumnAndChangesNothing() async throws {
        let fixture = try await WorkflowFixture.make()
        let before = try await fixture.store.events(account: fixture.admin.account, stream: "library")
        let source = Self.template(id: "broken", body: "    <h1>Order — {{company_nme}}</h1>\n    <signature role=\"customer\" colour=\"red\"/>",
                                   fields: #"<field name="company_name" type="txt"/>"#)
        do {
            _ = try await fixture.engine.importTemplate(fixture.legal, source: source, name: "broken.xml")
            Issue.record("a template that does not compile was imported")
        } catch let error as WorkflowError {
            #expect(error.code == .template)
            #expect(error.reason.hasPrefix("broken.xml does not compile, so it was not imported (fix the file and import it again): \n  broken.xml:"), "\(error.reason)")
            // Each problem, at its place in the file as the caller named it.
            #expect(error.reason.contains("broken.xml:2:"), "the field's type, line 2: \(error.reason)")
            #expect(error.reason.contains("'txt'"), "\(error.reason)")
            #expect(error.reason.contains("company_nme"), "\(error.reason)")
            #expect(error.reason.contains("colour"), "\(error.reason)")
            #expect(!error.reason.contains("countersign-template-"), "no scratch path leaks: \(error.reason)")
        }
        #expect(try await fixture.store.templateVersion(account: fixture.admin.account, templateID: "broken", version: "1") == nil)
        #expect(try await fixture.store.events(account: fixture.admin.account, stream: "library").map(\.hash) == before.map(\.hash))
    }

    @Test func aDraftMayWaitForItsClauseToBeApproved() async throws {
        let fixture = try await WorkflowFixture.make()
        // The shipped library's AI addendum is proposed, not approved.
        let source = Self.template(id: "ai-order", body: """
                <h1>Order — {{company_name}}</h1>
                <clause ref="ai-features-addendum" version="1"/>
                <signature role="customer"/>
            """)
        let draft = try await fixture.engine.importTemplate(fixture.legal, source: source, name: "ai-order.xml")
        #expect(draft.state == .draft)
        let early = await #expect(throws: WorkflowError.self) {
            try await fixture.engine.publishTemplate(fixture.legal, templateID: "ai-order", version: "1")
        }
        // Not "no clause": the clause is there, waiting for approval.
        #expect(early?.reason.contains("proposed but not approved yet: ai-features-addendum@1") == true, "\(String(describing: early))")
        #expect(early?.reason.contains("no clause") == false, "\(String(describing: early))")
        _ = try await fixture.engine.approveClause(fixture.legal, clauseID: "ai-features-addendum", version: "1")
        let published = try await fixture.engine.publishTemplate(fixture.legal, templateID: "ai-order", version: "1")
        #expect(published.state == .published)
    }

    /// A file's own approval must be one the compiler accepts, and dated no later than today:
    /// stored as approved otherwise, the version could be neither used nor approved again.
    @Test func aClauseFilesApprovalIsCheckedBeforeItIsStored() async throws {
        let fixture = try await WorkflowFixture.make()
        func clause(_ attributes: String) -> Data {
            Data("<clause xmlns=\"urn:countersign:template:1\" id=\"gov\" version=\"1\" \(attributes)><p>Text.</p></clause>".utf8)
        }
        let refused: [(String, String)] = [
            (#"approved-by=" " approved-on="2024-01-02""#, "names no approver"),
            (#"approved-by="Dana" approved-on="2099-12-31""#, "after today"),
            (#"approved-by="Dana" approved-on="02/01/2024""#, "is not a date"),
            (#"approved-by="Dana""#, "approved-by without approved-on"),
        ]
        for (attributes, reason) in refused {
            let error = await #expect(throws: WorkflowError.self) {
                _ = try await fixture.engine.importClause(fixture.legal, source: clause(attributes), name: "gov@1.xml")
            }
            #expect(error?.code == .invalidRequest && error?.reason.contains(reason) == true, "\(attributes): \(String(describing: error))")
            #expect(try await fixture.store.clauseVersion(account: fixture.legal.account, clauseID: "gov", version: "1") == nil)
        }
        let approved = try await fixture.engine.importClause(fixture.legal, source: clause(#"approved-by=" Dana Whitfield " approved-on="2024-01-02""#),
                                                             name: "gov@1.xml")
        #expect(approved.state == .approved && approved.approvedBy == "Dana Whitfield")
    }

    @Test func aLibraryWithOneBrokenTemplateIsNotImportedAtAll() async throws {
        // A fresh account, so the library folder's clauses would be new.
        let fixture = try await WorkflowFixture.make()
        let (_, key) = try await fixture.engine.createAccount(name: "Second")
        let admin = try await fixture.engine.authenticate(apiKey: key.secret)
        let legal = try await fixture.engine.authenticate(apiKey: try await fixture.engine.issueKey(admin, role: .legal, name: "legal").secret,
                                                          onBehalfOf: "legal@second.example")
        let folder = try TestEnvironment.scratchDirectory("library-\(UUID().uuidString.prefix(8))")
        for part in ["clauses", "assets"] {
            try FileManager.default.copyItem(at: TestEnvironment.root.appendingPathComponent("Templates/\(part)"),
                                             to: folder.appendingPathComponent(part))
        }
        try FileManager.default.copyItem(at: TestEnvironment.root.appendingPathComponent("Templates/service-agreement.xml"),
                                         to: folder.appendingPathComponent("a-service-agreement.xml"))
        try Self.template(id: "zz-broken", body: "    <p>{{nobody}}</p>").write(to: folder.appendingPathComponent("zz-broken.xml"))
        let refused = await #expect(throws: WorkflowError.self) {
            try await fixture.engine.importLibrary(legal, directory: folder)
        }
        #expect(refused?.reason.contains("zz-broken.xml does not compile, so nothing from \(folder.lastPathComponent)/ was imported") == true,
                "\(refused?.reason ?? "")")
        #expect(try await fixture.store.clauseVersions(account: legal.account, clauseID: nil).isEmpty)
        #expect(try await fixture.store.templateVersion(account: legal.account, templateID: "service-agreement", version: "3") == nil)
        #expect(try await fixture.store.events(account: legal.account, stream: "library").isEmpty)
        // Without the broken file, the same folder imports, its templates checked against its own approved clauses.
        try FileManager.default.removeItem(at: folder.appendingPathComponent("zz-broken.xml"))
        let library = try await fixture.engine.importLibrary(legal, directory: folder)
        #expect(library.templates.map(\.templateID) == ["service-agreement"])
        #expect(!library.clauses.isEmpty)
    }
}

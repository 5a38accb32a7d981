import Foundation
import Templates
import TestSupport
import Testing

/// A scratch folder with a template and a clause library.
private struct Library {
    let root: URL
    var clauses: URL { root.appendingPathComponent("clauses") }
    var compiler: TemplateCompiler { TemplateCompiler(clauseLibrary: clauses) }

    init(_ label: String = #function) throws {
        root = try TestEnvironment.scratchDirectory(label)
        try FileManager.default.createDirectory(at: clauses, withIntermediateDirectories: true)
    }

    func clause(_ file: String, id: String, version: String, approval: String = "approved-by=\"Legal\" approved-on=\"2025-01-02\"",
                title: String = "Terms", body: String) throws {
        let text = """
        <clause xmlns="urn:countersign:template:1" id="\(id)" version="\(version)" \(approval) title="\(title)">
          \(body)
        </clause>

        """
        try Data(text.utf8).write(to: clauses.appendingPathComponent(file))
    }

    /// Writes `t.xml` with `body` (line 5) and compiles it.
    func compile(_ body: String, fields: String = "") throws -> CompiledTemplate {
        let text = """
        <template xmlns="urn:countersign:template:1" id="t" version="1">
          <fields><field name="plan" type="text"/>\(fields)</fields>
          <header><p>Header</p></header>
          <body>
            \(body)
          </body>
        </template>

        """
        let url = root.appendingPathComponent("t.xml")
        try Data(text.utf8).write(to: url)
        return try compiler.compile(file: url)
    }

    /// The diagnostics of compiling `body`, with the scratch path shortened to `$`.
    func errors(_ body: String, fields: String = "") -> [String] {
        do {
            _ = try compile(body, fields: fields)
            return []
        } catch let error as TemplateError {
            return error.diagnostics.map { $0.description.replacingOccurrences(of: root.path, with: "$") }
        } catch {
            return ["\(error)"]
        }
    }
}

@Suite struct ClauseLibraryTests {
    @Test func pinsPickTheRightVersion() throws {
        let library = try Library()
        try library.clause("terms.xml", id: "terms", version: "2", body: "<p>New terms.</p>")
        try library.clause("terms@1.xml", id: "terms", version: "1", body: "<p>Old terms.</p>")
        #expect(try library.compile("<clause ref=\"terms\" version=\"1\"/>").bind([:]).plainText.contains("Old terms."))
        let current = try library.compile("<clause ref=\"terms\" version=\"2\" heading=\"h2\"/>")
        #expect(current.clauses == [PinnedClause(id: "terms", version: "2", title: "Terms", approvedBy: "Legal",
                                                 approvedOn: "2025-01-02")])
        let document = try current.bind([:])
        #expect(document.plainText == "Header\nTerms\nNew terms.")
        guard case .heading(2, _) = document.body[0] else { Issue.record("no heading"); return }
        #expect(library.errors("<clause ref=\"terms\" version=\"3\"/>") == [
            "$/t.xml:5:34: error: <clause>: clause 'terms' has no version 3; the library has 1, 2"])
        #expect(library.errors("<clause ref=\"terms\"/>") == [
            "$/t.xml:5:5: error: <clause>: clause 'terms' is not pinned to a version; expected version=\"…\" (the library has 1, 2)"])
    }

    @Test func whenIncludesTheClauseConditionally() throws {
        let library = try Library()
        try library.clause("terms.xml", id: "terms", version: "1", body: "<p>Terms for {{plan}}.</p>")
        let template = try library.compile("<clause ref=\"terms\" version=\"1\" when=\"plan == 'Business'\"/>")
        #expect(try template.bind(["plan": .string("Business")]).plainText == "Header\nTerms for Business.")
        #expect(try template.bind(["plan": .string("Starter")]).plainText == "Header")
    }

    @Test(arguments: [
        ("approved-on=\"2025-01-02\"", "approval missing approved-by"),
        ("approved-by=\"  \" approved-on=\"2025-01-02\"", "blank approved-by"),
        ("approved-by=\"Legal\" approved-on=\"last week\"", "approved-on not a date"),
        ("approved-by=\"Legal\" approved-on=\"2025-02-30\"", "approved-on not a real day"),
        ("", "no approval at all"),
    ])
    func unapprovedClausesAreRefused(approval: String, why: String) throws {
        let library = try Library()
        try library.clause("terms.xml", id: "terms", version: "1", approval: approval, body: "<p>Draft.</p>")
        #expect(library.errors("<clause ref=\"terms\" version=\"1\"/>") == [
            "$/t.xml:5:5: error: <clause>: clause 'terms' version 1 is not approved; expected approved-by and "
                + "approved-on=\"YYYY-MM-DD\" in $/clauses/terms.xml"], "\(why)")
    }

    @Test func brokenClauseFilesAreReportedInTheirOwnFile() throws {
        let library = try Library()
        try library.clause("renamed.xml", id: "other", version: "1", body: "<p>x</p>")
        try library.clause("nested.xml", id: "nested", version: "1",
                           body: "<clause ref=\"renamed\" version=\"1\"/><signature role=\"x\"/><p>{{seats}}</p>")
        try Data("<clause xmlns=\"urn:countersign:template:1\" id=\"bad\" version=\"1\"><p>x</clause>".utf8)
            .write(to: library.clauses.appendingPathComponent("bad.xml"))
        #expect(library.errors("<clause ref=\"renamed\" version=\"1\"/>") == [
            "$/t.xml:5:5: error: <clause>: $/clauses/renamed.xml declares id 'other'; expected 'renamed'"])
        #expect(library.errors("<clause ref=\"nested\" version=\"1\"/>") == [
            "$/clauses/nested.xml:2:3: error: <clause>: not allowed inside a clause; clauses cannot include other clauses",
            "$/clauses/nested.xml:2:38: error: <signature>: not allowed inside a clause; signatures belong to the template",
            "$/clauses/nested.xml:2:64: error: <p>: undeclared field 'seats'; declare it in the <fields> of the template "
                + "pinning this clause ($/t.xml:5:5)",
        ])
        #expect(library.errors("<clause ref=\"bad\" version=\"1\"/>") == [
            "$/t.xml:5:5: error: <clause>: clause 'bad' version 1 could not be read",
            "$/clauses/bad.xml:1:78: error: <clause>: </clause> closes <p>, opened on line 1; expected </p> first",
        ])
    }

    @Test func clausesBelongInTheBodyAndTakeNoContent() throws {
        let library = try Library()
        try library.clause("terms.xml", id: "terms", version: "1", body: "<p>Terms.</p>")
        #expect(library.errors("<clause ref=\"terms\" version=\"1\">Our wording</clause>") == [
            "$/t.xml:5:37: error: <clause>: clause text comes from the clause library and cannot be overridden; "
                + "expected an empty element such as <clause ref=\"…\" version=\"…\"/>"])
        #expect(library.errors("<keep-together><clause ref=\"terms\" version=\"1\"/></keep-together>") == [])
        #expect(library.errors("<clause ref=\"../terms\" version=\"1\"/>") == [
            "$/t.xml:5:18: error: <clause>: ref: '../terms' is not a clause id; expected lower-case letters, digits and '-'"])
    }

    @Test func provenanceHashCoversTemplateAndPinnedClausesInPinOrder() throws {
        let library = try Library()
        try library.clause("alpha.xml", id: "alpha", version: "1", body: "<p>Alpha.</p>")
        try library.clause("beta.xml", id: "beta", version: "1", body: "<p>Beta.</p>")
        try library.clause("gamma.xml", id: "gamma", version: "1", body: "<p>Gamma (not pinned).</p>")
        let body = """
        <if test="plan == 'x'"><clause ref="beta" version="1"/></if>
            <clause ref="alpha" version="1"/>
            <clause ref="beta" version="1" when="plan == 'y'"/>
        """
        let first = try library.compile(body)
        #expect(first.clauses.map(\.id) == ["beta", "alpha"])
        let concatenated = try ["t.xml", "clauses/beta.xml", "clauses/alpha.xml"].reduce(Data()) {
            $0 + (try Data(contentsOf: library.root.appendingPathComponent($1)))
        }
        let independent = try runCommand("sha256sum", [], input: concatenated).stdout.prefix(64)
        #expect(first.sha256Hex == String(independent))
        #expect(try library.compile(body).sha256Hex == first.sha256Hex)
        #expect(try first.bind([:]).info.custom["CountersignClauses"] == "beta@1 alpha@1")

        try library.clause("gamma.xml", id: "gamma", version: "1", body: "<p>Gamma, edited.</p>")
        #expect(try library.compile(body).sha256Hex == first.sha256Hex)
        try library.clause("alpha.xml", id: "alpha", version: "1", body: "<p>Alpha, edited.</p>")
        let edited = try library.compile(body)
        #expect(edited.sha256Hex != first.sha256Hex)
        #expect(try edited.bind([:]).info.custom["CountersignTemplateSHA256"] == edited.sha256Hex)
    }

    @Test func sampleHashesAreStable() throws {
        for name in Samples.names {
            #expect(try Samples.compile(name).sha256Hex == Samples.compile(name).sha256Hex)
        }
    }
}

import Foundation
import Templates
import TestSupport
import Testing

/// A small template around `body` (which starts on line 8, column 5).
func wrap(_ body: String) -> String {
    """
    <template xmlns="urn:countersign:template:1" id="broken" version="1">
      <fields>
        <field name="company_name" type="text"/>
        <field name="plan" type="enum" values="Starter Business Enterprise"/>
        <field name="line_items" type="list"/>
      </fields>
      <body>
        \(body)
      </body>
    </template>
    """
}

/// Compiles `source` as `Templates/broken.xml`; returns the diagnostics with paths relative to the
/// repository root (empty when it compiled).
func diagnostics(of source: String) -> [String] {
    let path = TestEnvironment.root.appendingPathComponent("Templates/broken.xml").path
    do {
        _ = try Samples.relativeCompiler.compile(source: Array(source.utf8), path: path)
        return []
    } catch {
        return error.diagnostics.map { $0.description.replacingOccurrences(of: TestEnvironment.root.path + "/", with: "") }
    }
}

struct BrokenCase: Sendable, CustomTestStringConvertible {
    var name: String
    var source: String
    var expected: [String]
    var testDescription: String { name }
}

private let file = "Templates/broken.xml"

let brokenCases: [BrokenCase] = [
    BrokenCase(name: "a bare ampersand", source: wrap("<p>Smith & Sons</p>"),
               expected: ["\(file):8:15: error: xmlParseEntityRef: no name — a bare '&' in text or in an attribute: write it as &amp;"]),
    BrokenCase(name: "unknown element, did you mean", source: wrap("<tabel columns=\"1fr\"/>"),
               expected: ["\(file):8:5: error: <tabel>: unknown element; did you mean <table>?"]),
    BrokenCase(name: "unknown element, no close match", source: wrap("<paragraph>x</paragraph>"),
               expected: ["\(file):8:5: error: <paragraph>: unknown element; expected one of <p>, <h1>, <h2>, <h3>, "
                          + "<ul>, <ol>, <table>, <image>, <keep-together>, <page-break>, <signature>, <initials>, <date-signed>, "
                          + "<text-field>, <checkbox>, <dropdown>, <spacer>, <hr>, "
                          + "<clause>, <if>, <elif>, <else>, <for>"]),
    BrokenCase(name: "unknown attribute", source: wrap("<p styel=\"small\">x</p>"),
               expected: ["\(file):8:8: error: <p>: unknown attribute 'styel'; did you mean 'style'?"]),
    BrokenCase(name: "bad expression syntax", source: wrap("<if test=\"plan = 'Starter'\"><p>x</p></if>"),
               expected: ["\(file):8:20: error: <if>: test: unexpected '='; use '==' to compare"]),
    BrokenCase(name: "incomplete expression", source: wrap("<if test=\"plan == 'Starter' and\"><p>x</p></if>"),
               expected: ["\(file):8:36: error: <if>: test: unexpected end of expression; expected a value"]),
    BrokenCase(name: "undeclared field in text", source: wrap("<p>Dear {{compnay_name}},</p>"),
               expected: ["\(file):8:15: error: <p>: undeclared field 'compnay_name'; did you mean 'company_name'?"]),
    BrokenCase(name: "undeclared field in a test, after an entity", source: wrap("<if test=\"seats &lt; 10\"><p>x</p></if>"),
               expected: ["\(file):8:15: error: <if>: undeclared field 'seats'; declare it in <fields>"]),
    BrokenCase(name: "unknown formatter", source: wrap("<p>{{ company_name | curency:\"USD\" }}</p>"),
               expected: ["\(file):8:26: error: <p>: unknown formatter 'curency'; did you mean 'currency'?"]),
    BrokenCase(name: "missing clause", source: wrap("<clause ref=\"non-compete\" version=\"1\"/>"),
               expected: ["\(file):8:5: error: <clause>: no clause 'non-compete' in the clause library Templates/clauses"]),
    BrokenCase(name: "misspelt clause", source: wrap("<clause ref=\"confidentialty\" version=\"3\"/>"),
               expected: ["\(file):8:5: error: <clause>: no clause 'confidentialty' in the clause library Templates/clauses; "
                          + "did you mean 'confidentiality'?"]),
    BrokenCase(name: "unpinned version", source: wrap("<clause ref=\"confidentiality\"/>"),
               expected: ["\(file):8:5: error: <clause>: clause 'confidentiality' is not pinned to a version; "
                          + "expected version=\"…\" (the library has 3)"]),
    BrokenCase(name: "version not in library", source: wrap("<clause ref=\"limitation-of-liability\" version=\"5\"/>"),
               expected: ["\(file):8:52: error: <clause>: clause 'limitation-of-liability' has no version 5; the library has 1, 2"]),
    BrokenCase(name: "unapproved clause", source: wrap("<clause ref=\"ai-features-addendum\" version=\"1\"/>"),
               expected: ["\(file):8:5: error: <clause>: clause 'ai-features-addendum' version 1 is not approved; expected "
                          + "approved-by and approved-on=\"YYYY-MM-DD\" in Templates/clauses/ai-features-addendum.xml"]),
    BrokenCase(name: "clause with children", source: wrap("<clause ref=\"confidentiality\" version=\"3\"><p>Our own text.</p></clause>"),
               expected: ["\(file):8:47: error: <clause>: clause text comes from the clause library and cannot be overridden; "
                          + "expected an empty element such as <clause ref=\"…\" version=\"…\"/>"]),
    BrokenCase(name: "clause field the template does not declare", source: wrap("<clause ref=\"discount-terms\" version=\"1\"/>"),
               expected: [
                "Templates/clauses/discount-terms.xml:4:24: error: <p>: undeclared field 'discount_pct'; declare it in the "
                    + "<fields> of the template pinning this clause (\(file):8:5)",
                "Templates/clauses/discount-terms.xml:5:8: error: <p>: undeclared field 'term_months'; declare it in the "
                    + "<fields> of the template pinning this clause (\(file):8:5)",
               ]),
    BrokenCase(name: "elif without if", source: wrap("<p>a</p><elif test=\"plan == 'Business'\"><p>b</p></elif>"),
               expected: ["\(file):8:13: error: <elif>: has no <if> before it; expected <elif> directly after an <if> or <elif>"]),
    BrokenCase(name: "else after else", source: wrap("<if test=\"plan\"><p>a</p></if><else><p>b</p></else><else/>"),
               expected: ["\(file):8:55: error: <else>: comes after <else>; expected <else> directly after an <if> or <elif>"]),
    BrokenCase(name: "for without in", source: wrap("<for each=\"item\"><p>{{item.name}}</p></for>"),
               expected: ["\(file):8:5: error: <for>: missing attribute 'in'; expected a value, e.g. in=\"line_items\""]),
    BrokenCase(name: "for over a non-list field", source: wrap("<for each=\"c\" in=\"company_name\"><p>{{c}}</p></for>"),
               expected: ["\(file):8:23: error: <for>: in: field 'company_name' is text; expected a list field"]),
    BrokenCase(name: "bad unit", source: wrap("<spacer height=\"3furlongs\"/>"),
               expected: ["\(file):8:21: error: <spacer>: height: unknown unit 'furlongs' in '3furlongs'; expected pt, in, mm, cm or px"]),
    BrokenCase(name: "bad color", source: wrap("<hr color=\"blu\"/>"),
               expected: ["\(file):8:16: error: <hr>: color: 'blu' is not a colour; expected #rgb, #rrggbb or a name such as "
                          + "black, gray, navy; did you mean 'blue'?"]),
    BrokenCase(name: "bad hex color", source: wrap("<hr color=\"#12345\"/>"),
               expected: ["\(file):8:16: error: <hr>: color: '#12345' is not a colour; expected #rgb, #rrggbb or a name such as "
                          + "black, gray, navy"]),
    BrokenCase(name: "signature without role", source: wrap("<signature label=\"Customer\"/>"),
               expected: ["\(file):8:5: error: <signature>: missing attribute 'role'; expected a value, e.g. role=\"customer\""]),
    BrokenCase(name: "duplicate signature role",
               source: wrap("<signature role=\"customer\"/><signature role=\"customer\"/>"),
               expected: ["\(file):8:50: error: <signature>: role: 'customer' already has a signature; expected one <signature> per role"]),
    BrokenCase(name: "signature in a loop", source: wrap("<for each=\"i\" in=\"line_items\"><signature role=\"x\"/></for>"),
               expected: ["\(file):8:35: error: <signature>: not allowed inside <for>; each role signs once"]),
    BrokenCase(name: "malformed XML (libxml2)", source: wrap("<p>Unclosed <b>bold</p>"),
               expected: ["\(file):8:28: error: <p>: </p> closes <b>, opened on line 8; expected </b> first"]),
    BrokenCase(name: "unclosed element at the end (libxml2)", source: "<template xmlns=\"urn:countersign:template:1\" id=\"x\" version=\"1\"><body>",
               expected: ["\(file):1:71: error: <body>: the file ends before </body> (opened on line 1); expected </body>"]),
    BrokenCase(name: "undefined entity (libxml2)", source: wrap("<p>Fees&nbsp;apply</p>"),
               expected: ["\(file):8:18: error: Entity 'nbsp' not defined — XML knows only &amp; &lt; &gt; &quot; &apos;: "
                          + "write the character itself (UTF-8) or &#NNNN;"]),
    BrokenCase(name: "table row shape", source: wrap("<table columns=\"2fr 1fr\"><row><cell>a</cell></row></table>"),
               expected: ["\(file):8:30: error: <row>: the cells span 1 column but the table has 2; expected cells (with span) "
                          + "filling every column"]),
    BrokenCase(name: "stray text", source: wrap("Loose text"),
               expected: ["\(file):8:5: error: <body>: text is not allowed directly in <body>; expected a block element such as <p>"]),
    BrokenCase(name: "page number in the body", source: wrap("<p>Page {{page}}</p>"),
               expected: ["\(file):8:15: error: <p>: {{page}} is only available in <header> and <footer>"]),
    BrokenCase(name: "unknown style", source: wrap("<p style=\"smal\">x</p>"),
               expected: ["\(file):8:15: error: <p>: unknown style 'smal'; did you mean 'small'?"]),
    BrokenCase(name: "missing image", source: wrap("<image src=\"assets/missing.png\"/>"),
               expected: ["\(file):8:17: error: <image>: src: no file 'assets/missing.png' next to the template"]),
    BrokenCase(name: "image outside the template folder", source: wrap("<image src=\"../Package.swift\"/>"),
               expected: ["\(file):8:17: error: <image>: src: '../Package.swift' must be a relative path inside the "
                          + "template's folder (no '..', no '/' at the start)"]),
    BrokenCase(name: "image that is not PNG or JPEG", source: wrap("<image src=\"clauses/confidentiality.xml\"/>"),
               expected: ["\(file):8:17: error: <image>: src: 'clauses/confidentiality.xml' is not a PNG or JPEG file"]),
    BrokenCase(name: "li outside a list", source: wrap("<li>x</li>"),
               expected: ["\(file):8:5: error: <li>: not allowed inside <body>; <li> goes inside <ul> or <ol>"]),
    BrokenCase(name: "fields and styles",
               source: """
               <template xmlns="urn:countersign:template:1" id="broken" version="1">
                 <fields>
                   <field name="seats" type="integer" requird="true"/>
                   <field name="seats" type="integer"/>
                   <field name="signed_at" type="datetime" min="2024-01-01"/>
                   <field name="tier" type="enum"/>
                   <field name="vat" type="decmal"/>
                 </fields>
                 <styles><style name="x" size="12pts" colour="red"/></styles>
                 <body/>
               </template>
               """,
               expected: [
                "\(file):3:40: error: <field>: unknown attribute 'requird'; did you mean 'required'?",
                "\(file):4:18: error: <field>: duplicate field 'seats' (first declared at line 3)",
                "\(file):5:50: error: <field>: min: does not apply to datetime fields; min and max bound numbers, text "
                    + "lengths, dates and list sizes",
                "\(file):6:5: error: <field>: missing attribute 'values'; an enum needs its allowed values, e.g. "
                    + "values=\"Starter Business Enterprise\"",
                "\(file):7:29: error: <field>: type: 'decmal' is not allowed; expected text, email, date, datetime, "
                    + "integer, decimal, money, enum, boolean, list, object; did you mean 'decimal'?",
                "\(file):9:33: error: <style>: size: unknown unit 'pts' in '12pts'; expected pt, in, mm, cm or px; did you mean 'pt'?",
                "\(file):9:40: error: <style>: unknown attribute 'colour'; did you mean 'color'?",
               ]),
    BrokenCase(name: "no namespace", source: "<template id=\"x\" version=\"1\"><body/></template>",
               expected: ["\(file):1:1: error: <template>: the element is in no namespace; expected xmlns=\"urn:countersign:template:1\""]),
    BrokenCase(name: "DOCTYPE refused",
               source: "<!DOCTYPE template [<!ENTITY x \"y\">]>\n<template xmlns=\"urn:countersign:template:1\" id=\"x\" version=\"1\"><body/></template>",
               expected: ["\(file):1:1: error: a DOCTYPE is not allowed in templates (no DTDs or entity declarations)"]),
    BrokenCase(name: "empty file", source: "", expected: ["\(file):1:1: error: the file is empty; expected an XML document"]),
]

@Suite struct BrokenTemplateTests {
    @Test(arguments: brokenCases)
    func reportsTheExactError(_ testCase: BrokenCase) {
        #expect(diagnostics(of: testCase.source) == testCase.expected)
    }

    @Test func aClauseWithNoLibraryFolderSaysWhereItLooked() throws {
        let folder = try TestEnvironment.scratchDirectory()
        let source = wrap("<clause ref=\"confidentiality\" version=\"1\"/>")
        do {
            _ = try TemplateCompiler(clauseLibrary: folder.appendingPathComponent("clauses"))
                .compile(source: Array(source.utf8), path: folder.appendingPathComponent("t.xml").path)
            Issue.record("the template compiled")
        } catch {
            let found = error.diagnostics.map { $0.description.replacingOccurrences(of: folder.path + "/", with: "") }
            #expect(found.count == 1 && found[0].contains("no clause 'confidentiality' in the clause library: there is no folder ")
                    && found[0].contains("give --clauses DIR"), "\(found)")
        }
    }

    @Test func aDamagedImageIsNamedWhereTheTemplateUsesIt() throws {
        // Truncated files are caught when the template compiles, at the <image>'s src, not as a
        // nameless decoding failure for every document.
        let folder = try TestEnvironment.scratchDirectory()
        let photo = try Data(contentsOf: TestEnvironment.fixtures.appendingPathComponent("sample-photo.jpg"))
        try photo.prefix(3000).write(to: folder.appendingPathComponent("cut.jpg"))
        let mark = try Data(contentsOf: TestEnvironment.fixtures.appendingPathComponent("signature-mark.png"))
        try mark.prefix(mark.count - 30).write(to: folder.appendingPathComponent("cut.png"))
        let path = folder.appendingPathComponent("t.xml").path
        let source = wrap("<image src=\"cut.jpg\"/><image src=\"cut.png\"/>")
        do {
            _ = try Samples.relativeCompiler.compile(source: Array(source.utf8), path: path)
            Issue.record("the template compiled")
        } catch {
            let found = error.diagnostics.map { $0.description.replacingOccurrences(of: folder.path + "/", with: "") }
            #expect(found == [
                "t.xml:8:17: error: <image>: src: 'cut.jpg' cannot be printed: it has no end-of-image marker after its data: "
                    + "the file is truncated; save the image again (as PNG or JPEG)",
                "t.xml:8:39: error: <image>: src: 'cut.png' cannot be printed: its IDAT chunk at byte 33 runs past the end "
                    + "of the file: the file is truncated; save the image again (as PNG or JPEG)",
            ], "\(found)")
        }
    }

    @Test func reportsEveryErrorInOneRun() {
        let source = """
        <template xmlns="urn:countersign:template:1" id="Bad Id" version="1" page="a5">
          <fields>
            <field name="plan" type="enum" values="Starter Business"/>
          </fields>
          <body>
            <h1 align="middle">Offer for {{ company }}</h1>
            <if test="plan == 'Starter' or">x</if>
            <ul><p>not an item</p></ul>
            <clause ref="confidentiality" version="9" when="plan == 'Business'"/>
            <signature role="Customer"/>
            <for each="plan" in="plan"><p>{{plan}}</p></for>
            <keep-together><page-break/><sig/></keep-together>
          </body>
        </template>
        """
        let found = diagnostics(of: source)
        #expect(found == [
            "\(file):1:50: error: <template>: id: 'Bad Id' is not an id; expected lower-case letters, digits, '-', '_' or '.'",
            "\(file):1:76: error: <template>: page: unknown page size 'a5'; expected letter, a4, legal or WIDTHxHEIGHT such "
                + "as 210mmx297mm; did you mean 'a4'?",
            "\(file):6:16: error: <h1>: align: 'middle' is not allowed; expected left, right, center, justify",
            "\(file):6:37: error: <h1>: undeclared field 'company'; declare it in <fields>",
            "\(file):7:35: error: <if>: test: unexpected end of expression; expected a value",
            "\(file):7:37: error: <if>: text is not allowed directly in <if>; expected a block element such as <p>",
            "\(file):8:9: error: <p>: not allowed inside <ul>; <p> is a block element (body, header, footer, li, cell, "
                + "keep-together, if, for)",
            "\(file):9:44: error: <clause>: clause 'confidentiality' has no version 9; the library has 3",
            "\(file):10:22: error: <signature>: role: 'Customer' is not a role name; expected lower-case letters, digits, '-' and '_'",
            "\(file):11:16: error: <for>: each: 'plan' would hide the field of that name; choose another name",
            "\(file):11:26: error: <for>: in: field 'plan' is enum; expected a list field",
            "\(file):12:33: error: <sig>: unknown element; did you mean <signature>?",
        ])
    }

    /// Each parse has its own libxml2 context and error handler, so errors never cross threads.
    @Test func concurrentCompilesKeepTheirOwnErrors() async {
        let malformed = brokenCases.first { $0.name == "malformed XML (libxml2)" }!
        let results = await withTaskGroup(of: (Int, [String]).self) { group in
            for index in 0..<24 {
                group.addTask {
                    let source = index % 2 == 0 ? malformed.source : wrap("<p>Fine {{company_name}}</p>")
                    return (index, diagnostics(of: source))
                }
            }
            var results: [Int: [String]] = [:]
            for await (index, found) in group { results[index] = found }
            return results
        }
        for (index, found) in results { #expect(found == (index % 2 == 0 ? malformed.expected : [])) }
    }

    @Test func errorsCarryCodesAndPositions() throws {
        #expect(throws: TemplateError.self) {
            _ = try Samples.relativeCompiler.compile(source: Array(wrap("<tabel/>").utf8), path: "x.xml")
        }
        do {
            _ = try Samples.relativeCompiler.compile(source: Array(wrap("<tabel/><p>{{nope}}</p>").utf8), path: "x.xml")
        } catch {
            #expect(error.diagnostics.map(\.code) == [.unknownElement, .undeclaredField])
            #expect(error.code == .unknownElement)
            let first = try #require(error.diagnostics.first)
            #expect(first.file == "x.xml" && first.line == 8 && first.column == 5 && first.element == "tabel")
        }
    }
}

/// A field declared with an error of its own is reported once, at its declaration: its uses are
/// not also called undeclared (which contradicted the file a newcomer was looking at).
@Test func aBrokenFieldDeclarationIsNotReportedAgainAtItsUses() {
    let source = """
        <template xmlns="urn:countersign:template:1" id="broken" version="1">
          <fields>
            <field name="seats" type="integr"/>
          </fields>
          <body>
            <p>Seats: {{seats}}</p>
          </body>
        </template>
        """
    let found = diagnostics(of: source)
    #expect(found.count == 1 && found.first?.contains("type") == true && found.first?.contains("integer") == true, "\(found)")
    #expect(!found.contains { $0.contains("undeclared field 'seats'") }, "\(found)")
}

/// Hostile sizes: the parser recurses on nesting and evaluation walks the tree, so both are
/// bounded and refused with a place, never a crashed process (a `when` on an envelope request
/// reaches the same parser through the API).
@Test(arguments: [
    ("parentheses", String(repeating: "(", count: 2_000) + "1" + String(repeating: ")", count: 2_000), "nested more than 64 levels"),
    ("brackets", String(repeating: "[", count: 2_000) + "1" + String(repeating: "]", count: 2_000), "nested more than 64 levels"),
    ("not", String(repeating: "not ", count: 2_000) + "true", "nested more than 64 levels"),
    ("minus", String(repeating: "-", count: 2_000) + "1", "nested more than 64 levels"),
    ("calls", String(repeating: "len(", count: 2_000) + "1" + String(repeating: ")", count: 2_000), "nested more than 64 levels"),
    ("a long sum", Array(repeating: "1", count: 5_000).joined(separator: " + "), "more than 1000 operators"),
    ("a long list", "[" + Array(repeating: "1", count: 5_000).joined(separator: ", ") + "]", "more than 1000 operators"),
])
func deepOrLongExpressionsAreRefusedNotCrashed(_ name: String, _ expression: String, _ message: String) {
    let found = diagnostics(of: wrap("<p>{{\(expression)}}</p>"))
    #expect(found.count == 1 && found[0].hasPrefix("Templates/broken.xml:8:") && found[0].contains(message), "\(name): \(found)")
    // Within the limits, the same shapes compile.
    let modest = expression.count > 300 ? "" : expression
    if !modest.isEmpty { #expect(diagnostics(of: wrap("<p>{{\(modest)}}</p>")).isEmpty) }
    #expect(diagnostics(of: wrap("<p>{{" + String(repeating: "(", count: 60) + "1" + String(repeating: ")", count: 60) + "}}</p>")).isEmpty)
}

/// Templates and clauses are UTF-8: another encoding is one clear error at 1:1, not a crash in
/// the source scan (which counts the file's UTF-8 bytes).
@Test(arguments: [
    ("UTF-16 LE with a byte order mark", [UInt8]([0xFF, 0xFE]) + Array(wrap("<p>x</p>").utf16).flatMap { [UInt8($0 & 0xFF), UInt8($0 >> 8)] }, "UTF-16"),
    ("UTF-16 BE without one", Array(wrap("<p>x</p>").utf16).flatMap { [UInt8($0 >> 8), UInt8($0 & 0xFF)] }, "UTF-16"),
    ("declared ISO-8859-1", Array(("<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?>\n" + wrap("<p>x</p>")).utf8), "declared as ISO-8859-1"),
])
func otherEncodingsAreRefusedAtTheStart(_ name: String, _ bytes: [UInt8], _ what: String) {
    let path = TestEnvironment.root.appendingPathComponent("Templates/broken.xml").path
    do {
        _ = try Samples.relativeCompiler.compile(source: bytes, path: path)
        Issue.record("\(name) compiled")
    } catch {
        let text = error.diagnostics.map(\.description).joined(separator: "\n")
        #expect(error.diagnostics.count == 1 && text.contains("broken.xml:1:1:") && text.contains(what) && text.contains("UTF-8"), "\(name): \(text)")
    }
    let declaredUTF8 = Array(("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n" + wrap("<p>x</p>")).utf8)
    #expect((try? Samples.relativeCompiler.compile(source: declaredUTF8, path: path)) != nil)
}

@testable import Batch
import Foundation
import PDFSyntax
import Templates
import TestSupport
import Testing

/// `--name` patterns and the file names they make: safe on every file system, and never two
/// rows on one file.
@Suite struct OutputNameTests {
    @Test(arguments: [
        ("Acme, Inc.", "Acme, Inc.pdf"),
        ("../../etc/passwd", "_.._etc_passwd.pdf"),
        ("...hidden", "hidden.pdf"),
        ("a/b\\c:d*e?f\"g<h>i|j", "a_b_c_d_e_f_g_h_i_j.pdf"),
        ("tab\there\nnew  line", "tab here new line.pdf"),
        ("nul\u{0}bell\u{7}del\u{7F}", "nulbelldel.pdf"),
        ("evil\u{202E}fdp.exe", "evilfdp.exe.pdf"),
        ("Zoe\u{0301} Cafe\u{0301}", "Zo\u{E9} Caf\u{E9}.pdf"),
        ("شركة الأمل", "شركة الأمل.pdf"),
        ("株式会社 山田", "株式会社 山田.pdf"),
        ("👩‍👩‍👧 family", "👩‍👩‍👧 family.pdf"),
        ("Report.PDF", "Report.pdf"),
        ("con", "con_.pdf"),
        ("  trailing dots...  ", "trailing dots.pdf"),
    ])
    func unsafeNamesAreMadeSafe(raw: String, expected: String) {
        #expect(SafeFileName.make(raw) == expected)
    }

    @Test func emptyNamesAreRefused() {
        for raw in ["", "   ", "...", ".pdf", "\u{0}\u{1}", "\u{202E}"] { #expect(SafeFileName.make(raw) == nil, "\(raw.debugDescription)") }
    }

    @Test func longNamesAreCutOnACharacterBoundary() throws {
        let name = try #require(SafeFileName.make(String(repeating: "é", count: 150) + String(repeating: "👍🏽", count: 50)))
        #expect(name.utf8.count <= SafeFileName.maximumBytes)
        #expect(name.hasSuffix(".pdf"))
        #expect(name == name.precomposedStringWithCanonicalMapping)
        #expect(String(decoding: Array(name.utf8), as: UTF8.self) == name)
        let emoji = try #require(SafeFileName.make(String(repeating: "👩‍👩‍👧", count: 40)))
        #expect(emoji.dropLast(4).allSatisfy { $0 == "👩‍👩‍👧" }, "no family is split")
    }

    @Test func patternsUseRowAndDeclaredFields() throws {
        let template = BatchFixtures.template
        let pattern = try NamePattern("{{ order_id }}-{{company_name}}-{{row}}", template: template)
        #expect(pattern.fields == ["order_id", "company_name"])
        #expect(pattern.fileName(row: 7, values: ["order_id": .string("OR-1"), "company_name": .string("A/B")]) == "OR-1-A_B-7.pdf")
        #expect(pattern.fileName(row: 7, values: [:]) == "--7.pdf")
        #expect(NamePattern.defaultPattern(for: template) == "{{row}}.pdf")
    }

    @Test(arguments: [
        ("{{order}}.pdf", "'{{order}}' is not a field", "did you mean 'order_id'"),
        ("out/{{row}}.pdf", "cannot contain '/'", ""),
        ("fixed.pdf", "needs a placeholder", ""),
        ("{{row.pdf", "not closed", ""),
        ("row}}.pdf", "'}}' without '{{'", ""),
    ])
    func badPatternsAreUsageErrors(pattern: String, message: String, hint: String) {
        let error = #expect(throws: BatchError.self) { try NamePattern(pattern, template: BatchFixtures.template) }
        #expect(error?.code == .namePattern)
        #expect(error?.reason.contains(message) == true, "\(error?.reason ?? "")")
        #expect(hint.isEmpty || error?.reason.contains(hint) == true, "\(error?.reason ?? "")")
    }

    @Test func theLaterRowOfTwoWithOneNameIsRefused() {
        var registry = NameRegistry()
        #expect(registry.claim("Acme.pdf", row: 3) == nil)
        #expect(registry.claim("Other.pdf", row: 4) == nil)
        #expect(registry.claim("ACME.pdf", row: 9) == 3)
        #expect(registry.claim("Acme.pdf", row: 12) == 3)
    }

    @Test func temporaryNamesAreRecognised() {
        #expect(AtomicFileWriter.isTemporaryName(".LD-1.pdf.123.456.tmp"))
        #expect(AtomicFileWriter.isTemporaryName(".manifest.jsonl.9.4294967295.tmp"))
        // Left behind only when its process is gone: a shard running beside this one keeps its own.
        #expect(!AtomicFileWriter.isAbandonedTemporaryName(".LD-1.pdf.\(getpid()).456.tmp"))
        #expect(AtomicFileWriter.isAbandonedTemporaryName(".LD-1.pdf.2147483646.456.tmp"))
        #expect(!AtomicFileWriter.isTemporaryName("LD-1.pdf"))
        #expect(!AtomicFileWriter.isTemporaryName(".notes.tmp"))
        #expect(!AtomicFileWriter.isTemporaryName(".a.b.tmp"))
    }
}

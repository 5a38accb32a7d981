@testable import Batch
import Foundation
import PDFSyntax
import Templates
import TestSupport
import Testing

/// The pipeline end to end on a small template: every row accounted for once, in row order;
/// resume trusts only files whose hash matches; a crash at any point plus `--resume` gives the
/// uninterrupted result; shards add up to the whole.
@Suite struct BatchGeneratorTests {
    @Test func everyRowIsInExactlyOneOfManifestAndErrorsInRowOrder() throws {
        var rows = BatchFixtures.rows(30)
        rows[3] = "OR-4,Bad Email Ltd,not-an-email,2025-01-01,1,,,"
        rows[7] = "OR-8,Bad Date Ltd,a@b.co,2025-02-30,1,,,"
        rows[11] = "OR-12,Ragged Ltd"
        rows[15] = "OR-3,Duplicate Of Row Three,c@d.co,2025-01-01,1,,,"
        rows[20] = "OR-21,Bad Seats,e@f.co,2025-01-01,-4,abc,,"
        let csv = try BatchFixtures.csv(rows)
        let out = csv.deletingLastPathComponent().appendingPathComponent("out")
        let summary = try BatchFixtures.run(csv, out: out, workers: 3)
        #expect(summary.generated == 25)
        #expect(summary.failed == 5)
        let output = try BatchFixtures.output(out)
        let ok = BatchFixtures.rows(inManifest: output.manifest)
        let failed = Set(BatchFixtures.rows(inErrors: output.errors))
        #expect(ok == ok.sorted(), "manifest in row order")
        #expect(BatchFixtures.rows(inErrors: output.errors) == BatchFixtures.rows(inErrors: output.errors).sorted())
        #expect(failed == [4, 8, 12, 16, 21])
        #expect(Set(ok).isDisjoint(with: failed))
        #expect(Set(ok).union(failed) == Set(1...30))
        #expect(output.files.count == 25)
        let errors = output.errors.joined(separator: "\n")
        #expect(errors.contains("4,5,contact_email,contact_email,'not-an-email' is not an email address"))
        #expect(errors.contains("8,9,signed_on,signed_on,'2025-02-30' is not a date"))
        #expect(errors.contains("12,13,,,the row has 2 fields but the header has 8 (a ragged row"))
        #expect(errors.contains("16,17,,order_id,\"would write 'OR-3.pdf', which row 3 already writes"))
        #expect(errors.contains("21,22,seats,seats,\"'-4 is below the minimum (min=\"\"1\"\")\""), "formula-defused, quoted")
        #expect(errors.contains("21,22,unit_price,unit_price,\"'abc' is not a decimal number"))
        // The journal and the resume file are gone; no temporary file is left.
        let names = try FileManager.default.contentsOfDirectory(atPath: out.path)
        #expect(names.filter { !$0.hasSuffix(".pdf") }.sorted() == ["errors.csv", "manifest.jsonl"])
        // A manifest line says what the file is.
        let first = try #require(output.manifest.first)
        #expect(first.hasPrefix(#"{"row":1,"file":"OR-1.pdf","keys":{"company_name":"Company 1 Ltd","order_id":"OR-1"},"pages":1,"#))
        #expect(first.contains(#""template":"batch-test@1","template_sha256":"\#(BatchFixtures.template.sha256Hex)""#))
        #expect(first.contains(#""sha256":"\#(output.files["OR-1.pdf"]!)""#))
    }

    /// Files are made durable in groups on the output thread; one that cannot take its final
    /// name fails its row alone, in errors.csv, and leaves no temporary file.
    @Test func aFileThatCannotBeCommittedFailsItsRowOnly() throws {
        let csv = try BatchFixtures.csv(BatchFixtures.rows(40))
        let out = csv.deletingLastPathComponent().appendingPathComponent("out")
        // A directory where OR-17.pdf should go: the rename at commit fails for that file only.
        try FileManager.default.createDirectory(at: out.appendingPathComponent("OR-17.pdf/inside"), withIntermediateDirectories: true)
        let summary = try BatchFixtures.run(csv, out: out, workers: 2)
        #expect(summary.generated == 39)
        #expect(summary.failed == 1)
        var isDirectory: ObjCBool = false
        #expect(FileManager.default.fileExists(atPath: out.appendingPathComponent("OR-17.pdf").path, isDirectory: &isDirectory)
                && isDirectory.boolValue, "the blocking directory is left as it was")
        try FileManager.default.removeItem(at: out.appendingPathComponent("OR-17.pdf"))
        let output = try BatchFixtures.output(out)
        #expect(BatchFixtures.rows(inErrors: output.errors) == [17])
        #expect(output.errors.joined().contains("cannot write OR-17.pdf"))
        #expect(Set(BatchFixtures.rows(inManifest: output.manifest)) == Set(1...40).subtracting([17]))
        let names = try FileManager.default.contentsOfDirectory(atPath: out.path)
        #expect(names.filter { !$0.hasSuffix(".pdf") }.sorted() == ["errors.csv", "manifest.jsonl"])
    }

    @Test func outputsAreTheSameWithOneWorkerOrFour() throws {
        let csv = try BatchFixtures.csv(BatchFixtures.rows(24))
        let one = csv.deletingLastPathComponent().appendingPathComponent("one")
        let four = csv.deletingLastPathComponent().appendingPathComponent("four")
        _ = try BatchFixtures.run(csv, out: one, workers: 1)
        _ = try BatchFixtures.run(csv, out: four, workers: 4)
        #expect(try BatchFixtures.output(one) == BatchFixtures.output(four))
    }

    @Test func anEarlierBatchNeedsResume() throws {
        let csv = try BatchFixtures.csv(BatchFixtures.rows(2))
        let out = csv.deletingLastPathComponent().appendingPathComponent("out")
        _ = try BatchFixtures.run(csv, out: out)
        let error = #expect(throws: BatchError.self) { try BatchFixtures.run(csv, out: out) }
        #expect(error?.code == .existingBatch)
        let again = try BatchFixtures.run(csv, out: out, resume: true)
        #expect(again.kept == 2 && again.generated == 0)
    }

    @Test func resumeTrustsOnlyFilesThatStillMatch() throws {
        let csv = try BatchFixtures.csv(BatchFixtures.rows(12))
        let out = csv.deletingLastPathComponent().appendingPathComponent("out")
        _ = try BatchFixtures.run(csv, out: out)
        let reference = try BatchFixtures.output(out)
        // Tamper with one file (same size), delete another, truncate a third.
        let tampered = out.appendingPathComponent("OR-2.pdf")
        var bytes = try Data(contentsOf: tampered)
        bytes[bytes.count / 2] ^= 0x01
        try bytes.write(to: tampered)
        try FileManager.default.removeItem(at: out.appendingPathComponent("OR-5.pdf"))
        let truncated = out.appendingPathComponent("OR-9.pdf")
        try Data(try Data(contentsOf: truncated).prefix(100)).write(to: truncated)
        let summary = try BatchFixtures.run(csv, out: out, resume: true)
        #expect(summary.generated == 3)
        #expect(summary.kept == 9)
        #expect(try BatchFixtures.output(out) == reference)
    }

    @Test func resumeRedoesRowsWhoseInputChanged() throws {
        var rows = BatchFixtures.rows(6)
        let csv = try BatchFixtures.csv(rows)
        let out = csv.deletingLastPathComponent().appendingPathComponent("out")
        _ = try BatchFixtures.run(csv, out: out)
        rows[2] = rows[2].replacingOccurrences(of: "Company 3 Ltd", with: "Company Three Ltd")
        rows[4] = "OR-5,,broken,2025-01-01,,,,"
        try Data(([BatchFixtures.header] + rows).joined(separator: "\n").utf8).write(to: csv)
        let summary = try BatchFixtures.run(csv, out: out, resume: true)
        #expect(summary.generated == 1 && summary.kept == 4 && summary.failed == 1)
        let fresh = csv.deletingLastPathComponent().appendingPathComponent("fresh")
        _ = try BatchFixtures.run(csv, out: fresh)
        var resumed = try BatchFixtures.output(out)
        // OR-5.pdf from the first run stays (it is listed nowhere now); everything else matches.
        resumed.files["OR-5.pdf"] = nil
        #expect(resumed == (try BatchFixtures.output(fresh)))
    }

    /// The states a SIGKILL can leave, made by hand: a journal cut mid-line, a temporary file,
    /// PDFs written after the last journal line, and a second crash after consolidation.
    @Test func everyCrashStateResumesToTheUninterruptedResult() throws {
        var rows = BatchFixtures.rows(20)
        rows[6] = "OR-7,No Email Ltd,,2025-01-01,1,,,"
        let csv = try BatchFixtures.csv(rows)
        let directory = csv.deletingLastPathComponent()
        let reference = directory.appendingPathComponent("reference")
        _ = try BatchFixtures.run(csv, out: reference)
        let expected = try BatchFixtures.output(reference)
        let journalText = try String(contentsOf: directory.appendingPathComponent("reference/manifest.jsonl"), encoding: .utf8)
        let lines = journalText.split(separator: "\n").map(String.init)

        for cut in [0, 5, 11, 19] {
            let out = directory.appendingPathComponent("crash-\(cut)")
            try FileManager.default.createDirectory(at: out, withIntermediateDirectories: true)
            // Rows up to `cut` committed; the next line torn; later PDFs written but not journaled.
            var journal = lines.prefix(cut).joined(separator: "\n") + (cut > 0 ? "\n" : "")
            if cut < lines.count { journal += String(lines[cut].prefix(40)) }
            try Data(journal.utf8).write(to: out.appendingPathComponent("manifest.jsonl.partial"))
            for (name, _) in expected.files {
                try FileManager.default.copyItem(at: reference.appendingPathComponent(name), to: out.appendingPathComponent(name))
            }
            try Data("half a pdf".utf8).write(to: out.appendingPathComponent(".OR-20.pdf.2147483646.123456.tmp"))
            if cut == 11 {
                // A first resume consolidated and then died too: .previous plus an empty journal.
                try FileManager.default.copyItem(at: out.appendingPathComponent("manifest.jsonl.partial"),
                                                 to: out.appendingPathComponent("manifest.jsonl.previous"))
                try Data().write(to: out.appendingPathComponent("manifest.jsonl.partial"))
            }
            let summary = try BatchFixtures.run(csv, out: out, workers: 3, resume: true)
            #expect(summary.ok + summary.failed == 20)
            #expect(try BatchFixtures.output(out) == expected, "cut \(cut)")
            let leftovers = try FileManager.default.contentsOfDirectory(atPath: out.path).filter { !$0.hasSuffix(".pdf") }
            #expect(leftovers.sorted() == ["errors.csv", "manifest.jsonl"], "cut \(cut)")
        }
    }

    /// A second run into a folder a batch is writing — a `--resume` started two seconds after the
    /// first, in a newcomer trial — lost the whole manifest; it is now refused at once and
    /// touches nothing, while another shard may still share the folder.
    @Test func aSecondRunIntoABusyFolderIsRefusedAndTouchesNothing() throws {
        let csv = try BatchFixtures.csv(BatchFixtures.rows(6))
        let out = csv.deletingLastPathComponent().appendingPathComponent("out")
        _ = try BatchFixtures.run(csv, out: out)
        let before = try BatchFixtures.output(out)
        let running = BatchFiles(directory: out, shard: nil)
        let held = try BatchLock(url: running.lock)
        try Data("half a pdf".utf8).write(to: out.appendingPathComponent(".OR-2.pdf.2147483646.123456.tmp"))
        do {
            _ = try BatchFixtures.run(csv, out: out, resume: true)
            Issue.record("a second run wrote into a busy folder")
        } catch let error as BatchError {
            #expect(error.code == .busy)
            #expect(error.reason.contains("another countersign batch is writing into \(out.path)"), "\(error.reason)")
        }
        #expect(FileManager.default.fileExists(atPath: out.appendingPathComponent(".OR-2.pdf.2147483646.123456.tmp").path),
                "the running batch's temporary file is left alone")
        // Another shard has its own lock.
        let second: BatchShard = try #require(BatchShard(index: 1, count: 2))
        let shard = try BatchLock(url: BatchFiles(directory: out, shard: second).lock)
        shard.release()
        held.release()
        try FileManager.default.removeItem(at: out.appendingPathComponent(".OR-2.pdf.2147483646.123456.tmp"))
        let after = try BatchFixtures.run(csv, out: out, resume: true)
        #expect(after.ok == 6)
        #expect(try BatchFixtures.output(out).manifest == before.manifest)
        #expect(!FileManager.default.fileExists(atPath: running.lock.path), "the lock file goes with the run")
    }

    @Test func shardsAddUpToTheWholeBatch() throws {
        var rows = BatchFixtures.rows(25)
        rows[13] = "OR-3,Second Of Three,x@y.co,2025-01-01,1,,,"  // row 14 (shard 2) collides with row 3 (shard 3)
        rows[17] = "OR-18,Broken,,,,,,"
        let csv = try BatchFixtures.csv(rows)
        let directory = csv.deletingLastPathComponent()
        let whole = directory.appendingPathComponent("whole")
        let shared = directory.appendingPathComponent("shards")
        _ = try BatchFixtures.run(csv, out: whole)
        var manifest: [String] = [], errors: [String] = []
        for index in 1...3 {
            let shard = BatchShard(index: index, count: 3)!
            let summary = try BatchFixtures.run(csv, out: shared, shard: shard)
            #expect(summary.otherShards == 25 - (summary.ok + summary.failed))
            let part = try BatchFixtures.output(shared, suffix: "-\(index)-of-3")
            #expect(BatchFixtures.rows(inManifest: part.manifest).allSatisfy { ($0 - 1) % 3 == index - 1 })
            manifest += part.manifest
            errors += part.errors
        }
        let expected = try BatchFixtures.output(whole)
        let byRow = { (line: String) in BatchFixtures.rows(inManifest: [line]).first ?? 0 }
        #expect(manifest.sorted { byRow($0) < byRow($1) } == expected.manifest)
        let errorRow = { (line: String) in Int(line.prefix { $0 != "," }) ?? 0 }
        let merged = errors.enumerated().sorted { (errorRow($0.element), $0.offset) < (errorRow($1.element), $1.offset) }
        #expect(merged.map(\.element) == expected.errors)
        #expect(expected.errors.contains { $0.hasPrefix("14,") && $0.contains("which row 3 already writes") })
        var files: [String: String] = [:]
        for name in try FileManager.default.contentsOfDirectory(atPath: shared.path) where name.hasSuffix(".pdf") {
            files[name] = BatchFixtures.sha256(try Data(contentsOf: shared.appendingPathComponent(name)))
        }
        #expect(files == expected.files)
    }

    @Test func shardsParse() {
        #expect(BatchShard("2/3")?.contains(row: 2) == true)
        #expect(BatchShard("2/3")?.contains(row: 5) == true)
        #expect(BatchShard("2/3")?.contains(row: 3) == false)
        for bad in ["0/3", "4/3", "1/0", "a/b", "1", "1/2/3", "-1/2"] { #expect(BatchShard(bad) == nil, "\(bad)") }
    }

    @Test func aMappedExportWithAListColumn() throws {
        let header = "Ref,Firma,Mail,Datum,Preis,Posten"
        let rows = ["AB-1,Müller GmbH,m@mueller.de,45292,\"1.250,00\",\"[{\"\"name\"\": \"\"Lizenz\"\", \"\"n\"\": 3}]\""]
        let csv = try BatchFixtures.csv(rows, header: header)
        let mapping = try BatchMapping.parse(Array("""
        {"fields": {"order_id": "Ref", "company_name": "Firma", "contact_email": "Mail",
                    "signed_on": {"column": "Datum", "format": "excel"},
                    "unit_price": {"column": "Preis", "format": "decimal-comma"},
                    "line_items": {"column": "Posten", "keys": {"description": "name", "qty": "n"}}}}
        """.utf8), path: "map.json")
        let out = csv.deletingLastPathComponent().appendingPathComponent("out")
        let summary = try BatchFixtures.run(csv, out: out, mapping: mapping, name: "{{order_id}} {{company_name}}")
        #expect(summary.generated == 1, "\(summary.firstProblems)")
        #expect(FileManager.default.fileExists(atPath: out.appendingPathComponent("AB-1 Müller GmbH.pdf").path))
        if toolAvailable("pdftotext") {
            let text = try runCommand("pdftotext", [out.appendingPathComponent("AB-1 Müller GmbH.pdf").path, "-"]).stdout
            #expect(text.contains("January 1, 2024"))
            #expect(text.contains("$1,250.00"))
            #expect(text.contains("Lizenz × 3"))
        }
    }
}

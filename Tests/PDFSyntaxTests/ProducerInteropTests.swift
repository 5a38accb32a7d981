import Foundation
import PDFSyntax
import TestSupport
import Testing

/// Files from real producers — qpdf (object streams, xref streams), cairo (through pdftocairo),
/// pyHanko (signed, incremental) and a hand-made hybrid-reference file — read strictly.
@Suite struct ProducerInteropTests {
    private func write(_ bytes: [UInt8], _ name: String, in directory: URL) throws -> URL {
        let url = directory.appendingPathComponent(name)
        try Data(bytes).write(to: url)
        return url
    }

    /// A file written with object streams whose xref cannot be used (its `startxref` points a
    /// few bytes off): the cross-reference rebuilt by scanning finds only the objects with headers
    /// of their own, and the members of the object streams are added from the streams themselves.
    @Test func aRebuiltCrossReferenceFindsTheMembersOfObjectStreams() throws {
        let directory = try TestEnvironment.scratchDirectory()
        let source = try write(SamplePDFs.file(pages: 40), "source.pdf", in: directory)
        let packed = directory.appendingPathComponent("packed.pdf")
        let result = try runCommand("qpdf", ["--object-streams=generate", source.path, packed.path])
        #expect(result.status == 0, "\(result.stderr)")
        let bytes = Array(try Data(contentsOf: packed))
        let original = try PDFDocument(bytes: bytes)
        let broken = StructureSurgery.shiftingLastStartxref(by: 3, in: bytes)
        #expect(throws: PDFError.self) { try PDFDocument(bytes: broken) }

        let scanned = try PDFDocument(bytes: broken, mode: .tolerant(reconstruct: true))
        #expect(scanned.wasReconstructed)
        #expect(scanned.objectNumbers().count < original.objectNumbers().count, "scanning alone misses the compressed objects")
        let rebuilt = try PDFDocument.rebuilt(bytes: PDFBytes(broken))
        #expect(rebuilt.objectNumbers() == original.objectNumbers(), "every object found again")
        #expect(try rebuilt.pages().count == 40)
        #expect(try rebuilt.metadata().title == "Sample — Hello")
        #expect(rebuilt.warnings.contains { $0.message.contains("found in object streams after the rebuild") })
        #expect(try PDFDocument(bytes: try rebuilt.rewritten()).pages().count == 40, "the rewrite reads strictly")
    }

    @Test func qpdfObjectStreamsReadStrictly() throws {
        let directory = try TestEnvironment.scratchDirectory()
        let source = try write(SamplePDFs.file(pages: 400), "source.pdf", in: directory)
        let packed = directory.appendingPathComponent("packed.pdf")
        let result = try runCommand("qpdf", ["--object-streams=generate", "--compress-streams=y", source.path, packed.path])
        #expect(result.status == 0, "\(result.stderr)")
        let document = try PDFDocument(path: packed.path)
        #expect(document.revisions.count == 1)
        #expect(document.revisions[0].xrefKind == .stream)
        #expect(try document.pages().count == 400)
        #expect(try document.metadata().title == "Sample — Hello")
        // Some objects really live in object streams.
        let compressed = document.objectNumbers().filter {
            if case .compressed? = document.entry(for: $0) { return true }
            return false
        }
        #expect(!compressed.isEmpty)
        // A full rewrite keeps the same objects and passes qpdf.
        let rewritten = try document.rewritten()
        #expect(try PDFDocument(bytes: rewritten).pages().count == 400)
        try QPDF.expectClean(rewritten)
        // An incremental update on an xref-stream file writes an xref stream and passes qpdf.
        var update = IncrementalUpdate(document: document)
        _ = update.add(.string(PDFString(text: "note")))
        let updated = update.write().bytes
        let reread = try PDFDocument(bytes: updated)
        #expect(reread.revisions.map(\.xrefKind) == [.stream, .stream])
        try QPDF.expectClean(updated)
    }

    @Test func qpdfLinearizedFileReads() throws {
        let directory = try TestEnvironment.scratchDirectory()
        let source = try write(SamplePDFs.file(pages: 3), "source.pdf", in: directory)
        let linear = directory.appendingPathComponent("linear.pdf")
        let result = try runCommand("qpdf", ["--linearize", source.path, linear.path])
        #expect(result.status == 0, "\(result.stderr)")
        let document = try PDFDocument(path: linear.path)
        #expect(document.revisions.count == 1)
        #expect(try document.pages().count == 3)
    }

    @Test func cairoOutputReadsStrictly() throws {
        let directory = try TestEnvironment.scratchDirectory()
        let source = try write(SamplePDFs.file(pages: 2, text: "Cairo"), "source.pdf", in: directory)
        let output = directory.appendingPathComponent("cairo.pdf")
        let result = try runCommand("pdftocairo", ["-pdf", source.path, output.path])
        #expect(result.status == 0, "\(result.stderr)")
        let document = try PDFDocument(path: output.path)
        #expect(try document.pages().count == 2)
        #expect(try document.metadata().producer?.contains("cairo") == true)
        let rewritten = try document.rewritten(xrefStyle: .stream)
        try QPDF.expectClean(rewritten)
    }

    @Test func hybridReferenceFileReads() throws {
        // Objects 1–6 as usual; object 3 (Info) lives only in an object stream named by /XRefStm.
        var objects = SamplePDFs.objects()
        let info = objects.removeValue(forKey: PDFReference(3))!
        var out = Array("%PDF-1.5\n%\u{E2}\u{E3}\n".utf8)
        var offsets: [Int: Int] = [:]
        for reference in objects.keys.sorted() {
            offsets[reference.number] = out.count
            out += ObjectSerializer.serializeIndirect(reference, objects[reference]!)
        }
        let infoBytes = ObjectSerializer.serialize(info)
        let header = Array("3 0 ".utf8)
        let objectStream = PDFStream(dictionary: ["Type": .name("ObjStm"), "N": 1, "First": .integer(header.count)],
                                     encodedData: header + infoBytes)
        offsets[7] = out.count
        out += ObjectSerializer.serializeIndirect(PDFReference(7), .stream(objectStream))
        // The xref stream for the compressed object: entry 3 → (stream 7, index 0).
        let rows: [UInt8] = [2, 0, 7, 0]
        let xrefStream = PDFStream(dictionary: ["Type": .name("XRef"), "Size": 9, "W": [1, 2, 1], "Index": [3, 1]],
                                   encodedData: rows)
        offsets[8] = out.count
        out += ObjectSerializer.serializeIndirect(PDFReference(8), .stream(xrefStream))
        let tableAt = out.count
        var table = "xref\n0 9\n0000000000 65535 f\r\n"
        for number in 1...8 {
            if let offset = offsets[number] {
                table += String(format: "%010d 00000 n\r\n", offset)
            } else {
                table += "0000000000 00000 f\r\n"
            }
        }
        table += "trailer\n<</Size 9 /Root 1 0 R /Info 3 0 R /XRefStm \(offsets[8]!)>>\nstartxref\n\(tableAt)\n%%EOF\n"
        out += Array(table.utf8)
        let document = try PDFDocument(bytes: out)
        #expect(document.revisions[0].xrefKind == .hybrid)
        #expect(try document.metadata().title == "Sample — Hello")
        try QPDF.expectClean(out)
    }

    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: TestEnvironment.venv.appendingPathComponent("bin/pyhanko").path),
                   "needs the pyHanko venv that scripts/test creates"))
    func pyHankoSignedFileHasTwoRevisionsAndASignature() throws {
        let directory = try TestEnvironment.scratchDirectory()
        let source = try write(SamplePDFs.file(pages: 1), "source.pdf", in: directory)
        let key = directory.appendingPathComponent("key.pem").path
        let cert = directory.appendingPathComponent("cert.pem").path
        let made = try runCommand("openssl", ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", cert,
                                              "-days", "30", "-subj", "/CN=Countersign Test Signer"])
        #expect(made.status == 0, "\(made.stderr)")
        let signed = directory.appendingPathComponent("signed.pdf").path
        let pyhanko = TestEnvironment.venv.appendingPathComponent("bin/pyhanko").path
        let result = try runCommand(pyhanko, ["sign", "addsig", "--field", "1/100,100,300,150/Signature1", "pemder",
                                              "--key", key, "--cert", cert, "--no-pass", source.path, signed])
        #expect(result.status == 0, "\(result.stdout) \(result.stderr)")
        let document = try PDFDocument(path: signed)
        #expect(document.revisions.count == 2)
        let fields = try document.formFields()
        #expect(fields.map(\.name) == ["Signature1"])
        #expect(fields.first?.kind == .signature)
        #expect(fields.first?.isSigned == true)
        #expect(fields.first?.widgets.first?.page == 1)
        let diff = try document.diff(from: 0)
        #expect(!diff.added.isEmpty)
    }
}

import PDFSyntax
import Testing

/// Reading a file's structure: revisions, cross-reference kinds, strict anomalies and tolerant recovery.
@Suite struct StructureTests {
    @Test(arguments: [XRefStyle.table, .stream])
    func validFileReadsStrictly(style: XRefStyle) throws {
        let bytes = SamplePDFs.file(pages: 3, xref: style)
        let document = try PDFDocument(bytes: bytes)
        #expect(document.revisions.count == 1)
        let revision = document.revisions[0]
        #expect(revision.startOffset == 0)
        #expect(revision.endOffset == bytes.count)
        #expect(revision.xrefKind == (style == .table ? .table : .stream))
        #expect(try document.pages().count == 3)
        #expect(try document.pages()[1].mediaBox == PDFRect(x0: 0, y0: 0, x1: 612, y1: 792))
        #expect(try document.metadata().title == "Sample — Hello")
        #expect(document.warnings.isEmpty)
    }

    @Test func missingEOFIsStrictErrorAndTolerantWarning() throws {
        let bytes = Array(SamplePDFs.file().dropLast(6))
        #expect(throws: PDFError(.missingEOF, "")) { try PDFDocument(bytes: bytes) }
        let tolerant = try PDFDocument(bytes: bytes, mode: .tolerant(reconstruct: false))
        #expect(try tolerant.pages().count == 1)
        #expect(!tolerant.warnings.isEmpty)
    }

    @Test func wrongStartxrefIsAnErrorUnlessRebuilt() throws {
        let bytes = SamplePDFs.file()
        let startxref = SamplePDFs.lastIndex(of: Array("startxref\n".utf8), in: bytes)! + 10
        var broken = bytes
        broken[startxref] = broken[startxref] == UInt8(ascii: "1") ? UInt8(ascii: "2") : UInt8(ascii: "1")
        do {
            _ = try PDFDocument(bytes: broken)
            Issue.record("expected badStartXref")
        } catch let error as PDFError {
            #expect(error.code == .badStartXref)
            #expect(error.offset != nil)
        }
        #expect(throws: PDFError(.badStartXref, "")) { try PDFDocument(bytes: broken, mode: .tolerant(reconstruct: false)) }
        let rebuilt = try PDFDocument(bytes: broken, mode: .tolerant(reconstruct: true))
        #expect(rebuilt.wasReconstructed)
        #expect(try rebuilt.pages().count == 1)
    }

    @Test func xrefEntryMustNameItsObject() throws {
        let bytes = SamplePDFs.file()
        // The entry for object 1 (second line of the table) points one byte late.
        let table = SamplePDFs.lastIndex(of: Array("xref\n0 ".utf8), in: bytes)!
        let entry1 = SamplePDFs.firstIndex(of: Array(" n\r\n".utf8), in: bytes, from: table)! - 16
        let offset = Int(String(decoding: bytes[entry1..<(entry1 + 10)], as: UTF8.self))!
        let replacement = String(format: "%010d", offset + 2)
        var broken = bytes
        broken.replaceSubrange(entry1..<(entry1 + 10), with: Array(replacement.utf8))
        do {
            _ = try PDFDocument(bytes: broken)
            Issue.record("expected xrefEntryMismatch")
        } catch let error as PDFError {
            #expect(error.code == .xrefEntryMismatch)
            #expect(error.offset == offset + 2)
        }
        let tolerant = try PDFDocument(bytes: broken, mode: .tolerant(reconstruct: false))
        #expect(!tolerant.warnings.isEmpty)
    }

    @Test func bytesAfterTheLastEOFAreUnexplained() throws {
        let garbage = SamplePDFs.file() + Array("trailing garbage".utf8)
        #expect(throws: PDFError(.unexplainedTrailingBytes, "")) { try PDFDocument(bytes: garbage) }
        #expect(try PDFDocument(bytes: garbage, mode: .tolerant(reconstruct: false)).warnings.count == 1)
        // Whitespace after %%EOF is fine.
        #expect(try PDFDocument(bytes: SamplePDFs.file() + [0x0A, 0x20, 0x0A]).revisions.count == 1)
    }

    @Test func anAppendedUpdateOutsideThePrevChainIsUnexplained() throws {
        let bytes = SamplePDFs.file()
        let appended = bytes + Array("9 0 obj\n(hidden)\nendobj\nstartxref\n0\n%%EOF\n".utf8)
        #expect(throws: PDFError(.badStartXref, "")) { try PDFDocument(bytes: appended) }
        let second = bytes + Array("9 0 obj\n(hidden)\nendobj\n%%EOF\n".utf8)
        #expect(throws: PDFError(.unexplainedTrailingBytes, "")) { try PDFDocument(bytes: second) }
    }

    @Test func notAPDF() {
        #expect(throws: PDFError(.notPDF, "")) { try PDFDocument(bytes: Array("hello world, not a pdf".utf8)) }
        #expect(throws: PDFError(.notPDF, "")) { try PDFDocument(bytes: []) }
    }

    @Test func truncatedFilesFailCleanlyInEveryMode() throws {
        let bytes = SamplePDFs.file(pages: 4)
        for cut in stride(from: 0, to: bytes.count, by: max(1, bytes.count / 40)) {
            let truncated = Array(bytes.prefix(cut))
            #expect(throws: PDFError.self) { try PDFDocument(bytes: truncated) }
            // Tolerant reading either gives a document or a clean error — never a crash.
            if let tolerant = try? PDFDocument(bytes: truncated, mode: .tolerant(reconstruct: true)) {
                _ = try? tolerant.pages()
            }
        }
    }

    @Test func pageTreeCycleIsDetected() throws {
        var objects = SamplePDFs.objects(pages: 1)
        objects[PDFReference(2)] = .dictionary(["Type": .name("Pages"), "Kids": [.reference(PDFReference(2))],
                                                "Count": 1, "MediaBox": [0, 0, 10, 10]])
        let document = try PDFDocument(bytes: PDFFileWriter().write(objects: objects, trailer: SamplePDFs.trailer))
        #expect(throws: PDFError(.pageTreeCycle, "")) { try document.pages() }
    }

    @Test func referenceCycleIsDetected() throws {
        var objects = SamplePDFs.objects()
        objects[PDFReference(20)] = .reference(PDFReference(21))
        objects[PDFReference(21)] = .reference(PDFReference(20))
        let document = try PDFDocument(bytes: PDFFileWriter().write(objects: objects, trailer: SamplePDFs.trailer))
        #expect(throws: PDFError(.referenceCycle, "")) { try document.resolve(.reference(PDFReference(20))) }
    }

    @Test func selfReferentialStreamLengthIsACycle() throws {
        var objects = SamplePDFs.objects()
        objects[PDFReference(6)] = .stream(PDFStream(dictionary: [:], encodedData: Array("q Q".utf8)))
        var bytes = PDFFileWriter().write(objects: objects, trailer: SamplePDFs.trailer)
        bytes = SamplePDFs.patch(bytes, "<</Length 3>>", "<</Length 6 0 R>>", allowResize: true)
        // The xref is now off by the size change: rebuild tolerantly, then ask for the stream.
        let document = try PDFDocument(bytes: bytes, mode: .tolerant(reconstruct: true))
        #expect(throws: PDFError.self) { try document.object(PDFReference(6)) }
    }

    @Test func decompressionBombsStopAtTheLimit() throws {
        var objects = SamplePDFs.objects()
        let zeros = [UInt8](repeating: 0, count: 2 << 20)
        objects[PDFReference(30)] = .stream(PDFStream(dictionary: ["Filter": .name("FlateDecode")],
                                                      encodedData: try Flate.encode(zeros)))
        objects[PDFReference(31)] = .stream(PDFStream(dictionary: ["Filter": .name("FlateDecode")],
                                                      encodedData: try Flate.encode(zeros)))
        let bytes = PDFFileWriter().write(objects: objects, trailer: SamplePDFs.trailer)
        let perStream = PDFLimits(maxDecodedBytesPerStream: 1 << 20)
        let document = try PDFDocument(bytes: bytes, limits: perStream)
        guard case .stream(let stream) = try document.object(PDFReference(30)) else { Issue.record("no stream"); return }
        #expect(throws: PDFError(.limitExceeded, "")) { try document.decodedData(of: stream) }

        let perDocument = PDFLimits(maxDecodedBytesPerDocument: 3 << 20)
        let second = try PDFDocument(bytes: bytes, limits: perDocument)
        #expect(try second.decodedData(of: second.object(PDFReference(30)).streamValue!).count == zeros.count)
        #expect(throws: PDFError(.limitExceeded, "")) {
            try second.decodedData(of: second.object(PDFReference(31)).streamValue!)
        }
    }

    @Test func encryptedFilesAreRefusedWithAReason() throws {
        var objects = SamplePDFs.objects()
        objects[PDFReference(40)] = .dictionary(["Filter": .name("Standard"), "V": 4])
        var trailer = SamplePDFs.trailer
        trailer["Encrypt"] = .reference(PDFReference(40))
        let bytes = PDFFileWriter().write(objects: objects, trailer: trailer)
        #expect(throws: PDFError(.encrypted, "")) { try PDFDocument(bytes: bytes) }
    }

    /// The scan the skipped-revision check runs over every update: the same answers as a plain
    /// loop, at the edges of the range too.
    @Test func firstIndexOfAWordMatchesAPlainSearch() {
        let text = "sstartxrefxx startxref startxre startxref"
        let bytes = PDFBytes(Array(text.utf8))
        func plain(_ range: Range<Int>) -> Int? {
            range.first { $0 + 9 <= range.upperBound && bytes.matches("startxref", at: $0) }
        }
        for lower in 0...text.utf8.count {
            for upper in lower...text.utf8.count {
                #expect(bytes.firstIndex(of: "startxref", in: lower..<upper) == plain(lower..<upper), "\(lower)..<\(upper)")
            }
        }
    }
}

import PDFSyntax
import Testing

/// DESIGN.md §7, "Strict means precise, not brittle": each harmless deviation is read strictly,
/// with a note at its offset, and gives the same objects as the clean file; each ambiguity is an
/// error in strict mode and, in `.strictPerRevision` mode, an ambiguity recorded with its revision.
@Suite struct StrictNotBrittleTests {
    /// Reads strictly and checks the page content is the expected text.
    private func readStrictly(_ bytes: [UInt8], text: String = "Hello") throws -> PDFDocument {
        let document = try PDFDocument(bytes: bytes, mode: .strict)
        let pages = try document.pages()
        #expect(pages.count == 1)
        let contents = try document.resolve(pages[0].dictionary["Contents"] ?? .null)
        if case .stream(let stream) = contents {
            #expect(String(decoding: try document.decodedData(of: stream), as: UTF8.self).contains("(\(text))"))
        }
        #expect(document.ambiguities.isEmpty)
        return document
    }

    @Test func theCleanFileHasNoNotes() throws {
        #expect(try readStrictly(CraftedStructures.file()).notes.isEmpty)
    }

    @Test func iTextCommentBeforeStartxrefIsNoted() throws {
        let bytes = CraftedStructures.file(beforeStartxref: "%iText-5.5.13\n")
        let document = try readStrictly(bytes)
        let note = try #require(document.notes.first)
        #expect(note.code == .commentInFileTrailer)
        #expect(note.offset == SamplePDFs.firstIndex(of: Array("%iText".utf8), in: bytes))
        #expect(note.message.contains("%iText-5.5.13"))
    }

    @Test func startxrefOnTheNewlineBeforeXrefIsNoted() throws {
        let bytes = CraftedStructures.file(startxrefShift: -1)
        let document = try readStrictly(bytes)
        #expect(document.notes.map(\.code) == [.xrefOffsetOnWhitespace])
        #expect(document.notes[0].offset.map { bytes[$0] } == 0x0A)
        // Anything but whitespace before `xref` stays an error.
        let intoTheObject = CraftedStructures.file(startxrefShift: -3)
        #expect(throws: PDFError(.badStartXref, "")) { try PDFDocument(bytes: intoTheObject, mode: .strict) }
    }

    @Test func prevOnTheNewlineBeforeXrefIsNoted() throws {
        let document = try PDFDocument(bytes: CraftedStructures.updated(prevShift: -1), mode: .strict)
        #expect(document.revisions.count == 2)
        #expect(document.notes.map(\.code) == [.xrefOffsetOnWhitespace])
        #expect(document.notes[0].message.contains("/Prev"))
    }

    /// A lone CR after `stream` is harmless when `/Length` confirms where the data ends, and is
    /// noted whenever the object is read; without that confirmation it stays an error.
    @Test func loneCRAfterStreamIsNotedWhenLengthConfirmsIt() throws {
        var bytes = CraftedStructures.file()
        let keyword = try #require(SamplePDFs.firstIndex(of: Array("stream\n".utf8), in: bytes))
        bytes[keyword + 6] = 0x0D
        let document = try readStrictly(bytes)
        #expect(document.notes.map(\.code) == [.streamKeywordLoneCR])
        #expect(document.notes.first?.offset == keyword + 6)
        // /Length one short: the data would end before `endstream`, so where it starts is a guess.
        let lengthRange = try #require(SamplePDFs.firstIndex(of: Array("/Length ".utf8), in: bytes))
        var wrong = bytes
        let digit = lengthRange + 8
        wrong[digit] = wrong[digit] == UInt8(ascii: "9") ? UInt8(ascii: "8") : wrong[digit] + 1
        #expect(throws: PDFError(.badStream, "")) { try readStrictly(wrong) }
    }

    @Test func freeHeadWithGeneration65536IsNoted() throws {
        let document = try readStrictly(CraftedStructures.file(freeHeadGeneration: 65536))
        #expect(document.notes.map(\.code) == [.freeGeneration65536])
        #expect(document.entry(for: 0) == .free(nextFree: 0, generation: 65536))
        // An in-use entry cannot have it: no object header can say 65536.
        let inUse = CraftedStructures.file { builder in
            [CraftedStructures.Builder.row(builder.offsets[1]!, 65536, "n")]
                + (2...4).map { CraftedStructures.Builder.row(builder.offsets[$0]!, 0, "n") }
        }
        #expect(throws: PDFError(.badXref, "")) { try PDFDocument(bytes: inUse, mode: .strict) }
    }

    @Test(arguments: ["\n", "\r", "\r\r", "\n\n", "\r\n\n", "  \r\n"])
    func xrefRowEndingsAreNotedOncePerSection(_ end: String) throws {
        let document = try readStrictly(CraftedStructures.file(rowEnd: end))
        #expect(document.notes.map(\.code) == [.xrefRowEndOfLine])
    }

    @Test(arguments: [" \n", " \r", "\r\n"])
    func standardRowEndingsAreNotNoted(_ end: String) throws {
        #expect(try readStrictly(CraftedStructures.file(rowEnd: end)).notes.isEmpty)
    }

    @Test func rowsWithoutAnyEndStayErrors() throws {
        let glued = CraftedStructures.file(rowEnd: "")
        #expect(throws: PDFError(.badXref, "")) { try PDFDocument(bytes: glued, mode: .strict) }
    }

    @Test func wordHybridOriginalIsOneRevision() throws {
        let document = try PDFDocument(bytes: CraftedStructures.wordHybrid(), mode: .strict)
        #expect(document.revisions.count == 1)
        #expect(document.revisions[0].xrefKind == .hybrid)
        #expect(document.notes.map(\.code).contains(.hybridOriginal))
        // Object 4 lives only in the object stream the hybrid section's stream names.
        #expect(document.entry(for: 4) == .compressed(streamNumber: 5, index: 0))
        #expect(try document.object(PDFReference(4)).dictionaryValue?["Length"] == .integer(0))
        #expect(try document.pages().count == 1)
    }

    @Test func wordHybridWhoseStreamOverridesTheTableIsAmbiguous() throws {
        let bytes = CraftedStructures.wordHybrid(streamOverridesTable: true)
        #expect(throws: PDFError.self) { try PDFDocument(bytes: bytes, mode: .strict) }
        let document = try PDFDocument(bytes: bytes, mode: .strictPerRevision)
        #expect(document.revisions.count == 2)
        #expect(document.ambiguities.contains { $0.revision == 1 && $0.error.object?.number == 3 })
    }

    @Test(arguments: [(true, true), (true, false), (false, true), (false, false)])
    func acrobatHybridUpdateIsOneRevision(_ streamAfterTable: Bool, _ ownEntryAtZero: Bool) throws {
        let bytes = CraftedStructures.acrobatHybridUpdate(streamAfterTable: streamAfterTable, ownEntryAtZero: ownEntryAtZero)
        let document = try PDFDocument(bytes: bytes, mode: .strict)
        #expect(document.revisions.count == 2)
        #expect(document.revisions[1].endOffset == bytes.count)
        #expect(document.notes.map(\.code).contains(.hybridUpdate))
        #expect(document.notes.map(\.code).contains(.xrefStreamOwnEntryIgnored) == ownEntryAtZero)
        #expect(document.ambiguities.isEmpty)
        let content = try #require(document.object(PDFReference(4)).streamValue)
        #expect(String(decoding: content.encodedData, as: UTF8.self).contains("Filled in"))
    }

    @Test func aHybridStreamsOwnEntryNamingASecondDefinitionIsKept() throws {
        // Only an own entry that names no object of that number is dropped; one that names
        // another `5 0 obj` is the hybrid reading of object 5 (the table does not list 5), kept
        // like any other entry of the stream.
        let document = try PDFDocument(bytes: CraftedStructures.acrobatHybridUpdate(ownEntryAtDecoy: true), mode: .strict)
        #expect(!document.notes.map(\.code).contains(.xrefStreamOwnEntryIgnored))
        #expect(try document.object(PDFReference(5)).dictionaryValue?["Decoy"] == .bool(true))
    }

    @Test func acrobatHybridUpdateWhoseStreamOverridesTheTableIsAmbiguous() throws {
        let bytes = CraftedStructures.acrobatHybridUpdate(streamOverridesTable: true)
        #expect(throws: PDFError.self) { try PDFDocument(bytes: bytes, mode: .strict) }
        let document = try PDFDocument(bytes: bytes, mode: .strictPerRevision)
        #expect(!document.ambiguities.isEmpty)
    }

    @Test func aStreamFreeEntryGenerationOver65535IsNoted() throws {
        let document = try PDFDocument(bytes: CraftedStructures.streamFile(freeHeadGeneration: 0xFFFF_FFFF), mode: .strict)
        #expect(document.notes.map(\.code) == [.freeGenerationOver65535])
        #expect(try document.pages().count == 1)
        #expect(try PDFDocument(bytes: CraftedStructures.streamFile(freeHeadGeneration: 65535), mode: .strict).notes.isEmpty)
    }

    @Test func anEntryRepeatedUnchangedIsNoted() throws {
        let bytes = CraftedStructures.updated { original in [(3, CraftedStructures.Builder.row(original[3]!, 0, "n"))] }
        let document = try PDFDocument(bytes: bytes, mode: .strict)
        #expect(document.notes.map(\.code) == [.unchangedEntryRepeated])
        #expect(document.ambiguities.isEmpty)
    }

    // MARK: Ambiguities

    @Test func anXrefRowNamingAnotherObjectIsAnAmbiguity() throws {
        // Row 3 points at object 4's header.
        let bytes = CraftedStructures.file { builder in
            [1, 2, 4, 4].map { CraftedStructures.Builder.row(builder.offsets[$0]!, 0, "n") }
        }
        #expect(throws: PDFError(.xrefEntryMismatch, "")) { try PDFDocument(bytes: bytes, mode: .strict) }
        let document = try PDFDocument(bytes: bytes, mode: .strictPerRevision)
        #expect(document.ambiguities.count == 1)
        #expect(document.ambiguities.first?.revision == 0)
        #expect(document.ambiguities.first?.error.code == .xrefEntryMismatch)
        // The entry's object reads as null; the object it pointed at is unharmed.
        #expect(try document.object(PDFReference(3)) == .null)
        #expect(try document.object(PDFReference(4)).streamValue != nil)
        // Object 3 is the page: the page tree's error names the entry as the cause.
        #expect {
            _ = try document.pages()
        } throws: { error in
            (error as? PDFError)?.reason.hasSuffix("is not a dictionary: its cross-reference entry points at the offset of another object, so it reads as null") == true
        }
    }

    @Test func anObjectOutsideItsRevisionIsAnAmbiguity() throws {
        // The update's row for object 2 points at object 1's header, in the original's bytes.
        let moved = CraftedStructures.updated { original in [(2, CraftedStructures.Builder.row(original[1]!, 0, "n"))] }
        #expect(throws: PDFError.self) { try PDFDocument(bytes: moved, mode: .strict) }
        let document = try PDFDocument(bytes: moved, mode: .strictPerRevision)
        #expect(document.ambiguities.map(\.revision) == [1])
        // An update that defines an object with the original's bytes under a new offset.
        var builder = CraftedStructures.Builder()
        CraftedStructures.basicObjects(into: &builder)
        let stray = builder.bytes.count
        builder.append("3 0 obj\n<< /Type /Page /Parent 2 0 R /Contents 4 0 R /Rotate 90 >>\nendobj\n")
        let xref = builder.bytes.count
        builder.append("xref\n0 5\n" + CraftedStructures.Builder.row(0, 65535, "f"))
        for number in 1...4 { builder.append(CraftedStructures.Builder.row(builder.offsets[number]!, 0, "n")) }
        builder.append("trailer\n<< /Size 5 /Root 1 0 R >>\nstartxref\n\(xref)\n%%EOF\n")
        let update = builder.bytes.count
        builder.append("xref\n3 1\n" + CraftedStructures.Builder.row(stray, 0, "n"))
        builder.append("trailer\n<< /Size 5 /Root 1 0 R /Prev \(xref) >>\nstartxref\n\(update)\n%%EOF\n")
        #expect(throws: PDFError(.overlappingSections, "")) { try PDFDocument(bytes: builder.bytes, mode: .strict) }
        let outside = try PDFDocument(bytes: builder.bytes, mode: .strictPerRevision)
        #expect(outside.ambiguities.map(\.revision) == [1])
        #expect(outside.ambiguities.first?.error.code == .overlappingSections)
    }

    /// A PDF 1.1 font resource named `/F#1`: in 1.0 and 1.1 `#` was an ordinary name character.
    static func oldStyleNames() -> [UInt8] {
        var builder = CraftedStructures.Builder()
        let content = "BT /F#1 24 Tf 72 720 Td (Hello) Tj ET"
        builder.object(1, "<< /Type /Catalog /Pages 2 0 R >>")
        builder.object(2, "<< /Type /Pages /Kids [3 0 R] /Count 1 /MediaBox [0 0 612 792] >>")
        builder.object(3, "<< /Type /Page /Parent 2 0 R /Contents 4 0 R /Resources << /Font << /F#1 5 0 R >> >> >>")
        builder.object(4, "<< /Length \(content.utf8.count) >>\nstream\n\(content)\nendstream")
        builder.object(5, "<< /Type /Font /Subtype /Type1 /BaseFont /Helv#65tica >>")
        let xref = builder.bytes.count
        builder.append("xref\n0 6\n" + CraftedStructures.Builder.row(0, 65535, "f"))
        for number in 1...5 { builder.append(CraftedStructures.Builder.row(builder.offsets[number]!, 0, "n")) }
        builder.append("trailer\n<< /Size 6 /Root 1 0 R >>\nstartxref\n\(xref)\n%%EOF\n")
        return builder.bytes
    }

    /// Readers differ on `/F#1` (qpdf and pdf.js keep the `#`, poppler refuses the name): strict
    /// reading refuses it; tolerant reading takes the `#` as itself, with a warning at its offset.
    @Test func aNumberSignWithoutHexDigitsInANameIsStrictlyAnError() throws {
        let bytes = Self.oldStyleNames()
        let strict = try PDFDocument(bytes: bytes, mode: .strict)
        #expect(throws: PDFError(.syntax, "")) { _ = try strict.pages() }
        let tolerant = try PDFDocument(bytes: bytes, mode: .tolerant(reconstruct: false))
        let page = try tolerant.pages()[0]
        let resources = try tolerant.resolve(page.dictionary["Resources"] ?? .null).dictionaryValue
        let fonts = try #require(try tolerant.resolve(resources?["Font"] ?? .null).dictionaryValue)
        #expect(fonts.keys.map { String(decoding: $0.bytes, as: UTF8.self) } == ["F#1"])
        let font = try tolerant.resolve(fonts[PDFName(bytes: Array("F#1".utf8))] ?? .null).dictionaryValue
        #expect(font?["BaseFont"] == .name("Helvetica"), "a #xx escape is still decoded")
        let warning = try #require(tolerant.warnings.first { $0.message.contains("'#' without two hex digits") })
        #expect(warning.offset == SamplePDFs.firstIndex(of: Array("#1 5 0 R".utf8), in: bytes))
    }

    /// An xref entry that points a few bytes off its object (pypdf's `toy.pdf`: every offset
    /// after the first object is 12 bytes out), or at another object: strict reading refuses the
    /// entry; tolerant reading finds the object's definition by scanning, as qpdf, pdf.js and
    /// poppler do, and says where it read it.
    @Test(arguments: [12, -1])
    func tolerantReadingFindsAnObjectItsEntryMisses(_ shift: Int) throws {
        let bytes = CraftedStructures.file(rows: { builder in
            (1...4).map { number in
                // -1: object 3's entry names object 4's offset.
                let offset = number != 3 ? builder.offsets[number]! : shift < 0 ? builder.offsets[4]! : builder.offsets[3]! + shift
                return CraftedStructures.Builder.row(offset, 0, "n")
            }
        })
        #expect(throws: PDFError.self) { try PDFDocument(bytes: bytes, mode: .strict).pages() }
        let tolerant = try PDFDocument(bytes: bytes, mode: .tolerant(reconstruct: false))
        let page = try #require(try tolerant.pages().first)
        #expect(page.reference == PDFReference(3))
        #expect(page.dictionary["Contents"] == .reference(PDFReference(4)))
        let warning = try #require(tolerant.warnings.first { $0.message.contains("found by scanning") }, "\(tolerant.warnings)")
        #expect(warning.message.contains("at offset \(try #require(SamplePDFs.firstIndex(of: Array("3 0 obj".utf8), in: bytes)))"))
    }

    @Test func aBrokenXrefInAnAppendedUpdateStaysAnError() throws {
        var bytes = CraftedStructures.file()
        let update = bytes.count
        bytes += Array("xref\n0 1\n0000000000 65535 f \nGARBAGE\ntrailer\n<< /Size 5 /Root 1 0 R >>\nstartxref\n\(update)\n%%EOF\n".utf8)
        for mode in [PDFReadingMode.strict, .strictPerRevision] {
            #expect(throws: PDFError.self) { try PDFDocument(bytes: bytes, mode: mode) }
        }
    }

    static let encryptions: [(PDFDictionary, String)] = [
        (["Filter": .name("Standard"), "V": 2, "R": 3, "Length": 128], "standard security handler (revision 3, RC4 128-bit)"),
        (["Filter": .name("Standard"), "V": 5, "R": 6], "standard security handler (revision 6, AES-256)"),
        (["Filter": .name("Adobe.PubSec"), "SubFilter": .name("adbe.pkcs7.s5"), "V": 4],
         "public-key security handler (/Adobe.PubSec, /SubFilter adbe.pkcs7.s5, RC4 or AES-128 (crypt filters)), which needs the recipient's private key"),
    ]

    @Test(arguments: 0..<3)
    func encryptionIsRefusedNamingTheHandler(_ index: Int) throws {
        let (encrypt, expected) = Self.encryptions[index]
        var objects = SamplePDFs.objects()
        objects[PDFReference(40)] = .dictionary(encrypt)
        var trailer = SamplePDFs.trailer
        trailer["Encrypt"] = .reference(PDFReference(40))
        let bytes = PDFFileWriter().write(objects: objects, trailer: trailer)
        do {
            _ = try PDFDocument(bytes: bytes)
            Issue.record("an encrypted file was read")
        } catch let error as PDFError {
            #expect(error.code == .encrypted)
            #expect(error.reason.contains(expected), "\(error.reason)")
        }
    }

    @Test func tolerantReadingNeedsNoNotesToStepOverTheHarmless() throws {
        let bytes = CraftedStructures.file(rowEnd: "\n", freeHeadGeneration: 65536, beforeStartxref: "%iText-5.5.13\n",
                                           startxrefShift: -1)
        let strict = try readStrictly(bytes)
        #expect(Set(strict.notes.map(\.code)) == [.xrefRowEndOfLine, .freeGeneration65536, .commentInFileTrailer,
                                                  .xrefOffsetOnWhitespace])
        let tolerant = try PDFDocument(bytes: bytes, mode: .tolerant(reconstruct: false))
        #expect(try tolerant.pages().count == 1)
    }
}

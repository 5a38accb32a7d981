@testable import PDFSyntax
import TestSupport
import Testing

/// `XRefTable` (entries kept in order of number, found by index or binary search) must answer
/// exactly as the dictionaries it replaced: for dense, sparse and huge numbers, and through a
/// document's revisions.
@Suite struct XRefTableTests {
    static func entry(_ value: Int) -> XRefEntry {
        switch value % 3 {
        case 0: return .free(nextFree: value, generation: value % 65536)
        case 1: return .inUse(offset: value, generation: value % 7)
        default: return .compressed(streamNumber: value / 3, index: value % 100)
        }
    }

    static let cases: [[Int]] = [
        [],
        [0],
        Array(0..<5000),
        Array(5..<40),
        [0, 1, 2, 4, 5],
        [3, 17, 99, 1000, 8_388_606],
        [0, 8_388_606],
        [Int.max - 1, Int.max],
        [0, Int.max],
        [Int.min, -1, 0, Int.max],
        Array(8_388_600..<8_388_607),
    ]

    /// Every number a lookup might be asked for around the table's own.
    static func probes(_ numbers: [Int]) -> [Int] {
        var probes: [Int] = [Int.min, Int.min + 1, -1, 0, 1, 8_388_606, 8_388_607, Int.max - 1, Int.max]
        for number in numbers {
            probes.append(number)
            if number > Int.min { probes.append(number - 1) }
            if number < Int.max { probes.append(number + 1) }
        }
        return probes
    }

    static func check(_ table: XRefTable, equals model: [Int: XRefEntry]) {
        #expect(table.count == model.count)
        #expect(table.isEmpty == model.isEmpty)
        let sorted = model.sorted { $0.key < $1.key }
        #expect(table.map(\.number) == sorted.map(\.key))
        #expect(table.map(\.entry) == sorted.map(\.value))
        #expect(table.objectNumbers == sorted.map(\.key))
        for number in probes(Array(model.keys)) { #expect(table[number] == model[number], "object \(number)") }
    }

    @Test(arguments: cases)
    func lookupsMatchADictionary(numbers: [Int]) {
        let model = Dictionary(uniqueKeysWithValues: numbers.map { ($0, Self.entry(abs($0 % 1_000_003))) })
        Self.check(XRefTable(model), equals: model)
        // Built the way the parsers build it, in the order given and reversed.
        for order in [numbers, numbers.reversed()] {
            var builder = XRefTableBuilder()
            for number in order {
                let added = builder.insert(number, model[number]!)
                #expect(added)
            }
            Self.check(builder.build(), equals: model)
        }
    }

    @Test func aNumberListedTwiceIsRefusedInAnyOrder() {
        var ascending = XRefTableBuilder()
        var added: Bool
        added = ascending.insert(3, .inUse(offset: 10, generation: 0))
        #expect(added)
        added = ascending.insert(3, .inUse(offset: 20, generation: 0))
        #expect(!added)
        added = ascending.insert(7, .inUse(offset: 30, generation: 0))
        #expect(added)
        added = ascending.insert(5, .inUse(offset: 40, generation: 0))
        #expect(added)
        added = ascending.insert(3, .free(nextFree: 0, generation: 1))
        #expect(!added)
        added = ascending.insert(7, .free(nextFree: 0, generation: 1))
        #expect(!added)
        added = ascending.insert(1, .free(nextFree: 0, generation: 1))
        #expect(added)
        Self.check(ascending.build(), equals: [1: .free(nextFree: 0, generation: 1), 3: .inUse(offset: 10, generation: 0),
                                               5: .inUse(offset: 40, generation: 0), 7: .inUse(offset: 30, generation: 0)])
    }

    @Test func denseAndSparseTablesOfTheSameEntriesAreEqual() {
        let model: [Int: XRefEntry] = [2: .inUse(offset: 9, generation: 0), 3: .inUse(offset: 19, generation: 0)]
        var builder = XRefTableBuilder()
        _ = builder.insert(3, model[3]!)
        _ = builder.insert(2, model[2]!)
        #expect(builder.build() == XRefTable(model))
        #expect(XRefTable(model) != XRefTable([2: .inUse(offset: 9, generation: 0)]))
    }

    @Test func overlayingMatchesDictionaryMerging() {
        var random = SeededGenerator(state: 42)
        for _ in 0..<200 {
            func randomTable() -> [Int: XRefEntry] {
                let dense = Bool.random(using: &random)
                let count = Int.random(in: 0..<60, using: &random)
                let start = Int.random(in: 0..<30, using: &random)
                var model: [Int: XRefEntry] = [:]
                for index in 0..<count {
                    let number = dense ? start + index : Int.random(in: 0..<200, using: &random)
                    model[number] = Self.entry(Int.random(in: 0..<1_000_000, using: &random))
                }
                return model
            }
            let older = randomTable()
            let newer = randomTable()
            let merged = older.merging(newer) { _, new in new }
            Self.check(XRefTable(older).overlaid(by: XRefTable(newer)), equals: merged)
        }
    }

    /// A hybrid section's stream entries replace the table's free ones and add the numbers the
    /// table lacks; `effectiveEntries` walks them in order as `entry(for:)` answers.
    @Test func hybridSectionEntriesMergeInOrder() {
        var random = SeededGenerator(state: 7)
        for _ in 0..<100 {
            var table: [Int: XRefEntry] = [:]
            var stream: [Int: XRefEntry] = [:]
            for number in 0..<40 {
                switch Int.random(in: 0..<4, using: &random) {
                case 0: table[number] = .free(nextFree: 0, generation: 1)
                case 1: table[number] = .inUse(offset: number * 10, generation: 0)
                case 2: break
                default: break
                }
                if Bool.random(using: &random) { stream[number] = .compressed(streamNumber: 99, index: number) }
            }
            let section = XRefSection(kind: .hybrid, offset: 0, endOffset: 0, entries: XRefTable(table),
                                      streamEntries: XRefTable(stream), trailer: PDFDictionary(), xrefStreamOffset: 0)
            var expected: [Int: XRefEntry] = [:]
            for number in Set(table.keys).union(stream.keys) { expected[number] = section.entry(for: number) }
            Self.check(section.effectiveEntries, equals: expected)
            #expect(section.objectNumbers == Set(expected.keys))
        }
    }
}

/// Whole files whose sections are sparse, out of order or near the object limit.
@Suite struct XRefTableDocumentTests {
    /// A classic file from objects and a table text (`nil` offset = the object's own offset).
    static func file(objects: [(Int, String)], subsections: [(start: Int, numbers: [Int?])], free: Set<Int> = [],
                     trailer: String) -> [UInt8] {
        var bytes = Array("%PDF-1.7\n".utf8)
        var offsets: [Int: Int] = [:]
        for (number, body) in objects {
            offsets[number] = bytes.count
            bytes += Array("\(number) 0 obj\n\(body)\nendobj\n".utf8)
        }
        let xref = bytes.count
        var table = "xref\n"
        for subsection in subsections {
            table += "\(subsection.start) \(subsection.numbers.count)\n"
            for (index, offset) in subsection.numbers.enumerated() {
                let number = subsection.start + index
                if free.contains(number) || offset == nil && offsets[number] == nil {
                    table += "0000000000 65535 f\r\n"
                } else {
                    let value = offset ?? offsets[number]!
                    table += String(repeating: "0", count: 10 - String(value).count) + "\(value) 00000 n\r\n"
                }
            }
        }
        bytes += Array(table.utf8) + Array("trailer\n\(trailer)\nstartxref\n\(xref)\n%%EOF\n".utf8)
        return bytes
    }

    static let objects: [(Int, String)] = [
        (1, "<< /Type /Catalog /Pages 2 0 R >>"),
        (2, "<< /Type /Pages /Kids [3 0 R] /Count 1 /MediaBox [0 0 10 10] >>"),
        (3, "<< /Type /Page /Parent 2 0 R >>"),
        (8_388_606, "(near the limit)"),
    ]

    @Test func sparseOutOfOrderSubsectionsNearTheLimit() throws {
        let bytes = Self.file(objects: Self.objects,
                              subsections: [(8_388_606, [nil]), (2, [nil, nil]), (0, [nil, nil])],
                              trailer: "<< /Size 8388607 /Root 1 0 R >>")
        let document = try PDFDocument(bytes: bytes)
        #expect(document.objectNumbers() == [1, 2, 3, 8_388_606])
        #expect(try document.object(PDFReference(8_388_606)) == .string(PDFString(bytes: Array("near the limit".utf8))))
        #expect(document.entry(for: 8_388_607) == nil)
        #expect(document.entry(for: 4) == nil)
        #expect(document.entry(for: -1) == nil)
        #expect(document.entry(for: Int.max) == nil)
        #expect(document.entry(for: 0) == .free(nextFree: 0, generation: 65535))
        #expect(document.revisions[0].definedObjects.map(\.number) == [1, 2, 3, 8_388_606])
        #expect(try document.pages().count == 1)
    }

    static func pad(_ offset: Int) -> String { String(repeating: "0", count: 10 - String(offset).count) + String(offset) }

    @Test func anObjectListedTwiceIsStillRefused() {
        let bytes = Self.file(objects: Self.objects, subsections: [(2, [nil, nil]), (0, [nil, nil, nil])],
                              trailer: "<< /Size 4 /Root 1 0 R >>")
        let second = SamplePDFs.firstIndex(of: Array("0 3\n".utf8), in: bytes)! + 4 + 2 * 20
        do {
            _ = try PDFDocument(bytes: bytes)
            Issue.record("expected badXref")
        } catch let error as PDFError {
            #expect(error.code == .badXref)
            #expect(error.reason == "xref section lists object 2 twice")
            #expect(error.offset == second)
        } catch {
            Issue.record("unexpected \(error)")
        }
    }

    @Test func revisionsLayTheirEntriesOverEarlierOnes() throws {
        var bytes = Self.file(objects: Self.objects, subsections: [(0, [nil, nil, nil, nil]), (8_388_606, [nil])],
                              trailer: "<< /Size 8388607 /Root 1 0 R >>")
        let firstXref = SamplePDFs.firstIndex(of: Array("\nxref\n".utf8), in: bytes)! + 1
        // Update 1 redefines object 3 and frees 8388606; update 2 adds object 5.
        let page = bytes.count
        bytes += Array("3 0 obj\n<< /Type /Page /Parent 2 0 R /Rotate 90 >>\nendobj\n".utf8)
        let second = bytes.count
        bytes += Array("xref\n3 1\n\(Self.pad(page)) 00000 n\r\n8388606 1\n0000000000 00001 f\r\n".utf8)
        bytes += Array("trailer\n<< /Size 8388607 /Root 1 0 R /Prev \(firstXref) >>\nstartxref\n\(second)\n%%EOF\n".utf8)
        let added = bytes.count
        bytes += Array("5 0 obj\n(five)\nendobj\n".utf8)
        let third = bytes.count
        bytes += Array("xref\n5 1\n\(Self.pad(added)) 00000 n\r\n".utf8)
        bytes += Array("trailer\n<< /Size 8388607 /Root 1 0 R /Prev \(second) >>\nstartxref\n\(third)\n%%EOF\n".utf8)

        let document = try PDFDocument(bytes: bytes)
        #expect(document.revisions.count == 3)
        #expect(document.entry(for: 3) == .inUse(offset: page, generation: 0))
        #expect(document.entry(for: 3, revision: 0) != .inUse(offset: page, generation: 0))
        #expect(document.entry(for: 8_388_606) == .free(nextFree: 0, generation: 1))
        #expect(document.entry(for: 8_388_606, revision: 0)?.isInUse == true)
        #expect(document.entry(for: 5) == .inUse(offset: added, generation: 0))
        #expect(document.entry(for: 5, revision: 1) == nil)
        #expect(document.objectNumbers() == [1, 2, 3, 5])
        #expect(document.objectNumbers(revision: 0) == [1, 2, 3, 8_388_606])
        #expect(document.revisions[1].definedObjects == [PDFReference(3)])
        #expect(document.revisions[1].freedObjects == [PDFReference(8_388_606, 1)])
        #expect(try document.pages()[0].rotation == 90)
        #expect(try document.pages(revision: 0)[0].rotation == 0)
    }
}

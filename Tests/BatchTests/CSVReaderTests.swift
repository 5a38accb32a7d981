import Batch
import Foundation
import TestSupport
import Testing

/// The streaming CSV reader on the things real CRM exports contain.
@Suite struct CSVReaderTests {
    private func read(_ bytes: [UInt8], encoding: CSVEncoding = .utf8, chunkSize: Int = 7) throws
        -> (header: [String], results: [Result<CSVRecord, CSVRowError>]) {
        let url = try TestEnvironment.scratchDirectory().appendingPathComponent("in.csv")
        try Data(bytes).write(to: url)
        let reader = try CSVReader(url: url, encoding: encoding, chunkSize: chunkSize)
        var results: [Result<CSVRecord, CSVRowError>] = []
        while let next = try reader.next() { results.append(next) }
        return (reader.header, results)
    }

    @Test func quotedFieldsWithCommasQuotesAndNewlines() throws {
        let text = "\u{FEFF}id,name,note\r\n1,\"Acme, Inc.\",\"said \"\"hi\"\"\"\r\n2,Zoë,\"two\nlines\"\r\n3,Plain,\r\n"
        let (header, results) = try read(Array(text.utf8))
        #expect(header == ["id", "name", "note"])
        let records = results.compactMap { try? $0.get() }
        #expect(records.count == 3)
        #expect(records[0].fields == ["1", "Acme, Inc.", "said \"hi\""])
        #expect(records[1].fields == ["2", "Zoë", "two\nlines"])
        #expect(records[2].fields == ["3", "Plain", ""])
        #expect(records.map(\.row) == [1, 2, 3])
        #expect(records[2].line == 5)
    }

    @Test func badRowsAreErrorsAndReadingContinues() throws {
        var bytes = Array("id,name\n1,ok\n2\n3,a,b\n4,\"bad\"x\n5,nul".utf8)
        bytes += [0]
        bytes += Array("\n6,\u{E9}".utf8.prefix(3))
        bytes += [0xE9, 0x0A]  // a Latin-1 byte: invalid UTF-8
        bytes += Array("7,extra,,\n8,last".utf8)
        let (_, results) = try read(bytes)
        #expect(results.count == 8)
        let errors = results.compactMap { if case .failure(let error) = $0 { return error } else { return nil } }
        #expect(errors.map(\.row) == [2, 3, 4, 5, 6])
        #expect(errors[0].message.contains("ragged"))
        #expect(errors[1].message.contains("3 fields but the header has 2"))
        #expect(errors[2].message.contains("follows the closing quote"))
        #expect(errors[3].message.contains("NUL"))
        #expect(errors[4].message.contains("not valid utf-8"))
        let good = results.compactMap { try? $0.get() }
        #expect(good.map(\.fields) == [["1", "ok"], ["7", "extra"], ["8", "last"]])
    }

    @Test func windows1252Decodes() throws {
        let (_, results) = try read([0x6E, 0x2C, 0x76, 0x0A, 0x31, 0x2C, 0x4D, 0xFC, 0x6C, 0x6C, 0x65, 0x72, 0x0A],
                                    encoding: .windows1252)
        #expect(try results.first?.get().fields == ["1", "Müller"])
    }

    /// A UTF-8 file (its byte-order mark says so) read as windows-1252 would turn "Café" into
    /// "CafÃ©" in every document: refused, naming the flag to leave out. A byte windows-1252
    /// leaves undefined does not send the reader to the flag it already gave.
    @Test func aUTF8FileIsNotReadAsWindows1252() throws {
        #expect {
            _ = try read([0xEF, 0xBB, 0xBF] + Array("n,v\n1,Café\n".utf8), encoding: .windows1252)
        } throws: { error in
            (error as? CSVFileError)?.message.contains("UTF-8 byte-order mark, so it is UTF-8 text, not windows-1252; leave out --encoding windows-1252") == true
        }
        let (_, results) = try read(Array("n,v\n1,".utf8) + [0x81, 0x0A], encoding: .windows1252)
        guard case .failure(let error)? = results.first else { Issue.record("expected an error"); return }
        #expect(error.message.contains("not valid windows-1252") && !error.message.contains("try --encoding"), "\(error.message)")
    }

    /// A BOM-less UTF-8 file read with `--encoding windows-1252`: a value with letters beyond
    /// ASCII that are valid UTF-8 is refused, naming both readings, rather than printed as
    /// "ZoÃ«"; ASCII rows and real windows-1252 letters are read.
    @Test func aUTF8FileWithoutItsMarkIsNotReadAsWindows1252() throws {
        let (header, results) = try read(Array("n,v\n1,plain\n2,Zoë\n".utf8) + [0x33, 0x2C, 0x4D, 0xFC, 0x0A], encoding: .windows1252)
        #expect(header == ["n", "v"])
        #expect(try results[0].get().fields == ["1", "plain"])
        guard case .failure(let error) = results[1] else { Issue.record("expected an error"); return }
        #expect(error.row == 2 && error.column == 2)
        #expect(error.message == "the value is UTF-8 text ('Zoë'), which read as windows-1252 would be 'ZoÃ«': the file is UTF-8; "
                + "leave out --encoding windows-1252", "\(error.message)")
        #expect(try results[2].get().fields == ["3", "Mü"])
        #expect { _ = try read(Array("Straße,v\n1,2\n".utf8), encoding: .windows1252) } throws: { error in
            (error as? CSVFileError)?.message.contains("header column 1 is UTF-8 text ('Straße')") == true
        }
    }

    /// Text in UTF-16 or UTF-32, with its byte-order mark or without, is named as such; a
    /// second UTF-8 mark or another invisible character in a column's name is refused (the
    /// "did you mean" for it would show the same name twice).
    @Test(arguments: [
        ([0xFF, 0xFE, 0, 0, 0x6E, 0, 0, 0], "the file is UTF-32 (little-endian)"),
        ([0, 0, 0xFE, 0xFF, 0, 0, 0, 0x6E], "the file is UTF-32 (big-endian)"),
        ([0xFF, 0xFE, 0x6E, 0, 0x2C, 0], "the file is UTF-16 (little-endian)"),
        ([0xFE, 0xFF, 0, 0x6E, 0, 0x2C], "the file is UTF-16 (big-endian)"),
        ([0x6E, 0, 0x2C, 0, 0x76, 0, 0x0A, 0], "header column 1 contains NUL bytes: the file looks like UTF-16 or UTF-32"),
        ([0xEF, 0xBB, 0xBF, 0xEF, 0xBB, 0xBF, 0x6E, 0x2C, 0x76, 0x0A], "header column 1 has a byte-order mark (U+FEFF) at character 1 (the file starts with two"),
        (Array("n,lead\u{200B}_id\n".utf8), "header column 2 has an invisible character (U+200B) at character 5"),
    ] as [([UInt8], String)])
    func wideTextAndInvisibleNamesAreNamed(_ bytes: [UInt8], _ says: String) {
        #expect { _ = try read(bytes) } throws: { error in
            let message = (error as? CSVFileError)?.message ?? "\(error)"
            return message.contains(says) || { Issue.record("\(message)"); return false }()
        }
    }

    @Test func unclosedQuoteAtEndIsAnError() throws {
        let (_, results) = try read(Array("a,b\n1,\"open".utf8))
        guard case .failure(let error)? = results.first else { Issue.record("expected an error"); return }
        #expect(error.message.contains("the quote that opens field 2 on line 2 is never closed"))
    }

    @Test func anOpenQuoteSaysWhereItOpenedAndWhichLinesItAbsorbed() throws {
        let (_, results) = try read(Array("a,b\n1,ok\n2,\"Acme, Inc\n3,next\n4,last\n".utf8))
        #expect(results.count == 2)
        #expect(try results.first?.get().fields == ["1", "ok"])
        guard case .failure(let error)? = results.last else { Issue.record("expected an error"); return }
        #expect(error.row == 2 && error.line == 3 && error.absorbedLines == 2)
        #expect(error.message.contains("the quote that opens field 2 on line 3 is never closed; lines 4–5 after it "
                                       + "were read into this field"), "\(error.message)")
    }

    @Test func missingAndEmptyFilesAreFileErrors() throws {
        #expect(throws: CSVFileError.self) { try CSVReader(url: URL(fileURLWithPath: "/nonexistent.csv")) }
        #expect(throws: CSVFileError.self) { try read([]) }
    }
}

@Suite struct CSVReaderLimitTests {
    @Test func progressCountsBytesAndHugeRecordsAreErrors() throws {
        let url = try TestEnvironment.scratchDirectory().appendingPathComponent("big.csv")
        let text = "a,b\n1,\"" + String(repeating: "x", count: CSVReader.maximumRecordBytes + 10) + "\"\n2,ok\n"
        try Data(text.utf8).write(to: url)
        let reader = try CSVReader(url: url)
        #expect(reader.bytesConsumed == 4)
        guard case .failure(let error)? = try reader.next() else { Issue.record("expected an error"); return }
        #expect(error.message.contains("longer than 16 MiB"))
        #expect(try reader.next().flatMap { try? $0.get().fields } == ["2", "ok"])
        #expect(reader.bytesConsumed == text.utf8.count)
    }
}

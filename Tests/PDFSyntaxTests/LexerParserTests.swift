@testable import PDFSyntax
import Testing

/// Parses one direct object from text.
private func parse(_ text: String, limits: PDFLimits = .default) throws -> PDFObject {
    var parser = ObjectParser(bytes: PDFBytes(Array(text.utf8)), position: 0, limits: limits, strict: true)
    return try parser.parseObject()
}

@Suite struct LexerParserTests {
    @Test(arguments: [
        ("(plain)", Array("plain".utf8)),
        ("(a\\nb\\rc\\td\\be\\ff)", Array("a\nb\rc\td\u{8}e\u{c}f".utf8)),
        ("(nested (parens) ok)", Array("nested (parens) ok".utf8)),
        ("(esc \\( \\) \\\\)", Array("esc ( ) \\".utf8)),
        ("(octal \\101\\60\\0061)", Array("octal A0\u{6}1".utf8)),
        ("(line\\\ncontinued)", Array("linecontinued".utf8)),
        ("(cr\r\nlf)", Array("cr\nlf".utf8)),
        ("(unknown \\q escape)", Array("unknown q escape".utf8)),
        ("<48 65 6C6C 6F>", Array("Hello".utf8)),
        ("<414>", [0x41, 0x40]),
        ("<>", []),
    ])
    func strings(text: String, expected: [UInt8]) throws {
        guard case .string(let string) = try parse(text) else { Issue.record("not a string"); return }
        #expect(string.bytes == expected)
    }

    @Test func namesResolveHexEscapes() throws {
        #expect(try parse("/A#20B#23") == .name(PDFName(bytes: Array("A B#".utf8))))
        #expect(try parse("/") == .name(PDFName(bytes: [])))
        // Without two hex digits: refused strictly; tolerant reading takes the `#` as itself (PDF 1.0 and 1.1 names).
        #expect(throws: PDFError(.syntax, "")) { try parse("/Bad#4") }
        var tolerant = ObjectParser(bytes: PDFBytes(Array("/F#1#GG#".utf8)), position: 0, limits: .default, strict: false)
        #expect(try tolerant.parseObject() == .name(PDFName(bytes: Array("F#1#GG#".utf8))))
        #expect(tolerant.allWarnings(in: "a test", offsetsInFile: true).compactMap(\.offset) == [2, 4, 7])
        #expect(throws: PDFError(.syntax, "")) { try parse("/Zero#00") }
    }

    @Test func numbers() throws {
        #expect(try parse("42") == .integer(42))
        #expect(try parse("-17") == .integer(-17))
        #expect(try parse("+3") == .integer(3))
        #expect(try parse("3.25") == .real(3.25))
        #expect(try parse("-.5") == .real(-0.5))
        #expect(try parse("4.") == .real(4))
        #expect(throws: PDFError(.syntax, "")) { try parse("-") }
        #expect(throws: PDFError(.syntax, "")) { try parse("1.2.3") }
    }

    @Test func containersAndReferences() throws {
        let object = try parse("<< /Kids [1 0 R 2 0 R] /Count 2 /Nested << /A [1 2 [3]] /B null /C true >> /N [5 0] >>")
        guard case .dictionary(let dictionary) = object else { Issue.record("not a dictionary"); return }
        #expect(dictionary["Kids"] == .array([.reference(PDFReference(1)), .reference(PDFReference(2))]))
        #expect(dictionary["Count"] == .integer(2))
        #expect(dictionary["N"] == [5, 0])
        #expect(dictionary["Nested"]?.dictionaryValue?["A"] == [1, 2, [3]])
        #expect(dictionary["Nested"]?.dictionaryValue?["B"] == .null)
        #expect(dictionary.keys.map(\.string) == ["Kids", "Count", "Nested", "N"])
    }

    @Test func commentsAreWhitespace() throws {
        #expect(try parse("% a comment\n[1 % another\n 2]") == [1, 2])
    }

    @Test func errorsNameTheOffset() throws {
        do {
            _ = try parse("[1 2 (unterminated")
            Issue.record("expected an error")
        } catch let error as PDFError {
            #expect(error.code == .unexpectedEnd)
            #expect(error.offset == 5)
        }
        #expect(throws: PDFError(.unexpectedEnd, "")) { try parse("<< /A 1") }
        #expect(throws: PDFError(.syntax, "")) { try parse("<< 1 2 >>") }
        #expect(throws: PDFError(.syntax, "")) { try parse("<< /A >>") }
        #expect(throws: PDFError(.syntax, "")) { try parse("<< /A 1 /A 2 >>") }
        #expect(throws: PDFError(.syntax, "")) { try parse("<4G>") }
    }

    @Test func nestingDepthIsLimited() throws {
        let deep = String(repeating: "[", count: 300) + String(repeating: "]", count: 300)
        #expect(throws: PDFError(.limitExceeded, "")) { try parse(deep) }
        let fine = String(repeating: "[", count: 50) + String(repeating: "]", count: 50)
        #expect(try parse(fine) != .null)
    }

    @Test func serializerRoundTrips() throws {
        let original: PDFObject = .dictionary([
            "Name": .name(PDFName(bytes: Array("With Space#(x)".utf8))),
            "Text": .string(PDFString(bytes: Array("a(b)\\c\n\r\u{1}\u{FF}".utf8))),
            "Hex": .string(PDFString(bytes: [0, 1, 0xFE], syntax: .hex)),
            "Real": .real(-0.125), "Int": 7, "Bool": false, "Null": .null,
            "Array": [.reference(PDFReference(12, 3)), [1, 2]],
        ])
        let bytes = ObjectSerializer.serialize(original)
        var parser = ObjectParser(bytes: PDFBytes(bytes), position: 0, limits: .default, strict: true)
        #expect(try parser.parseObject() == original)
    }
}

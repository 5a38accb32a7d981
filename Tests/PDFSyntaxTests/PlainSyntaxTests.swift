@testable import PDFSyntax
import Testing

/// The parser's shortcuts — `g R` tails and `n g obj` headers read without tokens, containers
/// built on a shared stack, object-stream members found by index — must give exactly what the
/// tokenizer gives, including where it stops and what it refuses.
@Suite struct PlainSyntaxTests {
    private static func parse(_ text: String, strict: Bool = true) throws -> (PDFObject, end: Int) {
        var parser = ObjectParser(bytes: PDFBytes(Array(text.utf8)), position: 0, limits: .default, strict: strict)
        let object = try parser.parseObject()
        return (object, parser.lexer.position)
    }

    static let references: [(String, PDFObject, Int)] = [
        ("1 0 R", .reference(PDFReference(1, 0)), 5),
        ("12 7 R/Next", .reference(PDFReference(12, 7)), 6),
        ("1 00000 R", .reference(PDFReference(1, 0)), 9),
        ("1\n0\r\nR]", .reference(PDFReference(1, 0)), 6),
        ("1\u{0}0\u{0}R", .reference(PDFReference(1, 0)), 5),
        ("1 65535 R", .reference(PDFReference(1, 65535)), 9),
        ("1 65536 R", .integer(1), 1),
        ("1 0 Rx", .integer(1), 1),
        ("1 0 R0", .integer(1), 1),
        ("1 0", .integer(1), 1),
        ("1 0 ", .integer(1), 1),
        ("1", .integer(1), 1),
        ("1 0.0 R", .integer(1), 1),
        ("1 0x R", .integer(1), 1),
        ("1 99999999999999999999 R", .integer(1), 1),
        ("1 (0) R", .integer(1), 1),
        ("1 /R R", .integer(1), 1),
        ("1 0 /R", .integer(1), 1),
        // Left to the tokenizer: comments, signs and dots.
        ("1 % note\n0 R", .reference(PDFReference(1, 0)), 12),
        ("1 0 % note\nR", .reference(PDFReference(1, 0)), 12),
        ("1 +0 R", .reference(PDFReference(1, 0)), 6),
        ("1 -0 R", .reference(PDFReference(1, 0)), 6),
        ("1 -1 R", .integer(1), 1),
        ("1 .5 R", .integer(1), 1),
        ("-1 0 R", .integer(-1), 2),
        ("1.0 0 R", .real(1.0), 3),
    ]

    @Test func referenceTailsReadAsTheTokenizerReadsThem() throws {
        for (text, expected, end) in Self.references {
            let (object, position) = try Self.parse(text)
            #expect(object == expected, "\(text)")
            #expect(position == end, "\(text)")
        }
        #expect(try Self.parse("[1 0 R 2 1 R 3 4]").0 == [.reference(PDFReference(1)), .reference(PDFReference(2, 1)), 3, 4])
    }

    static let headers: [(String, PDFReference?)] = [
        ("1 0 obj", PDFReference(1, 0)),
        ("\n 12 3 obj<<>>", PDFReference(12, 3)),
        ("12 3 obj\n", PDFReference(12, 3)),
        ("1\r\n0\tobj ", PDFReference(1, 0)),
        ("1 65535 obj", PDFReference(1, 65535)),
        ("1 65536 obj", nil),
        ("1 0 objx", nil),
        ("1 0 ob", nil),
        ("1 0 R", nil),
        ("99999999999999999999 0 obj", nil),
        ("+1 0 obj", PDFReference(1, 0)),
        ("1 % c\n0 obj", PDFReference(1, 0)),
        ("-1 0 obj", nil),
        ("1.0 0 obj", nil),
    ]

    @Test func objectHeadersReadAsTheTokenizerReadsThem() {
        for (text, expected) in Self.headers {
            var parser = ObjectParser(bytes: PDFBytes(Array(text.utf8)), position: 0, limits: .default, strict: true)
            #expect((try? parser.parseObjectHeader()) == expected, "\(text)")
            if expected != nil {
                let keyword = text.utf8.count - Array(text.utf8.reversed()).firstIndex(of: UInt8(ascii: "j"))!
                #expect(parser.lexer.position == keyword, "\(text)")
            }
        }
    }

    @Test func containersKeepTheirOwnMembers() throws {
        let text = "<< /A [1 [2 3] << /B [4] /C << >> >> []] /D << /E 5 >> /F [] >>"
        guard case .dictionary(let outer) = try Self.parse(text).0 else { Issue.record("not a dictionary"); return }
        #expect(outer.keys.map(\.string) == ["A", "D", "F"])
        #expect(outer["A"] == .array([1, [2, 3], .dictionary(["B": [4], "C": .dictionary([:])]), []]))
        #expect(outer["D"] == .dictionary(["E": 5]))
        #expect(outer["F"] == [])
        // A repeated key in tolerant mode keeps its first place and takes the last value.
        guard case .dictionary(let repeated) = try Self.parse("<< /A 1 /B << /A 2 /A 3 >> /A 4 >>", strict: false).0 else {
            Issue.record("not a dictionary"); return
        }
        #expect(repeated.keys.map(\.string) == ["A", "B"])
        #expect(repeated["A"] == 4)
        #expect(repeated["B"] == .dictionary(["A": 3]))
        #expect(throws: PDFError(.syntax, "")) { try Self.parse("<< /A << /B 1 /B 2 >> >>") }
    }

    @Test func aParserThatFailedInsideAContainerParsesTheNextObjectCleanly() throws {
        var parser = ObjectParser(bytes: PDFBytes(Array("[1 << /A [2 >> ] <</B [3]>>".utf8)), position: 0,
                                  limits: .default, strict: true)
        #expect(throws: PDFError.self) { try parser.parseObject() }
        parser.lexer.position = 16
        #expect(try parser.parseObject() == .dictionary(["B": [3]]))
    }

    @Test func objectStreamMembersAreFoundByIndexOrNumber() {
        var ascending = ObjectStreamMembers(capacity: 3)
        for number in [4, 9, 20] { ascending.append(number: number, object: .integer(number)) }
        #expect(ascending.object(number: 9, index: 1) == 9)
        #expect(ascending.object(number: 9, index: 0) == 9)
        #expect(ascending.object(number: 9, index: 7) == 9)
        #expect(ascending.object(number: 20, index: -1) == 20)
        #expect(ascending.object(number: 5, index: 1) == nil)
        #expect(ascending.object(number: 21, index: 2) == nil)

        // A number listed twice: the first occurrence is the member, whatever the index says.
        var repeated = ObjectStreamMembers(capacity: 4)
        for (number, value) in [(7, 1), (3, 2), (7, 3), (5, 4)] { repeated.append(number: number, object: .integer(value)) }
        #expect(repeated.object(number: 7, index: 2) == 1)
        #expect(repeated.object(number: 7, index: 0) == 1)
        #expect(repeated.object(number: 3, index: 1) == 2)
        #expect(repeated.object(number: 5, index: 0) == 4)
        #expect(repeated.object(number: 6, index: 0) == nil)
    }
}

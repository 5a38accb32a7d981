/// An indirect object as parsed from the file: its reference, its value and where it lies.
public struct IndirectObject: Sendable, Hashable {
    public var reference: PDFReference
    public var object: PDFObject
    /// The offset of the `n g obj` header.
    public var offset: Int
    /// One past the `endobj` keyword.
    public var endOffset: Int
    /// For streams: the offset of the first data byte.
    public var streamDataOffset: Int?
}

/// Parses objects from PDF syntax: direct objects anywhere, and `n g obj … endobj` at an offset.
struct ObjectParser {
    var lexer: Lexer
    let limits: PDFLimits
    /// Strict parsing rejects what tolerant parsing repairs (wrong stream `/Length`, missing `endobj`).
    let strict: Bool
    /// Anomalies a tolerant parse repaired.
    var warnings: [PDFWarning] = []
    /// The members of the arrays and dictionaries being parsed (made at the first container: a
    /// parser that reads only an object header needs none).
    private var openContainers: ContainerStack? = nil

    private mutating func containerStack() -> ContainerStack {
        if let openContainers { return openContainers }
        let stack = ContainerStack()
        openContainers = stack
        return stack
    }

    init(bytes: PDFBytes, position: Int, end: Int? = nil, limits: PDFLimits, strict: Bool) {
        self.lexer = Lexer(bytes: bytes, position: position, end: end, literalNumberSignsAllowed: !strict)
        self.limits = limits
        self.strict = strict
    }

    var bytes: PDFBytes { lexer.bytes }

    /// The repairs of a tolerant parse (`warnings`) and the names whose `#` it read as itself;
    /// `place` names the object for the message.
    /// Harmless deviations met (DESIGN.md §7), at offsets in the parsed bytes.
    var notes: [PDFNote] = []

    func allWarnings(in place: String, offsetsInFile: Bool) -> [PDFWarning] {
        warnings + lexer.literalNumberSigns.map {
            PDFWarning("a name in \(place) has a '#' without two hex digits; read as '#' (PDF 1.0/1.1 names)",
                       offset: offsetsInFile ? $0 : nil)
        }
    }

    /// Parses one direct object (an `n g R` triple becomes a reference).
    mutating func parseObject(depth: Int = 0) throws -> PDFObject {
        let (token, offset) = try lexer.next()
        return try parseObject(startingWith: token, at: offset, depth: depth)
    }

    private mutating func parseObject(startingWith token: Token, at offset: Int, depth: Int) throws -> PDFObject {
        guard depth <= limits.maxNestingDepth else {
            throw PDFError(.limitExceeded, "arrays and dictionaries nest deeper than \(limits.maxNestingDepth) levels",
                           offset: offset)
        }
        switch token {
        case .integer(let value):
            if value >= 0, let reference = tryReferenceTail(number: value) { return .reference(reference) }
            return .integer(value)
        case .real(let value):
            return .real(value)
        case .name(let name):
            return .name(name)
        case .string(let string):
            return .string(string)
        case .arrayStart:
            let stack = containerStack()
            let base = stack.elementCount
            // A failed parse leaves its members (and those of containers inside it) to drop.
            defer { stack.dropElements(from: base) }
            while true {
                let (next, nextOffset) = try lexer.next()
                if next == .arrayEnd { return .array(stack.moveElements(from: base)) }
                if next == .endOfInput {
                    throw PDFError(.unexpectedEnd, "array is not closed with ']'", offset: offset)
                }
                stack.pushElement(try parseObject(startingWith: next, at: nextOffset, depth: depth + 1))
            }
        case .dictionaryStart:
            return .dictionary(try parseDictionaryBody(openedAt: offset, depth: depth))
        case .keyword(let word):
            if word.spells("true") { return .bool(true) }
            if word.spells("false") { return .bool(false) }
            if word.spells("null") { return .null }
            throw PDFError(.syntax, "unexpected keyword '\(String(decoding: word, as: UTF8.self))' where an object was expected",
                           offset: offset)
        case .arrayEnd, .dictionaryEnd:
            throw PDFError(.syntax, "unexpected '\(token == .arrayEnd ? "]" : ">>")' where an object was expected",
                           offset: offset)
        case .endOfInput:
            throw PDFError(.unexpectedEnd, "the file ends where an object was expected", offset: offset)
        }
    }

    private mutating func parseDictionaryBody(openedAt offset: Int, depth: Int) throws -> PDFDictionary {
        let stack = containerStack()
        let base = stack.entryCount
        defer { stack.dropEntries(from: base) }
        var repeatsKey = false
        while true {
            let (keyToken, keyOffset) = try lexer.next()
            switch keyToken {
            case .dictionaryEnd:
                // A repeated key (tolerant mode) keeps its first position and takes the last value.
                let entries = stack.moveEntries(from: base)
                return repeatsKey ? PDFDictionary(entries.map { ($0.key, $0.value) }) : PDFDictionary(distinctEntries: entries)
            case .name(let key):
                let (valueToken, valueOffset) = try lexer.next()
                if valueToken == .dictionaryEnd {
                    throw PDFError(.syntax, "dictionary key \(key) has no value", offset: valueOffset)
                }
                let value = try parseObject(startingWith: valueToken, at: valueOffset, depth: depth + 1)
                if stack.hasEntry(from: base, key: key) {
                    if strict {
                        throw PDFError(.syntax, "dictionary repeats the key \(key)", offset: keyOffset)
                    }
                    warnings.append(PDFWarning("dictionary repeats the key \(key); the last value is used",
                                               offset: keyOffset))
                    repeatsKey = true
                }
                stack.pushEntry(key, value)
            case .endOfInput:
                throw PDFError(.unexpectedEnd, "dictionary is not closed with '>>'", offset: offset)
            default:
                throw PDFError(.syntax, "a dictionary key must be a name", offset: keyOffset)
            }
        }
    }

    /// After an integer: if `g R` follows, consumes it and returns the reference.
    private mutating func tryReferenceTail(number: Int) -> PDFReference? {
        switch lexer.plainReferenceTail() {
        case .reference(let generation, let end):
            lexer.position = end
            return PDFReference(number, generation)
        case .notReference:
            return nil
        case .undecided:
            break
        }
        let saved = lexer.position
        if let (generation, _) = try? lexer.next(), case .integer(let gen) = generation, gen >= 0, gen <= 65535,
           let (keyword, _) = try? lexer.next(), case .keyword(let word) = keyword, word.spells("R") {
            return PDFReference(number, gen)
        }
        lexer.position = saved
        return nil
    }

    /// Reads `n g obj` at the lexer's position; returns the reference it names. Generations run
    /// from 0 to 65535 (ISO 32000-2 §7.3.10), as in references.
    mutating func parseObjectHeader() throws -> PDFReference {
        if let (reference, end) = lexer.plainObjectHeader() {
            lexer.position = end
            return reference
        }
        let (first, offset) = try lexer.next()
        let (second, _) = try lexer.next()
        let (third, _) = try lexer.next()
        guard case .integer(let number) = first, case .integer(let generation) = second,
              case .keyword(let word) = third, word.spells("obj"), number >= 0, (0...65535).contains(generation) else {
            throw PDFError(.syntax, "expected an object header 'n g obj'", offset: offset)
        }
        return PDFReference(number, generation)
    }

    /// Parses an indirect object at the lexer's position. `resolveLength` gives the value of an
    /// indirect stream `/Length`.
    mutating func parseIndirectObject(resolveLength: (PDFReference) throws -> Int?) throws -> IndirectObject {
        lexer.skipWhitespace()
        let start = lexer.position
        let reference = try parseObjectHeader()
        var object = try parseObject()
        var dataOffset: Int? = nil
        let afterValue = lexer.position
        var (token, tokenOffset) = try lexer.next()
        if case .keyword(let word) = token, word.spells("stream") {
            guard case .dictionary(let dictionary) = object else {
                throw PDFError(.badStream, "'stream' follows a \(object.kindName), not a dictionary",
                               offset: tokenOffset, object: reference)
            }
            let (data, dataStart) = try readStreamData(dictionary: dictionary, keywordEnd: lexer.position,
                                                       reference: reference, resolveLength: resolveLength)
            object = .stream(PDFStream(dictionary: dictionary, encodedData: data))
            dataOffset = dataStart
            (token, tokenOffset) = try lexer.next()
        }
        guard case .keyword(let word) = token, word.spells("endobj") else {
            if strict {
                throw PDFError(.syntax, "object \(reference.number) \(reference.generation) is not closed with 'endobj'",
                               offset: tokenOffset, object: reference)
            }
            warnings.append(PDFWarning("object \(reference.number) \(reference.generation) lacks 'endobj'",
                                       offset: tokenOffset))
            lexer.position = dataOffset == nil ? afterValue : tokenOffset
            return IndirectObject(reference: reference, object: object, offset: start,
                                  endOffset: lexer.position, streamDataOffset: dataOffset)
        }
        return IndirectObject(reference: reference, object: object, offset: start, endOffset: lexer.position,
                              streamDataOffset: dataOffset)
    }

    /// Reads the bytes between `stream` + EOL and `endstream`, trusting `/Length` in strict mode.
    private mutating func readStreamData(dictionary: PDFDictionary, keywordEnd: Int, reference: PDFReference,
                                         resolveLength: (PDFReference) throws -> Int?) throws -> ([UInt8], Int) {
        var dataStart = keywordEnd
        // A lone CR after `stream` breaks the rule (ISO 32000-2 §7.3.8.1), but when `/Length`
        // from just after it lands exactly on `endstream`, every reader takes the same bytes: a
        // harmless deviation (DESIGN.md §7), accepted with a warning even when strict. Strict
        // parsing refuses it only when `/Length` does not confirm the boundary, below.
        var loneCR = false
        if dataStart < lexer.end, bytes[dataStart] == 0x0D, dataStart + 1 < lexer.end, bytes[dataStart + 1] == 0x0A {
            dataStart += 2
        } else if dataStart < lexer.end, bytes[dataStart] == 0x0A {
            dataStart += 1
        } else if dataStart < lexer.end, bytes[dataStart] == 0x0D {
            dataStart += 1
            loneCR = true
        } else if strict {
            throw PDFError(.badStream, "'stream' must be followed by CRLF or LF", offset: keywordEnd, object: reference)
        } else {
            warnings.append(PDFWarning("'stream' keyword not followed by CRLF or LF", offset: keywordEnd))
        }
        var declared: Int? = nil
        switch dictionary["Length"] {
        case .integer(let value)?: declared = value
        case .reference(let lengthRef)?: declared = try resolveLength(lengthRef)
        default: declared = nil
        }
        if let length = declared, length >= 0, length <= lexer.end - dataStart,
           let endKeyword = endstreamPosition(after: dataStart + length) {
            if loneCR {
                notes.append(PDFNote(.streamKeywordLoneCR, "object \(reference.number) \(reference.generation): 'stream' is followed "
                                     + "by a lone CR; /Length confirms where the data ends", offset: keywordEnd))
            }
            lexer.position = endKeyword + 9
            return (bytes.array(dataStart..<(dataStart + length)), dataStart)
        }
        if loneCR, strict {
            throw PDFError(.badStream, "'stream' must be followed by CRLF or LF (a lone CR, and /Length does not confirm where the data ends)",
                           offset: keywordEnd, object: reference)
        }
        if loneCR {
            warnings.append(PDFWarning("'stream' keyword not followed by CRLF or LF", offset: keywordEnd))
        }
        let problem = declared.map { "stream /Length \($0) does not end at 'endstream'" } ?? "stream has no usable /Length"
        if strict {
            throw PDFError(.badStream, problem, offset: dataStart, object: reference)
        }
        guard let found = searchEndstream(from: dataStart) else {
            throw PDFError(.badStream, "\(problem), and no 'endstream' follows", offset: dataStart, object: reference)
        }
        warnings.append(PDFWarning("object \(reference.number) \(reference.generation): \(problem); read up to 'endstream'",
                                   offset: dataStart))
        var dataEnd = found
        if dataEnd > dataStart, bytes[dataEnd - 1] == 0x0A { dataEnd -= 1 }
        if dataEnd > dataStart, bytes[dataEnd - 1] == 0x0D { dataEnd -= 1 }
        lexer.position = found + 9
        return (bytes.array(dataStart..<dataEnd), dataStart)
    }

    /// If `endstream` follows `position` after optional whitespace, its offset.
    private func endstreamPosition(after position: Int) -> Int? {
        var index = position
        while index < lexer.end, ByteClass.isWhitespace(bytes[index]) { index += 1 }
        return matches("endstream", at: index) ? index : nil
    }

    private func searchEndstream(from position: Int) -> Int? {
        var index = position
        while index + 9 <= lexer.end {
            if bytes[index] == UInt8(ascii: "e"), matches("endstream", at: index) { return index }
            index += 1
        }
        return nil
    }

    func matches(_ word: StaticString, at index: Int) -> Bool {
        index + word.utf8CodeUnitCount <= lexer.end && bytes.matches(word, at: index)
    }
}

/// An anomaly that tolerant reading repaired or stepped over.
public struct PDFWarning: Sendable, Hashable, CustomStringConvertible {
    public var message: String
    public var offset: Int?

    public init(_ message: String, offset: Int? = nil) {
        self.message = message
        self.offset = offset
    }

    public init(_ error: PDFError) {
        self.message = error.description
        self.offset = nil
    }

    public var description: String { offset.map { "\(message) (at byte offset \($0))" } ?? message }
}

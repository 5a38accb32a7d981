internal import CLibXML2
internal import LazySystemLibraries

/// Parses template and clause sources with libxml2 into an `ParsedElement` tree with positions.
///
/// Each call has its own parser context and its own structured error handler (set on that
/// context's SAX handler, not the process-wide one), so parses may run on several threads.
/// No network, no DTD loading, no entity substitution; a document with a DOCTYPE is refused.
enum XMLReader {
    private static let initialized: Bool = {
        xmlInitParser()
        return true
    }()

    /// Collects libxml2's errors for one parse.
    private final class ErrorSink {
        var diagnostics: [Diagnostic] = []
        /// A tag that did not pair up was reported (the ones that follow from it are not).
        var sawTagProblem = false
        let file: String
        init(file: String) { self.file = file }
    }

    /// The root element, or the diagnostics libxml2 (or the DOCTYPE check) reported.
    static func parse(_ bytes: [UInt8], file: String) -> Result<ParsedElement, TemplateError> {
        // libcrypto too: templates and clauses are identified by their SHA-256.
        if let failure = cs_lazy_require(CS_LAZY_GROUP_XML.rawValue | CS_LAZY_GROUP_CRYPTO.rawValue) {
            return .failure(TemplateError(.systemLibrary, String(cString: failure), file: file))
        }
        _ = initialized
        guard !bytes.isEmpty else {
            return .failure(TemplateError([Diagnostic(.malformedXML, "the file is empty; expected an XML document",
                                                      file: file, line: 1, column: 1)]))
        }
        guard bytes.count < Int(Int32.max) else {
            return .failure(TemplateError(.malformedXML, "the file is too large", file: file))
        }
        if let other = otherEncoding(bytes) {
            // libxml2 would transcode it, but every position this module reports (and the
            // source scan that finds them) counts UTF-8 bytes of the file as written.
            return .failure(TemplateError([Diagnostic(.malformedXML, "the file is \(other), not UTF-8; templates and clauses are UTF-8: "
                                                      + "save it as UTF-8 (without a byte order mark for UTF-16) and drop any other encoding declaration",
                                                      file: file, line: 1, column: 1)]))
        }
        let sink = ErrorSink(file: file)
        let context: xmlParserCtxtPtr? = bytes.withUnsafeBufferPointer { buffer in
            buffer.baseAddress!.withMemoryRebound(to: CChar.self, capacity: buffer.count) {
                xmlCreateMemoryParserCtxt($0, Int32(buffer.count))
            }
        }
        guard let context else {
            return .failure(TemplateError(.malformedXML, "libxml2 could not create a parser context", file: file))
        }
        defer { xmlFreeParserCtxt(context) }
        let options = XML_PARSE_NONET.rawValue | XML_PARSE_NOWARNING.rawValue
        xmlCtxtUseOptions(context, Int32(options))
        let retained = Unmanaged.passRetained(sink)
        defer { retained.release() }
        context.pointee._private = retained.toOpaque()
        context.pointee.sax.pointee.serror = { userData, error in
            guard let userData, let error else { return }
            let parser = userData.assumingMemoryBound(to: xmlParserCtxt.self)
            guard let box = parser.pointee._private else { return }
            let sink = Unmanaged<ErrorSink>.fromOpaque(box).takeUnretainedValue()
            guard error.pointee.level.rawValue >= XML_ERR_ERROR.rawValue else { return }
            var message = error.pointee.message.map { String(cString: $0) } ?? "malformed XML"
            while message.last?.isWhitespace == true { message.removeLast() }
            // One unclosed tag makes libxml2 report every enclosing tag as mismatched too, and
            // the end of the file as premature: after the first, those follow from it.
            let cascade = XMLReader.isTagCascade(message)
            if cascade, sink.sawTagProblem { return }
            if cascade { sink.sawTagProblem = true }
            message = XMLReader.reworded(message) + XMLReader.hint(for: message)
            let line = Int(error.pointee.line), column = Int(error.pointee.int2)
            sink.diagnostics.append(Diagnostic(.malformedXML, message, file: sink.file,
                                               line: line > 0 ? line : nil, column: column > 0 ? column : nil))
        }
        _ = xmlParseDocument(context)
        let document = context.pointee.myDoc
        defer { if let document { xmlFreeDoc(document) } }
        let wellFormed = context.pointee.wellFormed != 0
        guard wellFormed, sink.diagnostics.isEmpty, let document, let root = xmlDocGetRootElement(document) else {
            if sink.diagnostics.isEmpty {
                sink.diagnostics.append(Diagnostic(.malformedXML, "not a well-formed XML document", file: file))
            }
            return .failure(TemplateError(sink.diagnostics))
        }
        let scan = SourceScanner(bytes: bytes)
        if document.pointee.intSubset != nil {
            let position = doctypePosition(bytes)
            return .failure(TemplateError([Diagnostic(
                .doctypeNotAllowed, "a DOCTYPE is not allowed in templates (no DTDs or entity declarations)",
                file: file, line: position.line, column: position.column)]))
        }
        var builder = TreeBuilder(scan: scan)
        return .success(builder.element(root))
    }

    /// The encoding `bytes` are in when it is not UTF-8 (a byte order mark, the zero bytes of
    /// UTF-16 or UTF-32 around `<`, EBCDIC's `<?xm`, or a declaration naming another encoding).
    static func otherEncoding(_ bytes: [UInt8]) -> String? {
        let head = Array(bytes.prefix(4))
        if head.starts(with: [0x00, 0x00, 0xFE, 0xFF]) || head.starts(with: [0xFF, 0xFE, 0x00, 0x00]) { return "UTF-32" }
        if head.starts(with: [0xFE, 0xFF]) || head.starts(with: [0xFF, 0xFE]) { return "UTF-16" }
        if head.starts(with: [0x00, 0x00, 0x00, 0x3C]) || head.starts(with: [0x3C, 0x00, 0x00, 0x00]) { return "UTF-32" }
        if head.starts(with: [0x00, 0x3C]) || head.starts(with: [0x3C, 0x00]) { return "UTF-16" }
        if head.starts(with: [0x4C, 0x6F, 0xA7, 0x94]) { return "EBCDIC" }
        // <?xml version="1.0" encoding="…"?>: only UTF-8 (any spelling) is ours.
        var body = bytes[...]
        if body.starts(with: [0xEF, 0xBB, 0xBF]) { body = body.dropFirst(3) }
        guard body.starts(with: Array("<?xml".utf8)), let end = body.firstIndex(of: UInt8(ascii: ">")) else { return nil }
        let declaration = String(decoding: body[..<end], as: UTF8.self)
        guard let range = declaration.range(of: #"encoding\s*=\s*["']([^"']*)["']"#, options: .regularExpression) else { return nil }
        let name = declaration[range].split(whereSeparator: { $0 == "\"" || $0 == "'" }).dropFirst().first.map(String.init) ?? ""
        let normalized = name.lowercased().replacingOccurrences(of: "-", with: "").replacingOccurrences(of: "_", with: "")
        return normalized == "utf8" ? nil : "declared as \(name)"
    }

    /// libxml2's messages about tags that do not pair up (one mistake makes several).
    static func isTagCascade(_ message: String) -> Bool {
        message.hasPrefix("Opening and ending tag mismatch:") || message.hasPrefix("Premature end of data in tag")
            || message.hasPrefix("EndTag: '</' not found")
    }

    /// libxml2's words for tags that do not pair up, said as the template's other errors are:
    /// the element, what is wrong, what was expected.
    static func reworded(_ message: String) -> String {
        if let match = message.wholeMatch(of: /Opening and ending tag mismatch: (\S+) line (\d+) and (\S+)/) {
            let (open, line, close) = (match.1, match.2, match.3)
            return "<\(close)>: </\(close)> closes <\(open)>, opened on line \(line); expected </\(open)> first"
        }
        if let match = message.wholeMatch(of: /Premature end of data in tag (\S+) line (\d+)/) {
            return "<\(match.1)>: the file ends before </\(match.1)> (opened on line \(match.2)); expected </\(match.1)>"
        }
        return message
    }

    /// What to write instead, for libxml2's messages about the characters XML reserves (its own
    /// words name the parser function, not the mistake).
    static func hint(for message: String) -> String {
        if message.hasPrefix("xmlParseEntityRef: no name") || message.hasPrefix("EntityRef: expecting ';'") {
            return " — a bare '&' in text or in an attribute: write it as &amp;"
        }
        if message.hasPrefix("Entity '"), message.hasSuffix("' not defined") {
            return " — XML knows only &amp; &lt; &gt; &quot; &apos;: write the character itself (UTF-8) or &#NNNN;"
        }
        if message.hasPrefix("StartTag: invalid element name") {
            return " — a bare '<' in text: write it as &lt;"
        }
        return ""
    }

    private static func doctypePosition(_ bytes: [UInt8]) -> SourcePosition {
        var cursor = SourceCursor(bytes: bytes[...])
        while !cursor.atEnd, !cursor.looking(at: "<!DOCTYPE") { cursor.advance() }
        return cursor.position
    }

    /// Copies libxml2's tree into Swift values, pairing nodes with the source scan in document order.
    private struct TreeBuilder {
        let scan: SourceScanner
        var nextTag = 0
        var nextText = 0

        init(scan: SourceScanner) { self.scan = scan }

        mutating func element(_ node: xmlNodePtr) -> ParsedElement {
            let local = String(cString: node.pointee.name)
            let namespace = node.pointee.ns.flatMap { $0.pointee.href.map { String(cString: $0) } }
            let prefix = node.pointee.ns.flatMap { $0.pointee.prefix.map { String(cString: $0) } }
            let qualified = prefix.map { "\($0):\(local)" } ?? local
            var tag: SourceScanner.StartTag?
            if nextTag < scan.startTags.count, scan.startTags[nextTag].name == qualified {
                tag = scan.startTags[nextTag]
                nextTag += 1
            }
            let position = tag?.position ?? SourcePosition(line: max(1, cs_xml_node_line(node)), column: 1)

            var attributes: [ParsedAttribute] = []
            var property = node.pointee.properties
            while let attribute = property {
                let name = String(cString: attribute.pointee.name)
                let attributePrefix = attribute.pointee.ns.flatMap { $0.pointee.prefix.map { String(cString: $0) } }
                let attributeNamespace = attribute.pointee.ns.flatMap { $0.pointee.href.map { String(cString: $0) } }
                let qualifiedName = attributePrefix.map { "\($0):\(name)" } ?? name
                var value = ""
                if let raw = xmlNodeListGetString(node.pointee.doc, attribute.pointee.children, 1) {
                    value = String(cString: raw)
                    cs_xmlFree(raw)
                }
                let found = tag?.attributes[qualifiedName]
                let source = found.flatMap { $0.value.decoded(asAttribute: true) == value ? $0.value : nil }
                attributes.append(ParsedAttribute(name: qualifiedName, namespace: attributeNamespace, value: value,
                                               position: found?.position ?? position, source: source))
                property = attribute.pointee.next
            }

            var children: [ParsedNode] = []
            var child = node.pointee.children
            while let current = child {
                switch current.pointee.type {
                case XML_ELEMENT_NODE:
                    children.append(.element(element(current)))
                case XML_TEXT_NODE, XML_CDATA_SECTION_NODE:
                    let content = current.pointee.content.map { String(cString: $0) } ?? ""
                    var source: SourceText?
                    if nextText < scan.texts.count {
                        let candidate = scan.texts[nextText]
                        if candidate.decoded(asAttribute: false) == content {
                            source = candidate
                            nextText += 1
                        }
                    }
                    children.append(.text(ParsedText(content: content, source: source)))
                default:
                    break
                }
                child = current.pointee.next
            }
            return ParsedElement(name: local, namespace: namespace, attributes: attributes, children: children,
                              position: position)
        }
    }
}

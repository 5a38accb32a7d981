internal import CLibXML2
import Foundation
internal import LazySystemLibraries

/// Parses a trusted list with libxml2 and refuses what a TS 119 612 list never holds and XML
/// attacks rely on: any DOCTYPE (so no entity of any kind — XXE, billion laughs — and no DTD),
/// network access, and malformed input. The parse has its own context and error handler, so
/// lists may be parsed on several threads.
final class ParsedXMLDocument {
    /// libxml2's document, owned (freed in deinit).
    let document: xmlDocPtr
    let root: XMLElement

    private init(document: xmlDocPtr, root: XMLElement) {
        self.document = document
        self.root = root
    }

    deinit { xmlFreeDoc(document) }

    /// The root node of libxml2's tree.
    var rootNode: xmlNodePtr? { xmlDocGetRootElement(document) }

    private final class ErrorSink {
        var messages: [String] = []
    }

    private static let initialized: Bool = {
        xmlInitParser()
        return true
    }()

    /// Parses `bytes` (the list named `name` in errors).
    static func parse(_ bytes: [UInt8], name: String) throws -> ParsedXMLDocument {
        if let failure = cs_lazy_require(CS_LAZY_GROUP_XMLSEC.rawValue) {
            throw TrustedListError(.systemLibrary, "cannot read trusted lists: \(String(cString: failure))")
        }
        _ = initialized
        guard !bytes.isEmpty else { throw TrustedListError(.malformed, "\(name) is empty; expected a TS 119 612 trusted list (XML)") }
        guard bytes.count < 256 << 20 else {
            throw TrustedListError(.malformed, "\(name) is larger than 256 MiB; no trusted list is that large")
        }
        // Refused before libxml2 sees it: a DOCTYPE is how entity attacks start (an encoding
        // other than ASCII-compatible ones is caught after the parse, by the tree's subsets).
        if Self.contains(bytes, "<!DOCTYPE") || Self.contains(bytes, "<!ENTITY") {
            throw TrustedListError(.hostileXML,
                "\(name) has a DOCTYPE or entity declaration; a trusted list never has one and XML attacks (external entities, entity expansion) need one — refused without reading further")
        }
        let sink = ErrorSink()
        let context: xmlParserCtxtPtr? = bytes.withUnsafeBufferPointer { buffer in
            buffer.baseAddress!.withMemoryRebound(to: CChar.self, capacity: buffer.count) {
                xmlCreateMemoryParserCtxt($0, Int32(buffer.count))
            }
        }
        guard let context else { throw TrustedListError(.malformed, "libxml2 could not create a parser context for \(name)") }
        defer { xmlFreeParserCtxt(context) }
        // No XML_PARSE_NOENT (entities are never substituted), no DTD loading, no network.
        let options = XML_PARSE_NONET.rawValue | XML_PARSE_NOWARNING.rawValue | XML_PARSE_NOERROR.rawValue
        xmlCtxtUseOptions(context, Int32(options))
        let retained = Unmanaged.passRetained(sink)
        defer { retained.release() }
        context.pointee._private = retained.toOpaque()
        context.pointee.sax.pointee.serror = { userData, error in
            guard let userData, let error else { return }
            let parser = userData.assumingMemoryBound(to: xmlParserCtxt.self)
            guard let box = parser.pointee._private, error.pointee.level.rawValue >= XML_ERR_ERROR.rawValue else { return }
            var message = error.pointee.message.map { String(cString: $0) } ?? "malformed XML"
            while message.last?.isWhitespace == true { message.removeLast() }
            Unmanaged<ErrorSink>.fromOpaque(box).takeUnretainedValue().messages.append("line \(error.pointee.line): \(message)")
        }
        _ = xmlParseDocument(context)
        guard let document = context.pointee.myDoc else {
            throw TrustedListError(.malformed, "\(name) is not well-formed XML: \(sink.messages.first ?? "no document")")
        }
        guard context.pointee.wellFormed != 0, sink.messages.isEmpty, let rootNode = xmlDocGetRootElement(document) else {
            xmlFreeDoc(document)
            throw TrustedListError(.malformed, "\(name) is not well-formed XML: \(sink.messages.first ?? "no root element")")
        }
        if document.pointee.intSubset != nil || document.pointee.extSubset != nil {
            xmlFreeDoc(document)
            throw TrustedListError(.hostileXML, "\(name) has a DOCTYPE; a trusted list never has one — refused")
        }
        return ParsedXMLDocument(document: document, root: element(rootNode))
    }

    private static func contains(_ bytes: [UInt8], _ text: String) -> Bool {
        let needle = Array(text.utf8)
        guard bytes.count >= needle.count else { return false }
        var index = bytes.startIndex
        while let found = bytes[index...].firstIndex(of: needle[0]), found + needle.count <= bytes.count {
            if bytes[found..<(found + needle.count)].elementsEqual(needle) { return true }
            index = found + 1
        }
        return false
    }

    private static func element(_ node: xmlNodePtr) -> XMLElement {
        var attributes: [String: String] = [:]
        var property = node.pointee.properties
        while let attribute = property {
            var value = ""
            var text = attribute.pointee.children
            while let part = text {
                if let content = part.pointee.content { value += String(cString: content) }
                text = part.pointee.next
            }
            attributes[String(cString: attribute.pointee.name)] = value
            property = attribute.pointee.next
        }
        var children: [XMLElement] = []
        var text = ""
        var child = node.pointee.children
        while let current = child {
            switch current.pointee.type {
            case XML_ELEMENT_NODE: children.append(element(current))
            case XML_TEXT_NODE, XML_CDATA_SECTION_NODE:
                if let content = current.pointee.content { text += String(cString: content) }
            default: break
            }
            child = current.pointee.next
        }
        let namespace = node.pointee.ns.flatMap { $0.pointee.href.map { String(cString: $0) } }
        return XMLElement(namespace: namespace, name: String(cString: node.pointee.name), attributes: attributes,
                          children: children, text: text.trimmingCharacters(in: .whitespacesAndNewlines))
    }
}

import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif

/// The root element's attributes and every `<image src>` of a template or clause file, read
/// without compiling it (a draft need not compile yet).
struct XMLHeader {
    var root: String
    var attributes: [String: String]
    var imageSources: [String]

    static func read(_ data: Data, what: String) throws(WorkflowError) -> XMLHeader {
        let parser = XMLParser(data: data)
        let delegate = Delegate()
        parser.delegate = delegate
        parser.shouldProcessNamespaces = true
        parser.shouldResolveExternalEntities = false
        guard parser.parse(), let root = delegate.root else {
            let line = parser.lineNumber
            throw WorkflowError(.invalidRequest, "\(what) is not well-formed XML (line \(line)): \(parser.parserError.map { "\($0)" } ?? "no root element")")
        }
        return XMLHeader(root: root, attributes: delegate.attributes, imageSources: delegate.images)
    }

    private final class Delegate: NSObject, XMLParserDelegate {
        var root: String?
        var attributes: [String: String] = [:]
        var images: [String] = []

        func parser(_ parser: XMLParser, didStartElement elementName: String, namespaceURI: String?, qualifiedName: String?,
                    attributes attributeDict: [String: String] = [:]) {
            if root == nil {
                root = elementName
                attributes = attributeDict
            }
            if elementName == "image", let source = attributeDict["src"], !images.contains(source) { images.append(source) }
        }
    }
}

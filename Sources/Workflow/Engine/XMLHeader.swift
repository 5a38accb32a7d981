import Foundation
import Templates

/// The root element's attributes and every `<image src>` of a template or clause file, read
/// without compiling it (a draft may wait for its clauses) by the template language's own parser
/// (libxml2, loaded lazily like the rest of the engine's C libraries).
struct XMLHeader {
    var root: String
    var attributes: [String: String]
    var imageSources: [String]

    static func read(_ data: Data, what: String) throws(WorkflowError) -> XMLHeader {
        let header: TemplateSourceHeader
        do {
            header = try TemplateSourceHeader.read([UInt8](data), file: what)
        } catch {
            throw WorkflowError(.invalidRequest, "\(what) is not well-formed XML: \(error)")
        }
        return XMLHeader(root: header.root, attributes: header.attributes, imageSources: header.imageSources)
    }
}

/// What a template or clause file says about itself without being compiled (a draft need not
/// compile yet): the root element, its attributes and every `<image src>` it names — read by the
/// same strict libxml2 parser as the compiler (no DTD, no entities, no network).
public struct TemplateSourceHeader: Sendable, Hashable {
    /// The root element's local name (`template` or `clause`).
    public var root: String
    /// The root element's attributes by name.
    public var attributes: [String: String]
    /// Every `<image src>` in document order, each once.
    public var imageSources: [String]

    /// Reads `bytes` (the file called `file` in messages); a file that is not well-formed XML is a
    /// `TemplateError` naming the line and column.
    public static func read(_ bytes: [UInt8], file: String) throws(TemplateError) -> TemplateSourceHeader {
        let root = try XMLReader.parse(bytes, file: file).get()
        var attributes: [String: String] = [:]
        for attribute in root.attributes { attributes[attribute.name] = attribute.value }
        var images: [String] = []
        var pending = [root]
        while let element = pending.popLast() {
            if element.name == "image", let source = element.attribute("src")?.value, !images.contains(source) {
                images.append(source)
            }
            pending += element.childElements.reversed()
        }
        return TemplateSourceHeader(root: root.name, attributes: attributes, imageSources: images)
    }
}

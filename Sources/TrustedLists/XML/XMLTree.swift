/// An element of a parsed trusted list, copied out of libxml2's tree: namespace, local name,
/// attributes (by local name; `xml:lang` as `lang`), text, children in document order.
struct XMLElement: Sendable {
    var namespace: String?
    var name: String
    var attributes: [String: String]
    var children: [XMLElement]
    /// The concatenated text and CDATA of the element itself (not of its descendants), trimmed.
    var text: String

    /// The first child with this local name.
    func child(_ name: String) -> XMLElement? { children.first { $0.name == name } }

    /// Every child with this local name.
    func children(_ name: String) -> [XMLElement] { children.filter { $0.name == name } }

    /// The element at the end of a path of local names (first match at each step).
    func path(_ names: String...) -> XMLElement? {
        var current: XMLElement? = self
        for name in names { current = current?.child(name) }
        return current
    }

    /// Every element below (not including) this one, depth first, with its parent chain depth.
    func descendants(where predicate: (XMLElement) -> Bool) -> [XMLElement] {
        var found: [XMLElement] = []
        for child in children {
            if predicate(child) { found.append(child) }
            found += child.descendants(where: predicate)
        }
        return found
    }

    /// The first `Name` child's text (TS 119 612 multilingual names: the English one when there is one).
    var preferredName: String? {
        let names = children("Name")
        return (names.first { $0.attributes["lang"]?.lowercased() == "en" } ?? names.first)?.text
    }
}

/// Namespaces of the documents read here.
enum XMLNamespace {
    static let tsl = "http://uri.etsi.org/02231/v2#"
    static let dsig = "http://www.w3.org/2000/09/xmldsig#"
    static let xades = "http://uri.etsi.org/01903/v1.3.2#"
}

package import PDFSyntax

/// A PDF held as numbered objects before it is written: what the typesetter draws, for the
/// finisher (Rendering) to extend with fields, annotations and metadata and write once.
package struct PDFObjectFile: Sendable {
    package var objects: [PDFReference: PDFObject] = [:]
    /// The document catalog.
    package var catalog: PDFReference
    /// The page objects, in order.
    package var pages: [PDFReference] = []
    private var nextNumber = 1

    package init() {
        catalog = PDFReference(1)
        nextNumber = 2
    }

    /// A fresh object number (the object is added later with `set`).
    package mutating func reserve() -> PDFReference {
        defer { nextNumber += 1 }
        return PDFReference(nextNumber)
    }

    /// Adds an object under a fresh number.
    package mutating func add(_ object: PDFObject) -> PDFReference {
        let reference = reserve()
        objects[reference] = object
        return reference
    }

    package subscript(reference: PDFReference) -> PDFObject? {
        get { objects[reference] }
        set { objects[reference] = newValue }
    }

    /// The file as typeset (no form fields): a classic cross-reference table, no `/ID`.
    package func written() -> [UInt8] {
        PDFFileWriter(version: "1.7").write(objects: objects, trailer: ["Root": .reference(catalog)])
    }
}

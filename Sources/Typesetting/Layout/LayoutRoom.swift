/// The typesetter's rule for room: content is drawn where it can be read, or the document is
/// refused with a `.layout` error saying what did not fit, by how much and what to change.
/// Never a letter a line in the margin, a field running off the paper, or text cut through.
enum LayoutRoom {
    /// Throws unless `width` holds at least one em of the paragraph's font.
    static func requireWidth(_ width: Double, for paragraph: Paragraph) throws(TypesettingError) {
        let em = paragraph.style.fontSize
        guard width < em else { return }
        throw TypesettingError(.layout, "the text '\(excerpt(plainText(paragraph.runs)))' has \(points(width)) pt of width, less than one em "
                               + "of its \(points(em)) pt font: the page's margins, indents, list nesting, table columns or cell padding "
                               + "leave it no room, and it would print a letter a line or not at all; make them smaller")
    }

    /// Throws unless `width` is more than nothing (an image or a field needs some).
    static func requireWidth(_ width: Double, what: String) throws(TypesettingError) {
        guard width < 1 else { return }
        throw TypesettingError(.layout, "\(what) has \(points(width)) pt of width: the page's margins, indents, list nesting, "
                               + "table columns or cell padding leave it no room; make them smaller")
    }

    /// Something that cannot be split, taller than the page body.
    static func tooTall(_ what: String, height: Double, room: Double, todo: String) -> TypesettingError {
        TypesettingError(.layout, "\(what) is \(points(height)) pt tall, but the page body holds \(points(room)) pt and it cannot be "
                         + "split across pages; \(todo), or give the page smaller margins")
    }

    /// Points as a person reads them: whole, or to one decimal.
    static func points(_ value: Double) -> String {
        let rounded = (value * 10).rounded() / 10
        return rounded == rounded.rounded() ? String(Int(rounded)) : String(rounded)
    }

    /// The start of a text, to say which one.
    static func excerpt(_ text: String) -> String {
        let words = text.split(whereSeparator: \.isWhitespace)
        let start = words.prefix(8).joined(separator: " ")
        return start.count > 60 ? String(start.prefix(60)) + "…" : (words.count > 8 ? start + "…" : start)
    }
}

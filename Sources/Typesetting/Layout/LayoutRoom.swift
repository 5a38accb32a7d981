/// The typesetter's rule for room: content is drawn where it can be read, or the document is
/// refused with a `.layout` error saying what did not fit, by how much and what to change.
/// Never a letter a line in the margin, a field running off the paper, or text cut through.
enum LayoutRoom {
    /// Throws unless `width` holds the paragraph's widest word, or two ems of its font: a width
    /// narrower than both would print a word a letter a line (or, at nothing, not at all).
    /// `measure` lays a paragraph out at a width (the layouter's, with its cache). A long word
    /// (a URL) in a column two ems wide or more is broken where it must be, as always.
    static func requireWidth(_ width: Double, for paragraph: Paragraph,
                             measure: (Paragraph, Double) throws -> TextLayout) throws {
        let em = paragraph.style.fontSize
        guard width < 2 * em else { return }
        let text = plainText(paragraph.runs)
        var needed = 0.0
        if width >= 1 {
            // Each word on its own line, unbounded: the widest line is the widest word.
            let words = paragraph.runs.map { run -> InlineRun in
                guard case .text(let string, let style) = run else { return run }
                return .text(String(string.map { $0.isWhitespace ? "\n" : $0 }), style)
            }
            needed = try measure(Paragraph(runs: words, style: paragraph.style), 100_000).widestLine
            if needed <= width + 0.01 { return }
        }
        let need = needed > 0 ? ", but its widest word needs \(points(needed)) pt" : ""
        throw TypesettingError(.layout, "the text '\(excerpt(text))' has \(points(width)) pt of width\(need): the page's margins, "
                               + "indents, list nesting, table columns or cell padding leave it too little room, and it would print a "
                               + "letter a line or not at all; make them smaller")
    }

    /// A number wider than its place: broken between two lines, it would read as two numbers.
    static func splitNumber(_ number: String, width: Double) -> TypesettingError {
        TypesettingError(.layout, "the number '\(excerpt(number))' is wider than the \(points(width)) pt it has and would be split "
                         + "between two lines, to be read as two numbers; widen its column, make its font smaller, or shorten it")
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

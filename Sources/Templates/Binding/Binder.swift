import Typesetting

/// Turns compiled content into document blocks for one row.
struct Binder {
    var scope: Scope
    var language: String
    var problems: [Diagnostic] = []
    /// Number headings (1., 1.1, 1.1.1) as they are bound; the counters of levels 1…3.
    var numberHeadings = false
    private var headingCounters = [0, 0, 0]
    /// Loop iterations so far, all loops of the document together: nested loops multiply, and a
    /// small template over a small list could otherwise expand past any memory.
    private var iterations = 0
    static let maximumIterations = 20_000

    init(scope: Scope, language: String) {
        self.scope = scope
        self.language = language
    }

    /// Runs `visit` for each item the flows produce: the chosen branches, each loop iteration.
    mutating func expand<Item>(_ flows: [Flow<Item>], _ visit: (inout Binder, Item) -> Void) {
        for flow in flows where iterations <= Self.maximumIterations {
            switch flow {
            case .item(let item):
                visit(&self, item)
            case .choose(let branches, let otherwise):
                if let branch = branches.first(where: { $0.test.evaluate(in: scope).isTruthy }) {
                    expand(branch.body, visit)
                } else {
                    expand(otherwise, visit)
                }
            case .loop(let loop):
                let items: [TemplateValue]
                switch loop.source.evaluate(in: scope) {
                case .list(let list): items = list
                case .null: items = []
                case let other:
                    problems.append(Diagnostic(.evaluation, "in: '\(loop.sourceText)' is \(other.kindName), not a list",
                                               file: loop.file, line: loop.position.line, column: loop.position.column,
                                               element: "for"))
                    continue
                }
                let highest = max(loop.slot, loop.indexSlot ?? 0)
                while scope.locals.count <= highest { scope.locals.append(.null) }
                let saved = scope.locals
                for (index, item) in items.enumerated() {
                    iterations += 1
                    guard iterations <= Self.maximumIterations else {
                        // Said once, where the budget ran out (the loops around it stop too).
                        if iterations == Self.maximumIterations + 1 {
                            problems.append(Diagnostic(.evaluation, "the document's loops repeat more than \(Self.maximumIterations) times "
                                                       + "in all (here over '\(loop.sourceText)'); a document that long cannot be made: "
                                                       + "split the data or the template", file: loop.file, line: loop.position.line,
                                                       column: loop.position.column, element: "for"))
                        }
                        break
                    }
                    scope.locals[loop.slot] = item
                    if let indexSlot = loop.indexSlot { scope.locals[indexSlot] = .integer(index + 1) }
                    expand(loop.body, visit)
                }
                scope.locals = saved
            }
        }
    }

    /// An attribute's text, trimmed; nil when absent or empty.
    func attribute(_ template: TextTemplate?) -> String? {
        guard let template else { return nil }
        let text = template.render(in: scope, language: language).trimmed
        return text.isEmpty ? nil : text
    }

    mutating func blocks(_ flows: [Flow<BlockNode>]) -> [Block] {
        var out: [Block] = []
        expand(flows) { binder, node in binder.block(node, into: &out) }
        return out
    }

    private mutating func block(_ node: BlockNode, into out: inout [Block]) {
        switch node {
        case .paragraph(let style, let inlines, let heading):
            var runs = self.runs(inlines)
            guard !runs.isEmpty else { return }
            if numberHeadings, let level = heading, (1...3).contains(level) {
                headingCounters[level - 1] += 1
                for deeper in level..<3 { headingCounters[deeper] = 0 }
                let number = headingCounters[0..<level].map(String.init).joined(separator: ".") + (level == 1 ? "." : "")
                let style: InlineStyle
                if case .text(_, let first) = runs[0] { style = first } else { style = InlineStyle() }
                runs.insert(.text(number + " ", style), at: 0)
            }
            let paragraph = Paragraph(runs: runs, style: style)
            out.append(heading.map { .heading(level: $0, paragraph) } ?? .paragraph(paragraph))
        case .list(let settings, let items):
            var blocks: [[Block]] = []
            expand(items) { binder, item in blocks.append(binder.blocks(item.blocks)) }
            guard !blocks.isEmpty else { return }
            var list = ListBlock(marker: settings.marker, items: blocks)
            list.start = settings.start
            if let indent = settings.indent { list.indent = indent }
            out.append(.list(list))
        case .table(let settings, let rowFlows):
            var rows: [TableRow] = []
            expand(rowFlows) { binder, row in
                let cells = row.cells.map { cell in
                    TableCell(blocks: binder.blocks(cell.blocks), columnSpan: cell.span, background: cell.background)
                }
                rows.append(TableRow(cells: cells, isHeader: row.isHeader))
            }
            var table = Table(columns: settings.columns, rows: rows)
            table.repeatHeader = settings.repeatHeader
            if let width = settings.borderWidth { table.borderWidth = width }
            if let color = settings.borderColor { table.borderColor = color }
            if let padding = settings.padding { table.cellPadding = padding }
            if let background = settings.headerBackground { table.headerBackground = background }
            out.append(.table(table))
        case .image(let image):
            out.append(.image(image))
        case .signature(var box, let label):
            if let text = attribute(label) { box.label = text }
            out.append(.signature(box))
        case .keepTogether(let inner):
            let blocks = self.blocks(inner)
            if !blocks.isEmpty { out.append(.keepTogether(blocks)) }
        case .pageBreak:
            out.append(.pageBreak)
        case .spacer(let height):
            out.append(.spacer(height))
        case .rule(let width, let color):
            out.append(.rule(width: width, color: color))
        case .located(let origin, let inner):
            let start = out.count
            block(inner, into: &out)
            for index in start..<out.count { out[index] = out[index].located(origin) }
        }
    }

    /// The runs of a paragraph, with white space collapsed across runs and trimmed at the ends
    /// and around line breaks.
    mutating func runs(_ flows: [Flow<InlineItem>]) -> [InlineRun] {
        var builder = RunBuilder()
        // Right-to-left values are isolated (`bidiIsolated`); the paragraph's own direction then
        // comes from the template's text, or, when it has no letters of its own (a footer of
        // values and page numbers), from the template's language — not from the data.
        var isolatedValues = false
        var templateIsRightToLeft: Bool?
        expand(flows) { binder, item in
            switch item {
            case .lineBreak:
                builder.lineBreak()
            case .text(let template, var style, let link):
                if let link { style.link = binder.attribute(link) }
                for part in template.parts {
                    switch part {
                    case .literal(let text):
                        if templateIsRightToLeft == nil, let letter = text.unicodeScalars.first(where: \.properties.isAlphabetic) {
                            templateIsRightToLeft = isRightToLeftLetter(letter)
                        }
                        builder.append(text, style)
                    case .value(let interpolation):
                        let value = RunBuilder.collapse(interpolation.render(in: binder.scope, language: binder.language))
                        let isolated = bidiIsolated(value)
                        isolatedValues = isolatedValues || isolated != value
                        builder.append(isolated, style)
                    case .pageNumber: builder.placeholder(.pageNumber(style))
                    case .pageCount: builder.placeholder(.pageCount(style))
                    }
                }
            }
        }
        var runs = builder.finish()
        // Pango takes a paragraph's direction from its first strong letter, isolates or not: an
        // invisible mark of the intended direction goes first.
        if isolatedValues, case .text(let text, let style)? = runs.first {
            let rightToLeft = templateIsRightToLeft ?? Self.rightToLeftLanguages.contains(String(language.prefix { $0 != "-" && $0 != "_" }).lowercased())
            runs[0] = .text((rightToLeft ? "\u{200F}" : "\u{200E}") + text, style)
        }
        return runs
    }

    /// Languages written right to left (BCP 47 primary subtags).
    static let rightToLeftLanguages: Set<String> = ["ar", "he", "iw", "fa", "ur", "yi", "ps", "sd", "ug", "dv", "syr", "ckb"]
}

/// Accumulates inline runs: merges neighbours of one style, keeps one space between words.
struct RunBuilder {
    private var runs: [InlineRun] = []
    private var pending = ""
    private var pendingStyle = InlineStyle()
    /// True at the start of the paragraph, after a line break, and after text ending in a space.
    private var skipSpace = true

    static func collapse(_ text: String) -> String { collapseWhiteSpace(text) }

    mutating func append(_ text: String, _ style: InlineStyle) {
        var text = Substring(text)
        if skipSpace { text = text.drop { $0 == " " } }
        guard !text.isEmpty else { return }
        if style != pendingStyle, !pending.isEmpty { flush() }
        pendingStyle = style
        pending += text
        skipSpace = text.last == " "
    }

    mutating func placeholder(_ run: InlineRun) {
        flush()
        runs.append(run)
        skipSpace = false
    }

    mutating func lineBreak() {
        trimTrailing()
        flush()
        runs.append(.lineBreak)
        skipSpace = true
    }

    private mutating func flush() {
        if !pending.isEmpty { runs.append(.text(pending, pendingStyle)) }
        pending = ""
    }

    private mutating func trimTrailing() {
        while pending.last == " " { pending.removeLast() }
        if pending.isEmpty, case .text(var text, let style) = runs.last, text.last == " " {
            while text.last == " " { text.removeLast() }
            runs.removeLast()
            if !text.isEmpty { runs.append(.text(text, style)) }
        }
    }

    mutating func finish() -> [InlineRun] {
        trimTrailing()
        flush()
        while case .lineBreak = runs.last { runs.removeLast() }
        return runs
    }
}

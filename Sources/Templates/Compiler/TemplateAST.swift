import Typesetting

/// Control flow around compiled content of one kind (blocks, list items, table rows, inline runs).
indirect enum Flow<Item: Sendable>: Sendable {
    case item(Item)
    /// `if` / `elif` … / `else`: the first branch whose test is true, else `otherwise`.
    case choose([Branch<Item>], otherwise: [Flow<Item>])
    /// `for each="x" in="list"`: the body once per item, with the item in a scope slot.
    case loop(Loop<Item>)
}

struct Branch<Item: Sendable>: Sendable {
    var test: Expression
    var body: [Flow<Item>]
}

struct Loop<Item: Sendable>: Sendable {
    var source: Expression
    var sourceText: String
    var slot: Int
    /// Slot of the 1-based `index` variable, when the loop names one.
    var indexSlot: Int?
    var body: [Flow<Item>]
    var file: String
    var position: SourcePosition
}

/// An interpolation `{{ expression | formatter … }}`, checked.
struct Interpolation: Sendable {
    var expression: Expression
    var formatters: [ValueFormatter]
}

/// Text with interpolations. Literal parts already have their white space collapsed.
struct TextTemplate: Sendable {
    enum Part: Sendable {
        case literal(String)
        case value(Interpolation)
        /// `{{page}}` and `{{pages}}` (header and footer only).
        case pageNumber
        case pageCount
    }
    var parts: [Part]

    var isEmpty: Bool { parts.isEmpty }

    /// The text with values filled in (page placeholders read as empty).
    func render(in scope: Scope, language: String) -> String {
        if parts.count == 1, case .literal(let text) = parts[0] { return text }
        var result = ""
        for part in parts {
            switch part {
            case .literal(let text): result += text
            case .value(let interpolation): result += interpolation.render(in: scope, language: language)
            case .pageNumber, .pageCount: break
            }
        }
        return result
    }
}

extension Interpolation {
    func render(in scope: Scope, language: String) -> String {
        var value = expression.evaluate(in: scope)
        for formatter in formatters { value = formatter.apply(value, language: language) }
        return value.text
    }
}

/// A run of inline content with its style worked out at compile time.
enum InlineItem: Sendable {
    case text(TextTemplate, InlineStyle, link: TextTemplate?)
    case lineBreak
}

/// A list item: its blocks.
struct ListItemNode: Sendable {
    var blocks: [Flow<BlockNode>]
}

struct CellNode: Sendable {
    var blocks: [Flow<BlockNode>]
    var span: Int
    var background: Color?
}

struct RowNode: Sendable {
    var cells: [CellNode]
    var isHeader: Bool
}

/// Table settings, with the rows left out (they come from `Flow<RowNode>`).
struct TableSettings: Sendable {
    var columns: [ColumnWidth]
    var repeatHeader: Bool
    var borderWidth: Double?
    var borderColor: Color?
    var padding: Double?
    var headerBackground: Color??
}

struct ListSettings: Sendable {
    var marker: ListBlock.Marker
    var start: Int
    var indent: Double?
}

/// A compiled block element.
indirect enum BlockNode: Sendable {
    /// A paragraph, or a heading when `heading` has a level.
    case paragraph(ParagraphStyle, [Flow<InlineItem>], heading: Int?)
    case list(ListSettings, [Flow<ListItemNode>])
    case table(TableSettings, [Flow<RowNode>])
    case image(Image)
    /// A signature box; its label may interpolate data.
    case signature(SignatureBox, label: TextTemplate?)
    case keepTogether([Flow<BlockNode>])
    case pageBreak
    case spacer(Double)
    case rule(width: Double, color: Color)
    /// A block with the element it was compiled from, for layout errors.
    case located(BlockOrigin, BlockNode)
}

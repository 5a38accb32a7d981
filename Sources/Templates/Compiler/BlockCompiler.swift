import Typesetting
import InputChecks

extension Compiler {
    // MARK: Control flow

    /// Compiles `parent`'s children with `item`, turning `if`/`elif`/`else` siblings into one
    /// choice and `for` into a loop (where `allowLoop`). Blank text between the parts of an
    /// `if` chain is dropped.
    func flow<Item>(_ parent: ParsedElement, _ context: BlockContext, allowLoop: Bool,
                    item: (ParsedNode, ParsedElement, BlockContext) -> [Flow<Item>]) -> [Flow<Item>] {
        var result: [Flow<Item>] = []
        var branches: [Branch<Item>] = []
        var otherwise: [Flow<Item>]?
        var heldBlank: ParsedNode?
        var open = false
        func flush() {
            if open { result.append(.choose(branches, otherwise: otherwise ?? [])) }
            open = false
            branches = []
            otherwise = nil
            if let blank = heldBlank { result += item(blank, parent, context) }
            heldBlank = nil
        }
        for child in parent.children {
            if case .text(let text) = child, text.isBlank, open {
                heldBlank = child
                continue
            }
            guard case .element(let element) = child, inNamespace(element),
                  ["if", "elif", "else", "for"].contains(element.name) else {
                flush()
                result += item(child, parent, context)
                continue
            }
            checkAttributes(element, Schema.elements[element.name]!)
            var branch = context
            branch.conditional = true
            switch element.name {
            case "if":
                flush()
                let test = expression(element, "test", locals: context.locals)
                let body = flow(element, branch, allowLoop: allowLoop, item: item)
                branches = [Branch(test: test ?? .literal(.bool(false)), body: body)]
                open = true
            case "elif", "else":
                let test = element.name == "elif" ? expression(element, "test", locals: context.locals) : nil
                let body = flow(element, branch, allowLoop: allowLoop, item: item)
                heldBlank = nil
                guard open, otherwise == nil else {
                    let why = open ? "comes after <else>" : "has no <if> before it"
                    report(.misplacedElement, "\(why); expected <\(element.name)> directly after an <if> or <elif>",
                           at: element.position, element: element.name)
                    continue
                }
                if element.name == "elif" {
                    branches.append(Branch(test: test ?? .literal(.bool(false)), body: body))
                } else {
                    otherwise = body
                }
            default:
                flush()
                guard allowLoop else {
                    report(.misplacedElement, "not allowed inside <\(parent.name)>; <for> repeats blocks, list items "
                           + "or table rows", at: element.position, element: "for")
                    continue
                }
                if let loop = loop(element, context, allowLoop: allowLoop, item: item) { result.append(.loop(loop)) }
            }
        }
        flush()
        return result
    }

    private func loop<Item>(_ element: ParsedElement, _ context: BlockContext, allowLoop: Bool,
                            item: (ParsedNode, ParsedElement, BlockContext) -> [Flow<Item>]) -> Loop<Item>? {
        var inner = context
        inner.inLoop = true
        let before = diagnostics.count
        for name in ["each", "index"] {
            guard let attribute = element.attribute(name) else { continue }
            let variable = attribute.value
            var problem: String?
            if !Compiler.isIdentifier(variable) || ExpressionParser.keywords.contains(variable) {
                problem = "'\(variable)' is not a variable name; expected letters, digits and '_'"
            } else if Compiler.reservedNames.contains(variable) {
                problem = "'\(variable)' is reserved"
            } else if field(variable) != nil {
                problem = "'\(variable)' would hide the field of that name; choose another name"
            } else if inner.locals.contains(where: { $0.name == variable }) {
                problem = "'\(variable)' is already a loop variable here"
            }
            if let problem {
                report(.invalidValue, "\(name): \(problem)", at: attribute.position(atValueOffset: 0), element: "for")
            } else {
                inner.locals.append((variable, inner.nextSlot))
            }
        }
        let source = expression(element, "in", locals: context.locals)
        if case .path(let path) = source, case .field(let name) = path.root, path.segments.count == 1,
           let rule = field(name), rule.declaration.type != .list {
            report(.invalidValue, "in: field '\(name)' is \(rule.declaration.type.rawValue); expected a list field",
                   at: element.attribute("in")!.position(atValueOffset: 0), element: "for")
        }
        let body = flow(element, inner, allowLoop: allowLoop, item: item)
        guard diagnostics.count == before, let source, let each = element.attribute("each")?.value else { return nil }
        let slot = inner.locals.first { $0.name == each }!.slot
        let indexSlot = element.attribute("index").flatMap { index in inner.locals.first { $0.name == index.value }?.slot }
        return Loop(source: source, sourceText: element.attribute("in")?.value ?? "", slot: slot, indexSlot: indexSlot,
                    body: body, file: file, position: element.position)
    }

    // MARK: Blocks

    /// The block content of `parent` (body, header, footer, keep-together, li, cell, clause files).
    func blocks(in parent: ParsedElement, _ context: BlockContext) -> [Flow<BlockNode>] {
        flow(parent, context, allowLoop: true) { node, container, context in self.block(node, parent: container, context) }
    }

    private func block(_ node: ParsedNode, parent: ParsedElement, _ context: BlockContext) -> [Flow<BlockNode>] {
        let flows = unlocatedBlock(node, parent: parent, context)
        // The element's blocks carry where it is, so a layout error can say (clauses and
        // keep-together hold their own elements, each located already).
        guard case .element(let element) = node, !["keep-together", "clause"].contains(element.name),
              Schema.elements[element.name] != nil else { return flows }
        return flows.map { flow in
            guard case .item(let block) = flow else { return flow }
            return .item(.located(origin(of: element), block))
        }
    }

    /// Where `element` starts, for layout errors.
    func origin(of element: ParsedElement) -> BlockOrigin {
        BlockOrigin(file: file, line: element.position.line, column: element.position.column, element: element.name)
    }

    private func unlocatedBlock(_ node: ParsedNode, parent: ParsedElement, _ context: BlockContext) -> [Flow<BlockNode>] {
        guard case .element(let element) = node else {
            if case .text(let text) = node, !text.isBlank {
                reportStrayText(text, in: parent, expected: "a block element such as <p>")
            }
            return []
        }
        guard checkNamespace(element) else { return [] }
        guard let schema = Schema.elements[element.name], Schema.blockElements.contains(element.name) else {
            misplacedOrUnknown(element, allowed: Schema.blockElements, parent: parent.name)
            return []
        }
        if element.name != "clause" { checkAttributes(element, schema) }
        if ["image", "page-break", "signature", "spacer", "hr"].contains(element.name) || Self.signerFieldKinds[element.name] != nil {
            requireEmpty(element)
        }
        switch element.name {
        case "p":
            let style = namedStyle(element, default: context.region == .headerFooter ? "small" : "body")
            return [.item(paragraph(element, style: style, heading: nil, context))]
        case "h1", "h2", "h3":
            var style = namedStyle(element, default: element.name)
            style.keepWithNext = true
            return [.item(paragraph(element, style: style, heading: Int(element.name.dropFirst()), context))]
        case "ul", "ol":
            return list(element, context).map { [.item($0)] } ?? []
        case "table":
            return table(element, context).map { [.item($0)] } ?? []
        case "image":
            return image(element).map { [.item($0)] } ?? []
        case "keep-together":
            return [.item(.keepTogether(blocks(in: element, context)))]
        case "page-break":
            guard context.region != .headerFooter else {
                report(.misplacedElement, "not allowed inside <\(parent.name)>; page breaks belong in the body",
                       at: element.position, element: element.name)
                return []
            }
            return [.item(.pageBreak)]
        case "signature":
            return signature(element, parent: parent, context).map { [.item($0)] } ?? []
        case "initials", "date-signed", "text-field", "checkbox", "dropdown":
            return signerField(element, parent: parent, context).map { [.item($0)] } ?? []
        case "spacer":
            return value(element, "height", Units.length).map { [.item(.spacer($0))] } ?? []
        case "hr":
            let thickness = value(element, "thickness", Units.length) ?? 0.5
            let color = value(element, "color", Units.color) ?? Color(red: 0.6, green: 0.6, blue: 0.6)
            return [.item(.rule(width: thickness, color: color))]
        default:
            return clause(element, parent: parent, context)
        }
    }

    /// Reports content inside an element that takes none.
    func requireEmpty(_ element: ParsedElement) {
        for child in element.children {
            switch child {
            case .element(let inner):
                report(.misplacedElement, "not allowed inside <\(element.name)>; <\(element.name)> takes no content",
                       at: inner.position, element: inner.name)
            case .text(let text) where !text.isBlank:
                reportStrayText(text, in: element, expected: "no content")
            case .text:
                break
            }
        }
    }

    /// Whether an element holds block elements (then it is compiled as blocks, else as text).
    func holdsBlocks(_ element: ParsedElement) -> Bool {
        element.childElements.contains { child in
            if ["if", "elif", "else", "for"].contains(child.name) { return holdsBlocks(child) }
            return Schema.blockElements.contains(child.name) && !Schema.inlineElements.contains(child.name)
        }
    }

    /// Content that is either blocks or one paragraph of text (li, cell).
    func mixed(_ element: ParsedElement, style: ParagraphStyle, inline: InlineStyle = InlineStyle(),
               _ context: BlockContext) -> [Flow<BlockNode>] {
        if holdsBlocks(element) { return blocks(in: element, context) }
        let hasContent = element.children.contains {
            if case .text(let text) = $0 { return !text.isBlank }
            return true
        }
        guard hasContent else { return [] }
        let runs = inlines(in: element, style: inline, link: nil, context)
        return [.item(.located(origin(of: element), .paragraph(style, runs, heading: nil)))]
    }

    // MARK: Paragraphs and inline content

    private func paragraph(_ element: ParsedElement, style: ParagraphStyle, heading: Int?, _ context: BlockContext) -> BlockNode {
        var style = style
        if let align = value(element, "align", Compiler.alignment) { style.alignment = align }
        return .paragraph(style, inlines(in: element, style: InlineStyle(), link: nil, context), heading: heading)
    }

    func inlines(in parent: ParsedElement, style: InlineStyle, link: TextTemplate?, _ context: BlockContext) -> [Flow<InlineItem>] {
        flow(parent, context, allowLoop: false) { node, container, context in
            self.inline(node, parent: container, style: style, link: link, context)
        }
    }

    private func inline(_ node: ParsedNode, parent: ParsedElement, style: InlineStyle, link: TextTemplate?,
                        _ context: BlockContext) -> [Flow<InlineItem>] {
        switch node {
        case .text(let text):
            let template = self.text(text.content, source: text.source, fallback: parent.position, element: parent.name,
                                     locals: context.locals, pages: context.region == .headerFooter, collapse: true)
            return template.isEmpty ? [] : [.item(.text(template, style, link: link))]
        case .element(let element):
            guard checkNamespace(element) else { return [] }
            guard let schema = Schema.elements[element.name], Schema.inlineElements.contains(element.name) else {
                misplacedOrUnknown(element, allowed: Schema.inlineElements, parent: parent.name)
                return []
            }
            checkAttributes(element, schema)
            var inner = style
            var innerLink = link
            switch element.name {
            case "br":
                requireEmpty(element)
                return [.item(.lineBreak)]
            case "b": inner.bold = true
            case "i": inner.italic = true
            case "u": inner.underline = true
            case "s": inner.strikethrough = true
            case "a":
                innerLink = textAttribute(element, "href", locals: context.locals)
                inner.underline = true
                if inner.color == nil { inner.color = Color(hex: "#1a4f9c") }
            default:
                if let styleAttribute = element.attribute("style") {
                    if let named = styles.inline(styleAttribute.value) {
                        inner.fontFamily = named.fontFamily; inner.fontSize = named.fontSize
                        inner.bold = named.bold; inner.italic = named.italic; inner.color = named.color
                    } else {
                        let hint = Suggestions.hint(for: styleAttribute.value, in: styles.names)
                        report(.unknownStyle, "unknown style '\(styleAttribute.value)'\(hint)",
                               at: styleAttribute.position(atValueOffset: 0), element: "span")
                    }
                }
                if let color = value(element, "color", Units.color) { inner.color = color }
            }
            return inlines(in: element, style: inner, link: innerLink, context)
        }
    }
}

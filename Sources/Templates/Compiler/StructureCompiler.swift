import Foundation
import Typesetting

extension Compiler {
    // MARK: Lists

    func list(_ element: ParsedElement, _ context: BlockContext) -> BlockNode? {
        let ordered = element.name == "ol"
        let start = ordered ? value(element, "start") { text -> Result<Int, UnitError> in
            Int(text).map { $0 >= 0 ? .success($0) : .failure(UnitError(code: .invalidValue, message: "'\(text)' is negative")) }
                ?? .failure(UnitError(code: .invalidValue, message: "'\(text)' is not a whole number"))
        } : nil
        let settings = ListSettings(marker: ordered ? .number : .bullet, start: start ?? 1,
                                    indent: value(element, "indent", Units.length))
        let itemStyle = styles.style("item") ?? ParagraphStyle()
        let items = flow(element, context, allowLoop: true) { node, container, context -> [Flow<ListItemNode>] in
            switch node {
            case .text(let text):
                if !text.isBlank { self.reportStrayText(text, in: container, expected: "<li> elements") }
                return []
            case .element(let child):
                guard self.checkNamespace(child) else { return [] }
                guard child.name == "li" else {
                    self.misplacedOrUnknown(child, allowed: ["li", "if", "elif", "else", "for"], parent: container.name)
                    return []
                }
                self.checkAttributes(child, Schema.elements["li"]!)
                return [.item(ListItemNode(blocks: self.mixed(child, style: itemStyle, context)))]
            }
        }
        return .list(settings, items)
    }

    // MARK: Tables

    func table(_ element: ParsedElement, _ context: BlockContext) -> BlockNode? {
        let columns = value(element, "columns") { text -> Result<[ColumnWidth], UnitError> in
            var widths: [ColumnWidth] = []
            for part in text.split(separator: " ", omittingEmptySubsequences: true) {
                switch Units.column(String(part)) {
                case .success(let width): widths.append(width)
                case .failure(let error): return .failure(error)
                }
            }
            return widths.isEmpty ? .failure(UnitError(code: .invalidValue, message: "no columns; expected widths such "
                                                        + "as \"3fr 1fr 1fr\"")) : .success(widths)
        }
        var settings = TableSettings(columns: columns ?? [], repeatHeader: value(element, "repeat-header", Units.bool) ?? true)
        settings.borderWidth = value(element, "border") { $0 == "none" ? .success(0) : Units.length($0) }
        settings.borderColor = value(element, "border-color", Units.color)
        settings.padding = value(element, "padding", Units.length)
        if let background = element.attribute("header-background") {
            settings.headerBackground = background.value == "none" ? .some(nil)
                : value(element, "header-background", Units.color).map { .some($0) }
        }
        let cellStyle = styles.style("cell") ?? ParagraphStyle()
        let rows = flow(element, context, allowLoop: true) { node, container, context -> [Flow<RowNode>] in
            switch node {
            case .text(let text):
                if !text.isBlank { self.reportStrayText(text, in: container, expected: "<row> elements") }
                return []
            case .element(let child):
                guard self.checkNamespace(child) else { return [] }
                guard child.name == "row" else {
                    self.misplacedOrUnknown(child, allowed: ["row", "if", "elif", "else", "for"], parent: container.name)
                    return []
                }
                return self.row(child, columns: columns, style: cellStyle, context).map { [.item($0)] } ?? []
            }
        }
        return .table(settings, rows)
    }

    private func row(_ element: ParsedElement, columns: [ColumnWidth]?, style: ParagraphStyle,
                     _ context: BlockContext) -> RowNode? {
        checkAttributes(element, Schema.elements["row"]!)
        let isHeader = value(element, "header", Units.bool) ?? false
        var cells: [CellNode] = []
        var spans = 0
        for child in element.children {
            switch child {
            case .text(let text):
                if !text.isBlank { reportStrayText(text, in: element, expected: "<cell> elements") }
            case .element(let cell):
                guard checkNamespace(cell) else { continue }
                guard cell.name == "cell" else {
                    misplacedOrUnknown(cell, allowed: ["cell"], parent: "row")
                    continue
                }
                checkAttributes(cell, Schema.elements["cell"]!)
                let span = value(cell, "span") { text -> Result<Int, UnitError> in
                    guard let span = Int(text), span >= 1 else {
                        return .failure(UnitError(code: .invalidValue, message: "'\(text)' is not a column count; expected 1 or more"))
                    }
                    return .success(span)
                } ?? 1
                var cellStyle = cell.attribute("style") == nil ? style : namedStyle(cell, default: "cell")
                if let align = value(cell, "align", Compiler.alignment) { cellStyle.alignment = align }
                let inline = isHeader ? InlineStyle(bold: true) : InlineStyle()
                cells.append(CellNode(blocks: mixed(cell, style: cellStyle, inline: inline, context), span: span,
                                      background: value(cell, "background", Units.color)))
                spans += span
            }
        }
        if let columns, spans != columns.count {
            report(.tableShape, "the cells span \(spans) column\(spans == 1 ? "" : "s") but the table has "
                   + "\(columns.count); expected cells (with span) filling every column", at: element.position, element: "row")
        }
        return RowNode(cells: cells, isHeader: isHeader)
    }

    // MARK: Images and signatures

    func image(_ element: ParsedElement) -> BlockNode? {
        guard let source = element.attribute("src") else { return nil }
        let path = source.value
        let position = source.position(atValueOffset: 0)
        let components = path.split(separator: "/", omittingEmptySubsequences: false)
        guard !path.isEmpty, !path.hasPrefix("/"), !path.contains("\\"), !path.contains(":"),
              !components.contains(where: { $0 == ".." || $0.isEmpty }) else {
            report(.image, "src: '\(path)' must be a relative path inside the template's folder (no '..', no '/' "
                   + "at the start)", at: position, element: "image")
            return nil
        }
        let url = baseDirectory.appendingPathComponent(path)
        guard let data = FileManager.default.contents(atPath: url.path) else {
            report(.image, "src: no file '\(path)' next to the template", at: position, element: "image")
            return nil
        }
        guard data.count <= 20 << 20 else {
            report(.image, "src: '\(path)' is larger than 20 MB", at: position, element: "image")
            return nil
        }
        let bytes = Array(data)
        let format: Image.Format
        if bytes.starts(with: [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]) {
            format = .png
        } else if bytes.starts(with: [0xFF, 0xD8, 0xFF]) {
            format = .jpeg
        } else {
            report(.image, "src: '\(path)' is not a PNG or JPEG file", at: position, element: "image")
            return nil
        }
        var image = Image(data: bytes, format: format, width: value(element, "width", Units.length),
                          height: value(element, "height", Units.length))
        if let problem = image.problem {
            report(.image, "src: '\(path)' cannot be printed: \(problem); save the image again (as PNG or JPEG)", at: position, element: "image")
            return nil
        }
        if let align = value(element, "align", { Units.choice($0, ["left", "center", "right"]) }) {
            image.alignment = TextAlignment(rawValue: align)!
        }
        return .image(image)
    }

    func signature(_ element: ParsedElement, parent: ParsedElement, _ context: BlockContext) -> BlockNode? {
        guard context.region == .body, !context.inLoop else {
            let why = context.inLoop ? "inside <for>; each role signs once" :
                context.region == .clause ? "inside a clause; signatures belong to the template" :
                "inside <\(parent.name)>; signatures belong in the body"
            report(.misplacedElement, "not allowed \(why)", at: element.position, element: "signature")
            return nil
        }
        guard let roleAttribute = element.attribute("role") else { return nil }
        let role = roleAttribute.value
        guard let first = role.unicodeScalars.first, first >= "a" && first <= "z", Compiler.isName(role), !role.contains(".") else {
            report(.invalidValue, "role: '\(role)' is not a role name; expected lower-case letters, digits, '-' and '_'",
                   at: roleAttribute.position(atValueOffset: 0), element: "signature")
            return nil
        }
        guard !roles.contains(role) else {
            report(.duplicate, "role: '\(role)' already has a signature; expected one <signature> per role",
                   at: roleAttribute.position(atValueOffset: 0), element: "signature")
            return nil
        }
        roles.append(role)
        var box = SignatureBox(role: role, label: role.prefix(1).uppercased() + role.dropFirst(),
                               width: value(element, "width", Units.length) ?? 216,
                               height: value(element, "height", Units.length) ?? 54,
                               required: value(element, "required", Units.bool) ?? true)
        if !box.required || context.conditional { optionalRoles.insert(role) }
        if let align = value(element, "align", { Units.choice($0, ["left", "center", "right"]) }) {
            box.alignment = TextAlignment(rawValue: align) ?? .left
        }
        return .signature(box, label: textAttribute(element, "label", locals: context.locals))
    }
}

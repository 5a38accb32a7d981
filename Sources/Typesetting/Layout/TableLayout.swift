/// A table measured at a width: column positions and each row's cells laid out as boxes.
struct TableLayout {
    struct Row {
        var cells: [(x: Double, width: Double, box: Box, background: Color?)]
        var height: Double
        var isHeader: Bool
    }

    let table: Table
    let columnX: [Double]
    let rows: [Row]
    let width: Double

    init(_ table: Table, width: Double, layouter: BlockLayouter) throws {
        self.table = table
        self.width = width
        let widths = try TableLayout.columnWidths(table.columns, total: width)
        var xs: [Double] = [0]
        for value in widths { xs.append(xs.last! + value) }
        columnX = xs
        let padding = table.cellPadding
        // An image in a cell fits the page with the cell's padding around it.
        let imageLimit = layouter.imageHeightLimit
        layouter.imageHeightLimit = min(imageLimit, layouter.bodyHeight - 2 * padding)
        defer { layouter.imageHeightLimit = imageLimit }
        var rows: [Row] = []
        for row in table.rows {
            var cells: [(x: Double, width: Double, box: Box, background: Color?)] = []
            var column = 0
            for cell in row.cells where column < widths.count {
                let span = min(cell.columnSpan, widths.count - column)
                let cellWidth = xs[column + span] - xs[column]
                let box = try layouter.box(cell.blocks, width: max(1, cellWidth - 2 * padding))
                let background = cell.background ?? (row.isHeader ? table.headerBackground : nil)
                cells.append((xs[column], cellWidth, box, background))
                column += span
            }
            let height = (cells.map(\.box.height).max() ?? 0) + 2 * padding
            rows.append(Row(cells: cells, height: height, isHeader: row.isHeader))
        }
        self.rows = rows
    }

    /// Header rows: the leading rows marked as headers.
    var headerRows: [Row] { Array(rows.prefix(while: \.isHeader)) }
    var bodyRows: ArraySlice<Row> { rows.dropFirst(headerRows.count) }

    /// A row's drawables with its top-left corner at (x, y).
    func drawables(for row: Row, x: Double, y: Double) -> [Drawable] {
        var result: [Drawable] = []
        for cell in row.cells {
            if let background = cell.background {
                result.append(.fill(x: x + cell.x, y: y, width: cell.width, height: row.height, color: background))
            }
            result += cell.box.drawables.map { $0.translated(x + cell.x + table.cellPadding, y + table.cellPadding) }
            if table.borderWidth > 0 {
                result.append(.stroke(x: x + cell.x, y: y, width: cell.width, height: row.height,
                                      color: table.borderColor, lineWidth: table.borderWidth))
            }
        }
        return result
    }

    /// Column widths: points first, then percentages of the total, then fractions share the rest.
    /// Throws `.layout` when the points and percentages take more than the table has (the
    /// columns past the edge would be drawn off the page).
    static func columnWidths(_ columns: [ColumnWidth], total: Double) throws(TypesettingError) -> [Double] {
        let columns = columns.isEmpty ? [.fraction(1)] : columns
        var fixed = 0.0, fractions = 0.0
        for column in columns {
            switch column {
            case .points(let value): fixed += value
            case .percent(let value): fixed += total * value / 100
            case .fraction(let value): fractions += value
            }
        }
        if fixed > total + Typesetter.tolerance {
            throw TypesettingError(.layout, "the table's columns take \(LayoutRoom.points(fixed)) pt, but it has \(LayoutRoom.points(total)) pt "
                                   + "between the margins (and indents): the columns past the edge would be off the page; "
                                   + "give smaller widths, percentages that add up to 100 % at most, or fractions (`1fr`)")
        }
        let remaining = max(0, total - fixed)
        return columns.map { column in
            switch column {
            case .points(let value): return value
            case .percent(let value): return total * value / 100
            case .fraction(let value): return fractions > 0 ? remaining * value / fractions : 0
            }
        }
    }
}

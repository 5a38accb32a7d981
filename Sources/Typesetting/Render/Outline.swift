import PDFSyntax

/// The document outline (bookmarks) from headings: `/Outlines` with nested items, each opened
/// and pointing at its heading with an `/XYZ` destination.
enum Outline {
    struct Entry {
        var level: Int
        var title: String
        /// 0-based page index.
        var page: Int
        /// Top of the heading in layout coordinates (origin top-left).
        var y: Double
    }

    /// Writes the outline; nil when there are no entries.
    static func write(_ entries: [Entry], pages: [PDFReference], pageHeight: Double,
                      into file: inout PDFObjectFile) -> PDFReference? {
        guard !entries.isEmpty else { return nil }
        // Parents: the nearest earlier entry of a lower level (-1 = the root).
        var parents: [Int] = []
        var stack: [Int] = []
        for (index, entry) in entries.enumerated() {
            while let last = stack.last, entries[last].level >= entry.level { stack.removeLast() }
            parents.append(stack.last ?? -1)
            stack.append(index)
        }
        let root = file.reserve()
        let references = entries.map { _ in file.reserve() }
        func children(of parent: Int) -> [Int] { parents.indices.filter { parents[$0] == parent } }
        func descendants(of index: Int) -> Int {
            children(of: index).reduce(0) { $0 + 1 + descendants(of: $1) }
        }
        for (index, entry) in entries.enumerated() {
            let siblings = children(of: parents[index])
            let position = siblings.firstIndex(of: index)!
            var item: PDFDictionary = [
                "Title": .string(PDFString(text: entry.title)),
                "Parent": .reference(parents[index] < 0 ? root : references[parents[index]]),
            ]
            if position > 0 { item["Prev"] = .reference(references[siblings[position - 1]]) }
            if position + 1 < siblings.count { item["Next"] = .reference(references[siblings[position + 1]]) }
            let own = children(of: index)
            if let first = own.first, let last = own.last {
                item["First"] = .reference(references[first])
                item["Last"] = .reference(references[last])
                item["Count"] = .integer(descendants(of: index))
            }
            if entry.page < pages.count {
                item["Dest"] = .array([.reference(pages[entry.page]), .name("XYZ"), 0,
                                       .number(pageHeight - max(0, entry.y - 6)), .null])
            }
            file[references[index]] = .dictionary(item)
        }
        let top = children(of: -1)
        file[root] = .dictionary(["Type": .name("Outlines"), "First": .reference(references[top.first!]),
                                  "Last": .reference(references[top.last!]), "Count": .integer(entries.count)])
        return root
    }
}

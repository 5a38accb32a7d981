/// Cross-reference entries by object number, kept in ascending order of number.
///
/// A section's numbers are nearly always one run (`0 ..< /Size`): the table then keeps only the
/// entries and finds one by subtracting the first number. Other tables (incremental updates,
/// sparse subsections, rebuilt ones) keep their numbers too and find an entry by binary search.
/// Either way nothing is hashed, and walking the entries in order needs no sort.
public struct XRefTable: Sendable, Hashable, Sequence, ExpressibleByDictionaryLiteral {
    /// The numbers, ascending; empty when they are `first ..< first + entries.count`.
    private var numbers: [Int]
    private var entries: [XRefEntry]
    private var first: Int

    public init() {
        numbers = []
        entries = []
        first = 0
    }

    /// Entries given by number, in any order.
    public init(_ entries: [Int: XRefEntry]) {
        let sorted = entries.sorted { $0.key < $1.key }
        self.init(ascendingNumbers: sorted.map(\.key), entries: sorted.map(\.value))
    }

    public init(dictionaryLiteral elements: (Int, XRefEntry)...) {
        self.init(Dictionary(elements, uniquingKeysWith: { _, last in last }))
    }

    /// Entries whose numbers strictly ascend.
    init(ascendingNumbers numbers: [Int], entries: [XRefEntry]) {
        precondition(numbers.count == entries.count, "one number per entry")
        self.entries = entries
        first = numbers.first ?? 0
        if let last = numbers.last, case let (span, overflow) = last.subtractingReportingOverflow(first),
           !overflow, span == numbers.count - 1 {
            self.numbers = []
        } else {
            self.numbers = numbers
        }
    }

    public var count: Int { entries.count }
    public var isEmpty: Bool { entries.isEmpty }

    /// The entry for an object number, if the table has one.
    public subscript(number: Int) -> XRefEntry? {
        guard let index = index(of: number) else { return nil }
        return entries[index]
    }

    /// The object numbers, ascending.
    public var objectNumbers: [Int] {
        guard numbers.isEmpty else { return numbers }
        // Not `first ..< first + count`: a run may end at Int.max.
        return entries.indices.map { first + $0 }
    }

    @inline(__always) private func number(at index: Int) -> Int { numbers.isEmpty ? first + index : numbers[index] }

    private func index(of number: Int) -> Int? {
        if numbers.isEmpty {
            let (offset, overflow) = number.subtractingReportingOverflow(first)
            guard !overflow, offset >= 0, offset < entries.count else { return nil }
            return offset
        }
        var low = 0
        var high = numbers.count
        while low < high {
            let middle = low + (high - low) / 2
            if numbers[middle] < number { low = middle + 1 } else { high = middle }
        }
        return low < numbers.count && numbers[low] == number ? low : nil
    }

    /// The entries in ascending order of number.
    public struct Iterator: IteratorProtocol {
        fileprivate let table: XRefTable
        fileprivate var index = 0

        public mutating func next() -> (number: Int, entry: XRefEntry)? {
            guard index < table.entries.count else { return nil }
            defer { index += 1 }
            return (table.number(at: index), table.entries[index])
        }
    }

    public func makeIterator() -> Iterator { Iterator(table: self) }

    public var underestimatedCount: Int { entries.count }

    /// This table with `newer`'s entries laid over it (where both have a number, `newer` wins).
    func overlaid(by newer: XRefTable) -> XRefTable {
        if newer.isEmpty { return self }
        if isEmpty { return newer }
        var builder = XRefTableBuilder()
        builder.reserveCapacity(count + newer.count)
        var older = makeIterator()
        var newerEntries = newer.makeIterator()
        var a = older.next()
        var b = newerEntries.next()
        while let left = a, let right = b {
            if left.number < right.number {
                builder.appendAscending(left.number, left.entry)
                a = older.next()
            } else {
                builder.appendAscending(right.number, right.entry)
                if left.number == right.number { a = older.next() }
                b = newerEntries.next()
            }
        }
        while let left = a { builder.appendAscending(left.number, left.entry); a = older.next() }
        while let right = b { builder.appendAscending(right.number, right.entry); b = newerEntries.next() }
        return builder.build()
    }
}

/// Collects a section's entries as a parser meets them; numbers usually come in ascending order,
/// and only when they do not is a set kept to catch a number listed twice.
struct XRefTableBuilder {
    private var numbers: [Int] = []
    private var entries: [XRefEntry] = []
    private var ascending = true
    private var seen: Set<Int>? = nil

    var count: Int { entries.count }

    mutating func reserveCapacity(_ capacity: Int) {
        numbers.reserveCapacity(capacity)
        entries.reserveCapacity(capacity)
    }

    /// Adds an entry unless the number already has one; returns whether it was added.
    mutating func insert(_ number: Int, _ entry: XRefEntry) -> Bool {
        if ascending {
            if let last = numbers.last, number <= last {
                if number == last { return false }
                ascending = false
                seen = Set(numbers)
            } else {
                numbers.append(number)
                entries.append(entry)
                return true
            }
        }
        guard seen!.insert(number).inserted else { return false }
        numbers.append(number)
        entries.append(entry)
        return true
    }

    /// Adds an entry whose number is above every number so far (a merge of ascending tables).
    mutating func appendAscending(_ number: Int, _ entry: XRefEntry) {
        numbers.append(number)
        entries.append(entry)
    }

    func build() -> XRefTable {
        if ascending { return XRefTable(ascendingNumbers: numbers, entries: entries) }
        let order = numbers.indices.sorted { numbers[$0] < numbers[$1] }
        return XRefTable(ascendingNumbers: order.map { numbers[$0] }, entries: order.map { entries[$0] })
    }
}

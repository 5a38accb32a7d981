/// The members of the arrays and dictionaries an `ObjectParser` has open, innermost last.
///
/// A container pushes its members as it parses them and, when it closes, moves them out into an
/// array of their exact count: no array grows per container, and nothing is copied (retained)
/// and then destroyed (released) on the way. One instance serves every container of a parser,
/// so its buffers are allocated once per parser, not once per container.
final class ContainerStack {
    @exclusivity(unchecked) fileprivate var elements = RawStack<PDFObject>()
    @exclusivity(unchecked) fileprivate var entries = RawStack<(key: PDFName, value: PDFObject)>()

    deinit {
        elements.free()
        entries.free()
    }

    var elementCount: Int { elements.count }
    var entryCount: Int { entries.count }

    func pushElement(_ element: PDFObject) { elements.push(element) }
    func pushEntry(_ key: PDFName, _ value: PDFObject) { entries.push((key, value)) }

    /// The elements from `base` up, moved into an array; the stack goes back to `base`.
    ///
    /// (Written out for each element type: the array is reserved at a concrete type, whose
    /// storage metadata the compiler caches. `Array(unsafeUninitializedCapacity:)` here went
    /// through the unspecialized buffer initializer, which looks the metadata of the
    /// dictionary's tuple type up at run time for every dictionary.)
    func moveElements(from base: Int) -> [PDFObject] {
        guard elements.count > base else { return [] }
        var result: [PDFObject] = []
        result.reserveCapacity(elements.count - base)
        result.append(contentsOf: elements.moving(from: base))
        return result
    }

    func moveEntries(from base: Int) -> [(key: PDFName, value: PDFObject)] {
        guard entries.count > base else { return [] }
        var result: [(key: PDFName, value: PDFObject)] = []
        result.reserveCapacity(entries.count - base)
        result.append(contentsOf: entries.moving(from: base))
        return result
    }

    /// Destroys what a container that failed left above `base`.
    func dropElements(from base: Int) { elements.drop(from: base) }
    func dropEntries(from base: Int) { entries.drop(from: base) }

    /// Whether an entry from `base` up has this key.
    func hasEntry(from base: Int, key: PDFName) -> Bool {
        guard let storage = entries.storage else { return false }
        for index in base..<entries.count where storage[index].key == key { return true }
        return false
    }
}

/// A manually managed stack of values; its owner frees it.
struct RawStack<Element> {
    fileprivate(set) var storage: UnsafeMutablePointer<Element>? = nil
    private var capacity = 0
    private(set) var count = 0

    mutating func push(_ element: Element) {
        if count == capacity { grow() }
        (storage! + count).initialize(to: element)
        count += 1
    }

    private mutating func grow() {
        let newCapacity = Swift.max(16, capacity * 2)
        let newStorage = UnsafeMutablePointer<Element>.allocate(capacity: newCapacity)
        if let storage {
            newStorage.moveInitialize(from: storage, count: count)
            storage.deallocate()
        }
        storage = newStorage
        capacity = newCapacity
    }

    /// The values from `base` up, handed over one by one (each moved out exactly once, as the
    /// sequence is iterated); the stack goes back to `base` at once.
    mutating func moving(from base: Int) -> MovingSequence<Element> {
        precondition(base >= 0 && base <= count, "container stack base out of range")
        guard let storage, count > base else { return MovingSequence(start: nil, count: 0) }
        let moved = count - base
        count = base
        return MovingSequence(start: storage + base, count: moved)
    }

    mutating func drop(from base: Int) {
        guard base < count, let storage else { return }
        (storage + base).deinitialize(count: count - base)
        count = base
    }

    func free() {
        guard let storage else { return }
        storage.deinitialize(count: count)
        storage.deallocate()
    }
}

/// Values moved out of a `RawStack`, for `Array.append(contentsOf:)`: iterated once, each value
/// is moved (not copied) into the array.
struct MovingSequence<Element>: Sequence, IteratorProtocol {
    fileprivate let start: UnsafeMutablePointer<Element>?
    fileprivate let count: Int
    private var index = 0

    fileprivate init(start: UnsafeMutablePointer<Element>?, count: Int) {
        self.start = start
        self.count = count
    }

    var underestimatedCount: Int { count - index }

    mutating func next() -> Element? {
        guard index < count, let start else { return nil }
        defer { index += 1 }
        return (start + index).move()
    }
}

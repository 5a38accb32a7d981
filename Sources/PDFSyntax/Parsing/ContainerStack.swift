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
    func moveElements(from base: Int) -> [PDFObject] { elements.moveOut(from: base) }
    func moveEntries(from base: Int) -> [(key: PDFName, value: PDFObject)] { entries.moveOut(from: base) }

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

    mutating func moveOut(from base: Int) -> [Element] {
        precondition(base >= 0 && base <= count, "container stack base out of range")
        let moved = count - base
        guard moved > 0, let storage else { return [] }
        let result = [Element](unsafeUninitializedCapacity: moved) { buffer, initialized in
            buffer.baseAddress!.moveInitialize(from: storage + base, count: moved)
            initialized = moved
        }
        count = base
        return result
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

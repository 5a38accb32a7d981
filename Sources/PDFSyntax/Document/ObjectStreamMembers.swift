/// The objects of one object stream (ISO 32000-2 §7.5.7) in header order, found by number.
///
/// An xref entry names a compressed object's index in its stream, so a lookup first tries that
/// index: no hashing for well-formed files. When a header lists a number more than once, the
/// first occurrence is the member (as it always was), whatever index the entry names.
struct ObjectStreamMembers: Sendable {
    private var numbers: [Int] = []
    private var objects: [PDFObject] = []
    /// Whether the header's numbers strictly ascend so far (then none repeats, and a binary
    /// search finds any of them).
    private var ascending = true
    /// Each number's first index, kept only once the numbers stop ascending.
    private var firstIndex: [Int: Int]? = nil

    init(capacity: Int) {
        numbers.reserveCapacity(capacity)
        objects.reserveCapacity(capacity)
    }

    var count: Int { numbers.count }

    /// The header's object numbers, in order (an entry's `index` is a position here).
    var memberNumbers: [Int] { numbers }

    /// Adds the next member of the header.
    mutating func append(number: Int, object: PDFObject) {
        if ascending, let last = numbers.last, number <= last {
            ascending = false
            var index: [Int: Int] = [:]
            index.reserveCapacity(numbers.count + 1)
            for (position, existing) in numbers.enumerated() { index[existing] = position }
            firstIndex = index
        }
        if !ascending, firstIndex![number] == nil { firstIndex![number] = numbers.count }
        numbers.append(number)
        objects.append(object)
    }

    /// The member with this number (its first occurrence); `index` is where the xref entry says it is.
    func object(number: Int, index: Int) -> PDFObject? {
        if index >= 0, index < numbers.count, numbers[index] == number,
           ascending || firstIndex![number] == index {
            return objects[index]
        }
        if let firstIndex { return firstIndex[number].map { objects[$0] } }
        var low = 0
        var high = numbers.count
        while low < high {
            let middle = (low + high) / 2
            if numbers[middle] < number { low = middle + 1 } else { high = middle }
        }
        return low < numbers.count && numbers[low] == number ? objects[low] : nil
    }
}

public import Foundation

/// The bytes of a PDF file: memory-mapped from disk or owned, immutable, shared without copying.
///
/// Large files are mapped, never read into memory: parsing touches only the pages of the file it
/// needs, and signing hashes and copies the original bytes straight from the map.
public struct PDFBytes: Sendable, RandomAccessCollection, Hashable, ContiguousBytes {
    private let storage: Storage

    public typealias Index = Int
    public typealias Element = UInt8
    public typealias SubSequence = Slice<PDFBytes>

    /// Copies an array's bytes.
    public init(_ bytes: [UInt8]) { storage = Storage(copying: bytes) }

    /// Maps a file read-only.
    public init(mappingFile path: String) throws { storage = try Storage(mapping: path) }

    public var startIndex: Int { 0 }
    public var endIndex: Int { storage.count }
    public var count: Int { storage.count }

    @inline(__always) public subscript(position: Int) -> UInt8 {
        precondition(position >= 0 && position < storage.count, "PDFBytes index out of range")
        return storage.base[position]
    }

    public subscript(bounds: Range<Int>) -> Slice<PDFBytes> { Slice(base: self, bounds: bounds) }

    /// The raw bytes, for hashing and writing without copies.
    public func withUnsafeBytes<Result>(_ body: (UnsafeRawBufferPointer) throws -> Result) rethrows -> Result {
        try body(UnsafeRawBufferPointer(start: storage.base, count: storage.count))
    }

    /// Whether the ASCII `word` occurs at `index`.
    public func matches(_ word: StaticString, at index: Int) -> Bool {
        let length = word.utf8CodeUnitCount
        guard index >= 0, index + length <= count else { return false }
        return word.withUTF8Buffer { memcmp(storage.base + index, $0.baseAddress!, length) == 0 }
    }

    /// Where the ASCII `word` first occurs in `range`, or nil: C's `memchr` finds each candidate
    /// first byte and `memcmp` checks the rest, so a scan of a whole update costs a fraction of
    /// a byte-by-byte loop.
    public func firstIndex(of word: StaticString, in range: Range<Int>) -> Int? {
        let length = word.utf8CodeUnitCount
        let lower = Swift.max(0, range.lowerBound), upper = Swift.min(count, range.upperBound)
        guard length > 0, upper - lower >= length else { return nil }
        return word.withUTF8Buffer { needle -> Int? in
            let first = Int32(needle[0])
            var position = lower
            while position + length <= upper {
                guard let found = memchr(storage.base + position, first, upper - length + 1 - position) else { return nil }
                let index = UnsafeRawPointer(found) - UnsafeRawPointer(storage.base)
                if memcmp(storage.base + index, needle.baseAddress!, length) == 0 { return index }
                position = index + 1
            }
            return nil
        }
    }

    /// A copy of a range as an array.
    public func array(_ range: Range<Int>) -> [UInt8] {
        Array(UnsafeBufferPointer(start: storage.base + range.lowerBound, count: range.count))
    }

    /// A copy of all bytes as an array.
    public var array: [UInt8] { array(0..<count) }

    public static func == (lhs: PDFBytes, rhs: PDFBytes) -> Bool {
        lhs.count == rhs.count && (lhs.storage === rhs.storage || memcmp(lhs.storage.base, rhs.storage.base, lhs.count) == 0)
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(count)
        withUnsafeBytes { hasher.combine(bytes: UnsafeRawBufferPointer(rebasing: $0.prefix(256))) }
    }

    /// Owns the memory: an allocation, or a mapping released with munmap.
    private final class Storage: @unchecked Sendable {
        let base: UnsafePointer<UInt8>
        let count: Int
        private let mapped: Bool

        init(copying bytes: [UInt8]) {
            let buffer = UnsafeMutablePointer<UInt8>.allocate(capacity: Swift.max(1, bytes.count))
            bytes.withUnsafeBufferPointer { source in
                if let address = source.baseAddress { buffer.update(from: address, count: bytes.count) }
            }
            base = UnsafePointer(buffer)
            count = bytes.count
            mapped = false
        }

        init(mapping path: String) throws {
            let descriptor = open(path, O_RDONLY | O_CLOEXEC)
            guard descriptor >= 0 else {
                throw PDFError(.io, errno == ENOENT ? "no such file: \(path)" : "cannot open \(path): \(String(cString: strerror(errno)))")
            }
            defer { close(descriptor) }
            var info = stat()
            guard fstat(descriptor, &info) == 0 else {
                throw PDFError(.io, "cannot read \(path): \(String(cString: strerror(errno)))")
            }
            guard (info.st_mode & S_IFMT) != S_IFDIR else { throw PDFError(.io, "\(path) is a folder, not a PDF file") }
            guard (info.st_mode & S_IFMT) == S_IFREG else { throw PDFError(.io, "\(path) is not a regular file") }
            count = Int(info.st_size)
            if count == 0 {
                base = UnsafePointer(UnsafeMutablePointer<UInt8>.allocate(capacity: 1))
                mapped = false
                return
            }
            guard let address = mmap(nil, count, PROT_READ, MAP_PRIVATE, descriptor, 0), address != MAP_FAILED else {
                throw PDFError(.io, "cannot map \(path): \(String(cString: strerror(errno)))")
            }
            base = UnsafePointer(address.assumingMemoryBound(to: UInt8.self))
            mapped = true
        }

        deinit {
            if mapped {
                munmap(UnsafeMutableRawPointer(mutating: base), count)
            } else {
                UnsafeMutablePointer(mutating: base).deallocate()
            }
        }
    }
}

/// Paragraphs shaped by pango, kept across the documents of one typesetter (one worker) and
/// reused when a later document asks for the same text in the same way: most paragraphs of a
/// contract are the same clause text in every document, and shaping is the costly part.
///
/// The key is everything a `TextLayout` is made from: the runs (text, inline styles, links), the
/// whole paragraph style (font, size, weight, colour, leading, alignment, hyphenation), the width,
/// the language (which picks the pango context) and, for paragraphs with page placeholders, the
/// page number and count. Wrap mode and font options are fixed for every layout.
///
/// Segmented LRU: a new layout goes on probation; used again, it is protected (up to four fifths
/// of the limits). Paragraphs seen once (names, amounts) leave from probation, oldest first, so
/// they cannot push out the clauses every document uses; past either limit the oldest protected
/// layout goes back on probation. A batch of any length keeps a bounded number of layouts. Not
/// thread-safe, like the typesetter that owns it.
final class ShapedTextCache {
    struct Key: Hashable {
        var paragraph: Paragraph
        var width: Double
        var language: String
        /// Zero unless the paragraph has page-number placeholders.
        var pageNumber: Int
        var pageCount: Int
    }

    private struct Slot {
        var key: Key
        var layout: TextLayout
        var bytes: Int
        var segment: Int
        var older = -1
        var newer = -1
    }

    private static let probation = 0, protected = 1

    let limits: Typesetter.CacheLimits
    private(set) var statistics = Typesetter.CacheStatistics()
    private var index: [Key: Int] = [:]
    private var slots: [Slot?] = []
    private var free: [Int] = []
    /// Per segment: least and most recently used slots (-1: none), count and bytes.
    private var oldest = [-1, -1]
    private var newest = [-1, -1]
    private var counts = [0, 0]
    private var byteCounts = [0, 0]

    init(limits: Typesetter.CacheLimits) { self.limits = limits }

    /// The layout for `key`, shaped by `make` when it is not cached.
    func layout(for key: Key, make: () -> TextLayout) -> TextLayout {
        if let position = index[key], let slot = slots[position] {
            statistics.hits += 1
            unlink(position)
            link(position, into: Self.protected)
            while counts[Self.protected] > 1, counts[Self.protected] * 5 > limits.entries * 4
                    || byteCounts[Self.protected] * 5 > limits.bytes * 4 {
                let demoted = oldest[Self.protected]
                unlink(demoted)
                link(demoted, into: Self.probation)
            }
            return slot.layout
        }
        statistics.misses += 1
        let layout = make()
        let bytes = layout.estimatedBytes
        guard limits.entries > 0, bytes <= limits.bytes else { return layout }
        while !index.isEmpty, index.count >= limits.entries || statistics.bytes + bytes > limits.bytes {
            evict(oldest[Self.probation] >= 0 ? oldest[Self.probation] : oldest[Self.protected])
        }
        let slot = Slot(key: key, layout: layout, bytes: bytes, segment: Self.probation)
        let position: Int
        if let reused = free.popLast() {
            position = reused
            slots[position] = slot
        } else {
            position = slots.count
            slots.append(slot)
        }
        link(position, into: Self.probation)
        index[key] = position
        statistics.entries = index.count
        statistics.bytes += bytes
        return layout
    }

    /// Puts a slot at the most recently used end of `segment`.
    private func link(_ position: Int, into segment: Int) {
        slots[position]!.segment = segment
        slots[position]!.older = newest[segment]
        slots[position]!.newer = -1
        if newest[segment] >= 0 { slots[newest[segment]]!.newer = position } else { oldest[segment] = position }
        newest[segment] = position
        counts[segment] += 1
        byteCounts[segment] += slots[position]!.bytes
    }

    private func unlink(_ position: Int) {
        let slot = slots[position]!
        if slot.older >= 0 { slots[slot.older]!.newer = slot.newer } else { oldest[slot.segment] = slot.newer }
        if slot.newer >= 0 { slots[slot.newer]!.older = slot.older } else { newest[slot.segment] = slot.older }
        counts[slot.segment] -= 1
        byteCounts[slot.segment] -= slot.bytes
    }

    private func evict(_ position: Int) {
        guard position >= 0, let slot = slots[position] else { return }
        unlink(position)
        slots[position] = nil
        free.append(position)
        index[slot.key] = nil
        statistics.entries = index.count
        statistics.bytes -= slot.bytes
        statistics.evictions += 1
    }
}

extension Typesetter {
    /// Bounds of the shaped-text cache a typesetter keeps across documents.
    public struct CacheLimits: Sendable, Hashable {
        /// Most layouts kept (0 turns the cache off).
        public var entries: Int
        /// Most estimated bytes of pango layouts kept.
        public var bytes: Int

        public init(entries: Int, bytes: Int) {
            self.entries = entries; self.bytes = bytes
        }

        /// 1 000 layouts or 8 MB (estimated): every clause of a long contract, with room for the per-row
        /// paragraphs that come and go; about 6 MB of memory per worker when full.
        public static let standard = CacheLimits(entries: 1_000, bytes: 8 << 20)
    }

    /// What the shaped-text cache did so far.
    public struct CacheStatistics: Sendable, Hashable {
        public var hits = 0
        public var misses = 0
        public var evictions = 0
        /// Layouts held now, and their estimated bytes.
        public var entries = 0
        public var bytes = 0
    }
}

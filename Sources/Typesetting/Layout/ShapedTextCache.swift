/// Paragraphs shaped by pango, kept across the documents of one typesetter (one worker) and
/// reused when a later document asks for the same text in the same way: most paragraphs of a
/// contract are the same clause text in every document, and shaping is the costly part.
///
/// The key is everything a `TextLayout` is made from: the runs (text, inline styles, links), the
/// whole paragraph style (font, size, weight, colour, leading, alignment, hyphenation), the width,
/// the language (which picks the pango context) and, for paragraphs with page placeholders, the
/// page number and count. Wrap mode and font options are fixed for every layout.
///
/// Least recently used entries go first once either limit is reached, so a batch of any length
/// keeps a bounded number of layouts. Not thread-safe, like the typesetter that owns it.
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
        var older: Int
        var newer: Int
    }

    let limits: Typesetter.CacheLimits
    private(set) var statistics = Typesetter.CacheStatistics()
    private var index: [Key: Int] = [:]
    private var slots: [Slot?] = []
    private var free: [Int] = []
    /// Least and most recently used slots (-1: none).
    private var oldest = -1
    private var newest = -1

    init(limits: Typesetter.CacheLimits) { self.limits = limits }

    /// The layout for `key`, shaped by `make` when it is not cached.
    func layout(for key: Key, make: () -> TextLayout) -> TextLayout {
        if let position = index[key], let slot = slots[position] {
            statistics.hits += 1
            touch(position)
            return slot.layout
        }
        statistics.misses += 1
        let layout = make()
        guard limits.entries > 0 else { return layout }
        let bytes = layout.estimatedBytes
        guard bytes <= limits.bytes else { return layout }
        while !index.isEmpty, index.count >= limits.entries || statistics.bytes + bytes > limits.bytes {
            evictOldest()
        }
        let position: Int
        let slot = Slot(key: key, layout: layout, bytes: bytes, older: newest, newer: -1)
        if let reused = free.popLast() {
            position = reused
            slots[position] = slot
        } else {
            position = slots.count
            slots.append(slot)
        }
        if newest >= 0 { slots[newest]!.newer = position }
        newest = position
        if oldest < 0 { oldest = position }
        index[key] = position
        statistics.entries = index.count
        statistics.bytes += bytes
        return layout
    }

    /// Moves a slot to the most recently used end.
    private func touch(_ position: Int) {
        guard position != newest, let slot = slots[position] else { return }
        unlink(position, slot)
        slots[position]!.older = newest
        slots[position]!.newer = -1
        slots[newest]!.newer = position
        newest = position
    }

    private func unlink(_ position: Int, _ slot: Slot) {
        if slot.older >= 0 { slots[slot.older]!.newer = slot.newer } else { oldest = slot.newer }
        if slot.newer >= 0 { slots[slot.newer]!.older = slot.older } else { newest = slot.older }
    }

    private func evictOldest() {
        guard oldest >= 0, let slot = slots[oldest] else { return }
        let position = oldest
        unlink(position, slot)
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

        /// 2 000 layouts or 16 MB: every paragraph of a long contract with room for the per-row ones.
        public static let standard = CacheLimits(entries: 2_000, bytes: 16 << 20)
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

import InputChecks

/// The characters the shipped fonts can draw: the union of every font's character set, as sorted
/// ranges of code points. `Sendable`, so a template can check data against it on any thread.
public struct GlyphCoverage: Sendable, Hashable {
    /// Disjoint, ascending, non-adjacent ranges.
    private let ranges: [ClosedRange<UInt32>]

    /// Coverage of exactly `ranges` (any order, may overlap).
    public init(ranges: [ClosedRange<UInt32>]) {
        var merged: [ClosedRange<UInt32>] = []
        for range in ranges.sorted(by: { $0.lowerBound < $1.lowerBound }) {
            if let last = merged.last, range.lowerBound <= last.upperBound &+ 1 {
                merged[merged.count - 1] = last.lowerBound...max(last.upperBound, range.upperBound)
            } else {
                merged.append(range)
            }
        }
        self.ranges = merged
    }

    /// Whether some font has a glyph for `scalar`.
    public func contains(_ scalar: Unicode.Scalar) -> Bool {
        let value = scalar.value
        var low = 0, high = ranges.count
        while low < high {
            let middle = (low + high) / 2
            if ranges[middle].upperBound < value { low = middle + 1 } else { high = middle }
        }
        return low < ranges.count && ranges[low].contains(value)
    }

    /// The characters of `text` no font can draw, each once, in order of first appearance.
    /// Characters that draw nothing (controls, format characters such as joiners and direction
    /// marks, variation selectors, line and paragraph separators) are never missing.
    public func missing(in text: String) -> [Unicode.Scalar] {
        var seen: Set<Unicode.Scalar> = []
        var out: [Unicode.Scalar] = []
        for scalar in text.unicodeScalars where !contains(scalar) && !GlyphCoverage.drawsNothing(scalar) {
            if seen.insert(scalar).inserted { out.append(scalar) }
        }
        return out
    }

    /// `text` with each character no font can draw written out as `[U+0BAE]`: for text that
    /// must be printed whatever it holds (a user agent on a certificate), where printing it
    /// without those characters would say something else and refusing it would stop the page.
    public func printable(_ text: String) -> String {
        guard !text.unicodeScalars.allSatisfy({ contains($0) || GlyphCoverage.drawsNothing($0) }) else { return text }
        var out = String.UnicodeScalarView()
        for scalar in text.unicodeScalars {
            if contains(scalar) || GlyphCoverage.drawsNothing(scalar) {
                out.append(scalar)
            } else {
                out.append(contentsOf: "[\(scalar.codePoint)]".unicodeScalars)
            }
        }
        return String(out)
    }

    /// Characters that need no glyph: pango shapes them to nothing.
    static func drawsNothing(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.properties.generalCategory {
        case .control, .format, .lineSeparator, .paragraphSeparator, .surrogate: return true
        default: break
        }
        return scalar.properties.isVariationSelector || scalar.properties.isDefaultIgnorableCodePoint
    }

    /// `'株' (U+682A), '😀' (U+1F600)`: how messages name characters.
    public static func describe(_ scalars: [Unicode.Scalar]) -> String {
        scalars.map { "'\($0)' (\($0.codePoint))" }.joined(separator: ", ")
    }
}

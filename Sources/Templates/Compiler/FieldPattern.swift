import Foundation

/// The regular expression a field's value must match whole (`pattern` of a `<field>`, a
/// `<text-field>` or an uploaded document's field), run by ICU, whose matcher gives up after a
/// bounded effort (a value it gave up on does not match).
///
/// A pattern that repeats a repetition (`(a+)+`, `(\w+\s?)*`) is refused when it is defined: on
/// a value that almost matches it backtracks exponentially, and the signer who types that value
/// is someone the template's author does not control.
public struct FieldPattern: Sendable {
    public let pattern: String
    let box: RegexBox

    /// Compiles `pattern`; why it cannot be one otherwise (not a regular expression, or a
    /// repeated repetition).
    public init(_ pattern: String) throws(FieldPatternError) {
        if let problem = Self.repeatedRepetition(in: pattern) {
            throw FieldPatternError(message: "'\(pattern)' repeats a repetition (\(problem)), which can take exponential time "
                                    + "on a value that almost matches; write it without the nesting (e.g. [a-z ]+ rather than ([a-z]+ ?)+)")
        }
        guard let box = RegexBox(pattern) else { throw FieldPatternError(message: "'\(pattern)' is not a regular expression") }
        self.pattern = pattern
        self.box = box
    }

    /// Whether `text` matches the whole pattern.
    public func matches(_ text: String) -> Bool { box.wholeMatch(text) }

    /// The first group repeated without bound (`*`, `+`, `{n,}`) that holds a repetition of
    /// varying length itself (`+`, `*`, `{n,m}`), as written; nil when there is none. Bounded
    /// repetitions of fixed ones (`(\d{3}-){2}`) are fine.
    static func repeatedRepetition(in pattern: String) -> String? {
        let characters = Array(pattern)
        /// The quantifier at `at`: its length, whether it is unbounded, whether its count varies.
        func quantifier(at at: Int) -> (length: Int, unbounded: Bool, varies: Bool) {
            guard at < characters.count else { return (0, false, false) }
            switch characters[at] {
            case "*", "+": return (1, true, true)
            case "{":
                guard let close = characters[at...].firstIndex(of: "}") else { return (0, false, false) }
                let inside = String(characters[(at + 1)..<close]).split(separator: ",", omittingEmptySubsequences: false)
                guard let low = Int(inside.first ?? ""), inside.count <= 2 else { return (0, false, false) }
                if inside.count == 1 { return (close - at + 1, false, false) }
                if inside[1].isEmpty { return (close - at + 1, true, true) }
                return (close - at + 1, false, (Int(inside[1]) ?? low) > low)
            default: return (0, false, false)
            }
        }
        var groups: [(start: Int, varies: Bool)] = []
        func noteQuantifier(at at: Int) {
            if quantifier(at: at).varies, !groups.isEmpty { groups[groups.count - 1].varies = true }
        }
        var index = 0
        while index < characters.count {
            switch characters[index] {
            case "\\":
                index += 2
                noteQuantifier(at: index)
            case "[":
                var end = index + 1
                if end < characters.count, characters[end] == "^" { end += 1 }
                if end < characters.count, characters[end] == "]" { end += 1 }
                while end < characters.count, characters[end] != "]" { end += characters[end] == "\\" ? 2 : 1 }
                index = end + 1
                noteQuantifier(at: index)
            case "(":
                groups.append((index, false))
                index += 1
            case ")":
                let outer = quantifier(at: index + 1)
                guard let group = groups.popLast() else { index += 1; continue }
                if outer.unbounded, group.varies { return String(characters[group.start...(index + outer.length)]) }
                if !groups.isEmpty, group.varies || outer.varies { groups[groups.count - 1].varies = true }
                index += 1
            case "*", "+", "?", "{":
                index += max(1, quantifier(at: index).length)
            default:
                index += 1
                noteQuantifier(at: index)
            }
        }
        return nil
    }
}

/// Why a field's `pattern` was refused.
public struct FieldPatternError: Error, Sendable, Hashable {
    public var message: String
}

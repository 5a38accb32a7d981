/// Why a batch cannot start or had to stop (row problems are never this: they go to errors.csv).
///
/// Equality compares codes, in the style of swift-asn1's errors.
public struct BatchError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What kind of problem this is (stable; compare codes, not reasons).
    public struct Code: Sendable, Hashable, CustomStringConvertible {
        /// The stable name of the code.
        public let name: String
        /// A code by name; use the predefined constants.
        public init(_ name: String) { self.name = name }
        public var description: String { name }

        /// The mapping file is malformed or does not fit the template or the CSV header.
        public static let mapping = Code("mapping")
        /// The `--name` pattern is unusable.
        public static let namePattern = Code("namePattern")
        /// The output directory holds an earlier batch and `--resume` was not given.
        public static let existingBatch = Code("existingBatch")
        /// An input file (CSV, mapping) does not exist or cannot be opened.
        public static let missingInput = Code("missingInput")
        /// An input file exists but cannot be used at all (e.g. no header row).
        public static let invalidInput = Code("invalidInput")
        /// Reading or writing the output directory failed.
        public static let io = Code("io")
        /// The output directory cannot be made (no permission, a file in its place).
        public static let cannotCreateOutput = Code("cannotCreateOutput")
        /// A system library the workers need (pango, cairo, libcrypto, …) cannot be loaded.
        public static let systemLibrary = Code("systemLibrary")
        /// Another batch is writing into the same output folder (and shard) right now.
        public static let busy = Code("busy")
    }

    /// What kind of problem this is.
    public let code: Code
    /// What went wrong and what to do, for people.
    public let reason: String
    /// Where in the source the error was made (for bug reports).
    public let fileID: String
    public let line: Int

    /// An error with a code and a reason a person can act on.
    public init(_ code: Code, _ reason: String, fileID: String = #fileID, line: Int = #line) {
        self.code = code
        self.reason = reason
        self.fileID = fileID
        self.line = line
    }

    public var description: String { reason }
    public static func == (lhs: BatchError, rhs: BatchError) -> Bool { lhs.code == rhs.code }
    public func hash(into hasher: inout Hasher) { hasher.combine(code) }
}

/// The candidate closest to `name` by edit distance, as a " (did you mean 'x'?)" hint.
func suggestion(for name: String, in candidates: [String]) -> String {
    closestName(to: name, in: candidates).map { " (did you mean '\($0)'?)" } ?? ""
}

/// The candidate `name` is most likely a slip for: within a few edits of it (case ignored), or
/// the start of it (or it the start of the candidate); nil when none is close.
func closestName(to name: String, in candidates: [String]) -> String? {
    func distance(_ a: [Character], _ b: [Character]) -> Int {
        var previous = Array(0...b.count)
        for (i, x) in a.enumerated() {
            var current = [i + 1]
            for (j, y) in b.enumerated() {
                current.append(min(previous[j + 1] + 1, current[j] + 1, previous[j] + (x == y ? 0 : 1)))
            }
            previous = current
        }
        return previous[b.count]
    }
    let target = Array(name.lowercased())
    let scored = candidates.map { ($0, distance(target, Array($0.lowercased()))) }
    if let best = scored.min(by: { $0.1 < $1.1 }), best.1 <= max(2, target.count / 3) { return best.0 }
    let lowered = name.lowercased()
    if lowered.count >= 3, let partial = candidates.first(where: { $0.lowercased().hasPrefix(lowered) || lowered.hasPrefix($0.lowercased()) }) {
        return partial
    }
    return nil
}

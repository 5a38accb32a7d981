/// A deviation from the specification that the verifier accepted because it is harmless
/// (DESIGN.md §7, docs/robustness.md): every mainstream reader resolves it the same way and it
/// cannot give two readings of the content. Notes never change a verdict; they say what was
/// tolerated and where.
public struct ReportNote: Sendable, Hashable, CustomStringConvertible {
    /// A stable code for the kind of deviation (e.g. `cmsBER`, `freeGeneration65536`).
    public var code: String
    /// The byte offset in the file, when the deviation has one.
    public var offset: Int?
    /// A sentence for people.
    public var message: String

    public init(code: String, offset: Int? = nil, message: String) {
        self.code = code
        self.offset = offset
        self.message = message
    }

    public var description: String { offset.map { "\(message) (at byte \($0))" } ?? message }
}

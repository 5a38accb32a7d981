extension Unicode.Scalar {
    /// The code point as messages write it: `U+001B`, `U+0BAE`, `U+1F600` (at least four hex digits).
    public var codePoint: String {
        let hex = String(value, radix: 16, uppercase: true)
        return "U+" + String(repeating: "0", count: max(0, 4 - hex.count)) + hex
    }
}

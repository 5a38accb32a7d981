import Typesetting

/// Text the sealed documents print — a recipient's name and e-mail on the Certificate of
/// Completion, a typed signature or a filled value on the document, an uploaded document's
/// name — is refused when it holds a character no shipped font has, when the sender or the
/// signer can still change it: accepted, it would stop the envelope's completion after
/// everyone had signed. (The certificate writes out what it cannot print rather than fail —
/// `[U+0BAE]` — for what nobody chose, such as a browser's user agent.)
extension WorkflowEngine {
    /// The characters the shipped fonts draw, read once from a typesetter.
    func glyphCoverage() async throws -> GlyphCoverage {
        if let known = glyphs.withLock({ $0 }) { return known }
        let read = try await typesetters.with { $0.coverage }
        glyphs.withLock { $0 = read }
        return read
    }

    /// Refuses the first of `texts` (text, what it is) with a character no shipped font has.
    func requirePrintable(_ texts: [(text: String, what: String)]) async throws {
        guard !texts.isEmpty else { return }
        let coverage = try await glyphCoverage()
        for (text, what) in texts { try Check.printable(text, what, coverage) }
    }

    /// The texts of a new envelope that its sealed documents print: every recipient's name and
    /// e-mail (those a `when` may leave out too: their condition is decided later) and every
    /// uploaded document's name.
    func requirePrintable(_ request: EnvelopeRequest) async throws {
        var texts: [(text: String, what: String)] = []
        for (index, recipient) in request.recipients.enumerated() {
            texts += [(recipient.name, "recipients[\(index)].name"), (recipient.email, "recipients[\(index)].email")]
        }
        for (index, document) in (request.documents ?? []).enumerated() {
            texts.append((document.name, "documents[\(index)].name"))
        }
        try await requirePrintable(texts)
    }
}

extension Check {
    /// Refuses `text` holding a character no font in `coverage` has, naming the characters.
    static func printable(_ text: String, _ what: String, _ coverage: GlyphCoverage) throws(WorkflowError) {
        let missing = coverage.missing(in: text)
        guard missing.isEmpty else {
            throw WorkflowError(.invalidRequest, "\(what): no shipped font has \(GlyphCoverage.describe(missing)), so the sealed "
                                + "document could not print it; write it in a script the fonts cover (Fonts/README.md lists them)")
        }
    }
}

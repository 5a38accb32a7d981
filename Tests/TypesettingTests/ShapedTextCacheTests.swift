import Testing
@testable import Typesetting

/// The typesetter's cross-document cache of shaped paragraphs: a cached layout must be
/// indistinguishable from a fresh one, every input of the shape must be in its key, and it must
/// stay within its limits.
@Suite struct ShapedTextCacheTests {
    private func german(_ spec: DocumentSpec) -> DocumentSpec {
        var copy = spec
        copy.info.language = "de-DE"
        return copy
    }

    @Test func warmCacheGivesTheSameBytesAsAColdTypesetter() throws {
        let warm = try Typesetter()
        let contract = SampleSpecs.contract(items: 20)
        _ = try warm.typeset(SampleSpecs.contract(items: 7))
        _ = try warm.typeset(german(contract))
        let before = warm.cacheStatistics
        let reused = try warm.typeset(contract).pdf
        let after = warm.cacheStatistics
        #expect(after.hits > before.hits, "clause paragraphs shaped for the first document are reused")
        #expect(after.misses > before.misses, "en-US was not shaped yet at these widths")
        let again = try warm.typeset(contract).pdf
        #expect(warm.cacheStatistics.misses == after.misses, "a document already typeset is all hits")

        let cold = try Typesetter().typeset(contract).pdf
        let uncached = try Typesetter(cache: .init(entries: 0, bytes: 0)).typeset(contract).pdf
        #expect(reused == cold)
        #expect(again == cold)
        #expect(uncached == cold)
        #expect(try warm.typeset(german(contract)).pdf == (try Typesetter().typeset(german(contract)).pdf))
    }

    @Test func everyInputOfTheShapeIsInTheKey() throws {
        let fonts = try FontSystem(fontsDirectory: FontSystem.defaultDirectory())
        let cache = ShapedTextCache(limits: .standard)
        let english = BlockLayouter(fonts: fonts, language: "en-US", shaped: cache)
        let base = Paragraph(runs: [.plain(SampleSpecs.lorem)], style: SampleSpecs.style())
        let first = try english.textLayout(base, width: 300)
        #expect(try english.textLayout(base, width: 300) === first)
        #expect(cache.statistics.hits == 1 && cache.statistics.misses == 1)

        var variants: [(String, Paragraph, Double, BlockLayouter)] = []
        func styled(_ change: (inout ParagraphStyle) -> Void) -> Paragraph {
            var paragraph = base
            change(&paragraph.style)
            return paragraph
        }
        variants.append(("width", base, 301, english))
        variants.append(("text", Paragraph(runs: [.plain(SampleSpecs.lorem + ".")], style: base.style), 300, english))
        variants.append(("inline style", Paragraph(runs: [.text(SampleSpecs.lorem, InlineStyle(bold: true))], style: base.style),
                         300, english))
        variants.append(("font", styled { $0.fontFamily = "Liberation Sans" }, 300, english))
        variants.append(("size", styled { $0.fontSize = 11 }, 300, english))
        variants.append(("alignment", styled { $0.alignment = .left }, 300, english))
        variants.append(("leading", styled { $0.leading = 1.4 }, 300, english))
        variants.append(("hyphenation", styled { $0.hyphenate = false }, 300, english))
        variants.append(("colour", styled { $0.color = .white }, 300, english))
        variants.append(("language", base, 300, BlockLayouter(fonts: fonts, language: "de-DE", shaped: cache)))
        for (index, (name, paragraph, width, layouter)) in variants.enumerated() {
            let layout = try layouter.textLayout(paragraph, width: width)
            #expect(layout !== first, "\(name) must not reuse the layout")
            #expect(cache.statistics.misses == index + 2, "\(name) must be a miss")
        }
        #expect(cache.statistics.hits == 1)
    }

    @Test func pagePlaceholdersAreKeyedByPage() throws {
        let fonts = try FontSystem(fontsDirectory: FontSystem.defaultDirectory())
        let cache = ShapedTextCache(limits: .standard)
        let layouter = BlockLayouter(fonts: fonts, language: "en-US", shaped: cache)
        guard case .paragraph(let footer)? = SampleSpecs.footer().first else { throw CacheTestError() }
        let one = try layouter.textLayout(footer, width: 400, pageNumber: 1, pageCount: 3)
        let two = try layouter.textLayout(footer, width: 400, pageNumber: 2, pageCount: 3)
        let ofFour = try layouter.textLayout(footer, width: 400, pageNumber: 1, pageCount: 4)
        #expect(one !== two && one !== ofFour && two !== ofFour)
        #expect(try layouter.textLayout(footer, width: 400, pageNumber: 2, pageCount: 3) === two)
        // Without placeholders the page does not matter.
        let plain = Paragraph(runs: [.plain("Confidential")], style: footer.style)
        let first = try layouter.textLayout(plain, width: 400, pageNumber: 1, pageCount: 3)
        #expect(try layouter.textLayout(plain, width: 400, pageNumber: 2, pageCount: 3) === first)
    }

    @Test func entryAndByteLimitsHold() throws {
        let fonts = try FontSystem(fontsDirectory: FontSystem.defaultDirectory())
        let cache = ShapedTextCache(limits: .init(entries: 5, bytes: 1 << 30))
        let layouter = BlockLayouter(fonts: fonts, language: "en-US", shaped: cache)
        func paragraph(_ index: Int) -> Paragraph {
            Paragraph(runs: [.plain("Row \(index): " + SampleSpecs.lorem)], style: SampleSpecs.style())
        }
        for index in 0..<20 {
            _ = try layouter.textLayout(paragraph(index), width: 300)
            _ = try layouter.textLayout(paragraph(0), width: 300)  // kept: always recently used
            #expect(cache.statistics.entries <= 5)
        }
        #expect(cache.statistics.entries == 5)
        #expect(cache.statistics.evictions == 15)
        let misses = cache.statistics.misses
        _ = try layouter.textLayout(paragraph(0), width: 300)
        _ = try layouter.textLayout(paragraph(19), width: 300)
        #expect(cache.statistics.misses == misses, "the most recently used stay")
        _ = try layouter.textLayout(paragraph(1), width: 300)
        #expect(cache.statistics.misses == misses + 1, "the oldest paragraph used only once went")

        // Paragraphs used again survive any number of paragraphs used once (per-row text).
        let segmented = ShapedTextCache(limits: .init(entries: 10, bytes: 1 << 30))
        let rows = BlockLayouter(fonts: fonts, language: "en-US", shaped: segmented)
        let clauses = (100..<105).map(paragraph)
        for clause in clauses { _ = try rows.textLayout(clause, width: 300) }
        for clause in clauses { _ = try rows.textLayout(clause, width: 300) }
        for index in 0..<50 { _ = try rows.textLayout(paragraph(index), width: 300) }
        let before = segmented.statistics
        for clause in clauses { _ = try rows.textLayout(clause, width: 300) }
        #expect(segmented.statistics.hits == before.hits + clauses.count)
        #expect(before.entries == 10 && before.evictions == 45)
        // Protected paragraphs are bounded too: used twice each, 30 paragraphs still fit in 10 entries.
        for index in 200..<230 {
            _ = try rows.textLayout(paragraph(index), width: 300)
            _ = try rows.textLayout(paragraph(index), width: 300)
            #expect(segmented.statistics.entries <= 10)
        }

        let small = ShapedTextCache(limits: .init(entries: 1000, bytes: 100_000))
        let bounded = BlockLayouter(fonts: fonts, language: "en-US", shaped: small)
        for index in 0..<50 {
            _ = try bounded.textLayout(paragraph(index), width: 300)
            #expect(small.statistics.bytes <= 100_000)
        }
        #expect(small.statistics.entries > 1 && small.statistics.entries < 50)
        #expect(small.statistics.evictions == 50 - small.statistics.entries)
    }
}

private struct CacheTestError: Error {}

/// Measuring blocks (keep-together, keep-with-next, `Typesetter.height`) gives the height of the
/// box they are drawn in, without drawing them.
@Suite struct BlockMeasureTests {
    @Test func heightIsTheDrawnBoxsHeight() throws {
        let fonts = try FontSystem(fontsDirectory: FontSystem.defaultDirectory())
        let layouter = BlockLayouter(fonts: fonts, language: "en-US", shaped: ShapedTextCache(limits: .standard))
        let list = ListBlock(marker: .number, items: [[SampleSpecs.paragraph("First item.")],
                                                      [SampleSpecs.paragraph(SampleSpecs.lorem)]])
        let blocks: [Block] = [
            SampleSpecs.heading("Terms"), SampleSpecs.paragraph(SampleSpecs.lorem), .spacer(7),
            SampleSpecs.lineItems(4), .keepTogether([SampleSpecs.paragraph("Kept"), SampleSpecs.lineItems(2)]),
            .list(list), .rule(width: 0.5, color: .black), SampleSpecs.paragraph("Last.", align: .left),
        ]
        for width in [180.0, 451.3] {
            for count in 1...blocks.count {
                let prefix = Array(blocks.prefix(count))
                #expect(try layouter.height(prefix, width: width) == layouter.box(prefix, width: width).height)
            }
        }
        let typesetter = try Typesetter()
        #expect(try typesetter.height(of: blocks, width: 300) == layouter.box(blocks, width: 300).height)
    }
}

import CountersignCrypto
import Foundation
import PDFSyntax
@testable import Signing
import TestSupport
import Testing

/// The per-signer appearance cache: a cached appearance gives exactly the bytes of one typeset
/// and imported afresh, for the document seen before and for a new one.
@Suite struct AppearanceCacheTests {
    let fixtures = SigningFixtures.shared
    let time = Date(timeIntervalSince1970: 1_768_000_000)

    private func request(_ reason: String = "Approved") -> SignatureRequest {
        SignatureRequest(placement: .field("sig_customer"), reason: reason, signingTime: time)
    }

    @Test func cachedAppearancesAreTheBytesOfUncachedOnes() throws {
        let identity = try fixtures.identity(.rsa(2048))
        let other = try SigningFixtures.makeContract(party: "Globex Ltd")
        let cached = try PDFSigner(identity: identity)
        let uncached = try PDFSigner(identity: identity)
        uncached.cachesAppearances = false
        for (document, reason) in [(fixtures.contract, "Approved"), (other, "Approved"), (fixtures.contract, "Approved"),
                                   (fixtures.contract, "Reviewed")] {
            let fromCache = try cached.sign(document, request: request(reason))
            let fresh = try uncached.sign(document, request: request(reason))
            #expect(fromCache == fresh)
        }
        let file = try fixtures.write(try cached.sign(fixtures.contract, request: request()), "appearance-cached.pdf")
        try Judges.pdfsig(file, signatures: 1)
        try Judges.qpdf(file)
    }

    @Test func distinctDocumentsGetDistinctAppearances() throws {
        let identity = try fixtures.identity(.rsa(2048))
        let signer = try PDFSigner(identity: identity)
        let other = try SigningFixtures.makeContract(party: "Initech GmbH")
        func appearance(_ signed: [UInt8]) throws -> [UInt8] {
            let document = try PDFDocument(bytes: signed)
            let field = try #require(try document.formFields().first { $0.name == "sig_customer" })
            let appearance = try #require(try document.resolve(field.dictionary["AP"]?.dictionaryValue?["N"] ?? .null).streamValue)
            // The widget draws the signer's layer and the document's layer (date, reason, id).
            let layers = try #require(appearance.dictionary["Resources"]?.dictionaryValue?["XObject"]?.dictionaryValue)
            let layer = try #require(try document.resolve(layers["Document"] ?? .null).streamValue)
            return try document.decodedData(of: layer)
        }
        let first = try appearance(try signer.sign(fixtures.contract, request: request()))
        let second = try appearance(try signer.sign(other, request: request()))
        #expect(first != second, "the signature id differs, so the document's layer does")
        #expect(try appearance(try signer.sign(fixtures.contract, request: request())) == first)
    }

    @Test func layersCarryEachFontOnce() throws {
        let signer = try PDFSigner(identity: try fixtures.identity(.rsa(2048)))
        for _ in 0..<2 {  // the signer's layer typeset, then from the cache
            let document = try PDFDocument(bytes: try signer.sign(fixtures.contract, request: request()))
            var baseFonts: [String] = []
            for reference in try #require(document.revisions.last).definedObjects {
                guard case .dictionary(let font) = try document.object(reference), font["Subtype"] == .name("Type0"),
                      let name = font["BaseFont"]?.nameValue else { continue }
                baseFonts.append(name.description)
            }
            #expect(baseFonts.count == 3, "Dancing Script, Liberation Sans Bold and Regular: \(baseFonts)")
            #expect(Set(baseFonts).count == baseFonts.count, "the id line uses the signer layer's font: \(baseFonts)")
        }
    }

    /// Every detail line — "Digitally signed by", date, reason and the id — lies inside the
    /// widget, in Liberation Sans, however long the name and reason (the type shrinks to fit).
    /// The template's `sig_customer` widget is 216 × 50.4 pt.
    @Test(arguments: [nil, "Approved", "Agreed to the terms of service and the order form"])
    func everyDetailLineFitsTheWidget(reason: String?) throws {
        let signer = try PDFSigner(identity: try fixtures.identity(.rsa(2048)))
        let name = "Maximiliane Featherstonehaugh-Worthington"
        for _ in 0..<2 {  // typeset, then from the cache
            let document = try PDFDocument(bytes: try signer.sign(fixtures.contract, request: SignatureRequest(
                placement: .field("sig_customer"), signerName: name, reason: reason, signingTime: time)))
            let field = try #require(try document.formFields().first { $0.name == "sig_customer" })
            let appearance = try #require(try document.resolve(field.dictionary["AP"]?.dictionaryValue?["N"] ?? .null).streamValue)
            let height = try #require(appearance.dictionary["BBox"]?.arrayValue?.last?.doubleValue)
            let layers = try #require(appearance.dictionary["Resources"]?.dictionaryValue?["XObject"]?.dictionaryValue)
            var lowest = 0.0
            for layerName in ["Signer", "Document"] as [PDFName] {
                let layer = try #require(try document.resolve(layers[layerName] ?? .null).streamValue)
                let content = String(decoding: try document.decodedData(of: layer), as: UTF8.self)
                // The typesetter draws top-down: `1 0 0 -1 X Y Tm` puts a baseline Y below the top.
                var size = 0.0
                for line in content.split(separator: "\n") {
                    let words = line.split(separator: " ")
                    if words.last == "Tf", words.count == 3 { size = Double(words[1]) ?? 0 }
                    if words.last == "Tm", words.count == 7, let baseline = Double(words[5]) {
                        lowest = max(lowest, baseline + 0.212 * size)  // Liberation Sans' descent
                    }
                }
                if layerName == "Document" {
                    let fonts = try #require(layer.dictionary["Resources"]?.dictionaryValue?["Font"]?.dictionaryValue)
                    #expect(fonts.count == 1)
                    for (_, font) in fonts {
                        let base = try document.resolve(font).dictionaryValue?["BaseFont"]?.nameValue?.description ?? ""
                        #expect(base.hasSuffix("+LiberationSans"), "the id line is set in \(base)")
                    }
                }
            }
            #expect(lowest > 0)
            #expect(lowest <= height, "the lowest detail line ends \(lowest) pt down a \(height) pt widget")
        }
    }
}

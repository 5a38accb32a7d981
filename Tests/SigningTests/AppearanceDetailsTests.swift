import CountersignCrypto
import Foundation
import PDFReader
import PDFSyntax
import Rendering
@testable import Signing
import TestSupport
import Testing
import Typesetting

/// What a reader notices in a visible signature: a box too small for legible text is refused
/// (or signed with a warning), the typed mark sits on the signature line and follows the box's
/// size, the date keeps "UTC" on its line, the location is shown, and the words follow the
/// document's language.
@Suite struct AppearanceDetailsTests {
    let fixtures = SigningFixtures.shared
    let time = Date(timeIntervalSince1970: 1_768_000_000)

    private func contract(language: String) throws -> [UInt8] {
        var info = DocumentInfo()
        info.language = language
        info.date = "2026-01-15"
        let spec = DocumentSpec(page: .letter, body: [.paragraph(Paragraph(runs: [.plain("Contrat.")], style: ParagraphStyle()))],
                                info: info)
        return try DocumentFinisher().finish(try Typesetter().typeset(spec), info: info)
    }

    private func text(_ bytes: [UInt8]) throws -> String {
        let url = try fixtures.write(bytes, "appearance.pdf")
        return try runCommand("pdftotext", ["-layout", url.path, "-"]).stdout
    }

    /// The signed widget's signer layer (the mark and the signer's lines) and its fonts.
    private func signerLayer(_ bytes: [UInt8]) throws -> (PDFDocument, PDFStream, PDFDictionary) {
        let document = try PDFDocument(bytes: bytes)
        let field = try #require(try document.formFields().first { $0.isSigned })
        let appearance = try #require(try document.resolve(field.dictionary["AP"]?.dictionaryValue?["N"] ?? .null).streamValue)
        let layers = try #require(appearance.dictionary["Resources"]?.dictionaryValue?["XObject"]?.dictionaryValue)
        let layer = try #require(try document.resolve(layers["Signer"] ?? .null).streamValue)
        return (document, layer, try #require(layer.dictionary["Resources"]?.dictionaryValue?["Font"]?.dictionaryValue))
    }

    @Test func aBoxTooSmallForLegibleTextIsRefusedUnlessForced() throws {
        let signer = try PDFSigner(identity: try fixtures.identity(.rsa(2048)))
        var request = SignatureRequest(placement: .rectangle(page: 1, x: 72, y: 72, width: 60, height: 15), signingTime: time)
        #expect(throws: SigningError(.appearanceTooSmall, "")) { try signer.sign(PDFBytes(fixtures.contract), request: request) }
        do {
            _ = try signer.sign(PDFBytes(fixtures.contract), request: request)
        } catch let error as SigningError {
            #expect(error.reason.contains("60.0 × 15.0 pt") && error.reason.contains("--force"), "\(error.reason)")
        }
        request.allowIllegibleAppearance = true
        let signed = try signer.sign(PDFBytes(fixtures.contract), request: request)
        #expect(signed.warnings.count == 1 && signed.warnings[0].contains("signed anyway"))
        // A box of ordinary size signs with no warning.
        let normal = try signer.sign(PDFBytes(fixtures.contract), request: SignatureRequest(placement: .field("sig_customer"),
                                                                                           signingTime: time))
        #expect(normal.warnings.isEmpty)
    }

    /// Rectangles no page can show are refused with the reason, never drawn (a width past
    /// pango's 32-bit units trapped the process) and never written as `/Rect [0 72 0 122]`.
    @Test func rectanglesNoPageCanShowAreRefused() throws {
        let signer = try PDFSigner(identity: try fixtures.identity(.rsa(2048)))
        let cases: [(Double, Double, Double, Double, String)] = [
            (72, 72, 1e8, 50, "at most 14400 units a side"), (72, 72, 200, 1e25, "at most 14400 units a side"),
            (.nan, 72, 200, 50, "not finite"), (72, 72, .infinity, 50, "not finite"),
            (2000, 2000, 200, 50, "is off page 1"), (1e300, 72, 200, 50, "is off page 1"), (72, 72, 0, 50, "positive width"),
        ]
        for (x, y, width, height, reason) in cases {
            do {
                _ = try signer.sign(PDFBytes(fixtures.contract), request: SignatureRequest(
                    placement: .rectangle(page: 1, x: x, y: y, width: width, height: height), signingTime: time))
                Issue.record("signed at \(x), \(y), \(width) × \(height)")
            } catch let error as SigningError {
                #expect(error.code == .badPlacement && error.reason.contains(reason), "\(error.reason)")
            }
        }
        // An anchored box of negative or absurd size, or off the page.
        for (offsetX, width, reason) in [(0.0, -200.0, "positive width"), (0, 1e9, "at most 14400"), (1e300, 200, "is off page 1")] {
            do {
                _ = try signer.sign(PDFBytes(fixtures.contract), request: SignatureRequest(
                    placement: .anchor(text: "Sign here", occurrence: 1, offsetX: offsetX, offsetY: -50, width: width, height: 45),
                    signingTime: time))
                Issue.record("signed an anchored box \(width) wide at offset \(offsetX)")
            } catch let error as SigningError {
                #expect(error.code == .badPlacement && error.reason.contains(reason), "\(error.reason)")
            }
        }
        // An existing field whose /Rect is larger than any page: refused, naming the field.
        let document = try PDFDocument(bytes: fixtures.contract)
        let field = try #require(try document.formFields().first { $0.name == "sig_customer" })
        let widget = try #require(field.widgets.first?.reference ?? field.reference)
        var dictionary = try #require(try document.resolve(.reference(widget)).dictionaryValue)
        dictionary["Rect"] = PDFObject.array([.integer(72), .integer(72), .integer(100_000_072), .integer(122)])
        var update = IncrementalUpdate(document: document)
        update.set(widget, .dictionary(dictionary))
        let huge = update.write().bytes
        do {
            _ = try signer.sign(PDFBytes(huge), request: SignatureRequest(placement: .field("sig_customer"), signingTime: time))
            Issue.record("signed a field 100 million units wide")
        } catch let error as SigningError {
            #expect(error.code == .badPlacement && error.reason.contains("field 'sig_customer' has /Rect"), "\(error.reason)")
        }
    }

    /// Pages that share one indirect `/Annots` array: a widget added for one page must not show
    /// on the others (it was added to the shared array, so the box appeared on every page).
    @Test func aSharedAnnotsArrayIsNotWidenedToOtherPages() throws {
        var info = DocumentInfo()
        info.title = "Shared annotations"
        let spec = DocumentSpec(page: .letter, body: [.paragraph(Paragraph(runs: [.plain("One")], style: ParagraphStyle())), .pageBreak,
                                                      .paragraph(Paragraph(runs: [.plain("Two")], style: ParagraphStyle()))], info: info)
        let plain = try DocumentFinisher().finish(try Typesetter().typeset(spec), info: info)
        let document = try PDFDocument(bytes: plain)
        let pages = try document.pages()
        #expect(pages.count == 2)
        var update = IncrementalUpdate(document: document)
        let shared = update.add(PDFObject.array([]))
        for page in pages {
            var dictionary = page.dictionary
            dictionary["Annots"] = .reference(shared)
            update.set(page.reference, .dictionary(dictionary))
        }
        let input = update.write().bytes
        let signer = try PDFSigner(identity: try fixtures.identity(.rsa(2048)))
        let first: [UInt8] = try signer.sign(input, request: SignatureRequest(
            placement: .rectangle(page: 1, x: 72, y: 300, width: 200, height: 60), signingTime: Date()))
        let second: [UInt8] = try signer.sign(first, request: SignatureRequest(
            placement: .rectangle(page: 2, x: 72, y: 300, width: 200, height: 60), signingTime: Date()))
        let signed = try PDFDocument(bytes: second)
        let annotations: [[PDFObject]] = try signed.pages().map { page in
            try signed.resolve(page.dictionary["Annots"] ?? PDFObject.array([])).arrayValue ?? []
        }
        #expect(annotations.map(\.count) == [1, 1], "each page shows its own widget only: \(annotations)")
        #expect(annotations[0] != annotations[1])
        // Each page's own array is an allowed change after the first signature: to our verifier
        // and to pyHanko's difference analysis.
        let file = try fixtures.write(second, "shared-annots.pdf")
        let verdict = try runCommand(TestEnvironment.countersignExecutable.path, ["verify", file.path, "--trust", fixtures.caFile.path])
        #expect(verdict.status == 0 && verdict.stdout.contains("PASSED"), "\(verdict.stdout)")
        _ = try Judges.pyhanko(file, trust: fixtures.caFile, signatures: 2)
    }

    /// On a page turned by /Rotate, an anchored signature goes below the text as displayed and
    /// its appearance is turned to read upright (it was drawn sideways, beside the text).
    @Test(arguments: [90, 180, 270])
    func anchoredSignaturesOnTurnedPagesReadUpright(rotation: Int) throws {
        let document = try PDFDocument(bytes: fixtures.contract)
        let page = try #require(try document.pages().first)
        var dictionary = page.dictionary
        dictionary["Rotate"] = .integer(rotation)
        var update = IncrementalUpdate(document: document)
        update.set(page.reference, .dictionary(dictionary))
        let turned = update.write().bytes
        let signer = try PDFSigner(identity: try fixtures.identity(.rsa(2048)))
        let signed: [UInt8] = try signer.sign(turned, request: SignatureRequest(
            placement: .anchor(text: "Sign here", occurrence: 1, offsetX: 0, offsetY: -50, width: 200, height: 45), signingTime: time))
        let result = try PDFDocument(bytes: signed)
        let resultPage = try #require(try result.pages().first)
        let field = try #require(try result.formFields().first { $0.name == "Signature1" })
        let rect = try #require(field.widgets.first?.rect)
        let geometry = PageGeometry(resultPage)
        let box = geometry.displayed(x0: rect.x0, y0: rect.y0, x1: rect.x1, y1: rect.y1)
        #expect(abs(box.width - 200) < 0.01 && abs(box.height - 45) < 0.01, "displayed \(box)")
        let reader = try DocumentReader(bytes: turned)
        let anchor = try #require(reader.find(text: "Sign here", caseSensitive: true).first)
        let text = geometry.displayed(x0: anchor.rect.minX, y0: anchor.rect.minY, x1: anchor.rect.maxX, y1: anchor.rect.maxY)
        #expect(abs(box.x - text.x) < 0.01 && abs(box.y - (text.y - 50)) < 0.01, "below the text as displayed: \(box) vs \(text)")
        let widgetReference = try #require(field.widgets.first?.reference)
        let widget = try #require(try result.resolve(.reference(widgetReference)).dictionaryValue)
        let normal = try #require(try result.resolve(widget["AP"] ?? .null).dictionaryValue)
        let appearance = try result.resolve(normal["N"] ?? .null)
        guard case .stream(let form) = appearance else { Issue.record("no appearance stream"); return }
        let expected: [PDFObject] = switch rotation {
        case 90: [0, 1, -1, 0, 0, 0]
        case 180: [-1, 0, 0, -1, 0, 0]
        default: [0, -1, 1, 0, 0, 0]
        }
        #expect(form.dictionary["Matrix"] == PDFObject.array(expected))
    }

    @Test func theTypedMarkSitsOnTheLineAndScalesWithTheBox() throws {
        let signer = try PDFSigner(identity: try fixtures.identity(.rsa(2048), name: "Ana Ruiz"))
        func mark(height: Double) throws -> (size: Double, baseline: Double) {
            let bytes = try signer.sign(fixtures.contract, request: SignatureRequest(
                placement: .rectangle(page: 1, x: 72, y: 300, width: 300, height: height), signingTime: time))
            let (document, layer, fonts) = try signerLayer(bytes)
            let script = try #require(fonts.first { (try? document.resolve($0.value).dictionaryValue?["BaseFont"]?.nameValue?
                .description.contains("DancingScript")) == true }?.key)
            // The mark's run: `/F Tf` with the script font, then `1 0 0 -1 X Y Tm` (Y down from the top).
            let lines = String(decoding: try document.decodedData(of: layer), as: UTF8.self).split(separator: "\n")
            var size = 0.0, inScript = false
            for line in lines {
                let words = line.split(separator: " ")
                if words.last == "Tf", words.count == 3 {
                    inScript = words[0] == "/\(script.description.dropFirst())" || words[0] == "\(script)"
                    size = Double(words[1]) ?? 0
                }
                if inScript, words.last == "Tm", words.count == 7, let y = Double(words[5]) { return (size, y) }
            }
            Issue.record("no typed mark in \(lines)")
            return (0, 0)
        }
        let low = try mark(height: 40), high = try mark(height: 80)
        #expect(high.size > low.size * 1.3, "the mark grows with the box: \(low.size) → \(high.size)")
        // The baseline is in the lower part of the box: on the signature line, not at the top.
        #expect(low.baseline > 40 * 0.6 && low.baseline < 40, "baseline \(low.baseline) of 40")
        #expect(high.baseline > 80 * 0.6 && high.baseline < 80, "baseline \(high.baseline) of 80")
    }

    @Test(arguments: SignatureFont.allCases)
    func theTypedMarkIsInTheChosenScript(_ font: SignatureFont) throws {
        let signer = try PDFSigner(identity: try fixtures.identity(.rsa(2048), name: "Ana Ruiz"))
        let bytes = try signer.sign(fixtures.contract, request: SignatureRequest(
            placement: .rectangle(page: 1, x: 72, y: 300, width: 300, height: 60), mark: .typedName("Agnès Łaska", font: font),
            signingTime: time))
        let (document, _, fonts) = try signerLayer(bytes)
        let names = fonts.compactMap { try? document.resolve($0.value).dictionaryValue?["BaseFont"]?.nameValue?.description }
        let scripts = SignatureFont.allCases.map { $0.family.replacingOccurrences(of: " ", with: "") }
        let chosen = font.family.replacingOccurrences(of: " ", with: "")
        #expect(names.contains { $0.contains("+" + chosen) }, "\(names)")
        #expect(!names.contains { name in scripts.contains { $0 != chosen && name.contains($0) } }, "only the chosen script: \(names)")
    }

    @Test func dateLocationAndLanguage() throws {
        let signer = try PDFSigner(identity: try fixtures.identity(.rsa(2048)))
        let english = try text(try signer.sign(fixtures.contract, request: SignatureRequest(
            placement: .rectangle(page: 1, x: 72, y: 300, width: 190, height: 60), location: "Madrid", signingTime: time)))
        #expect(english.contains("Location: Madrid"), "\(english)")
        let dateLine = try #require(english.split(separator: "\n").first { $0.contains("Date:") })
        #expect(dateLine.contains("UTC"), "UTC stays on the date's line: \(english)")

        let french = try text(try signer.sign(try contract(language: "fr-FR"), request: SignatureRequest(
            placement: .rectangle(page: 1, x: 72, y: 300, width: 260, height: 70), reason: "Accord", location: "Lyon",
            signingTime: time)))
        #expect(french.contains("Signé numériquement par") && french.contains("Motif : Accord") == false
                && french.contains("Motif: Accord") && french.contains("Lieu: Lyon"), "\(french)")
        #expect(!french.contains("Digitally signed"))
    }

    @Test func theAuditPageKeepsHashesOnOneLineAndExplainsThePageCount() throws {
        let signer = try PDFSigner(identity: try fixtures.identity(.rsa(2048)))
        let trail = try AuditTrail.load(Data(contentsOf: TestEnvironment.fixtures.appendingPathComponent("audit-events.json")))
        let sealed = try text(try signer.sign(fixtures.contract, request: SignatureRequest(
            placement: .invisible(fieldName: nil), signingTime: time, audit: trail)))
        let rows = sealed.split(separator: "\n").filter { $0.contains(" UTC") && $0.contains("…") }
        #expect(rows.count == 9, "every event row holds its time and its hash on one line: \(sealed)")
        for row in rows { #expect(row.contains(/[0-9a-f]{16}…/), "\(row)") }
        #expect(sealed.contains(/Document SHA-256 \(before this\s+[0-9a-f]{64}/), "the document hash is on one line: \(sealed)")
        #expect(sealed.contains("this certificate follows as page 2"), "\(sealed)")
        #expect(sealed.contains("certificate page 1 of 2, after the document's 1 page"), "\(sealed)")
    }
}

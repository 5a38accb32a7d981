public import CountersignCrypto
public import Foundation
import PDFReader
public import PDFSyntax
public import Typesetting

/// Signs PDFs in one pass: a single incremental update holding the appearance, the optional
/// audit certificate page and attachment, and the signature dictionary with a `/Contents`
/// placeholder sized from the key and chain; then the two byte ranges are hashed, signed, and
/// the signature patched in place.
///
/// The key is parsed once per signer; the typesetter (fonts) is loaded once, when first needed. Not thread-safe:
/// make one per worker.
public final class PDFSigner {
    public let cms: CMSSigner
    public let timestampClient: TimestampClient?
    /// Loaded on first use: an invisible signature without an audit page draws nothing, so it
    /// needs no fonts (and no pango) at all.
    private var loadedTypesetter: Typesetter?
    private var loadedAppearances: AppearanceCache?
    private var cachesAppearancesSetting = true
    /// Whether visible appearances come from the per-signer cache (see `AppearanceCache`); off,
    /// each is typeset and imported. For tests.
    var cachesAppearances: Bool {
        get { cachesAppearancesSetting }
        set {
            cachesAppearancesSetting = newValue
            loadedAppearances?.caches = newValue
        }
    }

    /// Off, an input whose structure is ambiguous is signed as it is (read `.strictPerRevision`)
    /// instead of being rewritten first or refused: what a careless signing tool does. For tests.
    var preparesInput = true

    /// How B-LT and B-LTA signatures gather their validation data (fetch timeouts, `/VRI`);
    /// its `timestampClient` is replaced by this signer's.
    public var longTerm = LongTermExtender()

    /// A signer for `identity`. The typesetter (fonts) is loaded when a visible appearance or an
    /// audit page is first drawn, or `typesetter` is used.
    public init(identity: SigningIdentity, options: CMSSigner.Options = CMSSigner.Options(),
                timestampClient: TimestampClient? = nil, typesetter: Typesetter? = nil) throws {
        cms = try CMSSigner(identity: identity, options: options)
        self.timestampClient = timestampClient
        loadedTypesetter = typesetter
    }

    private func typesetter() throws -> Typesetter {
        if let loadedTypesetter { return loadedTypesetter }
        let typesetter = try Typesetter()
        loadedTypesetter = typesetter
        return typesetter
    }

    private func appearances() throws -> AppearanceCache {
        if let loadedAppearances { return loadedAppearances }
        let cache = AppearanceCache(typesetter: try typesetter())
        cache.caches = cachesAppearancesSetting
        loadedAppearances = cache
        return cache
    }

    /// Signs a file's bytes and returns the signed file's bytes.
    public func sign(_ input: [UInt8], request: SignatureRequest) throws -> [UInt8] {
        let signed = try sign(PDFBytes(input), request: request)
        return signed.original.array + signed.appended
    }

    /// Signs a file without reading it into memory: the input is mapped, the original bytes are
    /// hashed and copied from the map, and the output is written atomically.
    /// Returns where the time went (the write and sync phases included) and what was noticed.
    @discardableResult
    public func sign(file input: URL, to output: URL, request: SignatureRequest) throws -> FileSummary {
        let signed = try sign(try PDFBytes(mappingFile: input.path), request: request)
        let written = try AtomicFile.write(parts: [signed.original, signed.appended], to: output)
        var timings = signed.timings
        timings.write = written.write
        timings.sync = written.sync
        return FileSummary(timings: timings, notices: signed.notices, notes: signed.notes)
    }

    /// What signing one file to another did besides signing.
    public struct FileSummary: Sendable {
        /// Parse, build, hash, sign, write and sync times.
        public var timings: SigningTimings
        /// What was done to the input before signing (a clean rewrite of an ambiguous file), for people.
        public var notices: [String]
        /// Harmless deviations the input's structure shows (kept as they are: the update appends).
        public var notes: [PDFNote]
    }

    /// A signed file: the original bytes, untouched, then the signing revision.
    public struct SignedFile: Sendable {
        public var original: PDFBytes
        public var appended: [UInt8]
        public var count: Int { original.count + appended.count }
        /// The SHA-256 of the whole signed file, when asked for with `fileSHA256`.
        public var sha256: [UInt8]?
        /// Parse, build, hash and sign times for this document.
        public var timings: SigningTimings
        /// What was accepted although it is not right (a box too small for legible text, with
        /// `allowIllegibleAppearance`); for the caller to show.
        public var warnings: [String] = []
        /// What was done to the input before signing: empty, or the notice that an unsigned file
        /// with ambiguous structure was rewritten cleanly and the rewrite signed (`original` is then
        /// the rewrite, not the input).
        public var notices: [String] = []
        /// Harmless deviations in the signed document's structure (docs/robustness.md).
        public var notes: [PDFNote] = []
    }

    /// Signs bytes (mapped or in memory) and returns the original plus the appended revision.
    /// With `fileSHA256`, the SHA-256 of the whole output comes too, from the same pass over the
    /// bytes that the signature's digest reads (they share everything before `/Contents`).
    public func sign(_ input: PDFBytes, request: SignatureRequest, fileSHA256: Bool = false) throws -> SignedFile {
        var clock = Stopwatch()
        var timings = SigningTimings()
        timings.documents = 1
        let profile = request.profile
        if profile.isTimestamped, timestampClient == nil {
            throw SigningError(.timestampRequired, "the \(profile.rawValue) profile needs a time-stamp authority (--tsa URL)")
        }
        let subFilter: PDFName = profile == .pkcs7 ? "adbe.pkcs7.detached" : "ETSI.CAdES.detached"
        if (profile == .pkcs7) != (cms.options.profile == .pkcs7) {
            throw SigningError(.badPlacement, "the CMS options' profile (\(cms.options.profile)) does not match \(profile.rawValue)")
        }
        let prepared = try InputPreparation(input, password: request.documentPassword, asIs: !preparesInput)
        let document = prepared.document
        let fields = try document.formFields()
        if let encryption = document.encryption {
            try Self.checkPermissions(encryption, request: request, emptySignatureFields: fields.unsignedSignatureFieldNames)
        }
        // The bytes signed: the input, or its clean rewrite.
        let input = document.bytes
        let signed = fields.filter(\.isSigned)
        if let trail = request.audit {
            let problems = trail.problems(signatureFields: fields.filter { $0.kind == .signature }.map(\.name))
            if !problems.isEmpty {
                throw SigningError(.badAudit, "audit events do not match this document: " + problems.joined(separator: "; "))
            }
        }
        if request.audit != nil, !signed.isEmpty {
            throw SigningError(.auditAfterSignature, "an audit page cannot be added after \(signed.count) existing signature(s): new pages would invalidate them; add the audit page with the first signature (the seal)")
        }
        if request.certification != nil, !signed.isEmpty {
            throw SigningError(.certificationNotFirst, "only the first signature can certify a document (DocMDP); this one already has \(signed.count)")
        }
        if let level = try docMDPLevel(document), level == 1 {
            throw SigningError(.certificationNotFirst, "the document is certified with 'no changes allowed' (DocMDP P=1); another signature would break the certification")
        }
        var editor = try FormEditor(document: document)
        let pages = try document.pages()
        timings.parse = clock.lap()

        // The original bytes are hashed once, straight from the map: for the signature's digest,
        // and (SHA-256) for the audit record and the output's SHA-256, which share this prefix.
        var cpu = threadCPUSeconds()
        var hashes = RangeHashes(signature: cms.options.digest,
                                 sha256: fileSHA256 || request.audit != nil)
        hashes.update(input)
        timings.hashedBytes = input.count
        timings.hash = clock.lap()
        timings.hashCPU = threadCPUSeconds() - cpu
        let signerName = request.signerName ?? cms.identity.certificate.commonName ?? "Unknown signer"
        var warnings: [String] = []
        // A short id shown in the appearance: signer, time and the document's identity (its /ID,
        // size and newest xref offset) — not a hash of the content, which would read a large file twice.
        var idHasher = Digest(.sha256)
        let identity = [cms.identity.certificate.sha256Fingerprint, AuditTime.iso(request.signingTime),
                        String(input.count), String(document.revisions.last?.xrefOffset ?? 0),
                        document.trailer["ID"].map { ObjectSerializer.serialize($0) }.map { String(decoding: $0, as: UTF8.self) } ?? ""]
        idHasher.update(Array(identity.joined(separator: "|").utf8))
        let signatureID = idHasher.finalize().hexString.prefix(SignatureAppearance.signatureIDLength).uppercased()

        // Audit certificate page(s) and the machine-readable record, in this same revision.
        if let trail = request.audit {
            try addAudit(trail, to: &editor, document: document, pages: pages,
                         documentSHA256: hashes.sha256SoFar(), time: request.signingTime)
        }

        // The field and its widget.
        let target = try resolvePlacement(request.placement, document: document, fields: fields, pages: pages,
                                          editor: &editor)
        var fieldDictionary = target.fieldDictionary
        if let rect = target.rect, rect.width > 0, rect.height > 0 {
            let language = try document.resolve(try document.catalog(), "Lang")?.stringValue?.text
            let context = AppearanceCache.Context(reason: request.reason, location: request.location, language: language,
                                                  allowIllegible: request.allowIllegibleAppearance)
            // On a page turned a quarter, the box's displayed width is its height in user space.
            let turned = target.rotation % 180 == 90
            let (form, warning) = try appearances().appearance(width: turned ? rect.height : rect.width,
                                                               height: turned ? rect.width : rect.height, rotation: target.rotation,
                                                               mark: request.mark ?? .typedName(signerName, font: request.typedNameFont), signerName: signerName,
                                                               date: request.signingTime, context: context,
                                                               signatureID: String(signatureID), into: &editor.update)
            if let warning { warnings.append(warning) }
            if target.widgetReference == target.fieldReference {
                fieldDictionary["AP"] = .dictionary(["N": .reference(form)])
            } else if let widgetReference = target.widgetReference,
                      case .dictionary(var widget) = try document.object(widgetReference) {
                widget["AP"] = .dictionary(["N": .reference(form)])
                editor.update.set(widgetReference, .dictionary(widget))
            }
        }
        // Reserved last, so the signature dictionary is written after every other new object:
        // the bytes after `/Contents` (hashed for the signature and again for the file's SHA-256)
        // are then only its tail, the xref section and the trailer.
        let signatureReference = editor.update.reserve()
        fieldDictionary["V"] = .reference(signatureReference)
        editor.update.set(target.fieldReference, .dictionary(fieldDictionary))
        editor.acroForm["SigFlags"] = 3

        // The signature dictionary, with placeholders.
        let placeholderBytes = cms.maximumSignatureSize(timestamped: profile.isTimestamped)
        var signature: PDFDictionary = [
            "Type": .name("Sig"), "Filter": .name("Adobe.PPKLite"), "SubFilter": .name(subFilter),
            "ByteRange": .array([0] + Array(repeating: .integer(Self.byteRangePlaceholder), count: 3)),
            "Contents": .string(PDFString(bytes: [UInt8](repeating: 0, count: placeholderBytes), syntax: .hex)),
            "M": .string(PDFString(text: PDFDateFormat.string(request.signingTime))),
            "Name": .string(PDFString(text: signerName)),
        ]
        if let reason = request.reason { signature["Reason"] = .string(PDFString(text: reason)) }
        if let location = request.location { signature["Location"] = .string(PDFString(text: location)) }
        if let contact = request.contactInfo { signature["ContactInfo"] = .string(PDFString(text: contact)) }
        signature["Prop_Build"] = .dictionary(["App": .dictionary(["Name": .name("Countersign")])])
        if let certification = request.certification {
            signature["Reference"] = .array([.dictionary([
                "Type": .name("SigRef"), "TransformMethod": .name("DocMDP"),
                "TransformParams": .dictionary(["Type": .name("TransformParams"),
                                                "P": .integer(certification.permissionLevel), "V": .name("1.2")]),
            ])])
            editor.catalog["Perms"] = .dictionary(["DocMDP": .reference(signatureReference)])
        }
        editor.update.set(signatureReference, .dictionary(signature))
        try editor.commit()

        // One pass: write, hash the two ranges (the original straight from the map), sign, patch.
        let output = try editor.update.makeOutput()
        let base = output.original.count
        let located = try PlaceholderLocator.patchedByteRange(in: output, signature: signatureReference)
        let placeholder = located.locator
        var appended = located.appended
        timings.build = clock.lap()

        cpu = threadCPUSeconds()
        let prefix = placeholder.contentsStart - base
        appended.withUnsafeBytes { hashes.update(UnsafeRawBufferPointer(rebasing: $0[0..<prefix])) }
        var fileHash = fileSHA256 ? hashes.forkSHA256() : Digest(.sha256)
        appended.withUnsafeBytes { hashes.update(UnsafeRawBufferPointer(rebasing: $0[(placeholder.contentsEnd - base)...])) }
        let digest = hashes.finalizeSignature()
        timings.hashedBytes += appended.count - (placeholder.contentsEnd - placeholder.contentsStart)
        timings.hash += clock.lap()
        timings.hashCPU += threadCPUSeconds() - cpu

        var signatureDER = try cms.sign(digest: digest, signingTime: request.signingTime)
        if profile.isTimestamped, let timestampClient {
            let token = try timestampClient.timestampToken(forSignature: try CMSSigner.signatureValue(of: signatureDER))
            signatureDER = try CMSSigner.addTimestampToken(token, to: signatureDER)
        }
        try placeholder.patchContents(signatureDER, in: &appended)
        if let level = profile.longTermLevel {
            // The signature is fresh: a revoked certificate in its chain is an error, not data.
            var extender = longTerm
            extender.timestampClient = timestampClient
            appended += try extender.extend(PDFBytes(output.original.array + appended), to: level, refusesRevoked: true,
                                         password: request.documentPassword).appended
        }
        timings.sign = clock.lap()

        var sha256: [UInt8]? = nil
        if fileSHA256, profile.longTermLevel != nil {
            // The validation data and archive timestamp came after the fork: hash the whole file.
            var whole = Digest(.sha256)
            output.original.withUnsafeBytes { whole.update($0) }
            appended.withUnsafeBytes { whole.update($0) }
            sha256 = whole.finalize()
            timings.hashedBytes += output.original.count + appended.count
        } else if fileSHA256 {
            cpu = threadCPUSeconds()
            appended.withUnsafeBytes { fileHash.update(UnsafeRawBufferPointer(rebasing: $0[prefix...])) }
            sha256 = fileHash.finalize()
            timings.hashedBytes += appended.count - prefix
            timings.hash += clock.lap()
            timings.hashCPU += threadCPUSeconds() - cpu
        }
        return SignedFile(original: output.original, appended: appended, sha256: sha256, timings: timings, warnings: warnings,
                          notices: prepared.notices, notes: document.notes)
    }

    /// A ten-digit number the serializer writes verbatim, replaced once the offsets are known.
    static let byteRangePlaceholder = 9_999_999_999

    /// The DocMDP permission level of an existing certification signature, if any.
    private func docMDPLevel(_ document: PDFDocument) throws -> Int? {
        guard let perms = try document.resolve(try document.catalog(), "Perms")?.dictionaryValue,
              let signature = try document.resolve(perms, "DocMDP")?.dictionaryValue,
              let references = try document.resolve(signature, "Reference")?.arrayValue else { return nil }
        for reference in references {
            guard let dictionary = try document.resolve(reference).dictionaryValue,
                  dictionary["TransformMethod"] == .name("DocMDP") else { continue }
            let parameters = try document.resolve(dictionary, "TransformParams")?.dictionaryValue
            return try parameters.flatMap { try document.resolve($0, "P")?.intValue } ?? 2
        }
        return nil
    }

    // MARK: Placement

    struct Target {
        var fieldReference: PDFReference
        var fieldDictionary: PDFDictionary
        var widgetReference: PDFReference?
        var rect: PDFRect?
        /// The widget's page's `/Rotate` (degrees clockwise): the appearance is turned to stand
        /// upright as the page is displayed.
        var rotation = 0
    }

    private func resolvePlacement(_ placement: SignaturePlacement, document: PDFDocument, fields: [PDFFormField],
                                  pages: [PDFPage], editor: inout FormEditor) throws -> Target {
        switch placement {
        case .field(let name):
            guard let field = fields.first(where: { $0.name == name }) else {
                let available = fields.unsignedSignatureFieldNames
                throw SigningError(.fieldNotFound, "no field named '\(name)'" + (available.isEmpty
                    ? "; the document has no unsigned signature fields (use --at or --anchor to create one)"
                    : "; unsigned signature fields: \(available.joined(separator: ", "))"))
            }
            guard field.kind == .signature else {
                throw SigningError(.notASignatureField, "field '\(name)' is a \(field.kind.rawValue) field, not a signature field")
            }
            guard !field.isSigned else {
                throw SigningError(.fieldAlreadySigned, "field '\(name)' is already signed; sign another field or create one with --at")
            }
            guard let reference = field.reference else {
                throw SigningError(.badPlacement, "field '\(name)' is a direct object; it cannot be updated incrementally")
            }
            let widget = field.widgets.first
            if let rect = widget?.rect, rect.width > Self.largestSide || rect.height > Self.largestSide {
                throw SigningError(.badPlacement, "field '\(name)' has /Rect \(rect), larger than any page can be "
                                   + "(\(Int(Self.largestSide)) units a side); sign with --at or --anchor instead, or fix the field")
            }
            let rotation = widget?.page.flatMap { $0 >= 1 && $0 <= pages.count ? PageGeometry(pages[$0 - 1]).rotation : nil } ?? 0
            return Target(fieldReference: reference, fieldDictionary: field.dictionary,
                          widgetReference: widget?.reference ?? reference, rect: widget?.rect, rotation: rotation)
        case .rectangle(let page, let x, let y, let width, let height):
            guard page >= 1, page <= pages.count else {
                throw SigningError(.badPlacement, "page \(page) does not exist; the document has \(pages.count) page(s)")
            }
            let rect = try Self.visibleRect(x: x, y: y, width: width, height: height, on: pages[page - 1], page: page)
            var target = try newField(on: pages[page - 1], rect: rect, name: nil, fields: fields, editor: &editor)
            target.rotation = PageGeometry(pages[page - 1]).rotation
            return target
        case .anchor(let text, let occurrence, let offsetX, let offsetY, let width, let height):
            let reader = try DocumentReader(bytes: document.bytes.array)
            let matches = reader.find(text: text, caseSensitive: true)
            guard occurrence >= 1, occurrence <= matches.count else {
                throw SigningError(.anchorNotFound, matches.isEmpty
                    ? "the anchor text '\(text)' does not occur in the document"
                    : "the anchor text '\(text)' occurs \(matches.count) time(s), not \(occurrence)")
            }
            // Offsets and size are on the page as displayed (its /Rotate applied): 0,-50 is below
            // the text as a reader sees it, on a turned page too.
            let match = matches[occurrence - 1]
            let page = pages[match.page - 1], geometry = PageGeometry(page)
            let anchor = geometry.displayed(x0: match.rect.minX, y0: match.rect.minY, x1: match.rect.maxX, y1: match.rect.maxY)
            guard [offsetX, offsetY, width, height].allSatisfy(\.isFinite) else {
                throw SigningError(.badPlacement, "the anchor's offset (\(offsetX), \(offsetY)) or size (\(width) × \(height)) has a number that is not finite")
            }
            guard width > 0, height > 0 else {
                throw SigningError(.badPlacement, "the signature rectangle needs a positive width and height")
            }
            let displayed = PageGeometry.Box(x: anchor.x + offsetX, y: anchor.y + offsetY, width: width, height: height)
            guard displayed.x < geometry.width, displayed.x + width > 0, displayed.y < geometry.height, displayed.y + height > 0 else {
                throw SigningError(.badPlacement, "the anchored signature (\(displayed.x), \(displayed.y), \(width) × \(height)) is off page "
                                   + "\(match.page), which shows \(geometry.width) × \(geometry.height); offsets go from the text, as displayed")
            }
            let box = geometry.user(displayed)
            let rect = try Self.visibleRect(x: box.x0, y: box.y0, width: box.width, height: box.height, on: page, page: match.page)
            var target = try newField(on: page, rect: rect, name: nil, fields: fields, editor: &editor)
            target.rotation = geometry.rotation
            return target
        case .invisible(let name):
            // The widget goes on the first page that is an object of its own (a page written
            // directly in /Kids cannot be named by /P); with none (every page direct, or a
            // document without pages), on no page: the field is in /Fields alone, which a widget
            // nobody sees may be.
            return try newField(on: pages.first { !$0.isDirect }, rect: PDFRect(x0: 0, y0: 0, x1: 0, y1: 0), name: name,
                                fields: fields, editor: &editor)
        }
    }

    /// The most units a side of a page may have (ISO 32000-2 Annex C: 14 400 at the default user
    /// unit); no visible signature can be larger.
    static let largestSide = 14_400.0

    /// A new visible signature's rectangle, checked: finite numbers, a positive size no larger
    /// than a page can be, and some of it on the page's visible area (its crop box) — otherwise
    /// the "visible" signature would show nowhere.
    static func visibleRect(x: Double, y: Double, width: Double, height: Double, on page: PDFPage, page number: Int) throws -> PDFRect {
        guard [x, y, width, height].allSatisfy(\.isFinite) else {
            throw SigningError(.badPlacement, "the signature rectangle (\(x), \(y), \(width) × \(height)) has a number that is not finite")
        }
        guard width > 0, height > 0 else {
            throw SigningError(.badPlacement, "the signature rectangle needs a positive width and height")
        }
        guard width <= largestSide, height <= largestSide else {
            throw SigningError(.badPlacement, "the signature rectangle is \(width) × \(height); a page is at most \(Int(largestSide)) units a side")
        }
        let rect = PDFRect(x0: x, y0: y, x1: x + width, y1: y + height)
        let visible = page.cropBox
        guard rect.x0 < visible.x1, rect.x1 > visible.x0, rect.y0 < visible.y1, rect.y1 > visible.y0 else {
            throw SigningError(.badPlacement, "the signature rectangle \(rect) is off page \(number), whose visible area (crop box) is "
                               + "\(visible); coordinates are in the page's user space, from its bottom-left corner")
        }
        return rect
    }

    private func newField(on page: PDFPage?, rect: PDFRect, name: String?, fields: [PDFFormField],
                          editor: inout FormEditor) throws -> Target {
        let existing = Set(fields.map(\.name))
        var fieldName = name ?? "Signature1"
        var counter = 1
        while existing.contains(fieldName) {
            if name != nil { throw SigningError(.badPlacement, "a field named '\(fieldName)' already exists") }
            counter += 1
            fieldName = "Signature\(counter)"
        }
        let reference = editor.update.reserve()
        var dictionary: PDFDictionary = [
            "Type": .name("Annot"), "Subtype": .name("Widget"), "FT": .name("Sig"),
            "T": .string(PDFString(text: fieldName)), "Rect": rect.pdfObject, "F": 132,
        ]
        try editor.addField(reference)
        if let page {
            dictionary["P"] = .reference(page.reference)
            try editor.addAnnotation(reference, to: page)
        }
        return Target(fieldReference: reference, fieldDictionary: dictionary, widgetReference: reference, rect: rect)
    }

    // MARK: Audit

    private func addAudit(_ trail: AuditTrail, to editor: inout FormEditor, document: PDFDocument, pages: [PDFPage],
                          documentSHA256: [UInt8], time: Date) throws {
        if let sent = trail.documentAsSent {
            // The certificate must not state a first revision the file does not have.
            let matches = sent.bytes > 0 && sent.bytes <= document.bytes.count && document.bytes.withUnsafeBytes {
                DigestAlgorithm.sha256.hash(UnsafeRawBufferPointer(rebasing: $0[..<sent.bytes])).hexString == sent.sha256
            }
            guard matches else {
                throw SigningError(.badAudit, "audit events: documentAsSent says the document begins with \(sent.bytes) bytes hashing to \(sent.sha256.prefix(16))…, but the document being signed (\(document.bytes.count) bytes) does not; state the length and SHA-256 of the bytes as sent only when this document begins with them, or leave documentAsSent out")
            }
        }
        let provenance = try document.metadata().entries
        var template: [String: String] = [:]
        template["id"] = provenance["CountersignTemplateID"]
        template["version"] = provenance["CountersignTemplateVersion"]
        template["sha256"] = provenance["CountersignTemplateSHA256"]
        let certificate = cms.identity.certificate
        let record = AuditRecord(trail: trail, documentSHA256: documentSHA256.hexString,
                                 documentPages: pages.count, template: template, sealSubject: certificate.subject,
                                 sealFingerprint: certificate.sha256Fingerprint.lowercased(), sealTime: time,
                                 timeSource: timestampClient.map { "RFC 3161 time-stamp authority \($0.url.absoluteString)" }
                                     ?? "signer's system clock (UTC)")
        let typesetter = try typesetter()
        let page = try typesetter.typeset(AuditCertificatePage.spec(AuditCertificatePage.printable(record, typesetter.coverage),
                                                                    page: Self.certificatePageSize(after: pages.first)))
        var importer = ObjectImporter(source: page.objects)
        guard let root = try document.catalog()["Pages"]?.referenceValue else {
            throw PDFError(.badPageTree, "the catalog's /Pages is not an indirect reference")
        }
        var added: [PDFReference] = []
        for number in 1...page.pageCount {
            added.append(try importer.importPage(number, parent: root, into: &editor.update))
        }
        try editor.appendPages(added, root: root)

        let json = [UInt8](record.json)
        let stream = editor.update.add(.stream(PDFStream(dictionary: [
            "Type": .name("EmbeddedFile"), "Subtype": .name("application/json"), "Filter": .name("FlateDecode"),
            "Params": .dictionary(["Size": .integer(json.count),
                                   "ModDate": .string(PDFString(text: PDFDateFormat.string(time)))]),
        ], encodedData: try Flate.encode(json))))
        let fileSpec = editor.update.add(.dictionary([
            "Type": .name("Filespec"), "F": .string(PDFString(text: "audit.json")),
            "UF": .string(PDFString(text: "audit.json")), "AFRelationship": .name("Supplement"),
            "Desc": .string(PDFString(text: "Countersign audit record (\(AuditRecord.schema))")),
            "EF": .dictionary(["F": .reference(stream), "UF": .reference(stream)]),
        ]))
        try editor.attach(fileSpec: fileSpec, name: "audit.json")
    }
}

extension PDFSigner {
    /// The Certificate of Completion's page size: the document's first page as a reader sees it
    /// (its crop box, turned by /Rotate) when the certificate's tables fit it — portrait, at
    /// least 540 pt wide and 640 pt tall — else A4, or Letter for a page closer to Letter's shape
    /// (A5 forms, receipts, landscape slides would otherwise squeeze the tables off the page).
    static func certificatePageSize(after first: PDFPage?) -> PageSetup {
        guard let first else { return .letter }
        let box = first.cropBox
        let (width, height) = first.rotation % 180 == 0 ? (box.width, box.height) : (box.height, box.width)
        if width >= 540, height >= 640, width <= height {
            return PageSetup(width: width, height: height, margins: 54)
        }
        let ratio = max(width, height) / max(1, min(width, height))
        let a4 = PageSetup.a4, letter = PageSetup.letter
        let closerToLetter = abs(ratio - letter.height / letter.width) < abs(ratio - a4.height / a4.width)
        return PageSetup(width: closerToLetter ? letter.width : a4.width, height: closerToLetter ? letter.height : a4.height, margins: 54)
    }
}

/// PDF dates for `/M`: `D:YYYYMMDDHHmmSSZ` in UTC.
enum PDFDateFormat {
    static func string(_ date: Date) -> String { AuditTime.pdf(date) }
}

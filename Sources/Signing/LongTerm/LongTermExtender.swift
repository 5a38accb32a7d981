public import CountersignCrypto
public import Foundation
public import PDFSyntax

/// The long-term levels a signed PDF can be raised to (EN 319 142-1 §6).
public enum LongTermLevel: String, Sendable, Hashable, CaseIterable {
    /// PAdES B-LT: the validation data of every signature and timestamp in the document's DSS.
    case lt
    /// PAdES B-LTA: B-LT plus a document timestamp over it (renewed by each later extension).
    case lta
}

/// Raises signed PDFs to PAdES B-LT or B-LTA, ours or another tool's (`sign --profile
/// pades-b-lt|pades-b-lta`, `countersign extend`): gathers the certificates, OCSP responses and
/// CRLs of every signature's and timestamp's chain (`RevocationFetcher`, bounded time), writes
/// them into the DSS as one incremental update and, for B-LTA, adds a document timestamp over
/// it as a second. Every earlier byte is kept, so every earlier signature stays valid.
public struct LongTermExtender: Sendable {
    /// Fetches OCSP responses and CRLs; each exchange bounded by its timeout.
    public var fetcher: RevocationFetcher
    /// The longest gathering the validation data of one document may take.
    public var budget: TimeInterval
    /// The TSA for the document timestamp (required for `.lta`).
    public var timestampClient: TimestampClient?
    /// Writes `/VRI` entries (deprecated by EN 319 142-1; some validators still look for them).
    public var includesVRI: Bool
    /// Certificates to build chains from besides those the document carries (the signer's
    /// chain file, a TSA's intermediate).
    public var extraCertificates: [Certificate]

    public init(fetcher: RevocationFetcher = RevocationFetcher(), budget: TimeInterval = 60,
                timestampClient: TimestampClient? = nil, includesVRI: Bool = false, extraCertificates: [Certificate] = []) {
        self.fetcher = fetcher
        self.budget = budget
        self.timestampClient = timestampClient
        self.includesVRI = includesVRI
        self.extraCertificates = extraCertificates
    }

    /// What extending one document did.
    public struct Extension: Sendable {
        /// The bytes to write after the input's: the DSS revision, then (B-LTA) the timestamp revision.
        public var appended: [UInt8]
        /// How many certificates, OCSP responses and CRLs the DSS received (new or already there).
        public var certificates: Int
        public var ocspResponses: Int
        public var crls: Int
        /// For people: certificates without revocation sources, revocations recorded, signatures
        /// without a signature timestamp.
        public var notes: [String]
    }

    /// Extends `input` to `level`. `refusesRevoked`: a revoked certificate is an error (when
    /// signing now) rather than data to record (when preserving an older signature).
    /// `password` opens an encrypted input (its user or owner password; empty: the usual empty
    /// user password); the DSS and the document timestamp are encrypted with the file's key.
    public func extend(_ input: PDFBytes, to level: LongTermLevel, refusesRevoked: Bool = false,
                       password: String = "") throws -> Extension {
        if level == .lta, timestampClient == nil {
            throw SigningError(.timestampRequired, "B-LTA needs a time-stamp authority for the document timestamp (--tsa URL)")
        }
        let prepared = try InputPreparation(input, password: password)
        guard prepared.notices.isEmpty else {
            throw SigningError(.nothingToExtend, "the document has no signature to extend")
        }
        let document = prepared.document
        let signatures = try DocumentSignatures(document)
        guard !signatures.entries.isEmpty else {
            throw SigningError(.nothingToExtend, "the document has no signature to extend; sign it first")
        }
        var known = extraCertificates
        for entry in signatures.entries { known += entry.certificates }
        var collector = ValidationDataCollector(fetcher: fetcher, budget: budget, refusesRevoked: refusesRevoked,
                                                known: known + (try storedCertificates(document)))
        var vri: [SecurityStoreUpdate.VRIEntry] = []
        var notes: [String] = []
        for entry in signatures.entries {
            guard let signer = entry.signer else {
                throw SigningError(.badSignature, "the CMS of '\(entry.field)' does not include its signer's certificate; its chain cannot be built")
            }
            // Data is fresh enough when the verifier will find it so: at the time the signature's
            // timestamp proves (its control time), or now for a signature without one.
            collector.controlTime = entry.provenAt ?? Date()
            var data = try collector.collect(chainOf: signer)
            if let authority = entry.signatureTimestampAuthority {
                let part = try collector.collect(chainOf: authority)
                data.certificates += part.certificates
                data.ocspResponses += part.ocspResponses
                data.crls += part.crls
            } else if !entry.isDocumentTimestamp {
                notes.append("'\(entry.field)' has no signature timestamp: nothing proves when it was made until a document timestamp covers it")
            }
            vri.append(SecurityStoreUpdate.VRIEntry(paddedContents: entry.paddedContents, data: data))
        }
        let collected = collector.collected
        let store = try SecurityStoreUpdate(document: document)
            .update(adding: collected, vri: includesVRI ? vri : [], time: includesVRI ? Date() : nil)
        var appended = try store.makeOutput().appended
        if level == .lta, let timestampClient {
            let withStore = try PDFDocument(bytes: PDFBytes(input.array + appended), mode: .strict,
                                            decryption: document.encryption == nil ? nil : .openSSL(password: password))
            appended += try DocumentTimestamper(client: timestampClient).timestamp(withStore)
        }
        return Extension(appended: appended, certificates: collected.certificates.count,
                         ocspResponses: collected.ocspResponses.count, crls: collected.crls.count,
                         notes: collected.notes + notes)
    }

    /// Extends the file at `input` and writes the result to `output` atomically (the same path
    /// is allowed: nothing is written unless extending succeeds).
    @discardableResult
    public func extend(file input: URL, to output: URL, level: LongTermLevel, password: String = "") throws -> Extension {
        let bytes = try PDFBytes(mappingFile: input.path)
        let result = try extend(bytes, to: level, password: password)
        _ = try AtomicFile.write(parts: [bytes, result.appended], to: output)
        return result
    }

    private func storedCertificates(_ document: PDFDocument) throws -> [Certificate] {
        guard let store = try document.resolve(try document.catalog(), "DSS")?.dictionaryValue,
              let entries = try document.resolve(store, "Certs")?.arrayValue else { return [] }
        return try entries.compactMap { entry in
            guard case .stream(let stream) = try document.resolve(entry) else { return nil }
            return try? Certificate(derEncoded: try document.decodedData(of: stream))
        }
    }
}

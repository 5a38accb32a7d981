public import CountersignCrypto
public import Foundation

/// What an engine needs besides its store and clock.
public struct WorkflowConfiguration: Sendable {
    /// Signing links are `signingURL` + token (e.g. `https://sign.example.com/s/`).
    public var signingURL: String
    /// The electronic records and signatures disclosure recipients consent to (ESIGN).
    public var disclosure: Disclosure
    /// The `From:` of every e-mail.
    public var sender: String
    /// The organisation named in e-mails and the seal's reason.
    public var organisation: String
    /// Days until a sent envelope expires.
    public var expiryDays: Int
    /// The organisation seal applied at completion.
    public var seal: SealConfiguration?
    /// Webhook retries, rotation and the SSRF allow-list.
    public var webhooks: WebhookConfiguration
    /// Seconds one bulk-send job works (at least one batch of rows) before a follow-up job due
    /// at once takes over: other jobs run between slices, and a graceful shutdown finishes the
    /// slice in hand instead of cancelling it mid-row.
    public var bulkSlice: TimeInterval = 5

    public init(signingURL: String, disclosure: Disclosure = .standard, sender: String, organisation: String,
                expiryDays: Int = 14, seal: SealConfiguration? = nil, webhooks: WebhookConfiguration = WebhookConfiguration()) {
        self.signingURL = signingURL
        self.disclosure = disclosure
        self.sender = sender
        self.organisation = organisation
        self.expiryDays = expiryDays
        self.seal = seal
        self.webhooks = webhooks
    }
}

/// The disclosure shown before consent: its version and text; consent records its SHA-256.
public struct Disclosure: Sendable, Hashable {
    public var version: String
    public var text: String
    public var sha256: String { sha256Hex(text) }

    public init(version: String, text: String) {
        self.version = version
        self.text = text
    }

    public static let standard = Disclosure(version: "2026-01", text: """
        You agree to receive and sign this document electronically. Electronic signatures have the same \
        effect as handwritten ones. You may ask for a paper copy, and you may withdraw your consent before \
        you sign by declining. You need a device that can open PDF files and access to your e-mail.
        """)
}

/// The organisation's sealing identity and how sealed files are checked.
public struct SealConfiguration: Sendable {
    public var identity: SigningIdentity
    /// The certificates the sealed files must verify against before an envelope is completed.
    public var trustAnchors: [Certificate]
    /// An RFC 3161 time-stamp authority: seals become PAdES B-T (B-LTA when the seal's certificate
    /// names revocation sources) and the ledger head is anchored.
    public var timestampURL: URL?

    public init(identity: SigningIdentity, trustAnchors: [Certificate], timestampURL: URL? = nil) {
        self.identity = identity
        self.trustAnchors = trustAnchors
        self.timestampURL = timestampURL
    }
}

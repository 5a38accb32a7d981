public import Foundation

/// Everything one state transition writes, committed by a store as **one transaction**: the
/// changed records, the evidence events that record the change, and the jobs (e-mails included)
/// it enqueues. Either all of it is stored or none of it.
///
/// Optimistic concurrency: a record's `revision` is the revision the caller read plus one (zero
/// for a new record); the store refuses the change with `conflict` when the stored revision is
/// not the one before it. Events are appended at the sequence they carry; a sequence already
/// taken in the stream is also a `conflict` (so two writers can never fork a chain).
public struct StoreChange: Sendable {
    public var account: String
    public var envelope: Envelope?
    /// The envelope as the caller read it (the revision before `envelope`'s), when there is
    /// one: the store then rewrites only the CRM metadata and signing-link rows that differ
    /// (`indexWrites`). Nil, or another revision: all of them are written again.
    public var previousEnvelope: Envelope?
    public var templateVersion: TemplateVersion?
    public var clauseVersion: ClauseVersion?
    public var events: [WorkflowEvent]
    public var jobs: [Job]
    /// Jobs this change finishes (e.g. the completion job that sealed the envelope).
    public var finishedJobs: [String]
    /// A ledger entry as the writer chained it: refused as a `conflict` unless it follows the
    /// stored head. At most one of `ledgerEntry` and `ledgerAppend`.
    public var ledgerEntry: LedgerEntry?
    /// A ledger entry the store chains onto the stored head in the commit (`LedgerAppend`).
    public var ledgerAppend: LedgerAppend?
    /// Personal data to delete (a purge): the events of these streams keep only their hashes,
    /// the webhook payloads of these streams are emptied, their e-mail jobs (the outbox, with
    /// names, addresses and links) deleted and their bulk rows' values emptied.
    public var purgePersonalData: [String]
    /// A webhook endpoint created (revision 0) or changed (its stored revision plus one).
    public var webhookEndpoint: WebhookEndpoint?
    /// Webhook deliveries created (revision 0) or changed (the outbox of this change's events).
    public var webhookDeliveries: [WebhookDelivery]
    /// Delivery attempts to append to the delivery log.
    public var webhookAttempts: [WebhookAttempt]
    /// The outbox of this change's events, when any is delivered as a webhook: the store reads
    /// the account's endpoints inside the commit's transaction and adds what `make(endpoints:)`
    /// returns to `webhookDeliveries` and `jobs` (`withWebhookOutbox(endpoints:)`).
    public var webhookOutbox: WebhookOutbox?

    public init(account: String, envelope: Envelope? = nil, previousEnvelope: Envelope? = nil, templateVersion: TemplateVersion? = nil,
                clauseVersion: ClauseVersion? = nil, events: [WorkflowEvent] = [], jobs: [Job] = [],
                finishedJobs: [String] = [], ledgerEntry: LedgerEntry? = nil, ledgerAppend: LedgerAppend? = nil,
                purgePersonalData: [String] = [],
                webhookEndpoint: WebhookEndpoint? = nil, webhookDeliveries: [WebhookDelivery] = [],
                webhookAttempts: [WebhookAttempt] = []) {
        self.account = account
        self.envelope = envelope
        self.previousEnvelope = previousEnvelope
        self.templateVersion = templateVersion
        self.clauseVersion = clauseVersion
        self.events = events
        self.jobs = jobs
        self.finishedJobs = finishedJobs
        self.ledgerEntry = ledgerEntry
        self.ledgerAppend = ledgerAppend
        self.purgePersonalData = purgePersonalData
        self.webhookEndpoint = webhookEndpoint
        self.webhookDeliveries = webhookDeliveries
        self.webhookAttempts = webhookAttempts
    }
}

/// Which envelopes to list.
public struct EnvelopeQuery: Sendable, Hashable {
    public var states: Set<Envelope.State>?
    /// Only envelopes whose metadata has `metadataKey` = `metadataValue`.
    public var metadataKey: String?
    public var metadataValue: String?
    /// Cursor: envelopes whose id sorts after this one (ids sort by creation).
    public var after: String?
    public var limit: Int

    public init(states: Set<Envelope.State>? = nil, metadataKey: String? = nil, metadataValue: String? = nil,
                after: String? = nil, limit: Int = 100) {
        self.states = states
        self.metadataKey = metadataKey
        self.metadataValue = metadataValue
        self.after = after
        self.limit = limit
    }
}

/// Accounts and their API keys.
public protocol AccountStore: Sendable {
    /// Creates an account with its first key. `conflict` if the id exists.
    func createAccount(_ account: Account, firstKey: APIKeyRecord) async throws
    func account(id: String) async throws -> Account?
    func accounts() async throws -> [Account]
    /// Adds a key to an existing account.
    func insertKey(_ key: APIKeyRecord) async throws
    /// Marks a key revoked (the row stays for the audit).
    func revokeKey(account: String, id: String, at: Date) async throws
    /// The key whose secret hashes to `secretHash`, whatever its account (the hash is the secret).
    func key(secretHash: String) async throws -> APIKeyRecord?
    func keys(account: String) async throws -> [APIKeyRecord]
}

/// Envelopes, the template library and their evidence: every read names an account.
public protocol EnvelopeStore: Sendable {
    /// Commits a change in one transaction (see `StoreChange`).
    func commit(_ change: StoreChange) async throws
    func envelope(account: String, id: String) async throws -> Envelope?
    func envelopes(account: String, query: EnvelopeQuery) async throws -> [Envelope]
    /// The envelope and recipient a signing token's hash belongs to, whatever the account.
    func recipient(tokenHash: String) async throws -> (account: String, envelope: String, recipient: String)?
    /// The same, with the envelope itself: read together, in one round trip where the store can
    /// (every signer action starts here).
    func envelope(tokenHash: String) async throws -> (recipient: String, envelope: Envelope)?
    func templateVersion(account: String, templateID: String, version: String) async throws -> TemplateVersion?
    func templateVersions(account: String, templateID: String?) async throws -> [TemplateVersion]
    func clauseVersion(account: String, clauseID: String, version: String) async throws -> ClauseVersion?
    func clauseVersions(account: String, clauseID: String?) async throws -> [ClauseVersion]
}

/// The append-only evidence log. It has no way to change or delete an event: events are
/// written only by `EnvelopeStore.commit`, and the database refuses updates and deletes.
public protocol EventLog: Sendable {
    /// A stream's events in sequence order, personal data included unless purged.
    func events(account: String, stream: String) async throws -> [WorkflowEvent]
    /// Every stream of an account that has events.
    func streams(account: String) async throws -> [String]
    func ledger(account: String) async throws -> [LedgerEntry]
    /// The ledger's last entry (what the next completion chains to), without reading the others.
    func ledgerHead(account: String) async throws -> LedgerEntry?
    func anchors(account: String) async throws -> [LedgerAnchor]
    func insertAnchor(_ anchor: LedgerAnchor) async throws
}

/// The durable job queue. Workers claim due jobs under a lease; a crashed worker's lease runs
/// out and another worker takes the job again (at-least-once).
public protocol JobQueue: Sendable {
    /// Leases up to `limit` pending jobs of the given `kinds` due at `now` (not leased by anyone
    /// else) until `now + lease`. A worker names only the kinds it can run (one without an SMTP
    /// relay leaves e-mails to the workers that have one); concurrent claimers never get the same job.
    func claimJobs(now: Date, limit: Int, lease: TimeInterval, worker: String, kinds: Set<Job.Kind>) async throws -> [Job]
    /// Marks a pending job done (a job already done or failed stays as it is).
    func finishJob(id: String) async throws
    /// `finishJob(id:)` for several jobs at once.
    func finishJobs(ids: [String]) async throws
    /// Finishes delivered e-mail jobs, each pending one's payload replaced by the message as
    /// kept once delivered (its link and code taken out, `MailMessage.delivered()`); a job
    /// already done or failed stays as it is.
    func finishDeliveries(_ deliveries: [(id: String, payload: Data)]) async throws
    /// Records a failure of a pending job: pending again at `retryAt`, or `failed` once its
    /// attempts are used up or when `retryAt` is nil (a failure that trying again cannot mend,
    /// such as a relay refusing a recipient for good). A job another worker finished meanwhile
    /// stays done.
    func failJob(id: String, error: String, retryAt: Date?) async throws
    /// Jobs of an account (for tests, the CLI and the demo's outbox reading), newest last.
    func jobs(account: String, kind: Job.Kind?, envelope: String?) async throws -> [Job]
}

extension StoreChange {
    /// The change with its webhook outbox made from `endpoints` (the account's, read in the
    /// commit's transaction) and added to its deliveries and jobs.
    public func withWebhookOutbox(endpoints: [WebhookEndpoint]) -> StoreChange {
        guard let outbox = webhookOutbox else { return self }
        var change = self
        let made = outbox.make(endpoints: endpoints)
        change.webhookDeliveries += made.deliveries
        change.jobs += made.jobs
        change.webhookOutbox = nil
        return change
    }
}

extension EnvelopeStore {
    /// `recipient(tokenHash:)`, then the envelope it names.
    public func envelope(tokenHash: String) async throws -> (recipient: String, envelope: Envelope)? {
        guard let found = try await recipient(tokenHash: tokenHash),
              let envelope = try await envelope(account: found.account, id: found.envelope) else { return nil }
        return (found.recipient, envelope)
    }
}

extension WebhookStore {
    /// `webhookDelivery(account:id:)` for each id, then each one's endpoint.
    public func webhookDeliveriesAndEndpoints(account: String, ids: [String]) async throws
        -> [String: (delivery: WebhookDelivery, endpoint: WebhookEndpoint?)] {
        var found: [String: (delivery: WebhookDelivery, endpoint: WebhookEndpoint?)] = [:]
        for id in ids {
            guard let delivery = try await webhookDelivery(account: account, id: id) else { continue }
            found[id] = (delivery, try await webhookEndpoint(account: account, id: delivery.endpoint))
        }
        return found
    }

    /// One delivery and its endpoint (see `webhookDeliveriesAndEndpoints(account:ids:)`).
    public func webhookDeliveryAndEndpoint(account: String, id: String) async throws
        -> (delivery: WebhookDelivery, endpoint: WebhookEndpoint?)? {
        try await webhookDeliveriesAndEndpoints(account: account, ids: [id])[id]
    }
}

extension JobQueue {
    /// Finishes the jobs one by one.
    public func finishJobs(ids: [String]) async throws {
        for id in ids { try await finishJob(id: id) }
    }

    /// Leases up to `limit` due jobs of every kind (see `claimJobs(now:limit:lease:worker:kinds:)`).
    public func claimJobs(now: Date, limit: Int, lease: TimeInterval, worker: String) async throws -> [Job] {
        try await claimJobs(now: now, limit: limit, lease: lease, worker: worker, kinds: Set(Job.Kind.allCases))
    }
}

/// An envelope that holds a document. Documents are content-addressed, so one copy may serve
/// several envelopes (the same NDA uploaded twice, a contract voided and sent again, the same
/// file in two accounts): a purge ends one envelope's hold, and the bytes go only when no
/// envelope holds them any more.
public struct DocumentHolder: Sendable, Hashable {
    public var account: String
    public var envelope: String

    public init(account: String, envelope: String) {
        self.account = account
        self.envelope = envelope
    }
}

/// Documents, content-addressed by SHA-256, each with the envelopes that hold it.
///
/// A store records an envelope's hold no later than the commit that stores the envelope naming
/// the document (PostgreSQL with the bytes, in `put`; SQLite in that commit, which is refused as
/// a conflict if the bytes were released meanwhile), and `release` deletes the bytes only when
/// no hold is left, in a way no concurrent `put` or commit can slip between (each store says
/// how). So a purge running while another envelope is created from the same bytes never leaves
/// that envelope without them.
public protocol DocumentStore: Sendable {
    /// Stores bytes for `holder` and returns their SHA-256 (hex); storing the same bytes twice
    /// is one copy (written again if it was released meanwhile).
    func put(_ bytes: [UInt8], heldBy holder: DocumentHolder) async throws -> String
    /// The bytes with this SHA-256, or nil if absent (or purged).
    func get(_ sha256: String) async throws -> [UInt8]?
    /// Ends `holder`'s hold and deletes the bytes when no envelope holds them any more
    /// (retention purge); true when they were deleted.
    @discardableResult
    func release(_ sha256: String, heldBy holder: DocumentHolder) async throws -> Bool
}

/// Which webhook deliveries to list.
public struct WebhookDeliveryQuery: Sendable, Hashable {
    public var endpoint: String?
    /// Deliveries of one stream (an envelope id, or `library`).
    public var stream: String?
    public var state: WebhookDelivery.State?
    /// Cursor: deliveries whose id sorts after this one (ids sort by creation).
    public var after: String?
    public var limit: Int

    public init(endpoint: String? = nil, stream: String? = nil, state: WebhookDelivery.State? = nil, after: String? = nil,
                limit: Int = 100) {
        self.endpoint = endpoint
        self.stream = stream
        self.state = state
        self.after = after
        self.limit = limit
    }
}

/// Webhook endpoints, their deliveries and the delivery log. Writes go through
/// `EnvelopeStore.commit` (`StoreChange.webhookEndpoint`, `webhookDeliveries`, `webhookAttempts`),
/// so a transition's outbox is committed with it.
public protocol WebhookStore: Sendable {
    func webhookEndpoint(account: String, id: String) async throws -> WebhookEndpoint?
    /// The account's endpoints, oldest first.
    func webhookEndpoints(account: String) async throws -> [WebhookEndpoint]
    func webhookDelivery(account: String, id: String) async throws -> WebhookDelivery?
    /// Deliveries of one account by id, each with the endpoint it goes to (nil when the endpoint
    /// is gone), read together: what a worker needs to make its attempts. Ids of no delivery (or
    /// of another account's) are left out.
    func webhookDeliveriesAndEndpoints(account: String, ids: [String]) async throws
        -> [String: (delivery: WebhookDelivery, endpoint: WebhookEndpoint?)]
    /// Deliveries in id order (oldest first).
    func webhookDeliveries(account: String, query: WebhookDeliveryQuery) async throws -> [WebhookDelivery]
    /// A delivery's attempts in order.
    func webhookAttempts(account: String, delivery: String) async throws -> [WebhookAttempt]
    /// When the endpoint's current run of failures began: its first failed attempt after its
    /// last successful one; nil when it has no attempts or its latest attempt succeeded.
    func webhookFailingSince(account: String, endpoint: String) async throws -> Date?
}

/// One store: what the workflow engine needs.
public protocol WorkflowStore: AccountStore, EnvelopeStore, EventLog, JobQueue, WebhookStore {
    var documents: any DocumentStore { get }
}

/// A store that can tell a process when any process sharing it queued a job due now, so idle
/// workers wake at once instead of at their next poll (PostgreSQL's `LISTEN`/`NOTIFY`).
public protocol QueuedJobNotifications: Sendable {
    /// Calls `notify` each time some process commits a job due now, until the task is cancelled
    /// (then returns) or the connection fails (then throws).
    func listenForQueuedJobs(_ notify: @escaping @Sendable () -> Void) async throws
}

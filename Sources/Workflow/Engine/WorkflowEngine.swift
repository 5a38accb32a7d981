import Foundation
import Synchronization
import Templates
import Typesetting

/// The workflow core's entry point: every action of DESIGN.md §13 as a method, over one store.
///
/// Each action reads what it needs, decides in pure code, and commits one `StoreChange` (the
/// records, the events recording it, the jobs and e-mails it causes). A refused request throws a
/// `WorkflowError` and commits nothing — except a failed authentication, which is itself evidence
/// (the attempt counter and an `authentication.failed` event) and is committed before the error
/// is thrown.
public final class WorkflowEngine: Sendable {
    public let store: any WorkflowStore
    public let clock: any WorkflowClock
    public let configuration: WorkflowConfiguration
    let templates = Mutex<[String: CompiledTemplate]>([:])
    /// Typesetters reused from one generated document to the next.
    let typesetters = LendingPool { try Typesetter() }
    /// The characters the shipped fonts draw, once a typesetter has been asked (`glyphCoverage`).
    let glyphs = Mutex<GlyphCoverage?>(nil)
    /// Sealers (typesetter, seal signer, verifier) reused from one completion to the next.
    let sealers: LendingPool<Sealer>
    /// The envelopes this engine committed last, by token: a signer's next action starts there.
    let recent = RecentEnvelopes()
    /// Rung when a commit of this engine queues a job due now or webhook deliveries: worker
    /// loops in this process wait on it between polls (`JobDoorbell`).
    public let jobsDue = JobDoorbell()

    public init(store: any WorkflowStore, clock: any WorkflowClock = SystemClock(), configuration: WorkflowConfiguration) {
        self.store = store
        self.clock = clock
        self.configuration = configuration
        sealers = LendingPool { [seal = configuration.seal] in
            guard let seal else {
                throw WorkflowError(.completion, "no organisation seal is configured; completion needs a signing identity")
            }
            return try Sealer(seal: seal)
        }
    }

    // MARK: Accounts and keys

    /// Creates an account and its first key (role `admin`); the secret is in the result only.
    public func createAccount(name: String) async throws -> (account: Account, key: IssuedKey) {
        let now = clock.now()
        let account = Account(id: Secrets.identifier("acc", at: now), name: try Check.nonEmpty(name, "the account name"),
                              createdAt: now)
        let issued = Self.issue(account: account.id, role: .admin, name: "first admin key", at: now)
        try await store.createAccount(account, firstKey: issued.record)
        return (account, issued)
    }

    /// Makes a new key for the caller's account (admins only). The secret is shown once.
    public func issueKey(_ principal: Principal, role: Role, name: String) async throws -> IssuedKey {
        try principal.require(.admin, to: "create API keys")
        let issued = Self.issue(account: principal.account, role: role, name: try Check.nonEmpty(name, "the key name"),
                                at: clock.now())
        try await store.insertKey(issued.record)
        return issued
    }

    static func issue(account: String, role: Role, name: String, at now: Date) -> IssuedKey {
        let id = Secrets.identifier("key", at: now)
        let secret = "csk_\(id)_\(Secrets.hex(bytes: 32))"
        return IssuedKey(record: APIKeyRecord(id: id, account: account, role: role, name: name, secretHash: sha256Hex(secret),
                                              createdAt: now), secret: secret)
    }

    /// The principal an API key secret stands for; `unauthenticated` if unknown or revoked.
    public func authenticate(apiKey secret: String, onBehalfOf person: String? = nil) async throws -> Principal {
        guard let key = try await store.key(secretHash: sha256Hex(secret)), key.revokedAt == nil else {
            throw WorkflowError(.unauthenticated, "the API key is unknown or revoked; ask an admin of your account for a key")
        }
        return Principal(account: key.account, keyID: key.id, role: key.role, onBehalfOf: person)
    }

    /// Checks again that the key behind `principal` is not revoked: for a session (the
    /// console's) that authenticated once and acts for hours, so a revoked key stops at once.
    public func reauthenticate(_ principal: Principal) async throws -> Principal {
        guard let key = try await store.keys(account: principal.account).first(where: { $0.id == principal.keyID }), key.revokedAt == nil else {
            throw WorkflowError(.unauthenticated, "the API key this session signed in with was revoked; sign in with a valid key")
        }
        return principal
    }

    // MARK: Transitions

    /// What one transition writes besides the envelope itself.
    struct Transition {
        var events: [(type: String, actor: EventActor, data: [String: String], personal: [String: String])] = []
        var jobs: [Job] = []
        var finishedJobs: [String] = []
        var ledgerEntry: LedgerEntry?
        var purgePersonalData = false
        /// Thrown after the commit (a failed authentication is evidence, then an error).
        var failure: WorkflowError?

        mutating func record(_ type: String, _ actor: EventActor, data: [String: String] = [:], personal: [String: String] = [:]) {
            events.append((type, actor, data, personal))
        }
    }

    /// Reads an envelope of the account, lets `body` change it, and commits the result with its
    /// events and jobs in one transaction; retried from a fresh read if someone else wrote first.
    /// `firstRead`: the envelope as the caller has just read it, used for the first attempt
    /// (a conflict reads it again). `remembered`: `firstRead` came from `recent`, not from the
    /// store, so only a commit proves it current; a refusal or a change of nothing is decided
    /// again on a fresh read.
    @discardableResult
    func change(account: String, envelope id: String, firstRead: Envelope? = nil, remembered: Bool = false,
                _ body: (inout Envelope, inout Transition, Date) throws(WorkflowError) -> Void) async throws -> Envelope {
        for attempt in 1...4 {
            let fromCaller = attempt == 1 && firstRead?.account == account && firstRead?.id == id
            let unproven = fromCaller && remembered
            let read = fromCaller ? firstRead : try await store.envelope(account: account, id: id)
            guard let stored = read else {
                throw WorkflowError(.notFound, "no envelope \(id) in this account")
            }
            var envelope = stored
            var transition = Transition()
            let now = clock.now()
            do {
                try body(&envelope, &transition, now)
            } catch {
                if unproven { continue }
                throw error
            }
            if transition.events.isEmpty && transition.jobs.isEmpty && transition.finishedJobs.isEmpty && envelope == stored {
                if unproven { continue }
                if let failure = transition.failure { throw failure }
                return envelope
            }
            let events = chain(&envelope, transition.events, at: now)
            envelope.revision += 1
            do {
                try await commitWithWebhooks(StoreChange(account: account, envelope: envelope, previousEnvelope: stored, events: events, jobs: transition.jobs,
                                                         finishedJobs: transition.finishedJobs, ledgerEntry: transition.ledgerEntry,
                                                         purgePersonalData: transition.purgePersonalData ? [envelope.id] : []),
                                             envelope: envelope)
            } catch let error as WorkflowError where error.code == .conflict && attempt < 4 && transition.finishedJobs.isEmpty {
                continue
            }
            recent.remember(envelope)
            if let failure = transition.failure { throw failure }
            return envelope
        }
        throw WorkflowError(.conflict, "envelope \(id) kept changing under this request; retry later")
    }

    /// Chains events after the envelope's head, carrying its metadata (CRM ids) in their data.
    func chain(_ envelope: inout Envelope,
               _ items: [(type: String, actor: EventActor, data: [String: String], personal: [String: String])],
               at now: Date) -> [WorkflowEvent] {
        var events: [WorkflowEvent] = []
        for item in items {
            var data = item.data
            for (key, value) in envelope.metadata { data["metadata.\(key)"] = value }
            let event = WorkflowEvent.make(account: envelope.account, stream: envelope.id, sequence: envelope.eventCount + 1,
                                           type: item.type, at: now, actor: item.actor, data: data, personal: item.personal,
                                           previousHash: envelope.headHash)
            envelope.eventCount = event.sequence
            envelope.headHash = event.hash
            events.append(event)
        }
        return events
    }

    /// A new job of the envelope's account.
    func job(_ kind: Job.Kind, _ envelope: Envelope, at runAt: Date, payload: Data = Data()) -> Job {
        Job(id: Secrets.identifier("job", at: clock.now()), account: envelope.account, kind: kind, envelope: envelope.id,
            payload: payload, runAt: runAt)
    }

    // MARK: Reads

    /// An envelope of the principal's account (every role may read).
    public func envelope(_ principal: Principal, id: String) async throws -> Envelope {
        guard let envelope = try await store.envelope(account: principal.account, id: id) else {
            throw WorkflowError(.notFound, "no envelope \(id) in this account")
        }
        return envelope
    }

    /// Envelopes of the principal's account.
    public func envelopes(_ principal: Principal, query: EnvelopeQuery = EnvelopeQuery()) async throws -> [Envelope] {
        try await store.envelopes(account: principal.account, query: query)
    }

    /// An envelope's evidence events.
    public func events(_ principal: Principal, envelope id: String) async throws -> [WorkflowEvent] {
        _ = try await envelope(principal, id: id)
        return try await store.events(account: principal.account, stream: id)
    }
}

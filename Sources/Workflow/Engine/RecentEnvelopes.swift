import Synchronization

/// The envelopes this engine committed last, found by their recipients' signing-token hashes.
///
/// A signer acts several times in a row (open, consent, adopt, sign), and each action began by
/// reading the envelope by token: a round trip that, on PostgreSQL, was a quarter of an
/// envelope's statements. The engine remembers each envelope it commits and starts a signer's
/// next action from it. That is safe because nothing is decided on a remembered envelope alone:
///
/// - a commit names the revision it was read at, so if another process changed the envelope
///   since, the store refuses it (`conflict`) and the action runs again on a fresh read;
/// - a refusal, or an action that changes nothing (and so commits nothing that could prove the
///   memory current), is decided again on a fresh read before it is returned.
///
/// At most `capacity` envelopes are kept; when full, the memory starts over (it holds the
/// envelopes being signed now, not a history).
final class RecentEnvelopes: Sendable {
    private struct State {
        var envelopes: [String: Envelope] = [:]
        /// Token hash → envelope id, for every remembered envelope's recipients.
        var tokens: [String: String] = [:]
    }

    private let state = Mutex(State())
    let capacity: Int

    init(capacity: Int = 2048) {
        self.capacity = capacity
    }

    /// Remembers an envelope as just committed, unless a later revision is remembered already.
    func remember(_ envelope: Envelope) {
        let key = Self.key(envelope.account, envelope.id)
        state.withLock { state in
            if let known = state.envelopes[key] {
                guard known.revision < envelope.revision else { return }
                for recipient in known.recipients { for hash in recipient.tokenHashes { state.tokens[hash] = nil } }
            } else if state.envelopes.count >= capacity {
                state = State()
            }
            state.envelopes[key] = envelope
            for recipient in envelope.recipients { for hash in recipient.tokenHashes { state.tokens[hash] = key } }
        }
    }

    /// The remembered envelope holding a token's hash, and the recipient it belongs to.
    func envelope(tokenHash: String) -> (recipient: String, envelope: Envelope)? {
        state.withLock { state in
            guard let key = state.tokens[tokenHash], let envelope = state.envelopes[key],
                  let recipient = envelope.recipients.first(where: { $0.tokenHashes.contains(tokenHash) }) else { return nil }
            return (recipient.id, envelope)
        }
    }

    /// How many envelopes are remembered (for tests).
    var count: Int { state.withLock { $0.envelopes.count } }

    private static func key(_ account: String, _ id: String) -> String { account + "\u{0}" + id }
}

import Foundation

extension WorkflowEngine {
    // MARK: Keys

    /// The API keys of the caller's account (admins only); secrets are never kept, so none is shown.
    public func keys(_ principal: Principal) async throws -> [APIKeyRecord] {
        try principal.require(.admin, to: "list API keys")
        return try await store.keys(account: principal.account)
    }

    /// Revokes a key of the caller's account (admins only); the key stops working at once.
    /// An admin cannot revoke the key it is calling with (that would lock the account out by mistake).
    public func revokeKey(_ principal: Principal, id: String) async throws -> APIKeyRecord {
        try principal.require(.admin, to: "revoke API keys")
        guard id != principal.keyID else {
            throw WorkflowError(.invalidRequest, "key \(id) is the key making this request; revoke it with another admin key")
        }
        guard let key = try await store.keys(account: principal.account).first(where: { $0.id == id }) else {
            throw WorkflowError(.notFound, "no API key \(id) in this account")
        }
        guard key.revokedAt == nil else {
            throw WorkflowError(.illegalTransition, "API key \(id) is already revoked")
        }
        let now = clock.now()
        try await store.revokeKey(account: principal.account, id: id, at: now)
        var revoked = key
        revoked.revokedAt = now
        return revoked
    }

    // MARK: Template library

    /// Template versions of the account (every role may read), optionally of one template.
    public func templateVersions(_ principal: Principal, templateID: String? = nil) async throws -> [TemplateVersion] {
        try await store.templateVersions(account: principal.account, templateID: templateID)
    }

    /// One template version of the account.
    public func templateVersion(_ principal: Principal, templateID: String, version: String) async throws -> TemplateVersion {
        guard let template = try await store.templateVersion(account: principal.account, templateID: templateID, version: version) else {
            throw WorkflowError(.notFound, "no template \(templateID)@\(version) in this account")
        }
        return template
    }

    /// Clause versions of the account (every role may read), optionally of one clause.
    public func clauseVersions(_ principal: Principal, clauseID: String? = nil) async throws -> [ClauseVersion] {
        try await store.clauseVersions(account: principal.account, clauseID: clauseID)
    }

    // MARK: Documents

    /// The bytes of an envelope's document for the sender side (every role may read): the sealed
    /// file once completed, the generated one before. `notFound` once purged.
    public func document(_ principal: Principal, envelope id: String, document documentID: String) async throws
        -> (document: EnvelopeDocument, bytes: [UInt8]) {
        let envelope = try await envelope(principal, id: id)
        guard let document = envelope.documents.first(where: { $0.id == documentID }) else {
            throw WorkflowError(.notFound, "envelope \(id) has no document \(documentID)")
        }
        guard !document.purged, let bytes = try await store.documents.get(document.sealedSHA256 ?? document.sentSHA256) else {
            throw WorkflowError(.notFound, "document \(documentID) of envelope \(id) was purged under its retention policy")
        }
        return (document, bytes)
    }
}

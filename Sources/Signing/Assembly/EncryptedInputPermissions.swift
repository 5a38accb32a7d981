import PDFSyntax

extension SigningError.Code {
    /// The input is encrypted and its permissions (`/P`) do not allow what this signature does;
    /// the owner password would.
    public static let notPermitted = SigningError.Code("notPermitted")
}

extension PDFSigner {
    /// Whether an encrypted input's permissions (ISO 32000-2 §7.6.4.2, Table 22) allow this
    /// signature: filling an existing signature field needs bit 9 (or 6); creating a field needs
    /// bits 6 and 4; an audit page adds pages and an attachment, which needs bit 4 (and 11 from
    /// revision 3). Opened with the owner password, everything is allowed. When only a new field
    /// is refused, the refusal names the `emptySignatureFields` the permissions let the signer fill.
    static func checkPermissions(_ encryption: PDFEncryption, request: SignatureRequest, emptySignatureFields: [String]) throws {
        let permissions = encryption.permissions
        var missing: [String] = []
        let createsField: Bool = if case .field = request.placement { false } else { true }
        if !createsField {
            if !permissions.fillForms { missing.append("filling in the existing signature field (bit 9, or 6)") }
        } else if !(permissions.annotate && permissions.modify) {
            missing.append("creating a signature field (bits 4 and 6)")
        }
        if request.audit != nil, !(permissions.modify && permissions.assemble) {
            missing.append("adding the audit certificate page and its attachment (bits 4 and 11)")
        }
        guard !missing.isEmpty else { return }
        var remedies = "give its owner password (--document-password-file or --document-password-env) to sign it anyway as its owner, or ask the author for a copy that permits signing"
        if createsField, permissions.fillForms, request.audit == nil, !emptySignatureFields.isEmpty {
            let names = emptySignatureFields.prefix(3).map { "'\($0)'" }.joined(separator: ", ")
            remedies = "its permissions do let you sign an empty signature field it already has (\(names)\(emptySignatureFields.count > 3 ? ", …" : "")) "
                + "with --field NAME; or " + remedies
        }
        throw SigningError(.notPermitted,
                           "the document is encrypted (\(encryption.methodDescription)) and its permissions \(permissions) do not allow "
                           + missing.joined(separator: " or ") + "; " + remedies)
    }
}

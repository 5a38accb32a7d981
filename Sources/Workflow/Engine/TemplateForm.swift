public import Templates

extension WorkflowEngine {
    /// What a form that starts an envelope from a published template version needs (role agent):
    /// the template's data fields (types, required, enum values) and its signature roles.
    public func publishedTemplateForm(_ principal: Principal, templateID: String,
                                      version: String) async throws -> (fields: [FieldDeclaration], signatureRoles: [String]) {
        try principal.require(.agent, to: "start envelopes")
        let (_, compiled) = try await publishedTemplate(account: principal.account, templateID: templateID, version: version)
        return (compiled.fields, compiled.signatureRoles)
    }
}

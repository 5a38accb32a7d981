import Foundation
import HTTPTypes
import Hummingbird
import Workflow

/// Template and clause versions, API keys and retention (DESIGN.md §14): thin over the
/// workflow's library actions, which check roles.
struct LibraryRoutes {
    let api: APIDependencies

    struct SourceBody: Decodable {
        /// The template or clause XML.
        var source: String
        /// Images the template names, by relative path: base64.
        var assets: [String: String]?
    }

    struct KeyBody: Decodable {
        var role: Role
        var name: String
    }

    func register(on group: RouterGroup<ServiceContext>) {
        let limit = api.configuration.maxBodyBytes
        let engine = api.engine
        group.get("templates") { request, context in
            let versions = try await engine.templateVersions(try context.requirePrincipal(), templateID: HTTP.query(request, "templateId"))
            return try HTTP.json(try HTTP.page(versions, request: request, key: { "\($0.templateID)\u{1}\($0.version)" },
                                               map: TemplateVersionResource.init))
        }
        group.post("templates") { request, context in
            let principal = try context.requirePrincipal()
            let body = try await HTTP.decode(SourceBody.self, from: request, limit: limit)
            var assets: [String: Data] = [:]
            for (path, encoded) in body.assets ?? [:] {
                guard let bytes = Data(base64Encoded: encoded) else {
                    throw ServiceError(.badRequest, "assets['\(path)'] is not base64")
                }
                guard !path.hasPrefix("/"), !path.split(separator: "/").contains("..") else {
                    throw ServiceError(.badRequest, "assets['\(path)'] must be a relative path inside the template's folder")
                }
                assets[path] = bytes
            }
            let version = try await engine.importTemplate(principal, source: Data(body.source.utf8), assets: assets, name: "source")
            return try HTTP.json(TemplateVersionResource(version), status: .created,
                                 headers: [.location: "/v1/templates/\(version.templateID)/versions/\(version.version)"])
        }
        group.get("templates/:templateId/versions/:version") { _, context in
            let version = try await engine.templateVersion(try context.requirePrincipal(), templateID: try HTTP.parameter(context, "templateId"),
                                                           version: try HTTP.parameter(context, "version"))
            return try HTTP.json(TemplateVersionResource(version))
        }
        group.post("templates/:templateId/versions/:version/publish") { _, context in
            let version = try await engine.publishTemplate(try context.requirePrincipal(), templateID: try HTTP.parameter(context, "templateId"),
                                                           version: try HTTP.parameter(context, "version"))
            return try HTTP.json(TemplateVersionResource(version))
        }
        group.post("templates/:templateId/versions/:version/retire") { _, context in
            let version = try await engine.retireTemplate(try context.requirePrincipal(), templateID: try HTTP.parameter(context, "templateId"),
                                                          version: try HTTP.parameter(context, "version"))
            return try HTTP.json(TemplateVersionResource(version))
        }
        group.get("clauses") { request, context in
            let versions = try await engine.clauseVersions(try context.requirePrincipal(), clauseID: HTTP.query(request, "clauseId"))
            return try HTTP.json(try HTTP.page(versions, request: request, key: { "\($0.clauseID)\u{1}\($0.version)" },
                                               map: ClauseVersionResource.init))
        }
        group.post("clauses") { request, context in
            let principal = try context.requirePrincipal()
            let body = try await HTTP.decode(SourceBody.self, from: request, limit: limit)
            guard body.assets == nil else { throw ServiceError(.badRequest, "a clause has no assets") }
            let clause = try await engine.importClause(principal, source: Data(body.source.utf8), name: "the clause")
            return try HTTP.json(ClauseVersionResource(clause), status: .created)
        }
        group.post("clauses/:clauseId/versions/:version/approve") { _, context in
            let clause = try await engine.approveClause(try context.requirePrincipal(), clauseID: try HTTP.parameter(context, "clauseId"),
                                                        version: try HTTP.parameter(context, "version"))
            return try HTTP.json(ClauseVersionResource(clause))
        }
        group.get("keys") { request, context in
            let keys = try await engine.keys(try context.requirePrincipal())
            return try HTTP.json(try HTTP.page(keys, request: request, key: \.id, map: { KeyResource($0) }))
        }
        group.post("keys") { request, context in
            let principal = try context.requirePrincipal()
            let body = try await HTTP.decode(KeyBody.self, from: request, limit: limit)
            let issued = try await engine.issueKey(principal, role: body.role, name: body.name)
            return try HTTP.json(KeyResource(issued.record, secret: issued.secret), status: .created, headers: [
                .secretOnce: "key \(issued.record.id) (if its secret was lost, revoke it with DELETE /v1/keys/\(issued.record.id) and issue another)",
            ])
        }
        group.delete("keys/:keyId") { _, context in
            let key = try await engine.revokeKey(try context.requirePrincipal(), id: try HTTP.parameter(context, "keyId"))
            return try HTTP.json(KeyResource(key))
        }
        group.get("retention/categories") { _, context in
            _ = try context.requirePrincipal()
            return try HTTP.json(RetentionPolicy.categories.sorted { $0.key < $1.key }.map { RetentionCategory(name: $0.key, years: $0.value) })
        }
    }
}

struct RetentionCategory: Encodable {
    var name: String
    var years: Int
}

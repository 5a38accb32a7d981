import CountersignCrypto
import Foundation

/// Reads the TS 119 612 content of a parsed (and signature-checked) list into `TrustedList`.
/// Only the signed tree is read; nothing inside `ds:Signature` is.
struct TrustedListReader {
    let name: String

    func read(_ root: XMLElement, signer: Certificate) throws -> TrustedList {
        guard root.name == "TrustServiceStatusList", root.namespace == XMLNamespace.tsl else {
            throw TrustedListError(.malformed,
                "\(name) is not a TS 119 612 trusted list: its root is \(root.name) in \(root.namespace ?? "no namespace"), not TrustServiceStatusList in \(XMLNamespace.tsl)")
        }
        guard let scheme = root.child("SchemeInformation") else {
            throw TrustedListError(.malformed, "\(name) has no SchemeInformation")
        }
        let type = scheme.child("TSLType")?.text ?? ""
        let kind: TrustedList.Kind = type.hasSuffix("listofthelists") ? .listOfTrustedLists : .trustedList
        guard let territory = scheme.child("SchemeTerritory")?.text, !territory.isEmpty else {
            throw TrustedListError(.malformed, "\(name) has no SchemeTerritory")
        }
        let pointers = try (scheme.path("PointersToOtherTSL")?.children("OtherTSLPointer") ?? []).map(pointer)
        var services: [TrustService] = []
        for provider in root.path("TrustServiceProviderList")?.children("TrustServiceProvider") ?? [] {
            let providerName = provider.path("TSPInformation", "TSPName")?.preferredName ?? "(unnamed provider)"
            for element in provider.path("TSPServices")?.children("TSPService") ?? [] {
                services.append(try service(element, provider: providerName, territory: territory))
            }
        }
        return TrustedList(source: name, kind: kind, type: type, territory: territory,
                           sequenceNumber: scheme.child("TSLSequenceNumber").flatMap { Int($0.text) },
                           operatorName: scheme.child("SchemeOperatorName")?.preferredName,
                           issued: try scheme.child("ListIssueDateTime").map { try date($0.text, "ListIssueDateTime") },
                           nextUpdate: try scheme.path("NextUpdate", "dateTime").map { try date($0.text, "NextUpdate") },
                           signer: signer, pointers: pointers, services: services)
    }

    private func pointer(_ element: XMLElement) throws -> TrustedListPointer {
        let identities = element.path("ServiceDigitalIdentities")?.children("ServiceDigitalIdentity") ?? []
        var information: [String: String] = [:]
        for other in element.path("AdditionalInformation")?.children("OtherInformation") ?? [] {
            for child in other.children where !child.text.isEmpty { information[child.name] = child.text }
        }
        return TrustedListPointer(location: element.child("TSLLocation")?.text ?? "",
                                  territory: information["SchemeTerritory"], type: information["TSLType"],
                                  mimeType: information["MimeType"],
                                  signers: try identities.flatMap { try certificates(in: $0, what: "an OtherTSLPointer") })
    }

    private func service(_ element: XMLElement, provider: String, territory: String) throws -> TrustService {
        guard let information = element.child("ServiceInformation") else {
            throw TrustedListError(.malformed, "\(name): a TSPService of \(provider) has no ServiceInformation")
        }
        let serviceName = information.path("ServiceName")?.preferredName ?? "(unnamed service)"
        var history = [try status(information, service: serviceName)]
        for instance in element.path("ServiceHistory")?.children("ServiceHistoryInstance") ?? [] {
            history.append(try status(instance, service: serviceName))
        }
        return TrustService(provider: provider, name: serviceName, territory: territory,
                            certificates: try certificates(in: information.child("ServiceDigitalIdentity"), what: "service \(serviceName)"),
                            history: history.sorted { $0.start < $1.start })
    }

    private func status(_ element: XMLElement, service: String) throws -> TrustServiceStatus {
        guard let status = element.child("ServiceStatus")?.text, let start = element.child("StatusStartingTime")?.text else {
            throw TrustedListError(.malformed, "\(name): service \(service) lacks ServiceStatus or StatusStartingTime")
        }
        var rules: [QualificationRule] = []
        var additional: [String] = []
        for extensionElement in element.path("ServiceInformationExtensions")?.children("Extension") ?? [] {
            for qualification in extensionElement.child("Qualifications")?.children("QualificationElement") ?? [] {
                let qualifiers = qualification.path("Qualifiers")?.children("Qualifier").compactMap { $0.attributes["uri"] } ?? []
                guard let list = qualification.child("CriteriaList") else { continue }
                rules.append(QualificationRule(qualifiers: qualifiers, criteria: criteria(list)))
            }
            if let uri = extensionElement.path("AdditionalServiceInformation", "URI")?.text { additional.append(uri) }
        }
        return TrustServiceStatus(type: element.child("ServiceTypeIdentifier")?.text ?? "", status: status,
                                  start: try date(start, "StatusStartingTime of \(service)"),
                                  qualifications: rules, additionalInformation: additional)
    }

    private func criteria(_ list: XMLElement) -> QualificationCriteria {
        var items: [QualificationCriteria] = []
        for child in list.children {
            switch child.name {
            case "KeyUsage":
                items += child.children("KeyUsageBit").map {
                    .keyUsage(name: $0.attributes["name"] ?? "", set: $0.text.lowercased() == "true")
                }
            case "PolicySet":
                items.append(.policies(child.children("PolicyIdentifier").compactMap { $0.child("Identifier").map { Self.oid($0.text) } }))
            case "CriteriaList":
                items.append(criteria(child))
            case "Description":
                continue
            case "otherCriteriaList":
                for other in child.children {
                    if other.name == "ExtendedKeyUsage" {
                        items += other.children("KeyPurposeId").compactMap { $0.child("Identifier").map { .extendedKeyUsage(Self.oid($0.text)) } }
                    } else {
                        items.append(.unsupported(other.name))
                    }
                }
            default:
                items.append(.unsupported(child.name))
            }
        }
        return .list(assert: list.attributes["assert"] ?? "all", items: items)
    }

    /// "urn:oid:1.2.3" or "1.2.3" → "1.2.3".
    static func oid(_ text: String) -> String {
        text.lowercased().hasPrefix("urn:oid:") ? String(text.dropFirst(8)) : text
    }

    private func certificates(in identity: XMLElement?, what: String) throws -> [Certificate] {
        guard let identity else { return [] }
        return try identity.children("DigitalId").compactMap { $0.child("X509Certificate") }.map { element in
            guard let der = Data(base64Encoded: element.text, options: .ignoreUnknownCharacters),
                  let certificate = try? Certificate(derEncoded: Array(der)) else {
                throw TrustedListError(.malformed, "\(name): an X509Certificate of \(what) is not a base64 DER certificate")
            }
            return certificate
        }
    }

    private func date(_ text: String, _ what: String) throws -> Date {
        let formatter = ISO8601DateFormatter()
        if let date = formatter.date(from: text) { return date }
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        if let date = formatter.date(from: text) { return date }
        throw TrustedListError(.malformed, "\(name): \(what) is \"\(text)\", not an xsd:dateTime with a time zone")
    }
}

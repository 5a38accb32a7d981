public import Foundation

/// Makes ETSI TS 119 612 trusted lists for tests, in the test itself: certificates with openssl
/// (backdated with faketime), list XML written here, signed with the `xmlsec1` command-line tool
/// (an enveloped signature over the whole document, exclusive canonicalization, ECDSA P-256).
/// Nothing is downloaded.
public final class TrustedListFactory: @unchecked Sendable {
    /// A key and its certificate (PEM files), and the certificate's DER in base64.
    public struct Credential: Sendable {
        public let key: URL
        public let certificate: URL
        /// The certificate and its issuer's (PEM), for signing identities.
        public let chain: URL
        public let base64: String
    }

    /// The QcStatements a signer certificate carries (ETSI EN 319 412-5).
    public enum QCStatement: Sendable {
        case compliance, sscd, typeSignature, typeSeal

        /// The statement's DER.
        var der: [UInt8] {
            let etsi: [UInt8] = [0x04, 0x00, 0x8E, 0x46, 0x01]
            func oid(_ tail: [UInt8]) -> [UInt8] { [0x06, UInt8(etsi.count + tail.count)] + etsi + tail }
            func sequence(_ content: [UInt8]) -> [UInt8] { [0x30, UInt8(content.count)] + content }
            switch self {
            case .compliance: return sequence(oid([0x01]))
            case .sscd: return sequence(oid([0x04]))
            case .typeSignature: return sequence(oid([0x06]) + sequence(oid([0x06, 0x01])))
            case .typeSeal: return sequence(oid([0x06]) + sequence(oid([0x06, 0x02])))
            }
        }
    }

    /// One status period of a service.
    public struct Status: Sendable {
        public var status: String
        public var start: Date
        public init(_ status: String, since start: Date) {
            self.status = status
            self.start = start
        }

        public static let granted = "http://uri.etsi.org/TrstSvc/TrustedList/Svcstatus/granted"
        public static let withdrawn = "http://uri.etsi.org/TrstSvc/TrustedList/Svcstatus/withdrawn"
    }

    /// A service of a national list: a CA/QC by default, newest status first.
    public struct Service: Sendable {
        public var name: String
        public var type = "http://uri.etsi.org/TrstSvc/Svctype/CA/QC"
        public var certificate: Credential
        public var statuses: [Status]
        /// Qualifier URI suffixes (QCWithSSCD, QCForESig, …) applying to certificates with
        /// nonRepudiation, or with every policy of `qualifiedPolicies` when it is not empty.
        public var qualifiers: [String] = []
        /// A PolicySet criterion for `qualifiers` (OIDs), instead of the key usage one.
        public var qualifiedPolicies: [String] = []
        /// AdditionalServiceInformation URI suffixes (ForeSignatures, ForeSeals).
        public var additional: [String] = ["ForeSignatures"]

        public init(name: String, certificate: Credential, statuses: [Status]) {
            self.name = name
            self.certificate = certificate
            self.statuses = statuses
        }
    }

    public let directory: URL
    private var counter = 0

    public init() throws {
        directory = try TestEnvironment.scratchDirectory("trusted-lists")
    }

    // MARK: Certificates

    /// A self-signed certificate (a list signer or a CA), valid from 30 days ago for a year.
    public func selfSigned(_ name: String, ca: Bool = false) throws -> Credential {
        let base = next(name)
        let extensions = ca ? "basicConstraints=critical,CA:true\nkeyUsage=critical,keyCertSign,cRLSign\n"
            : "basicConstraints=CA:false\nkeyUsage=critical,digitalSignature\n"
        let configuration = try writeFile("[req]\ndistinguished_name=dn\nx509_extensions=v3\n[dn]\n[v3]\nsubjectKeyIdentifier=hash\n" + extensions,
                                      "\(base).cnf")
        try run(backdatedDays: 30, "openssl", ["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                             "-keyout", "\(base).key", "-out", "\(base).pem", "-subj", "/CN=\(name)/O=Countersign Test TL/C=BE",
                             "-days", "365", "-config", configuration.path])
        return try credential(base, chain: ["\(base).pem"])
    }

    /// A signer certificate issued by `ca` with `statements` and certificate `policies` (OIDs),
    /// valid from 20 days ago.
    public func issue(_ name: String, by ca: Credential, statements: [QCStatement], policies: [String] = []) throws -> Credential {
        let base = next(name)
        var extensions = "basicConstraints=CA:false\nkeyUsage=critical,digitalSignature,nonRepudiation\n"
        if !policies.isEmpty { extensions += "certificatePolicies=" + policies.joined(separator: ",") + "\n" }
        if !statements.isEmpty {
            let content = statements.flatMap(\.der)
            let der = [0x30, UInt8(content.count)] + content
            extensions += "1.3.6.1.5.5.7.1.3=DER:" + der.map { String(format: "%02X", $0) }.joined(separator: ":") + "\n"
        }
        try run("openssl", ["req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", "\(base).key",
                            "-out", "\(base).csr", "-subj", "/CN=\(name)/O=Countersign Test TL/C=BE"])
        try run(backdatedDays: 20, "openssl", ["x509", "-req", "-in", "\(base).csr", "-CA", ca.certificate.path, "-CAkey", ca.key.path,
                             "-set_serial", "\(1000 + counter)", "-days", "300", "-extfile", try writeFile(extensions, "\(base).ext").path,
                             "-out", "\(base).pem"])
        return try credential(base, chain: ["\(base).pem", ca.certificate.path])
    }

    /// A certificate made elsewhere (e.g. the loopback TSA's), to name in a list; it has no key here.
    public func credential(certificate: URL) throws -> Credential {
        let pem = try String(contentsOf: certificate, encoding: .utf8)
        let first = pem.components(separatedBy: "-----END CERTIFICATE-----")[0]
        let body = first.split(separator: "\n").filter { !$0.hasPrefix("-----") }.joined()
        return Credential(key: certificate, certificate: certificate, chain: certificate, base64: body)
    }

    // MARK: Lists

    /// A national trusted list of `territory` with `services` (unsigned).
    public func nationalList(territory: String, services: [Service], nextUpdate: Date = Date().addingTimeInterval(180 * 86_400)) -> String {
        let body = services.map { service in
            let current = service.statuses[0]
            let history = service.statuses.dropFirst().map { status in
                """
                        <tsl:ServiceHistoryInstance>
                          <tsl:ServiceTypeIdentifier>\(service.type)</tsl:ServiceTypeIdentifier>
                          <tsl:ServiceName><tsl:Name xml:lang="en">\(service.name)</tsl:Name></tsl:ServiceName>
                          <tsl:ServiceDigitalIdentity><tsl:DigitalId><tsl:X509SKI>AAAA</tsl:X509SKI></tsl:DigitalId></tsl:ServiceDigitalIdentity>
                          <tsl:ServiceStatus>\(status.status)</tsl:ServiceStatus>
                          <tsl:StatusStartingTime>\(Self.time(status.start))</tsl:StatusStartingTime>
                          \(extensions(service))
                        </tsl:ServiceHistoryInstance>
                """
            }.joined(separator: "\n")
            return """
                  <tsl:TrustServiceProvider>
                    <tsl:TSPInformation><tsl:TSPName><tsl:Name xml:lang="en">\(service.name) Provider</tsl:Name></tsl:TSPName></tsl:TSPInformation>
                    <tsl:TSPServices><tsl:TSPService>
                      <tsl:ServiceInformation>
                        <tsl:ServiceTypeIdentifier>\(service.type)</tsl:ServiceTypeIdentifier>
                        <tsl:ServiceName><tsl:Name xml:lang="en">\(service.name)</tsl:Name></tsl:ServiceName>
                        <tsl:ServiceDigitalIdentity><tsl:DigitalId><tsl:X509Certificate>\(service.certificate.base64)</tsl:X509Certificate></tsl:DigitalId></tsl:ServiceDigitalIdentity>
                        <tsl:ServiceStatus>\(current.status)</tsl:ServiceStatus>
                        <tsl:StatusStartingTime>\(Self.time(current.start))</tsl:StatusStartingTime>
                        \(extensions(service))
                      </tsl:ServiceInformation>
                      \(history.isEmpty ? "" : "<tsl:ServiceHistory>\n\(history)\n</tsl:ServiceHistory>")
                    </tsl:TSPService></tsl:TSPServices>
                  </tsl:TrustServiceProvider>
            """
        }.joined(separator: "\n")
        return list(type: "EUgeneric", territory: territory, pointers: "", providers: body, nextUpdate: nextUpdate)
    }

    /// The LOTL, pointing at national lists: (territory, location, the certificate pinned to sign it).
    public func listOfLists(pointers: [(territory: String, location: String, signer: Credential)],
                            nextUpdate: Date = Date().addingTimeInterval(180 * 86_400)) -> String {
        let body = pointers.map { pointer in
            """
                  <tsl:OtherTSLPointer>
                    <tsl:ServiceDigitalIdentities><tsl:ServiceDigitalIdentity><tsl:DigitalId><tsl:X509Certificate>\(pointer.signer.base64)</tsl:X509Certificate></tsl:DigitalId></tsl:ServiceDigitalIdentity></tsl:ServiceDigitalIdentities>
                    <tsl:TSLLocation>\(pointer.location)</tsl:TSLLocation>
                    <tsl:AdditionalInformation>
                      <tsl:OtherInformation><tsl:TSLType>http://uri.etsi.org/TrstSvc/TrustedList/TSLType/EUgeneric</tsl:TSLType></tsl:OtherInformation>
                      <tsl:OtherInformation><tsl:SchemeTerritory>\(pointer.territory)</tsl:SchemeTerritory></tsl:OtherInformation>
                      <tsl:OtherInformation><ns3:MimeType xmlns:ns3="http://uri.etsi.org/02231/v2/additionaltypes#">application/vnd.etsi.tsl+xml</ns3:MimeType></tsl:OtherInformation>
                    </tsl:AdditionalInformation>
                  </tsl:OtherTSLPointer>
            """
        }.joined(separator: "\n")
        return list(type: "EUlistofthelists", territory: "EU", pointers: "<tsl:PointersToOtherTSL>\n\(body)\n</tsl:PointersToOtherTSL>",
                    providers: "", nextUpdate: nextUpdate)
    }

    /// Signs `xml` with `signer` (xmlsec1 fills the signature template and the certificate) into
    /// a file. With `xades`, the signature also covers XAdES signed properties inside it (a
    /// second reference, by Id), as the EU's lists are signed.
    @discardableResult
    public func sign(_ xml: String, with signer: Credential, as name: String, xades: Bool = false) throws -> URL {
        var template = xml
        var options: [String] = []
        if xades {
            template = template.replacingOccurrences(of: "</ds:SignedInfo>", with: """
                <ds:Reference URI="#xades-signed-properties" Type="http://uri.etsi.org/01903#SignedProperties">
                  <ds:Transforms><ds:Transform Algorithm="http://www.w3.org/2001/10/xml-exc-c14n#"/></ds:Transforms>
                  <ds:DigestMethod Algorithm="http://www.w3.org/2001/04/xmlenc#sha256"/>
                  <ds:DigestValue/>
                </ds:Reference>
                </ds:SignedInfo>
                """)
            template = template.replacingOccurrences(of: "</ds:Signature>", with: """
                <ds:Object><xades:QualifyingProperties xmlns:xades="http://uri.etsi.org/01903/v1.3.2#" Target="#signature-1">
                  <xades:SignedProperties Id="xades-signed-properties"><xades:SignedSignatureProperties>
                    <xades:SigningTime>\(Self.time(Date()))</xades:SigningTime>
                  </xades:SignedSignatureProperties></xades:SignedProperties>
                </xades:QualifyingProperties></ds:Object>
                </ds:Signature>
                """)
            options = ["--id-attr:Id", "http://uri.etsi.org/01903/v1.3.2#:SignedProperties"]
        }
        let unsigned = try write(template, "\(name).unsigned.xml")
        let output = directory.appendingPathComponent(name)
        try run("xmlsec1", ["--sign"] + options + ["--privkey-pem", "\(signer.key.path),\(signer.certificate.path)", "--output", output.path,
                                                   unsigned.path])
        return output
    }

    /// Writes `text` into the factory's directory.
    public func write(_ text: String, _ name: String) throws -> URL {
        let url = directory.appendingPathComponent(name)
        try Data(text.utf8).write(to: url)
        return url
    }

    // MARK: Parts

    private func writeFile(_ text: String, _ path: String) throws -> URL {
        let url = URL(fileURLWithPath: path)
        try Data(text.utf8).write(to: url)
        return url
    }

    private func list(type: String, territory: String, pointers: String, providers: String, nextUpdate: Date) -> String {
        """
        <?xml version="1.0" encoding="UTF-8"?>
        <tsl:TrustServiceStatusList xmlns:tsl="http://uri.etsi.org/02231/v2#" xmlns:ds="http://www.w3.org/2000/09/xmldsig#" Id="TrustServiceStatusList-1" TSLTag="http://uri.etsi.org/19612/TSLTag">
          <tsl:SchemeInformation>
            <tsl:TSLVersionIdentifier>5</tsl:TSLVersionIdentifier>
            <tsl:TSLSequenceNumber>7</tsl:TSLSequenceNumber>
            <tsl:TSLType>http://uri.etsi.org/TrstSvc/TrustedList/TSLType/\(type)</tsl:TSLType>
            <tsl:SchemeOperatorName><tsl:Name xml:lang="en">Test Supervisory Body \(territory)</tsl:Name></tsl:SchemeOperatorName>
            <tsl:SchemeTerritory>\(territory)</tsl:SchemeTerritory>
            \(pointers)
            <tsl:ListIssueDateTime>\(Self.time(Date().addingTimeInterval(-86_400)))</tsl:ListIssueDateTime>
            <tsl:NextUpdate><tsl:dateTime>\(Self.time(nextUpdate))</tsl:dateTime></tsl:NextUpdate>
          </tsl:SchemeInformation>
          \(providers.isEmpty ? "" : "<tsl:TrustServiceProviderList>\n\(providers)\n</tsl:TrustServiceProviderList>")
          <ds:Signature Id="signature-1">
            <ds:SignedInfo>
              <ds:CanonicalizationMethod Algorithm="http://www.w3.org/2001/10/xml-exc-c14n#"/>
              <ds:SignatureMethod Algorithm="http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha256"/>
              <ds:Reference URI="">
                <ds:Transforms>
                  <ds:Transform Algorithm="http://www.w3.org/2000/09/xmldsig#enveloped-signature"/>
                  <ds:Transform Algorithm="http://www.w3.org/2001/10/xml-exc-c14n#"/>
                </ds:Transforms>
                <ds:DigestMethod Algorithm="http://www.w3.org/2001/04/xmlenc#sha256"/>
                <ds:DigestValue/>
              </ds:Reference>
            </ds:SignedInfo>
            <ds:SignatureValue/>
            <ds:KeyInfo><ds:X509Data><ds:X509Certificate/></ds:X509Data></ds:KeyInfo>
          </ds:Signature>
        </tsl:TrustServiceStatusList>
        """
    }

    private func extensions(_ service: Service) -> String {
        let base = "http://uri.etsi.org/TrstSvc/TrustedList/SvcInfoExt/"
        var parts: [String] = []
        if !service.qualifiers.isEmpty {
            let criteria = service.qualifiedPolicies.isEmpty
                ? "<ecc:KeyUsage><ecc:KeyUsageBit name=\"nonRepudiation\">true</ecc:KeyUsageBit></ecc:KeyUsage>"
                : "<ecc:PolicySet>" + service.qualifiedPolicies.map {
                    "<ecc:PolicyIdentifier><xades:Identifier xmlns:xades=\"http://uri.etsi.org/01903/v1.3.2#\" Qualifier=\"OIDAsURN\">urn:oid:\($0)</xades:Identifier></ecc:PolicyIdentifier>"
                }.joined() + "</ecc:PolicySet>"
            parts.append("""
                <tsl:Extension Critical="true"><ecc:Qualifications xmlns:ecc="http://uri.etsi.org/TrstSvc/SvcInfoExt/eSigDir-1999-93-EC-TrustedList/#"><ecc:QualificationElement>
                  <ecc:Qualifiers>\(service.qualifiers.map { "<ecc:Qualifier uri=\"\(base)\($0)\"/>" }.joined())</ecc:Qualifiers>
                  <ecc:CriteriaList assert="atLeastOne">\(criteria)</ecc:CriteriaList>
                </ecc:QualificationElement></ecc:Qualifications></tsl:Extension>
                """)
        }
        for item in service.additional {
            parts.append("<tsl:Extension Critical=\"false\"><tsl:AdditionalServiceInformation><tsl:URI xml:lang=\"en\">\(base)\(item)</tsl:URI></tsl:AdditionalServiceInformation></tsl:Extension>")
        }
        return parts.isEmpty ? "" : "<tsl:ServiceInformationExtensions>\(parts.joined())</tsl:ServiceInformationExtensions>"
    }

    private func next(_ name: String) -> String {
        counter += 1
        return directory.appendingPathComponent("\(counter)-" + name.filter { $0.isLetter || $0.isNumber }).path
    }

    private func credential(_ base: String, chain: [String]) throws -> Credential {
        let pem = try String(contentsOfFile: "\(base).pem", encoding: .utf8)
        let body = pem.split(separator: "\n").filter { !$0.hasPrefix("-----") }.joined()
        let chainURL = URL(fileURLWithPath: "\(base).chain.pem")
        try Data(try chain.map { try String(contentsOfFile: $0, encoding: .utf8) }.joined().utf8).write(to: chainURL)
        return Credential(key: URL(fileURLWithPath: "\(base).key"), certificate: URL(fileURLWithPath: "\(base).pem"), chain: chainURL,
                          base64: body)
    }

    /// Runs `tool`, `backdatedDays` in the past when given; throws with its stderr on failure.
    private func run(backdatedDays: Int = 0, _ tool: String, _ arguments: [String]) throws {
        let result = backdatedDays > 0 ? try runBackdated(days: backdatedDays, tool, arguments) : try runCommand(tool, arguments)
        guard result.status == 0 else {
            throw ToolFailure(description: "\(tool) \(arguments.joined(separator: " ")) failed (\(result.status)): \(result.stderr)")
        }
    }

    /// xsd:dateTime in UTC.
    public static func time(_ date: Date) -> String { ISO8601DateFormatter().string(from: date) }

    public struct ToolFailure: Error, CustomStringConvertible {
        public let description: String
    }
}

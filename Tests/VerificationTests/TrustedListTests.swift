import CountersignCrypto
import Foundation
import Signing
import Testing
import TestSupport
import TrustedLists
import Verification

/// Trusted lists (ETSI TS 119 612) made and signed in the test with openssl and xmlsec1: a LOTL
/// pinned by the test, a national list it points to, a CA/QC service, and signatures by QC
/// signers judged at their signing time (docs/ltv.md, "Trusted lists").
@Suite struct TrustedListTests {
    private let fixtures = VerificationFixtures.shared
    /// Signatures are made with a claimed signing time two days ago (no timestamp: the
    /// best-signature-time is the claimed time).
    private static let signingTime = Date().addingTimeInterval(-2 * 86_400).rounded
    private static func daysAgo(_ days: Double) -> Date { Date().addingTimeInterval(-days * 86_400) }

    /// A PKI and lists for one case.
    private struct World {
        let factory: TrustedListFactory
        let lotlSigner: TrustedListFactory.Credential
        let listSigner: TrustedListFactory.Credential
        let ca: TrustedListFactory.Credential
        let signer: TrustedListFactory.Credential
        var lotl: URL
        var national: URL

        var pinned: [Certificate] { get throws { try Certificate.load(pem: Data(contentsOf: lotlSigner.certificate)) } }

        func load(_ files: [URL]? = nil, at time: Date = Date()) throws -> TrustedListSet {
            let sources = try (files ?? [lotl, national]).map {
                TrustedListSet.Source(name: $0.lastPathComponent, bytes: Array(try Data(contentsOf: $0)))
            }
            return TrustedListSet.load(sources, pinned: try pinned, at: time)
        }
    }

    private func world(statements: [TrustedListFactory.QCStatement] = [.compliance, .sscd, .typeSignature], policies: [String] = [],
                       statuses: (Date) -> [TrustedListFactory.Status] = { _ in [.init(TrustedListFactory.Status.granted, since: Self.daysAgo(60))] },
                       qualifiers: [String] = [], qualifiedPolicies: [String] = [], nextUpdate: Date = Date().addingTimeInterval(90 * 86_400)) throws -> World {
        let factory = try TrustedListFactory()
        let lotlSigner = try factory.selfSigned("Test LOTL Signer")
        let listSigner = try factory.selfSigned("Test BE TL Signer")
        let ca = try factory.selfSigned("Test QTSP Qualified CA", ca: true)
        let signer = try factory.issue("Alice Qualified", by: ca, statements: statements, policies: policies)
        var service = TrustedListFactory.Service(name: "Test QTSP Qualified CA", certificate: ca, statuses: statuses(Date()))
        service.qualifiers = qualifiers
        service.qualifiedPolicies = qualifiedPolicies
        let national = try factory.sign(factory.nationalList(territory: "BE", services: [service], nextUpdate: nextUpdate),
                                        with: listSigner, as: "tl-be.xml")
        let lotl = try factory.sign(factory.listOfLists(pointers: [("BE", "https://tl.example.test/tl-be.xml", listSigner)]),
                                    with: lotlSigner, as: "lotl.xml")
        return World(factory: factory, lotlSigner: lotlSigner, listSigner: listSigner, ca: ca, signer: signer, lotl: lotl, national: national)
    }

    private func signedContract(_ world: World) throws -> [UInt8] {
        let identity = try SigningIdentity.load(keyPEM: try Data(contentsOf: world.signer.key), password: nil,
                                                certificatesPEM: try Data(contentsOf: world.signer.chain))
        let request = SignatureRequest(placement: .field("sig_customer"), profile: .padesBB, signingTime: Self.signingTime)
        return try PDFSigner(identity: identity).sign(fixtures.contract, request: request)
    }

    private func verify(_ world: World, lists: TrustedListSet) throws -> VerificationReport {
        PDFVerifier(trustAnchors: [], trustedLists: lists).verify(bytes: try signedContract(world))
    }

    // MARK: Anchors and qualification

    @Test func validListsAnchorTheSignatureAndItIsAQualifiedElectronicSignature() throws {
        let world = try world()
        let lists = try world.load()
        #expect(lists.refused.isEmpty, "\(lists.refused)")
        #expect(lists.lists.map(\.kind) == [.listOfTrustedLists, .trustedList] && lists.missingPointers.isEmpty)
        let report = try verify(world, lists: lists)
        let signature = report.signatures[0]
        #expect(signature.verdict == .passed, "\(signature.reasons)")
        let qualification = try #require(signature.qualification)
        #expect(qualification.level == "QESig", "\(qualification)")
        #expect(qualification.qualifiedCertificate && qualification.qscd && qualification.type == "esign")
        #expect(qualification.service?.territory == "BE" && qualification.service?.status == "granted" && qualification.service?.type == "CA/QC")
        #expect(report.trustedLists?.lists.count == 2)
        #expect(report.text.contains("qualified:   QESig"), "\(report.text)")
        let etsi = try #require(report.etsiXML)
        #expect(etsi.contains("urn:cef:dss:signatureQualification:QESig"))
        // The lists the anchor came from are validation objects of the report.
        #expect(etsi.components(separatedBy: "<ObjectType>urn:etsi:019102:validationObject:other</ObjectType>").count == 3)
        #expect(etsi.contains("trusted list: LOTL EU") && etsi.contains("trusted list: TL BE"), "\(etsi)")
        let schemaProblem = try ETSIReportJudge.problem(in: etsi)
        #expect(schemaProblem == nil)
    }

    @Test(arguments: [
        ([TrustedListFactory.QCStatement.compliance, .typeSignature], [String](), "AdESig-QC"),
        ([.compliance, .typeSignature], ["QCWithSSCD"], "QESig"),
        ([.compliance, .sscd, .typeSeal], [], "AdESeal"),  // the service is for e-signatures only (ForeSignatures)
        ([], [], "AdESig"),
        ([], ["QCStatement", "QCForESig", "QCWithQSCD"], "QESig"),
        ([.compliance, .sscd, .typeSignature], ["NotQualified"], "AdESig"),
    ])
    func qualificationCombinesTheCertificateWithTheServiceQualifiers(statements: [TrustedListFactory.QCStatement], qualifiers: [String],
                                                                    expected: String) throws {
        let world = try world(statements: statements, qualifiers: qualifiers)
        let signature = try verify(world, lists: try world.load()).signatures[0]
        #expect(signature.verdict == .passed, "\(signature.reasons)")
        #expect(signature.qualification?.level == expected, "\(String(describing: signature.qualification))")
    }

    /// EN 319 411-2 policies say what QcStatements would: QCP-n-qscd is a qualified e-signature
    /// certificate with its key in a QSCD, QCP-n one without a QSCD.
    @Test(arguments: [("0.4.0.194112.1.2", "QESig"), ("0.4.0.194112.1.0", "AdESig-QC"), ("1.2.3.4", "AdESig")])
    func qualifiedPoliciesCountLikeStatements(policy: String, expected: String) throws {
        let world = try world(statements: [], policies: [policy])
        let signature = try verify(world, lists: try world.load()).signatures[0]
        #expect(signature.verdict == .passed, "\(signature.reasons)")
        #expect(signature.qualification?.level == expected, "\(String(describing: signature.qualification))")
    }

    /// A qualifier applies only to the certificates its CriteriaList selects: here a PolicySet
    /// (the OID as a URN, as lists write it).
    @Test(arguments: [("1.3.6.1.4.1.99999.1", "QESig"), ("1.3.6.1.4.1.99999.2", "AdESig-QC")])
    func aQualifierAppliesOnlyToTheCertificatesItsCriteriaSelect(policy: String, expected: String) throws {
        let world = try world(statements: [.compliance, .typeSignature], policies: [policy], qualifiers: ["QCWithQSCD"],
                              qualifiedPolicies: ["1.3.6.1.4.1.99999.1"])
        let signature = try verify(world, lists: try world.load()).signatures[0]
        #expect(signature.qualification?.level == expected, "\(String(describing: signature.qualification))")
    }

    /// Directive 1999/93/EC lists used other status URIs: under supervision and accredited anchor
    /// like granted, a service only ever "supervision revoked" anchors nothing; one recognised at national level
    /// anchors but does not make its certificates qualified.
    @Test(arguments: [
        ("http://uri.etsi.org/TrstSvc/eSigDir-1999-93-EC-TrustedList/Svcstatus/undersupervision", Verdict.passed, "QESig"),
        ("http://uri.etsi.org/TrstSvc/eSigDir-1999-93-EC-TrustedList/Svcstatus/accredited", .passed, "QESig"),
        ("http://uri.etsi.org/TrstSvc/eSigDir-1999-93-EC-TrustedList/Svcstatus/supervisionrevoked", .indeterminate, "N/A"),  // never granted: no anchor at all
        ("http://uri.etsi.org/TrstSvc/TrustedList/Svcstatus/recognisedatnationallevel", .passed, "AdESig"),
    ])
    func statusURIsOfBothGenerationsAreRead(status: String, verdict: Verdict, level: String) throws {
        let world = try world(statuses: { _ in [.init(status, since: Self.daysAgo(60))] })
        let signature = try verify(world, lists: try world.load()).signatures[0]
        #expect(signature.verdict == verdict, "\(signature.reasons)")
        #expect(signature.qualification?.level == level, "\(String(describing: signature.qualification))")
    }

    @Test func aServiceWithdrawnBeforeTheSigningTimeAnchorsNothing() throws {
        let world = try world(statuses: { _ in [.init(TrustedListFactory.Status.withdrawn, since: Self.daysAgo(3)),
                                                .init(TrustedListFactory.Status.granted, since: Self.daysAgo(60))] })
        let signature = try verify(world, lists: try world.load()).signatures[0]
        #expect(signature.verdict == .indeterminate)
        #expect(signature.subIndication == .noCertificateChainFound, "\(signature.reasons)")
        #expect(signature.reasons.contains { $0.contains("withdrawn") && $0.contains("not granted") }, "\(signature.reasons)")
        #expect(signature.qualification?.level.hasPrefix("Indeterminate") == true, "\(String(describing: signature.qualification))")
    }

    @Test func aServiceWithdrawnAfterTheSigningTimeStillAnchorsIt() throws {
        let world = try world(statuses: { _ in [.init(TrustedListFactory.Status.withdrawn, since: Self.daysAgo(1)),
                                                .init(TrustedListFactory.Status.granted, since: Self.daysAgo(60))] })
        let signature = try verify(world, lists: try world.load()).signatures[0]
        #expect(signature.verdict == .passed, "\(signature.reasons)")
        #expect(signature.qualification?.level == "QESig")
        #expect(signature.qualification?.service?.status == "granted")
    }

    @Test func anExpiredListIsUsedAndReported() throws {
        let world = try world(nextUpdate: Self.daysAgo(1))
        let lists = try world.load()
        #expect(lists.expired.map(\.territory) == ["BE"])
        let report = try verify(world, lists: lists)
        #expect(report.trustedLists?.lists.first { $0.territory == "BE" }?.expired == true)
        #expect(report.signatures[0].qualification?.reasons.contains { $0.contains("NextUpdate") } == true)
    }

    @Test func aPointerWithoutItsListIsNamed() throws {
        let world = try world()
        let lotl = try world.factory.sign(world.factory.listOfLists(pointers: [("BE", "https://tl.example.test/tl-be.xml", world.listSigner),
                                                                              ("FR", "https://tl.example.test/tl-fr.xml", world.listSigner)]),
                                          with: world.lotlSigner, as: "lotl-two.xml")
        let lists = try world.load([lotl, world.national])
        #expect(lists.missingPointers.map(\.territory) == ["FR"])
        #expect(lists.lists.count == 2)
    }

    /// The EU's lists carry XAdES signatures: a second reference, to the signed properties inside
    /// the signature. Both must verify; a changed signing time breaks the list.
    @Test func aXAdESSignedListVerifiesAndItsSignedPropertiesAreCovered() throws {
        let world = try world()
        let service = TrustedListFactory.Service(name: "Test QTSP Qualified CA", certificate: world.ca,
                                                 statuses: [.init(TrustedListFactory.Status.granted, since: Self.daysAgo(60))])
        let xades = try world.factory.sign(world.factory.nationalList(territory: "BE", services: [service]), with: world.listSigner,
                                           as: "tl-be-xades.xml", xades: true)
        let text = try String(contentsOf: xades, encoding: .utf8)
        #expect(text.contains("#xades-signed-properties"))
        let lists = try world.load([world.lotl, xades])
        #expect(lists.refused.isEmpty && lists.lists.count == 2, "\(lists.refused)")
        #expect(try verify(world, lists: lists).signatures[0].qualification?.level == "QESig")

        let time = try #require(text.range(of: "<xades:SigningTime>").map { text[$0.upperBound...].prefix(4) })
        let changed = text.replacingOccurrences(of: "<xades:SigningTime>\(time)", with: "<xades:SigningTime>1999")
        let broken = try world.load([world.lotl, try world.factory.write(changed, "tl-be-xades-changed.xml")])
        #expect(broken.refused.map(\.error.code) == [.signatureInvalid], "\(broken.refused)")
    }

    /// A timestamp authority listed as a TSA/QTST service anchors the signature timestamp while
    /// the service is granted at the token's time; withdrawn before it, the timestamp is not trusted.
    @Test(arguments: [false, true])
    func aTimestampAuthorityIsAnchoredByItsServiceAtTheTokenTime(withdrawn: Bool) throws {
        let world = try world()
        let tsa = try fixtures.tsa
        var service = TrustedListFactory.Service(name: "Test Qualified Timestamps", certificate: try world.factory.credential(certificate: tsa.rootCertificate),
                                                 statuses: [.init(TrustedListFactory.Status.granted, since: Self.daysAgo(60))])
        if withdrawn { service.statuses.insert(.init(TrustedListFactory.Status.withdrawn, since: Self.daysAgo(1)), at: 0) }
        service.type = "http://uri.etsi.org/TrstSvc/Svctype/TSA/QTST"
        service.additional = []
        let qualified = TrustedListFactory.Service(name: "Test QTSP Qualified CA", certificate: world.ca,
                                                   statuses: [.init(TrustedListFactory.Status.granted, since: Self.daysAgo(60))])
        let national = try world.factory.sign(world.factory.nationalList(territory: "BE", services: [qualified, service]),
                                              with: world.listSigner, as: "tl-be-tsa.xml")
        let identity = try SigningIdentity.load(keyPEM: try Data(contentsOf: world.signer.key), password: nil,
                                                certificatesPEM: try Data(contentsOf: world.signer.chain))
        let signed = try PDFSigner(identity: identity, timestampClient: TimestampClient(url: tsa.url))
            .sign(fixtures.contract, request: SignatureRequest(placement: .field("sig_customer"), profile: .padesBT, signingTime: Date()))
        let signature = PDFVerifier(trustAnchors: [], trustedLists: try world.load([world.lotl, national])).verify(bytes: signed).signatures[0]
        let timestamp = try #require(signature.timestamp)
        #expect(timestamp.intact)
        if withdrawn {
            #expect(!timestamp.trusted)
            #expect(signature.issues.contains { $0.code == .untrustedTimestamp && $0.reason.contains("withdrawn") }, "\(signature.reasons)")
        } else {
            #expect(timestamp.trusted && signature.verdict == .passed, "\(signature.reasons)")
            #expect(signature.qualification?.time == timestamp.genTime && signature.qualification?.level == "QESig")
        }
    }

    // MARK: Refused lists

    @Test func aListChangedAfterSigningIsRefusedAndAnchorsNothing() throws {
        let world = try world()
        var bytes = Array(try Data(contentsOf: world.national))
        let marker = Array("Test QTSP Qualified CA".utf8)
        let at = try #require(bytes.indices.first { bytes[$0..<min($0 + marker.count, bytes.count)].elementsEqual(marker) })
        bytes[at + 5] = UInt8(ascii: "X")  // one byte of a service name
        try Data(bytes).write(to: world.national)
        let lists = try world.load()
        #expect(lists.refused.map(\.error.code) == [.signatureInvalid], "\(lists.refused)")
        #expect(lists.refused.first?.error.reason.contains("does not verify") == true)
        #expect(lists.lists.map(\.territory) == ["EU"] && lists.anchorCertificates.isEmpty)
        let report = try verify(world, lists: lists)
        let signature = report.signatures[0]
        #expect(signature.verdict == .indeterminate && signature.issues.contains { $0.code == .untrusted })
        #expect(signature.qualification?.level == "N/A")
        // The ETSI report names the refused list as an indeterminate validation object.
        let etsi = try #require(report.etsiXML)
        #expect(etsi.contains("trusted list: refused (signatureInvalid)"), "\(etsi)")
        let schemaProblem = try ETSIReportJudge.problem(in: etsi)
        #expect(schemaProblem == nil)
    }

    @Test func aNationalListSignedByAnUnpinnedCertificateIsRefused() throws {
        let world = try world()
        let rogue = try world.factory.selfSigned("Rogue TL Signer")
        let ca = try world.factory.selfSigned("Rogue CA", ca: true)
        let forged = try world.factory.sign(world.factory.nationalList(territory: "BE", services: [
            .init(name: "Rogue CA", certificate: ca, statuses: [.init(TrustedListFactory.Status.granted, since: Self.daysAgo(60))]),
        ]), with: rogue, as: "tl-be-forged.xml")
        let lists = try world.load([world.lotl, forged])
        #expect(lists.refused.map(\.error.code) == [.unpinnedSigner], "\(lists.refused)")
        #expect(lists.refused.first?.error.reason.contains("Rogue TL Signer") == true)
        #expect(lists.anchorCertificates.isEmpty)
    }

    @Test func aLOTLSignedByAnUnpinnedCertificateIsRefusedAndSoAreItsLists() throws {
        let world = try world()
        let rogue = try world.factory.selfSigned("Rogue LOTL Signer")
        let forged = try world.factory.sign(world.factory.listOfLists(pointers: [("BE", "https://tl.example.test/tl-be.xml", world.listSigner)]),
                                            with: rogue, as: "lotl-forged.xml")
        let lists = try world.load([forged, world.national])
        // The national list is then pinned by nothing the caller trusts: its own signer is not enough.
        #expect(lists.refused.map(\.error.code) == [.unpinnedSigner, .unpinnedSigner], "\(lists.refused)")
        #expect(lists.refused.first?.error.reason.contains("Rogue LOTL Signer") == true)
        #expect(lists.lists.isEmpty && lists.anchorCertificates.isEmpty)
    }

    // MARK: Hostile XML

    @Test func externalEntitiesAreRefusedWithoutFetchingAnything() throws {
        let world = try world()
        let server = try LoopbackHTTPServer { _ in .init(status: "200 OK", contentType: "text/plain", body: Array("BE".utf8)) }
        defer { server.stop() }
        let signed = try String(contentsOf: world.national, encoding: .utf8)
        let hostile = signed.replacingOccurrences(of: "<?xml version=\"1.0\" encoding=\"UTF-8\"?>",
                                                  with: "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<!DOCTYPE tsl:TrustServiceStatusList [<!ENTITY territory SYSTEM \"\(server.baseURL.absoluteString)/x\">]>")
            .replacingOccurrences(of: "<tsl:SchemeTerritory>BE</tsl:SchemeTerritory>", with: "<tsl:SchemeTerritory>&territory;</tsl:SchemeTerritory>")
        let lists = try world.load([world.lotl, try world.factory.write(hostile, "xxe.xml")])
        #expect(lists.refused.map(\.error.code) == [.hostileXML], "\(lists.refused)")
        #expect(server.requestCount == 0)
    }

    @Test func entityExpansionIsRefused() throws {
        let world = try world()
        var entities = "<!ENTITY a0 \"lol\">"
        for level in 1...9 { entities += "<!ENTITY a\(level) \"" + String(repeating: "&a\(level - 1);", count: 10) + "\">" }
        let bomb = "<?xml version=\"1.0\"?>\n<!DOCTYPE tsl:TrustServiceStatusList [\(entities)]>\n"
            + "<tsl:TrustServiceStatusList xmlns:tsl=\"http://uri.etsi.org/02231/v2#\">&a9;</tsl:TrustServiceStatusList>"
        let lists = try world.load([world.lotl, try world.factory.write(bomb, "laughs.xml")])
        #expect(lists.refused.map(\.error.code) == [.hostileXML], "\(lists.refused)")
    }

    @Test func aSecondSignatureIsRefused() throws {
        let world = try world()
        let signed = try String(contentsOf: world.national, encoding: .utf8)
        let signature = try #require(signed.range(of: "<ds:Signature").map { signed[$0.lowerBound...] }
            .flatMap { text in text.range(of: "</ds:Signature>").map { String(text[..<$0.upperBound]) } })
        // A wrapped copy: the original signature moved under an extension, a forged one in its place.
        let wrapped = signed.replacingOccurrences(of: "</tsl:SchemeInformation>",
                                                  with: "<tsl:SchemeInformationExtensions>\(signature)</tsl:SchemeInformationExtensions></tsl:SchemeInformation>")
        let lists = try world.load([world.lotl, try world.factory.write(wrapped, "wrapped.xml")])
        #expect(lists.refused.map(\.error.code) == [.hostileXML], "\(lists.refused)")
        #expect(lists.refused.first?.error.reason.contains("2 ds:Signature") == true)
    }

    /// Signs a list whose single reference is `#id` (the element with that Id, enveloped).
    private func signReferencing(_ id: String, element: String, _ world: World) throws -> URL {
        var template = world.factory.nationalList(territory: "BE", services: [])
            .replacingOccurrences(of: "<ds:Reference URI=\"\">", with: "<ds:Reference URI=\"#\(id)\">")
        if element == "SchemeInformation" {
            template = template.replacingOccurrences(of: "<tsl:SchemeInformation>", with: "<tsl:SchemeInformation Id=\"\(id)\">")
        }
        let unsigned = try world.factory.write(template, "\(id).unsigned.xml")
        let signed = world.factory.directory.appendingPathComponent("\(id).xml")
        let result = try runCommand("xmlsec1", ["--sign", "--id-attr:Id", "http://uri.etsi.org/02231/v2#:\(element)", "--privkey-pem",
                                                "\(world.listSigner.key.path),\(world.listSigner.certificate.path)",
                                                "--output", signed.path, unsigned.path])
        try #require(result.status == 0, "\(result.stderr)")
        return signed
    }

    @Test func aSignatureThatDoesNotCoverTheWholeListIsRefused() throws {
        let world = try world()
        let lists = try world.load([world.lotl, try signReferencing("scheme", element: "SchemeInformation", world)])
        #expect(lists.refused.map(\.error.code) == [.signatureShape], "\(lists.refused)")
        #expect(lists.refused.first?.error.reason.contains("#scheme") == true)
    }

    /// Some lists reference their root element by Id instead of URI="": the same whole document.
    @Test func aReferenceToTheRootElementCoversTheWholeList() throws {
        let world = try world()
        let lists = try world.load([world.lotl, try signReferencing("TrustServiceStatusList-1", element: "TrustServiceStatusList", world)])
        #expect(lists.refused.isEmpty && lists.lists.count == 2, "\(lists.refused)")
    }
}

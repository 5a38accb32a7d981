import CountersignCrypto
import PDFSyntax

extension PDFVerifier {
    /// Lists what the report names but does not judge: signature fields nobody has signed, and
    /// usage-rights signatures (`/Perms /UR3`, `/UR`) — those grant features in Adobe Reader and
    /// say nothing about who agreed to the content, so they never change a verdict.
    func listUnjudged(_ document: PDFDocument, into report: inout VerificationReport) throws {
        report.unsignedSignatureFields = try document.formFields().unsignedSignatureFieldNames
        guard let permissions = try document.resolve(try document.catalog(), "Perms")?.dictionaryValue else { return }
        for key in ["UR3", "UR"] {
            guard let value = permissions[PDFName(key)], case .dictionary(let dictionary) = try document.resolve(value) else { continue }
            var signer: SignerIdentity?
            if case .string(let contents)? = try document.resolve(dictionary, "Contents"),
               let length = BEREncoding.length(ofValueAtStartOf: contents.bytes),
               let cms = try? CMSSignedData.parse(der: Array(contents.bytes.prefix(length))),
               let certificate = cms.signers.first?.certificate {
                signer = SignerIdentity(certificate)
            }
            report.usageRights.append(UsageRightsSignature(permission: key,
                                                           subFilter: dictionary["SubFilter"]?.nameValue?.string, signer: signer))
        }
    }
}

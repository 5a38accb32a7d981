internal import CLibXML2
internal import CXMLSec
import CountersignCrypto
import Foundation
import Synchronization

/// Verifies a trusted list's enveloped XML signature with libxmlsec1 against pinned
/// certificates (ETSI TS 119 612 §5.7).
///
/// Before xmlsec runs, the signature's shape is checked so that "it verifies" means "the whole
/// list is what the signer signed": exactly one `ds:Signature` in the document, a child of the
/// root; one reference with `URI=""` (or the root element's `Id`) and the enveloped-signature
/// transform (the whole document minus the signature); any other reference points into the signature itself (XAdES
/// `SignedProperties`); transforms limited to enveloped-signature and canonicalization (no
/// XPath, XSLT or external URI — xmlsec is told the same). The key is never taken from the
/// document: each pinned certificate's key is tried, so a list signed by anyone else fails.
enum EnvelopedSignature {
    static let envelopedTransform = "http://www.w3.org/2000/09/xmldsig#enveloped-signature"
    static let canonicalizations: Set<String> = [
        "http://www.w3.org/2001/10/xml-exc-c14n#", "http://www.w3.org/2001/10/xml-exc-c14n#WithComments",
        "http://www.w3.org/TR/2001/REC-xml-c14n-20010315", "http://www.w3.org/TR/2001/REC-xml-c14n-20010315#WithComments",
        "http://www.w3.org/2006/12/xml-c14n11",
    ]

    /// The signature methods libxmlsec1 1.2 checks with OpenSSL: RSA PKCS#1 v1.5 and ECDSA with SHA-2.
    static let signatureMethods: Set<String> = [
        "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256", "http://www.w3.org/2001/04/xmldsig-more#rsa-sha384",
        "http://www.w3.org/2001/04/xmldsig-more#rsa-sha512", "http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha256",
        "http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha384", "http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha512",
    ]

    /// xmlsec keeps process-wide state (its error callback, transform registry): one
    /// verification at a time, and it is initialised once.
    private static let lock = Mutex<Void>(())
    private static let initialised: String? = {
        guard xmlSecInit() >= 0 else { return "xmlSecInit failed" }
        guard xmlSecCheckVersionExt(XMLSEC_VERSION_MAJOR, XMLSEC_VERSION_MINOR, XMLSEC_VERSION_SUBMINOR,
                                    xmlSecCheckVersionABICompatible) == 1 else {
            return "the installed libxmlsec1 is not ABI-compatible with \(XMLSEC_VERSION) (the version built against)"
        }
        guard xmlSecOpenSSLAppInit(nil) >= 0, xmlSecOpenSSLInit() >= 0 else { return "xmlsec's OpenSSL engine failed to start" }
        xmlSecErrorsSetCallback { _, _, function, object, subject, reason, message in
            let text = [function, object, subject, message].compactMap { $0.map { String(cString: $0) } }
                .filter { !$0.isEmpty && $0 != "NULL" }.joined(separator: ": ")
            EnvelopedSignature.record("\(text) (reason \(reason))")
        }
        return nil
    }()

    private static func record(_ message: String) {
        // Called from inside a locked verification (the lock's owner), so the buffer is ours.
        collected.withLock { $0.append(message) }
    }
    private static let collected = Mutex<[String]>([])

    /// Checks the shape of the document's signature; returns the `ds:Signature` element.
    static func checkShape(of root: XMLElement, name: String) throws -> XMLElement {
        let signatures = [root].flatMap { [$0].filter(isSignature) + $0.descendants(where: isSignature) }
        guard !signatures.isEmpty else {
            throw TrustedListError(.signatureShape, "\(name) is not signed: it has no ds:Signature, and TS 119 612 lists must be signed")
        }
        guard signatures.count == 1 else {
            throw TrustedListError(.hostileXML,
                "\(name) holds \(signatures.count) ds:Signature elements; a trusted list has exactly one (a second one is how signature-wrapping attacks hide content)")
        }
        guard let signature = root.children.first(where: isSignature) else {
            throw TrustedListError(.signatureShape, "\(name)'s ds:Signature is not a child of the root element, so it is not the list's enveloped signature")
        }
        var ids: [String: Int] = [:]
        for element in [root] + root.descendants(where: { _ in true }) {
            if let id = element.attributes["Id"] ?? element.attributes["ID"] ?? element.attributes["id"] { ids[id, default: 0] += 1 }
        }
        if let repeated = ids.first(where: { $0.value > 1 }) {
            throw TrustedListError(.hostileXML, "\(name) has \(repeated.value) elements with Id \"\(repeated.key)\"; a reference to it would be ambiguous")
        }
        let signatureIds = Set(signature.descendants { $0.attributes["Id"] != nil }.compactMap { $0.attributes["Id"] })
        guard let signedInfo = signature.child("SignedInfo") else {
            throw TrustedListError(.signatureShape, "\(name)'s signature has no SignedInfo")
        }
        let method = signedInfo.child("CanonicalizationMethod")?.attributes["Algorithm"] ?? ""
        guard canonicalizations.contains(method) else {
            throw TrustedListError(.signatureShape, "\(name)'s signature uses the canonicalization \(method.isEmpty ? "(none)" : method), not an XML canonicalization")
        }
        let signatureMethod = signedInfo.child("SignatureMethod")?.attributes["Algorithm"] ?? ""
        guard signatureMethods.contains(signatureMethod) else {
            throw TrustedListError(.signatureShape,
                "\(name) is signed with \(signatureMethod.isEmpty ? "no SignatureMethod" : signatureMethod), which is not checked here (RSA or ECDSA with SHA-256, -384 or -512; SHA-1 is too weak, RSASSA-PSS is not supported by libxmlsec1 1.2)")
        }
        var wholeDocument = 0
        for reference in signedInfo.children("Reference") {
            let uri = reference.attributes["URI"]
            let transforms = reference.child("Transforms")?.children("Transform").map { $0.attributes["Algorithm"] ?? "" } ?? []
            for transform in transforms where transform != envelopedTransform && !canonicalizations.contains(transform) {
                throw TrustedListError(.signatureShape,
                    "\(name)'s signature applies the transform \(transform) to a reference; only the enveloped-signature transform and canonicalization are allowed (no XPath, no XSLT)")
            }
            // URI="" or the root element's Id: the whole list (some lists name their root by Id).
            let rootId = root.attributes["Id"].map { "#" + $0 }
            if uri == "" || (uri != nil && uri == rootId) {
                guard transforms.contains(envelopedTransform) else {
                    throw TrustedListError(.signatureShape, "\(name)'s whole-document reference lacks the enveloped-signature transform")
                }
                wholeDocument += 1
            } else if let uri, uri.hasPrefix("#"), signatureIds.contains(String(uri.dropFirst())) {
                continue  // XAdES SignedProperties, inside the signature
            } else {
                throw TrustedListError(.signatureShape,
                    "\(name)'s signature references \(uri.map { "\"\($0)\"" } ?? "nothing (no URI)"); only the whole document (URI=\"\" or the root element's Id) and the signature's own signed properties may be referenced")
            }
        }
        guard wholeDocument == 1 else {
            throw TrustedListError(.signatureShape,
                "\(name)'s signature has \(wholeDocument) references to the whole document (URI=\"\"); it needs exactly one, or the list is not covered as a whole")
        }
        return signature
    }

    /// Verifies the signature of `document` with the key of one of `pinned`; returns the
    /// certificate whose key verified it.
    static func verify(_ document: ParsedXMLDocument, name: String, pinned: [Certificate]) throws -> Certificate {
        let signature = try checkShape(of: document.root, name: name)
        let embedded = signature.descendants { $0.name == "X509Certificate" }.compactMap { element -> Certificate? in
            guard let der = Data(base64Encoded: element.text, options: .ignoreUnknownCharacters) else { return nil }
            return try? Certificate(derEncoded: Array(der))
        }
        guard !pinned.isEmpty else {
            let signer = embedded.first.map { " (it names \($0.subject) as its signer)" } ?? ""
            throw TrustedListError(.noPinnedSigner,
                "no certificate is pinned for \(name)\(signer): give its signer with --trust-list-signer, or the LOTL that points to it")
        }
        return try lock.withLock { _ in
            if let failure = initialised { throw TrustedListError(.systemLibrary, "libxmlsec1: \(failure)") }
            guard let root = document.rootNode, let node = signatureNode(root) else {
                throw TrustedListError(.signatureShape, "\(name)'s ds:Signature cannot be found in the parsed tree")
            }
            registerIDs(document, root)
            // The signer the list names first, when pinned: the usual case takes one verification.
            let ordered = pinned.filter { embedded.contains($0) } + pinned.filter { !embedded.contains($0) }
            var messages: [String] = []
            for candidate in ordered {
                switch try check(node, with: candidate, name: name) {
                case .valid: return candidate
                case .invalid(let why): messages.append(why)
                }
            }
            if let named = embedded.first, !pinned.contains(named), case .valid = try check(node, with: named, name: name) {
                throw TrustedListError(.unpinnedSigner,
                    "\(name) is signed by \(named.subject) (SHA-256 \(named.sha256Fingerprint)), which is not pinned; pinned: \(pinned.map(\.subject).joined(separator: "; ")) — refused")
            }
            throw TrustedListError(.signatureInvalid,
                "\(name)'s signature does not verify with any pinned certificate (\(pinned.map(\.subject).joined(separator: "; "))): the list changed after signing or was signed by someone else — refused (\(messages.first ?? "invalid"))")
        }
    }

    private enum Outcome {
        case valid
        case invalid(String)
    }

    private static func check(_ node: xmlNodePtr, with certificate: Certificate, name: String) throws -> Outcome {
        collected.withLock { $0.removeAll() }
        guard let context = xmlSecDSigCtxCreate(nil) else {
            throw TrustedListError(.systemLibrary, "libxmlsec1 cannot create a signature context")
        }
        defer { xmlSecDSigCtxDestroy(context) }
        guard cs_xmlsec_restrict_transforms(context) == 0 else {
            throw TrustedListError(.systemLibrary, "libxmlsec1 refused the transform allow-list")
        }
        let der = certificate.derEncoded
        guard let key = der.withUnsafeBufferPointer({
            xmlSecOpenSSLAppKeyLoadMemory($0.baseAddress, UInt32(der.count), cs_xmlsec_format_certificate_der(), nil, nil, nil)
        }) else {
            return .invalid("the key of \(certificate.subject) cannot be used by xmlsec: \(errors())")
        }
        context.pointee.signKey = key  // owned by the context from here on
        guard xmlSecDSigCtxVerify(context, node) >= 0 else {
            return .invalid("xmlsec could not process the signature: \(errors())")
        }
        guard context.pointee.status == xmlSecDSigStatusSucceeded else {
            return .invalid("the signature value or a reference digest does not match")
        }
        let references = withUnsafeMutablePointer(to: &context.pointee.signedInfoReferences) { list in
            (0..<xmlSecPtrListGetSize(list)).compactMap { index in
                xmlSecPtrListGetItem(list, index)?.assumingMemoryBound(to: xmlSecDSigReferenceCtx.self)
            }
        }
        guard !references.isEmpty, references.allSatisfy({ $0.pointee.status == xmlSecDSigStatusSucceeded }) else {
            return .invalid("a reference digest does not match")
        }
        return .valid
    }

    private static func errors() -> String {
        collected.withLock { $0.suffix(2).joined(separator: "; ") }.nonEmpty ?? "no detail"
    }

    /// Registers the `Id` attributes as XML IDs (XAdES SignedProperties are referenced by Id).
    private static func registerIDs(_ document: ParsedXMLDocument, _ root: xmlNodePtr) {
        var names: [UnsafePointer<xmlChar>?] = []
        let id = Array("Id".utf8CString).map { xmlChar(bitPattern: $0) }
        id.withUnsafeBufferPointer { buffer in
            names = [buffer.baseAddress, nil]
            names.withUnsafeMutableBufferPointer { xmlSecAddIDs(document.document, root, $0.baseAddress) }
        }
    }

    private static func signatureNode(_ root: xmlNodePtr) -> xmlNodePtr? {
        var child = root.pointee.children
        while let node = child {
            if node.pointee.type == XML_ELEMENT_NODE, String(cString: node.pointee.name) == "Signature",
               node.pointee.ns.flatMap({ $0.pointee.href.map { String(cString: $0) } }) == XMLNamespace.dsig {
                return node
            }
            child = node.pointee.next
        }
        return nil
    }

    private static func isSignature(_ element: XMLElement) -> Bool {
        element.name == "Signature" && element.namespace == XMLNamespace.dsig
    }
}

extension String {
    var nonEmpty: String? { isEmpty ? nil : self }
}

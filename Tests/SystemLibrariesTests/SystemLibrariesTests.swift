import CCairo
import CLibXML2
import COpenSSL
import CPango
import CPoppler
import CZlib
import Testing

/// Each system library target links and answers a call; the shims' wrappers are callable.
@Suite struct SystemLibrariesTests {
    @Test func cairoAndPangoLink() {
        #expect(String(cString: cairo_version_string()).split(separator: ".").count == 3)
        #expect(String(cString: pango_version_string()).hasPrefix("1."))
        #expect(cs_pango_scale() == 1024)
    }

    @Test func popplerLinks() {
        #expect(String(cString: poppler_get_version()).split(separator: ".").count >= 2)
    }

    @Test func libxml2ParsesAndFrees() {
        let xml = "<a b=\"c\"/>"
        let doc = xml.withCString { xmlReadMemory($0, Int32(xml.utf8.count), "t.xml", nil, 0) }
        #expect(doc != nil)
        if let doc, let root = xmlDocGetRootElement(doc) {
            #expect(cs_xml_node_line(root) == 1)
            let value = xmlGetProp(root, "b")
            #expect(value.map { String(cString: $0) } == "c")
            cs_xmlFree(value)
        }
        xmlFreeDoc(doc)
    }

    @Test func openSSLDigests() {
        var digest = [UInt8](repeating: 0, count: 32)
        var length: UInt32 = 0
        let ok = Array("abc".utf8).withUnsafeBytes { bytes in
            EVP_Digest(bytes.baseAddress, bytes.count, &digest, &length, EVP_sha256(), nil)
        }
        #expect(ok == 1 && length == 32)
        #expect(digest.prefix(4) == [0xBA, 0x78, 0x16, 0xBF])
        let pointer = CRYPTO_malloc(16, #fileID, #line)
        cs_OPENSSL_free(pointer)
        #expect(cs_sk_X509_num(nil) <= 0)
    }

    @Test func zlibRoundTrips() {
        var stream = z_stream()
        #expect(cs_deflateInit(&stream, 6) == Z_OK)
        deflateEnd(&stream)
        #expect(String(cString: zlibVersion()).hasPrefix("1."))
    }
}

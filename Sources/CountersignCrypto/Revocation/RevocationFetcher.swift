public import Foundation

/// Fetches revocation data over the network (`verify --online`, B-LT signing): OCSP from a
/// certificate's AIA responders (RFC 6960 over HTTP POST, with a nonce that must be echoed
/// back unchanged when it is echoed at all) and CRLs from its distribution points (HTTP GET).
/// Every exchange is bounded by `timeout`; plain http:// only, as RFC 5280 and RFC 6960 expect.
public struct RevocationFetcher: Sendable {
    /// The limit for connecting and for each whole exchange.
    public var timeout: TimeInterval
    /// The largest CRL accepted.
    public var maximumCRLSize: Int

    public init(timeout: TimeInterval = 10, maximumCRLSize: Int = 16 << 20) {
        self.timeout = timeout
        self.maximumCRLSize = maximumCRLSize
    }

    /// Asks each OCSP responder `certificate` names, in order, until one answers with a
    /// successful response; `.network` (or `.malformed`) from the last one tried otherwise.
    public func ocsp(for certificate: Certificate, issuer: Certificate) throws -> OCSPResponse {
        let urls = certificate.ocspURLs
        guard !urls.isEmpty else { throw CryptoError(.invalidArgument, "\(certificate.subject) names no OCSP responder") }
        var last: any Error = CryptoError(.network, "no OCSP responder answered")
        for url in urls {
            do {
                let request = try OCSPRequest(certificate: certificate, issuer: issuer)
                let http = HTTPClient(connectTimeout: timeout, readTimeout: timeout)
                let reply = try http.post(url, contentType: "application/ocsp-request", accept: "application/ocsp-response",
                                          body: try request.der())
                guard reply.status == 200 else { throw CryptoError(.network, "\(url.absoluteString) answered HTTP \(reply.status)") }
                let response = try OCSPResponse(der: reply.body)
                guard response.responseStatus == .successful else {
                    throw CryptoError(.network, "\(url.absoluteString) answered OCSP status \(response.responseStatus.map { "\($0)" } ?? "unknown")")
                }
                guard response.nonceAgrees(with: request) else {
                    throw CryptoError(.signatureInvalid, "\(url.absoluteString) echoed a nonce that is not the request's (a replayed response)")
                }
                return response
            } catch {
                last = error
            }
        }
        throw last
    }

    /// Downloads the CRL from each distribution point `certificate` names, in order, until one
    /// parses; the error from the last one tried otherwise.
    public func crl(for certificate: Certificate) throws -> CertificateRevocationList {
        let urls = certificate.crlURLs
        guard !urls.isEmpty else { throw CryptoError(.invalidArgument, "\(certificate.subject) names no CRL distribution point") }
        var last: any Error = CryptoError(.network, "no CRL distribution point answered")
        for url in urls {
            do {
                var http = HTTPClient(connectTimeout: timeout, readTimeout: timeout)
                http.maximumResponseSize = maximumCRLSize
                let reply = try http.get(url, accept: "application/pkix-crl")
                guard reply.status == 200 else { throw CryptoError(.network, "\(url.absoluteString) answered HTTP \(reply.status)") }
                return try CertificateRevocationList(der: reply.body)
            } catch {
                last = error
            }
        }
        throw last
    }
}

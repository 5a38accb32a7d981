import Foundation

/// E-mail addresses as SMTP and headers carry them. An internationalised domain
/// (`müller.example`, `例子.广告`) is written in its ASCII form (IDNA A-labels, `xn--…`), which
/// every relay takes; a local part that is not ASCII (`用户@…`) can only travel through a relay
/// that offers SMTPUTF8 (RFC 6531), so the client asks for it then and refuses otherwise.
public enum MailAddress {
    /// `address` with its domain in A-labels; the local part as it is.
    public static func transportForm(_ address: String) -> String {
        guard let at = address.lastIndex(of: "@") else { return address }
        let domain = address[address.index(after: at)...]
        guard !domain.allSatisfy(\.isASCII), let ascii = asciiDomain(String(domain)) else { return address }
        return address[..<at] + "@" + ascii
    }

    /// Whether the address needs SMTPUTF8 once its domain is in A-labels: its local part is not ASCII.
    public static func needsSMTPUTF8(_ address: String) -> Bool {
        !transportForm(address).allSatisfy(\.isASCII)
    }

    /// A domain in IDNA A-labels: each label that is not ASCII mapped (NFC, lower case, the
    /// ideographic full stops as dots) and Punycode-encoded (RFC 3492) after `xn--`. Nil when a
    /// label is empty or the result is longer than DNS allows.
    public static func asciiDomain(_ domain: String) -> String? {
        let mapped = domain.precomposedStringWithCanonicalMapping.lowercased()
            .replacingOccurrences(of: "\u{3002}", with: ".").replacingOccurrences(of: "\u{FF0E}", with: ".")
            .replacingOccurrences(of: "\u{FF61}", with: ".")
        var labels: [String] = []
        for label in mapped.split(separator: ".", omittingEmptySubsequences: false) {
            guard !label.isEmpty else { return nil }
            if label.allSatisfy(\.isASCII) {
                labels.append(String(label))
            } else {
                guard let encoded = punycode(String(label)) else { return nil }
                labels.append("xn--" + encoded)
            }
            guard labels.last!.utf8.count <= 63 else { return nil }
        }
        let result = labels.joined(separator: ".")
        return result.utf8.count <= 253 ? result : nil
    }

    /// RFC 3492 Punycode of one label's code points.
    static func punycode(_ label: String) -> String? {
        let base = 36, tMin = 1, tMax = 26, skew = 38, damp = 700
        let input = label.unicodeScalars.map { Int($0.value) }
        var output = input.filter { $0 < 0x80 }.map { Character(Unicode.Scalar(UInt8($0))) }
        let basicCount = output.count
        if basicCount > 0 { output.append("-") }
        func digit(_ value: Int) -> Character {
            Character(Unicode.Scalar(UInt8(value < 26 ? value + 97 : value + 22)))
        }
        func adapt(_ delta: Int, _ count: Int, _ first: Bool) -> Int {
            var delta = first ? delta / damp : delta / 2
            delta += delta / count
            var k = 0
            while delta > ((base - tMin) * tMax) / 2 {
                delta /= base - tMin
                k += base
            }
            return k + (base - tMin + 1) * delta / (delta + skew)
        }
        var n = 0x80, delta = 0, bias = 72, handled = basicCount
        while handled < input.count {
            guard let next = input.filter({ $0 >= n }).min() else { return nil }
            let (product, overflow) = (next - n).multipliedReportingOverflow(by: handled + 1)
            guard !overflow else { return nil }
            delta += product
            n = next
            for code in input {
                if code < n { delta += 1 }
                if code == n {
                    var q = delta, k = base
                    while true {
                        let t = k <= bias ? tMin : (k >= bias + tMax ? tMax : k - bias)
                        if q < t { break }
                        output.append(digit(t + (q - t) % (base - t)))
                        q = (q - t) / (base - t)
                        k += base
                    }
                    output.append(digit(q))
                    bias = adapt(delta, handled + 1, handled == basicCount)
                    delta = 0
                    handled += 1
                }
            }
            delta += 1
            n += 1
        }
        return String(output)
    }
}

import Typesetting

/// A document date in the two forms PDF needs: `D:YYYYMMDDHHmmSSZ` and ISO 8601 for XMP.
struct PDFDate {
    let pdf: String
    let iso: String

    /// From `YYYY-MM-DD` or `YYYY-MM-DDTHH:MM:SS(.fff)(Z|±HH:MM|±HHMM)`: the time as given, with
    /// its offset from UTC (`D:20250330233000-05'00'`), so the instant is the one meant. Without a
    /// date, a fixed epoch keeps output deterministic (DESIGN.md §4: no wall-clock unless asked).
    init(iso8601: String?) {
        let text = iso8601 ?? "2000-01-01T00:00:00Z"
        var zone = (pdf: "Z", iso: "Z")
        var clock = Substring(text)
        if let t = text.firstIndex(where: { $0 == "T" || $0 == "t" }) {
            let rest = text[text.index(after: t)...]
            if let sign = rest.lastIndex(where: { $0 == "+" || $0 == "-" }) {
                let offset = rest[rest.index(after: sign)...].filter(\.isNumber)
                if offset.count == 4 || offset.count == 2 {
                    let hours = offset.prefix(2), minutes = offset.count == 4 ? offset.suffix(2) : "00"
                    if hours + minutes != "0000" { zone = ("\(rest[sign])\(hours)'\(minutes)'", "\(rest[sign])\(hours):\(minutes)") }
                }
                clock = text[..<sign]
            }
        }
        let digits = clock.filter(\.isNumber)
        let date = String(digits.prefix(8))
        let time = digits.count >= 14 ? String(digits.dropFirst(8).prefix(6)) : "000000"
        pdf = "D:\(date)\(time)\(zone.pdf)"
        let year = date.prefix(4), month = date.dropFirst(4).prefix(2), day = date.dropFirst(6).prefix(2)
        let hour = time.prefix(2), minute = time.dropFirst(2).prefix(2), second = time.dropFirst(4).prefix(2)
        iso = "\(year)-\(month)-\(day)T\(hour):\(minute):\(second)\(zone.iso)"
    }
}

/// An XMP packet with Dublin Core, XMP basic, PDF and Countersign provenance properties.
struct XMPPacket {
    let info: DocumentInfo
    let date: PDFDate

    var bytes: [UInt8] {
        func escape(_ text: String) -> String {
            guard text.utf8.contains(where: { $0 == 0x26 || $0 == 0x3C || $0 == 0x3E || $0 == 0x22 }) else { return text }
            var out = ""
            for character in text.unicodeScalars {
                switch character {
                case "&": out += "&amp;"
                case "<": out += "&lt;"
                case ">": out += "&gt;"
                case "\"": out += "&quot;"
                default: out.unicodeScalars.append(character)
                }
            }
            return out
        }
        var properties: [String] = []
        if let title = info.title {
            properties.append("<dc:title><rdf:Alt><rdf:li xml:lang=\"x-default\">\(escape(title))</rdf:li></rdf:Alt></dc:title>")
        }
        if let author = info.author {
            properties.append("<dc:creator><rdf:Seq><rdf:li>\(escape(author))</rdf:li></rdf:Seq></dc:creator>")
        }
        if let subject = info.subject {
            properties.append("<dc:description><rdf:Alt><rdf:li xml:lang=\"x-default\">\(escape(subject))</rdf:li></rdf:Alt></dc:description>")
        }
        properties.append("<dc:language><rdf:Bag><rdf:li>\(escape(info.language))</rdf:li></rdf:Bag></dc:language>")
        properties.append("<xmp:CreateDate>\(date.iso)</xmp:CreateDate>")
        properties.append("<xmp:ModifyDate>\(date.iso)</xmp:ModifyDate>")
        properties.append("<xmp:CreatorTool>\(escape(info.creator))</xmp:CreatorTool>")
        properties.append("<pdf:Producer>Countersign</pdf:Producer>")
        for (key, value) in info.custom.sorted(by: { $0.key < $1.key }) {
            let name = key.filter { $0.isLetter || $0.isNumber }
            guard !name.isEmpty else { continue }
            properties.append("<cs:\(name)>\(escape(value))</cs:\(name)>")
        }
        let text = """
        <?xpacket begin="\u{FEFF}" id="W5M0MpCehiHzreSzNTczkc9d"?>
        <x:xmpmeta xmlns:x="adobe:ns:meta/">
        <rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
        <rdf:Description rdf:about="" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:xmp="http://ns.adobe.com/xap/1.0/" xmlns:pdf="http://ns.adobe.com/pdf/1.3/" xmlns:cs="urn:countersign:provenance:1">
        \(properties.joined(separator: "\n"))
        </rdf:Description>
        </rdf:RDF>
        </x:xmpmeta>
        <?xpacket end="w"?>
        """
        return Array(text.utf8)
    }
}

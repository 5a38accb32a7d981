import Foundation
import Testing
import TestSupport
@testable import Workflow

/// What senders type — a subject, a document's name — stays text in the headers: judged by
/// Python's `email` package (the policy mail clients follow), not by our own reading.
@Suite struct MailHeaderTests {
    static let hostileName = #"contract.pdf"; filename*=UTF-8''invoice.html; x=""#

    static func message(subject: String, attachment: String) -> MailMessage {
        MailMessage(messageID: "<msg_1@countersign.test>", from: "contracts@countersign.test", to: ["casey@example.com"],
                    subject: subject, text: "Hello", html: "<p>Hello</p>", date: Date(timeIntervalSince1970: 1_800_000_000),
                    attachments: [.init(name: attachment, contentType: "application/pdf", sha256: "ab")])
    }

    /// Parses `message` with `email.policy.default` and prints what a client shows, one JSON line.
    static func parsed(_ message: MailMessage) throws -> [String: Any] {
        let script = """
            import email, email.policy, json, sys
            raw = sys.stdin.buffer.read()
            m = email.message_from_bytes(raw, policy=email.policy.default)
            parts = [p for p in m.walk() if p.get_content_disposition() == 'attachment']
            print(json.dumps({"subject": str(m["subject"]), "filename": parts[0].get_filename() if parts else None,
                              "defects": sum(len(p.defects) for p in m.walk()),
                              "longest": max(len(line) for line in raw.split(b"\\r\\n"))}))
            """
        let result = try runCommand("python3", ["-c", script], input: Data(message.rendered(attachmentBytes: ["ab": [1, 2, 3]]).utf8))
        return try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any], "\(result.stderr)")
    }

    @Test(arguments: [
        ("Order form", "order.pdf"),
        ("Договор №5 «final» — подпишите", "Договор №5 \"final\" 契約書.pdf"),
        (String(repeating: "契", count: 500), String(repeating: "長", count: 200) + ".pdf"),
        (String(repeating: "🚀", count: 500), hostileName),
        ("=?utf-8?B?SW52b2ljZSDigK4wMyBkYXlz4oCs?=", "a.pdf\"; filename=\"evil.html"),
        ("Team " + String(repeating: "👩‍👩‍👧‍👦", count: 6) + " e\u{301}" + String(repeating: "\u{301}", count: 30), "👩‍👩‍👧‍👦.pdf"),
        // A long plain subject is folded at its spaces; a name that reads as an encoded word,
        // or as a path, reaches the reader as typed, not decoded or cut.
        (String(repeating: "Renewal of the master services agreement ", count: 4), "=?utf-8?B?ZXZpbC5leGU=?=.pdf"),
        ("Order", "../../etc/passwd.pdf"),
    ])
    func theSubjectAndTheAttachmentsNameReachTheReaderAsTyped(_ subject: String, _ attachment: String) throws {
        let shown = try Self.parsed(Self.message(subject: subject, attachment: attachment))
        #expect(shown["subject"] as? String == subject)
        #expect(shown["filename"] as? String == attachment)
        #expect(shown["defects"] as? Int == 0, "\(shown)")
        // RFC 5322 §2.1.1: no line over 998 characters; these stay within 78.
        #expect((shown["longest"] as? Int ?? 999) <= 78, "\(shown)")
    }

    /// International domains travel as IDNA A-labels (the vectors are Python's `idna` codec's);
    /// a local part that is not ASCII needs a relay offering SMTPUTF8, and gets it asked for.
    /// A domain is the one people see: what prints as nothing, imitates another script or is
    /// not valid IDNA is refused; compatibility forms fold to what they look like.
    @Test func domainsThatWouldSendTheMailElsewhereAreRefused() throws {
        for (domain, says) in [("exa\u{200D}mple.com", "prints as nothing (U+200D)"), ("exa\u{200B}mple.com", "prints as nothing (U+200B)"),
                               ("exa\u{00AD}mple.com", "prints as nothing (U+00AD)"), ("exa\u{200E}mple.com", "prints as nothing (U+200E)"),
                               ("\u{0430}pple.com", "mixes Cyrillic and Latin letters in 'аpple'"),
                               ("xn--abc-.com", "starts or ends with a hyphen"), ("xn--zzzzzzzzz9.com", "not valid Punycode"),
                               ("ab--cd.com", "IDNA reserves"), ("my_host.com", "other than letters, digits and hyphens"),
                               ("\u{2764}.com", "a character a domain name may not have (U+2764)"), ("\u{0301}x.com", "a mark with no letter before it"),
                               ("a..com", "an empty label"),
                               // All-Cyrillic and all-Greek labels that read as Latin ones, under a Latin TLD.
                               ("\u{0430}\u{0440}\u{0440}\u{04CF}\u{0435}.com", "reads as 'apple'"),
                               ("\u{0410}\u{0420}\u{0420}\u{04C0}\u{0415}.com", "reads as 'apple'"),
                               ("\u{03BF}\u{03BA}.example", "reads as 'ok'"),
                               ("pay.\u{0440}\u{0430}\u{0443}\u{0440}\u{0430}\u{04CF}.com", "xn--80aa0cbo65f"),
                               // Other scripts mixed with Latin; the Bidi and digit rules.
                               ("\u{0581}oogle.com", "mixes Armenian and Latin letters"),
                               ("1\u{05E9}\u{05DC}\u{05D5}\u{05DD}.com", "starts or ends with a digit or hyphen"),
                               ("\u{0627}\u{0661}\u{06F1}.com", "mixes two kinds of digits")] {
            #expect(throws: MailAddress.DomainProblem.self, "\(domain)") { try MailAddress.aLabels(domain) }
            do {
                _ = try MailAddress.aLabels(domain)
            } catch {
                #expect(error.description.contains(says), "\(domain): \(error)")
            }
        }
        for (domain, ascii) in [("ｅｘａｍｐｌｅ．com", "example.com"), ("例子｡广告", "xn--fsqu00a.xn--4rr70v"),
                                ("xn--mller-kva.example", "xn--mller-kva.example"), ("ΠΑΡΆΔΕΙΓΜΑ.gr", "xn--hxajbheg2az3al.gr"),
                                // A Cyrillic word with letters that are not Latin look-alikes, and
                                // look-alikes under a Cyrillic TLD or written in their xn-- form.
                                ("пример.com", "xn--e1afmkfd.com"), ("сахар.рф", "xn--80aa2cbv.xn--p1ai"),
                                ("xn--80ak6aa92e.com", "xn--80ak6aa92e.com"),
                                // Japanese mixes Han and Hiragana; Hebrew starts and ends with letters.
                                ("例え.jp", "xn--r8jz45g.jp"), ("שלום.com", "xn--9dbne9b.com")] {
            #expect(try MailAddress.aLabels(domain) == ascii, "\(domain)")
        }
        for text in ["müller", "例子", "παράδειγμα", "пример", "मराठी"] {
            #expect(Punycode.decode(try #require(Punycode.encode(text))) == text, "\(text)")
        }
    }

    @Test func internationalAddressesReachARelayInTheFormItTakes() throws {
        for (domain, ascii) in [("例子.广告", "xn--fsqu00a.xn--4rr70v"), ("Müller.example", "xn--mller-kva.example"),
                                ("ÄÖÜ.de", "xn--4ca0bs.de"), ("παράδειγμα.δοκιμή", "xn--hxajbheg2az3al.xn--jxalpdlp"),
                                ("例子。广告", "xn--fsqu00a.xn--4rr70v"), ("example.com", "example.com")] {
            #expect(MailAddress.asciiDomain(domain) == ascii, "\(domain)")
        }
        #expect(MailAddress.transportForm("user@例子.广告") == "user@xn--fsqu00a.xn--4rr70v")
        #expect(MailAddress.needsSMTPUTF8("用户@例子.广告") && !MailAddress.needsSMTPUTF8("user@例子.广告"))

        func outgoing(_ to: String) -> SMTPClient.Outgoing {
            var message = Self.message(subject: "Hello", attachment: "a.pdf")
            message.to = [to]
            message.attachments = []
            return SMTPClient.Outgoing(from: message.from, to: message.to, data: message.rendered())
        }
        // A relay without SMTPUTF8: the IDN address is delivered in A-labels (envelope and
        // header); the EAI one is refused before MAIL FROM, naming why, and costs only itself.
        let ascii = try LoopbackSMTPServer()
        defer { ascii.stop() }
        let results = SMTPClient(host: "127.0.0.1", port: ascii.port).send([outgoing("用户@例子.广告"), outgoing("user@例子.广告")])
        #expect(results[0]?.reason.contains("only a relay offering SMTPUTF8 (RFC 6531) can carry") == true, "\(String(describing: results[0]))")
        #expect(results[1] == nil, "\(String(describing: results[1]))")
        #expect(ascii.deliveries().contains("RCPT user@xn--fsqu00a.xn--4rr70v"), "\(ascii.deliveries())")
        #expect(ascii.messages().count == 1 && ascii.messages()[0].contains("To: user@xn--fsqu00a.xn--4rr70v\r\n"))
        // A relay with SMTPUTF8: the EAI address goes, with SMTPUTF8 on MAIL FROM.
        let utf8 = try LoopbackSMTPServer(smtputf8: true)
        defer { utf8.stop() }
        #expect(SMTPClient(host: "127.0.0.1", port: utf8.port).send([outgoing("用户@例子.广告")]) == [nil])
        #expect(utf8.deliveries().contains("MAIL contracts@countersign.test SMTPUTF8"), "\(utf8.deliveries())")
        #expect(utf8.deliveries().contains("RCPT 用户@xn--fsqu00a.xn--4rr70v"), "\(utf8.deliveries())")
    }

    @Test func aDownloadsNameIsOneParameterWithAnASCIIFallback() {
        #expect(HeaderEncoding.attachment(named: "order.pdf") == #"attachment; filename="order.pdf""#)
        #expect(HeaderEncoding.attachment(named: "Договор №5.pdf")
                == #"attachment; filename="Dogovor _5.pdf"; filename*=UTF-8''%D0%94%D0%BE%D0%B3%D0%BE%D0%B2%D0%BE%D1%80%20%E2%84%965.pdf"#)
        let hostile = HeaderEncoding.attachment(named: Self.hostileName)
        #expect(hostile.hasPrefix(#"attachment; filename="contract.pdf__ filename*=UTF-8''invoice.html_ x=_"; filename*=UTF-8''contract.pdf%22%3B%20"#),
                "\(hostile)")
        #expect(HeaderEncoding.attachment(named: "=?utf-8?B?ZXZpbC5leGU=?=.pdf").hasPrefix(#"attachment; filename="_?utf-8?B?ZXZpbC5leGU_?=.pdf"; filename*="#))
        #expect(HeaderEncoding.attachment(named: "../../etc/passwd.pdf").hasPrefix(#"attachment; filename=".._.._etc_passwd.pdf"; filename*="#))
        #expect(HeaderEncoding.attachment(named: "契約.pdf").hasPrefix(#"attachment; filename="qi yue.pdf""#)
                || HeaderEncoding.attachment(named: "契約.pdf").hasPrefix(#"attachment; filename="__.pdf""#))
    }
}

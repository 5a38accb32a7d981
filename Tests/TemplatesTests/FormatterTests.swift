import Foundation
import Testing
@testable import Templates

/// Applies one formatter call written as in a template (`date:"long"`) in `locale`.
func format(_ call: String, _ value: TemplateValue, locale: String) throws -> String {
    var parser = try ExpressionParser(scalars: Array(("v|" + call + "}}").unicodeScalars))
    let (_, calls) = try parser.parseInterpolation()
    var result = value
    for formatterCall in calls { result = try ValueFormatter(formatterCall).apply(result, language: locale) }
    return result.text
}

let march7 = TemplateValue.date(CalendarDate(iso: "2025-03-07")!)
let march7At1430 = TemplateValue.datetime(CalendarDate.parseDateTime("2025-03-07T14:30:00Z")!)
let amount = TemplateValue.number(Decimal(string: "1234.5")!)
/// U+202F NARROW NO-BREAK SPACE and U+00A0 NO-BREAK SPACE, as ICU writes them.
let nnbsp = "\u{202F}", nbsp = "\u{A0}"

@Suite struct FormatterTests {
    @Test(arguments: [
        ("en-US", "3/7/25", "Mar 7, 2025", "March 7, 2025", "Friday, March 7, 2025"),
        ("en-GB", "07/03/2025", "7 Mar 2025", "7 March 2025", "Friday, 7 March 2025"),
        ("fr-FR", "07/03/2025", "7 mars 2025", "7 mars 2025", "vendredi 7 mars 2025"),
        ("de-DE", "07.03.25", "07.03.2025", "7. März 2025", "Freitag, 7. März 2025"),
        ("es-ES", "7/3/25", "7 mar 2025", "7 de marzo de 2025", "viernes, 7 de marzo de 2025"),
    ])
    func dates(locale: String, short: String, medium: String, long: String, full: String) throws {
        #expect(try format("date:\"short\"", march7, locale: locale) == short)
        #expect(try format("date:\"medium\"", march7, locale: locale) == medium)
        #expect(try format("date", march7, locale: locale) == medium)
        #expect(try format("date:\"long\"", march7, locale: locale) == long)
        #expect(try format("date:\"full\"", march7, locale: locale) == full)
        #expect(try format("date:\"iso\"", march7, locale: locale) == "2025-03-07")
        #expect(try format("date:\"long\"", .string("2025-03-07"), locale: locale) == long)
    }

    @Test(arguments: [
        ("en-US", "7 March 2025", "Mar 7, 2025 at 2:30\(nnbsp)PM\(nbsp)UTC"),
        ("en-GB", "7 March 2025", "7 Mar 2025 at 14:30\(nbsp)UTC"),
        ("fr-FR", "7 mars 2025", "7 mars 2025 à 14:30\(nbsp)UTC"),
        ("de-DE", "7 März 2025", "07.03.2025, 14:30\(nbsp)UTC"),
        ("es-ES", "7 marzo 2025", "7 mar 2025, 14:30\(nbsp)UTC"),
    ])
    func patternsAndDateTimes(locale: String, pattern: String, dateTime: String) throws {
        #expect(try format("date:\"d MMMM yyyy\"", march7, locale: locale) == pattern)
        #expect(try format("datetime:\"medium\"", march7At1430, locale: locale) == dateTime)
        #expect(try format("datetime:\"iso\"", march7At1430, locale: locale) == "2025-03-07T14:30:00Z")
        #expect(try format("datetime:\"yyyy-MM-dd HH:mm\"", march7At1430, locale: locale) == "2025-03-07 14:30", "a pattern adds no zone")
    }

    @Test(arguments: [
        ("en-US", "$1,234.50", "€1,234.50", "1,234,567.891", "1,234.50", "15%", "12.5%"),
        ("en-GB", "US$1,234.50", "€1,234.50", "1,234,567.891", "1,234.50", "15%", "12.5%"),
        ("fr-FR", "1\(nnbsp)234,50\(nbsp)$US", "1\(nnbsp)234,50\(nbsp)€", "1\(nnbsp)234\(nnbsp)567,891",
         "1\(nnbsp)234,50", "15\(nbsp)%", "12,5\(nbsp)%"),
        ("de-DE", "1.234,50\(nbsp)$", "1.234,50\(nbsp)€", "1.234.567,891", "1.234,50", "15\(nbsp)%", "12,5\(nbsp)%"),
        ("es-ES", "1234,50\(nbsp)US$", "1234,50\(nbsp)€", "1.234.567,891", "1234,50", "15\(nbsp)%", "12,5\(nbsp)%"),
    ])
    func numbers(locale: String, usd: String, eur: String, grouped: String, twoPlaces: String, percent: String,
                 percentOnePlace: String) throws {
        #expect(try format("currency:\"USD\"", amount, locale: locale) == usd)
        #expect(try format("currency:'EUR'", amount, locale: locale) == eur)
        #expect(try format("number", .number(Decimal(string: "1234567.891")!), locale: locale) == grouped)
        #expect(try format("number:2", amount, locale: locale) == twoPlaces)
        #expect(try format("percent", .integer(15), locale: locale) == percent)
        #expect(try format("percent:1", .number(Decimal(string: "12.5")!), locale: locale) == percentOnePlace)
    }

    @Test func roundingIsHalfAwayFromZero() throws {
        #expect(try format("currency:\"EUR\"", .number(Decimal(string: "-0.125")!), locale: "en-US") == "-€0.13")
        #expect(try format("currency:\"USD\"", .number(Decimal(string: "2.345")!), locale: "en-US") == "$2.35")
        #expect(try format("number:0", .number(Decimal(string: "2.5")!), locale: "en-US") == "3")
        #expect(try format("currency:\"JPY\"", amount, locale: "en-US") == "¥1,235")
    }

    @Test func explicitLocaleArgumentWins() throws {
        #expect(try format("date:\"long\":\"fr-FR\"", march7, locale: "en-US") == "7 mars 2025")
        #expect(try format("currency:\"EUR\":\"de-DE\"", amount, locale: "en-US") == "1.234,50\(nbsp)€")
        #expect(try format("number:2:\"es-ES\"", .number(Decimal(string: "1234567.5")!), locale: "en-US") == "1.234.567,50")
        #expect(try format("upper:\"de-DE\"", .string("straße"), locale: "en-US") == "STRASSE")
    }

    @Test func textFormattersAndDefaults() throws {
        #expect(try format("upper", .string("élodie müller"), locale: "fr-FR") == "ÉLODIE MÜLLER")
        #expect(try format("lower", .string("ÉLODIE MÜLLER"), locale: "fr-FR") == "élodie müller")
        #expect(try format("title", .string("zoë o'brien-peña"), locale: "en-US") == "Zoë O'brien-Peña")
        #expect(try format("default:\"TBD\"", .null, locale: "en-US") == "TBD")
        #expect(try format("default:\"TBD\"", .string("  "), locale: "en-US") == "TBD")
        #expect(try format("default:\"TBD\"", .integer(0), locale: "en-US") == "0")
        #expect(try format("date:\"long\" | default:\"TBD\"", .null, locale: "en-US") == "TBD")
        #expect(try format("currency:\"USD\" | default:\"—\"", .null, locale: "en-US") == "—")
        #expect(try format("join:\" / \"", .list([.string("a"), .integer(2)]), locale: "en-US") == "a / 2")
        #expect(try format("join", .list([.string("a"), .string("b")]), locale: "en-US") == "a, b")
        // Values of the wrong kind pass through.
        #expect(try format("currency:\"USD\"", .string("n/a"), locale: "en-US") == "n/a")
        #expect(try format("date:\"long\"", .string("soon"), locale: "en-US") == "soon")
    }

    @Test(arguments: [
        ("currency", "currency needs an ISO 4217 code, e.g. currency:\"USD\""),
        ("currency:\"usd\"", "'usd' is not a currency code; expected three capital letters such as \"EUR\""),
        ("date:\"longest\"", "unknown date style 'longest'; expected short, medium, long, full, iso or a pattern such as \"d MMMM yyyy\""),
        ("date:\"long\":\"French\"", "'French' is not a locale; expected a BCP 47 tag such as \"fr-FR\""),
        ("date:\"long\":\"FR-fr\"", "'FR-fr' is not written as a BCP 47 tag; write 'fr-FR'"),
        ("date:\"long\":\"zz-ZZ\"", "'zz-ZZ' names no known language ('zz' is not an ISO 639 code)"),
        ("number:11", "number takes a number of decimals from 0 to 10, e.g. number:2"),
        ("number:1.5", "number takes a number of decimals from 0 to 10, e.g. number:2"),
        ("default", "default needs the text to show, e.g. default:\"n/a\""),
        ("upper:\"en-US\":\"fr-FR\"", "upper takes a locale at most"),
        ("percnt", "unknown formatter 'percnt'; did you mean 'percent'?"),
        ("shout", "unknown formatter 'shout'; expected one of date, datetime, currency, number, percent, upper, lower, title, default, join"),
    ])
    func badCalls(call: String, message: String) {
        #expect {
            _ = try format(call, .null, locale: "en-US")
        } throws: { error in
            (error as? ExpressionSyntaxError)?.message == message
        }
    }

    /// The document's language: a known one, in BCP 47's case; the spelling to use for a tag
    /// in another case or with `_` (as CRM exports write them), and the unknown code named.
    @Test(arguments: [
        ("en-US", nil), ("fr", nil), ("zh-Hant-TW", nil), ("es-419", nil), ("fil-PH", nil), ("sr-Cyrl-RS", nil),
        ("EN-us", "'EN-us' is not written as a BCP 47 tag; write 'en-US'"),
        ("en_US", "'en_US' is not written as a BCP 47 tag; write 'en-US'"),
        ("zh_hant_tw", "'zh_hant_tw' is not written as a BCP 47 tag; write 'zh-Hant-TW'"),
        ("zz-ZZ", "'zz-ZZ' names no known language ('zz' is not an ISO 639 code)"),
        ("en-ZZ", "'en-ZZ' names no known region ('ZZ' is not an ISO 3166 or UN M.49 code)"),
        ("english", "'english' is not a language tag; expected BCP 47 such as en-US or fr-FR"),
        ("", "'' is not a language tag; expected BCP 47 such as en-US or fr-FR"),
    ] as [(String, String?)])
    func languages(_ tag: String, _ problem: String?) {
        #expect(ValueFormatter.localeProblem(tag) == problem)
    }
}

/// The words of a visible signature in the document's language (its catalog `/Lang`, which
/// templates set from `lang`): a French contract is signed "Signé numériquement par", not
/// "Digitally signed by". Languages without a table fall back to English.
struct AppearanceLabels: Hashable, Sendable {
    var signedBy: String
    var date: String
    var reason: String
    var location: String

    /// The labels for a BCP 47 language tag (`fr-FR`, `es`, `de-CH`, …): its primary subtag decides.
    static func forLanguage(_ tag: String?) -> AppearanceLabels {
        let primary = (tag ?? "en").lowercased().split(whereSeparator: { $0 == "-" || $0 == "_" }).first.map(String.init) ?? "en"
        return table[primary] ?? table["en"]!
    }

    private static let table: [String: AppearanceLabels] = [
        "en": AppearanceLabels(signedBy: "Digitally signed by", date: "Date", reason: "Reason", location: "Location"),
        "fr": AppearanceLabels(signedBy: "Signé numériquement par", date: "Date", reason: "Motif", location: "Lieu"),
        "es": AppearanceLabels(signedBy: "Firmado digitalmente por", date: "Fecha", reason: "Motivo", location: "Lugar"),
        "de": AppearanceLabels(signedBy: "Digital signiert von", date: "Datum", reason: "Grund", location: "Ort"),
        "it": AppearanceLabels(signedBy: "Firmato digitalmente da", date: "Data", reason: "Motivo", location: "Luogo"),
        "pt": AppearanceLabels(signedBy: "Assinado digitalmente por", date: "Data", reason: "Motivo", location: "Local"),
        "nl": AppearanceLabels(signedBy: "Digitaal ondertekend door", date: "Datum", reason: "Reden", location: "Plaats"),
    ]
}

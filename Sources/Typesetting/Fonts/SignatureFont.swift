/// The script faces a typed signature can be drawn in, each one of the shipped fonts
/// (`Fonts/README.md`). The raw value is the stable identifier stored with a typed mark, recorded
/// in its audit event and taken by the API and the signing page; it never changes once shipped.
public enum SignatureFont: String, Sendable, Hashable, Codable, CaseIterable {
    /// Dancing Script: a lively, bouncing script (the default, and the face of every typed mark
    /// stored before the choice existed).
    case dancingScript = "dancing-script"
    /// Kaushan Script: a brush script, written quickly with an inked brush.
    case kaushanScript = "kaushan-script"
    /// TeX Gyre Chorus: a formal chancery italic (a Zapf Chancery design).
    case texGyreChorus = "tex-gyre-chorus"

    /// The face of typed marks stored without a choice.
    public static let standard = SignatureFont.dancingScript

    /// The identifiers, in the order the signing page offers them, for messages and schemas.
    public static var identifiers: [String] { allCases.map(\.rawValue) }

    /// The font's family name, as fontconfig and the typesetter's `ParagraphStyle` know it.
    public var family: String {
        switch self {
        case .dancingScript: return "Dancing Script"
        case .kaushanScript: return "Kaushan Script"
        case .texGyreChorus: return "TeX Gyre Chorus"
        }
    }

    /// The font file, relative to the shipped `Fonts/` folder (for serving it to a browser).
    public var file: String {
        switch self {
        case .dancingScript: return "DancingScript/DancingScript-Regular.otf"
        case .kaushanScript: return "KaushanScript/KaushanScript-Regular.otf"
        case .texGyreChorus: return "TeXGyreChorus/texgyrechorus-mediumitalic.otf"
        }
    }
}

public import Foundation
public import Typesetting

/// The signature a signer adopted.
public enum AdoptedMark: Sendable, Hashable {
    /// Their name typed, drawn in the script font they chose.
    case typed(String, font: SignatureFont = .standard)
    /// A drawing from the signature pad, as PNG.
    case drawn(png: Data)
    /// An uploaded PNG.
    case uploaded(png: Data)

    /// A typed mark in the font a request names by identifier (`SignatureFont`'s raw values);
    /// no identifier means the standard font. An unknown identifier is an `invalidRequest`
    /// naming the field `font` and the identifiers there are.
    public static func typed(_ name: String, fontIdentifier: String?) throws(WorkflowError) -> AdoptedMark {
        guard let identifier = fontIdentifier else { return .typed(name) }
        guard let font = SignatureFont(rawValue: identifier) else {
            throw WorkflowError(.invalidRequest, "font: '\(identifier)' is not a signature font; use one of "
                                + SignatureFont.identifiers.joined(separator: ", "))
        }
        return .typed(name, font: font)
    }

    var kind: String {
        switch self {
        case .typed: return "typed"
        case .drawn: return "drawn"
        case .uploaded: return "uploaded"
        }
    }

    /// The script font of the typed mark, and of initials that reuse the mark; the standard
    /// font for a drawn or uploaded mark (whose initials are typed for the signer).
    public var scriptFont: SignatureFont {
        if case .typed(_, let font) = self { return font }
        return .standard
    }
}

/// Stored as `{"typed": {"_0": name, "font": id}}`, `{"drawn": {"png": base64}}` or
/// `{"uploaded": {"png": base64}}` — the shape the synthesized coding had before typed marks
/// carried a font, so envelopes stored then (no `font`) read back as Dancing Script.
extension AdoptedMark: Codable {
    private enum CodingKeys: String, CodingKey { case typed, drawn, uploaded }
    private enum TypedKeys: String, CodingKey { case name = "_0", font }
    private enum ImageKeys: String, CodingKey { case png }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        guard container.allKeys.count == 1, let key = container.allKeys.first else {
            throw DecodingError.dataCorrupted(DecodingError.Context(
                codingPath: container.codingPath, debugDescription: "a mark is one of typed, drawn or uploaded"))
        }
        switch key {
        case .typed:
            let typed = try container.nestedContainer(keyedBy: TypedKeys.self, forKey: .typed)
            self = .typed(try typed.decode(String.self, forKey: .name),
                          font: try typed.decodeIfPresent(SignatureFont.self, forKey: .font) ?? .standard)
        case .drawn:
            self = .drawn(png: try container.nestedContainer(keyedBy: ImageKeys.self, forKey: .drawn).decode(Data.self, forKey: .png))
        case .uploaded:
            self = .uploaded(png: try container.nestedContainer(keyedBy: ImageKeys.self, forKey: .uploaded).decode(Data.self, forKey: .png))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        switch self {
        case .typed(let name, let font):
            var typed = container.nestedContainer(keyedBy: TypedKeys.self, forKey: .typed)
            try typed.encode(name, forKey: .name)
            try typed.encode(font, forKey: .font)
        case .drawn(let png):
            var image = container.nestedContainer(keyedBy: ImageKeys.self, forKey: .drawn)
            try image.encode(png, forKey: .png)
        case .uploaded(let png):
            var image = container.nestedContainer(keyedBy: ImageKeys.self, forKey: .uploaded)
            try image.encode(png, forKey: .png)
        }
    }
}

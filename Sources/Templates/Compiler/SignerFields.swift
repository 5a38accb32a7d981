public import Typesetting

/// A field a signer fills, declared in the body by `<initials>`, `<date-signed>`, `<text-field>`,
/// `<checkbox>` or `<dropdown>` (docs/templates.md, "Fields signers fill"). Laid out as a box of
/// its size; the typeset document records its page and rectangle (`TypesetDocument.fields`), and
/// the workflow draws the signer's value there at completion.
public struct SignerFieldDeclaration: Sendable, Hashable {
    /// The field's name: unique among signer fields and distinct from the data `<fields>`.
    public let name: String
    public let kind: SignatureBox.Kind
    /// The `<signature>` role whose signer fills it.
    public let role: String
    public let required: Bool
    /// A dropdown's choices, in order.
    public let options: [String]
    /// A text field's most characters and the regular expression its value must match.
    public let maxLength: Int?
    public let pattern: String?
    /// How a date signed prints (its `format`, checked); nil: as an ISO date.
    public let dateFormat: SignedDateFormat?

    public init(name: String, kind: SignatureBox.Kind, role: String, required: Bool, options: [String] = [],
                maxLength: Int? = nil, pattern: String? = nil, dateFormat: SignedDateFormat? = nil) {
        self.name = name; self.kind = kind; self.role = role; self.required = required
        self.options = options; self.maxLength = maxLength; self.pattern = pattern; self.dateFormat = dateFormat
    }
}

extension Compiler {
    /// The elements that declare signer fields, and their kinds.
    static let signerFieldKinds: [String: SignatureBox.Kind] = [
        "initials": .initials, "date-signed": .dateSigned, "text-field": .text, "checkbox": .checkbox, "dropdown": .dropdown,
    ]

    /// A signer field element: checked (placement, role, name, options, length, pattern) and
    /// compiled to a box the typesetter records. Its role is checked against the template's
    /// `<signature>` roles once the whole body is read (`checkSignerFieldRoles`).
    func signerField(_ element: ParsedElement, parent: ParsedElement, _ context: BlockContext) -> BlockNode? {
        guard let kind = Self.signerFieldKinds[element.name] else { return nil }
        guard context.region == .body, !context.inLoop else {
            let why = context.inLoop ? "inside <for>; each field is filled once" :
                context.region == .clause ? "inside a clause; signer fields belong to the template" :
                "inside <\(parent.name)>; signer fields belong in the body"
            report(.misplacedElement, "not allowed \(why)", at: element.position, element: element.name)
            return nil
        }
        guard let roleAttribute = element.attribute("role") else { return nil }
        let role = roleAttribute.value
        let name: String
        if let attribute = element.attribute("name") {
            name = attribute.value
            guard let first = name.unicodeScalars.first, first.properties.isAlphabetic || first == "_", Compiler.isName(name),
                  !name.contains(".") else {
                report(.invalidValue, "name: '\(name)' is not a field name; expected letters, digits and '_', starting with a letter",
                       at: attribute.position(atValueOffset: 0), element: element.name)
                return nil
            }
        } else if kind == .initials || kind == .dateSigned {
            name = "\(role)_\(kind.rawValue.replacingOccurrences(of: "-", with: "_"))"
        } else {
            return nil   // `name` is required for the others; checkAttributes reported it.
        }
        guard fieldIndex[name] == nil, !signerFields.contains(where: { $0.declaration.name == name }) else {
            report(.duplicate, "name: '\(name)' is already a field; signer fields need names of their own",
                   at: element.attribute("name")?.position(atValueOffset: 0) ?? element.position, element: element.name)
            return nil
        }
        var options: [String] = []
        if kind == .dropdown, let attribute = element.attribute("options") {
            options = attribute.value.split(separator: "|").map { String($0).trimmed }
            guard !options.isEmpty, !options.contains(where: \.isEmpty), Set(options).count == options.count else {
                report(.invalidValue, "options: '\(attribute.value)' is not a list of distinct choices; expected e.g. options=\"12 months|24 months\"",
                       at: attribute.position(atValueOffset: 0), element: element.name)
                return nil
            }
        }
        var maxLength: Int?
        if let attribute = element.attribute("max-length") {
            guard let number = Int(attribute.value), (1...500).contains(number) else {
                report(.invalidValue, "max-length: '\(attribute.value)' is not a whole number from 1 to 500",
                       at: attribute.position(atValueOffset: 0), element: element.name)
                return nil
            }
            maxLength = number
        }
        let pattern = element.attribute("pattern")
        if let pattern {
            do throws(FieldPatternError) {
                _ = try FieldPattern(pattern.value)
            } catch {
                report(.invalidValue, "pattern: \(error.message)", at: pattern.position(atValueOffset: 0), element: element.name)
                return nil
            }
        }
        var dateFormat: SignedDateFormat?
        if let attribute = element.attribute("format") {
            do throws(SignedDateFormatError) {
                dateFormat = try SignedDateFormat(attribute.value)
            } catch {
                report(.invalidValue, "format: \(error.message)", at: attribute.position(atValueOffset: error.offset), element: element.name)
                return nil
            }
        }
        let (width, height) = Self.defaultSize[kind] ?? (144, 22)
        var box = SignatureBox(role: role, label: element.attribute("label")?.value ?? Self.defaultLabel(kind, name: name),
                               width: value(element, "width", Units.length) ?? width,
                               height: value(element, "height", Units.length) ?? height,
                               required: value(element, "required", Units.bool) ?? (kind != .checkbox))
        box.kind = kind
        box.fieldName = name
        if let align = value(element, "align", { Units.choice($0, ["left", "center", "right"]) }) {
            box.alignment = TextAlignment(rawValue: align) ?? .left
        }
        signerFields.append((SignerFieldDeclaration(name: name, kind: kind, role: role, required: box.required, options: options,
                                                    maxLength: maxLength, pattern: pattern?.value, dateFormat: dateFormat),
                             roleAttribute.position(atValueOffset: 0), element.name))
        return .signature(box, label: textAttribute(element, "label", locals: context.locals))
    }

    /// Reports signer fields whose role has no `<signature>` in the template.
    func checkSignerFieldRoles() {
        for (declaration, position, element) in signerFields where !roles.contains(declaration.role) {
            let known = roles.isEmpty ? "the template has no <signature>" : "its signature roles are " + roles.joined(separator: ", ")
            report(.invalidValue, "role: '\(declaration.role)' has no <signature role=\"\(declaration.role)\"> in the template; \(known)",
                   at: position, element: element)
        }
    }

    /// Sizes in points when the element gives none.
    static let defaultSize: [SignatureBox.Kind: (Double, Double)] = [
        .initials: (54, 30), .dateSigned: (115, 22), .text: (180, 22), .checkbox: (14, 14), .dropdown: (144, 22),
    ]

    static func defaultLabel(_ kind: SignatureBox.Kind, name: String) -> String {
        switch kind {
        case .initials: return "Initials"
        case .dateSigned: return "Date signed"
        default: return name.replacingOccurrences(of: "_", with: " ").prefix(1).uppercased()
            + name.replacingOccurrences(of: "_", with: " ").dropFirst()
        }
    }
}

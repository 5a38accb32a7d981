/// What kind of form field a widget belongs to.
public enum FormFieldKind: String, Sendable, Hashable, CaseIterable {
    case text, checkbox, radio, button, choice, signature, unknown
}

/// One widget of an AcroForm field on a page. A field with several widgets appears once per widget.
public struct FormField: Sendable, Hashable {
    /// The fully qualified name (partial names joined with dots).
    public var name: String
    /// The field's own partial name (`/T`), when it has one.
    public var partialName: String?
    public var kind: FormFieldKind
    /// The 1-based page the widget is on.
    public var page: Int
    /// The widget rectangle in PDF user space.
    public var rect: PageRect
    /// The current value, for text fields only.
    public var value: String?

    public init(name: String, partialName: String? = nil, kind: FormFieldKind, page: Int,
                rect: PageRect, value: String? = nil) {
        self.name = name
        self.partialName = partialName
        self.kind = kind
        self.page = page
        self.rect = rect
        self.value = value
    }
}

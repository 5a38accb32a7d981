internal import CPoppler

extension DocumentReader {
    /// Every form field widget, in page order, with rectangles in PDF user space.
    public func fields() -> [FormField] {
        var fields: [FormField] = []
        for index in 0..<pageCount {
            guard let handle = poppler_document_get_page(document, Int32(index)) else { continue }
            defer { cs_poppler_unref(UnsafeMutableRawPointer(handle)) }
            // poppler reports widget rectangles relative to the crop box's lower-left corner.
            let crop = Self.cropBox(of: handle)
            let list = poppler_page_get_form_field_mapping(handle)
            defer { cs_free_field_mapping(list) }
            var node = list
            while let current = node {
                node = current.pointee.next
                guard let mapping = current.pointee.data?.assumingMemoryBound(to: PopplerFormFieldMapping.self),
                      let field = mapping.pointee.field else { continue }
                let area = mapping.pointee.area
                let rect = PageRect(x1: area.x1 + crop.x1, y1: area.y1 + crop.y1,
                                   x2: area.x2 + crop.x1, y2: area.y2 + crop.y1)
                let kind = Self.kind(of: field)
                let partial = Self.takeString(poppler_form_field_get_partial_name(field))
                let name = Self.takeString(poppler_form_field_get_name(field)) ?? partial ?? ""
                let value = kind == .text ? Self.takeString(poppler_form_field_text_get_text(field)) : nil
                fields.append(FormField(name: name, partialName: partial, kind: kind, page: index + 1,
                                        rect: rect, value: value))
            }
        }
        return fields
    }

    static func kind(of field: OpaquePointer) -> FormFieldKind {
        switch poppler_form_field_get_field_type(field) {
        case POPPLER_FORM_FIELD_TEXT: return .text
        case POPPLER_FORM_FIELD_CHOICE: return .choice
        case POPPLER_FORM_FIELD_SIGNATURE: return .signature
        case POPPLER_FORM_FIELD_BUTTON:
            switch poppler_form_field_button_get_button_type(field) {
            case POPPLER_FORM_BUTTON_CHECK: return .checkbox
            case POPPLER_FORM_BUTTON_RADIO: return .radio
            default: return .button
            }
        default: return .unknown
        }
    }
}

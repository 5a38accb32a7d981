/// The loops of an AcroForm field tree, cut for a repairing rewrite.
///
/// A field that is its own ancestor through `/Kids` has no fully qualified name (ISO 32000-2
/// §12.7.4.2), so strict reading refuses it. Every reader that shows such a form (pdf.js, pdfium,
/// poppler, tolerant reading here) walks the tree from `/Fields` in order and does not go down an
/// edge that leads back to a field it is inside of: it shows the tree without that edge. A
/// rewrite of an unsigned file writes exactly that tree by leaving the edge out of the `/Kids`
/// array that holds it, so the rewrite reads strictly and names the same fields.
enum FormTreeLoops {
    /// Removes, from the `/Kids` of each field, every kid that is one of the field's ancestors,
    /// walking from the catalog's `/AcroForm /Fields` in order (fields reached twice, a DAG, are
    /// walked once, as `formFields` does). Returns each edge cut as "parent → kid". Fields held
    /// directly (not as objects of their own) are not walked into.
    static func cut(in objects: inout [PDFReference: PDFObject], root: PDFReference?, maxDepth: Int) -> [String] {
        func resolved(_ object: PDFObject?) -> PDFObject? {
            guard let object else { return nil }
            if let reference = object.referenceValue { return objects[reference] }
            return object
        }
        guard let root, case .dictionary(let catalog)? = objects[root],
              case .dictionary(let form)? = resolved(catalog["AcroForm"]),
              case .array(let fields)? = resolved(form["Fields"]) else { return [] }
        var cuts: [String] = []
        var seen: Set<PDFReference> = []
        var ancestors: [PDFReference] = []

        func visit(_ reference: PDFReference, depth: Int) {
            guard depth <= maxDepth, seen.insert(reference).inserted, case .dictionary(var field)? = objects[reference],
                  let kidsEntry = field["Kids"], case .array(let kids)? = resolved(kidsEntry) else { return }
            ancestors.append(reference)
            defer { ancestors.removeLast() }
            let kept = kids.filter { kid in
                guard let target = kid.referenceValue, ancestors.contains(target) else { return true }
                cuts.append("\(reference.number) \(reference.generation) → \(target.number) \(target.generation)")
                return false
            }
            if kept.count != kids.count {
                if let array = kidsEntry.referenceValue {
                    objects[array] = .array(kept)
                } else {
                    field["Kids"] = .array(kept)
                    objects[reference] = .dictionary(field)
                }
            }
            for kid in kept {
                if let target = kid.referenceValue { visit(target, depth: depth + 1) }
            }
        }
        for field in fields {
            if let reference = field.referenceValue { visit(reference, depth: 0) }
        }
        return cuts
    }
}

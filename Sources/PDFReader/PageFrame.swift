internal import CPoppler

/// How poppler's displayed-page coordinates relate to PDF user space on one page.
///
/// poppler's text search reports boxes on the page *as displayed*: rotated by /Rotate, measured
/// from the displayed crop box's lower-left corner. Form widget areas, by contrast, are unrotated
/// and measured from the crop box corner. This undoes both.
struct PageFrame {
    /// Degrees clockwise: 0, 90, 180 or 270.
    var rotation: Int
    var displayWidth: Double
    var displayHeight: Double
    var crop: PopplerRectangle

    /// A box in displayed coordinates (origin bottom left of the displayed page) as user space.
    func userRect(displayX1 x1: Double, y1: Double, x2: Double, y2: Double) -> PageRect {
        let (ax, ay) = userPoint(x1, y1), (bx, by) = userPoint(x2, y2)
        return PageRect(x1: ax, y1: ay, x2: bx, y2: by)
    }

    /// A box measured from the crop box corner, unrotated, as user space.
    func userRect(cropX1 x1: Double, y1: Double, x2: Double, y2: Double) -> PageRect {
        PageRect(x1: x1 + crop.x1, y1: y1 + crop.y1, x2: x2 + crop.x1, y2: y2 + crop.y1)
    }

    private func userPoint(_ x: Double, _ y: Double) -> (Double, Double) {
        let (cx, cy): (Double, Double) = switch rotation {
        case 90: (displayHeight - y, x)
        case 180: (displayWidth - x, displayHeight - y)
        case 270: (y, displayWidth - x)
        default: (x, y)
        }
        return (cx + crop.x1, cy + crop.y1)
    }
}

extension DocumentReader {
    /// The page's rotation in degrees clockwise (its /Rotate, normalised to 0, 90, 180 or 270).
    public func rotation(at page: Int) throws(PDFReaderError) -> Int {
        try withPage(page) { handle in frame(of: handle, index: page - 1).rotation }
    }

    /// The page's frame, with the rotation found once and cached.
    func frame(of handle: OpaquePointer, index: Int) -> PageFrame {
        var width = 0.0, height = 0.0
        poppler_page_get_size(handle, &width, &height)
        var frame = PageFrame(rotation: 0, displayWidth: width, displayHeight: height, crop: Self.cropBox(of: handle))
        if let known = rotations[index] {
            frame.rotation = known
        } else {
            frame.rotation = findRotation(handle, frame: frame)
            rotations[index] = frame.rotation
        }
        return frame
    }

    /// poppler-glib has no call for a page's rotation, but annotations reveal it: their mapping
    /// areas are in displayed coordinates while `poppler_annot_get_rectangle` is in user space.
    private func findRotation(_ handle: OpaquePointer, frame: PageFrame) -> Int {
        rotationFromAnnotations(handle, frame: frame) ?? rotationFromProbe(handle, frame: frame) ?? 0
    }

    /// Reads the rotation off an annotation already on the page, if there is a telling one.
    private func rotationFromAnnotations(_ handle: OpaquePointer, frame: PageFrame) -> Int? {
        let list = poppler_page_get_annot_mapping(handle)
        defer { poppler_page_free_annot_mapping(list) }
        var node = list
        while let current = node {
            node = current.pointee.next
            guard let mapping = current.pointee.data?.assumingMemoryBound(to: PopplerAnnotMapping.self),
                  let annot = mapping.pointee.annot,
                  poppler_annot_get_flags(annot).rawValue & POPPLER_ANNOT_FLAG_NO_ROTATE.rawValue == 0
            else { continue }
            var stored = PopplerRectangle()
            poppler_annot_get_rectangle(annot, &stored)
            if let rotation = Self.uniqueRotation(display: mapping.pointee.area, user: stored, frame: frame) {
                return rotation
            }
        }
        return nil
    }

    /// `poppler_page_add_annot` takes a box in displayed coordinates and stores it in user space:
    /// add a throwaway annotation to the in-memory page, see where it landed, take it off again.
    /// Nothing is saved. poppler 22's annotation constructors leak the new annotation (about
    /// 1 KB), which is why this is the fallback, run at most once per page.
    private func rotationFromProbe(_ handle: OpaquePointer, frame: PageFrame) -> Int? {
        var probe = PopplerRectangle(x1: 1, y1: 2, x2: 3, y2: 7)
        guard let annot = poppler_annot_square_new(document, &probe) else { return nil }
        defer { cs_poppler_unref(UnsafeMutableRawPointer(annot)) }
        poppler_page_add_annot(handle, annot)
        var stored = PopplerRectangle()
        poppler_annot_get_rectangle(annot, &stored)
        poppler_page_remove_annot(handle, annot)
        return Self.uniqueRotation(display: probe, user: stored, frame: frame)
    }

    /// The one rotation that carries `display` (displayed coordinates) onto `user` (user space
    /// measured from the crop box corner), or nil when none or several do.
    private static func uniqueRotation(display: PopplerRectangle, user: PopplerRectangle, frame: PageFrame) -> Int? {
        let landed = PageRect(x1: user.x1, y1: user.y1, x2: user.x2, y2: user.y2)
        let fits = [0, 90, 180, 270].filter { rotation in
            var candidate = frame
            candidate.rotation = rotation
            candidate.crop = PopplerRectangle(x1: 0, y1: 0, x2: 0, y2: 0)
            let expected = candidate.userRect(displayX1: display.x1, y1: display.y1, x2: display.x2, y2: display.y2)
            return abs(expected.minX - landed.minX) < 0.01 && abs(expected.minY - landed.minY) < 0.01
                && abs(expected.maxX - landed.maxX) < 0.01 && abs(expected.maxY - landed.maxY) < 0.01
        }
        return fits.count == 1 ? fits[0] : nil
    }
}

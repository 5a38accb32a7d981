/// Decodes stream data through its filter chain, with a cap on every filter's output.
public enum StreamDecoder {
    /// Decodes `data` through the filters named by a stream dictionary's /Filter (a name or an
    /// array of names) and /DecodeParms (a dictionary, or an array of dictionaries and nulls),
    /// each filter's output capped at `maxOutput` bytes.
    ///
    /// The values must be direct objects. Strict by default; `tolerant` accepts data that ends
    /// early or has junk after its end-of-data marker.
    /// - Throws: `PDFError` with `.unsupportedFilter`, `.filterFailed` or `.limitExceeded`.
    public static func decode(_ data: [UInt8], filter: PDFObject?, decodeParms: PDFObject?, maxOutput: Int,
                              tolerant: Bool = false) throws -> [UInt8] {
        try decode(data, stages: stages(filter: filter, decodeParms: decodeParms), maxOutput: maxOutput,
                   tolerant: tolerant)
    }

    /// Decodes `data` through each stage in order.
    public static func decode(_ data: [UInt8], stages: [FilterStage], maxOutput: Int,
                              tolerant: Bool = false) throws -> [UInt8] {
        var current = data
        for stage in stages {
            current = try decode(current, stage: stage, maxOutput: maxOutput, tolerant: tolerant)
        }
        return current
    }

    /// Decodes `data` through one filter.
    public static func decode(_ data: [UInt8], stage: FilterStage, maxOutput: Int,
                              tolerant: Bool = false) throws -> [UInt8] {
        try FilterSupport.checkLimit(maxOutput)
        let name = stage.filter.name.string
        switch stage.filter {
        case .asciiHex:
            return try ASCIIFilters.decodeHex(data, maxOutput: maxOutput, tolerant: tolerant)
        case .ascii85:
            return try ASCIIFilters.decode85(data, maxOutput: maxOutput, tolerant: tolerant)
        case .runLength:
            return try RunLength.decode(data, maxOutput: maxOutput, tolerant: tolerant)
        case .flate:
            let predictor = try Predictor.Parameters(stage.parameters, filter: name)
            let inflated = try Flate.decode(data, maxOutput: maxOutput, tolerant: tolerant)
            return try Predictor.decode(inflated, parameters: predictor, filter: name, maxOutput: maxOutput,
                                        tolerant: tolerant)
        case .lzw:
            let predictor = try Predictor.Parameters(stage.parameters, filter: name)
            let earlyChange = try FilterSupport.integer("EarlyChange", in: stage.parameters, default: 1, filter: name)
            let expanded = try LZW.decode(data, earlyChange: earlyChange, maxOutput: maxOutput, tolerant: tolerant)
            return try Predictor.decode(expanded, parameters: predictor, filter: name, maxOutput: maxOutput,
                                        tolerant: tolerant)
        case .ccittFax, .jbig2, .dct, .jpx:
            throw PDFError(.unsupportedFilter, "\(name) is an image codec; the raw bytes are available")
        case .crypt:
            throw PDFError(.unsupportedFilter, "Crypt filters are not decoded here; the security handler decrypts streams")
        }
    }

    /// The filter chain a /Filter and /DecodeParms pair describes.
    /// - Throws: `.unsupportedFilter` for a name that is no standard filter; `.filterFailed` for
    ///   malformed entries or indirect references.
    public static func stages(filter: PDFObject?, decodeParms: PDFObject?) throws -> [FilterStage] {
        let names: [PDFObject]
        let parameters: [PDFObject]
        switch filter {
        case nil, .null?:
            return []
        case .name(let name)?:
            names = [.name(name)]
            switch decodeParms {
            case nil, .null?: parameters = [.null]
            case .dictionary(let dictionary)?: parameters = [.dictionary(dictionary)]
            case .reference?: throw indirect("/DecodeParms")
            case let other?:
                throw PDFError(.filterFailed, "/DecodeParms must be a dictionary for a single filter, not a \(other.kindName)")
            }
        case .array(let array)?:
            names = array
            switch decodeParms {
            case nil, .null?:
                parameters = Array(repeating: .null, count: array.count)
            case .array(let list)?:
                guard list.count == array.count else {
                    throw PDFError(.filterFailed, "/DecodeParms has \(list.count) entries for \(array.count) filters")
                }
                parameters = list
            case .reference?: throw indirect("/DecodeParms")
            case let other?:
                throw PDFError(.filterFailed, "/DecodeParms must be an array for an array of filters, not a \(other.kindName)")
            }
        case .reference?:
            throw indirect("/Filter")
        case let other?:
            throw PDFError(.filterFailed, "/Filter must be a name or an array of names, not a \(other.kindName)")
        }
        return try zip(names, parameters).map { nameObject, parameterObject in
            let name: PDFName
            switch nameObject {
            case .name(let value): name = value
            case .reference: throw indirect("a /Filter entry")
            default: throw PDFError(.filterFailed, "a /Filter entry must be a name, not a \(nameObject.kindName)")
            }
            guard let filter = StreamFilter(name: name) else {
                throw PDFError(.unsupportedFilter, "\(name) is not a standard stream filter")
            }
            switch parameterObject {
            case .null: return FilterStage(filter)
            case .dictionary(let dictionary): return FilterStage(filter, parameters: dictionary)
            case .reference: throw indirect("a /DecodeParms entry")
            default:
                throw PDFError(.filterFailed, "a /DecodeParms entry must be a dictionary or null, not a \(parameterObject.kindName)")
            }
        }
    }

    private static func indirect(_ what: String) -> PDFError {
        PDFError(.filterFailed, "\(what) is an indirect reference; indirect filter parameters must be resolved first")
    }
}

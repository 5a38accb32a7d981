/// A JSON request that does not fit its type, said the way a person fixes it: the path of the
/// bad value (`recipients.0.email is missing`) instead of Swift's `DecodingError` dump.
public enum DecodingProblem {
    public static func describe(_ error: DecodingError) -> String {
        func path(_ context: DecodingError.Context) -> String {
            context.codingPath.map(\.stringValue).joined(separator: ".")
        }
        switch error {
        case .typeMismatch(_, let context), .valueNotFound(_, let context), .dataCorrupted(let context):
            let at = path(context)
            return at.isEmpty ? context.debugDescription : "\(at): \(context.debugDescription)"
        case .keyNotFound(let key, let context):
            return "\(path(context).isEmpty ? "" : path(context) + ".")\(key.stringValue) is missing"
        @unknown default:
            return "\(error)"
        }
    }
}

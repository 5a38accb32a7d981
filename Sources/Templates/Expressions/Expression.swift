import Foundation

/// Where a path's first name comes from, decided when the template is compiled.
enum PathRoot: Sendable, Hashable {
    case unresolved
    /// A declared field, looked up in the bound data.
    case field(String)
    /// A loop variable (or loop index) in slot `n` of the binding scope.
    case local(Int)
    /// The document date given to `bind` (or null).
    case today
}

/// A dotted path such as `customer.address.city`.
struct Path: Sendable, Hashable {
    var segments: [String]
    var offset: Int
    var root: PathRoot = .unresolved
    var text: String { segments.joined(separator: ".") }
}

enum Arithmetic: String, Sendable, Hashable {
    case add = "+", subtract = "-", multiply = "*", divide = "/"
}

enum Comparison: String, Sendable, Hashable {
    case equal = "==", notEqual = "!=", less = "<", lessOrEqual = "<=", greater = ">", greaterOrEqual = ">="
}

/// An expression of the template language, as a tree.
indirect enum Expression: Sendable, Hashable {
    case literal(TemplateValue)
    case path(Path)
    case list([Expression])
    case not(Expression)
    case and(Expression, Expression)
    case or(Expression, Expression)
    case compare(Comparison, Expression, Expression)
    /// `needle in haystack` (negated for `not in`).
    case contains(Expression, Expression, negated: Bool)
    case empty(Expression)
    case length(Expression)
    /// `sum(list)` or `sum(list, "member")`.
    case sum(Expression, member: String?)
    case arithmetic(Arithmetic, Expression, Expression)
    case negate(Expression)

    /// Every path in the expression, in reading order.
    var paths: [Path] {
        switch self {
        case .literal: return []
        case .path(let path): return [path]
        case .list(let items): return items.flatMap(\.paths)
        case .not(let inner), .empty(let inner), .length(let inner), .sum(let inner, _), .negate(let inner):
            return inner.paths
        case .and(let a, let b), .or(let a, let b), .compare(_, let a, let b), .contains(let a, let b, _),
             .arithmetic(_, let a, let b):
            return a.paths + b.paths
        }
    }

    /// The same expression with each path passed through `transform`.
    func mapPaths(_ transform: (Path) -> Path) -> Expression {
        switch self {
        case .literal: return self
        case .path(let path): return .path(transform(path))
        case .list(let items): return .list(items.map { $0.mapPaths(transform) })
        case .not(let inner): return .not(inner.mapPaths(transform))
        case .empty(let inner): return .empty(inner.mapPaths(transform))
        case .length(let inner): return .length(inner.mapPaths(transform))
        case .sum(let inner, let member): return .sum(inner.mapPaths(transform), member: member)
        case .negate(let inner): return .negate(inner.mapPaths(transform))
        case .arithmetic(let op, let a, let b): return .arithmetic(op, a.mapPaths(transform), b.mapPaths(transform))
        case .and(let a, let b): return .and(a.mapPaths(transform), b.mapPaths(transform))
        case .or(let a, let b): return .or(a.mapPaths(transform), b.mapPaths(transform))
        case .compare(let op, let a, let b): return .compare(op, a.mapPaths(transform), b.mapPaths(transform))
        case .contains(let a, let b, let negated):
            return .contains(a.mapPaths(transform), b.mapPaths(transform), negated: negated)
        }
    }
}

/// What an expression is evaluated against: the row's data, loop variables, the document date.
struct Scope {
    let data: [String: TemplateValue]
    var locals: [TemplateValue]
    let today: TemplateValue
}

extension Expression {
    /// Evaluates without side effects. Missing members are null; comparisons of unlike kinds are
    /// false (so `discount_pct > 0` is false when there is no discount).
    func evaluate(in scope: Scope) -> TemplateValue {
        switch self {
        case .literal(let value):
            return value
        case .path(let path):
            var value: TemplateValue
            switch path.root {
            case .field(let name): value = scope.data[name] ?? .null
            case .local(let slot): value = slot < scope.locals.count ? scope.locals[slot] : .null
            case .today: value = scope.today
            case .unresolved: value = .null
            }
            for segment in path.segments.dropFirst() {
                guard case .object(let members) = value else { return .null }
                value = members[segment] ?? .null
            }
            return value
        case .list(let items):
            return .list(items.map { $0.evaluate(in: scope) })
        case .not(let inner):
            return .bool(!inner.evaluate(in: scope).isTruthy)
        case .and(let a, let b):
            return .bool(a.evaluate(in: scope).isTruthy && b.evaluate(in: scope).isTruthy)
        case .or(let a, let b):
            return .bool(a.evaluate(in: scope).isTruthy || b.evaluate(in: scope).isTruthy)
        case .compare(let op, let a, let b):
            let left = a.evaluate(in: scope), right = b.evaluate(in: scope)
            switch op {
            case .equal: return .bool(left.matches(right))
            case .notEqual: return .bool(!left.matches(right))
            case .less: return .bool(left.order(right).map { $0 < 0 } ?? false)
            case .lessOrEqual: return .bool(left.order(right).map { $0 <= 0 } ?? false)
            case .greater: return .bool(left.order(right).map { $0 > 0 } ?? false)
            case .greaterOrEqual: return .bool(left.order(right).map { $0 >= 0 } ?? false)
            }
        case .contains(let a, let b, let negated):
            let needle = a.evaluate(in: scope), haystack = b.evaluate(in: scope)
            let found: Bool
            switch haystack {
            case .list(let items): found = items.contains { needle.matches($0) }
            case .string(let text):
                if case .string(let part) = needle { found = text.contains(part) } else { found = false }
            case .object(let members):
                if case .string(let key) = needle { found = members[key] != nil } else { found = false }
            default: found = false
            }
            return .bool(found != negated)
        case .empty(let inner):
            return .bool(inner.evaluate(in: scope).isEmptyValue)
        case .sum(let inner, let member):
            guard case .list(let items) = inner.evaluate(in: scope) else { return .null }
            var total = Decimal(0)
            for item in items {
                var value = item
                if let member {
                    guard case .object(let members) = item else { return .null }
                    value = members[member] ?? .null
                }
                guard case .number(let number) = value else { return .null }
                total += number
            }
            return .number(total)
        case .negate(let inner):
            guard case .number(let number) = inner.evaluate(in: scope) else { return .null }
            return .number(-number)
        case .arithmetic(let op, let a, let b):
            guard case .number(let left) = a.evaluate(in: scope), case .number(let right) = b.evaluate(in: scope) else {
                return .null
            }
            switch op {
            case .add: return .number(left + right)
            case .subtract: return .number(left - right)
            case .multiply: return .number(left * right)
            case .divide: return right.isZero ? .null : .number(left / right)
            }
        case .length(let inner):
            switch inner.evaluate(in: scope) {
            case .string(let text): return .integer(text.count)
            case .list(let items): return .integer(items.count)
            case .object(let members): return .integer(members.count)
            default: return .integer(0)
            }
        }
    }
}

extension TemplateValue {
    /// How a value reads as a condition: null, false, 0, "" and empty collections are false.
    var isTruthy: Bool {
        switch self {
        case .null: return false
        case .bool(let bool): return bool
        case .number(let number): return !number.isZero
        case .string(let text): return !text.isEmpty
        case .list(let items): return !items.isEmpty
        case .object(let members): return !members.isEmpty
        case .date, .datetime: return true
        }
    }

    /// `empty(x)`: null, blank text and empty collections.
    var isEmptyValue: Bool {
        switch self {
        case .null: return true
        case .string(let text): return text.isBlank
        case .list(let items): return items.isEmpty
        case .object(let members): return members.isEmpty
        default: return false
        }
    }

    /// The instant a date-like value stands for (text that is an ISO date counts).
    private var instant: Date? {
        switch self {
        case .date(let date): return date.date
        case .datetime(let date): return date
        case .string(let text): return CalendarDate.parseDateTime(text)
        default: return nil
        }
    }

    /// Equality as `==` sees it: like kinds compare by value; a date equals the ISO text of itself.
    func matches(_ other: TemplateValue) -> Bool {
        switch (self, other) {
        case (.null, .null): return true
        case (.number(let a), .number(let b)): return a == b
        case (.string(let a), .string(let b)): return a == b
        case (.bool(let a), .bool(let b)): return a == b
        case (.list(let a), .list(let b)): return a.count == b.count && zip(a, b).allSatisfy { $0.matches($1) }
        case (.object(let a), .object(let b)):
            return a.count == b.count && a.allSatisfy { key, value in b[key].map { value.matches($0) } ?? false }
        case (.date, _), (.datetime, _), (_, .date), (_, .datetime):
            guard let a = instant, let b = other.instant else { return false }
            return a == b
        default: return false
        }
    }

    /// -1, 0 or 1 when the two values can be ordered (numbers, texts, dates), nil otherwise.
    func order(_ other: TemplateValue) -> Int? {
        switch (self, other) {
        case (.number(let a), .number(let b)): return a < b ? -1 : a == b ? 0 : 1
        case (.string(let a), .string(let b)):
            let x = Array(a.unicodeScalars), y = Array(b.unicodeScalars)
            return x.lexicographicallyPrecedes(y) ? -1 : x == y ? 0 : 1
        case (.date, _), (.datetime, _), (_, .date), (_, .datetime):
            guard let a = instant, let b = other.instant else { return nil }
            return a < b ? -1 : a == b ? 0 : 1
        default: return nil
        }
    }
}

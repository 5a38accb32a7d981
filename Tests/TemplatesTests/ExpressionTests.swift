import Foundation
import Testing
@testable import Templates

@Suite struct ExpressionTests {
    @Test func parsesAndEvaluatesAComparison() throws {
        let expression = try ExpressionParser.parse("1 < 2 and not false")
        let scope = Scope(data: [:], locals: [], today: .null)
        #expect(expression.evaluate(in: scope) == .bool(true))
    }
}

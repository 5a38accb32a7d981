@testable import Batch
import Foundation
import Templates
import TestSupport
import Testing

/// Reading formats and mapping files: what real exports contain, and every way a mapping can be
/// wrong reported before any row is read.
@Suite struct CellFormatTests {
    private func date(_ text: String, _ format: String) -> String? {
        guard let parsed = CellFormat(name: format) else { return "bad format" }
        if case .success(let value) = parsed.read(text, as: .date), case .date(let day) = value { return day.description }
        return nil
    }

    @Test(arguments: [
        ("3/7/2025", "MM/DD/YYYY", "2025-03-07"), ("12/31/2024", "MM/DD/YYYY", "2024-12-31"),
        ("02/29/2024", "mm/dd/yyyy", "2024-02-29"), ("31.12.2024", "DD.MM.YYYY", "2024-12-31"),
        ("07/03/25", "DD/MM/YY", "2025-03-07"), ("01/02/69", "MM/DD/YY", "1969-01-02"), ("20250307", "YYYYMMDD", "2025-03-07"),
    ])
    func datePatterns(text: String, format: String, expected: String) {
        #expect(date(text, format) == expected)
    }

    @Test(arguments: [("13/01/2025", "MM/DD/YYYY"), ("02/30/2025", "MM/DD/YYYY"), ("2025-03-07", "MM/DD/YYYY"),
                      ("3/7/2025 10:00", "MM/DD/YYYY"), ("202503", "YYYYMMDD")])
    func badDatesAreProblems(text: String, format: String) {
        #expect(date(text, format) == nil)
    }

    @Test func patternsNeedYearMonthAndDayOnce() {
        #expect(DatePattern("MM/DD") == nil)
        #expect(DatePattern("MM/DD/YYYY/YY") == nil)
        #expect(DatePattern("MM/DD/YYYYx") == nil)
        #expect(CellFormat(name: "fancy") == nil)
    }

    @Test(arguments: [("45292", "2024-01-01"), ("1", "1900-01-01"), ("59", "1900-02-28"), ("61", "1900-03-01"),
                      ("25569", "1970-01-01"), ("45292.75", "2024-01-01"), ("2958465", "9999-12-31")])
    func excelSerials(text: String, expected: String) {
        #expect(date(text, "excel") == expected)
    }

    @Test func excelEdgeCasesAndTheDateSystems() throws {
        #expect(date("60", "excel") == nil, "1900-02-29 never existed")
        #expect(date("0", "excel") == nil)
        #expect(date("-3", "excel") == nil)
        #expect(date("45292,5", "excel") == nil)
        #expect(date("0", "excel-1904") == "1904-01-01")
        #expect(date("43830", "excel-1904") == "2024-01-01")
        let serial = try #require(CellFormat(name: "excel"))
        guard case .success(.datetime(let instant)) = serial.read("45292.75", as: .datetime) else {
            Issue.record("expected a date-time")
            return
        }
        #expect(instant == Date(timeIntervalSince1970: 1_704_067_200 + 18 * 3600))
    }

    @Test(arguments: [("1.234,56", "1234.56"), ("1234,5", "1234.5"), ("-1 234,00", "-1234.00"), ("€ 12,00", "12.00"),
                      ("1'234'567,8", "1234567.8"), ("12", "12")])
    func decimalComma(text: String, expected: String) {
        #expect(NumberText.plain(text, decimalComma: true) == expected)
    }

    @Test(arguments: ["1.23,4", "12,34,56", "1.234 567,8", "1,234.56", "", ",5", "1,"])
    func badDecimalComma(text: String) {
        #expect(NumberText.plain(text, decimalComma: true) == nil)
    }

    @Test func thousandsComma() {
        #expect(NumberText.plain("$1,250.00", decimalComma: false) == "1250.00")
        #expect(NumberText.plain("1,234,567", decimalComma: false) == "1234567")
        #expect(NumberText.plain("1,25", decimalComma: false) == nil)
        #expect(NumberText.plain("12,3456.0", decimalComma: false) == nil)
    }
}

@Suite struct MappingFileTests {
    private let header = ["Opportunity", "Account", "Email", "Start", "Close (serial)", "Licenses", "Price", "Products",
                          "Dup", "Dup"]

    private func mapper(_ json: String, header: [String]? = nil) throws -> RowMapper {
        let mapping = try BatchMapping.parse(Array(json.utf8), path: "map.json")
        return try RowMapper(template: BatchFixtures.template, mapping: mapping, header: header ?? self.header, mappingPath: "map.json")
    }

    private func mappingError(_ json: String, header: [String]? = nil) -> BatchError? {
        do {
            _ = try mapper(json, header: header)
            return nil
        } catch let error as BatchError {
            return error
        } catch {
            return nil
        }
    }

    private let good = """
    {"fields": {
       "order_id": "Opportunity", "company_name": {"column": "Account"}, "contact_email": "Email",
       "signed_on": {"column": "Start", "format": "MM/DD/YYYY"},
       "seats": {"column": "Licenses", "default": "3"},
       "unit_price": {"column": "Price", "format": "decimal-comma"},
       "region": {"value": "EMEA"},
       "line_items": {"column": "Products", "keys": {"description": "name", "qty": "count"}}},
     "manifest_keys": ["order_id"]}
    """

    @Test func aMappingReadsRenamedColumnsFormatsDefaultsConstantsAndLists() throws {
        let mapper = try mapper(good)
        let record = CSVRecord(row: 4, line: 5, fields: ["AB-1", "Zoë GmbH", "z@example.de", "3/7/2025", "", "", "1.250,50",
                                                         "[{\"name\": \"Seat\", \"count\": 2}]", "", ""])
        let mapped = mapper.map(record)
        #expect(mapped.problems.isEmpty, "\(mapped.problems)")
        #expect(mapped.values["signed_on"] == .date(CalendarDate(year: 2025, month: 3, day: 7)!))
        #expect(mapped.values["seats"] == .string("3"))
        #expect(mapped.values["unit_price"] == .string("1250.50"))
        #expect(mapped.values["region"] == .string("EMEA"))
        #expect(mapped.values["line_items"] == .list([.object(["description": .string("Seat"), "qty": .number(2)])]))
        #expect(mapper.column(of: "signed_on") == "Start")
        #expect(mapper.column(of: "region") == nil)
    }

    @Test func badCellsNameTheirRowFieldAndColumn() throws {
        let mapper = try mapper(good)
        let record = CSVRecord(row: 9, line: 12, fields: ["bad id", "", "nobody", "13/45/2025", "", "0", "1,2,3", "[", "", ""])
        let problems = mapper.map(record).problems
        let byField = Dictionary(grouping: problems, by: { $0.field ?? "" })
        #expect(Set(byField.keys) == ["order_id", "company_name", "contact_email", "signed_on", "seats", "unit_price", "line_items"])
        #expect(problems.allSatisfy { $0.row == 9 && $0.line == 12 })
        #expect(byField["signed_on"]?.first?.column == "Start")
        #expect(byField["signed_on"]?.first?.message.contains("MM/DD/YYYY") == true)
        #expect(byField["company_name"]?.first?.message.contains("required") == true)
        #expect(byField["seats"]?.first?.message.contains("minimum") == true)
        #expect(byField["signed_on"]?.count == 1, "an unreadable cell is one problem, not also 'required'")
        #expect(problems.first { $0.field == "contact_email" }?.description.hasPrefix("row 9 (line 12), field 'contact_email' (column 'Email'): ") == true)
    }

    @Test(arguments: [
        (#"{"fields": {"order_idd": "Opportunity"}}"#, "field 'order_idd' is not declared", "did you mean 'order_id'"),
        (#"{"fields": {"order_id": "Opportunityy"}}"#, "column 'Opportunityy' is not in the CSV header", "did you mean 'Opportunity'"),
        (#"{"fields": {"order_id": "Dup"}}"#, "appears 2 times", "columns 9, 10"),
        (#"{"fields": {"order_id": "Opportunity"}}"#, "required field 'company_name' has no column", ""),
        (#"{"fields": {"order_id": {"column": "Opportunity", "value": "x"}}}"#, "column or value, not both", ""),
        (#"{"fields": {"order_id": {"colum": "Opportunity"}}}"#, "unknown key 'colum'", "did you mean 'column'"),
        (#"{"feilds": {}}"#, "unknown key 'feilds'", "did you mean 'fields'"),
        (#"{"fields": {"signed_on": {"column": "Start", "format": "decimal-comma"}}}"#, "format does not apply", ""),
        (#"{"fields": {"seats": {"column": "Licenses", "type": "date"}}}"#, "type date does not fit the template's integer field", ""),
        (#"{"fields": {"signed_on": {"value": "2025-13-01"}}}"#, "signed_on': value:", ""),
        (#"{"fields": {"seats": {"column": "Licenses", "default": "zero"}}}"#, "seats': default:", "not an integer"),
        (#"{"fields": {}, "manifest_keys": ["nope"]}"#, "manifest_keys: 'nope'", ""),
        (#"[1]"#, "must be a JSON object", ""),
        (#"{"fields": "#, "map.json:", ""),
    ])
    func mistakesAreMappingErrors(json: String, message: String, hint: String) {
        let error = mappingError(json, header: header + ["company_name", "contact_email", "signed_on"])
            ?? mappingError(json)
        #expect(error?.code == .mapping, "\(json)")
        #expect(error?.reason.contains(message) == true, "\(error?.reason ?? "no error")")
        #expect(hint.isEmpty || error?.reason.contains(hint) == true, "\(error?.reason ?? "no error")")
    }

    @Test func withoutAMappingFieldsReadTheirOwnColumns() throws {
        let mapper = try RowMapper(template: BatchFixtures.template, mapping: nil,
                                   header: BatchFixtures.header.split(separator: ",").map(String.init))
        let record = CSVRecord(row: 1, line: 2, fields: ["OR-1", "Acme", "a@b.co", "2025-01-02", "", "", "", ""])
        let mapped = mapper.map(record)
        #expect(mapped.problems.isEmpty)
        #expect(mapped.values["company_name"] == .string("Acme"))
        let missing = #expect(throws: BatchError.self) {
            try RowMapper(template: BatchFixtures.template, mapping: nil, header: ["order_id", "company"])
        }
        #expect(missing?.reason.contains("required field 'company_name' has no column") == true)
        #expect(missing?.reason.contains("did you mean 'company'") == true)
    }

    @Test func loadingAMissingFileIsMissingInput() {
        let error = #expect(throws: BatchError.self) { try BatchMapping.load(URL(fileURLWithPath: "/nonexistent/map.json")) }
        #expect(error?.code == .missingInput)
    }
}

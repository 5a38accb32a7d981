import Foundation
public import Workflow
import Typesetting

extension StoreConformance {
    static let markCases: [Case] = [
        Case(name: "envelopes: adopted marks read back with their kind, bytes and script font") { store in
            _ = try await makeAccount(store, "acme")
            var envelope = makeEnvelope("acme", "env_1")
            envelope.recipients[0].mark = .typed("Łucja Núñez-Çelik", font: .texGyreChorus)
            envelope.recipients[1].mark = .drawn(png: Data([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0x00, 0xFF]))
            try await save(store, &envelope, events: ["created"])
            try expect(try await store.envelope(account: "acme", id: "env_1") == envelope, "read back equal")
            for font in SignatureFont.allCases {
                envelope.recipients[0].mark = .typed("Ada", font: font)
                envelope.recipients[1].mark = .uploaded(png: Data([0x89, 0x50, 0x4E, 0x47]))
                try await save(store, &envelope, events: ["adopted"])
                let stored = try await store.envelope(account: "acme", id: "env_1")
                try expect(stored?.recipients.map(\.mark) == envelope.recipients.map(\.mark),
                           "\(font.rawValue): \(String(describing: stored?.recipients.map(\.mark)))")
            }
        },
    ]

    /// For a store's own tests, since it needs the store's SQL: an envelope row written before
    /// typed marks carried a script font (its mark is `{"typed":{"_0":…}}`) reads back as a
    /// Dancing Script mark, and saving it again stores the font. `execute` runs one SQL
    /// statement on the store's database (both stores keep the envelope's JSON in
    /// `envelopes.body`).
    /// `removeFont` deletes `recipients[0].mark.typed.font` from envelope `env_old`'s stored row
    /// with the store's own JSON functions (the text's key order is the encoder's, not fixed).
    public static func checkTypedMarkStoredWithoutFont(_ store: any WorkflowStore,
                                                       removeFont: () async throws -> Void) async throws {
        _ = try await makeAccount(store, "acme")
        var envelope = makeEnvelope("acme", "env_old")
        envelope.recipients[0].mark = .typed("Gabriel Côté", font: .kaushanScript)
        try await save(store, &envelope, events: ["created"])
        try await removeFont()
        let old = try await store.envelope(account: "acme", id: "env_old")
        try expect(old?.recipients[0].mark == .typed("Gabriel Côté", font: .dancingScript),
                   "a row without a font reads as Dancing Script: \(String(describing: old?.recipients[0].mark))")
        var again = try await store.envelope(account: "acme", id: "env_old")!
        again.recipients[1].name = "Bo Again"
        try await save(store, &again, events: ["updated"])
        try expect(try await store.envelope(account: "acme", id: "env_old") == again, "saved again with its font")
    }
}

// swift-tools-version:6.0
import PackageDescription

/// Settings every Swift target shares: Swift 6 mode is the default for tools 6.0; these add the
/// upcoming features the design asks for (DESIGN.md §12).
let swiftSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("InternalImportsByDefault"),
]

/// A system library target found through pkg-config (module.modulemap + shim.h in Sources/NAME).
func systemLibrary(_ name: String, pkgConfig: String, apt: String) -> Target {
    .systemLibrary(name: name, pkgConfig: pkgConfig, providers: [.apt([apt])])
}

let package = Package(
    name: "Countersign",
    platforms: [.macOS(.v15)],
    products: [
        .library(name: "Countersign", targets: ["Countersign"]),
        .executable(name: "countersign", targets: ["countersign"]),
        .library(name: "WorkflowPostgres", targets: ["WorkflowPostgres"]),
        // The service's modules, for a program that mounts them itself.
        .library(name: "WebhookHTTP", targets: ["WebhookHTTP"]),
        .library(name: "Server", targets: ["Server"]),
        // The signing pages and agent console, which the server mounts (docs/signing-page.md).
        .library(name: "WebPages", targets: ["WebPages"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        // SQLite for the workflow core's embedded store (docs/architecture.md, "Workflow stores").
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.0.0"),
        // PostgreSQL for the workflow core's shared store (docs/architecture.md, "Workflow stores").
        .package(url: "https://github.com/vapor/postgres-nio", from: "1.33.2"),
        // HTTP(S) client for webhook delivery (docs/architecture.md, "Webhook delivery").
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
        // The HTTP service (docs/architecture.md, "The service's packages"): server, lifecycle, logs, metrics.
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        .package(url: "https://github.com/apple/swift-http-types", from: "1.8.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.37.6"),
        .package(url: "https://github.com/apple/swift-nio-extras", from: "1.35.2"),
        // The signing pages' and console's templates.
        .package(url: "https://github.com/hummingbird-project/swift-mustache", from: "2.1.1"),
    ],
    targets: [
        // C, confined to thin system-library targets.
        systemLibrary("CCairo", pkgConfig: "cairo", apt: "libcairo2-dev"),
        systemLibrary("CPango", pkgConfig: "pangocairo", apt: "libpango1.0-dev"),
        systemLibrary("CPoppler", pkgConfig: "poppler-glib", apt: "libpoppler-glib-dev"),
        systemLibrary("CLibXML2", pkgConfig: "libxml-2.0", apt: "libxml2-dev"),
        systemLibrary("COpenSSL", pkgConfig: "libcrypto", apt: "libssl-dev"),
        systemLibrary("CZlib", pkgConfig: "zlib", apt: "zlib1g-dev"),
        systemLibrary("CHarfBuzz", pkgConfig: "harfbuzz-subset", apt: "libharfbuzz-dev"),
        // libxmlsec1 with its OpenSSL engine: XML signatures of trusted lists (docs/ltv.md).
        systemLibrary("CXMLSec", pkgConfig: "xmlsec1-openssl", apt: "libxmlsec1-dev"),
        // Defines every poppler/glib/cairo/pango/fontconfig/harfbuzz/libcrypto/libxml2 function we
        // call as a forwarder that dlopens the library on first use, so a command loads only the
        // libraries it calls (docs/architecture.md, "Lazily-loaded libraries").
        .target(name: "LazySystemLibraries", dependencies: ["CPoppler", "CPango", "CCairo", "CHarfBuzz", "COpenSSL", "CLibXML2", "CXMLSec"]),

        // The strict PDF object layer: pure Swift + zlib.
        .target(name: "PDFSyntax", dependencies: ["CZlib"], swiftSettings: swiftSettings),
        // Layout with pango, PDF objects written directly (HarfBuzz subsets), fonts from Fonts/ only.
        .target(name: "Typesetting", dependencies: ["CCairo", "CPango", "CHarfBuzz", "CZlib", "PDFSyntax", "LazySystemLibraries", "InputChecks"],
                swiftSettings: swiftSettings),
        // Finishing generated documents: signature fields, metadata, provenance, deterministic /ID.
        .target(name: "Rendering", dependencies: ["Typesetting", "PDFSyntax", "CountersignCrypto"], swiftSettings: swiftSettings),
        // Batch generation: streaming CSV, mapping, parallel workers, manifest, resume.
        .target(name: "Batch", dependencies: ["PDFSyntax", "Templates", "Typesetting", "Rendering", "CountersignCrypto", "InputChecks"], swiftSettings: swiftSettings),
        // OpenSSL (libcrypto only): keys, certificates, CMS sign/verify, RFC 3161 timestamps. Named
        // CountersignCrypto because apple/swift-crypto (in the NIO packages' graph) owns `Crypto`.
        .target(name: "CountersignCrypto", dependencies: ["COpenSSL", "LazySystemLibraries"],
                swiftSettings: swiftSettings),
        // What users type, checked: "did you mean" suggestions, JSON that refuses unknown keys.
        .target(name: "InputChecks", swiftSettings: swiftSettings),
        // Sealing: placement, appearances, audit certificate page, one-pass PAdES signatures.
        .target(name: "Signing", dependencies: ["PDFSyntax", "Typesetting", "CountersignCrypto", "PDFReader", "InputChecks"],
                swiftSettings: swiftSettings),
        // The XML template language: parse, check, compile, bind data into a document model.
        .target(name: "Templates", dependencies: ["CLibXML2", "CountersignCrypto", "Typesetting", "LazySystemLibraries", "InputChecks"], swiftSettings: swiftSettings),
        // ETSI TS 119 612 trusted lists: parse (libxml2), verify their XML signatures against pinned
        // certificates (libxmlsec1), services' status over time, EU qualification of a signer.
        .target(name: "TrustedLists", dependencies: ["CLibXML2", "CXMLSec", "CountersignCrypto", "LazySystemLibraries"],
                swiftSettings: swiftSettings),
        // Strict verification: revisions, CMS, chains, timestamps, modification analysis, reports.
        // Never PDFReader (poppler repairs) nor Signing (the signer's assumptions) — DESIGN.md §3.
        .target(name: "Verification", dependencies: ["PDFSyntax", "CountersignCrypto", "TrustedLists"], swiftSettings: swiftSettings),
        // poppler-glib, for reading (never for security decisions).
        .target(name: "PDFReader", dependencies: ["CPoppler", "CCairo", "LazySystemLibraries"], swiftSettings: swiftSettings),
        // The workflow core: accounts, templates, envelopes, routing, signer actions, completion,
        // evidence, jobs, e-mail — pure domain over the store protocols (DESIGN.md §13).
        .target(name: "Workflow", dependencies: ["PDFSyntax", "PDFReader", "Typesetting", "Rendering", "Batch", "CountersignCrypto", "Signing",
                                                 "Templates", "Verification", "InputChecks"], swiftSettings: swiftSettings),
        // The embedded store: SQLite through GRDB, documents on the file system.
        .target(name: "WorkflowSQLite", dependencies: ["Workflow", .product(name: "GRDB", package: "GRDB.swift")],
                swiftSettings: swiftSettings),
        // The shared store: PostgreSQL through postgres-nio, documents as bytea in the same database.
        .target(name: "WorkflowPostgres",
                dependencies: ["Workflow", "CountersignCrypto", .product(name: "PostgresNIO", package: "postgres-nio")],
                swiftSettings: swiftSettings),
        // Webhook delivery over HTTP(S): the SSRF-guarded transport the worker hands deliveries to.
        .target(name: "WebhookHTTP", dependencies: ["Workflow", .product(name: "AsyncHTTPClient", package: "async-http-client")],
                swiftSettings: swiftSettings),
        // The signing page and agent console: HTML over the workflow actions, mounted by the server
        // (docs/architecture.md, "WebPages").
        .target(name: "WebPages", dependencies: ["Workflow", "PDFReader", "Templates", "Typesetting", "CountersignCrypto",
                                                 .product(name: "Hummingbird", package: "hummingbird"),
                                                 .product(name: "Mustache", package: "swift-mustache")],
                swiftSettings: swiftSettings),
        // The HTTP service over the workflow core: routes, conventions, lifecycle (DESIGN.md §14).
        .target(name: "Server", dependencies: ["Workflow", "InputChecks", "Typesetting", "WebhookHTTP", "WebPages", "CountersignCrypto",
                                               .product(name: "Hummingbird", package: "hummingbird"),
                                               .product(name: "HummingbirdCore", package: "hummingbird"),
                                               .product(name: "HummingbirdTLS", package: "hummingbird"),
                                               .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                                               .product(name: "UnixSignals", package: "swift-service-lifecycle"),
                                               .product(name: "HTTPTypes", package: "swift-http-types"),
                                               .product(name: "NIOCore", package: "swift-nio"),
                                               .product(name: "NIOSSL", package: "swift-nio-ssl"),
                                               .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
                                               .product(name: "Logging", package: "swift-log"),
                                               .product(name: "Prometheus", package: "swift-prometheus")],
                swiftSettings: swiftSettings),
        // The facade: one import for library users.
        .target(name: "Countersign", dependencies: ["PDFSyntax", "PDFReader", "Typesetting", "Rendering", "Batch", "CountersignCrypto",
                                                  "Signing", "Templates", "TrustedLists", "Verification", "Workflow", "WorkflowSQLite", "WorkflowPostgres", "InputChecks",
                                                  "WebhookHTTP"],
                swiftSettings: swiftSettings),
        // The thin CLI.
        .executableTarget(
            name: "countersign",
            dependencies: ["Countersign", "Server", .product(name: "ArgumentParser", package: "swift-argument-parser"),
                           .product(name: "Logging", package: "swift-log")],
            swiftSettings: swiftSettings),
        // The workflow benchmark's driver: one measurement per process (scripts/bench workflow).
        .executableTarget(name: "WorkflowBench", dependencies: ["Countersign"], path: "Sources/Bench/WorkflowBench",
                          swiftSettings: swiftSettings),
        // The fuzz harness as a corpus replayer; scripts/fuzz builds the libFuzzer binary from the
        // same harness file with swiftc -sanitize=fuzzer (docs/robustness.md).
        .executableTarget(name: "PDFSyntaxFuzz", dependencies: ["PDFSyntax", "COpenSSL"], path: "Sources/Fuzz/PDFSyntaxFuzz",
                          swiftSettings: swiftSettings),

        .testTarget(name: "SystemLibrariesTests",
                    dependencies: ["CCairo", "CPango", "CPoppler", "CLibXML2", "COpenSSL", "CZlib"],
                    swiftSettings: swiftSettings),
        .testTarget(name: "PDFSyntaxTests", dependencies: ["PDFSyntax", "TestSupport", "PDFSyntaxFuzz"],
                    swiftSettings: swiftSettings),
        .testTarget(name: "TypesettingTests", dependencies: ["Typesetting", "Rendering", "PDFSyntax", "TestSupport"],
                    swiftSettings: swiftSettings),
        .testTarget(name: "BatchTests", dependencies: ["Batch", "Templates", "CountersignCrypto", "PDFSyntax", "TestSupport"], swiftSettings: swiftSettings),
        .testTarget(name: "TemplatesTests", dependencies: ["Templates", "Typesetting", "TestSupport"], swiftSettings: swiftSettings),
        .testTarget(name: "PDFReaderTests", dependencies: ["PDFReader", "CCairo", "TestSupport"],
                    swiftSettings: swiftSettings),
        .testTarget(name: "CountersignCLITests",
                    dependencies: ["PDFSyntax", "CountersignCrypto", "Rendering", "Typesetting", "TestSupport", "countersign", "Countersign",
                                   "WorkflowBench"],
                    swiftSettings: swiftSettings),
        .testTarget(name: "SigningTests", dependencies: ["Signing", "CountersignCrypto", "Rendering", "Typesetting", "PDFSyntax", "PDFReader", "TestSupport"],
                    swiftSettings: swiftSettings),
        .testTarget(name: "VerificationTests",
                    dependencies: ["Verification", "TrustedLists", "Signing", "CountersignCrypto", "Rendering", "Typesetting", "PDFSyntax", "TestSupport",
                                   "CPoppler"],
                    swiftSettings: swiftSettings),
        .testTarget(name: "CryptoTests", dependencies: ["CountersignCrypto", "TestSupport"], swiftSettings: swiftSettings),
        .target(name: "TestSupport", path: "Tests/TestSupport", swiftSettings: swiftSettings),
        // The store conformance suite, generic over a store factory: every store's test target runs it.
        .target(name: "WorkflowConformance", dependencies: ["Workflow", "Typesetting"], path: "Tests/WorkflowConformance",
                swiftSettings: swiftSettings),
        .testTarget(name: "WorkflowSQLiteTests", dependencies: ["WorkflowSQLite", "Workflow", "WorkflowConformance", "TestSupport",
                                                                .product(name: "GRDB", package: "GRDB.swift")],
                    swiftSettings: swiftSettings),
        .testTarget(name: "WorkflowPostgresTests", dependencies: ["WorkflowPostgres", "Workflow", "WorkflowConformance", "TestSupport"],
                    swiftSettings: swiftSettings),
        .testTarget(name: "ServerTests", dependencies: ["Server", "Workflow", "WorkflowSQLite", "Countersign", "TestSupport",
                                                        .product(name: "Logging", package: "swift-log")],
                    swiftSettings: swiftSettings),
        .testTarget(name: "WebPagesTests", dependencies: ["WebPages", "Workflow", "WorkflowSQLite", "TestSupport", "Verification", "Typesetting",
                                                          "CountersignCrypto", .product(name: "HummingbirdTesting", package: "hummingbird")],
                    swiftSettings: swiftSettings),
        .testTarget(name: "WorkflowTests", dependencies: ["Workflow", "InputChecks", "Batch", "WorkflowSQLite", "WorkflowConformance", "TestSupport", "WebhookHTTP",
                                                          "Verification", "CountersignCrypto", "PDFSyntax", "Signing", "Typesetting",
                                                          .product(name: "GRDB", package: "GRDB.swift")],
                    swiftSettings: swiftSettings),
    ]
)

// swift-tools-version: 6.1
// amcash — a terminal cashier console for AIR MILES Cash.
// Dependencies point one way (ARCHITECTURE.md draws the graph):
// amcash → ConsoleRuntime → ConsoleUI → ConsoleCore → AMCashWire → AMCashDomain; the runtime also calls
// AMCashJournal → AMCashAPI (the HTTP client); AMCashConfiguration reads the TOML files.
import PackageDescription

let strict: [SwiftSetting] = [
    .swiftLanguageMode(.v6),
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("InternalImportsByDefault"),
]

/// The products of the dependencies that more than one target uses, named once, so a target's dependency
/// list reads as the modules it imports (scripts/check-imports holds each list to its imports).
extension Target.Dependency {
    static var asyncHTTPClient: Self { .product(name: "AsyncHTTPClient", package: "async-http-client") }
    static var crypto: Self { .product(name: "Crypto", package: "swift-crypto") }
    static var cryptoExtras: Self { .product(name: "CryptoExtras", package: "swift-crypto") }
    static var grdb: Self { .product(name: "GRDB", package: "GRDB.swift") }
    static var httpTypes: Self { .product(name: "HTTPTypes", package: "swift-http-types") }
    static var hummingbird: Self { .product(name: "Hummingbird", package: "hummingbird") }
    static var hummingbirdCore: Self { .product(name: "HummingbirdCore", package: "hummingbird") }
    static var logging: Self { .product(name: "Logging", package: "swift-log") }
    static var nioConcurrencyHelpers: Self { .product(name: "NIOConcurrencyHelpers", package: "swift-nio") }
    static var nioCore: Self { .product(name: "NIOCore", package: "swift-nio") }
    static var nioHTTP1: Self { .product(name: "NIOHTTP1", package: "swift-nio") }
    static var nioPosix: Self { .product(name: "NIOPosix", package: "swift-nio") }
    static var nioSSL: Self { .product(name: "NIOSSL", package: "swift-nio-ssl") }
    static var openAPIRuntime: Self { .product(name: "OpenAPIRuntime", package: "swift-openapi-runtime") }
    static var postgresNIO: Self { .product(name: "PostgresNIO", package: "postgres-nio") }
    static var serviceLifecycle: Self { .product(name: "ServiceLifecycle", package: "swift-service-lifecycle") }
    static var tomlKit: Self { .product(name: "TOMLKit", package: "TOMLKit") }
}

let package = Package(
    name: "amcash",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "amcash", targets: ["amcash"]),
        .executable(name: "amcash-bench", targets: ["amcash-bench"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/x-sheep/swift-property-based.git", from: "2.0.1"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-openapi-generator.git", from: "1.14.3"),
        .package(url: "https://github.com/apple/swift-openapi-runtime.git", from: "1.13.4"),
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.37.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/hummingbird-project/swift-openapi-hummingbird.git", from: "2.1.0"),
        .package(url: "https://github.com/LebJe/TOMLKit.git", from: "0.6.0"),
        .package(url: "https://github.com/groue/GRDB.swift.git", from: "7.10.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-http-types.git", from: "1.8.0"),
        // Already in the build through async-http-client; hashes the kiosk's supervisor PIN (PBKDF2).
        .package(url: "https://github.com/apple/swift-crypto.git", from: "4.5.2"),
        // Already in the build through async-http-client: the client tells connection errors (nothing sent)
        // from everything after the request head by their types, not their text.
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.37.6"),
        // Already in the build through hummingbird: the simulator's request deadline reads the HTTP parts.
        .package(url: "https://github.com/apple/swift-nio-extras.git", from: "1.35.2"),
        // Already in the build through swift-nio-ssl: the training room's private CA and server certificate.
        .package(url: "https://github.com/apple/swift-certificates.git", from: "1.21.1"),
        .package(url: "https://github.com/apple/swift-asn1.git", from: "1.7.4"),
        // The chain's back office and the training centre's shared ledger live in PostgreSQL.
        .package(url: "https://github.com/vapor/postgres-nio.git", from: "1.33.2"),
        // Already in the build through swift-openapi-generator: the register API's tests read its OpenAPI file.
        .package(url: "https://github.com/jpsim/Yams.git", from: "6.2.2"),
    ],
    targets: [
        // Pure rules and value types: no I/O, no networking, no curses.
        .target(name: "AMCashDomain", swiftSettings: strict),
        // The plain values of a call: requests, replies, failures, and the host as a protocol. No transport,
        // so the console's core and its tests build without HTTP, TLS, crypto or SQLite.
        .target(name: "AMCashWire", dependencies: ["AMCashDomain"], swiftSettings: strict),
        // TOML files with positions for every error, the terminal configuration, the folders themes and keymaps come from.
        .target(
            name: "AMCashConfiguration",
            dependencies: [
                "AMCashDomain", "AMCashWire", "ReceiptPrinting", .tomlKit, .cryptoExtras,
            ],
            swiftSettings: strict
        ),
        // The wire contract: openapi.yaml and the types and server protocol generated from it.
        // Generated code only; its unused-import warnings (silenced by the generator from Swift 6.4) are not ours.
        .target(
            name: "AMCashContract",
            dependencies: [.openAPIRuntime],
            // The Issuance contract is hand-implemented (AMCashWire/Issuance), not generated.
            exclude: ["issuance-openapi.yaml"],
            swiftSettings: [.swiftLanguageMode(.v6), .unsafeFlags(["-suppress-warnings"])],
            plugins: [.plugin(name: "OpenAPIGenerator", package: "swift-openapi-generator")]
        ),
        // The client that speaks the contract: configuration, tokens, retries, idempotency.
        // The requests as the host receives them (bodies, headers, idempotency keys) and the wire format,
        // without an HTTP stack: the journal and the console's runtime build on this, not on the client.
        .target(
            name: "AMCashRequests",
            dependencies: ["AMCashDomain", "AMCashWire", "AMCashConfiguration", "AMCashContract"],
            swiftSettings: strict
        ),
        .target(
            name: "AMCashAPI",
            dependencies: [
                "AMCashRequests", "AMCashDomain", "AMCashWire", "AMCashConfiguration", "AMCashContract", .asyncHTTPClient, .logging,
                .nioCore, .nioHTTP1, .nioPosix, .nioSSL,
            ],
            swiftSettings: strict
        ),
        // The CERT simulator: a server for the same contract.
        .target(
            name: "AMCashSimulator",
            dependencies: [
                "HTTPServing", "AMCashAPI", "AMCashWire", "AMCashConfiguration", "AMCashContract", "AMCashDomain", "AMCashPostgres",
                .postgresNIO, .hummingbird, .httpTypes,
                .product(name: "OpenAPIHummingbird", package: "swift-openapi-hummingbird"),
                .grdb,
                // The hash of a request body that came without an Idempotency-Key, and the TLS training room's CA.
                .crypto,
                .product(name: "X509", package: "swift-certificates"),
                .product(name: "SwiftASN1", package: "swift-asn1"),
                .hummingbirdCore, .nioCore, .nioConcurrencyHelpers,
                .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
                .openAPIRuntime, .logging, .tomlKit,
            ],
            swiftSettings: strict
        ),
        // A PostgreSQL address (postgresql://…), its password from the environment or a 0600 file,
        // and a running client: what the back office and the simulator's shared ledger both need.
        .target(
            name: "AMCashPostgres",
            dependencies: [
                "AMCashConfiguration", .postgresNIO, .nioSSL, .logging,
            ],
            swiftSettings: strict
        ),
        // The chain's back office: forwarding journal rows, the schema, chain-wide reconciliation, exceptions.
        .target(
            name: "AMCashBackOffice",
            dependencies: [
                "AMCashPostgres", "AMCashJournal", "AMCashDomain", .postgresNIO, .nioConcurrencyHelpers, .crypto, .logging,
            ],
            swiftSettings: strict
        ),
        // The chain's back office on the web: server-rendered pages for supervisors and IT, accounts and
        // sessions, /metrics for Prometheus (`amcash backoffice serve`).
        .target(
            name: "BackOfficeWeb",
            dependencies: [
                "HTTPServing", "AMCashBackOffice", "AMCashPostgres", "AMCashDomain", .postgresNIO, .hummingbird, .hummingbirdCore,
                .httpTypes, .nioCore, .crypto, .cryptoExtras, .logging,
            ],
            swiftSettings: strict
        ),
        // The terminal's durable journal.
        .target(
            name: "AMCashJournal",
            dependencies: [
                "AMCashRequests", "AMCashWire", "AMCashDomain", .grdb,
                // A salted hash of the card keeps two calls for one collector apart without a second copy of the number.
                .crypto,
            ],
            swiftSettings: strict
        ),
        // A receipt rendered once into a document (lines with roles), written as text or ESC/POS bytes in a
        // code page, and read back from ESC/POS for the emulator and the goldens. Pure: no files, no network.
        .target(name: "ReceiptPrinting", dependencies: ["AMCashDomain"], swiftSettings: strict),
        // The transports that carry a receipt's bytes (a file, a device, TCP), the printer's status (DLE EOT),
        // and the printer emulator.
        .target(name: "ReceiptPrinterIO", dependencies: ["ReceiptPrinting"], swiftSettings: strict),
        // A Hummingbird application in a service group of our own (the simulator, the web back office and
        // the register API): start, the bound port, TLS 1.2+, a graceful stop.
        .target(
            name: "HTTPServing",
            dependencies: [
                .hummingbird, .hummingbirdCore,
                .product(name: "HummingbirdTLS", package: "hummingbird"),
                .nioCore, .nioSSL, .serviceLifecycle, .logging,
            ],
            swiftSettings: strict
        ),
        // The store register's local API (register-openapi.yaml): sales pushed in, outcomes read from the journal.
        .target(
            name: "RegisterAPI",
            dependencies: [
                "HTTPServing", "AMCashJournal", "AMCashWire", "AMCashConfiguration", "AMCashDomain", .hummingbird, .hummingbirdCore,
                .nioCore, .logging,
            ],
            exclude: ["register-openapi.yaml"],
            swiftSettings: strict
        ),
        // The console's model, messages, effects and update(): pure values over the domain and the wire values.
        // No files, no clock, no curses, no network.
        .target(name: "ConsoleCore", dependencies: ["AMCashWire", "AMCashDomain", "ReceiptPrinting"], swiftSettings: strict),
        // view(model) onto a Canvas, themes, and an in-memory ScreenBuffer for tests.
        .target(name: "ConsoleUI", dependencies: ["ConsoleCore", "AMCashDomain"], swiftSettings: strict),
        // Themes and keymaps read from their TOML files (user folders first), with positions for every error.
        .target(
            name: "ConsoleAppearance",
            dependencies: ["ConsoleCore", "ConsoleUI", "AMCashConfiguration", .tomlKit],
            swiftSettings: strict
        ),
        // The loop (keys in, messages in, one update each, a frame when anything changed) over a TerminalDevice,
        // and the effects that talk to the journal and the host.
        .target(
            name: "ConsoleRuntime",
            dependencies: [
                "ConsoleCore", "ConsoleUI", "AMCashJournal", "AMCashRequests", "AMCashWire", "AMCashConfiguration", "AMCashDomain",
                "ReceiptPrinting", "ReceiptPrinterIO", .logging,
            ],
            swiftSettings: strict
        ),
        // Training: exercises from TOML, each run against a simulator of its own, checked from the journal
        // and the ledger; the class's scorecard in SQLite.
        .target(
            name: "AMCashTraining",
            dependencies: [
                "ConsoleRuntime", "ConsoleCore", "ConsoleUI", "AMCashSimulator", "AMCashJournal", "AMCashAPI", "AMCashWire", "AMCashConfiguration",
                "AMCashDomain", .tomlKit, .logging,
                // A training room's endpoints, over the client's HTTPS (HostClient.makeHTTPClient).
                .asyncHTTPClient, .nioCore, .nioHTTP1,
            ],
            swiftSettings: strict
        ),
        // ncursesw, seen from Swift (Debian: libncurses-dev), and the small C the terminal's safety needs:
        // wrappers for curses macros and globals, and a crash handler that restores the terminal.
        .target(
            name: "CNcursesW",
            cSettings: [.define("NCURSES_WIDECHAR", to: "1"), .define("_XOPEN_SOURCE_EXTENDED", to: "1")],
            linkerSettings: [.linkedLibrary("ncursesw")]
        ),
        // The only code that calls curses.
        .target(name: "CursesBackend", dependencies: ["ConsoleUI", "ConsoleCore", "CNcursesW"], swiftSettings: strict),
        // The executable: subcommands, configuration, wiring.
        .executableTarget(
            name: "amcash",
            dependencies: [
                "CursesBackend", "CNcursesW", "ConsoleCore", "ConsoleUI", "ConsoleAppearance", "ConsoleRuntime", "AMCashTraining", "AMCashJournal",
                "RegisterAPI",
                "AMCashAPI", "AMCashWire", "AMCashConfiguration", "AMCashDomain", "AMCashSimulator", "AMCashBackOffice", "AMCashPostgres",
                "ReceiptPrinting", "ReceiptPrinterIO", "BackOfficeWeb",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .logging, .postgresNIO,
            ],
            swiftSettings: strict
        ),
        // Benchmarks on a release build, each row beside a floor measured in the same run (scripts/bench).
        .executableTarget(
            name: "amcash-bench",
            dependencies: [
                "AMCashSimulator", "AMCashAPI", "AMCashWire", "AMCashConfiguration", "AMCashDomain", "AMCashJournal", "ConsoleCore", "ConsoleUI",
                .logging, .asyncHTTPClient, .nioCore,
                // Writes a benchmark journal of a million rows in one transaction.
                .grdb,
                // The back office's rows: forwarding from a hundred tills, a million-row chain reconciliation
                // (against AMCASH_TEST_DATABASE_URL's server or a throwaway cluster of its own).
                "AMCashBackOffice", "AMCashPostgres", "ScratchPostgres", .postgresNIO,
            ],
            swiftSettings: strict
        ),
        .testTarget(
            name: "AMCashAPITests",
            dependencies: [
                "AMCashAPI", "AMCashWire", "AMCashConfiguration", "AMCashDomain", "AMCashSimulator", .hummingbird, .serviceLifecycle,
                .httpTypes, .logging, .asyncHTTPClient, .nioCore, .nioPosix, .nioSSL, "FuzzSupport", "LogCapture",
            ],
            swiftSettings: strict
        ),
        .testTarget(
            name: "AMCashSimulatorTests",
            dependencies: [
                "AMCashSimulator", "AMCashAPI", "AMCashWire", "AMCashConfiguration", "AMCashDomain", "AMCashContract", "FuzzSupport",
                // Raw requests as an integrator's sample client sends them, not through our client.
                .asyncHTTPClient, .nioCore,
                // Writes a first-generation ledger file, to open it with today's simulator.
                .grdb,
                // The Issuance tests run on both ledgers: SQLite and a real PostgreSQL (the tests' own cluster).
                "ScratchPostgres",
            ],
            swiftSettings: strict
        ),
        // Seeded byte mutations shared by the fuzz tests.
        .target(name: "FuzzSupport", dependencies: ["AMCashDomain"], path: "Tests/FuzzSupport", swiftSettings: strict),
        // Log lines kept in memory, for the tests of what the client and the register API log.
        .target(name: "LogCapture", dependencies: [.logging], path: "Tests/LogCapture", swiftSettings: strict),
        // Models and host answers shared by the console's test targets.
        .target(
            name: "ConsoleTestSupport",
            dependencies: ["ConsoleCore", "ConsoleUI", "AMCashWire", "AMCashDomain", "ReceiptPrinting"],
            path: "Tests/ConsoleTestSupport",
            swiftSettings: strict
        ),
        .testTarget(
            name: "ConsoleCoreTests",
            // Pure: builds without HTTP, TLS, crypto, SQLite or TOML.
            dependencies: ["ConsoleCore", "ConsoleTestSupport", "AMCashWire", "AMCashDomain", "ReceiptPrinting"],
            swiftSettings: strict
        ),
        .testTarget(
            name: "ConsoleUITests",
            dependencies: [
                "ConsoleUI", "ConsoleAppearance", "ConsoleCore", "ConsoleTestSupport", "AMCashConfiguration", "AMCashWire", "AMCashDomain",
                "ReceiptPrinting",
            ],
            exclude: ["Goldens"],
            swiftSettings: strict
        ),
        // The loop, the key decoder and the effect performer, against a fake terminal and fake host.
        .testTarget(
            name: "ConsoleRuntimeTests",
            dependencies: [
                "ConsoleRuntime", "CursesBackend", "CNcursesW", "ConsoleCore", "ConsoleUI", "ConsoleTestSupport", "AMCashJournal", "AMCashAPI",
                "AMCashConfiguration", "AMCashWire", "AMCashDomain", "ReceiptPrinting", "ReceiptPrinterIO", "AMCashSimulator",
            ],
            swiftSettings: strict
        ),
        // Exercise files, the checks against a real simulator and journal, the scorecard.
        .testTarget(
            name: "AMCashTrainingTests",
            dependencies: [
                "AMCashTraining", "AMCashSimulator", "AMCashJournal", "AMCashAPI", "AMCashConfiguration", "AMCashWire", "AMCashDomain",
                "ConsoleCore", .logging,
            ],
            swiftSettings: strict
        ),
        // A till with a real journal and a client of the simulator, for the journal's and the back office's end-to-end tests.
        .target(
            name: "TillTestSupport",
            dependencies: ["AMCashAPI", "AMCashConfiguration", "AMCashDomain", "AMCashJournal", "AMCashSimulator", "AMCashWire"],
            path: "Tests/TillTestSupport", swiftSettings: strict
        ),
        .testTarget(
            name: "AMCashJournalTests",
            dependencies: [
                "AMCashJournal", "AMCashAPI", "AMCashWire", "AMCashConfiguration", "AMCashDomain", "AMCashSimulator", "TillTestSupport",
                .product(name: "PropertyBased", package: "swift-property-based"),
                .grdb,
            ],
            swiftSettings: strict
        ),
        // A throwaway PostgreSQL cluster (initdb and pg_ctl), or AMCASH_TEST_DATABASE_URL's server: for the tests and
        // the benchmarks, so the shipped amcash-bench depends on nothing under Tests/.
        .target(
            name: "ScratchPostgres",
            dependencies: [
                "AMCashPostgres", .postgresNIO, .logging,
            ],
            swiftSettings: strict
        ),
        .testTarget(
            name: "AMCashBackOfficeTests",
            dependencies: [
                "AMCashBackOffice", "AMCashPostgres", "AMCashJournal", "AMCashAPI", "AMCashWire", "AMCashConfiguration", "AMCashDomain",
                "AMCashSimulator", "ScratchPostgres", "TillTestSupport", .postgresNIO, .logging,
            ],
            swiftSettings: strict
        ),
        // The web back office over a real socket against a throwaway PostgreSQL: pages, roles, sign-in, /metrics.
        .testTarget(
            name: "BackOfficeWebTests",
            dependencies: [
                "BackOfficeWeb", "AMCashBackOffice", "AMCashPostgres", "AMCashDomain", "ScratchPostgres", .postgresNIO, .asyncHTTPClient,
                .nioCore, .nioHTTP1, .logging,
            ],
            swiftSettings: strict
        ),
        .testTarget(
            name: "amcashTests",
            // The client, for the 50 terminals of the training-centre test (in this process: 50 processes starve the suite).
            dependencies: [
                "amcash", "ScratchPostgres", "AMCashPostgres", "AMCashBackOffice", "AMCashAPI", "AMCashWire", "AMCashConfiguration",
                "AMCashDomain", "AMCashJournal", "FuzzSupport", "ReceiptPrinting",
                // The printer emulator, on a real socket, for the receipts of the one-shot commands.
                "ReceiptPrinterIO", .postgresNIO,
            ],
            swiftSettings: strict
        ),
        // Goldens of rendered receipts, the code pages, and real printers on real sockets (the emulator).
        .testTarget(
            name: "ReceiptPrintingTests",
            dependencies: ["ReceiptPrinting", "ReceiptPrinterIO", "ConsoleCore", "AMCashConfiguration", "AMCashWire", "AMCashDomain"],
            exclude: ["Goldens"],
            swiftSettings: strict
        ),
        // The register API over a real socket, against a real journal and the simulator's ledger.
        .testTarget(
            name: "RegisterAPITests",
            dependencies: [
                "RegisterAPI", "AMCashJournal", "AMCashAPI", "AMCashSimulator", "AMCashConfiguration", "AMCashWire", "AMCashDomain",
                .asyncHTTPClient, .nioCore,
                // Reads register-openapi.yaml to check the answers against it (already in the build through the generator).
                .product(name: "Yams", package: "Yams"),
                "LogCapture",
            ],
            swiftSettings: strict
        ),
        .testTarget(
            name: "AMCashDomainTests",
            dependencies: [
                "AMCashDomain", "FuzzSupport",
                .product(name: "PropertyBased", package: "swift-property-based"),
            ],
            swiftSettings: strict
        ),
    ]
)

// swift-tools-version: 6.1
// amcash — a terminal cashier console for AIR MILES Cash.
// Dependencies point one way (see docs in README):
// amcash → CursesBackend → ConsoleUI → ConsoleCore → AMCashJournal, AMCashAPI → AMCashDomain.
import PackageDescription

let strict: [SwiftSetting] = [
    .swiftLanguageMode(.v6),
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("InternalImportsByDefault"),
]

let package = Package(
    name: "amcash",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "amcash", targets: ["amcash"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/x-sheep/swift-property-based.git", from: "2.0.1"),
    ],
    targets: [
        // Pure rules and value types: no I/O, no networking, no curses.
        .target(name: "AMCashDomain", swiftSettings: strict),
        // The wire contract and the client that speaks it.
        .target(name: "AMCashAPI", dependencies: ["AMCashDomain"], swiftSettings: strict),
        // The CERT simulator: a server for the same contract.
        .target(name: "AMCashSimulator", dependencies: ["AMCashAPI", "AMCashDomain"], swiftSettings: strict),
        // The terminal's durable journal.
        .target(name: "AMCashJournal", dependencies: ["AMCashAPI", "AMCashDomain"], swiftSettings: strict),
        // The console's model, messages, effects and update(); knows nothing of curses.
        .target(name: "ConsoleCore", dependencies: ["AMCashJournal", "AMCashAPI", "AMCashDomain"], swiftSettings: strict),
        // view(model) onto a Canvas, and an in-memory ScreenBuffer for tests.
        .target(name: "ConsoleUI", dependencies: ["ConsoleCore"], swiftSettings: strict),
        // ncursesw, seen from Swift (Debian: libncurses-dev). No pkgConfig: SwiftPM would drop the
        // -D_XOPEN_SOURCE it gives anyway (with a warning); shim.h defines what the wide API needs.
        .systemLibrary(name: "CNcursesW"),
        // The only code that calls curses.
        .target(name: "CursesBackend", dependencies: ["ConsoleUI", "CNcursesW"], swiftSettings: strict),
        // The executable: subcommands, configuration, wiring.
        .executableTarget(
            name: "amcash",
            dependencies: [
                "CursesBackend", "AMCashSimulator",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: strict
        ),
        .testTarget(
            name: "AMCashDomainTests",
            dependencies: [
                "AMCashDomain",
                .product(name: "PropertyBased", package: "swift-property-based"),
            ],
            swiftSettings: strict
        ),
    ]
)

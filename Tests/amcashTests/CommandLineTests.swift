import Foundation
import Testing

/// The real `amcash` binary, as a script or an integrator runs it, on a fresh machine with no
/// configuration: it starts the built-in CERT simulator and talks to it over loopback HTTP.
@Suite struct CommandLineTests {
    static var binary: URL {
        // .build/<triple>/debug/amcashPackageTests.xctest → .build/<triple>/debug/amcash
        let here = Bundle.main.bundleURL
        let candidates = [
            here.deletingLastPathComponent().appendingPathComponent("amcash"),
            here.appendingPathComponent("amcash"),
        ]
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0.path) } ?? candidates[0]
    }

    struct Run {
        let status: Int32
        let output: String
        let errors: String
        /// Ended by SIGKILL.
        let killed: Bool
    }

    /// Runs amcash with a home of its own (no configuration, a fresh simulator ledger). The wait happens
    /// on a thread of its own, so the tests' in-process servers keep the shared task threads.
    static func amcash(_ arguments: [String], home: String? = nil, extraEnvironment: [String: String] = [:], input: String? = nil) async throws -> Run
    {
        try await withCheckedThrowingContinuation { continuation in
            Thread.detachNewThread {
                continuation.resume(with: Result { try runBlocking(arguments, home: home, extraEnvironment: extraEnvironment, input: input) })
            }
        }
    }

    private static func runBlocking(_ arguments: [String], home: String?, extraEnvironment: [String: String], input: String?) throws -> Run {
        let process = Process()
        process.executableURL = binary
        process.arguments = arguments
        let home = home ?? FileManager.default.temporaryDirectory.appendingPathComponent("amcash-home-\(UUID())").path
        var environment = ProcessInfo.processInfo.environment
        for key in ["AMCASH_CONFIG", "AMCASH_CLIENT_ID", "AMCASH_CLIENT_SECRET", "XDG_CONFIG_HOME"] { environment[key] = nil }
        environment["HOME"] = home
        environment["XDG_DATA_HOME"] = home + "/data"
        environment.merge(extraEnvironment) { $1 }
        process.environment = environment
        let out = Pipe()
        let err = Pipe()
        process.standardOutput = out
        process.standardError = err
        let stdin = Pipe()
        process.standardInput = stdin
        try process.run()
        stdin.fileHandleForWriting.write(Data((input ?? "").utf8))
        try? stdin.fileHandleForWriting.close()
        let output = out.fileHandleForReading.readDataToEndOfFile()
        let errors = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Run(
            status: process.terminationStatus, output: String(decoding: output, as: UTF8.self),
            errors: String(decoding: errors, as: UTF8.self),
            killed: process.terminationReason == .uncaughtSignal && process.terminationStatus == SIGKILL)
    }

    @Test func inquireWorksWithNoConfigurationAtAll() async throws {
        let run = try await Self.amcash(["inquire", "--card", "81000000001", "--entry", "scan", "--basket", "43.35"])
        #expect(run.status == 0, "\(run.errors)")
        #expect(run.output.contains("CERT (built-in simulator)"))
        #expect(run.output.contains("APPROVED: 0000"))
        #expect(run.output.contains("Can redeem on this sale: $40.00 (4 × $10, 380 miles)"))
        #expect(!run.output.contains("81000000001"), "the card is masked")
    }

    @Test func redeemThenReverseChainAcrossRunsAndPrintJSON() async throws {
        let home = FileManager.default.temporaryDirectory.appendingPathComponent("amcash-home-\(UUID())").path
        let redeem = try await Self.amcash(
            ["redeem", "--card", "81000000001", "--entry", "scan", "--basket", "43.35", "--amount", "30", "--json"], home: home)
        #expect(redeem.status == 0, "\(redeem.errors)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(redeem.output.utf8)) as? [String: Any])
        #expect(object["outcome"] as? String == "approved")
        #expect(object["units"] as? Int == 3)
        #expect(object["dollars"] as? String == "30.00")
        #expect(object["card"] as? String == "•••••••0001")
        #expect((object["idempotencyKey"] as? String)?.count == 36)
        #expect((object["traceId"] as? String)?.count == 12)
        let confirmation = try #require(object["confirmationNumber"] as? String)
        let reverse = try await Self.amcash(["reverse", "--card", "81000000001", "--entry", "scan", "--confirmation", confirmation], home: home)
        #expect(reverse.status == 0, "\(reverse.output)\(reverse.errors)")
        #expect(reverse.output.contains("Reversal confirmation number: RV"))
    }

    @Test(arguments: [
        (
            ["redeem", "--card", "81000000001", "--basket", "43.35", "--entry", "manual"], Int32(1),
            "A keyed card number cannot redeem miles. Nothing was sent."
        ),
        (["redeem", "--card", "81000000006", "--entry", "swipe", "--basket", "43.35"], Int32(1), "0002"),
        (["redeem", "--card", "81000000001", "--basket", "43.35"], Int32(2), "Missing expected argument '--entry <entry>'"),
        (["inquire", "--card", "8100000", "--entry", "manual", "--basket", "43.35"], Int32(2), "A card number has 11 digits; this one has 7."),
        (["inquire", "--card", "81000000001", "--entry", "manual", "--basket", "4e1"], Int32(2), "\"4e1\" is not an amount"),
        (["echo", "--base-url", "http://cert.airmilesapis.ca"], Int32(2), "plain http://"),
        (["console"], Int32(2), "amcash console needs a terminal"),
        (["sim", "--key-retention", "a day"], Int32(2), "--key-retention must be a duration such as 24h, 90m or 30s"),
        (["sim", "--orphan-refund", "0s"], Int32(2), "--orphan-refund must be a duration such as 20m or 90s"),
    ])
    func exitStatusesSayWhatHappened(arguments: [String], status: Int32, text: String) async throws {
        let run = try await Self.amcash(arguments)
        #expect(run.status == status, "\(run.output)\(run.errors)")
        #expect((run.output + run.errors).contains(text), "\(run.output)\(run.errors)")
    }

    @Test func aCardNumberCanComeFromStandardInputSoItNeverShowsInTheProcessList() async throws {
        let run = try await Self.amcash(["inquire", "--card", "-", "--entry", "scan", "--basket", "20", "--json"], input: "81000000001\n")
        #expect(run.status == 0, "\(run.errors)")
        #expect(run.output.contains("\"card\":\"•••••••0001\""))
    }

    @Test func whatAmcashWritesIsItsUsersAlone() async throws {
        let home = FileManager.default.temporaryDirectory.appendingPathComponent("amcash-home-\(UUID())").path
        let run = try await Self.amcash(["echo"], home: home)
        #expect(run.status == 0, "\(run.errors)")
        for path in [home + "/data/amcash", home + "/data/amcash/journal-cert-builtin.sqlite", home + "/data/amcash/cert-simulator.sqlite"] {
            let mode = try #require(try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int)
            #expect(mode & 0o077 == 0, "\(path) is \(String(mode, radix: 8))")
        }
    }

    @Test func amcashNeverLeavesACoreDump() async throws {
        let home = FileManager.default.temporaryDirectory.appendingPathComponent("amcash-home-\(UUID())").path
        let port = try CrashTests.freePort()
        let simulator = try CrashTests.start(["sim", "--port", String(port), "--log-level", "error"], home: home)
        defer {
            simulator.terminate()
            simulator.waitUntilExit()
        }
        try await CrashTests.waitForPort(port)
        let limits = try String(contentsOfFile: "/proc/\(simulator.processIdentifier)/limits", encoding: .utf8)
        let core = try #require(limits.split(separator: "\n").first { $0.hasPrefix("Max core file size") })
        #expect(core.split(separator: " ", omittingEmptySubsequences: true).dropFirst(4).first == "0", "\(core)")
        let status = try String(contentsOfFile: "/proc/\(simulator.processIdentifier)/status", encoding: .utf8)
        #expect(status.contains("Umask:\t0077"), "files it creates are its user's alone")
    }

    @Test func aTrainingRoomOverTLSServesATerminalThatTrustsItsCA() async throws {
        let home = FileManager.default.temporaryDirectory.appendingPathComponent("amcash-home-\(UUID())").path
        let port = try CrashTests.freePort()
        let simulator = try CrashTests.start(["sim", "--tls", "--port", String(port), "--log-level", "error"], home: home)
        defer {
            simulator.terminate()
            simulator.waitUntilExit()
        }
        try await CrashTests.waitForPort(port)
        let caFile = home + "/data/amcash/training-room-tls/ca.pem"
        #expect(FileManager.default.fileExists(atPath: caFile))
        let configuration = home + "/terminal.toml"
        func write(caLine: String) throws {
            try "hostBaseURL = \"https://localhost:\(port)\"\n\(caLine)\n".write(toFile: configuration, atomically: true, encoding: .utf8)
        }
        let environment = ["AMCASH_CLIENT_ID": "amcash-training", "AMCASH_CLIENT_SECRET": "cert-simulator-only"]
        try write(caLine: "caFile = \"\(caFile)\"")
        let trusted = try await Self.amcash(
            ["inquire", "--config", configuration, "--card", "81000000001", "--entry", "scan", "--basket", "43.35"],
            home: home, extraEnvironment: environment)
        #expect(trusted.status == 0 && trusted.output.contains("APPROVED: 0000"), "\(trusted.output) \(trusted.errors)")
        try write(caLine: "")
        let untrusted = try await Self.amcash(
            ["inquire", "--config", configuration, "--card", "81000000001", "--entry", "scan", "--basket", "43.35"],
            home: home, extraEnvironment: environment)
        #expect(untrusted.status != 0 && !untrusted.output.contains("APPROVED"), "without the CA the terminal refuses the certificate")
    }

    @Test func aSupervisorPinOfFewerThanSixDigitsIsRefused() async throws {
        let run = try await Self.amcash(["hash-pin"], input: "2468\n")
        #expect(run.status == 2 && run.errors.contains("6 to 12 digits"), "\(run.status) \(run.errors)")
        #expect(!run.output.contains("pbkdf2"))
    }

    @Test func theSimulatorListsItsTestCollectors() async throws {
        let run = try await Self.amcash(["sim", "--list-collectors", "--json"])
        #expect(run.status == 0)
        let list = try #require(try JSONSerialization.jsonObject(with: Data(run.output.utf8)) as? [[String: Any]])
        #expect(list.count == 16, "12 for AM Cash, 4 for earning")
        #expect(list.first?["situation"] as? String == "plenty")
        #expect(list.last?["earning"] as? String == "refused")
    }

    @Test func helpListsEverySubcommand() async throws {
        let run = try await Self.amcash(["--help"])
        for name in [
            "console", "echo", "inquire", "redeem", "reverse", "calculate", "issue", "return", "sim", "journal", "reconcile", "lint",
        ] {
            #expect(run.output.contains("  \(name)"), "\(name) missing from --help")
        }
    }
}

@Suite struct ReconcileCommandTests {
    static func today() -> String {
        let formatter = DateFormatter()
        formatter.timeZone = TimeZone(identifier: "America/Toronto")
        formatter.dateFormat = "yyyy-MM-dd"
        return formatter.string(from: Date())
    }

    @Test func aSixteenMebibyteLineIsRefusedAtOnceAndAMistypedJournalIsNotCreated() async throws {
        let home = FileManager.default.temporaryDirectory.appendingPathComponent("amcash-home-\(UUID())").path
        try FileManager.default.createDirectory(atPath: home, withIntermediateDirectories: true)
        let file = home + "/huge.txt"
        try Data(("H1%%AMCASHRECON%%1%%LOY1%%20261129\n" + String(repeating: "D", count: 16 * 1024 * 1024) + "\n").utf8)
            .write(to: URL(fileURLWithPath: file))
        let started = Date()
        let huge = try await CommandLineTests.amcash(["reconcile", file], home: home)
        #expect(huge.status == 2 && huge.errors.contains("longer than"), "\(huge.errors)")
        // Linear time: seconds even on a loaded 2-core machine; a quadratic scan of 16 MiB would take hours.
        #expect(Date().timeIntervalSince(started) < 45, "refused in linear time")
        let mistyped = try await CommandLineTests.amcash(["reconcile", file, "--journal", home + "/jounral.sqlite"], home: home)
        #expect(mistyped.status == 2 && mistyped.errors.contains("no journal at"))
        #expect(!FileManager.default.fileExists(atPath: home + "/jounral.sqlite"))
    }

    @Test func reconcileShowsItsProgressOnATerminalAndNeverOnAPipe() async throws {
        let home = FileManager.default.temporaryDirectory.appendingPathComponent("amcash-home-\(UUID())").path
        #expect(try await CommandLineTests.amcash(["redeem", "--card", "81000000001", "--entry", "scan", "--basket", "45"], home: home).status == 0)
        let file = home + "/daily.txt"
        #expect(
            try await CommandLineTests.amcash(
                [
                    "sim", "export-recon", "--db", home + "/data/amcash/cert-simulator.sqlite",
                    "--day", Self.today(), "--output", file,
                ], home: home
            ).status == 0)
        let piped = try await CommandLineTests.amcash(["reconcile", file], home: home)
        #expect(piped.status == 0 && !piped.errors.contains("amcash reconcile:"), "a pipe gets no progress line: \(piped.errors)")
        // Standard error on a terminal (a pseudo-terminal here): the progress line, cleared before the report.
        let terminal = try await Self.onOwnThread { () throws -> (Int32, String) in
            var primary: Int32 = -1
            var secondary: Int32 = -1
            guard openpty(&primary, &secondary, nil, nil, nil) == 0 else { throw CocoaError(.fileReadUnknown) }
            let process = Process()
            process.executableURL = CommandLineTests.binary
            process.arguments = ["reconcile", file]
            var environment = ProcessInfo.processInfo.environment
            environment["HOME"] = home
            environment["XDG_DATA_HOME"] = home + "/data"
            environment["TERM"] = "xterm"
            process.environment = environment
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle(fileDescriptor: secondary, closeOnDealloc: false)
            try process.run()
            close(secondary)
            var collected = [UInt8]()
            var chunk = [UInt8](repeating: 0, count: 4096)
            while true {
                let count = read(primary, &chunk, chunk.count)
                if count <= 0 { break }
                collected += chunk[0..<count]
            }
            process.waitUntilExit()
            close(primary)
            return (process.terminationStatus, String(decoding: collected, as: UTF8.self))
        }
        #expect(terminal.0 == 0)
        #expect(terminal.1.contains("amcash reconcile: writing the results to the journal"), "\(terminal.1.debugDescription)")
        #expect(terminal.1.hasSuffix("\r\u{1B}[K"), "the line is cleared at the end")
    }

    static func onOwnThread<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            Thread.detachNewThread { continuation.resume(with: Result { try work() }) }
        }
    }

    @Test func theDailyFileReconcilesCleanThenBreaksAreReportedAndABadFileIsRefused() async throws {
        let home = FileManager.default.temporaryDirectory.appendingPathComponent("amcash-home-\(UUID())").path
        #expect(try await CommandLineTests.amcash(["redeem", "--card", "81000000001", "--entry", "scan", "--basket", "45"], home: home).status == 0)
        #expect(try await CommandLineTests.amcash(["redeem", "--card", "81000000002", "--entry", "scan", "--basket", "45"], home: home).status == 0)
        let file = home + "/daily.txt"
        let export = try await CommandLineTests.amcash(
            [
                "sim", "export-recon", "--db", home + "/data/amcash/cert-simulator.sqlite",
                "--day", Self.today(), "--output", file,
            ], home: home)
        #expect(export.status == 0, "\(export.errors)")

        let clean = try await CommandLineTests.amcash(["reconcile", file], home: home)
        #expect(clean.status == 0, "\(clean.output)\(clean.errors)")
        #expect(clean.output.contains("No breaks"))

        // A record the terminal never made: a break, listed with a masked card.
        var lines = try String(contentsOfFile: file, encoding: .utf8).split(separator: "\n").map(String.init)
        var extraFields = lines[2].components(separatedBy: "%%")
        extraFields[7] = "999999999999"
        extraFields[12] = "XX" + extraFields[12]
        let extra = extraFields.joined(separator: "%%")
        lines.insert(extra, at: 3)
        lines[lines.count - 2] = lines[lines.count - 2].replacingOccurrences(of: "T1%%2%%2", with: "T1%%3%%3")
        let trailer = lines[lines.count - 1].components(separatedBy: "%%")
        let miles = Int(trailer[1])! + Int(extraFields[10])!
        let cents = Int(trailer[2].replacingOccurrences(of: ".", with: ""))! + Int(extraFields[11].replacingOccurrences(of: ".", with: ""))!
        lines[lines.count - 1] = "T2%%\(miles)%%\(cents / 100).\(String(format: "%02d", cents % 100))%%0%%0.00"
        try (lines.joined(separator: "\r\n") + "\r\n").write(toFile: file, atomically: true, encoding: .utf8)
        let broken = try await CommandLineTests.amcash(["reconcile", file, "--json"], home: home)
        #expect(broken.status == 1, "\(broken.output)\(broken.errors)")
        let report = try #require(try JSONSerialization.jsonObject(with: Data(broken.output.utf8)) as? [String: Any])
        let breaks = try #require(report["breaks"] as? [[String: Any]])
        #expect(breaks.map { $0["classification"] as? String } == ["missing-at-terminal"])
        #expect(breaks.first?["card"] as? String == "•••••••0001")
        #expect(!broken.output.contains("81000000001"))

        // Totals that do not add up: the file is unusable, and says where.
        try (lines.dropLast().joined(separator: "\n") + "\nT2%%1%%1.00%%0%%0.00\n").write(toFile: file, atomically: true, encoding: .utf8)
        let unusable = try await CommandLineTests.amcash(["reconcile", file], home: home)
        #expect(unusable.status == 2)
        #expect(unusable.errors.contains("record 7: T2 says 1 REDEEM miles"), "\(unusable.errors)")
    }
}

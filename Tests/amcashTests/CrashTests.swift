import Foundation
import FuzzSupport
import ScratchPostgres
import Testing

/// Kills `amcash redeem` with SIGKILL at each crash point of the journaled transaction, against a
/// simulator whose ledger is on disk; after a restart and one recovery pass the simulator's ledger
/// must show, for every sale, a net debit equal to the discount the command wrote out as APPROVED:
/// an approval nobody saw is voided, nothing is debited twice, nothing is lost.
@Suite(.serialized) struct CrashTests {
    static let points = ["after-intent-commit", "after-request-sent", "after-response-read", "after-outcome-commit", "after-shown"]
    static let killsPerPoint = 8

    @Test(arguments: points)
    func theNetDebitOfEverySaleIsWhatTheCashierWasShownWhenTheTillDies(point: String) async throws {
        let work = FileManager.default.temporaryDirectory.appendingPathComponent("amcash-crash-\(UUID())").path
        try FileManager.default.createDirectory(atPath: work, withIntermediateDirectories: true)
        let ledger = work + "/ledger.sqlite"
        let port = try Self.freePort()
        // For "after the request is sent" the simulator holds every answer, and amcash dies while waiting.
        var simArguments = ["sim", "--port", String(port), "--db", ledger, "--log-level", "error"]
        if point == "after-request-sent" { simArguments += ["--fault", "redeem:delay=700"] }
        let simulator = try Self.start(simArguments, home: work)
        defer {
            simulator.terminate()
            simulator.waitUntilExit()
        }
        try await Self.waitForPort(port)

        let config = work + "/terminal.toml"
        try """
        hostBaseURL = "http://127.0.0.1:\(port)"
        journalPath = "\(work)/journal.sqlite"
        readTimeoutMs = 3000
        """.write(toFile: config, atomically: true, encoding: .utf8)

        for _ in 0..<Self.killsPerPoint {
            let run = try await CommandLineTests.amcash(
                [
                    "redeem", "--config", config, "--card", "81000000001", "--entry", "scan",
                    "--basket", "20", "--amount", "10",
                ],
                home: work, extraEnvironment: Self.credentials.merging(["AMCASH_TEST_CRASH_AT": point]) { $1 })
            #expect(run.killed, "amcash was not killed at \(point): \(run.status) \(run.errors)")
        }
        // A restart: one command's recovery settles whatever the last kill left open (`amcash journal` only reads).
        let settle = try await CommandLineTests.amcash(["echo", "--config", config], home: work, extraEnvironment: Self.credentials)
        #expect(settle.status == 0, "\(settle.errors)")
        let listing = try await CommandLineTests.amcash(
            ["journal", "--config", config, "--json", "--day", Self.today()], home: work,
            extraEnvironment: Self.credentials)
        #expect(listing.status == 0, "\(listing.errors)")
        let journal = try #require(try JSONSerialization.jsonObject(with: Data(listing.output.utf8)) as? [String: Any])
        let entries = try #require(journal["entries"] as? [[String: Any]])
        let redeems = entries.filter { $0["kind"] as? String == "REDEEM" }

        simulator.terminate()
        simulator.waitUntilExit()
        let export = try await CommandLineTests.amcash(["sim", "export-recon", "--db", ledger, "--day", Self.today()], home: work)
        let records = export.output.split(separator: "\n").filter { $0.hasPrefix("D%%") }.map { $0.components(separatedBy: "%%") }
        let debits = records.filter { $0[1] == "REDEEM" }
        let credits = records.filter { $0[1] == "REVERSE" }

        #expect(redeems.count == Self.killsPerPoint, "one journaled intent per run")
        let expected: Set<String> = point == "after-shown" ? ["shown"] : ["voided", "declined"]
        #expect(
            redeems.allSatisfy { expected.contains($0["state"] as? String ?? "") },
            "every intent settled as \(expected): \(redeems.map { $0["state"] ?? "?" })")
        #expect(Set(debits.map { $0[7] }).count == debits.count, "no trace id debited twice")
        for entry in redeems {
            let trace = entry["traceId"] as? String ?? ""
            let shownCents = entry["state"] as? String == "shown" ? Self.cents(entry["dollars"] as? String) : 0
            let debit = debits.first { $0[7] == trace }
            let credit = debit.flatMap { debit in credits.first { $0[13] == debit[12] } }
            let net = (debit.map { Self.cents($0[11]) } ?? 0) - (credit.map { Self.cents($0[11]) } ?? 0)
            #expect(net == shownCents, "trace \(trace): the ledger's net debit \(net)¢ differs from the \(shownCents)¢ shown")
        }
        #expect(debits.allSatisfy { debit in redeems.contains { $0["traceId"] as? String == debit[7] } }, "every debit has its journal row")
    }

    static func cents(_ dollars: String?) -> Int {
        guard let dollars else { return 0 }
        let parts = dollars.split(separator: ".")
        return (Int(parts.first ?? "0") ?? 0) * 100 + (parts.count > 1 ? Int(parts[1]) ?? 0 : 0)
    }

    static let credentials = ["AMCASH_CLIENT_ID": "amcash-training", "AMCASH_CLIENT_SECRET": "cert-simulator-only"]

    static func today() -> String {
        let formatter = DateFormatter()
        formatter.timeZone = TimeZone(identifier: "America/Toronto")
        formatter.dateFormat = "yyyy-MM-dd"
        return formatter.string(from: Date())
    }

    static func start(_ arguments: [String], home: String) throws -> Process {
        let process = Process()
        process.executableURL = CommandLineTests.binary
        process.arguments = arguments
        var environment = ProcessInfo.processInfo.environment
        environment["HOME"] = home
        environment["XDG_DATA_HOME"] = home + "/data"
        process.environment = environment
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        return process
    }

    static func freePort() throws -> Int { try LoopbackPort.free() }

    /// Polls until something listens on `port` (at most 60 s: a first start in a fresh clone, beside the
    /// rest of the suite, can take seconds; this waits for readiness, it does not time anything).
    static func waitForPort(_ port: Int) async throws {
        let deadline = Date().addingTimeInterval(60)
        while Date() < deadline {
            if LoopbackSocket.isListening(port) { return }
            try await Task.sleep(for: .milliseconds(50))
        }
        throw CrashTestError(reason: "the simulator did not listen on \(port)")
    }

    struct CrashTestError: Error { let reason: String }
}

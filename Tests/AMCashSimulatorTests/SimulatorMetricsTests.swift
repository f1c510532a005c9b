import AMCashSimulator
import AsyncHTTPClient
import Foundation
import NIOCore
import Testing

/// `amcash sim`'s /metrics: every answer counted by operation and status, and timed.
@Suite struct SimulatorMetricsTests {
    @Test func requestsAreCountedByOperationAndStatusAndTimed() async throws {
        let simulator = try await SimulatorServer.start()
        // The shared client: never shut down, so a throw mid-test fails this test alone (no deinit trap).
        let http = HTTPClient.shared
        func get(_ path: String) async throws -> (Int, String) {
            let response = try await http.execute(HTTPClientRequest(url: simulator.baseURL + path), timeout: .seconds(10))
            return (Int(response.status.code), String(buffer: try await response.body.collect(upTo: 1 << 20)))
        }
        #expect(try await get("/health").0 == 200)
        #expect(try await get("/health").0 == 200)
        // No token: the front door's own 401 is counted too.
        #expect(try await get("/checkout/amcash/echo").0 == 401)
        let (status, text) = try await get("/metrics")
        #expect(status == 200)
        let lines = text.split(separator: "\n").map(String.init)
        #expect(lines.contains("amcash_sim_requests_total{operation=\"other\",status=\"200\"} 2"), "\(text)")
        #expect(lines.contains("amcash_sim_requests_total{operation=\"echo\",status=\"401\"} 1"), "\(text)")
        #expect(lines.contains("amcash_sim_request_seconds_count{operation=\"echo\"} 1"))
        #expect(lines.contains("amcash_sim_request_seconds_bucket{operation=\"echo\",le=\"+Inf\"} 1"))
        #expect(lines.first == "# HELP amcash_sim_requests_total Requests the simulator answered, by operation and HTTP status.")
        await simulator.stop()
    }
}

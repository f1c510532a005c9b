import AMCashDomain
import Foundation
import Hummingbird
import NIOConcurrencyHelpers

/// `/metrics` of `amcash sim`, in the Prometheus text format: requests by operation and HTTP status,
/// and a latency histogram per operation, counted since the simulator started. Written by hand, as
/// the back office's: a few counters need no metrics registry.
final class SimulatorMetrics: Sendable {
    /// Upper bounds of the latency buckets, in seconds.
    static let buckets: [Double] = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10]

    private struct State {
        var requests: [String: [Int: Int]] = [:]
        var bucketCounts: [String: [Int]] = [:]
        var sums: [String: Double] = [:]
        var counts: [String: Int] = [:]
    }

    private let state = NIOLockedValueBox(State())

    /// The operation a path is: an endpoint of the contract, the token, or "other".
    static func operation(of path: String) -> String {
        if path == "/oauth/token" { return "token" }
        guard path.hasPrefix(HostFrontDoor.apiPrefix) else { return "other" }
        let endpoint = String(path.dropFirst(HostFrontDoor.apiPrefix.count))
        return HostFrontDoor.endpoints.contains(endpoint) ? endpoint : "other"
    }

    func record(operation: String, status: Int, seconds: Double) {
        state.withLockedValue { state in
            state.requests[operation, default: [:]][status, default: 0] += 1
            var buckets = state.bucketCounts[operation] ?? Array(repeating: 0, count: Self.buckets.count)
            for (index, bound) in Self.buckets.enumerated() where seconds <= bound { buckets[index] += 1 }
            state.bucketCounts[operation] = buckets
            state.sums[operation, default: 0] += seconds
            state.counts[operation, default: 0] += 1
        }
    }

    var exposition: String {
        let state = state.withLockedValue { $0 }
        var text = "# HELP amcash_sim_requests_total Requests the simulator answered, by operation and HTTP status.\n"
        text += "# TYPE amcash_sim_requests_total counter\n"
        for (operation, statuses) in state.requests.sorted(by: { $0.key < $1.key }) {
            for (status, count) in statuses.sorted(by: { $0.key < $1.key }) {
                text += "amcash_sim_requests_total{operation=\"\(operation)\",status=\"\(status)\"} \(count)\n"
            }
        }
        text += "# HELP amcash_sim_request_seconds Time to answer, by operation.\n"
        text += "# TYPE amcash_sim_request_seconds histogram\n"
        for (operation, buckets) in state.bucketCounts.sorted(by: { $0.key < $1.key }) {
            for (index, bound) in Self.buckets.enumerated() {
                text += "amcash_sim_request_seconds_bucket{operation=\"\(operation)\",le=\"\(bound)\"} \(buckets[index])\n"
            }
            let count = state.counts[operation] ?? 0
            text += "amcash_sim_request_seconds_bucket{operation=\"\(operation)\",le=\"+Inf\"} \(count)\n"
            text += "amcash_sim_request_seconds_sum{operation=\"\(operation)\"} \(state.sums[operation] ?? 0)\n"
            text += "amcash_sim_request_seconds_count{operation=\"\(operation)\"} \(count)\n"
        }
        return text
    }

    /// Times every request and counts its answer (the answers the front door gives itself included).
    struct Middleware: RouterMiddleware {
        typealias Context = BasicRequestContext
        let metrics: SimulatorMetrics

        func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
            let started = ContinuousClock.now
            let operation = SimulatorMetrics.operation(of: request.uri.path)
            do {
                let response = try await next(request, context)
                metrics.record(operation: operation, status: Int(response.status.code), seconds: Self.seconds(since: started))
                return response
            } catch let error as HTTPError {
                metrics.record(operation: operation, status: Int(error.status.code), seconds: Self.seconds(since: started))
                throw error
            } catch {
                metrics.record(operation: operation, status: 500, seconds: Self.seconds(since: started))
                throw error
            }
        }

        static func seconds(since start: ContinuousClock.Instant) -> Double {
            Double((ContinuousClock.now - start).wholeNanoseconds) / 1e9
        }
    }
}

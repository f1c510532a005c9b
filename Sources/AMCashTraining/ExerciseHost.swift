import AMCashAPI
public import AMCashConfiguration
import AMCashDomain
public import AMCashSimulator
import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import NIOHTTP1

/// Where an exercise's host lives: a simulator of its own on this machine (`amcash train`), or a
/// shared training room (`amcash train --classroom URL`), where each attempt gets an account of its own.
public protocol ExerciseHost: Sendable {
    /// Sets the host up for one attempt at `exercise` and records that it started.
    func prepare(_ exercise: Exercise, trainee: String) async throws -> PreparedExercise
    /// The exercises `trainee` has passed, on the scorecard this host reports to (for resuming).
    func passed(by trainee: String) async throws -> Set<String>
}

/// One attempt's host: where the terminal sends its calls, the collector to serve, and how to read
/// the ledger, end the exercise's faults and record the verdict.
public struct PreparedExercise: Sendable {
    public let settings: HostSettings
    public let credentials: ClientCredentials
    /// The collector number of this attempt (a training room gives each attempt its own).
    public let collector: String
    public let startingCash: Int
    /// The collector's cash miles and redemptions still standing, as the ledger holds them now.
    public let ledger: @Sendable () async -> (cash: Int, standing: Int)?
    /// The collector's Issuance rows (earnings and returns) as the ledger holds them; nil when the host
    /// cannot say (a training room: the checks then read the journal's answers alone).
    public var issuances: @Sendable () async -> [SimulatedIssuance]? = { nil }
    /// The network is back: the exercise's faults end (before the check, so recovery can run).
    public let networkBack: @Sendable () async -> Void
    /// Records the verdict on the scorecard.
    public let finish: @Sendable (_ passed: Bool, _ mistakes: [String]) async throws -> Void
    public let close: @Sendable () async -> Void
}

/// A simulator started for each exercise, on loopback, with only that exercise's collector and faults;
/// the scorecard in a local SQLite file.
public struct LocalExerciseHost: ExerciseHost {
    let scorecard: Scorecard

    public init(scorecard: Scorecard) { self.scorecard = scorecard }

    public func passed(by trainee: String) async throws -> Set<String> { try scorecard.passed(by: trainee) }

    public func prepare(_ exercise: Exercise, trainee: String) async throws -> PreparedExercise {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("amcash-train-sim-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        let attempt = try scorecard.begin(trainee: trainee, exercise: exercise.name)
        let simulator = try await SimulatorServer.start(
            options: SimulatorOptions(
                collectors: [exercise.collector], faults: FaultPlan(rules: exercise.faults), databasePath: folder + "/ledger.sqlite"),
            logger: Logger(label: "amcash.train.simulator"))
        let number = exercise.collector.number
        let scorecard = self.scorecard
        return PreparedExercise(
            settings: HostSettings(environment: .cert, baseURL: try HostEndpoint(simulator.baseURL)), credentials: .simulator,
            collector: number, startingCash: exercise.collector.cashMiles,
            ledger: {
                guard let cash = await simulator.cashBalance(of: number) else { return nil }
                let standing = await simulator.redemptions().filter { $0.collectorNumber == number && $0.reversalConfirmationNumber == nil }
                return (cash, standing.count)
            },
            issuances: { (try? await simulator.issuances())?.filter { $0.collectorNumber == number } },
            networkBack: { await simulator.injectFaults(FaultPlan()) },
            finish: { passed, mistakes in try scorecard.finish(attempt, passed: passed, mistakes: mistakes) },
            close: {
                await simulator.stop()
                try? FileManager.default.removeItem(atPath: folder)
            })
    }
}

/// A shared training room (`amcash sim`, over TLS on a network): each attempt gets a fresh account there
/// (`POST /training/setup`), and the verdict goes to the room's scorecard, so the trainer sees the class.
public struct ClassroomExerciseHost: ExerciseHost {
    let base: HostEndpoint
    let caFile: String?
    let credentials: ClientCredentials
    let http: HTTPClient

    public init(base: HostEndpoint, caFile: String?, credentials: ClientCredentials = .simulator) {
        self.base = base
        self.caFile = caFile
        self.credentials = credentials
        http = HostClient.makeHTTPClient(caFile: caFile, timeouts: HostTimeouts(connect: .seconds(5), read: .seconds(15)))
    }

    public func shutdown() async { try? await http.shutdown() }

    public func passed(by trainee: String) async throws -> Set<String> {
        let answer = try await call(.POST, "/training/passed", ["trainee": trainee])
        return Set(answer["exercises"] as? [String] ?? [])
    }

    /// The room's answer to one training call, as JSON.
    func call(_ method: HTTPMethod, _ path: String, _ body: [String: Any]? = nil) async throws -> [String: Any] {
        var request = HTTPClientRequest(url: base.url.absoluteString.trimmingCharacters(in: CharacterSet(charactersIn: "/")) + path)
        request.method = method
        let basic = Data("\(credentials.clientId):\(credentials.clientSecret)".utf8).base64EncodedString()
        request.headers.add(name: "Authorization", value: "Basic \(basic)")
        if let body {
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(bytes: try JSONSerialization.data(withJSONObject: body)))
        }
        let response = try await http.execute(request, timeout: .seconds(15))
        let bytes = try await response.body.collect(upTo: 64 * 1024)
        let object = (try? JSONSerialization.jsonObject(with: Data(bytes.readableBytesView)) as? [String: Any]) ?? [:]
        guard response.status == .ok else {
            throw ClassroomError(message: "the training room answered \(response.status.code): \(object["message"] as? String ?? "")")
        }
        return object
    }

    public func prepare(_ exercise: Exercise, trainee: String) async throws -> PreparedExercise {
        let collector = exercise.collector
        let answer = try await call(
            .POST, "/training/setup",
            [
                "trainee": trainee, "exercise": exercise.name, "cashMiles": collector.cashMiles, "dreamMiles": collector.dreamMiles,
                "redeemedTodayUnits": collector.redeemedTodayUnits, "behaviour": collector.behaviour.rawValue,
                "earning": (collector.earning ?? .normal).rawValue, "faults": exercise.faults.map(\.description),
            ])
        guard let number = answer["collector"] as? String, let attempt = answer["attempt"] as? Int else {
            throw ClassroomError(message: "the training room's setup answer has no collector")
        }
        let room = self
        var settings = HostSettings(environment: .cert, baseURL: base)
        settings.caFile = caFile
        return PreparedExercise(
            settings: settings, credentials: credentials, collector: number,
            startingCash: collector.cashMiles,
            ledger: {
                guard let facts = try? await room.call(.GET, "/training/collectors/\(number)"), let cash = facts["cashMiles"] as? Int else {
                    return nil
                }
                return (cash, facts["standing"] as? Int ?? 0)
            },
            networkBack: { _ = try? await room.call(.POST, "/training/collectors/\(number)/network-back") },
            finish: { passed, mistakes in _ = try await room.call(.POST, "/training/attempts/\(attempt)", ["passed": passed, "mistakes": mistakes]) },
            close: {})
    }
}

public struct ClassroomError: Error, CustomStringConvertible {
    public let message: String
    public var description: String { message }
}

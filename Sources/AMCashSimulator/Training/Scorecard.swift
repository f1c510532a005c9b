import AMCashConfiguration
public import Foundation
import GRDB

/// The trainer's record of a class: every attempt at every exercise, by trainee. SQLite, written when
/// an attempt starts and again when it ends, so a terminal restarted mid-exercise loses nothing: the
/// open attempt counts, and the trainee resumes at the first exercise not yet passed.
public final class Scorecard: Sendable {
    private let queue: DatabaseQueue
    public let path: String

    public init(path: String) throws {
        self.path = path
        var configuration = Configuration()
        configuration.busyMode = .timeout(5)
        configuration.prepareDatabase { db in try db.execute(sql: "PRAGMA synchronous = FULL") }
        PrivateFile.prepare(path)
        queue = try DatabaseQueue(path: path, configuration: configuration)
        try queue.write { db in
            try db.execute(
                sql: """
                    CREATE TABLE IF NOT EXISTS attempts (
                        id INTEGER PRIMARY KEY AUTOINCREMENT,
                        trainee TEXT NOT NULL,
                        exercise TEXT NOT NULL,
                        startedAt REAL NOT NULL,
                        finishedAt REAL,
                        passed INTEGER,
                        mistakes TEXT NOT NULL DEFAULT ''
                    )
                    """)
        }
    }

    /// Records the start of an attempt; returns its id.
    public func begin(trainee: String, exercise: String, at now: Date = Date()) throws -> Int64 {
        try queue.write { db in
            try db.execute(
                sql: "INSERT INTO attempts (trainee, exercise, startedAt) VALUES (?, ?, ?)",
                arguments: [trainee, exercise, now.timeIntervalSince1970])
            return db.lastInsertedRowID
        }
    }

    public func finish(_ id: Int64, passed: Bool, mistakes: [String], at now: Date = Date()) throws {
        try queue.write { db in
            try db.execute(
                sql: "UPDATE attempts SET finishedAt = ?, passed = ?, mistakes = ? WHERE id = ?",
                arguments: [now.timeIntervalSince1970, passed, mistakes.joined(separator: ","), id])
        }
    }

    /// The exercises this trainee has passed.
    public func passed(by trainee: String) throws -> Set<String> {
        try queue.read { db in
            Set(try String.fetchAll(db, sql: "SELECT DISTINCT exercise FROM attempts WHERE trainee = ? AND passed = 1", arguments: [trainee]))
        }
    }

    /// One trainee's line of the class scorecard.
    public struct TraineeScore: Sendable, Equatable, Encodable {
        public let trainee: String
        public let passed: Int
        public let attempts: Int
        /// Seconds spent on finished attempts.
        public let seconds: Int
        /// Unfinished attempts (a terminal closed mid-exercise).
        public let unfinished: Int
        public let mistakes: [String: Int]

        public init(trainee: String, passed: Int, attempts: Int, seconds: Int, unfinished: Int, mistakes: [String: Int]) {
            self.trainee = trainee
            self.passed = passed
            self.attempts = attempts
            self.seconds = seconds
            self.unfinished = unfinished
            self.mistakes = mistakes
        }
    }

    /// Per trainee: exercises passed, attempts, time taken, mistakes by kind.
    public func summary() throws -> [TraineeScore] {
        try queue.read { db in
            let rows = try Row.fetchAll(
                db, sql: "SELECT trainee, exercise, startedAt, finishedAt, passed, mistakes FROM attempts ORDER BY trainee, id")
            var byTrainee: [String: [Row]] = [:]
            for row in rows { byTrainee[row["trainee"], default: []].append(row) }
            return byTrainee.keys.sorted().map { trainee in
                let attempts = byTrainee[trainee]!
                var mistakes: [String: Int] = [:]
                var seconds = 0.0
                for row in attempts {
                    let text: String = row["mistakes"]
                    for kind in text.split(separator: ",") { mistakes[String(kind), default: 0] += 1 }
                    if let finished: Double = row["finishedAt"] { seconds += finished - (row["startedAt"] as Double) }
                }
                return TraineeScore(
                    trainee: trainee,
                    passed: Set(attempts.filter { ($0["passed"] as Int?) == 1 }.map { $0["exercise"] as String }).count,
                    attempts: attempts.count, seconds: Int(seconds.rounded()),
                    unfinished: attempts.filter { ($0["finishedAt"] as Double?) == nil }.count, mistakes: mistakes)
            }
        }
    }
}

public import Logging
public import PostgresNIO

/// A running postgres-nio client for the length of `body`: the client's `run()` is started beside
/// it and cancelled when it returns, so no connection outlives the work.
public enum PostgresSession {
    public static func with<T: Sendable>(
        _ address: PostgresAddress, logger: Logger = quietLogger,
        _ body: @Sendable (PostgresClient) async throws -> T
    ) async throws -> T {
        try await probe(address, logger: logger)
        let client = PostgresClient(configuration: try address.clientConfiguration(), backgroundLogger: logger)
        return try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await client.run() }
            defer { group.cancelAll() }
            return try await body(client)
        }
    }

    /// One connection, opened and closed: a wrong password, a missing database or a refused port
    /// fails here at once, with the server's reason, instead of a pool retrying in silence.
    public static func probe(_ address: PostgresAddress, logger: Logger = quietLogger) async throws {
        let connection = try await PostgresConnection.connect(configuration: try address.connectionConfiguration(), id: 0, logger: logger)
        try? await connection.close()
    }
}

/// The driver's own log lines are for its developers; ours say what failed (`PostgresFailure`).
public let quietLogger: Logger = {
    var logger = Logger(label: "amcash.postgres")
    logger.logLevel = .error
    return logger
}()

/// Versioned schema changes, applied in order and recorded in `amcash_schema` under one component
/// name, each in its own transaction; a transaction-scoped advisory lock keeps two processes that
/// start together from applying one step twice.
public struct SchemaMigrator: Sendable {
    public struct Step: Sendable {
        public let version: Int
        public let name: String
        public let statements: [String]

        public init(version: Int, name: String, statements: [String]) {
            self.version = version
            self.name = name
            self.statements = statements
        }
    }

    public let component: String
    public let steps: [Step]

    public init(component: String, steps: [Step]) {
        self.component = component
        self.steps = steps
    }

    /// Applies the steps not yet applied; returns their names.
    @discardableResult
    public func migrate(_ client: PostgresClient, logger: Logger) async throws -> [String] {
        var applied: [String] = []
        try await client.withTransaction(logger: logger) { connection in
            try await connection.query("SELECT pg_advisory_xact_lock(hashtext('amcash_schema'))", logger: logger)
            try await connection.query(
                """
                CREATE TABLE IF NOT EXISTS amcash_schema (
                    component text NOT NULL, version integer NOT NULL, name text NOT NULL,
                    applied_at timestamptz NOT NULL DEFAULT now(), PRIMARY KEY (component, version))
                """, logger: logger)
            var done: Set<Int> = []
            for try await version in try await connection.query(
                "SELECT version FROM amcash_schema WHERE component = \(component)",
                logger: logger
            ).decode(Int.self) {
                done.insert(version)
            }
            for step in steps where !done.contains(step.version) {
                for statement in step.statements { try await connection.query(PostgresQuery(unsafeSQL: statement), logger: logger) }
                try await connection.query(
                    "INSERT INTO amcash_schema (component, version, name) VALUES (\(component), \(step.version), \(step.name))",
                    logger: logger)
                applied.append("\(step.version): \(step.name)")
            }
        }
        return applied
    }

    /// The newest version applied, or nil when the component's schema was never created.
    public func currentVersion(_ client: PostgresClient, logger: Logger) async throws -> Int? {
        let exists = try await client.query("SELECT to_regclass('amcash_schema') IS NOT NULL", logger: logger).decode(Bool.self)
        var present = false
        for try await value in exists { present = value }
        guard present else { return nil }
        var newest: Int?
        for try await value in try await client.query(
            "SELECT max(version) FROM amcash_schema WHERE component = \(component)",
            logger: logger
        ).decode(Int?.self) {
            newest = value
        }
        return newest
    }
}

/// What went wrong with the database, in words a person can act on and with nothing secret
/// (postgres-nio's own description of an error is deliberately empty).
public enum PostgresFailure {
    public static func describe(_ error: any Error) -> String {
        if let address = error as? PostgresAddressError { return address.description }
        guard let psql = error as? PSQLError else {
            if error is CancellationError { return "cancelled" }
            return String(describing: error)
        }
        if let message = psql.serverInfo?[.message] {
            let state = psql.serverInfo?[.sqlState].map { " (SQLSTATE \($0))" } ?? ""
            return "the database said: \(message)\(state)"
        }
        if let underlying = psql.underlying { return "\(psql.code): \(underlying)" }
        return "\(psql.code)"
    }

    /// Whether the server refused the statement because of a serialization conflict or deadlock: worth retrying.
    public static func isRetryable(_ error: any Error) -> Bool {
        guard let psql = error as? PSQLError, let state = psql.serverInfo?[.sqlState] else { return false }
        return state == "40001" || state == "40P01"
    }
}

import AMCashBackOffice
import AMCashDomain
import AMCashPostgres
import BackOfficeWeb
import Foundation
import Logging
import PostgresNIO
import ScratchPostgres
import Testing

/// A clock the tests move: session expiry and lockouts without waiting.
final class TestClock: @unchecked Sendable {
    private let lock = NSLock()
    private var value: Date

    init(_ start: Date) { value = start }

    var now: Date { lock.locked { value } }

    func advance(minutes: Double) { lock.locked { value = value.addingTimeInterval(minutes * 60) } }
}

/// The web back office over a real socket, against a throwaway PostgreSQL holding known rows.
@Suite(.serialized) struct BackOfficeWebTests {
    static let logger = quietLogger
    static let passwords = ["it": "chain-it-password", "sup1": "store-one-password", "sup2": "store-two-password"]

    /// A migrated database with three accounts, tills of stores 0001 and 0002, their rows and exceptions.
    /// Store 0002's till was last heard from 40 minutes ago.
    static func seeded(_ client: PostgresClient, now: Date) async throws {
        _ = try await BackOfficeSchema.migrator.migrate(client, logger: logger)
        try await BackOfficeAccounts.add(client, name: "it", role: .chain, store: nil, password: passwords["it"]!, logger: logger)
        try await BackOfficeAccounts.add(client, name: "sup1", role: .store, store: "0001", password: passwords["sup1"]!, logger: logger)
        try await BackOfficeAccounts.add(client, name: "sup2", role: .store, store: "0002", password: passwords["sup2"]!, logger: logger)
        let recent = now.addingTimeInterval(-60)
        let old = now.addingTimeInterval(-40 * 60)
        try await client.query(
            """
            INSERT INTO terminals (sponsor, store, device, first_seen_at, last_seen_at, last_change_seq, pending_rows) VALUES
            ('LOY1', '0001', '001', \(recent), \(recent), 10, 0), ('LOY1', '0002', '007', \(old), \(old), 5, 3)
            """, logger: logger)
        let created = now.addingTimeInterval(-10 * 60)
        // Store 0001: $10 shown, $20 shown then reversed, $5 approved but voided; a reversal in exception.
        try await row(client, "0001", "001", "T1", "REDEEM", "shown", cents: 1000, confirmation: "C1", created: created, now: now)
        try await row(client, "0001", "001", "T2", "REDEEM", "reversed", cents: 2000, confirmation: "C2", created: created, now: now)
        try await row(client, "0001", "001", "T3", "REVERSE", "reversed", cents: nil, original: "C2", created: created, now: now)
        try await row(client, "0001", "001", "T4", "REDEEM", "voided", cents: 500, confirmation: "C4", created: created, now: now)
        try await row(client, "0001", "001", "T5", "REVERSE", "reversed", cents: nil, original: "C4", isVoid: true, created: created, now: now)
        try await row(client, "0001", "001", "T6", "REDEEM", "shown", cents: 700, confirmation: "C6", created: created, now: now)
        try await row(
            client, "0001", "001", "T7", "REVERSE", "exception", cents: nil, original: "C6", isException: true, created: created, now: now)
        // Store 0002: $99 shown, and a void in exception; the chain's policy kept the full number of one card.
        try await row(client, "0002", "007", "U1", "REDEEM", "shown", cents: 9900, confirmation: "D1", created: created, now: now)
        try await row(
            client, "0002", "007", "U2", "REVERSE", "exception", cents: nil, original: "D9", isVoid: true, isException: true,
            created: created, now: now, fullCard: "81000009876")
    }

    static func row(
        _ client: PostgresClient, _ store: String, _ device: String, _ trace: String, _ kind: String, _ state: String, cents: Int64?,
        confirmation: String? = nil, original: String? = nil, isVoid: Bool = false, isException: Bool = false, created: Date, now: Date,
        fullCard: String? = nil, code: String? = nil, latencyMs: Int? = nil
    ) async throws {
        let day = ProgramDay.reconciliationDay(at: now).description
        let masked = "•••••••" + String(fullCard?.suffix(4) ?? "4321")
        try await client.query(
            """
            INSERT INTO terminal_rows (sponsor, store, device, trace_id, kind, state, card_masked, card_number, confirmation_number,
                original_confirmation_number, cents, created_at, redemption_day, reconciliation_day, is_void, is_exception,
                resolved_by_recovery, change_seq, forwarded_at, response_code, host_latency_ms)
            VALUES ('LOY1', \(store), \(device), \(trace), \(kind), \(state), \(masked), \(fullCard), \(confirmation), \(original), \(cents),
                \(created), \(day)::date, \(day)::date, \(isVoid), \(isException), false, 1, \(now), \(code), \(latencyMs))
            """, logger: logger)
    }

    /// A seeded database, the server on a free loopback port, and a browser; everything is stopped after `body`.
    static func withSite(
        databaseTimeLimit: Duration = .seconds(10), _ body: @Sendable (BackOfficeWebServer, TestClock, PostgresClient) async throws -> Void
    ) async throws {
        let address = try await TestPostgres.freshDatabase()
        let clock = TestClock(Date())
        try await PostgresSession.with(address) { client in
            try await seeded(client, now: clock.now)
            var settings = BackOfficeWebSettings()
            settings.now = { clock.now }
            settings.databaseTimeLimit = databaseTimeLimit
            let server = try await BackOfficeWebServer.start(client: client, settings: settings, logger: logger)
            do {
                try await body(server, clock, client)
            } catch {
                await server.stop()
                throw error
            }
            await server.stop()
        }
    }

    static func count(_ client: PostgresClient, _ sql: String) async throws -> Int64 {
        var value: Int64 = -1
        for try await count in try await client.query(PostgresQuery(unsafeSQL: sql), logger: logger).decode(Int64.self) { value = count }
        return value
    }

    @Test func todayShowsEachTillWithItsTotalsAndTheStaleTillStandsOut() async throws {
        try await Self.withSite { server, clock, _ in
            let browser = WebClient(baseURL: server.baseURL)
            defer { Task { await browser.shutdown() } }
            let signedIn = try await browser.signIn("it", Self.passwords["it"]!)
            #expect(signedIn.status == 303 && signedIn.location == "/")
            let page = try await browser.get("/today")
            #expect(page.status == 200)
            let body = page.body
            // Store 0001: three approved redemptions ($10 + $20 + $5), the $20 reversed, the $5 voided.
            #expect(body.contains("<td class=\"n\">4 · $42.00</td>"), "\(body)")
            #expect(body.contains("<td class=\"n\">1 · $20.00</td>"))
            #expect(body.contains("<td class=\"n\">1 · $5.00</td>"))
            // Store 0002's till: 40 minutes without a word, 3 rows held back, marked in words and by its row.
            #expect(body.contains("<tr class=\"stale\"><td><a href=\"/stores/0002/today\">0002</a></td><td>007</td>"))
            #expect(body.contains("40 min") && body.contains("not forwarding"))
            #expect(body.contains("1 till(s) not forwarding for more than 15 min."))
            #expect(!body.contains("<tr class=\"stale\"><td><a href=\"/stores/0001/today\">"))
            // The chart: five approved redemptions in the hour they were made.
            let hour = Calendar.current.dateComponents(in: ProgramDay.zone, from: clock.now.addingTimeInterval(-600)).hour!
            #expect(body.contains("<svg") && body.contains("<title>\(hour):00 — 5</title>"))
            #expect(!body.contains("81000009876"), "no full card number on any page")

            let french = try await browser.get("/today?lang=fr")
            #expect(french.body.contains("<html lang=\"fr\">") && french.body.contains("Aujourd’hui"))
            #expect(french.body.contains("4 · 42,00 $"))
            #expect(try await browser.get("/today").body.contains("Dernier contact"), "the language is remembered")
        }
    }

    @Test func aStoreSupervisorSeesOnlyTheirStoreWhateverTheURL() async throws {
        try await Self.withSite { server, _, client in
            let browser = WebClient(baseURL: server.baseURL)
            defer { Task { await browser.shutdown() } }
            _ = try await browser.signIn("sup1", Self.passwords["sup1"]!)
            let chainWide = try await browser.get("/today")
            #expect(chainWide.status == 303 && chainWide.location == "/stores/0001/today")
            let own = try await browser.get("/stores/0001/today")
            #expect(own.status == 200 && own.body.contains("<td>001</td>") && !own.body.contains("<td>007</td>"))
            for path in ["/stores/0002/today", "/stores/0002/exceptions", "/stores/0002/reconciliation"] {
                let other = try await browser.get(path)
                #expect(other.status == 403, "\(path)")
                #expect(!other.body.contains("<td>007</td>") && other.body.contains("You may see store 0001 only."))
            }
            #expect(try await browser.get("/exceptions").location == "/stores/0001/exceptions")
            let exceptions = try await browser.get("/stores/0001/exceptions")
            #expect(exceptions.body.contains("reversal in exception (1)") && !exceptions.body.contains("<td>0002</td>"))
            // Store 0002's void in exception, by its key, is not hers to resolve.
            let others = try await BackOfficeDashboard.exceptions(client, store: "0002", staleAfter: 900, now: Date(), logger: Self.logger)
            let theirs = try #require(others.first { $0.exception.category == .voidInException })
            let refused = try await browser.post(
                "/exceptions/resolve", [("csrf", exceptions.hidden("csrf") ?? ""), ("key", theirs.key), ("note", "called"), ("back", "/")])
            #expect(refused.status == 404)
            #expect(try await Self.count(client, "SELECT count(*) FROM exception_resolutions") == 0)
        }
    }

    @Test func resolvingAnExceptionRecordsWhoAndWhenAndDeletesNothing() async throws {
        try await Self.withSite { server, _, client in
            let browser = WebClient(baseURL: server.baseURL)
            defer { Task { await browser.shutdown() } }
            _ = try await browser.signIn("it", Self.passwords["it"]!)
            let page = try await browser.get("/exceptions")
            #expect(page.body.contains("void in exception (1)") && page.body.contains("reversal in exception (1)"))
            #expect(page.body.contains("till not forwarding (1)"))
            #expect(page.body.contains("Call the AIR MILES help desk"), "what to do, for each category")
            #expect(page.body.contains("•••••••9876") && !page.body.contains("81000009876"))
            let key = try #require(page.value(after: "name=\"key\" value=\""))
            #expect(try await Self.count(client, "SELECT count(*) FROM exception_resolutions") == 0)
            // A form without the session's token changes nothing.
            let forged = try await browser.post("/exceptions/resolve", [("key", key), ("note", "forged")])
            #expect(forged.status == 403)
            let wrongToken = try await browser.post(
                "/exceptions/resolve", [("csrf", String(repeating: "0", count: 64)), ("key", key), ("note", "forged")])
            #expect(wrongToken.status == 403)
            #expect(try await Self.count(client, "SELECT count(*) FROM exception_resolutions") == 0)

            let done = try await browser.post(
                "/exceptions/resolve",
                [("csrf", page.hidden("csrf") ?? ""), ("key", key), ("note", "help desk ticket 4411"), ("back", "/exceptions")])
            #expect(done.status == 303 && done.location == "/exceptions")
            let after = try await browser.get("/exceptions")
            #expect(after.body.contains("help desk ticket 4411") && after.body.contains("<td>it</td>"))
            #expect(after.body.contains("id=\"open-count\">2<"), "\(after.body)")
            #expect(try await Self.count(client, "SELECT count(*) FROM exception_resolutions WHERE resolved_by = 'it'") == 1)
            #expect(try await Self.count(client, "SELECT count(*) FROM terminal_rows WHERE state = 'exception'") == 2, "the rows stay")
            await #expect(throws: (any Error).self) {
                try await client.query("DELETE FROM exception_resolutions", logger: Self.logger)
            }
            #expect(try await Self.count(client, "SELECT count(*) FROM exception_resolutions") == 1, "the audit trail keeps every line")
        }
    }

    /// An earning the till no longer sends (chain schema 7: state `exception`) is on the exceptions page under
    /// its own category, with what to do, in English and French; not as one still being sent.
    @Test func anEarningInExceptionIsListedUnderItsOwnCategory() async throws {
        try await Self.withSite { server, clock, client in
            try await client.query(
                """
                INSERT INTO terminal_earnings (sponsor, store, device, trace_id, kind, state, card_masked, checkout_transaction_id,
                    attempts, created_at, transaction_day, last_failure, change_seq, forwarded_at)
                VALUES ('LOY1', '0001', '001', '000000000077', 'ISSUE', 'exception', '•••••••4321', 'LOY10001001000000000077', 3,
                    \(clock.now), current_date, 'may not have earned: ask AIR MILES (never answered)', 77, \(clock.now))
                """, logger: Self.logger)
            let browser = WebClient(baseURL: server.baseURL)
            defer { Task { await browser.shutdown() } }
            _ = try await browser.signIn("it", Self.passwords["it"]!)
            let page = try await browser.get("/exceptions")
            #expect(page.body.contains("earning in exception (1)"), "\(page.body)")
            #expect(page.body.contains("000000000077") && page.body.contains("may not have earned: ask AIR MILES"))
            #expect(page.body.contains("ask the AIR MILES help desk, with the checkout transaction id, whether the miles posted"))
            #expect(!page.body.contains("earning not answered"), "not listed as one still being sent")
            let french = try await browser.get("/exceptions?lang=fr")
            #expect(french.body.contains("cumul en exception (1)"), "\(french.body)")
        }
    }

    @Test func signInLocksAfterFiveWrongPasswordsAndSessionsExpire() async throws {
        try await Self.withSite { server, clock, client in
            let browser = WebClient(baseURL: server.baseURL)
            defer { Task { await browser.shutdown() } }
            // No CSRF token: refused before the password is looked at.
            let noToken = try await browser.post("/login", [("name", "sup2"), ("password", Self.passwords["sup2"]!)])
            #expect(noToken.status == 403 && browser.cookies["amcash_session"] == nil)
            for attempt in 1...4 {
                #expect(try await browser.signIn("sup2", "not-the-password").status == 401, "attempt \(attempt)")
            }
            let fifth = try await browser.signIn("sup2", "not-the-password")
            #expect(fifth.status == 429 && fifth.body.contains("locked"))
            #expect(try await browser.signIn("sup2", Self.passwords["sup2"]!).status == 429, "the right password does not open a locked account")
            #expect(try await browser.signIn("nobody", "whatever-password").status == 401)
            clock.advance(minutes: 16)
            let signedIn = try await browser.signIn("sup2", Self.passwords["sup2"]!)
            #expect(signedIn.status == 303)
            let sessionCookie = try #require(browser.setCookies.last { $0.hasPrefix("amcash_session=") })
            #expect(sessionCookie.contains("HttpOnly") && sessionCookie.contains("SameSite=Strict") && !sessionCookie.contains("Secure"))
            #expect(try await Self.count(client, "SELECT failed_logins::bigint FROM backoffice_users WHERE name = 'sup2'") == 0)
            #expect(
                try await Self.count(client, "SELECT count(*) FROM backoffice_sessions WHERE token_hash = '\(browser.cookies["amcash_session"]!)'")
                    == 0,
                "the database keeps a hash of the token, not the token")
            // Used within 30 minutes, the session lives on; 31 idle minutes end it.
            clock.advance(minutes: 20)
            #expect(try await browser.get("/stores/0002/today").status == 200)
            clock.advance(minutes: 20)
            #expect(try await browser.get("/stores/0002/today").status == 200)
            clock.advance(minutes: 31)
            let expired = try await browser.get("/stores/0002/today")
            #expect(expired.status == 303 && expired.location == "/login")

            // Signing out needs the token too, and ends the session.
            _ = try await browser.signIn("sup2", Self.passwords["sup2"]!)
            let page = try await browser.get("/stores/0002/today")
            #expect(try await browser.post("/logout", []).status == 403)
            #expect(try await browser.get("/stores/0002/today").status == 200)
            #expect(try await browser.post("/logout", [("csrf", page.hidden("csrf") ?? "")]).location == "/login")
            #expect(
                try await Self.count(client, "SELECT count(*) FROM backoffice_sessions") == 1,
                "the signed-out session is gone; the expired one's row opens nothing")
        }
    }

    @Test func metricsAreInThePrometheusTextFormat() async throws {
        try await Self.withSite { server, _, client in
            let browser = WebClient(baseURL: server.baseURL)
            defer { Task { await browser.shutdown() } }
            let page = try await browser.get("/metrics")
            #expect(page.status == 200)
            #expect(page.headers.first(name: "content-type")?.hasPrefix("text/plain; version=0.0.4") == true)
            let samples = try PrometheusParser.parse(page.body)
            #expect(samples["amcash_backoffice_rows_pending{device=\"007\",store=\"0002\"}"] == 3)
            #expect(samples["amcash_backoffice_rows_pending{device=\"001\",store=\"0001\"}"] == 0)
            #expect(samples["amcash_backoffice_tills_not_seen"] == 1)
            #expect(samples["amcash_backoffice_tills"] == 2)
            let lag = try #require(samples["amcash_backoffice_forwarding_lag_seconds{device=\"007\",store=\"0002\"}"])
            #expect(lag >= 2400 && lag < 2460)
            #expect(samples["amcash_backoffice_exceptions_open{category=\"void-in-exception\"}"] == 1)
            #expect(samples["amcash_backoffice_exceptions_open{category=\"reversal-in-exception\"}"] == 1)
            #expect(samples["amcash_backoffice_exceptions_open{category=\"forwarding-stale\"}"] == 1)
            #expect(samples["amcash_backoffice_unshown_debits_total"] == 0)
            #expect(!page.body.contains("•"), "no card in the metrics")
            // An approval nobody was shown shows up.
            try await Self.row(client, "0001", "001", "T9", "REDEEM", "approved", cents: 100, confirmation: "C9", created: Date(), now: Date())
            let again = try PrometheusParser.parse(try await browser.get("/metrics").body)
            #expect(again["amcash_backoffice_unshown_debits{store=\"0001\"}"] == 1)
            #expect(again["amcash_backoffice_unshown_debits_total"] == 1)
        }
    }

    /// A database that holds a query (a migration's lock on the tills' rows) makes a page and a scrape say it is
    /// unavailable at the limit, 503, instead of hanging until the browser or Prometheus gives up; once the lock goes
    /// they answer again. Before, both waited for as long as the lock was held.
    @Test func aDatabaseThatHoldsAQueryIsReportedUnavailableAtTheLimit() async throws {
        try await Self.withSite(databaseTimeLimit: .seconds(1)) { server, _, client in
            let browser = WebClient(baseURL: server.baseURL)
            defer { Task { await browser.shutdown() } }
            #expect(try await browser.signIn("it", Self.passwords["it"]!).status == 303)
            try await client.withConnection { holder in
                try await holder.query("BEGIN", logger: Self.logger)
                try await holder.query("LOCK TABLE terminal_rows, terminals, till_hour_totals IN ACCESS EXCLUSIVE MODE", logger: Self.logger)
                let started = ContinuousClock.now
                let scrape = try await browser.get("/metrics")
                let page = try await browser.get("/today")
                let waited = ContinuousClock.now - started
                #expect(scrape.status == 503 && scrape.body == "database unavailable\n", "\(scrape.status) \(scrape.body)")
                #expect(page.status == 503 && page.body.contains("The database did not answer"), "\(page.status) \(page.body.prefix(300))")
                #expect(waited < .seconds(8), "answered at the limit, not when the lock went: \(waited)")
                try await holder.query("COMMIT", logger: Self.logger)
            }
            #expect(try await browser.get("/metrics").status == 200)
            #expect(try await browser.get("/today").status == 200)
        }
    }

    /// The tills' host calls of the day as forwarding brings them: store 0001 fast, store 0002 slow and declined.
    static func seedHostCalls(_ client: PostgresClient, now: Date) async throws {
        let created = now.addingTimeInterval(-5 * 60)
        for (index, latency) in [120, 140, 160, 180, 200, 220, 240, 260, 280, 3000].enumerated() {
            try await row(
                client, "0001", "001", "H\(index)", "REDEEM", "shown", cents: 1000, confirmation: "HC\(index)", created: created, now: now,
                code: "0000", latencyMs: latency)
        }
        try await row(client, "0002", "007", "S1", "REDEEM", "declined", cents: nil, created: created, now: now, code: "0212", latencyMs: 7777)
        try await row(client, "0002", "007", "S2", "REDEEM", "declined", cents: nil, created: created, now: now, code: "0212", latencyMs: 7001)
    }

    @Test func theHostPageChartsLatencyAndAnswersForTheChainOrTheSupervisorsStoreOnly() async throws {
        try await Self.withSite { server, clock, client in
            try await Self.seedHostCalls(client, now: clock.now)
            let hour = Calendar.current.dateComponents(in: ProgramDay.zone, from: clock.now.addingTimeInterval(-300)).hour!
            let it = WebClient(baseURL: server.baseURL)
            defer { Task { await it.shutdown() } }
            _ = try await it.signIn("it", Self.passwords["it"]!)
            let chain = try await it.get("/host")
            #expect(chain.status == 200)
            // Twelve timed calls in the hour: p50 the 6th smallest (220), p99 the largest (7777); the seeded rows carry no time.
            #expect(
                chain.body.contains("<tr><td>\(hour)h</td><td class=\"n\">12</td><td class=\"n\">220</td><td class=\"n\">7777</td></tr>"),
                "\(chain.body)")
            #expect(chain.body.contains("<title>\(hour):00 p99 7777 ms</title>") && chain.body.contains("<svg"))
            #expect(chain.body.contains("<tr><td>0212</td><td class=\"n\">2</td>"))
            #expect(!chain.body.contains("<script"), "no JavaScript")
            // The supervisor of store 0001 sees only her store's calls, and no other store's page by URL.
            let sup = WebClient(baseURL: server.baseURL)
            defer { Task { await sup.shutdown() } }
            _ = try await sup.signIn("sup1", Self.passwords["sup1"]!)
            #expect(try await sup.get("/host").location == "/stores/0001/host")
            let own = try await sup.get("/stores/0001/host")
            #expect(own.status == 200)
            #expect(
                own.body.contains("<tr><td>\(hour)h</td><td class=\"n\">10</td><td class=\"n\">200</td><td class=\"n\">3000</td></tr>"), "\(own.body)"
            )
            #expect(!own.body.contains("7777") && !own.body.contains("0212"))
            let other = try await sup.get("/stores/0002/host")
            #expect(other.status == 403 && !other.body.contains("7777"))
            // French.
            let french = try await sup.get("/stores/0001/host?lang=fr")
            #expect(french.body.contains("Latence de l’hôte par heure"))
            // The same data in /metrics: a histogram of today's calls and the answers by code.
            let samples = try PrometheusParser.parse(try await it.get("/metrics").body)
            #expect(samples["amcash_backoffice_host_latency_milliseconds_bucket{le=\"250\"}"] == 7)
            #expect(samples["amcash_backoffice_host_latency_milliseconds_bucket{le=\"5000\"}"] == 10)
            #expect(samples["amcash_backoffice_host_latency_milliseconds_bucket{le=\"+Inf\"}"] == 12)
            #expect(samples["amcash_backoffice_host_latency_milliseconds_count"] == 12)
            #expect(samples["amcash_backoffice_host_latency_milliseconds_sum"] == Double(1800 + 3000 + 7777 + 7001))
            #expect(samples["amcash_backoffice_host_answers_today{code=\"0212\"}"] == 2)
            #expect(samples["amcash_backoffice_host_answers_today{code=\"0000\"}"] == 10)
        }
    }

    @Test func passwordsAreStoredSaltedAndStretched() throws {
        let one = PasswordHash.make(password: "correct horse battery")
        let two = PasswordHash.make(password: "correct horse battery")
        #expect(one.rounds >= 100_000 && one.salt != two.salt && one.hash != two.hash)
        #expect(one.matches("correct horse battery") && !one.matches("correct horse batterY"))
        #expect(PasswordHash(parsing: one.description) == one)
        #expect(PasswordHash(parsing: "pbkdf2-sha256$1000$\(String(repeating: "ab", count: 16))$\(String(repeating: "cd", count: 32))") == nil)
        #expect(PasswordHash.problem(with: "short") != nil)
    }

    @Test func plainHTTPListensOnLoopbackOnly() async throws {
        #expect(BackOfficeWebServer.isLoopback("127.0.0.1") && BackOfficeWebServer.isLoopback("::1"))
        #expect(!BackOfficeWebServer.isLoopback("0.0.0.0") && !BackOfficeWebServer.isLoopback("10.0.0.5"))
        let address = try await TestPostgres.freshDatabase()
        _ = try await PostgresSession.with(address) { client in
            await #expect(throws: BackOfficeWebError.self) {
                _ = try await BackOfficeWebServer.start(client: client, settings: BackOfficeWebSettings(), host: "0.0.0.0", port: 0)
            }
        }
    }
}

/// A parser of the Prometheus text format (0.0.4) strict enough to catch what Prometheus would refuse:
/// every sample's family declared by `# TYPE` first, names and labels well formed, values numbers.
enum PrometheusParser {
    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    /// Samples by `name{labels}` as written (labels sorted as the exposition writes them).
    static func parse(_ text: String) throws -> [String: Double] {
        var types: [String: String] = [:]
        var samples: [String: Double] = [:]
        for (index, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let where_ = "line \(index + 1): \(line)"
            if line.isEmpty { continue }
            if line.hasPrefix("# TYPE ") {
                let parts = line.split(separator: " ")
                guard parts.count == 4, ["gauge", "counter", "histogram", "summary", "untyped"].contains(parts[3]) else {
                    throw Failure(description: where_)
                }
                guard types[String(parts[2])] == nil else { throw Failure(description: "declared twice, \(where_)") }
                types[String(parts[2])] = String(parts[3])
                continue
            }
            if line.hasPrefix("#") { continue }
            guard let space = line.lastIndex(of: " "), let value = Double(line[line.index(after: space)...]) else {
                throw Failure(description: where_)
            }
            let series = String(line[..<space])
            let name = String(series.prefix { $0 != "{" })
            guard let first = name.first, first.isLetter || first == "_" || first == ":",
                name.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_" || $0 == ":") })
            else { throw Failure(description: "bad name, \(where_)") }
            // A histogram's samples are its name with _bucket (labelled le), _sum and _count.
            let family = ["_bucket", "_sum", "_count"].compactMap { suffix -> String? in
                guard name.hasSuffix(suffix), types[String(name.dropLast(suffix.count))] == "histogram" else { return nil }
                return String(name.dropLast(suffix.count))
            }.first
            guard types[name] != nil || family != nil else { throw Failure(description: "no # TYPE before, \(where_)") }
            if name.hasSuffix("_bucket"), family != nil, !series.contains("le=\"") { throw Failure(description: "a bucket without le, \(where_)") }
            if series.count > name.count {
                let labels = series.dropFirst(name.count)
                guard labels.hasPrefix("{"), labels.hasSuffix("}") else { throw Failure(description: where_) }
                for pair in labels.dropFirst().dropLast().split(separator: ",") {
                    let parts = pair.split(separator: "=", maxSplits: 1)
                    guard parts.count == 2, parts[1].hasPrefix("\""), parts[1].hasSuffix("\""), parts[1].count >= 2 else {
                        throw Failure(description: "bad label, \(where_)")
                    }
                }
            }
            guard samples[series] == nil else { throw Failure(description: "sample twice, \(where_)") }
            samples[series] = value
        }
        return samples
    }
}

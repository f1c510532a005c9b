import AMCashDomain
import AMCashPostgres
public import Foundation
import HTTPServing
import HTTPTypes
import Hummingbird
import HummingbirdCore
public import Logging
import NIOCore
public import PostgresNIO

/// How `amcash backoffice serve` runs.
public struct BackOfficeWebSettings: Sendable {
    /// A certificate chain and private key in PEM: HTTPS, and cookies marked Secure.
    public var tls: (certificatePEM: String, privateKeyPEM: String)?
    /// A till not heard from for this long stands out, and counts as not seen.
    public var staleAfter: TimeInterval = 15 * 60
    /// A session ends after this long without a request.
    public var sessionLifetime: TimeInterval = 30 * 60
    /// The clock (tests move it).
    public var now: @Sendable () -> Date = { Date() }
    /// A page or a /metrics scrape the database has not answered within this long says the database is
    /// unavailable (503) instead of hanging: a lock nobody lets go, a server that stopped answering.
    public var databaseTimeLimit: Duration = .seconds(10)

    public init(tls: (certificatePEM: String, privateKeyPEM: String)? = nil) {
        self.tls = tls
    }
}

/// The web back office on a real socket: start it, use `baseURL`, stop it. It uses a running
/// `PostgresClient` of its caller's (the caller runs and ends it).
public final class BackOfficeWebServer: Sendable {
    public let host: String
    public let port: Int
    public let usesTLS: Bool
    public var baseURL: String { "\(usesTLS ? "https" : "http")://\(host.contains(":") ? "[\(host)]" : host):\(port)" }

    private let running: RunningServer

    private init(host: String, port: Int, usesTLS: Bool, running: RunningServer) {
        self.host = host
        self.port = port
        self.usesTLS = usesTLS
        self.running = running
    }

    /// Whether plain HTTP may listen on `host`: only on loopback, where nothing crosses a network.
    public static func isLoopback(_ host: String) -> Bool {
        host == "localhost" || host == "::1" || host.hasPrefix("127.")
    }

    /// Starts listening on `host:port` (0: a free port) and returns once it is.
    public static func start(
        client: PostgresClient, settings: BackOfficeWebSettings, host: String = "127.0.0.1", port: Int = 0,
        logger: Logger = Logger(label: "amcash.backoffice.web")
    ) async throws -> BackOfficeWebServer {
        guard settings.tls != nil || isLoopback(host) else {
            throw BackOfficeWebError(description: "plain HTTP listens on loopback only: give --tls-cert and --tls-key to listen on \(host)")
        }
        let site = BackOfficeSite(client: client, settings: settings, logger: logger)
        let router = Router()
        site.register(on: router)
        let http = HTTPServerBuilder.http1(configuration: .init(idleTimeout: .seconds(60)))
        guard
            let running = try await RunningServer.start(
                router: router, server: try RunningServer.server(http, tls: settings.tls), address: .hostname(host, port: port),
                serverName: "amcash-backoffice", logger: logger),
            let bound = running.port
        else {
            throw BackOfficeWebError(description: "the server stopped before it was listening")
        }
        return BackOfficeWebServer(host: host, port: bound, usesTLS: settings.tls != nil, running: running)
    }

    public func waitUntilStopped() async throws { try await running.waitUntilStopped() }

    public func stop() async { await running.stop() }
}

/// The web back office cannot start as asked; the message says why.
public struct BackOfficeWebError: Error, Sendable, CustomStringConvertible {
    public let description: String
}

/// The routes: sign-in and out, the three pages (chain-wide and per store), resolving, /metrics.
struct BackOfficeSite: Sendable {
    let client: PostgresClient
    let settings: BackOfficeWebSettings
    let logger: Logger

    static let sessionCookie = "amcash_session"
    static let loginCookie = "amcash_login"
    static let languageCookie = "amcash_lang"

    func register(on router: Router<BasicRequestContext>) {
        router.get("/health") { _, _ in "ok" }
        router.get("/style.css") { _, _ in
            Response(
                status: .ok, headers: [.contentType: "text/css; charset=utf-8", .cacheControl: "max-age=3600"],
                body: .init(byteBuffer: ByteBuffer(string: BackOfficePages.stylesheet)))
        }
        router.get("/metrics") { _, _ -> Response in
            do {
                let (client, settings, logger) = (client, settings, logger)
                let text = try await withTimeLimit(settings.databaseTimeLimit) {
                    try await BackOfficeMetrics.exposition(client, staleAfter: settings.staleAfter, now: settings.now(), logger: logger)
                }
                return Response(
                    status: .ok, headers: [.contentType: BackOfficeMetrics.contentType], body: .init(byteBuffer: ByteBuffer(string: text)))
            } catch {
                logger.error("metrics: \(PostgresFailure.describe(error))")
                return Response(
                    status: .serviceUnavailable, headers: [.contentType: "text/plain"],
                    body: .init(byteBuffer: ByteBuffer(string: "database unavailable\n")))
            }
        }
        router.get("/login") { request, _ in try await guarded(request) { try await loginPage(request, message: nil) } }
        router.post("/login") { request, _ in try await guarded(request) { try await login(request) } }
        router.post("/logout") { request, _ in try await guarded(request) { try await logout(request) } }
        router.get("/") { request, _ in try await guarded(request) { try await page(request, section: "today", store: nil) } }
        for section in ["today", "exceptions", "reconciliation", "host"] {
            router.get("/\(section)") { request, _ in try await guarded(request) { try await page(request, section: section, store: nil) } }
            router.get("/stores/:store/\(section)") { request, context in
                try await guarded(request) { try await page(request, section: section, store: context.parameters.get("store") ?? "") }
            }
        }
        router.post("/exceptions/resolve") { request, _ in try await guarded(request) { try await resolve(request) } }
    }

    // MARK: - Requests

    /// A database failure becomes a page saying so, not a bare 500.
    func guarded(_ request: Request, _ body: @escaping @Sendable () async throws -> Response) async throws -> Response {
        do { return try await withTimeLimit(settings.databaseTimeLimit, body) } catch {
            logger.error("\(request.method) \(request.uri.path): \(PostgresFailure.describe(error))")
            return message(
                .serviceUnavailable, request, title: ("Back office unavailable", "Arrière-boutique indisponible"),
                text: ("The database did not answer; try again in a minute.", "La base de données n’a pas répondu; réessayez dans une minute."),
                session: nil)
        }
    }

    func page(_ request: Request, section: String, store requested: String?) async throws -> Response {
        let (lang, langCookie) = language(request)
        guard let session = try await currentSession(request) else { return redirect("/login", cookies: langCookie.map { [$0] } ?? []) }
        let now = settings.now()
        let pages = BackOfficePages(language: lang, now: now)
        let user = session.user
        let store: String?
        if let requested {
            guard requested.count == 4, requested.allSatisfy({ $0.isASCII && $0.isNumber }) else {
                return html(
                    .notFound,
                    pages.message(
                        title: pages.t("Not found", "Introuvable"), text: pages.t("No such store.", "Aucun magasin de ce numéro."), session: session))
            }
            guard user.maySee(store: requested) else {
                logger.notice("\(user.name) (store \(user.store ?? "")) asked for store \(requested)")
                return html(
                    .forbidden,
                    pages.message(
                        title: pages.t("Not your store", "Pas votre magasin"),
                        text: pages.t("You may see store \(user.store ?? "") only.", "Vous ne pouvez voir que le magasin \(user.store ?? "")."),
                        session: session))
            }
            store = requested
        } else if user.role == .store {
            return redirect(BackOfficePages.path(section, store: user.store), cookies: langCookie.map { [$0] } ?? [])
        } else {
            store = nil
        }
        let text: String
        switch section {
        case "exceptions":
            let items = try await BackOfficeDashboard.exceptions(client, store: store, staleAfter: settings.staleAfter, now: now, logger: logger)
            let recent = try await BackOfficeDashboard.recentResolutions(client, store: store, logger: logger)
            text = pages.exceptions(session: session, store: store, items: items, recent: recent)
        case "host":
            let day = Self.day(request, now: now)
            let latency = try await BackOfficeDashboard.hostLatencyPerHour(client, day: day, store: store, logger: logger)
            let answers = try await BackOfficeDashboard.answersByCode(client, day: day, store: store, logger: logger)
            text = pages.host(session: session, store: store, day: day, latency: latency, answers: answers)
        case "reconciliation":
            text = pages.reconciliation(
                session: session, store: store, results: try await BackOfficeDashboard.reconciliations(client, store: store, logger: logger))
        default:
            let day = Self.day(request, now: now)
            let tills = try await BackOfficeDashboard.tills(client, day: day, store: store, logger: logger)
            let hours = try await BackOfficeDashboard.redemptionsPerHour(client, day: day, store: store, logger: logger)
            text = pages.today(session: session, store: store, day: day, tills: tills, hours: hours, staleAfter: settings.staleAfter)
        }
        return html(.ok, text, cookies: langCookie.map { [$0] } ?? [])
    }

    /// The day a page shows: `?day=YYYY-MM-DD` when it is a day, else today's reconciliation day.
    static func day(_ request: Request, now: Date) -> String {
        if let asked = request.uri.queryParameters["day"].map(String.init), (try? CalendarDay(parsing: asked)) != nil { return asked }
        return ProgramDay.reconciliationDay(at: now).description
    }

    func loginPage(_ request: Request, message: String?, status: HTTPResponse.Status = .ok, name: String = "") async throws -> Response {
        let (lang, langCookie) = language(request)
        let csrf = Random.token()
        let pages = BackOfficePages(language: lang, now: settings.now())
        return html(
            status, pages.login(csrf: csrf, message: message, name: name),
            cookies: [cookie(Self.loginCookie, csrf, path: "/login", maxAge: 3600)] + (langCookie.map { [$0] } ?? []))
    }

    func login(_ request: Request) async throws -> Response {
        let form = try await Self.form(request)
        let pages = BackOfficePages(language: language(request).0, now: settings.now())
        guard let expected = Self.cookies(request)[Self.loginCookie], let sent = form["csrf"], constantTimeEquals(expected, sent) else {
            return try await loginPage(
                request, message: pages.t("The form had expired; please sign in again.", "Le formulaire avait expiré; reconnectez-vous."),
                status: .forbidden)
        }
        let name = form["name"] ?? ""
        let outcome = try await BackOfficeAccounts.signIn(
            client, name: name, password: form["password"] ?? "", now: settings.now(), lifetime: settings.sessionLifetime, logger: logger)
        switch outcome {
        case .signedIn(let token, let session):
            logger.info("\(session.user.name) signed in")
            return redirect(
                "/", cookies: [cookie(Self.sessionCookie, token, path: "/", maxAge: nil), cookie(Self.loginCookie, "", path: "/login", maxAge: 0)])
        case .refused:
            logger.notice("a wrong name or password for \(name)")
            return try await loginPage(
                request, message: pages.t("Wrong name or password.", "Nom ou mot de passe erroné."), status: .unauthorized, name: name)
        case .locked(let until):
            logger.notice("\(name) is locked until \(until)")
            return try await loginPage(
                request,
                message: pages.t(
                    "Too many wrong passwords: this account is locked until \(pages.time(until)).",
                    "Trop de mots de passe erronés : ce compte est bloqué jusqu’à \(pages.time(until))."),
                status: .tooManyRequests, name: name)
        }
    }

    func logout(_ request: Request) async throws -> Response {
        let form = try await Self.form(request)
        if let token = Self.cookies(request)[Self.sessionCookie], let session = try await currentSession(request) {
            guard let sent = form["csrf"], constantTimeEquals(session.csrfToken, sent) else { return forbiddenForm(request, session) }
            try await BackOfficeAccounts.signOut(client, token: token, logger: logger)
        }
        return redirect("/login", cookies: [cookie(Self.sessionCookie, "", path: "/", maxAge: 0)])
    }

    func resolve(_ request: Request) async throws -> Response {
        let form = try await Self.form(request)
        guard let session = try await currentSession(request) else { return redirect("/login") }
        guard let sent = form["csrf"], constantTimeEquals(session.csrfToken, sent) else { return forbiddenForm(request, session) }
        let pages = BackOfficePages(language: language(request).0, now: settings.now())
        let note = (form["note"] ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        guard !note.isEmpty else {
            return html(
                .badRequest,
                pages.message(
                    title: pages.t("Say what was done", "Dites ce qui a été fait"),
                    text: pages.t("A resolution needs a note of what was done.", "Une résolution demande une note de ce qui a été fait."),
                    session: session))
        }
        let resolved = try await BackOfficeDashboard.resolve(
            client, key: form["key"] ?? "", by: session.user, note: note, staleAfter: settings.staleAfter, now: settings.now(), logger: logger)
        guard resolved else {
            return html(
                .notFound,
                pages.message(
                    title: pages.t("Not found", "Introuvable"),
                    text: pages.t("That exception is not on your list (any more).", "Cette exception n’est pas (plus) sur votre liste."),
                    session: session))
        }
        logger.info("\(session.user.name) resolved \(form["key"] ?? "")")
        var back = form["back"] ?? "/exceptions"
        if !back.hasPrefix("/") || back.hasPrefix("//") { back = "/exceptions" }
        return redirect(back)
    }

    func forbiddenForm(_ request: Request, _ session: BackOfficeSession) -> Response {
        message(
            .forbidden, request, title: ("Refused", "Refusé"),
            text: (
                "This form did not come from your session (no valid CSRF token); nothing was changed.",
                "Ce formulaire ne vient pas de votre session (jeton CSRF absent ou faux); rien n’a été changé."
            ),
            session: session)
    }

    /// A page that only says something (title and text, each in English and French), in the request's language.
    func message(
        _ status: HTTPResponse.Status, _ request: Request, title: (english: String, french: String), text: (english: String, french: String),
        session: BackOfficeSession?
    ) -> Response {
        let pages = BackOfficePages(language: language(request).0, now: settings.now())
        return html(
            status, pages.message(title: pages.t(title.english, title.french), text: pages.t(text.english, text.french), session: session))
    }

    // MARK: - Sessions, cookies, forms

    func currentSession(_ request: Request) async throws -> BackOfficeSession? {
        guard let token = Self.cookies(request)[Self.sessionCookie], !token.isEmpty else { return nil }
        return try await BackOfficeAccounts.session(client, token: token, now: settings.now(), lifetime: settings.sessionLifetime, logger: logger)
    }

    /// The page's language: `?lang=` (remembered in a cookie), the cookie, then Accept-Language.
    func language(_ request: Request) -> (PageLanguage, String?) {
        if let asked = request.uri.queryParameters["lang"].flatMap({ PageLanguage(rawValue: String($0)) }) {
            return (asked, cookie(Self.languageCookie, asked.rawValue, path: "/", maxAge: 365 * 24 * 3600))
        }
        if let remembered = Self.cookies(request)[Self.languageCookie].flatMap(PageLanguage.init(rawValue:)) { return (remembered, nil) }
        let accepted = request.headers[.acceptLanguage]?.lowercased() ?? ""
        return (accepted.hasPrefix("fr") ? .fr : .en, nil)
    }

    func cookie(_ name: String, _ value: String, path: String, maxAge: Int?) -> String {
        var text = "\(name)=\(value); Path=\(path); HttpOnly; SameSite=Strict"
        if let maxAge { text += "; Max-Age=\(maxAge)" }
        if settings.tls != nil { text += "; Secure" }
        return text
    }

    static func cookies(_ request: Request) -> [String: String] {
        var found: [String: String] = [:]
        for header in request.headers[values: .cookie] {
            for pair in header.split(separator: ";") {
                let parts = pair.split(separator: "=", maxSplits: 1)
                guard parts.count == 2 else { continue }
                let name = parts[0].trimmingCharacters(in: .whitespaces)
                if found[name] == nil { found[name] = parts[1].trimmingCharacters(in: .whitespaces) }
            }
        }
        return found
    }

    /// An application/x-www-form-urlencoded body (at most 64 KiB).
    static func form(_ request: Request) async throws -> [String: String] {
        var request = request
        let buffer = try await request.collectBody(upTo: 64 * 1024)
        var fields: [String: String] = [:]
        for pair in String(buffer: buffer).split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            func decode(_ text: Substring) -> String { String(text).replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? "" }
            let name = decode(parts[0])
            if fields[name] == nil { fields[name] = parts.count > 1 ? decode(parts[1]) : "" }
        }
        return fields
    }

    func html(_ status: HTTPResponse.Status, _ text: String, cookies: [String] = []) -> Response {
        var headers: HTTPFields = [
            .contentType: "text/html; charset=utf-8", .cacheControl: "no-store",
            .contentSecurityPolicy:
                "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
            .xContentTypeOptions: "nosniff",
        ]
        headers[HTTPField.Name("Referrer-Policy")!] = "no-referrer"
        for cookie in cookies { headers.append(HTTPField(name: .setCookie, value: cookie)) }
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(string: text)))
    }

    func redirect(_ location: String, cookies: [String] = []) -> Response {
        var headers: HTTPFields = [.location: location, .cacheControl: "no-store"]
        for cookie in cookies { headers.append(HTTPField(name: .setCookie, value: cookie)) }
        return Response(status: .seeOther, headers: headers)
    }
}

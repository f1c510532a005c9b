import AMCashPostgres
import ArgumentParser
import BackOfficeWeb
import Foundation
import Logging

/// `amcash backoffice serve`: the web back office for supervisors and IT, and /metrics for Prometheus.
struct BackOfficeServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve", abstract: "Serve the back office on the web (Today, Exceptions, Reconciliation) and /metrics.",
        discussion: """
            Plain HTTP listens on loopback only (put a TLS proxy in front, or give --tls-cert and --tls-key). \
            Accounts come from `amcash backoffice user add`. /metrics needs no account: it holds counts, never a card.
            """)

    @OptionGroup var options: BackOfficeOptions

    @Option(name: .long, help: "Where to listen, HOST:PORT (default 127.0.0.1:8480).")
    var listen = "127.0.0.1:8480"

    @Option(name: .customLong("tls-cert"), help: "The server's certificate chain, PEM.")
    var tlsCert: String?

    @Option(name: .customLong("tls-key"), help: "The server's private key, PEM.")
    var tlsKey: String?

    @Option(name: .customLong("stale-minutes"), help: "A till not heard from for this long stands out (default 15).")
    var staleMinutes = 15

    @Option(name: .customLong("session-minutes"), help: "A session ends after this long without a request (default 30).")
    var sessionMinutes = 30

    func validate() throws {
        guard Self.split(listen) != nil else { throw ValidationError("--listen: HOST:PORT, e.g. 127.0.0.1:8480 or [::1]:8480") }
        guard (tlsCert == nil) == (tlsKey == nil) else { throw ValidationError("--tls-cert and --tls-key go together") }
        guard staleMinutes > 0, sessionMinutes > 0 else { throw ValidationError("--stale-minutes and --session-minutes are at least 1") }
    }

    static func split(_ text: String) -> (String, Int)? {
        guard let colon = text.lastIndex(of: ":"), let port = Int(text[text.index(after: colon)...]), (0...65535).contains(port) else {
            return nil
        }
        var host = String(text[..<colon])
        if host.hasPrefix("[") && host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        return host.isEmpty ? nil : (host, port)
    }

    func run() async throws {
        guard let (host, port) = Self.split(listen) else { throw ValidationError("--listen: HOST:PORT") }
        var settings = BackOfficeWebSettings()
        if let tlsCert, let tlsKey {
            do {
                settings.tls = (try String(contentsOfFile: tlsCert, encoding: .utf8), try String(contentsOfFile: tlsKey, encoding: .utf8))
            } catch {
                printError("amcash backoffice serve: cannot read \(tlsCert) or \(tlsKey): \(error.localizedDescription)")
                throw ExitCode(ExitStatus.usage)
            }
        } else if !BackOfficeWebServer.isLoopback(host) {
            printError("amcash backoffice serve: plain HTTP listens on loopback only; give --tls-cert and --tls-key to listen on \(host)")
            throw ExitCode(ExitStatus.usage)
        }
        settings.staleAfter = TimeInterval(staleMinutes * 60)
        settings.sessionLifetime = TimeInterval(sessionMinutes * 60)
        let fixed = settings
        let address = try options.address()
        do {
            try await PostgresSession.with(address) { client in
                let server = try await BackOfficeWebServer.start(client: client, settings: fixed, host: host, port: port)
                print("The back office of \(address) is at \(server.baseURL)/ (metrics at \(server.baseURL)/metrics).")
                try await server.waitUntilStopped()
            }
        } catch {
            printError("amcash backoffice serve: \(PostgresFailure.describe(error))")
            throw ExitCode(ExitStatus.usage)
        }
    }
}

/// `amcash backoffice user`: the web back office's accounts.
struct BackOfficeUserCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "user", abstract: "The web back office's accounts.", subcommands: [BackOfficeUserAddCommand.self])
}

struct BackOfficeUserAddCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "add", abstract: "Add an account; the password is read from standard input (one line).",
        discussion: """
            --role store sees one store (--store 0001); --role chain (the chain's IT) sees every store. The password \
            (10 characters at least) is stored as a salted PBKDF2-SHA256 hash; 5 wrong passwords in a row lock the \
            account for 15 minutes.
            """)

    @OptionGroup var options: BackOfficeOptions

    @Option(name: .long, help: "The account's name.")
    var name: String

    @Option(name: .long, help: "store (one store's supervisor) or chain (the chain's IT).")
    var role: String

    @Option(name: .long, help: "The store a store supervisor sees (4 digits).")
    var store: String?

    func run() async throws {
        guard let role = BackOfficeUser.Role(rawValue: role) else { throw ValidationError("--role: store or chain") }
        if isatty(0) != 0 { FileHandle.standardError.write(Data("Password for \(name) (one line): ".utf8)) }
        guard let password = readLine(strippingNewline: true) else {
            printError("amcash backoffice user add: no password on standard input")
            throw ExitCode(ExitStatus.usage)
        }
        let address = try options.address()
        let (name, store) = (self.name, self.store)
        do {
            try await PostgresSession.with(address) { client in
                try await BackOfficeAccounts.add(client, name: name, role: role, store: store, password: password, logger: quietLogger)
            }
        } catch let error as AccountError {
            printError("amcash backoffice user add: \(error)")
            throw ExitCode(ExitStatus.usage)
        } catch {
            printError("amcash backoffice user add: back office \(address): \(PostgresFailure.describe(error))")
            throw ExitCode(ExitStatus.usage)
        }
        print("Added \(name) (\(role == .chain ? "chain IT, every store" : "store \(store ?? "")")) to \(address).")
    }
}

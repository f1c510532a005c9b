import AMCashAPI
import AMCashConfiguration
import AMCashDomain
import AMCashWire
import Foundation
import Testing

@Suite struct ConfigurationTests {
    static let good = """
        # a store's terminal
        sponsorCode = "LOY1"
        storeId = "0042"
        deviceId = "007"
        vendorId = "1234567"
        acquirerId = "99"
        locale = "fr-CA"
        hostBaseURL = "https://cert.airmilesapis.ca"
        tokenURL = "https://auth.example.ca/oauth/token"
        readTimeoutMs = 8000
        connectTimeoutMs = 2500
        showBalances = false
        cardNumberLength = [11, 16]
        receiptPath = "/dev/usb/lp0"
        journalRetentionDays = 90
        """

    @Test func aCompleteFileIsRead() throws {
        let configuration = try TerminalConfigurationLoader.parse(Self.good, path: "terminal.toml")
        #expect(configuration.identity.cardTerminalId == "LOY10042007")
        #expect(configuration.language == .french)
        #expect(configuration.host?.baseURL.description == "https://cert.airmilesapis.ca")
        #expect(configuration.host?.tokenURL.description == "https://auth.example.ca/oauth/token")
        #expect(configuration.host?.environment == .cert)
        #expect(configuration.host?.audience == "https://partners.loyalty.com")
        #expect(configuration.timeouts == HostTimeouts(connect: .milliseconds(2500), read: .seconds(8)))
        #expect(!configuration.showBalances)
        #expect(configuration.cardNumberFormat.lengths == 11...16)
        #expect(configuration.receiptPath == "/dev/usb/lp0" && configuration.journalRetentionDays == 90)
    }

    @Test func noHostMeansTheBuiltInSimulatorAndProductionIsRecognised() throws {
        #expect(try TerminalConfigurationLoader.parse("storeId = \"0001\"", path: "t.toml").host == nil)
        let prod = try TerminalConfigurationLoader.parse("hostBaseURL = \"https://airmilesapis.ca/\"", path: "t.toml")
        #expect(prod.host?.environment == .prod)
        #expect(prod.host?.tokenURL.description == "https://airmilesapis.ca/oauth/token")
    }

    @Test(arguments: [
        ("storeId = \"61\"", "t.toml:1:11: storeId must be 4 digits, got \"61\""),
        ("sponsorCode = \"LOY1\"\nstoreId = \"0001\"\ndeviceId = 7", "t.toml:3:12: deviceId must be a quoted string"),
        ("locale = \"en-US\"", "t.toml:1:10: locale must be en-CA or fr-CA, got \"en-US\""),
        (
            "\n\nhostBaseURL = \"http://cert.airmilesapis.ca\"",
            "t.toml:3:15: hostBaseURL: \"http://cert.airmilesapis.ca\" uses plain http:// to a network host; AIR MILES is reached over https:// only (http:// is allowed for a loopback simulator such as http://127.0.0.1:8080)"
        ),
        ("readTimeoutMs = 0", "t.toml:1:17: readTimeoutMs must be a whole number of milliseconds from 1 to 600000"),
        (
            "storId = \"0001\"",
            "t.toml:1:10: unknown key \"storId\"; the keys are sponsorCode, storeId, deviceId, vendorId, acquirerId, locale, environment, hostBaseURL, tokenURL, audience, caFile, connectTimeoutMs, readTimeoutMs, journalPath, credentialsFile, showBalances, cardNumberLength, receiptPath, journalRetentionDays, idempotencyRetentionHours, orphanRefundMinutes, requireScannerPrefix, askPreTaxAmount, theme, keymap, ascii, kiosk, supervisorPinHash, kioskIdleSeconds, backOfficeURL, backOfficeCredentialsFile, backOfficeCardPolicy, registerListen, registerTokenFile, registerAckSeconds, receiptPrinter, receiptFormat, receiptColumns, receiptCodePage, receiptBarcode, receiptBaud"
        ),
        (
            "tokenURL = \"https://auth.example.ca/oauth/token\"",
            "t.toml:1:12: tokenURL is set but hostBaseURL is not; set hostBaseURL, or remove tokenURL to use the built-in CERT simulator"
        ),
        ("cardNumberLength = 25", "t.toml:1:20: cardNumberLength must be between 1 and 19"),
        ("showBalances = \"no\"", "t.toml:1:16: showBalances must be true or false"),
        ("journalRetentionDays = 0", "t.toml:1:24: journalRetentionDays must be a whole number of days, 1 or more"),
    ])
    func everyBadValueIsReportedWithFileLineAndColumn(text: String, message: String) {
        #expect(throws: (any Error).self) { try TerminalConfigurationLoader.parse(text, path: "t.toml") }
        do {
            _ = try TerminalConfigurationLoader.parse(text, path: "t.toml")
        } catch {
            #expect(error.description == message)
        }
    }

    @Test func aFileOverOneMebibyteIsRefusedBeforeItIsRead() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("amcash-big-\(UUID()).toml").path
        try Data(("# " + String(repeating: "x", count: 2 * 1024 * 1024) + "\n").utf8).write(to: URL(fileURLWithPath: path))
        #expect(throws: ConfigurationError.self) { try TerminalConfigurationLoader.load(path: path) }
        do { _ = try TerminalConfigurationLoader.load(path: path) } catch { #expect(error.description.contains("1 MiB"), "\(error)") }
    }

    @Test func aTOMLSyntaxErrorSaysWhere() {
        do {
            _ = try TerminalConfigurationLoader.parse("storeId = \"0001\"\ndeviceId = = \"001\"", path: "t.toml")
            Issue.record("a syntax error was accepted")
        } catch {
            #expect(error.line == 2)
            #expect(error.description.hasPrefix("t.toml:2:"))
        }
    }

    @Test func theFileIsFoundByFlagThenEnvironmentThenUserDirectory() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("amcash-config-\(UUID())").path
        try FileManager.default.createDirectory(atPath: directory + "/amcash", withIntermediateDirectories: true)
        #expect(TerminalConfigurationLoader.locate(explicitPath: "/a.toml", environment: ["AMCASH_CONFIG": "/b.toml"]) == "/a.toml")
        #expect(TerminalConfigurationLoader.locate(explicitPath: nil, environment: ["AMCASH_CONFIG": "/b.toml"]) == "/b.toml")
        #expect(TerminalConfigurationLoader.locate(explicitPath: nil, environment: ["XDG_CONFIG_HOME": directory]) == nil)
        _ = FileManager.default.createFile(atPath: directory + "/amcash/terminal.toml", contents: Data())
        #expect(
            TerminalConfigurationLoader.locate(explicitPath: nil, environment: ["XDG_CONFIG_HOME": directory]) == directory + "/amcash/terminal.toml")
        #expect(throws: ConfigurationError.self) { try TerminalConfigurationLoader.load(path: directory + "/missing.toml") }
    }

    @Test func credentialsComeFromTheEnvironmentOrAnOwnerOnlyFile() throws {
        let fromEnvironment = try ClientCredentials.load(environment: ["AMCASH_CLIENT_ID": "id", "AMCASH_CLIENT_SECRET": "s3cret"], file: nil)
        #expect(fromEnvironment.clientId == "id")
        #expect(!"\(fromEnvironment)".contains("s3cret"))
        var dumped = ""
        dump(fromEnvironment, to: &dumped)
        #expect(!dumped.contains("s3cret"))
        #expect(throws: CredentialsError.halfInEnvironment) { try ClientCredentials.load(environment: ["AMCASH_CLIENT_ID": "id"], file: nil) }
        #expect(throws: CredentialsError.missing) { try ClientCredentials.load(environment: [:], file: nil) }

        let path = FileManager.default.temporaryDirectory.appendingPathComponent("amcash-credentials-\(UUID()).toml").path
        _ = FileManager.default.createFile(
            atPath: path, contents: Data("clientId = \"partner\"\nclientSecret = \"hunter2\"\n".utf8),
            attributes: [.posixPermissions: 0o644])
        do {
            _ = try ClientCredentials.fromFile(path)
            Issue.record("a 0644 credentials file was accepted")
        } catch {
            #expect(error.description == "\(path): the credentials file is readable by others (mode 644); run: chmod 600 \(path)")
        }
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: path)
        let fromFile = try ClientCredentials.fromFile(path)
        #expect(fromFile.clientId == "partner" && fromFile.clientSecret == "hunter2")
    }

    @Test(arguments: [
        ("https://cert.airmilesapis.ca", true), ("http://127.0.0.1:8080", true), ("http://localhost:1", true),
        ("http://[::1]:8080", true), ("http://127.10.0.3", true),
        ("http://cert.airmilesapis.ca", false), ("http://10.0.0.5:8080", false), ("http://127.0.0.1.example.com", false),
        ("ftp://cert.airmilesapis.ca", false), ("https://user:pw@cert.airmilesapis.ca", false), ("not a url", false),
    ])
    func plainHTTPIsOnlyForLoopback(url: String, allowed: Bool) {
        #expect(((try? HostEndpoint(url)) != nil) == allowed, "\(url)")
    }
}

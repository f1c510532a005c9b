import Foundation
import ScratchPostgres
import Testing

/// The real console in a real terminal: amcash runs inside tmux on the built-in simulator; the tests
/// type with `send-keys` and read the screen with `capture-pane`, polling until the text appears.
@Suite(.serialized) struct ConsoleEndToEndTests {
    /// One tmux server (its own socket) running one amcash console.
    final class Console {
        let socket = "amcash-e2e-\(UUID().uuidString.prefix(8))"
        let home: String
        let sttyFile: String

        /// `configuration`: the text of a terminal.toml for this console (none: the built-in defaults).
        init(columns: Int = 80, rows: Int = 24, environment: [String: String] = [:], arguments: [String] = [], configuration: String? = nil) throws {
            home = FileManager.default.temporaryDirectory.appendingPathComponent("amcash-console-\(UUID())").path
            try FileManager.default.createDirectory(atPath: home, withIntermediateDirectories: true)
            sttyFile = home + "/stty.txt"
            var base = ["HOME": home, "XDG_DATA_HOME": home + "/data", "TERM": "screen"]
            if let configuration {
                try configuration.write(toFile: home + "/terminal.toml", atomically: true, encoding: .utf8)
                base["AMCASH_CONFIG"] = home + "/terminal.toml"
            }
            let variables = base.merging(environment) { $1 }.map { "\($0.key)=\($0.value)" }.sorted().joined(separator: " ")
            let command =
                "env \(variables) \(CommandLineTests.binary.path) \(arguments.joined(separator: " ")); echo \"exit $?\" > \(home)/status.txt; stty -a > \(sttyFile); sleep 60"
            try tmux(["new-session", "-d", "-s", "console", "-x", String(columns), "-y", String(rows), command], capture: false)
        }

        deinit { _ = try? tmux(["kill-server"], capture: false) }

        /// Runs a tmux command with posix_spawn and waitpid. (Foundation's Process waits for a pipe the
        /// forked tmux server inherits, so it would wait for ever on the command that starts the server.)
        @discardableResult
        func tmux(_ arguments: [String], capture: Bool = true) throws -> String {
            let output = capture ? FileManager.default.temporaryDirectory.appendingPathComponent("amcash-tmux-\(UUID()).txt").path : "/dev/null"
            var actions: posix_spawn_file_actions_t = posix_spawn_file_actions_t()
            posix_spawn_file_actions_init(&actions)
            defer { posix_spawn_file_actions_destroy(&actions) }
            posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
            posix_spawn_file_actions_addopen(&actions, 1, output, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
            posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
            // The tmux server outlives this call (its pane sleeps a minute after amcash ends).
            closeInheritedDescriptors(&actions)
            let argv = (["tmux", "-L", socket] + arguments).map { strdup($0) } + [nil]
            defer { argv.forEach { free($0) } }
            var pid: pid_t = 0
            guard posix_spawnp(&pid, "tmux", &actions, nil, argv, environ) == 0 else { throw E2EError(reason: "cannot run tmux") }
            var status: Int32 = 0
            waitpid(pid, &status, 0)
            guard capture else { return "" }
            defer { try? FileManager.default.removeItem(atPath: output) }
            return (try? String(contentsOfFile: output, encoding: .utf8)) ?? ""
        }

        func send(_ keys: String...) throws { try tmux(["send-keys", "-t", "console"] + keys, capture: false) }

        /// Types like a person: one key at a time, 120 ms apart.
        func typeSlowly(_ text: String) async throws {
            for character in text {
                try tmux(["send-keys", "-t", "console", "-l", String(character)], capture: false)
                try await Task.sleep(for: .milliseconds(120))
            }
        }

        /// A person's key, after a person's pause (a key within 35 ms of the last is a scanner's).
        func press(_ key: String) async throws {
            try await Task.sleep(for: .milliseconds(150))
            try send(key)
        }

        /// A scanner: the whole number and Enter at once.
        func scan(_ number: String) throws { try send(number, "Enter") }

        /// The cashier starts a sale: its amount typed, Enter, then the card scanned.
        func sell(_ basket: String, card: String) throws {
            try send(basket, "Enter")
            try scan(card)
        }

        /// The cashier takes the offer: the card scanned, `offer` on screen, Enter, then `y` to `question`.
        /// The screen that says `approved`.
        @discardableResult
        func redeemOffered(
            card: String, offer: String, question: String = "Apply this AIR MILES Cash discount?", approved: String = "*** APPROVED ***"
        ) async throws -> String {
            try scan(card)
            try await waitFor(offer)
            return try await confirmOffer(question: question, approved: approved)
        }

        /// On the offer: Enter, then `y` to `question`. The screen that says `approved`. One way to confirm, so
        /// each test states only how it chose the amount.
        @discardableResult
        func confirmOffer(question: String = "Apply this AIR MILES Cash discount?", approved: String = "*** APPROVED ***") async throws -> String {
            try await press("Enter")
            try await waitFor(question)
            try await press("y")
            return try await waitFor(approved)
        }

        /// A $100.00 sale of collector 81000000001, its amount taken down to $0.00 and stepped up twice: the
        /// screen once the offer says $20.00 (not yet confirmed).
        @discardableResult
        func offerTwentyOnAHundredDollarSale() async throws -> String {
            try sell("100.00", card: "81000000001")
            try await waitFor("Can redeem on this sale")
            try await press("0")
            try await waitFor("< $0.00")
            try await press("+")
            try await press("+")
            return try await waitFor("< $20.00")
        }

        /// The screen a sale starts on; 45 s, as the first screen of a console just started on a loaded machine
        /// may take that long.
        @discardableResult
        func waitForTheSaleScreen() async throws -> String { try await waitFor("Scan or swipe", seconds: 45) }

        /// The first screen of a console just started, with the host reached.
        func waitUntilReady() async throws {
            try await waitForTheSaleScreen()
            try await waitFor("host OK")
        }

        /// F3 (the redemptions that can still be reversed), Enter on the first, until the screen asks to reverse it.
        func askToReverseTheFirstRedemption() async throws {
            try await press("F3")
            try await waitFor("> ")
            try await press("Enter")
            try await waitFor("Reverse this redemption")
        }

        var screen: String { (try? tmux(["capture-pane", "-p", "-t", "console"])) ?? "" }

        /// Waits (at most 20 s; 45 s for the first screen of a loaded machine) until the screen shows `text`,
        /// and returns it once two captures 100 ms apart agree: a capture can catch ncurses halfway through a
        /// frame, with the row asked for drawn and the rows a test then reads not yet.
        @discardableResult
        func waitFor(_ text: String, seconds: Double = 20) async throws -> String {
            let deadline = Date().addingTimeInterval(seconds)
            while Date() < deadline {
                let shown = screen
                try await Task.sleep(for: .milliseconds(100))
                if shown.contains(text), shown == screen { return shown }
            }
            throw E2EError(reason: "the screen never showed \"\(text)\"; it shows:\n\(screen)")
        }

        /// Waits (at most 20 s) for the receipt file to hold `text`: the receipt is written after the
        /// sale's earning settles, which may be a moment after APPROVED is drawn.
        @discardableResult func receipts(containing text: String, seconds: Double = 20) async throws -> String {
            let path = home + "/data/amcash/receipts.txt"
            let deadline = Date().addingTimeInterval(seconds)
            while Date() < deadline {
                if let written = try? String(contentsOfFile: path, encoding: .utf8), written.contains(text) { return written }
                try await Task.sleep(for: .milliseconds(100))
            }
            throw E2EError(reason: "the receipt file never held \"\(text)\"")
        }

        /// Waits (at most 10 s) for amcash to end: the pane's shell then writes `stty -a`.
        func waitForExit() async -> Bool {
            let deadline = Date().addingTimeInterval(10)
            while Date() < deadline {
                if FileManager.default.fileExists(atPath: sttyFile) { return true }
                try? await Task.sleep(for: .milliseconds(100))
            }
            return false
        }

        /// The amcash process inside the pane.
        func amcashPID() throws -> Int32? {
            let panePID = try tmux(["list-panes", "-t", "console", "-F", "#{pane_pid}"]).trimmingCharacters(in: .whitespacesAndNewlines)
            let children = (try? String(contentsOfFile: "/proc/\(panePID)/task/\(panePID)/children", encoding: .utf8)) ?? ""
            return children.split(separator: " ").compactMap { Int32($0) }.first
        }
    }

    struct E2EError: Error, CustomStringConvertible {
        let reason: String
        var description: String { reason }
    }

    @Test func scanRedeemStepDownConfirmThenReverse() async throws {
        let console = try Console()
        try await console.waitUntilReady()
        try console.sell("43.35", card: "81000000001")
        try await console.waitFor("< $40.00  (380 miles) >")
        try console.send("-")
        try await console.waitFor("< $30.00  (285 miles) >")
        let approved = try await console.confirmOffer()
        #expect(approved.contains("Confirmation number:       RD"))
        #expect(approved.contains("Discount to apply:         $30.00"))
        try await console.press("Enter")
        try await console.waitForTheSaleScreen()
        try await console.askToReverseTheFirstRedemption()
        try await console.press("y")
        try await console.waitFor("a typed number cannot reverse")
        // The card is read again: the reversal sends how it was read.
        try console.scan("81000000001")
        let reversed = try await console.waitFor("REVERSED")
        #expect(reversed.contains("Confirmation number:     RV"))
        let receipts = try await console.receipts(containing: "AIR MILES CASH REVERSAL")
        #expect(receipts.contains("AIR MILES CASH REDEMPTION") && receipts.contains("AIR MILES CASH REVERSAL"))
        #expect(!receipts.contains("81000000001"))
        try await console.press("F10")
        #expect(await console.waitForExit(), "F10 quits")
    }

    /// Done-when of #28 at the till: a $100.00 sale redeems $20 and earns on the other $80 (4 miles); F5 finds
    /// it on the return screen, and its return takes the 4 miles back. The proof is the built-in simulator's
    /// ledger (the collector's AM Cash balance, read by `amcash inquire` on the same data folder) and the journal.
    @Test func aSaleRedeemsTwentyEarnsAndItsReturnTakesTheMilesBack() async throws {
        let console = try Console()
        try await console.waitUntilReady()
        try await console.offerTwentyOnAHundredDollarSale()
        try await console.waitFor("< $20.00  (190 miles) >")
        try await console.confirmOffer()
        let earned = try await console.waitFor("Miles earned:" + String(repeating: " ", count: 14) + "4")
        #expect(earned.contains("Discount to apply:         $20.00"), "\(earned)")
        try await console.receipts(containing: "Miles earned:")
        try await console.press("Enter")
        try await console.waitFor("Scan or swipe")
        try await console.press("F5")
        let list = try await console.waitFor("> ")
        #expect(list.contains("Return a sale") && list.contains("4 miles") && list.contains("LOY10001001"), "\(list)")
        #expect(!list.contains("81000000001"))
        try await console.press("Enter")
        let question = try await console.waitFor("Return this whole sale and take back the miles it earned?")
        #expect(question.contains("Miles earned:" + String(repeating: " ", count: 10) + "4 miles"), "\(question)")
        try await console.press("y")
        let returned = try await console.waitFor("*** RETURNED ***")
        #expect(returned.contains("Miles taken back:" + String(repeating: " ", count: 6) + "4"), "\(returned)")
        let receipts = try await console.receipts(containing: "AIR MILES RETURN")
        #expect(receipts.contains("Miles taken back:") && !receipts.contains("81000000001"), "\(receipts)")
        try await console.press("Enter")
        try await console.press("F10")
        #expect(await console.waitForExit(), "F10 quits")

        // The journal: one ISSUE of 4 miles, one RETURN of 4, nothing pending.
        let journal = try await CommandLineTests.amcash(["journal"], home: console.home)
        #expect(journal.output.contains("Miles earned 4, returned 4, pending 0 rows"), "\(journal.output)")
        // The ledger: 50,000 less the 190 redeemed; the 4 earned went in and came back out.
        let inquiry = try await CommandLineTests.amcash(
            ["inquire", "--card", "81000000001", "--entry", "scan", "--basket", "10.00"], home: console.home)
        #expect(inquiry.output.contains("AM Cash 49810 miles"), "\(inquiry.output)\(inquiry.errors)")
    }

    @Test func theConsoleForwardsItsSalesToTheBackOfficeWhileTheCashierWorks() async throws {
        let database = try await TestPostgres.freshDatabase()
        #expect(try await CommandLineTests.amcash(["backoffice", "migrate", "--database", TestPostgres.url(database)]).status == 0)
        let console = try Console(
            environment: ["AMCASH_BACKOFFICE_PASSWORD": database.password ?? "", "AMCASH_BACKOFFICE_CARD_KEY": "chain-key"],
            configuration:
                "backOfficeURL = \"postgresql://\(database.user)@\(database.host):\(database.port)/\(database.database)?sslmode=disable\"\n")
        try await console.waitUntilReady()
        try console.send("20", "Enter")
        try await console.redeemOffered(card: "81000000001", offer: "< $20.00  (190 miles) >")
        // The sale reaches the chain database on its own, shown, masked, with the keyed hash.
        let deadline = Date().addingTimeInterval(20)
        var rows: [String] = []
        while Date() < deadline {
            rows = try await BackOfficeCommandTests.query(
                database, "SELECT state || ' ' || card_masked || ' ' || (card_hash IS NOT NULL)::text FROM terminal_rows", as: String.self)
            if rows == ["shown •••••••0001 true"] { break }
            try await Task.sleep(for: .milliseconds(200))
        }
        #expect(rows == ["shown •••••••0001 true"])
        try await console.press("Enter")
        try await console.press("F10")
        #expect(await console.waitForExit(), "F10 quits")
    }

    @Test func aKeyedCardIsRefusedForRedemptionBeforeAnyRedeemIsSent() async throws {
        let console = try Console()
        try await console.waitForTheSaleScreen()
        try console.send("43.35", "Enter")
        try await console.typeSlowly("81000000001")
        try await Task.sleep(for: .milliseconds(200))
        try console.send("Enter")
        let offer = try await console.waitFor("Balance only — scan the card to redeem")
        #expect(offer.contains("(keyed)"), "the screen says the card was keyed, in words")
        try console.send("Enter")
        try await Task.sleep(for: .milliseconds(300))
        try console.send("y")
        try await Task.sleep(for: .milliseconds(500))
        #expect(!console.screen.contains("APPROVED") && !console.screen.contains("Apply this"))
        try console.send("F10")
        // The journal of that console holds no REDEEM at all: nothing was sent.
        try await Task.sleep(for: .milliseconds(500))
        let journal = try await CommandLineTests.amcash(["journal", "--json"], home: console.home)
        #expect(journal.status == 0, "\(journal.errors)")
        #expect(!journal.output.contains("\"REDEEM\""), "\(journal.output)")
    }

    @Test func anInactiveCardShowsItsMessage() async throws {
        let console = try Console()
        try await console.waitForTheSaleScreen()
        try console.sell("20", card: "81000000006")
        try await console.waitFor("This collector account is inactive. Take another tender.")
        try console.send("F10")
    }

    @Test func anASCIITillPrintsItsFrenchReceiptInASCII() async throws {
        let console = try Console(arguments: ["--ascii"], configuration: "locale = \"fr-CA\"\n")
        try await console.waitFor("Balayez ou glissez", seconds: 45)
        try await console.waitFor("hote OK")
        try console.send("20", "Enter")
        try await console.redeemOffered(
            card: "81000000001", offer: "< 20,00 $", question: "Appliquer ce rabais Argent AIR MILES?", approved: "*** APPROUVE ***")
        let receipts = try await console.receipts(containing: "No de trace")
        #expect(receipts.contains("ECHANGE ARGENT AIR MILES") && receipts.contains("No de trace"), "\(receipts)")
        let beyondASCII = receipts.unicodeScalars.filter { !$0.isASCII }
        #expect(beyondASCII.isEmpty, "an --ascii till prints no character beyond ASCII: \(receipts)")
        try await console.press("Enter")
        try await console.press("F10")
        #expect(await console.waitForExit())
    }

    @Test func resizingMidFlowKeepsTheSale() async throws {
        let console = try Console()
        try await console.waitForTheSaleScreen()
        try console.sell("43.35", card: "81000000001")
        try await console.waitFor("< $40.00")
        try console.send("-")
        try await console.waitFor("< $30.00")
        try console.tmux(["resize-window", "-t", "console", "-x", "40", "-y", "12"], capture: false)
        let small = try await console.waitFor("TRAINING (CERT)")
        #expect(small.contains("< $30.00"))
        try console.tmux(["resize-window", "-t", "console", "-x", "100", "-y", "30"], capture: false)
        let large = try await console.waitFor("*** TRAINING")
        #expect(large.contains("< $30.00  (285 miles) >"))
        try console.send("F10")
    }

    @Test func sigtermLeavesTheTerminalSane() async throws {
        let console = try Console()
        try await console.waitForTheSaleScreen()
        let pid = try #require(try console.amcashPID())
        #expect(kill(pid, SIGTERM) == 0)
        #expect(await console.waitForExit())
        try await Task.sleep(for: .milliseconds(200))
        let stty = try String(contentsOfFile: console.sttyFile, encoding: .utf8)
        let flags = stty.split(whereSeparator: { $0 == " " || $0 == "\n" || $0 == ";" }).map(String.init)
        #expect(flags.contains("icanon") && flags.contains("echo"), "stty -a after SIGTERM: \(stty)")
        #expect(!flags.contains("-icanon") && !flags.contains("-echo"))
    }

    @Test func theWholeSaleRunsFromANumericKeypad() async throws {
        let console = try Console(arguments: ["--keymap", "numpad"])
        try await console.waitUntilReady()
        try await console.typeSlowly("43.35")
        try await console.press("Enter")
        try console.scan("81000000001")
        let offer = try await console.waitFor("< $40.00  (380 miles) >")
        #expect(offer.contains("* Max  / None"), "the legend comes from the numpad keymap")
        try await console.press("/")
        try await console.waitFor("< $0.00  (0 miles) >")
        try await console.press("*")
        try await console.waitFor("< $40.00  (380 miles) >")
        try await console.press("-")
        try await console.waitFor("< $30.00  (285 miles) >")
        try await console.press("Enter")
        let question = try await console.waitFor("Apply this AIR MILES Cash discount?")
        #expect(question.contains("Enter Yes   - No"))
        try await console.press("Enter")
        try await console.waitFor("*** APPROVED ***")
        try await console.press("*")
        try await console.waitFor("AIR MILES CASH REDEMPTION")
        try await console.press("Enter")
        try await console.waitFor("Scan or swipe")
        try await console.askToReverseTheFirstRedemption()
        try console.scan("81000000001")
        try await console.waitFor("REVERSED")
        try await console.press("F10")
        #expect(await console.waitForExit())
    }

    @Test func aKioskIgnoresCtrlCAndCtrlZAndLeavesOnlyWithTheSupervisorPin() async throws {
        let hashed = try await CommandLineTests.amcash(["hash-pin"], input: "246813\n")
        #expect(hashed.status == 0, "\(hashed.errors)")
        #expect(!hashed.output.contains("246813"), "the PIN itself is never printed")
        let console = try Console(configuration: "kiosk = true\n" + hashed.output)
        try await console.waitForTheSaleScreen()
        try await console.press("C-c")
        try await console.press("C-z")
        try await Task.sleep(for: .milliseconds(500))
        #expect(try console.amcashPID() != nil, "Ctrl-C and Ctrl-Z leave the kiosk running")
        #expect(!console.screen.contains("to quit"), "and say nothing about quitting")
        let legend = try await console.waitFor("F10 Supervisor")
        #expect(!legend.contains("Quit"))
        try await console.press("F10")
        try await console.waitFor("enter the PIN to leave the kiosk")
        try await console.typeSlowly("1111")
        try await console.press("Enter")
        try await console.waitFor("Wrong PIN.")
        #expect(try console.amcashPID() != nil)
        try await console.press("Escape")
        try await console.waitFor("Scan or swipe")
        try await console.press("F10")
        try await console.waitFor("enter the PIN to leave the kiosk")
        try await console.typeSlowly("246813")
        try await console.press("Enter")
        #expect(await console.waitForExit(), "the right PIN leaves the kiosk")
        let status = try String(contentsOfFile: console.home + "/status.txt", encoding: .utf8)
        #expect(status.trimmingCharacters(in: .whitespacesAndNewlines) == "exit 0", "a supervisor's exit is a clean one")
    }

    @Test func aBrokenThemeIsRefusedWithItsPositionBeforeTheScreenIsTaken() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("amcash-theme-\(UUID())").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        try "[styles]\nstatusbar = { bg = 300 }\n".write(toFile: folder + "/broken.toml", atomically: true, encoding: .utf8)
        let console = try Console(columns: 200, arguments: ["--theme", folder + "/broken.toml"])
        #expect(await console.waitForExit())
        try await console.waitFor("broken.toml:2:20: colour 300 is out of range")
        let status = try String(contentsOfFile: console.home + "/status.txt", encoding: .utf8)
        #expect(status.trimmingCharacters(in: .whitespacesAndNewlines) == "exit 2")
    }

    @Test func noColorLeavesNoColourOnScreen() async throws {
        let console = try Console(environment: ["NO_COLOR": "1"])
        try await console.waitForTheSaleScreen()
        let escaped = try console.tmux(["capture-pane", "-p", "-e", "-t", "console"])
        // Every SGR sequence (ESC [ … m) may set attributes (bold, reverse, underline) but no colour.
        // 30–38 and 40–48 set a colour, 90–107 a bright one; 39 and 49 go back to the default (no colour).
        let colourCodes: [Int] = Array(30...38) + Array(40...48) + Array(90...107)
        let colourParameters = Set(colourCodes.map { String($0) })
        for sequence in escaped.components(separatedBy: "\u{1B}[").dropFirst() {
            guard let end = sequence.firstIndex(of: "m") else { continue }
            let parameters = sequence[..<end].split(separator: ";").map(String.init)
            #expect(parameters.allSatisfy { !colourParameters.contains($0) }, "a colour in NO_COLOR mode: ESC[\(sequence[..<end])m")
        }
        #expect(escaped.contains("TRAINING"))
        try console.send("F10")

        // The same check finds colour when there is some: the default theme's blue status bar (44).
        let coloured = try Console(environment: ["TERM": "screen-256color", "NO_COLOR": ""])
        try await coloured.waitForTheSaleScreen()
        let withColour = try coloured.tmux(["capture-pane", "-p", "-e", "-t", "console"])
        let parameters = withColour.components(separatedBy: "\u{1B}[").dropFirst().compactMap { sequence in
            sequence.firstIndex(of: "m").map { sequence[..<$0].split(separator: ";").map(String.init) }
        }.flatMap { $0 }
        #expect(parameters.contains("44"), "the status bar is blue when colour is allowed")
        try coloured.send("F10")
    }
}

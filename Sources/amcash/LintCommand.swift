import AMCashAPI
import AMCashConfiguration
import AMCashTraining
import AMCashWire
import ArgumentParser
import ConsoleAppearance
import ConsoleCore
import ConsoleUI
import Foundation

/// `amcash lint`: checks themes, keymaps and terminal configurations before a store relies on them,
/// and lists every error as `file:line:column: message`.
struct LintCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lint", abstract: "Check themes, keymaps, training exercises and the terminal configuration.",
        discussion: """
            PATH is a file or a folder (its .toml files, and its themes/, keymaps/ and exercises/ folders). A file in a \
            themes/, keymaps/ or exercises/ folder is read as one (an exercise also has [collector] and [expect]); any other file is read as what its tables say (a theme has \
            [styles] or [palette], a keymap has [global], [card] … tables, anything else is a terminal \
            configuration, whose theme and keymap are checked too). With no PATH: every theme, keymap and exercise the \
            console can find and the terminal configuration in use. Exit status 0 when all is well, 1 when \
            any file has an error, 2 when a PATH does not exist.
            """)

    @Argument(help: "Files or folders to check.")
    var paths: [String] = []

    @Option(
        name: .long, help: "The terminal configuration to check when no PATH is given (default: $AMCASH_CONFIG, then ~/.config/amcash/terminal.toml)."
    )
    var config: String?

    func run() throws {
        let environment = ProcessInfo.processInfo.environment
        let folders = ConfigurationFolders.standard(environment: environment)
        var files: [(path: String, kind: LintedKind)] = []
        if paths.isEmpty {
            for kind in ConfigurationKind.allCases {
                for folder in folders.folders(kind) { files += Self.tomlFiles(in: folder).map { ($0, LintedKind(kind)) } }
            }
            if let terminal = TerminalConfigurationLoader.locate(explicitPath: config, environment: environment) {
                files.append((terminal, .terminal))
            }
        } else {
            for path in paths {
                guard FileManager.default.fileExists(atPath: path) else {
                    printError("amcash lint: \(path): no such file or folder")
                    throw ExitCode(ExitStatus.usage)
                }
                if ConfigurationFolders.isDirectory(path) {
                    files += Self.tomlFiles(in: path).map { ($0, Self.kind(of: $0)) }
                    for kind in ConfigurationKind.allCases {
                        files += Self.tomlFiles(in: path + "/" + kind.rawValue).map { ($0, LintedKind(kind)) }
                    }
                } else {
                    files.append((path, Self.kind(of: path)))
                }
            }
        }
        var seen: Set<String> = []
        var errors: [String] = []
        let current = URL(fileURLWithPath: FileManager.default.currentDirectoryPath).standardizedFileURL.resolvingSymlinksInPath().path + "/"
        for file in files {
            let found = Self.check(file.path, as: file.kind, folders: folders)
            for error in found.sorted(by: { ($0.file, $0.line, $0.column) < ($1.file, $1.line, $1.column) }) {
                let line = Self.relative(error, to: current)
                if seen.insert(line).inserted { errors.append(line) }
            }
        }
        errors.forEach { print($0) }
        let count = files.count == 1 ? "1 file" : "\(files.count) files"
        print(
            errors.isEmpty
                ? "amcash lint: \(count) checked, no errors" : "amcash lint: \(count) checked, \(errors.count) error\(errors.count == 1 ? "" : "s")")
        if !errors.isEmpty { throw ExitCode(ExitStatus.declined) }
    }

    enum LintedKind {
        case theme, keymap, exercise, terminal

        init(_ kind: ConfigurationKind) {
            switch kind {
            case .themes: self = .theme
            case .keymaps: self = .keymap
            case .exercises: self = .exercise
            }
        }
    }

    static func check(_ path: String, as kind: LintedKind, folders: ConfigurationFolders) -> [ConfigurationError] {
        switch kind {
        case .theme:
            do { _ = try ThemeLoader(folders: folders).load(file: path) } catch { return error.errors }
        case .keymap:
            do { _ = try KeymapLoader(folders: folders).load(file: path) } catch { return error.errors }
        case .exercise:
            do { _ = try ExerciseLoader.load(path: path) } catch { return [error] }
        case .terminal:
            let configuration: TerminalConfiguration
            do { configuration = try TerminalConfigurationLoader.load(path: path) } catch { return [error] }
            // The theme and keymap it names must load too; their errors point into their own files.
            var errors: [ConfigurationError] = []
            if let theme = configuration.theme {
                do { _ = try ThemeLoader(folders: folders).load(theme) } catch { errors += error.errors }
            }
            if let keymap = configuration.keymap {
                do { _ = try KeymapLoader(folders: folders).load(keymap) } catch { errors += error.errors }
            }
            return errors
        }
        return []
    }

    /// What a file is: by its folder (themes/, keymaps/), else by its tables.
    static func kind(of path: String) -> LintedKind {
        let folder = URL(fileURLWithPath: path).deletingLastPathComponent().lastPathComponent
        if folder == ConfigurationKind.themes.rawValue { return .theme }
        if folder == ConfigurationKind.keymaps.rawValue { return .keymap }
        if folder == ConfigurationKind.exercises.rawValue { return .exercise }
        let text = (try? String(contentsOfFile: path, encoding: .utf8)) ?? ""
        let tables = Set(
            text.split(separator: "\n").compactMap { line -> String? in
                let trimmed = line.trimmingCharacters(in: .whitespaces)
                guard trimmed.hasPrefix("["), !trimmed.hasPrefix("[[") else { return nil }
                return trimmed.dropFirst().prefix { $0 != "]" && $0 != "." }.trimmingCharacters(in: .whitespaces)
            })
        if tables.contains("styles") || tables.contains("palette") { return .theme }
        if tables.contains("expect") && tables.contains("collector") { return .exercise }
        if !tables.isDisjoint(with: KeyContext.allCases.map(\.rawValue)) { return .keymap }
        return .terminal
    }

    static func tomlFiles(in folder: String) -> [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []
        return names.filter { $0.hasSuffix(".toml") }.sorted().map { folder + "/" + $0 }
    }

    /// The message with its file relative to the current folder, as a person typed it.
    static func relative(_ error: ConfigurationError, to current: String) -> String {
        guard error.file.hasPrefix(current) else { return error.description }
        return ConfigurationError(
            file: String(error.file.dropFirst(current.count)), line: error.line, column: error.column,
            message: error.message
        ).description
    }
}

/// `amcash hash-pin`: turns a supervisor PIN into the `supervisorPinHash` line for the terminal
/// configuration, so the PIN itself is never stored.
struct HashPinCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "hash-pin", abstract: "Hash a supervisor PIN for kiosk mode.",
        discussion:
            "Reads the PIN (6 to 12 digits) from the terminal without showing it, twice, or one line from standard input, and prints the supervisorPinHash line to put in terminal.toml."
    )

    func run() throws {
        let pin: String
        if isatty(STDIN_FILENO) == 1 {
            let first = Self.readHidden("Supervisor PIN: ")
            let second = Self.readHidden("Again: ")
            guard first == second else {
                printError("amcash hash-pin: the two PINs differ; nothing written.")
                throw ExitCode(ExitStatus.usage)
            }
            pin = first
        } else {
            pin = (readLine() ?? "").trimmingCharacters(in: .whitespaces)
        }
        do {
            print("supervisorPinHash = \"\(try SupervisorPinHash.make(pin: pin))\"")
        } catch {
            printError("amcash hash-pin: \(error.message)")
            throw ExitCode(ExitStatus.usage)
        }
    }

    /// Reads a line with echo off, restoring the terminal after.
    static func readHidden(_ prompt: String) -> String {
        FileHandle.standardError.write(Data(prompt.utf8))
        var saved = termios()
        tcgetattr(STDIN_FILENO, &saved)
        var hidden = saved
        hidden.c_lflag &= ~tcflag_t(ECHO)
        tcsetattr(STDIN_FILENO, TCSAFLUSH, &hidden)
        defer {
            tcsetattr(STDIN_FILENO, TCSAFLUSH, &saved)
            FileHandle.standardError.write(Data("\n".utf8))
        }
        return readLine() ?? ""
    }
}

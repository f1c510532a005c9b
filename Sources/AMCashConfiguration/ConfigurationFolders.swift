import Foundation

/// The kinds of user-editable files the console reads from its folders.
public enum ConfigurationKind: String, Sendable, CaseIterable {
    case themes, keymaps, exercises

    /// "theme" or "keymap", for messages.
    public var singular: String { String(rawValue.dropLast()) }
}

/// Where themes and keymaps are found, in order: the user's configuration directory (overrides),
/// `$AMCASH_SHARE_DIR`, the folder the shipped files came with (found from the executable), then
/// `/usr/local/share/amcash` and `/usr/share/amcash`. Each holds `themes/` and `keymaps/`.
public struct ConfigurationFolders: Sendable, Equatable {
    public let directories: [String]

    public init(directories: [String]) {
        var seen: Set<String> = []
        self.directories = directories.map(Self.standardized).filter { seen.insert($0).inserted }
    }

    public static func standard(environment: [String: String]) -> ConfigurationFolders {
        var directories = [TerminalConfigurationLoader.userConfigurationDirectory(environment: environment)]
        if let share = environment["AMCASH_SHARE_DIR"], !share.isEmpty { directories.append(share) }
        if let shipped = shippedDirectory() { directories.append(shipped) }
        directories += ["/usr/local/share/amcash", "/usr/share/amcash"]
        return ConfigurationFolders(directories: directories)
    }

    /// The nearest ancestor of the running executable that holds `themes/` or `keymaps/`: the
    /// repository when run from `.build`, or an install prefix's `share/amcash`.
    static func shippedDirectory() -> String? {
        let executable = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments.first ?? ""
        var directory = URL(fileURLWithPath: executable).deletingLastPathComponent()
        for _ in 0..<6 {
            for candidate in [directory, directory.appendingPathComponent("share/amcash")] {
                let path = candidate.path
                if ConfigurationKind.allCases.contains(where: { isDirectory(path + "/" + $0.rawValue) }) { return path }
            }
            directory = directory.deletingLastPathComponent()
        }
        return nil
    }

    /// The folders searched for one kind, for messages.
    public func folders(_ kind: ConfigurationKind) -> [String] { directories.map { $0 + "/" + kind.rawValue } }

    /// Every file of a kind, by name (the first folder that has a name wins), for `amcash lint` and help.
    public func available(_ kind: ConfigurationKind) -> [String: String] {
        var found: [String: String] = [:]
        for folder in folders(kind) {
            let names = (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []
            for name in names.sorted() where name.hasSuffix(".toml") {
                let base = String(name.dropLast(5))
                if found[base] == nil { found[base] = folder + "/" + name }
            }
        }
        return found
    }

    /// The file `name` means: a path if it has a `/` or ends in `.toml` (relative to the inheriting
    /// file's folder, if any), else `NAME.toml` beside the inheriting file, else in the first folder
    /// that has it. A file that inherits its own name (a user's `default.toml` over the shipped one)
    /// is looked for after its own folder.
    public func locate(_ name: String, kind: ConfigurationKind, from inheritingFile: String? = nil) -> String? {
        if name.contains("/") || name.hasSuffix(".toml") {
            let base = inheritingFile.map { URL(fileURLWithPath: $0).deletingLastPathComponent().path } ?? FileManager.default.currentDirectoryPath
            let path = name.hasPrefix("/") ? name : base + "/" + name
            return FileManager.default.isReadableFile(atPath: path) ? Self.standardized(path) : nil
        }
        var candidates = folders(kind).map { $0 + "/" + name + ".toml" }
        if let inheritingFile {
            let own = Self.standardized(inheritingFile)
            if let index = candidates.firstIndex(of: own) {
                candidates = Array(candidates[(index + 1)...])
            } else {
                let sibling = Self.standardized(URL(fileURLWithPath: own).deletingLastPathComponent().path + "/" + name + ".toml")
                if sibling != own { candidates.insert(sibling, at: 0) }
            }
        }
        return candidates.first { FileManager.default.isReadableFile(atPath: $0) }
    }

    /// Names are letters, digits, `-` and `_`; anything else is taken as a path.
    public static func isName(_ text: String) -> Bool {
        !text.isEmpty && text.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") }
    }

    static func standardized(_ path: String) -> String {
        URL(fileURLWithPath: path).standardizedFileURL.resolvingSymlinksInPath().path
    }

    public static func isDirectory(_ path: String) -> Bool {
        var directory: ObjCBool = false
        return FileManager.default.fileExists(atPath: path, isDirectory: &directory) && directory.boolValue
    }
}

/// A theme or keymap file and the files it inherits from, base first: what each loader applies in
/// order. Reading stops at the first file that cannot be read or parsed, a missing parent or a cycle;
/// those are errors with the position of the `inherits` line.
public struct InheritanceChain {
    /// The parsed files, the most basic first.
    public let documents: [TOMLDocument]
    /// The chain ends in the built-in `default` (no `default.toml` was found).
    public let startsFromBuiltIn: Bool
    public let errors: [ConfigurationError]

    public static func load(_ nameOrPath: String, kind: ConfigurationKind, folders: ConfigurationFolders) -> InheritanceChain {
        guard let first = folders.locate(nameOrPath, kind: kind) else {
            if nameOrPath == "default" { return InheritanceChain(documents: [], startsFromBuiltIn: true, errors: []) }
            let error = ConfigurationError(file: nameOrPath, line: 0, column: 0, message: notFound(nameOrPath, kind: kind, folders: folders))
            return InheritanceChain(documents: [], startsFromBuiltIn: false, errors: [error])
        }
        return load(file: first, kind: kind, folders: folders)
    }

    /// The chain that starts at `file`.
    public static func load(file: String, kind: ConfigurationKind, folders: ConfigurationFolders) -> InheritanceChain {
        var documents: [TOMLDocument] = []
        var paths: [String] = []
        var current = ConfigurationFolders.standardized(file)
        var startsFromBuiltIn = false
        var errors: [ConfigurationError] = []
        while true {
            let document: TOMLDocument
            do { document = try read(current) } catch {
                errors.append(error)
                break
            }
            documents.append(document)
            paths.append(current)
            guard let inherits = document.root["inherits"] else { break }
            guard let name = inherits.string else {
                errors.append(
                    document.error(at: "inherits", "inherits must be the quoted name of another \(kind.singular), e.g. inherits = \"default\""))
                break
            }
            guard let parent = folders.locate(name, kind: kind, from: current) else {
                if name == "default" {
                    startsFromBuiltIn = true
                } else {
                    errors.append(document.error(at: "inherits", notFound(name, kind: kind, folders: folders)))
                }
                break
            }
            if paths.contains(parent) {
                let cycle = (paths + [parent]).map { URL(fileURLWithPath: $0).lastPathComponent }.joined(separator: " → ")
                errors.append(document.error(at: "inherits", "inheritance cycle: \(cycle)"))
                break
            }
            current = parent
        }
        return InheritanceChain(documents: documents.reversed(), startsFromBuiltIn: startsFromBuiltIn, errors: errors)
    }

    static func read(_ path: String) throws(ConfigurationError) -> TOMLDocument {
        try TOMLDocument(path: path, text: try ConfigurationFileText.read(path))
    }

    static func notFound(_ name: String, kind: ConfigurationKind, folders: ConfigurationFolders) -> String {
        if !ConfigurationFolders.isName(name) { return "no \(kind.singular) file at \(name)" }
        let known = folders.available(kind).keys.sorted()
        return "no \(kind.singular) named \"\(name)\"" + (known.isEmpty ? "" : " (there are: \(known.joined(separator: ", ")))")
            + "; looked in " + folders.folders(kind).joined(separator: ", ")
    }
}

/// A loader of files that may inherit from one another (themes, keymaps): finding the files and
/// following `inherits` is shared; each kind says how its files apply, base first.
public protocol InheritingFileLoader: Sendable {
    associatedtype Loaded
    static var kind: ConfigurationKind { get }
    var folders: ConfigurationFolders { get }
    /// Applies the chain's files, base first, or throws every error found (the chain's own included).
    func finish(_ chain: InheritanceChain) throws(ConfigurationErrors) -> Loaded
}

extension InheritingFileLoader {
    /// What a name or path means, or every error found on the way.
    public func load(_ nameOrPath: String) throws(ConfigurationErrors) -> Loaded {
        try finish(InheritanceChain.load(nameOrPath, kind: Self.kind, folders: folders))
    }

    /// What `file` holds (for `amcash lint`).
    public func load(file: String) throws(ConfigurationErrors) -> Loaded {
        try finish(InheritanceChain.load(file: file, kind: Self.kind, folders: folders))
    }
}

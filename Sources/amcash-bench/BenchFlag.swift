/// One `--flag value` a benchmark takes: its name and how its value is read into the benchmark's settings.
/// Every benchmark reads its flags the same way (each flag a value, an unknown one refused), so each one
/// lists only its own flags.
struct BenchFlag<Settings> {
    let name: String
    let read: (inout Settings, String) throws -> Void

    /// A whole number, 0 or more (`--requests 4000`).
    static func number(_ name: String, _ field: WritableKeyPath<Settings, Int>) -> Self {
        Self(name: name) { $0[keyPath: field] = try wholeNumber($1, name) }
    }

    /// A comma-separated list of whole numbers (`--sizes 1000,100000`), each read as `number` reads one.
    static func numbers(_ name: String, _ field: WritableKeyPath<Settings, [Int]>) -> Self {
        Self(name: name) { settings, text in settings[keyPath: field] = try text.split(separator: ",").map { try wholeNumber(String($0), name) } }
    }

    /// A comma-separated list of names (`--backends memory,file`).
    static func list(_ name: String, _ field: WritableKeyPath<Settings, [String]>) -> Self {
        Self(name: name) { $0[keyPath: field] = commaSeparated($1) }
    }

    /// The value as it is given (`--keep DIR`).
    static func text(_ name: String, _ field: WritableKeyPath<Settings, String?>) -> Self {
        Self(name: name) { $0[keyPath: field] = $1 }
    }
}

/// Reads `--flag value` pairs into `settings`, each by the one of `flags` that has its name.
func readFlags<Settings>(_ arguments: ArraySlice<String>, into settings: inout Settings, _ flags: [BenchFlag<Settings>]) throws {
    var rest = arguments
    while let flag = rest.popFirst() {
        guard let value = rest.popFirst() else { throw BenchError("\(flag) needs a value") }
        guard let known = flags.first(where: { $0.name == flag }) else { throw BenchError("unknown option \(flag)") }
        try known.read(&settings, value)
    }
}

/// A flag's whole number, 0 or more.
func wholeNumber(_ text: String, _ flag: String) throws -> Int {
    guard let value = Int(text), value >= 0 else { throw BenchError("\(flag): \(text) is not a whole number") }
    return value
}

/// A comma-separated list of names (`--backends memory,file`): one way to split every such flag.
func commaSeparated(_ text: String) -> [String] { text.split(separator: ",").map(String.init) }

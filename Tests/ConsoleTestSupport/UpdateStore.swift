public import ConsoleCore
public import Testing

/// Exhaustive tests of `update`, in the spirit of The Composable Architecture's `TestStore`: the store
/// holds a model; each step sends a message (or a person's keys), states the whole change it expects
/// to the model before the step and the effects, and fails on anything else with a diff of the two
/// models. A test says what changed; everything it does not mention must not have changed.
///
///     let store = UpdateStore(Model(settings: Fixtures.settings))
///     store.type("43.35\n") { $0.screen = .ready(ReadyForm(focus: .card, basketText: "43.35")) }
///     store.send(.echoed(false)) { $0.status.connection = .down }
///
/// Keys are stamped by the store's clock (`time`, in ms), at the pace `Fixtures` feeds them: a person's
/// key 300 ms after the last, typed characters 200 ms apart, a scanner's burst 5 ms apart.
public final class UpdateStore {
    /// The model after the last step.
    public private(set) var model: Model
    /// The time of the last key (ms).
    public var time: Int64
    /// Copies into the expected model what no test states (the scanner's key-timing bookkeeping,
    /// which is internal to ConsoleCore): given the expected model and the one `update` made.
    private let unstated: (inout Model, Model) -> Void

    public init(_ model: Model, time: Int64 = 0, unstated: @escaping (inout Model, Model) -> Void = { _, _ in }) {
        self.model = model
        self.time = time
        self.unstated = unstated
    }

    /// Sends one message. `change` states what it changes in the model (nothing when omitted).
    @discardableResult
    public func send(
        _ message: Msg, effects: [Effect] = [], sourceLocation: SourceLocation = #_sourceLocation,
        _ change: (inout Model) -> Void = { _ in }
    ) -> [Effect] {
        send([message], effects: effects, sourceLocation: sourceLocation, change)
    }

    /// Sends several messages as one step: `change` states what they change together, `effects` all
    /// they answer, in order.
    @discardableResult
    public func send(
        _ messages: [Msg], effects: [Effect] = [], sourceLocation: SourceLocation = #_sourceLocation,
        _ change: (inout Model) -> Void = { _ in }
    ) -> [Effect] {
        var expected = model
        change(&expected)
        var actual = model
        var answered: [Effect] = []
        for message in messages { answered += ConsoleCore.update(&actual, message) }
        unstated(&expected, actual)
        if actual != expected {
            Issue.record(
                "The model is not the one stated (− stated, + actual):\n\(Self.diff(expected, actual))", sourceLocation: sourceLocation)
        }
        if answered != effects {
            Issue.record(
                "The effects are not the ones stated (− stated, + actual):\n\(Self.diff(effects, answered))", sourceLocation: sourceLocation)
        }
        model = actual
        return answered
    }

    /// A key a person presses, `after` ms after the last.
    @discardableResult
    public func press(
        _ key: Key, after gap: Int64 = 300, effects: [Effect] = [], sourceLocation: SourceLocation = #_sourceLocation,
        _ change: (inout Model) -> Void = { _ in }
    ) -> [Effect] {
        time += gap
        return send(.key(KeyPress(key, at: time)), effects: effects, sourceLocation: sourceLocation, change)
    }

    /// Keys a person types, 200 ms apart ("\n" is Enter), as one step.
    @discardableResult
    public func type(
        _ text: String, effects: [Effect] = [], sourceLocation: SourceLocation = #_sourceLocation,
        _ change: (inout Model) -> Void = { _ in }
    ) -> [Effect] {
        var keys: [Msg] = []
        for character in text {
            time += 200
            keys.append(.key(KeyPress(character == "\n" ? .enter : .character(character), at: time)))
        }
        return send(keys, effects: effects, sourceLocation: sourceLocation, change)
    }

    /// Keys a scanner sends, 5 ms apart and ending with Enter, half a second after the last key, as one step.
    @discardableResult
    public func scan(
        _ text: String, effects: [Effect] = [], sourceLocation: SourceLocation = #_sourceLocation,
        _ change: (inout Model) -> Void = { _ in }
    ) -> [Effect] {
        time += 500
        var keys: [Msg] = []
        for character in text {
            time += 5
            keys.append(.key(KeyPress(.character(character), at: time)))
        }
        time += 5
        keys.append(.key(KeyPress(.enter, at: time)))
        return send(keys, effects: effects, sourceLocation: sourceLocation, change)
    }

    /// The lines of `dump` that differ between two values, with a line of context around each run,
    /// from the longest common run of lines.
    public static func diff<T>(_ expected: T, _ actual: T) -> String {
        var left = ""
        var right = ""
        dump(expected, to: &left)
        dump(actual, to: &right)
        let a = left.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let b = right.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        // Longest common subsequence, from the end.
        var length = Array(repeating: Array(repeating: 0, count: b.count + 1), count: a.count + 1)
        for i in stride(from: a.count - 1, through: 0, by: -1) {
            for j in stride(from: b.count - 1, through: 0, by: -1) {
                length[i][j] = a[i] == b[j] ? length[i + 1][j + 1] + 1 : max(length[i + 1][j], length[i][j + 1])
            }
        }
        var lines: [(mark: Character, text: String)] = []
        var (i, j) = (0, 0)
        while i < a.count || j < b.count {
            if i < a.count, j < b.count, a[i] == b[j] {
                lines.append((" ", a[i]))
                i += 1
                j += 1
            } else if j < b.count, i == a.count || length[i][j + 1] >= length[i + 1][j] {
                lines.append(("+", b[j]))
                j += 1
            } else {
                lines.append(("−", a[i]))
                i += 1
            }
        }
        let changed = lines.indices.filter { lines[$0].mark != " " }
        let shown = Set(changed.flatMap { [$0 - 1, $0, $0 + 1] })
        var out: [String] = []
        var last = -2
        for index in lines.indices where shown.contains(index) {
            if index != last + 1 && !out.isEmpty { out.append("  …") }
            out.append("\(lines[index].mark) \(lines[index].text)")
            last = index
        }
        return out.joined(separator: "\n")
    }
}

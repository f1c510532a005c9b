public import AMCashConfiguration
public import ConsoleCore
import TOMLKit

/// Reads a keymap file and the files it inherits from. Each file's table for a context replaces the
/// keys of the actions it names and keeps the rest. Every mistake is an error with its position:
/// unknown context, unknown action, unknown key name, a key the screen types into a field, a key bound
/// to two actions where both apply (one context, or a context and `[global]`), an action left with no
/// key, a missing parent or an inheritance cycle.
public struct KeymapLoader: InheritingFileLoader {
    public let folders: ConfigurationFolders

    public init(folders: ConfigurationFolders) {
        self.folders = folders
    }

    public static let kind = ConfigurationKind.keymaps

    public func finish(_ chain: InheritanceChain) throws(ConfigurationErrors) -> Keymap {
        var errors = chain.errors
        var bindings = chain.startsFromBuiltIn ? Keymap.standard.bindings : [:]
        for document in chain.documents {
            var origins: [Origin] = []
            apply(document, to: &bindings, origins: &origins, errors: &errors)
            errors += conflicts(in: bindings, origins: origins, document: document)
        }
        if let last = chain.documents.last, errors.isEmpty {
            for context in KeyContext.allCases {
                for action in context.actions where bindings[context]?[action] == nil {
                    errors.append(
                        last.error(
                            at: [context.rawValue],
                            "\(context.rawValue).\(action.rawValue) has no key; bind one, or write \(action.rawValue) = [] in [\(context.rawValue)] to leave it out on purpose"
                        ))
                }
            }
        }
        guard errors.isEmpty else { throw ConfigurationErrors(errors) }
        return Keymap(bindings)
    }

    /// Where one binding of this file was written, to point at it in a conflict.
    private struct Origin {
        let context: KeyContext
        let action: KeyAction
        let key: Key
        let path: [String]
    }

    private func apply(
        _ document: TOMLDocument, to bindings: inout [KeyContext: [KeyAction: [Key]]], origins: inout [Origin],
        errors: inout [ConfigurationError]
    ) {
        let contextNames = KeyContext.allCases.map(\.rawValue).joined(separator: ", ")
        for name in document.root.keys.sorted() where name != "inherits" {
            guard let context = KeyContext(rawValue: name) else {
                errors.append(document.keyError(at: [name], "unknown context [\(name)]; the contexts are \(contextNames)"))
                continue
            }
            guard let table = document.root[name]?.table else {
                errors.append(document.error(at: [name], "\(name) must be a table: [\(name)] followed by action = [\"key\", …] lines"))
                continue
            }
            for actionName in table.keys.sorted() {
                let path = [name, actionName]
                guard let action = KeyAction(rawValue: actionName), context.actions.contains(action) else {
                    errors.append(
                        document.keyError(
                            at: path,
                            "unknown action \"\(actionName)\" in [\(name)]; the actions there are "
                                + context.actions.map(\.rawValue).joined(separator: ", ")))
                    continue
                }
                var names: [(String, [String])] = []
                if let single = table[actionName]?.string {
                    names = [(single, path)]
                } else if let list = table[actionName]?.array {
                    for index in 0..<list.count {
                        let elementPath = path + ["#\(index)"]
                        guard let text = list[index].string else {
                            errors.append(document.error(at: elementPath, "a key must be a quoted name, e.g. \"Enter\" or \"+\""))
                            continue
                        }
                        names.append((text, elementPath))
                    }
                } else {
                    errors.append(document.error(at: path, "\(actionName) must be a list of keys, e.g. \(actionName) = [\"Enter\"]"))
                    continue
                }
                var keys: [Key] = []
                for (text, elementPath) in names {
                    switch KeyName.key(text) {
                    case .failure(let failure):
                        errors.append(document.error(at: elementPath, failure.message))
                    case .success(let key):
                        if case .character(let character) = key, context.typesIntoField(character) {
                            errors.append(document.error(at: elementPath, "\"\(text)\" cannot be bound in [\(name)]: \(context.typingReason)"))
                            continue
                        }
                        guard !keys.contains(key) else { continue }
                        keys.append(key)
                        origins.append(Origin(context: context, action: action, key: key, path: elementPath))
                    }
                }
                bindings[context, default: [:]][action] = keys
            }
        }
    }

    /// Keys bound to two actions that can both apply, reported where this file bound one of them.
    private func conflicts(in bindings: [KeyContext: [KeyAction: [Key]]], origins: [Origin], document: TOMLDocument) -> [ConfigurationError] {
        var errors: [ConfigurationError] = []
        var reported: Set<String> = []
        // Read bottom-up, so a conflict is reported at the binding written second.
        let latestFirst = origins.sorted {
            let (a, b) = (document.position(of: $0.path), document.position(of: $1.path))
            return (a.line, a.column) > (b.line, b.column)
        }
        // A training-only action (`finish`) comes before every screen's keys in training and does nothing
        // at a till, so a store's own use of its key on a screen is no conflict (in [global] it still is).
        for origin in latestFirst {
            var rivals: [String] = []
            var sides = ["\(origin.context.rawValue).\(origin.action.rawValue)"]
            let scopes: [KeyContext] = origin.context == .global ? KeyContext.allCases : [origin.context, .global]
            for scope in scopes {
                for (action, keys) in bindings[scope] ?? [:]
                where keys.contains(origin.key) && !(scope == origin.context && action == origin.action)
                    && !((action.isTrainingOnly && origin.context != .global) || (origin.action.isTrainingOnly && scope != .global))
                {
                    rivals.append("\(action.rawValue) in [\(scope.rawValue)]")
                    sides.append("\(scope.rawValue).\(action.rawValue)")
                }
            }
            guard !rivals.isEmpty else { continue }
            let shown = KeyName.display(origin.key)
            let message =
                "\"\(shown)\" is bound to \(origin.action.rawValue) in [\(origin.context.rawValue)] and to \(rivals.sorted().joined(separator: " and ")); a key does one thing where it applies"
            let pair = sides.sorted().joined(separator: "|") + " " + shown
            guard reported.insert(pair).inserted else { continue }
            errors.append(document.error(at: origin.path, message))
        }
        return errors
    }
}

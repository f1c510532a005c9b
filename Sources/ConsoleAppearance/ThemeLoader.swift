public import AMCashConfiguration
import ConsoleCore
public import ConsoleUI
import TOMLKit

/// Reads a theme file and the files it inherits from: `[palette]` names colours, `[styles]` gives each
/// role `fg`, `bg`, `attrs` and `mono`; a child's fields are written over its parent's. Every mistake
/// is an error with its position: unknown role, unknown setting, bad colour, unknown attribute, a
/// missing parent or an inheritance cycle.
public struct ThemeLoader: InheritingFileLoader {
    public let folders: ConfigurationFolders

    public init(folders: ConfigurationFolders) {
        self.folders = folders
    }

    public static let kind = ConfigurationKind.themes

    public func finish(_ chain: InheritanceChain) throws(ConfigurationErrors) -> Theme {
        var errors = chain.errors
        var styles = chain.startsFromBuiltIn ? Theme.standard.styles : [:]
        var palette: [String: Colour] = [:]
        for document in chain.documents {
            apply(document, styles: &styles, palette: &palette, errors: &errors)
        }
        guard errors.isEmpty else { throw ConfigurationErrors(errors) }
        return Theme(styles: styles)
    }

    private func apply(_ document: TOMLDocument, styles: inout [String: Style], palette: inout [String: Colour], errors: inout [ConfigurationError]) {
        for key in document.root.keys.sorted() where !["inherits", "palette", "styles", "description"].contains(key) {
            errors.append(document.keyError(at: [key], "unknown key \"\(key)\"; a theme has inherits, description, [palette] and [styles]"))
        }
        if let value = document.root["palette"] {
            if let table = value.table {
                for name in table.keys.sorted() {
                    let path = ["palette", name]
                    if Colour(name: name) != nil {
                        errors.append(document.keyError(at: path, "\"\(name)\" is a terminal colour already; give the palette entry another name"))
                    } else if let colour = colour(table[name], path: path, palette: [:], document: document, errors: &errors) {
                        palette[name] = colour
                    }
                }
            } else {
                errors.append(document.error(at: ["palette"], "palette must be a table: [palette] followed by name = \"#rrggbb\" lines"))
            }
        }
        guard let value = document.root["styles"] else { return }
        guard let table = value.table else {
            errors.append(document.error(at: ["styles"], "styles must be a table: [styles] followed by role = { fg = …, bg = … } lines"))
            return
        }
        for role in table.keys.sorted() {
            let path = ["styles", role]
            guard Theme.roleNames.contains(role) else {
                errors.append(
                    document.keyError(at: path, "unknown role \"\(role)\"; the roles are " + Theme.roleNames.sorted().joined(separator: ", ")))
                continue
            }
            guard let settings = table[role]?.table else {
                errors.append(
                    document.error(at: path, "\(role) must be a table, e.g. \(role) = { fg = \"white\", bg = \"blue\", mono = [\"reverse\"] }"))
                continue
            }
            var style = Style()
            for setting in settings.keys.sorted() {
                let settingPath = path + [setting]
                switch setting {
                case "fg": style.foreground = colour(settings[setting], path: settingPath, palette: palette, document: document, errors: &errors)
                case "bg": style.background = colour(settings[setting], path: settingPath, palette: palette, document: document, errors: &errors)
                case "attrs": style.attributes = attributes(settings[setting], path: settingPath, document: document, errors: &errors)
                case "mono": style.mono = attributes(settings[setting], path: settingPath, document: document, errors: &errors)
                default:
                    errors.append(
                        document.keyError(at: settingPath, "unknown setting \"\(setting)\" for \(role); a style has fg, bg, attrs and mono"))
                }
            }
            styles[role] = (styles[role] ?? Style()).overridden(by: style)
        }
    }

    private func colour(
        _ value: (any TOMLValueConvertible)?, path: [String], palette: [String: Colour], document: TOMLDocument,
        errors: inout [ConfigurationError]
    ) -> Colour? {
        if let number = value?.int {
            guard (0...255).contains(number) else {
                errors.append(document.error(at: path, "colour \(number) is out of range: a terminal colour number is 0 to 255"))
                return nil
            }
            return .indexed(number)
        }
        if let text = value?.string {
            if let colour = Colour(name: text) ?? palette[text] { return colour }
            let paletteNames = palette.keys.sorted()
            errors.append(
                document.error(
                    at: path,
                    "\"\(text)\" is not a colour: write a terminal colour (black, red, green, yellow, blue, magenta, cyan, white, bright-red …, default), a number 0 to 255, or #rrggbb"
                        + (paletteNames.isEmpty ? "" : ", or a name from [palette] (\(paletteNames.joined(separator: ", ")))")))
            return nil
        }
        errors.append(document.error(at: path, "a colour must be a quoted name, \"#rrggbb\" or a number 0 to 255"))
        return nil
    }

    private func attributes(
        _ value: (any TOMLValueConvertible)?, path: [String], document: TOMLDocument,
        errors: inout [ConfigurationError]
    ) -> Set<TextAttribute>? {
        guard let list = value?.array else {
            errors.append(document.error(at: path, "attributes must be a list, e.g. [\"bold\", \"underline\"] (or [] for none)"))
            return nil
        }
        var attributes: Set<TextAttribute> = []
        for index in 0..<list.count {
            guard let name = list[index].string, let attribute = TextAttribute(rawValue: name.lowercased()) else {
                errors.append(
                    document.error(
                        at: path + ["#\(index)"],
                        "unknown attribute \(list[index].string.map { "\"\($0)\"" } ?? "value"); the attributes are "
                            + TextAttribute.allCases.map(\.rawValue).joined(separator: ", ")))
                continue
            }
            attributes.insert(attribute)
        }
        return attributes
    }
}

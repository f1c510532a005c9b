public import AMCashConfiguration
public import ConsoleCore
public import ConsoleUI

/// The theme and keymap the console draws and reads keys with, from their names or paths.
public struct Appearance: Sendable {
    public let theme: Theme
    public let keymap: Keymap

    public static func resolve(theme: String?, keymap: String?, environment: [String: String]) throws(ConfigurationErrors) -> Appearance {
        let folders = ConfigurationFolders.standard(environment: environment)
        var errors: [ConfigurationError] = []
        var loadedTheme = Theme.standard
        var loadedKeymap = Keymap.standard
        do { loadedTheme = try ThemeLoader(folders: folders).load(theme ?? "default") } catch { errors += error.errors }
        do { loadedKeymap = try KeymapLoader(folders: folders).load(keymap ?? "default") } catch { errors += error.errors }
        guard errors.isEmpty else { throw ConfigurationErrors(errors) }
        return Appearance(theme: loadedTheme, keymap: loadedKeymap)
    }
}

import AMCashConfiguration
import ConsoleAppearance
import ConsoleCore
import ConsoleTestSupport

/// The keymaps and themes shipped at the top of the repository, loaded as the console loads them.
extension Fixtures {
    /// Only the shipped files: no user folder, no install prefix.
    static let shippedFolders = ConfigurationFolders(directories: [repository])

    /// A shipped keymap, loaded as the console loads it.
    static func keymap(_ name: String) -> Keymap {
        do { return try KeymapLoader(folders: shippedFolders).load(name) } catch { fatalError("keymaps/\(name).toml: \(error)") }
    }
}

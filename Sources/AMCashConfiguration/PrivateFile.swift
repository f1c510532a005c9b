public import Foundation

/// Every file amcash writes or appends to — receipts, logs, exports, keys, the kiosk's lockout — holds
/// something about a collector, a till or a secret, so it is the owner's alone: created 0600, and an
/// existing regular file of a looser mode (made by hand, or by an older amcash) is tightened to 0600
/// when it is opened, as the journal is. A device (a receipt printer) is left as it is.
public enum PrivateFile {
    /// The mode of every file amcash writes.
    public static let mode: mode_t = 0o600

    /// A handle that appends to `path` (created 0600 if absent, tightened to 0600 if a looser regular
    /// file), or nil when it cannot be opened.
    public static func openForAppending(_ path: String) -> FileHandle? {
        let descriptor = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, mode)
        guard descriptor >= 0 else { return nil }
        tighten(descriptor)
        return FileHandle(fileDescriptor: descriptor, closeOnDealloc: true)
    }

    /// Writes `data` to `path` whole (a temporary file in the same folder, 0600 from its creation, then
    /// renamed over it).
    public static func write(_ data: Data, to path: String) throws {
        let folder = (path as NSString).deletingLastPathComponent
        let temporary = (folder.isEmpty ? "." : folder) + "/.\((path as NSString).lastPathComponent).\(UUID().uuidString.prefix(8)).tmp"
        let descriptor = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode)
        guard descriptor >= 0 else { throw CocoaError(.fileWriteNoPermission, userInfo: [NSFilePathErrorKey: path]) }
        let handle = FileHandle(fileDescriptor: descriptor, closeOnDealloc: true)
        do {
            tighten(descriptor)  // whatever the umask did
            try handle.write(contentsOf: data)
            try handle.close()
            guard rename(temporary, path) == 0 else { throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: path]) }
        } catch {
            unlink(temporary)
            throw error
        }
    }

    /// Makes `path` exist as a 0600 file (an existing looser one tightened), for a database about to be
    /// opened there (SQLite gives its -wal and -shm files the database's mode).
    public static func prepare(_ path: String) {
        let descriptor = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, mode)
        guard descriptor >= 0 else { return }
        tighten(descriptor)
        close(descriptor)
    }

    /// Tightens an existing regular file at `path` to 0600 (a key or a log made before this rule).
    @discardableResult
    public static func tighten(path: String) -> Bool {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)
        guard descriptor >= 0 else { return false }
        defer { close(descriptor) }
        return tighten(descriptor)
    }

    @discardableResult
    private static func tighten(_ descriptor: Int32) -> Bool {
        var status = stat()
        guard fstat(descriptor, &status) == 0 else { return false }
        guard (status.st_mode & S_IFMT) == S_IFREG else { return true }  // a printer device keeps its mode
        guard status.st_mode & 0o777 != mode else { return true }
        return fchmod(descriptor, mode) == 0
    }
}

import CNcursesW
import Foundation

/// What amcash does to itself before anything else: files it creates are its user's alone (the
/// journal holds card numbers until they are purged, the logs hold traces), and no core dump can
/// carry the client secret, a bearer token or a card number out of the process.
enum ProcessHardening {
    static func apply() {
        umask(0o077)
        var none = rlimit(rlim_cur: 0, rlim_max: 0)
        _ = setrlimit(Int32(RLIMIT_CORE.rawValue), &none)
        // Not dumpable: no core file, and other processes of the same user cannot ptrace or read /proc/PID/mem.
        _ = amcash_make_not_dumpable()
    }
}

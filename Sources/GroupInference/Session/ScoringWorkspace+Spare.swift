#if canImport(Glibc)
import Glibc
#endif

extension ScoringWorkspace {
    /// The workspace of the last session destroyed, kept for the next
    /// session's first scoring: a host that runs one session after another
    /// (one per prompt) then pays for the pages once. Faulting in fresh
    /// pages costs about 0.5 ms per MiB here — as much as the Gram matrix
    /// itself at M = 1024. One spare at most, as large as the largest
    /// scoring it served (about 8 n² bytes plus 4 n·D).
    private static let spare = SpareSlot()

    /// The spare workspace, or a new one.
    static func take() -> ScoringWorkspace {
        spare.exchange(nil) ?? ScoringWorkspace()
    }

    /// Keeps `workspace` as the spare; the one it replaces is freed outside
    /// the lock.
    static func park(_ workspace: ScoringWorkspace) {
        _ = spare.exchange(workspace)
    }
}

/// One workspace handed between sessions, possibly on different threads.
/// Guarded by a pthread mutex rather than `Synchronization.Mutex` (a bare
/// futex): thread sanitizers intercept pthread_mutex_lock even in this
/// uninstrumented library, so a host's race detector sees the handover as
/// ordered and does not report the reused buffers as a race.
private final class SpareSlot: @unchecked Sendable {
    private let mutex: UnsafeMutablePointer<pthread_mutex_t>
    private var value: ScoringWorkspace?

    init() {
        mutex = .allocate(capacity: 1)
        pthread_mutex_init(mutex, nil)
    }

    /// Stores `new` and returns what was there.
    func exchange(_ new: ScoringWorkspace?) -> ScoringWorkspace? {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        let old = value
        value = new
        return old
    }
}

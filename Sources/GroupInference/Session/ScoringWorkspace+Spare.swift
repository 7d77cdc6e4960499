import Synchronization

extension ScoringWorkspace {
    /// The workspace of the last session destroyed, kept for the next
    /// session's first scoring: a host that runs one session after another
    /// (one per prompt) then pays for the pages once. Faulting in fresh
    /// pages costs about 0.5 ms per MiB here — as much as the Gram matrix
    /// itself at M = 1024. One spare at most, as large as the largest
    /// scoring it served (about 8 n² bytes plus 4 n·D).
    private static let spare = Mutex<ScoringWorkspace?>(nil)

    /// The spare workspace, or a new one.
    static func take() -> ScoringWorkspace {
        spare.withLock { $0.take() } ?? ScoringWorkspace()
    }

    /// Keeps `workspace` as the spare; the one it replaces is freed outside
    /// the lock.
    static func park(_ workspace: ScoringWorkspace) {
        let replaced = spare.withLock { spare in
            let old = spare.take()
            spare = workspace
            return old
        }
        _ = replaced
    }
}

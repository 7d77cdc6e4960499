/// Candidates lost without scoring, e.g. because the worker holding them died.
extension GroupSession {
    /// Removes alive candidates from the survivors without scoring them.
    ///
    /// Allowed before the first step, between steps and while a retry is
    /// pending (the retry then scores the others); the evaluations already
    /// spent on them stay counted, the trace gets a discard record, and the
    /// schedule continues from the smaller set. An empty `ids` does nothing.
    ///
    /// - Throws: `.invalidState` once done; `.invalidArgument` for an id out
    ///   of range, already pruned or repeated, or when fewer than K
    ///   candidates would remain. Nothing changes when it throws.
    public func discard(_ ids: [Int32]) throws(GroupInferenceError) {
        guard !isDone else {
            throw .state("the session is done: the final group is chosen, nothing can be discarded")
        }
        guard !ids.isEmpty else { return }
        try checkAliveAndDistinct(ids, ifPruned: "was already pruned or discarded")
        let k = configuration.groupSize, left = alive.count - ids.count
        guard left >= k else {
            throw .argument("discarding \(ids.count) of \(alive.count) alive candidates would leave \(left), fewer than K = \(k)")
        }
        for c in ids { isAlive[Int(c)] = false }
        alive.removeAll { !isAlive[Int($0)] }
        discardedCount += ids.count
        records.append(.discard(step: stepsDone - 1, removed: ids.sorted(), survivors: alive,
                                evaluations: evaluations))
    }
}

/// Values the host computes itself (e.g. batched on a GPU) and hands over for
/// the current previews; see `gi_push_*` in the C header.
///
/// A push is for a scorer registered without a callback, and for the
/// previews as they are now: the values count for the next scoring, until
/// the previews change (the denoiser ran, or in a host-driven loop `step()`
/// returned). Pushing again for the same ids replaces their values. The
/// values are copied; every check runs before anything is stored, so a
/// refused push changes nothing.
///
/// Each throws `.invalidState` once done; `.invalidArgument` for a scorer id
/// that does not exist, is of another kind or has a callback, no ids, an id
/// out of range, pruned or repeated, or (embeddings) another dimension;
/// `.badScores` for a value that is not finite, an embedding of norm zero,
/// or (pairwise) a matrix neither symmetric nor strictly triangular
/// (`PairwiseMatrix`).
extension GroupSession {
    /// One unary score per id (higher is better).
    public func pushUnary(scorer id: Int, ids: UnsafeBufferPointer<Int32>,
                          scores: UnsafeBufferPointer<Double>) throws(GroupInferenceError) {
        let slot = try pushTarget(id, expecting: "unary", ids: ids)
        for (a, v) in scores.prefix(ids.count).enumerated() where !v.isFinite {
            throw .scores("pushed score \(v) for candidate \(ids[a]) of scorer '\(slot.scorer.name)' is not finite")
        }
        slot.storeUnary(ids, scores, epoch: epoch)
    }

    /// One embedding per id, `dimension` floats each, row-major; the
    /// library turns them into cosine distances.
    public func pushEmbeddings(scorer id: Int, ids: UnsafeBufferPointer<Int32>, dimension: Int,
                               embeddings: UnsafeBufferPointer<Float>) throws(GroupInferenceError) {
        let slot = try pushTarget(id, expecting: "embedding", ids: ids)
        guard dimension == slot.dimension else {
            throw .argument("scorer '\(slot.scorer.name)' has dim \(slot.dimension), not \(dimension)")
        }
        let name = slot.scorer.name, n = ids.count
        // Every row checked before any is stored: a failed push changes nothing.
        try withUnsafeTemporaryAllocation(of: Double.self, capacity: n) { norms throws(GroupInferenceError) in
            let check = ScorerSlot.check(rows: embeddings.baseAddress!, count: n, dimension: dimension,
                                         inverseNorms: norms.baseAddress!)
            if let (a, v) = check.nonFinite, a <= check.zeroNorm ?? a {
                throw .scores("pushed embedding of candidate \(ids[a]) for scorer '\(name)' has a non-finite value \(v)")
            }
            if let a = check.zeroNorm {
                throw .scores("pushed embedding of candidate \(ids[a]) for scorer '\(name)' has zero norm; cosine distance needs a non-zero vector")
            }
            slot.storeEmbeddings(ids, rows: embeddings.baseAddress!, inverseNorms: norms.baseAddress!, epoch: epoch)
        }
    }

    /// An ids.count × ids.count matrix of differences over `ids` (higher is
    /// more different), symmetric or strictly triangular; the diagonal is
    /// ignored.
    public func pushPairwise(scorer id: Int, ids: UnsafeBufferPointer<Int32>,
                             matrix: UnsafeBufferPointer<Double>) throws(GroupInferenceError) {
        let slot = try pushTarget(id, expecting: "pairwise", ids: ids)
        let survey = PairwiseMatrix.survey(matrix, count: ids.count)
        if !survey.isFinite, let (a, b) = PairwiseMatrix.firstNonFinite(matrix, count: ids.count) {
            throw .scores("pushed pairwise value \(matrix[a * ids.count + b]) for (\(ids[a]), \(ids[b])) of scorer '\(slot.scorer.name)' is not finite")
        }
        let form = try pairwiseForm(matrix, ids: ids, survey: survey, "pushed matrix of scorer '\(slot.scorer.name)'")
        slot.storePairwise(ids, matrix, form: form, epoch: epoch)
    }

    /// The form of a host's pairwise matrix over `ids` (`PairwiseMatrix`);
    /// the error names the first asymmetric pair by id.
    /// `what` is only built for the message.
    func pairwiseForm(_ m: UnsafeBufferPointer<Double>, ids: UnsafeBufferPointer<Int32>, survey: PairwiseMatrix.Survey,
                      _ what: @autoclosure () -> String) throws(GroupInferenceError) -> PairwiseMatrix.Form {
        switch PairwiseMatrix.form(m, count: ids.count, survey: survey) {
        case let .success(form): return form
        case let .failure(error): throw .scores("\(what()): " + error.message { "id \(ids[$0])" })
        }
    }

    /// The pushed scorer `id`, after checking the ids: in range, alive, distinct.
    private func pushTarget(_ id: Int, expecting kind: String,
                            ids: UnsafeBufferPointer<Int32>) throws(GroupInferenceError) -> ScorerSlot {
        guard !isDone else { throw .state("the session is done: pushed scores would never be used") }
        guard id >= 0, id < slots.count else {
            throw .argument("scorer id \(id) does not exist (this session has \(slots.count) scorers)")
        }
        let slot = slots[id]
        guard slot.scorer.kind.name == kind else {
            throw .argument("scorer '\(slot.scorer.name)' is a \(slot.scorer.kind.name) scorer, not \(kind)")
        }
        guard slot.scorer.isPushed else {
            throw .argument("scorer '\(slot.scorer.name)' has a callback; only scorers registered without one take pushed values")
        }
        guard !ids.isEmpty else { throw .argument("no ids given (n = 0)") }
        try checkAliveAndDistinct(ids, ifPruned: "was pruned; push values only for alive candidates")
        return slot
    }

    /// Ids a host names must be in range, alive and distinct; `ifPruned`
    /// ends the message for an id that is no longer alive.
    func checkAliveAndDistinct<C: Collection<Int32>>(_ ids: C, ifPruned: String) throws(GroupInferenceError) {
        var seen = Set<Int32>()
        for c in ids {
            guard c >= 0, Int(c) < configuration.candidates else {
                throw .argument("candidate id \(c) is out of range 0..\(configuration.candidates - 1)")
            }
            guard isAlive[Int(c)] else { throw .argument("candidate \(c) \(ifPruned)") }
            guard seen.insert(c).inserted else { throw .argument("candidate \(c) appears twice in ids") }
        }
    }
}

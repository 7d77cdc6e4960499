/// Values the host computes itself (e.g. batched on a GPU) and hands over for
/// the current previews; see `gi_push_*` in the C header.
extension GroupSession {
    public func pushUnary(scorer id: Int, ids: UnsafeBufferPointer<Int32>,
                          scores: UnsafeBufferPointer<Double>) throws(GroupInferenceError) {
        let slot = try pushTarget(id, expecting: "unary", ids: ids)
        for (a, v) in scores.prefix(ids.count).enumerated() where !v.isFinite {
            throw .scores("pushed score \(v) for candidate \(ids[a]) of scorer '\(slot.scorer.name)' is not finite")
        }
        slot.storeUnary(ids, scores, epoch: epoch)
    }

    public func pushEmbeddings(scorer id: Int, ids: UnsafeBufferPointer<Int32>, dimension: Int,
                               embeddings: UnsafeBufferPointer<Float>) throws(GroupInferenceError) {
        let slot = try pushTarget(id, expecting: "embedding", ids: ids)
        guard dimension == slot.dimension else {
            throw .argument("scorer '\(slot.scorer.name)' has dim \(slot.dimension), not \(dimension)")
        }
        for a in 0..<ids.count {
            var sq = 0.0
            for t in 0..<dimension {
                let x = Double(embeddings[a * dimension + t])
                guard x.isFinite else {
                    throw .scores("pushed embedding of candidate \(ids[a]) for scorer '\(slot.scorer.name)' has a non-finite value \(x)")
                }
                sq += x * x
            }
            guard sq > 0, sq.isFinite else {
                throw .scores("pushed embedding of candidate \(ids[a]) for scorer '\(slot.scorer.name)' has zero norm; cosine distance needs a non-zero vector")
            }
        }
        slot.storeEmbeddings(ids, embeddings, epoch: epoch)
    }

    public func pushPairwise(scorer id: Int, ids: UnsafeBufferPointer<Int32>,
                             matrix: UnsafeBufferPointer<Double>) throws(GroupInferenceError) {
        let slot = try pushTarget(id, expecting: "pairwise", ids: ids)
        if let (a, b) = firstNonFiniteOffDiagonal(matrix, count: ids.count) {
            throw .scores("pushed pairwise value \(matrix[a * ids.count + b]) for (\(ids[a]), \(ids[b])) of scorer '\(slot.scorer.name)' is not finite")
        }
        let symmetric = try symmetricPairwise(matrix, ids: ids, "pushed matrix of scorer '\(slot.scorer.name)'")
        slot.storePairwise(ids, symmetric: symmetric, epoch: epoch)
    }

    /// A host's pairwise matrix over `ids`, checked and made symmetric
    /// (`PairwiseMatrix`); the error names the first asymmetric pair by id.
    func symmetricPairwise(_ m: UnsafeBufferPointer<Double>, ids: UnsafeBufferPointer<Int32>,
                           _ what: String) throws(GroupInferenceError) -> [Double] {
        do {
            return try PairwiseMatrix.symmetric(m, count: ids.count)
        } catch {
            throw .scores("\(what): " + error.message { "id \(ids[$0])" })
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
        var seen = Set<Int32>()
        for c in ids {
            guard c >= 0, Int(c) < configuration.candidates else {
                throw .argument("candidate id \(c) is out of range 0..\(configuration.candidates - 1)")
            }
            guard isAlive[Int(c)] else { throw .argument("candidate \(c) was pruned; push values only for alive candidates") }
            guard seen.insert(c).inserted else { throw .argument("candidate \(c) appears twice in ids") }
        }
        return slot
    }
}

/// Scores of the candidates scored at one step, combined over scorers.
struct AssembledScores {
    var unary: [Double]
    /// n × n, symmetric, zero diagonal.
    var pairwise: [Double]
    /// Per scorer: raw unary score or raw mean difference, for the trace.
    var perScorer: [[Double]]
}

extension GroupSession {
    /// Gathers every scorer's values for `ids` (calling callbacks for what is
    /// missing), checks them, normalises and weights them.
    func assembleScores(_ ids: [Int32], step: Int) throws(GroupInferenceError) -> AssembledScores {
        let n = ids.count
        var combined = AssembledScores(unary: [Double](repeating: 0, count: n),
                                       pairwise: [Double](repeating: 0, count: n * n), perScorer: [])
        for slot in slots {
            let scorer = slot.scorer
            switch scorer.kind {
            case .unary:
                try fillUnary(slot, ids, step: step)
                let raw = slot.unary(for: ids)
                combined.perScorer.append(raw)
                let values = configuration.normalization == .zscore ? zscored(raw) : raw
                for i in 0..<n { combined.unary[i] += scorer.weight * values[i] }
            case .embedding, .pairwise:
                let raw = try differences(slot, ids, step: step)
                combined.perScorer.append(rowMeans(raw, count: n))
                let values = configuration.normalization == .zscore ? zscoredOffDiagonal(raw, count: n) : raw
                for i in 0..<(n * n) { combined.pairwise[i] += scorer.weight * values[i] }
            }
        }
        return combined
    }

    private func fillUnary(_ slot: ScorerSlot, _ ids: [Int32], step: Int) throws(GroupInferenceError) {
        let missing = slot.missing(ids, epoch: epoch)
        guard !missing.isEmpty else { return }
        guard case let .unary(compute)? = slot.scorer.callback else { throw notPushed(slot, missing, step: step) }
        // Pre-filled with NaN, so a value the callback did not write is caught as non-finite.
        var out = [Double](repeating: .nan, count: missing.count)
        do {
            try missing.withUnsafeBufferPointer { i in try out.withUnsafeMutableBufferPointer { try compute(step, i, $0) } }
        } catch {
            throw callbackError(error, "scorer '\(slot.scorer.name)'", step: step)
        }
        for (a, v) in out.enumerated() where !v.isFinite {
            throw .scores("scorer '\(slot.scorer.name)' gave \(v) for candidate \(missing[a]) at step \(step) (every score must be finite and written)")
        }
        missing.withUnsafeBufferPointer { i in out.withUnsafeBufferPointer { slot.storeUnary(i, $0, epoch: epoch) } }
    }

    /// The scorer's n × n difference matrix for `ids`: cosine distances of
    /// embeddings, or the pairwise scorer's matrix.
    private func differences(_ slot: ScorerSlot, _ ids: [Int32], step: Int) throws(GroupInferenceError) -> [Double] {
        let name = slot.scorer.name
        if case .embedding = slot.scorer.kind {
            try fillEmbeddings(slot, ids, step: step)
            let block = slot.embeddings(for: ids)
            do {
                return try block.withUnsafeBufferPointer { b throws(CosineDistance.DegenerateRow) in
                    try CosineDistance.matrix(b, count: ids.count, dimension: slot.dimension)
                }
            } catch {
                throw .scores("scorer '\(name)': the embedding of candidate \(ids[error.row]) at step \(step) has norm \(error.norm); cosine distance needs a non-zero finite vector")
            }
        }
        if !slot.pairwiseCovers(ids, epoch: epoch) {
            guard case let .pairwise(compute)? = slot.scorer.callback else {
                throw .scores("scorer '\(name)' has no pushed pairwise matrix covering the \(ids.count) alive candidates at step \(step); push one with gi_push_pairwise before scoring")
            }
            let n = ids.count
            var out = [Double](repeating: .nan, count: n * n)
            do {
                try ids.withUnsafeBufferPointer { i in try out.withUnsafeMutableBufferPointer { try compute(step, i, $0) } }
            } catch {
                throw callbackError(error, "scorer '\(name)'", step: step)
            }
            if let (a, b) = firstNonFiniteOffDiagonal(out, count: n) {
                throw .scores("scorer '\(name)' gave \(out[a * n + b]) for the pair (\(ids[a]), \(ids[b])) at step \(step) (every entry off the diagonal must be finite and written)")
            }
            try ids.withUnsafeBufferPointer { i throws(GroupInferenceError) in
                let symmetric = try out.withUnsafeBufferPointer { m throws(GroupInferenceError) in
                    try symmetricPairwise(m, ids: i, "scorer '\(name)' at step \(step)")
                }
                slot.storePairwise(i, symmetric: symmetric, epoch: epoch)
            }
        }
        return slot.pairwise(for: ids)
    }

    private func fillEmbeddings(_ slot: ScorerSlot, _ ids: [Int32], step: Int) throws(GroupInferenceError) {
        let missing = slot.missing(ids, epoch: epoch)
        guard !missing.isEmpty else { return }
        guard case let .embedding(compute)? = slot.scorer.callback else { throw notPushed(slot, missing, step: step) }
        let d = slot.dimension
        var out = [Float](repeating: .nan, count: missing.count * d)
        do {
            try missing.withUnsafeBufferPointer { i in try out.withUnsafeMutableBufferPointer { try compute(step, i, $0) } }
        } catch {
            throw callbackError(error, "scorer '\(slot.scorer.name)'", step: step)
        }
        if let bad = out.firstIndex(where: { !$0.isFinite }) {
            throw .scores("scorer '\(slot.scorer.name)' gave \(out[bad]) in the embedding of candidate \(missing[bad / d]) at step \(step) (every value must be finite and written)")
        }
        // Checked before storing: a stored degenerate row would fail every retry.
        for (a, id) in missing.enumerated() {
            var sq = 0.0
            for t in 0..<d { let x = Double(out[a * d + t]); sq += x * x }
            guard sq > 0, sq.isFinite else {
                throw .scores("scorer '\(slot.scorer.name)': the embedding of candidate \(id) at step \(step) has norm \(sq.squareRoot()); cosine distance needs a non-zero finite vector")
            }
        }
        missing.withUnsafeBufferPointer { i in out.withUnsafeBufferPointer { slot.storeEmbeddings(i, $0, epoch: epoch) } }
    }

    private func notPushed(_ slot: ScorerSlot, _ missing: [Int32], step: Int) -> GroupInferenceError {
        let shown = missing.prefix(8).map(String.init).joined(separator: ", ")
        let more = missing.count > 8 ? " and \(missing.count - 8) more" : ""
        let how = slot.scorer.kind == .unary ? "gi_push_unary" : "gi_push_embeddings"
        return .scores("scorer '\(slot.scorer.name)' has no pushed value for candidates \(shown)\(more) at step \(step); push them with \(how) before scoring")
    }
}

func firstNonFiniteOffDiagonal(_ m: UnsafeBufferPointer<Double>, count n: Int) -> (Int, Int)? {
    for a in 0..<n {
        for b in 0..<n where a != b && !m[a * n + b].isFinite { return (a, b) }
    }
    return nil
}

func firstNonFiniteOffDiagonal(_ m: [Double], count n: Int) -> (Int, Int)? {
    m.withUnsafeBufferPointer { firstNonFiniteOffDiagonal($0, count: n) }
}

/// (x − mean) / std; all zeros when the values do not vary.
func zscored(_ x: [Double]) -> [Double] {
    let n = Double(x.count)
    let mean = x.reduce(0, +) / n
    let variance = x.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / n
    let sd = variance.squareRoot()
    guard sd > 0, sd.isFinite else { return [Double](repeating: 0, count: x.count) }
    return x.map { ($0 - mean) / sd }
}

/// z-scores the entries above the diagonal of a symmetric matrix, mirrored;
/// the diagonal stays zero.
func zscoredOffDiagonal(_ m: [Double], count n: Int) -> [Double] {
    guard n > 1 else { return m }
    var upper: [Double] = []
    upper.reserveCapacity(n * (n - 1) / 2)
    for i in 0..<n { for j in (i + 1)..<n { upper.append(m[i * n + j]) } }
    let z = zscored(upper)
    var out = [Double](repeating: 0, count: n * n)
    var t = 0
    for i in 0..<n {
        for j in (i + 1)..<n { out[i * n + j] = z[t]; out[j * n + i] = z[t]; t += 1 }
    }
    return out
}

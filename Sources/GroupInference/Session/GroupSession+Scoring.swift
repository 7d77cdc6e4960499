extension GroupSession {
    /// Gathers every scorer's values for `ids` (calling callbacks for what is
    /// missing), checks them, and combines them into `workspace`: unary
    /// scores and the complete pairwise matrix, weighted and normalised.
    func assembleScores(_ ids: [Int32], step: Int) throws(GroupInferenceError) {
        let ws = workspace, zscore = configuration.normalization == .zscore
        let differenceScorers = slots.filter { $0.scorer.kind != .unary }.count
        ws.begin(ids: ids, scorers: slots.count, largestDimension: slots.map(\.dimension).max() ?? 0,
                 secondZscored: zscore && differenceScorers > 1)
        try ws.ids.withUnsafeBufferPointer { ids throws(GroupInferenceError) in
            for (s, slot) in slots.enumerated() {
                switch slot.scorer.kind {
                case .unary: try addUnary(slot, s, ids, step: step)
                case .embedding: try addEmbeddings(slot, s, ids, step: step)
                case .pairwise: try addPairwise(slot, s, ids, step: step)
                }
            }
        }
        ws.finishPairwise()
    }

    // MARK: - Unary scorers

    private func addUnary(_ slot: ScorerSlot, _ s: Int, _ ids: UnsafeBufferPointer<Int32>,
                          step: Int) throws(GroupInferenceError) {
        try fillUnary(slot, ids, step: step)
        let ws = workspace, n = ids.count, weight = slot.scorer.weight
        ws.scorerValues[s].withUnsafeMutableBufferPointer { slot.unary(ids, into: $0) }
        let raw = ws.scorerValues[s]
        // (x − mean) / sd when z-scoring; all zeros when the values do not vary.
        var mean = 0.0, sd = 1.0
        if configuration.normalization == .zscore {
            mean = raw.reduce(0, +) / Double(n)
            sd = (raw.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(n)).squareRoot()
            if !(sd > 0 && sd.isFinite) { return }
        }
        let zscore = configuration.normalization == .zscore
        ws.unary.withUnsafeMutableBufferPointer { u in
            for i in 0..<n { u[i] += weight * (zscore ? (raw[i] - mean) / sd : raw[i]) }
        }
    }

    private func fillUnary(_ slot: ScorerSlot, _ ids: UnsafeBufferPointer<Int32>, step: Int) throws(GroupInferenceError) {
        let ws = workspace
        try ws.missing.withUnsafeMutableBufferPointer { buffer throws(GroupInferenceError) in
            let m = slot.missing(ids, epoch: epoch, into: buffer)
            guard m > 0 else { return }
            let missing = UnsafeBufferPointer(rebasing: buffer[0..<m])
            guard slot.unaryCallback != nil else { throw notPushed(slot, missing, step: step) }
            try ws.values.withUnsafeMutableBufferPointer { values throws(GroupInferenceError) in
                let out = UnsafeMutableBufferPointer(rebasing: values[0..<m])
                // Pre-filled with NaN, so a value the callback did not write is caught as non-finite.
                out.fillWithNaN()
                do {
                    try slot.unaryCallback?(step, missing, out)
                } catch {
                    throw callbackError(error, "scorer '\(slot.scorer.name)'", step: step)
                }
                for (a, v) in out.enumerated() where !v.isFinite {
                    throw .scores("scorer '\(slot.scorer.name)' gave \(v) for candidate \(missing[a]) at step \(step) (every score must be finite and written)")
                }
                slot.storeUnary(missing, UnsafeBufferPointer(out), epoch: epoch)
            }
        }
    }

    // MARK: - Embedding scorers

    /// Cosine distances from BLAS, streamed row by row into the workspace.
    private func addEmbeddings(_ slot: ScorerSlot, _ s: Int, _ ids: UnsafeBufferPointer<Int32>,
                               step: Int) throws(GroupInferenceError) {
        try fillEmbeddings(slot, ids, step: step)
        let ws = workspace, n = ids.count, d = slot.dimension
        ws.addDifferences(scorer: s, weight: slot.scorer.weight, zscored: configuration.normalization == .zscore) { sink in
            slot.withEmbeddings { stored, storedNorms in
                ws.rows.withUnsafeMutableBufferPointer { gathered in
                    ws.scale.withUnsafeMutableBufferPointer { scale in
                        // The rows BLAS reads: the stored ones when the ids are one run
                        // (the first prune's), else a gathered copy; scaled to unit
                        // length when a norm would overflow the float32 Gram matrix.
                        var safe = true
                        for (a, id) in ids.enumerated() {
                            scale[a] = storedNorms[Int(id)]
                            if !CosineDistance.safeInverseNorms.contains(scale[a]) { safe = false }
                        }
                        var rows = stored + Int(ids[0]) * d
                        if !safe || Int(ids[n - 1] - ids[0]) != n - 1 {
                            rows = UnsafePointer(gathered.baseAddress!)
                            for (a, id) in ids.enumerated() {
                                let from = stored + Int(id) * d, to = gathered.baseAddress! + a * d
                                if safe {
                                    to.update(from: from, count: d)
                                } else {
                                    for t in 0..<d { to[t] = Float(Double(from[t]) * scale[a]) }
                                }
                            }
                            if !safe { scale.update(repeating: 1) }
                        }
                        ws.gram.withUnsafeMutableBufferPointer { gram in
                            ws.row.withUnsafeMutableBufferPointer { row in
                                CosineDistance.streamRows(rows, count: n, dimension: d, stride: d,
                                                          inverseNorms: UnsafePointer(scale.baseAddress!),
                                                          gram: gram.baseAddress!, row: row.baseAddress!) { i, v in
                                    sink.absorb(row: i, v)
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    /// Calls the callback for the embeddings missing: into the scorer's own
    /// storage when the ids are one run (no copy), else into the workspace.
    private func fillEmbeddings(_ slot: ScorerSlot, _ ids: UnsafeBufferPointer<Int32>, step: Int) throws(GroupInferenceError) {
        let ws = workspace, d = slot.dimension
        try ws.missing.withUnsafeMutableBufferPointer { buffer throws(GroupInferenceError) in
            let m = slot.missing(ids, epoch: epoch, into: buffer)
            guard m > 0 else { return }
            let missing = UnsafeBufferPointer(rebasing: buffer[0..<m])
            guard slot.embeddingCallback != nil else { throw notPushed(slot, missing, step: step) }
            // Pre-filled with NaN, so a value the callback did not write is caught as non-finite.
            func call(_ out: UnsafeMutableBufferPointer<Float>, _ norms: UnsafeMutablePointer<Double>) throws(GroupInferenceError) {
                out.fillWithNaN()
                do {
                    try slot.embeddingCallback?(step, missing, out)
                } catch {
                    throw callbackError(error, "scorer '\(slot.scorer.name)'", step: step)
                }
                // Checked before storing: a stored degenerate row would fail every retry.
                let check = ScorerSlot.check(rows: out.baseAddress!, count: m, dimension: d, inverseNorms: norms)
                if let (a, v) = check.nonFinite {
                    throw .scores("scorer '\(slot.scorer.name)' gave \(v) in the embedding of candidate \(missing[a]) at step \(step) (every value must be finite and written)")
                }
                if let a = check.zeroNorm {
                    throw .scores("scorer '\(slot.scorer.name)': the embedding of candidate \(missing[a]) at step \(step) has norm 0.0; cosine distance needs a non-zero finite vector")
                }
            }
            try ws.scale.withUnsafeMutableBufferPointer { norms throws(GroupInferenceError) in
                let inverse = norms.baseAddress!
                if let offset = slot.run(of: missing) {
                    try slot.withEmbeddingStorage { storage throws(GroupInferenceError) in
                        try call(UnsafeMutableBufferPointer(rebasing: storage[offset..<(offset + m * d)]), inverse)
                    }
                    slot.markEmbeddings(missing, inverseNorms: inverse, epoch: epoch)
                } else {
                    try ws.rows.withUnsafeMutableBufferPointer { rows throws(GroupInferenceError) in
                        try call(UnsafeMutableBufferPointer(rebasing: rows[0..<(m * d)]), inverse)
                        slot.storeEmbeddings(missing, rows: rows.baseAddress!, inverseNorms: inverse, epoch: epoch)
                    }
                }
            }
        }
    }

    // MARK: - Pairwise scorers

    private func addPairwise(_ slot: ScorerSlot, _ s: Int, _ ids: UnsafeBufferPointer<Int32>,
                             step: Int) throws(GroupInferenceError) {
        try fillPairwise(slot, ids, step: step)
        let ws = workspace
        ws.addDifferences(scorer: s, weight: slot.scorer.weight, zscored: configuration.normalization == .zscore) { sink in
            ws.row.withUnsafeMutableBufferPointer { row in
                slot.streamPairwiseRows(ids, row: row.baseAddress!) { i, v in sink.absorb(row: i, v) }
            }
        }
    }

    /// Calls the callback when no matrix of this epoch covers `ids`; it
    /// writes into the scorer's own matrix, checked and made symmetric there.
    private func fillPairwise(_ slot: ScorerSlot, _ ids: UnsafeBufferPointer<Int32>, step: Int) throws(GroupInferenceError) {
        guard !slot.pairwiseCovers(ids, epoch: epoch) else { return }
        let n = ids.count
        guard slot.pairwiseCallback != nil else {
            throw .scores("scorer '\(slot.scorer.name)' has no pushed pairwise matrix covering the \(n) alive candidates at step \(step); push one with gi_push_pairwise before scoring")
        }
        try slot.fillPairwise(ids, epoch: epoch) { out throws(GroupInferenceError) in
            out.fillWithNaN()
            do {
                try slot.pairwiseCallback?(step, ids, out)
            } catch {
                throw callbackError(error, "scorer '\(slot.scorer.name)'", step: step)
            }
            // One pass over the pairs checks them; only a refusal looks further, to name the entry.
            let matrix = UnsafeBufferPointer(out), survey = PairwiseMatrix.survey(matrix, count: n)
            if !survey.isFinite, let (a, b) = PairwiseMatrix.firstNonFinite(matrix, count: n) {
                throw .scores("scorer '\(slot.scorer.name)' gave \(out[a * n + b]) for the pair (\(ids[a]), \(ids[b])) at step \(step) (every entry off the diagonal must be finite and written)")
            }
            let form = try pairwiseForm(matrix, ids: ids, survey: survey, "scorer '\(slot.scorer.name)' at step \(step)")
            PairwiseMatrix.symmetrizeInPlace(out, count: n, survey: survey, form: form)
        }
    }

    private func notPushed(_ slot: ScorerSlot, _ missing: UnsafeBufferPointer<Int32>, step: Int) -> GroupInferenceError {
        let shown = missing.prefix(8).map(String.init).joined(separator: ", ")
        let more = missing.count > 8 ? " and \(missing.count - 8) more" : ""
        let how = slot.scorer.kind == .unary ? "gi_push_unary" : "gi_push_embeddings"
        return .scores("scorer '\(slot.scorer.name)' has no pushed value for candidates \(shown)\(more) at step \(step); push them with \(how) before scoring")
    }
}

extension GroupSession {
    /// How many candidates a scoring keeps: a fixed count, or a count the
    /// adaptive rule derives from the scores.
    enum Keep {
        case count(Int)
        case adaptive
    }

    /// Scores the alive candidates, keeps the best of them (as many as `keep`
    /// says), and records what happened.
    func select(keep rule: Keep, step: Int, onDemand: Bool, isFinal: Bool) throws(GroupInferenceError) -> Completion {
        let ids = alive
        let scoringClock = Stopwatch()
        try assembleScores(ids, step: step)
        let secondsScoring = scoringClock.elapsed

        let ws = workspace, n = ids.count, k = configuration.groupSize, lambda = configuration.lambda
        // The problems share the workspace's arrays (no copy) while they live.
        let (floor, withinLimit) = ws.weightedRanges(lambda: lambda, limit: Limits.maxMagnitude)
        func problem(keeping count: Int) -> SelectionProblem {
            SelectionProblem(trusted: ws.unary, pairwise: ws.pairwise, lambda: lambda, groupSize: count,
                             minWeightedPair: floor)
        }
        // The ranges the scoring tracked settle the magnitude check without a
        // pass over the matrix; only a failing range is checked entry by
        // entry. Before any solver sees the scores: they rely on it.
        if !withinLimit {
            do {
                try problem(keeping: k).checkMagnitude()
            } catch {
                throw GroupInferenceError(error.kind, "step \(step): the combined (weighted) scores: \(error.message)")
            }
        }
        // The best K-group under these scores, for the record (detail mode)
        // and the adaptive rule: computed once, when either needs it.
        var bestGroup: [Int]?
        if k < n, recordsDetail {
            let p = problem(keeping: k)
            bestGroup = SwapSearch.improve(p, from: GreedySelection.select(p))
        }
        let keep: Int
        switch rule {
        case let .count(c): keep = c
        case .adaptive: keep = adaptiveKeep(ids: ids, group: bestGroup ?? [], step: step)
        }
        let problem = problem(keeping: keep)
        var keptIndices = Array(0..<n)
        var solution: Solution?
        if keep < n {
            do {
                // The heuristic's cheap bound only for a selection of K: for the
                // prunes before it, it would cost as much as the solve.
                solution = try solve(problem, options: configuration.solver, cheapBound: keep == k)
            } catch {
                throw GroupInferenceError(error.kind, "step \(step): \(error.message)")
            }
            keptIndices = solution!.selection
        }
        let kept = keptIndices.map { ids[$0] }
        let objective = solution?.objective ?? problem.objective(of: keptIndices)
        let group = keep == k ? kept : (bestGroup ?? []).map { ids[$0] }
        // The record copies what it keeps: the workspace is the next scoring's.
        records.append(StepRecord(
            step: step, ids: ids, kept: kept, solveStatus: solution?.status,
            boundKind: solution?.boundKind ?? .none, discarded: 0, onDemand: onDemand, isFinal: isFinal, evaluations: evaluations,
            objective: objective, bound: solution?.bound, gap: solution?.gap,
            secondsScoring: secondsScoring, secondsSolving: solution?.seconds ?? 0,
            unary: copy(ws.unary), diversity: ws.meanDifferences(),
            scorerValues: slots.indices.map { ws.recordedValues(scorer: $0, unary: slots[$0].scorer.kind == .unary) },
            group: group, pairwise: recordsDetail ? copy(ws.pairwise) : []))

        for id in ids { isAlive[Int(id)] = false }
        for id in kept { isAlive[Int(id)] = true }
        alive = kept
        if isFinal {
            var pairwise = [Double](repeating: 0, count: keptIndices.count * keptIndices.count)
            for (a, i) in keptIndices.enumerated() {
                for (b, j) in keptIndices.enumerated() { pairwise[a * keptIndices.count + b] = ws.pairwise[i * n + j] }
            }
            finalGroup = FinalGroup(ids: kept, unary: keptIndices.map { ws.unary[$0] },
                                    pairwise: pairwise, objective: objective)
        }
        let wantedProof = configuration.solver.choice.provesOptimality
        return wantedProof && solution?.status == .timeLimit ? .unproven : .complete
    }

    /// Records keep the best K-group and the pairwise matrix of every
    /// scoring: for diagnostics, calibration and the adaptive rule.
    var recordsDetail: Bool {
        if configuration.traceEveryStep { return true }
        if case .adaptive = configuration.schedule { return true }
        return false
    }

    private func adaptiveKeep(ids: [Int32], group: [Int], step: Int) -> Int {
        guard case let .adaptive(budget) = configuration.schedule else { return ids.count }
        let c = configuration
        let previous = records.last.flatMap { $0.step == step - 1 && !$0.pairwise.isEmpty ? $0 : nil }
        return AdaptiveRule.keepCount(
            step: step, steps: c.steps, groupSize: c.groupSize, lambda: c.lambda,
            ids: ids, unary: workspace.unary, pairwise: workspace.pairwise, group: group, previous: previous,
            previousMovement: previous.flatMap { p in records.count >= 2 ? records[records.count - 2] : nil }
                .map { AdaptiveRule.movement(from: $0, to: previous!, lambda: c.lambda, groupSize: c.groupSize) },
            spent: evaluations, budget: PruneSchedule.budgetEvaluations(budget, candidates: c.candidates, steps: c.steps))
    }
}

/// A copy with storage of its own (a plain assignment would share it).
func copy(_ values: [Double]) -> [Double] {
    [Double](unsafeUninitializedCapacity: values.count) { out, count in
        _ = out.initialize(from: values)
        count = values.count
    }
}

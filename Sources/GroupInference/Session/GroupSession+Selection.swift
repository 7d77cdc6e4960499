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
        let scores = try assembleScores(ids, step: step)
        let secondsScoring = scoringClock.elapsed

        let n = ids.count, k = configuration.groupSize
        // The best K-group under these scores, for the record (detail mode)
        // and the adaptive rule: computed once, when either needs it.
        var bestGroup: [Int]?
        if k < n, recordsDetail {
            let p = SelectionProblem(trusted: scores.unary, pairwise: scores.pairwise,
                                     lambda: configuration.lambda, groupSize: k)
            bestGroup = SwapSearch.improve(p, from: GreedySelection.select(p))
        }
        let keep: Int
        switch rule {
        case let .count(c): keep = c
        case .adaptive: keep = adaptiveKeep(ids: ids, scores: scores, group: bestGroup ?? [], step: step)
        }
        let problem = SelectionProblem(trusted: scores.unary, pairwise: scores.pairwise,
                                       lambda: configuration.lambda, groupSize: keep)
        do {
            try problem.checkMagnitude()
        } catch {
            throw GroupInferenceError(error.kind, "step \(step): the combined (weighted) scores: \(error.message)")
        }
        var keptIndices = Array(0..<n)
        var solution: Solution?
        if keep < n {
            do {
                solution = try solve(problem, options: configuration.solver)
            } catch {
                throw GroupInferenceError(error.kind, "step \(step): \(error.message)")
            }
            keptIndices = solution!.selection
        }
        let kept = keptIndices.map { ids[$0] }
        let objective = solution?.objective ?? problem.objective(of: keptIndices)
        let group = keep == k ? kept : (bestGroup ?? []).map { ids[$0] }
        records.append(StepRecord(
            step: step, ids: ids, kept: kept, solveStatus: solution?.status,
            boundKind: solution?.boundKind ?? .none, discarded: 0, onDemand: onDemand, isFinal: isFinal, evaluations: evaluations,
            objective: objective, bound: solution?.bound, gap: solution?.gap,
            secondsScoring: secondsScoring, secondsSolving: solution?.seconds ?? 0,
            unary: scores.unary, diversity: rowMeans(scores.pairwise, count: n),
            scorerValues: scores.perScorer, group: group,
            pairwise: recordsDetail ? scores.pairwise : []))

        for id in ids { isAlive[Int(id)] = false }
        for id in kept { isAlive[Int(id)] = true }
        alive = kept
        if isFinal {
            var pairwise = [Double](repeating: 0, count: keptIndices.count * keptIndices.count)
            for (a, i) in keptIndices.enumerated() {
                for (b, j) in keptIndices.enumerated() { pairwise[a * keptIndices.count + b] = scores.pairwise[i * n + j] }
            }
            finalGroup = FinalGroup(ids: kept, unary: keptIndices.map { scores.unary[$0] },
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

    private func adaptiveKeep(ids: [Int32], scores: AssembledScores, group: [Int], step: Int) -> Int {
        guard case let .adaptive(budget) = configuration.schedule else { return ids.count }
        let c = configuration
        let previous = records.last.flatMap { $0.step == step - 1 && !$0.pairwise.isEmpty ? $0 : nil }
        return AdaptiveRule.keepCount(
            step: step, steps: c.steps, groupSize: c.groupSize, lambda: c.lambda,
            ids: ids, unary: scores.unary, pairwise: scores.pairwise, group: group, previous: previous,
            previousMovement: previous.flatMap { p in records.count >= 2 ? records[records.count - 2] : nil }
                .map { AdaptiveRule.movement(from: $0, to: previous!, lambda: c.lambda, groupSize: c.groupSize) },
            spent: evaluations, budget: PruneSchedule.budgetEvaluations(budget, candidates: c.candidates, steps: c.steps))
    }
}

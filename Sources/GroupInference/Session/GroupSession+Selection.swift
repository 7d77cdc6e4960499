extension GroupSession {
    /// Scores the alive candidates, keeps the best `keep` of them, and
    /// records what happened.
    func select(keep: Int, step: Int, onDemand: Bool, isFinal: Bool) throws(GroupInferenceError) -> Completion {
        let ids = alive
        let scoringClock = Stopwatch()
        let scores = try assembleScores(ids, step: step)
        let secondsScoring = scoringClock.elapsed

        let n = ids.count
        let problem = SelectionProblem(trusted: scores.unary, pairwise: scores.pairwise,
                                       lambda: configuration.lambda, groupSize: keep)
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
        records.append(StepRecord(
            step: step, ids: ids, kept: kept, solveStatus: solution?.status,
            onDemand: onDemand, isFinal: isFinal, evaluations: evaluations,
            objective: objective, bound: solution?.bound, gap: solution?.gap,
            secondsScoring: secondsScoring, secondsSolving: solution?.seconds ?? 0,
            unary: scores.unary, diversity: rowMeans(scores.pairwise, count: n),
            scorerValues: scores.perScorer))

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
        let wantedProof = configuration.solver.choice == .exact
        return wantedProof && solution?.status == .timeLimit ? .unproven : .complete
    }
}

/// Solve a selection problem with the chosen solver.
///
/// Every path starts from greedy insertion improved by swaps; the exact
/// solver is warm-started with that selection and can only improve on it.
/// A selection whose objective meets the cheap bound is reported optimal
/// without calling GLPK.
public func solve(_ p: SelectionProblem, options: SolverOptions = SolverOptions()) throws(GroupInferenceError) -> Solution {
    try options.validate()
    let clock = Stopwatch()
    if let trivial = TrivialSelection.solve(p) {
        return Solution(selection: trivial, objective: p.objective(of: trivial), bound: nil,
                        status: .optimal, seconds: clock.elapsed, nodes: 0)
    }
    let heuristic = SwapSearch.improve(p, from: GreedySelection.select(p))
    let value = p.objective(of: heuristic)
    let bound = CheapBound.bound(p)
    if bound - value <= Solution.proofTolerance(value) {
        return Solution(selection: heuristic, objective: value, bound: bound,
                        status: .optimal, seconds: clock.elapsed, nodes: 0)
    }
    let remaining = options.timeLimit - clock.elapsed
    switch options.choice {
    case .heuristic:
        break
    case .exact:
        return try ExactMIP.solve(p, incumbent: heuristic, timeLimit: remaining,
                                  relativeGap: options.relativeGap).timed(clock.elapsed)
    case .auto:
        if AutoPolicy.prefersExact(p), remaining > 0,
           let exact = try? ExactMIP.solve(p, incumbent: heuristic, timeLimit: remaining,
                                           relativeGap: options.relativeGap) {
            // Auto asks for no proof: a solve stopped by the clock is still the
            // best answer it has, with an honest bound.
            return exact.timed(clock.elapsed)
        }
    }
    return Solution(selection: heuristic, objective: value, bound: bound,
                    status: .heuristic, seconds: clock.elapsed, nodes: 0)
}

/// When the exact solver is likely to prove optimality within a prune's
/// budget. Measured on the shared instances (bench/): GLPK proves 4-of-64
/// in well under a second but no halving step of 32 or more.
enum AutoPolicy {
    static func prefersExact(_ p: SelectionProblem) -> Bool {
        let n = p.count, k = min(p.groupSize, p.count - p.groupSize)
        return n <= 24 || (n <= 64 && k <= 4) || (n <= 128 && k <= 2)
    }
}

/// Problems whose answer needs no search.
enum TrivialSelection {
    static func solve(_ p: SelectionProblem) -> [Int]? {
        let n = p.count, k = p.groupSize
        if k == n { return Array(0..<n) }
        // With one item or no pairwise term the objective is separable: top-K by u.
        if k == 1 || p.lambda == 0 {
            return Array((0..<n).sorted { p.unary[$0] > p.unary[$1] || (p.unary[$0] == p.unary[$1] && $0 < $1) }
                .prefix(k)).sorted()
        }
        return nil
    }
}

extension Solution {
    /// Slack under which a bound certifies an objective as optimal: rounding
    /// in float64 sums, far below the 1e-9 relative the tests demand.
    static func proofTolerance(_ objective: Double) -> Double { 1e-11 * max(1, abs(objective)) }

    func timed(_ total: Double) -> Solution {
        Solution(selection: selection, objective: objective, bound: bound, status: status,
                 seconds: total, nodes: nodes)
    }
}

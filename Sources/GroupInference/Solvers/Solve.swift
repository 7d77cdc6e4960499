/// Solve a selection problem with the chosen solver.
///
/// Every path starts from greedy insertion improved by swaps; the exact
/// searches are warm-started with that selection and can only improve on it.
/// A selection whose objective meets the cheap bound is reported optimal
/// without searching. Every step reads the clock, so the solve returns
/// within `options.timeLimit` plus the step in progress (measured by
/// `groupinference-bench clock`: at most tens of ms, at 8192 candidates).
public func solve(_ p: SelectionProblem, options: SolverOptions = SolverOptions()) throws(GroupInferenceError) -> Solution {
    try solve(p, options: options, cheapBound: true)
}

/// `cheapBound: false` skips the cheap bound where only the report would
/// read it (the heuristic solver): a session's prunes that keep more than K,
/// where it costs about as much as the heuristic itself. The solution then
/// has no bound (`BoundKind.none`).
func solve(_ p: SelectionProblem, options: SolverOptions, cheapBound wanted: Bool) throws(GroupInferenceError) -> Solution {
    try options.validate()
    if options.choice == .exact || options.choice == .mip, p.count > Limits.maxExactCandidates {
        throw .limit("the \(options.choice == .exact ? "exact" : "MIP") solver handles at most \(Limits.maxExactCandidates) candidates per selection; this one has \(p.count) (use the auto or heuristic solver)")
    }
    let clock = Stopwatch()
    let deadline = clock.start + options.timeLimit
    if let trivial = TrivialSelection.solve(p) {
        let value = p.objective(of: trivial)
        return Solution(selection: trivial, objective: value, bound: value, boundKind: .trivial,
                        status: .optimal, seconds: clock.elapsed, nodes: 0)
    }
    var heuristic = SwapSearch.improve(p, from: GreedySelection.select(p, deadline: deadline), deadline: deadline)
    if options.restarts > 0 {
        heuristic = IteratedSwapSearch.improve(p, from: heuristic, rounds: options.restarts, seed: options.seed,
                                               deadline: deadline)
    }
    let value = p.objective(of: heuristic)
    // Skipped where only the heuristic solver's report would read it (see
    // above); nil also when the clock runs out first (thousands of candidates).
    let bound = wanted || options.choice != .heuristic ? CheapBound.bound(p, deadline: deadline) : nil
    if let bound, bound - value <= Solution.proofTolerance(value) {
        return Solution(selection: heuristic, objective: value, bound: bound, boundKind: .cheap,
                        status: .optimal, seconds: clock.elapsed, nodes: 0)
    }
    let remaining = deadline - Stopwatch.now()
    switch options.choice {
    case .heuristic:
        break
    case .exact:
        guard let s = exactSearch(p, from: heuristic, deadline: deadline, relativeGap: options.relativeGap,
                                  memoryLimit: options.memoryLimit) else {
            throw .solver("LAPACK could not compute the eigenvalue the exact bound needs (\(p.count) candidates)")
        }
        return s.tightened(by: bound).timed(clock.elapsed)
    case .mip:
        return try ExactMIP.solve(p, incumbent: heuristic, cheapBound: bound, deadline: deadline,
                                  relativeGap: options.relativeGap).tightened(by: bound).timed(clock.elapsed)
    case .auto:
        // Auto asks for no proof: a search stopped by the clock still has the
        // best answer found and an honest bound.
        if remaining > 0 {
            return AnytimeSearch.solve(p, heuristic: heuristic, value: value, cheapBound: bound, deadline: deadline,
                                       options: options).tightened(by: bound).timed(clock.elapsed)
        }
    }
    return Solution(selection: heuristic, objective: value, bound: bound, boundKind: .cheap,
                    status: .heuristic, seconds: clock.elapsed, nodes: 0)
}

/// Branch and bound from `incumbent`; nil if LAPACK fails on the eigenvalue.
private func exactSearch(_ p: SelectionProblem, from incumbent: [Int], deadline: Double,
                         relativeGap: Double, memoryLimit: Int) -> Solution? {
    let clock = Stopwatch()
    guard let sigma = ConcavityShift.compute(p.pairwise.map { $0 * p.lambda }, count: p.count) else { return nil }
    var search = BranchAndBound(p, sigma: sigma, incumbent: incumbent, memoryLimit: memoryLimit)
    _ = search.search(until: deadline, relativeGap: relativeGap)
    return search.solution(seconds: clock.elapsed)
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

    /// The tighter of this solution's bound and the cheap one: a search the
    /// clock stops before its root relaxation (a loaded machine, a
    /// millisecond's limit) has only an infinite bound of its own.
    func tightened(by cheap: Double?) -> Solution {
        let own = bound.flatMap { $0.isFinite ? $0 : nil }
        if status != .optimal, let cheap, own.map({ cheap < $0 }) ?? true {
            return bounded(max(cheap, objective), .cheap)
        }
        return own == bound ? self : bounded(own, own == nil ? .none : boundKind)
    }

    private func bounded(_ bound: Double?, _ kind: BoundKind) -> Solution {
        Solution(selection: selection, objective: objective, bound: bound, boundKind: kind, status: status,
                 seconds: seconds, nodes: nodes)
    }

    func timed(_ total: Double) -> Solution {
        Solution(selection: selection, objective: objective, bound: bound, boundKind: boundKind, status: status,
                 seconds: total, nodes: nodes)
    }
}

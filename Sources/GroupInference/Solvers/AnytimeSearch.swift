/// What `auto` does with the time left after the heuristic: all of it goes
/// to search, and a proof ends the solve at once.
///
/// Up to `Limits.maxExactCandidates` items the branch and bound runs alone
/// for the first half of the budget: the project's own problems (clustered
/// embeddings) are proven well within it. A search still open then
/// alternates with iterated tabu search in slices; the tabu search's better
/// selections let the branch and bound prune more, and a slice that finds
/// nothing better halves the tabu search's share of the next. Problems
/// with uniform random scores, where bounds are loose and a proof is out of
/// reach, get the tabu search's answers. Larger problems get iterated tabu
/// search for the whole budget, with the cheap bound.
///
/// Measured on MDPLIB (`groupinference-bench mdp`) and the shared instances
/// (`groupinference-bench workloads`); see bench/RESULTS.md.
enum AnytimeSearch {
    /// The branch and bound's share of the budget before tabu search joins:
    /// the shared instances and halving steps proven within 0.1 s need less.
    static let exactAloneShare = 0.5
    /// The rest of the budget is split into this many slices.
    static let slices = 10.0
    /// Tabu search's share of a slice after one in which it improved the
    /// incumbent; halved after each slice in which it did not, down to the floor.
    static let tabuShare = 0.5
    static let tabuShareFloor = 1.0 / 16

    static func solve(_ p: SelectionProblem, heuristic: [Int], value: Double, cheapBound: Double?,
                      deadline: Double, options: SolverOptions) -> Solution {
        let clock = Stopwatch()
        var tabu = IteratedTabu(p, start: heuristic, value: value, seed: options.seed, target: cheapBound ?? .infinity)
        if p.count <= Limits.maxExactCandidates,
           let sigma = ConcavityShift.compute(p.pairwise.map { $0 * p.lambda }, count: p.count) {
            var search = BranchAndBound(p, sigma: sigma, incumbent: heuristic, memoryLimit: options.memoryLimit)
            let budget = max(deadline - Stopwatch.now(), 0)
            let slice = budget * (1 - exactAloneShare) / slices
            var share = tabuShare
            var until = min(deadline, Stopwatch.now() + exactAloneShare * budget)
            while !search.search(until: until, relativeGap: options.relativeGap) {
                let now = Stopwatch.now()
                if now >= deadline { break }
                tabu.run(until: min(deadline, now + share * slice))
                if tabu.bestValue > search.incumbentValue + Solution.proofTolerance(search.incumbentValue) {
                    search.offer(tabu.best)
                    share = tabuShare
                } else {
                    share = max(share / 2, tabuShareFloor)
                }
                until = min(deadline, Stopwatch.now() + (1 - share) * slice)
            }
            return search.solution(seconds: clock.elapsed)
        }
        tabu.run(until: deadline)
        let selection = tabu.best
        // The exact sum (O(K²)) only if the tabu search found something else.
        let best = selection == heuristic.sorted() ? value : p.objective(of: selection)
        let proven = cheapBound.map { $0 - best <= Solution.proofTolerance(best) } ?? false
        return Solution(selection: selection, objective: best, bound: cheapBound, boundKind: .cheap,
                        status: proven ? .optimal : .heuristic, seconds: clock.elapsed, nodes: 0)
    }
}

/// Iterated tabu search: tabu search until it stalls, then a random
/// perturbation of the best selection, and again.
struct IteratedTabu {
    private var tabu: TabuSearch
    private let target: Double
    /// Moves without a new best before a perturbation: measured on the
    /// n = 500 MDPLIB entries, 10·n beats 1 000 and equals 20 000.
    private let patience: Int
    /// Items a perturbation exchanges: a tenth of the smaller side.
    private let strength: Int

    init(_ p: SelectionProblem, start: [Int], value: Double, seed: UInt64, target: Double) {
        tabu = TabuSearch(p, start: start, value: value, seed: seed)
        self.target = target
        let n = p.count, k = start.count
        patience = max(1000, 10 * n)
        strength = max(1, min(k, n - k) / 10)
    }

    var best: [Int] { tabu.best }
    private var reachedTarget: Bool {
        target.isFinite && tabu.bestValue >= target - Solution.proofTolerance(target)
    }
    var bestValue: Double { tabu.bestValue }

    /// Stops at `deadline`, or once the best reaches `target` (a bound: nothing better exists).
    mutating func run(until deadline: Double) {
        guard tabu.canMove else { return }
        while Stopwatch.now() < deadline && !reachedTarget {
            tabu.run(iterations: .max, patience: patience, deadline: deadline)
            if tabu.stagnation >= patience { tabu.restart(from: tabu.best, exchanging: strength) }
        }
    }
}

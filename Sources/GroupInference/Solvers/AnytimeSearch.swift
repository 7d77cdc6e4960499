#if canImport(Glibc)
import Glibc
#endif

/// What `auto` does with the time left after the heuristic.
///
/// Up to `Limits.maxExactCandidates` items the branch and bound starts
/// alone: the project's own problems (clustered embeddings) are proven in
/// milliseconds, and a proof ends the solve at once. A search still open
/// after its first slice alternates with iterated tabu search, whose
/// incumbents let the branch and bound prune more; hard problems (uniform
/// random distances) are rarely proven but get the tabu search's answers.
/// Larger problems get iterated tabu search for the whole budget.
enum AnytimeSearch {
    static func solve(_ p: SelectionProblem, heuristic: [Int], cheapBound: Double, deadline: Double,
                      options: SolverOptions) -> Solution {
        var tabu = IteratedTabu(p, start: heuristic, seed: options.seed, target: cheapBound)
        let clock = Stopwatch()
        if p.count <= Limits.maxExactCandidates,
           let sigma = ConcavityShift.compute(p.pairwise.map { $0 * p.lambda }, count: p.count) {
            var search = BranchAndBound(p, sigma: sigma, incumbent: heuristic, memoryLimit: options.memoryLimit)
            let budget = max(deadline - Stopwatch.now(), 0)
            let first = Tuning.value("GI_X_FIRST", 0.2)
            let slice = budget * (1 - first) / Tuning.value("GI_X_SLICES", 10)
            let share0 = Tuning.value("GI_X_SHARE0", 0.5), decay = Tuning.value("GI_X_DECAY", 2), floor = Tuning.value("GI_X_FLOOR", 1.0 / 16)
            var share = share0
            var until = min(deadline, Stopwatch.now() + first * budget)
            while !search.search(until: until, relativeGap: options.relativeGap) {
                let now = Stopwatch.now()
                if getenv("GI_X_DEBUG") != nil {
                    let s = search.solution(seconds: 0)
                    print("debug n=\(p.count) k=\(p.groupSize) t=\(now - clock.start) nodes=\(s.nodes) gap=\(s.gap ?? -1) share=\(share)")
                }
                if now >= deadline { break }
                tabu.run(until: min(deadline, now + share * slice))
                // A tabu search that finds nothing better gives its time back.
                if tabu.bestValue > search.incumbentValue {
                    search.offer(tabu.best)
                    share = share0
                } else {
                    share = max(share / decay, floor)
                }
                until = min(deadline, Stopwatch.now() + (1 - share) * slice)
            }
            return search.solution(seconds: clock.elapsed)
        }
        tabu.run(until: deadline)
        let value = p.objective(of: tabu.best)
        let proven = cheapBound - value <= Solution.proofTolerance(value)
        return Solution(selection: tabu.best, objective: value, bound: cheapBound, boundKind: .cheap,
                        status: proven ? .optimal : .heuristic, seconds: clock.elapsed, nodes: 0)
    }
}

/// Iterated tabu search: tabu search until it stalls, then a random
/// perturbation of the best selection, and again.
struct IteratedTabu {
    private var tabu: TabuSearch
    private let target: Double
    private let patience: Int
    private let strength: Int

    init(_ p: SelectionProblem, start: [Int], seed: UInt64, target: Double) {
        tabu = TabuSearch(p, start: start, seed: seed)
        self.target = target
        let n = p.count, k = start.count
        patience = Int(Tuning.value("GI_X_PATIENCE", Double(max(1000, 10 * n))))
        strength = max(1, Int(Tuning.value("GI_X_STRENGTH", 0.1) * Double(min(k, n - k))))
    }

    var best: [Int] { tabu.best }
    var bestValue: Double { tabu.bestValue }

    /// Stops at `deadline`, or once the best reaches `target` (a bound: nothing better exists).
    mutating func run(until deadline: Double) {
        while Stopwatch.now() < deadline && tabu.bestValue < target - Solution.proofTolerance(target) {
            tabu.run(iterations: .max, patience: patience, deadline: deadline)
            if tabu.stagnation >= patience {
                tabu.load(tabu.best)
                tabu.perturb(strength)
            }
        }
    }
}

/// Development knobs read from the environment (removed before merging).
enum Tuning {
    static func value(_ name: String, _ fallback: Double) -> Double {
        guard let raw = getenv(name), let v = Double(String(cString: raw)) else { return fallback }
        return v
    }
}

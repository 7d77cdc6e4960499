#if canImport(Glibc)
import Glibc
#endif

/// Calibration from full runs: sessions that denoised every candidate to the
/// end and scored every step (`traceEveryStep`, no pruning before the last
/// step). Because candidates are denoised independently, a run's previews
/// are exactly what a pruned run would have seen for the same candidates, so
/// any schedule can be replayed on it: prune with that step's scores, then
/// score the survivors' final group with the final scores.
///
/// Retention is the share of full selection's gain over i.i.d. sampling a
/// schedule keeps: (f(schedule) − f(i.i.d.)) / (f(full) − f(i.i.d.)), all
/// under the final scores; f(i.i.d.) is the expected objective of a random
/// K-subset, f(full) the best K of all M.
public struct Calibration {
    public let candidates: Int
    public let groupSize: Int
    public let steps: Int
    public let lambda: Double
    private let runs: [Run]
    /// Final choices already made, per run and survivor set: many replayed
    /// schedules end with the same survivors.
    private let finalChoices = FinalChoiceCache()

    /// One full run: per step, every candidate's combined scores.
    private struct Run {
        var unary: [[Double]]
        var pairwise: [[Double]]
        var full: Double
        var iid: Double
        var fullGroup: Set<Int>
    }

    /// How well selecting the final group at one step agrees with the final choice.
    public struct StepAgreement: Sendable, Equatable {
        public let step: Int
        /// Mean retention of choosing K of M with this step's scores.
        public let retention: Double
        /// Mean share of that group which is in full selection's group.
        public let overlap: Double
    }

    /// A schedule replayed on the runs.
    public struct Evaluation: Sendable, Equatable {
        public let counts: [Int]
        public let evaluations: Int
        public let retention: Double
        public let minimumRetention: Double
    }

    public init(runs sessions: [GroupSession]) throws(GroupInferenceError) {
        guard let first = sessions.first else { throw .argument("calibration needs at least one full run") }
        let c = first.configuration
        candidates = c.candidates; groupSize = c.groupSize; steps = c.steps; lambda = c.lambda
        var runs: [Run] = []
        for (r, s) in sessions.enumerated() {
            let sc = s.configuration
            guard sc.candidates == candidates, sc.groupSize == groupSize, sc.steps == steps, sc.lambda == lambda else {
                throw .argument("run \(r) has M, K, T or lambda (\(sc.candidates), \(sc.groupSize), \(sc.steps), \(sc.lambda)) different from run 0's (\(candidates), \(groupSize), \(steps), \(lambda))")
            }
            guard s.isDone else { throw .state("run \(r) is not done: calibration needs finished runs") }
            guard s.discardedCount == 0 else {
                throw .argument("run \(r) discarded \(s.discardedCount) candidates: calibration needs full runs that kept all \(candidates)")
            }
            var unary: [[Double]] = [], pairwise: [[Double]] = []
            for t in 0..<steps {
                guard let record = s.records.last(where: { $0.step == t && !$0.onDemand }),
                      record.ids.count == candidates, !record.pairwise.isEmpty else {
                    throw .argument("run \(r) has no scores of all \(candidates) candidates at step \(t): a calibration run denoises everyone to the end and scores every step (trace_every_step = 1, first_prune_step = T-1)")
                }
                unary.append(record.unary)
                pairwise.append(record.pairwise)
            }
            let final = SelectionProblem(trusted: unary[steps - 1], pairwise: pairwise[steps - 1],
                                         lambda: lambda, groupSize: groupSize)
            let best = (try? solve(final, options: SolverOptions(choice: .exact, timeLimit: 2)))
                ?? Solution(selection: s.finalGroup!.ids.map { Int($0) }, objective: s.finalGroup!.objective,
                            bound: nil, boundKind: .none, status: .heuristic, seconds: 0, nodes: 0)
            runs.append(Run(unary: unary, pairwise: pairwise, full: best.objective,
                            iid: Self.expectedRandomObjective(final), fullGroup: Set(best.selection)))
        }
        self.runs = runs
    }

    /// E f(random K-subset) = K·mean u + λ·C(K,2)·mean b.
    static func expectedRandomObjective(_ p: SelectionProblem) -> Double {
        let n = p.count, k = Double(p.groupSize)
        let meanU = p.unary.reduce(0, +) / Double(n)
        guard n > 1 else { return k * meanU }
        let meanB = p.pairwise.reduce(0, +) / Double(n * (n - 1))
        return k * meanU + p.lambda * k * (k - 1) / 2 * meanB
    }

    private func retention(_ run: Run, _ value: Double) -> Double {
        let gain = run.full - run.iid
        return gain > 1e-12 * max(1, abs(run.full)) ? (value - run.iid) / gain : (value >= run.full ? 1 : 0)
    }

    /// Choosing the final group directly at each step.
    public func stepAgreement() -> [StepAgreement] {
        (0..<steps).map { t in
            var retained = 0.0, overlap = 0.0
            for run in runs {
                let chosen = Self.select(run.unary[t], run.pairwise[t], among: Array(0..<candidates),
                                         keep: groupSize, lambda: lambda, exact: true)
                retained += retention(run, finalObjective(run, chosen))
                overlap += Double(chosen.filter { run.fullGroup.contains($0) }.count) / Double(groupSize)
            }
            return StepAgreement(step: t, retention: retained / Double(runs.count), overlap: overlap / Double(runs.count))
        }
    }

    /// Replays `counts` (survivors after each step) on every run.
    public func evaluate(_ counts: [Int]) -> Evaluation {
        var total = 0.0, lowest = Double.infinity
        for (index, run) in runs.enumerated() {
            var alive = Array(0..<candidates)
            for t in 0..<(steps - 1) where counts[t] < alive.count {
                alive = Self.select(run.unary[t], run.pairwise[t], among: alive, keep: counts[t], lambda: lambda)
            }
            // The final choice is solved exactly, as a session's would be.
            let value = finalChoices.value(run: index, survivors: alive) {
                finalObjective(run, Self.select(run.unary[steps - 1], run.pairwise[steps - 1], among: alive,
                                                keep: groupSize, lambda: lambda, exact: true))
            }
            let r = retention(run, value)
            total += r
            lowest = min(lowest, r)
        }
        return Evaluation(counts: counts, evaluations: evaluationCount(counts),
                          retention: total / Double(runs.count), minimumRetention: lowest)
    }

    func evaluationCount(_ counts: [Int]) -> Int {
        candidates + counts.dropLast().reduce(0, +)
    }

    /// The schedule with the most retention within `budget` (a fraction of
    /// M·T), or with the fewest evaluations reaching `retention`; nil if no
    /// schedule of the family meets the goal.
    public func derive(budget: Double? = nil, retention target: Double? = nil) -> Evaluation? {
        let limit = budget.map { PruneSchedule.budgetEvaluations($0, candidates: candidates, steps: steps) }
        var best: Evaluation?
        for counts in family() {
            let cost = evaluationCount(counts)
            if let limit, cost > limit { continue }
            let e = evaluate(counts)
            guard let current = best else {
                if target.map({ e.retention >= $0 }) ?? true { best = e }
                continue
            }
            if let target {
                if e.retention >= target && (e.evaluations < current.evaluations
                    || (e.evaluations == current.evaluations && e.retention > current.retention)) { best = e }
            } else if e.retention > current.retention + 1e-12
                        || (abs(e.retention - current.retention) <= 1e-12 && e.evaluations < current.evaluations) {
                best = e
            }
        }
        return best
    }

    /// The schedules searched: keep all M before step f; from f to g fall
    /// geometrically from a to K; K after g. f, g over all steps, a over a
    /// geometric grid from K to M.
    func family() -> [[Int]] {
        let m = candidates, k = groupSize, t = steps
        var sizes: [Int] = []
        var a = Double(m)
        while Int(a.rounded()) > k { sizes.append(Int(a.rounded())); a /= 1.6 }
        sizes.append(k)
        var seen = Set<[Int]>(), out: [[Int]] = []
        for f in 0..<t {
            for g in f..<t {
                for start in sizes {
                    var counts = [Int](repeating: m, count: t)
                    for s in f..<t {
                        if s >= g { counts[s] = k; continue }
                        let x = Double(s - f) / Double(g - f)
                        counts[s] = max(k, Int((Double(start) * pow(Double(k) / Double(start), x)).rounded()))
                    }
                    counts[t - 1] = k
                    if seen.insert(counts).inserted { out.append(counts) }
                }
            }
        }
        return out
    }

    private func finalObjective(_ run: Run, _ group: [Int]) -> Double {
        SelectionProblem(trusted: run.unary[steps - 1], pairwise: run.pairwise[steps - 1],
                         lambda: lambda, groupSize: groupSize).objective(of: group)
    }

    /// The best `keep` of `among` under one step's scores: greedy + swaps for
    /// the intermediate prunes of thousands of replays, or the exact search
    /// (within 50 ms) for final choices.
    static func select(_ unary: [Double], _ pairwise: [Double], among: [Int], keep: Int, lambda: Double,
                       exact: Bool = false) -> [Int] {
        let n = unary.count, m = among.count
        guard keep < m else { return among }
        var u = [Double](repeating: 0, count: m), b = [Double](repeating: 0, count: m * m)
        for (a, i) in among.enumerated() {
            u[a] = unary[i]
            for (c, j) in among.enumerated() { b[a * m + c] = pairwise[i * n + j] }
        }
        let p = SelectionProblem(trusted: u, pairwise: b, lambda: lambda, groupSize: keep)
        if exact, let s = try? solve(p, options: SolverOptions(choice: .auto, timeLimit: 0.05)) {
            return s.selection.map { among[$0] }
        }
        return SwapSearch.improve(p, from: GreedySelection.select(p)).map { among[$0] }
    }
}

/// Memo of final choices: (run, survivors) → objective under the final scores.
private final class FinalChoiceCache: @unchecked Sendable {
    private var values: [Int: [[Int]: Double]] = [:]

    func value(run: Int, survivors: [Int], _ compute: () -> Double) -> Double {
        if let v = values[run]?[survivors] { return v }
        let v = compute()
        values[run, default: [:]][survivors] = v
        return v
    }
}

/// How many candidates survive each denoising step.
public enum PruneSchedule: Equatable, Sendable {
    /// From `firstStep` on, after every step keep max(⌈n·(1−ρ)⌉, K) — the
    /// reference method's schedule (ρ = 0.5 from step 0 for flux-dev).
    case ratio(Double, firstStep: Int)
    /// Keep `counts[t]` after step t (non-increasing, the last equal to K).
    case counts([Int])
    /// Decide after every step from the scores (`AdaptiveRule`), spending at
    /// most `budget` × M·T model evaluations.
    case adaptive(budget: Double)

    /// Survivors to keep after completing step `step` (0-based) with `alive`
    /// candidates, for a group of `groupSize` over `steps` steps. The last
    /// step always keeps exactly K: it chooses the final group.
    public func keep(afterStep step: Int, alive: Int, groupSize: Int, steps: Int) -> Int {
        if step >= steps - 1 { return min(groupSize, alive) }
        switch self {
        case let .ratio(rho, firstStep):
            guard step >= firstStep else { return alive }
            let target = (Double(alive) * (1 - rho)).rounded(.up)
            return min(alive, max(Int(target), groupSize))
        case let .counts(counts):
            return min(alive, max(counts[step], groupSize))
        case .adaptive:
            return alive // decided from the scores, after scoring
        }
    }

    /// The adaptive schedule's budget in model evaluations.
    public static func budgetEvaluations(_ fraction: Double, candidates m: Int, steps t: Int) -> Int {
        Int((fraction * Double(m * t)).rounded(.down))
    }

    /// Checks the schedule against M, K and T; a message names what is wrong.
    public func validate(candidates m: Int, groupSize k: Int, steps t: Int) throws(GroupInferenceError) {
        switch self {
        case let .ratio(rho, firstStep):
            guard rho.isFinite, rho >= 0, rho < 1 else {
                throw .argument("prune_ratio = \(rho) must be in [0, 1)")
            }
            guard firstStep >= 0, firstStep < t else {
                throw .argument("first_prune_step = \(firstStep) must be in 0..\(t - 1) (num_steps = \(t))")
            }
        case let .counts(counts):
            guard counts.count == t else {
                throw .argument("survivor_counts has \(counts.count) entries; num_steps = \(t) needs one per step")
            }
            var previous = m
            for (step, c) in counts.enumerated() {
                guard c >= k, c <= previous else {
                    throw .argument("survivor_counts[\(step)] = \(c) must be in [K = \(k), \(previous)] (non-increasing from M = \(m))")
                }
                previous = c
            }
            guard counts[t - 1] == k else {
                throw .argument("survivor_counts[\(t - 1)] = \(counts[t - 1]) must equal K = \(k): the last step chooses the final group")
            }
        case let .adaptive(fraction):
            guard fraction.isFinite, fraction > 0, fraction <= 1 else {
                throw .argument("budget = \(fraction) must be a fraction of M·T in (0, 1]")
            }
            let cheapest = m + k * (t - 1) // everyone once, then K per step
            let allowed = Self.budgetEvaluations(fraction, candidates: m, steps: t)
            guard allowed >= cheapest else {
                let needed = Double(cheapest) / Double(m * t)
                throw .argument("budget = \(fraction) allows \(allowed) model evaluations, but denoising all M = \(m) once and then K = \(k) per step needs \(cheapest); raise budget to at least \(needed)")
            }
        }
    }

    /// Model evaluations (candidates denoised, summed over steps) when
    /// nothing else prunes: the compute this schedule costs.
    public func evaluations(candidates m: Int, groupSize k: Int, steps t: Int) -> Int {
        var alive = m, total = 0
        for step in 0..<t {
            total += alive
            alive = keep(afterStep: step, alive: alive, groupSize: k, steps: t)
        }
        return total
    }
}

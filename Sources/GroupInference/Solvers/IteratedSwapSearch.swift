/// Iterated local search: perturb the best selection (exchange a few chosen
/// items for random unchosen ones), improve it by swaps, keep it if better.
/// Deterministic for a given seed.
enum IteratedSwapSearch {
    static func improve(_ p: SelectionProblem, from start: [Int], rounds: Int, seed: UInt64,
                        deadline: Double = .infinity) -> [Int] {
        let n = p.count, k = start.count
        guard k > 0, k < n, rounds > 0 else { return start }
        var rng = SplitMix64(seed: seed)
        var best = start, bestValue = p.objective(of: start)
        // Exchange a few, never more than there are chosen or unchosen items.
        let strength = min(max(2, min(k, n - k) / 8), k, n - k)
        for _ in 0..<rounds {
            if Stopwatch.now() > deadline { break }
            var chosen = Set(best)
            let outside = (0..<n).filter { !chosen.contains($0) }
            let leaving = best.shuffled(using: &rng).prefix(strength)
            let entering = outside.shuffled(using: &rng).prefix(strength)
            for i in leaving { chosen.remove(i) }
            for j in entering { chosen.insert(j) }
            let candidate = SwapSearch.improve(p, from: Array(chosen), deadline: deadline)
            guard candidate.count == k else { continue }
            let value = p.objective(of: candidate)
            if value > bestValue + Solution.proofTolerance(bestValue) { best = candidate; bestValue = value }
        }
        return best.sorted()
    }
}

/// SplitMix64: small, fast, and the same sequence on every platform (the
/// tests and benchmarks use it too, for reproducible instances).
public struct SplitMix64: RandomNumberGenerator {
    private var state: UInt64
    public init(seed: UInt64) { state = seed }
    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

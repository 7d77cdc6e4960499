/// Tabu search over swaps (one chosen item out, one unchosen in) with
/// incremental gains: the search behind `auto` once the heuristic is done.
///
/// Every iteration makes the best swap that is not tabu, even a worsening
/// one, and forbids the two items to move back for a while, so the search
/// walks out of local optima instead of stopping there. A tabu swap is still
/// taken when it would beat the best selection found (aspiration). The
/// tenure follows a periodic pattern (short, then longer and longer bursts),
/// as in the iterated tabu and memetic searches of the maximum-diversity
/// literature (Palubeckis 2007; Wang et al. 2014; Zhou et al. 2017).
///
/// Gains g_j = u_j + λ Σ_{m∈S} b_jm make a swap of i (out) for j (in) worth
/// g_j − g_i − λb_ij, and cost O(n) to update after a move. The scan needs
/// only items near the extremes: if i₀ is the member of smallest gain and j₀
/// the outsider of largest gain (neither tabu), the best swap gains at least
/// δ₀ = g_j₀ − g_i₀ − λb_i₀j₀, and a pair can beat that only if
/// g_j − g_i − min λb ≥ δ₀. The search is resumable: `run` continues where
/// the last call stopped.
struct TabuSearch {
    private let problem: SelectionProblem
    private let n: Int
    private let k: Int
    /// Chosen items, and the others; `position` locates an item in its list.
    private var members: [Int]
    private var outsiders: [Int]
    private var position: [Int]
    private var inside: [Bool]
    /// g_j for every item, and the current objective.
    private var gain: [Double]
    private var value: Double
    /// An item may not move again before this iteration.
    private var tabuUntil: [Int]
    private var iteration = 0
    private var rng: SplitMix64
    /// The best selection met so far (ascending) and its objective as the
    /// incremental updates track it: within rounding of the exact sum, which
    /// costs O(K²) and is left to the caller.
    var best: [Int] { bestMembers.sorted() }
    private var bestMembers: [Int]
    private(set) var bestValue: Double
    /// Iterations since the best improved.
    private(set) var stagnation = 0

    /// Tenure unit: a removed item may not return for `tenureUnit` times
    /// the pattern's factor; an added item may not leave for 0.7 times that.
    private let tenureUnit: Int

    /// Gains drift by rounding after many O(n) updates: recompute them this often.
    private static let refreshPeriod = 4096

    /// A selection to start from at the next `run`, whose gains (O(n·K)
    /// to compute) are not set up yet.
    private var pending: [Int]?

    /// Nothing is computed yet: `run` sets up the gains within its deadline.
    init(_ p: SelectionProblem, start: [Int], value: Double, seed: UInt64) {
        problem = p
        n = p.count
        k = start.count
        rng = SplitMix64(seed: seed ^ 0x7AB0_5EA2_C4A1_0001)
        members = []
        outsiders = []
        position = [Int](repeating: 0, count: n)
        inside = [Bool](repeating: false, count: n)
        gain = [Double](repeating: 0, count: n)
        self.value = 0
        tabuUntil = [Int](repeating: 0, count: n)
        bestMembers = start
        bestValue = value
        // 15 is the literature's unit for n in the hundreds; small problems
        // need shorter tenures or every move would be tabu.
        tenureUnit = max(1, min(15, min(k, n - k) / 4))
        pending = start
    }

    /// Whether any swap exists (0 < K < n).
    var canMove: Bool { k > 0 && k < n }

    /// Restarts from `selection` with `count` of its items exchanged for
    /// random others (the best is kept).
    mutating func restart(from selection: [Int], exchanging count: Int) {
        var chosen = [Bool](repeating: false, count: n)
        for i in selection { chosen[i] = true }
        var next = selection
        for _ in 0..<min(count, k, n - k) {
            let slot = Int.random(in: 0..<k, using: &rng)
            var into = Int.random(in: 0..<n, using: &rng)
            while chosen[into] { into = Int.random(in: 0..<n, using: &rng) }
            chosen[next[slot]] = false
            chosen[into] = true
            next[slot] = into
        }
        pending = next
        stagnation = 0
    }

    /// Makes `selection` the current point; false (and nothing changed) if
    /// the clock passes `deadline` first.
    private mutating func install(_ selection: [Int], deadline: Double) -> Bool {
        guard let gains = problem.marginalGains(given: selection, deadline: deadline) else { return false }
        members = selection
        for i in 0..<n { inside[i] = false }
        for (a, i) in members.enumerated() { inside[i] = true; position[i] = a }
        outsiders = []
        outsiders.reserveCapacity(n - k)
        for j in 0..<n where !inside[j] { position[j] = outsiders.count; outsiders.append(j) }
        for i in 0..<n { tabuUntil[i] = 0 }
        setGains(gains)
        stagnation = 0
        return true
    }

    private mutating func setGains(_ gains: [Double]) {
        gain = gains
        var twice = 0.0
        for i in members { twice += problem.unary[i] + gain[i] }
        value = 0.5 * twice
    }

    /// Runs until `iterations` more moves are made, the best has not
    /// improved for `patience` moves, or `deadline` (monotonic seconds).
    mutating func run(iterations: Int, patience: Int = .max, deadline: Double) {
        guard k > 0, k < n else { return }
        if let start = pending {
            guard install(start, deadline: deadline) else { return }
            pending = nil
        }
        let lambda = problem.lambda, floor = problem.minWeightedPair
        let tolerance = 1e-12 * max(1, abs(bestValue))
        var xs: [Int] = [], ys: [Int] = []
        xs.reserveCapacity(k)
        ys.reserveCapacity(n - k)
        for _ in 0..<iterations {
            if stagnation >= patience || Stopwatch.now() > deadline { return }
            iteration += 1
            if iteration % Self.refreshPeriod == 0, let gains = problem.marginalGains(given: members) {
                setGains(gains)
            }

            // The extremes among the movable items (i0, j0) and among all
            // (bottomIn, topOut), and the swap between i0 and j0.
            var i0 = -1, j0 = -1
            var topOut = -Double.infinity, bottomIn = Double.infinity
            for i in members {
                bottomIn = min(bottomIn, gain[i])
                if tabuUntil[i] <= iteration && (i0 < 0 || gain[i] < gain[i0]) { i0 = i }
            }
            for j in outsiders {
                topOut = max(topOut, gain[j])
                if tabuUntil[j] <= iteration && (j0 < 0 || gain[j] > gain[j0]) { j0 = j }
            }
            if i0 < 0 { i0 = members.min { gain[$0] < gain[$1] }! }
            if j0 < 0 { j0 = outsiders.max { gain[$0] < gain[$1] }! }
            let delta0 = problem.pairwise.withUnsafeBufferPointer { gain[j0] - gain[i0] - lambda * $0[i0 * n + j0] }
            // Only pairs that could reach delta0 (or, if tabu, the aspiration
            // level) are scanned: g_j − g_i − min λb bounds every swap.
            let aspiration = bestValue + tolerance - value
            let reach = min(delta0, aspiration)
            xs.removeAll(keepingCapacity: true)
            ys.removeAll(keepingCapacity: true)
            for i in members where topOut - gain[i] - floor >= reach { xs.append(i) }
            for j in outsiders where gain[j] - bottomIn - floor >= reach { ys.append(j) }
            xs.sort { gain[$0] < gain[$1] }
            ys.sort { gain[$0] > gain[$1] }

            var bestDelta = -Double.infinity, bestOut = -1, bestIn = -1, ties = 0
            var tabuDelta = -Double.infinity, tabuOut = -1, tabuIn = -1
            problem.pairwise.withUnsafeBufferPointer { b in
                for i in xs {
                    let gi = gain[i]
                    if gain[ys[0]] - gi - floor < min(bestDelta, max(aspiration, tabuDelta)) { break }
                    let row = i * n
                    let iTabu = tabuUntil[i] > iteration
                    for j in ys {
                        let bound = gain[j] - gi - floor
                        if bound < min(bestDelta, max(aspiration, tabuDelta)) { break }
                        let delta = gain[j] - gi - lambda * b[row + j]
                        if iTabu || tabuUntil[j] > iteration {
                            if delta > tabuDelta { tabuDelta = delta; tabuOut = i; tabuIn = j }
                        } else if delta > bestDelta {
                            bestDelta = delta; bestOut = i; bestIn = j; ties = 1
                        } else if delta == bestDelta {
                            // Ties are common on integer data: pick one at random.
                            ties += 1
                            if Int.random(in: 0..<ties, using: &rng) == 0 { bestOut = i; bestIn = j }
                        }
                    }
                }
            }
            var out = bestOut, into = bestIn, delta = bestDelta
            if tabuOut >= 0 && (bestOut < 0 || (tabuDelta > aspiration && tabuDelta > bestDelta)) {
                out = tabuOut; into = tabuIn; delta = tabuDelta
            }
            if out < 0 { return } // no move at all (cannot happen with 0 < k < n)
            swapItems(out: out, into: into, lambda: lambda)
            value += delta
            let factor = Self.tenurePattern[(iteration / 100) % Self.tenurePattern.count]
            tabuUntil[out] = iteration + tenureUnit * factor
            tabuUntil[into] = iteration + (7 * tenureUnit * factor + 5) / 10
            if value > bestValue + tolerance {
                bestMembers = members
                bestValue = value
                stagnation = 0
            } else {
                stagnation += 1
            }
        }
    }

    /// Tenure factors over 1 500 iterations: mostly short, with bursts of
    /// 2, 4 and 8 times longer that push the search farther away.
    private static let tenurePattern = [1, 2, 1, 4, 1, 2, 1, 8, 1, 2, 1, 4, 1, 2, 1]

    private mutating func swapItems(out: Int, into: Int, lambda: Double) {
        let a = position[out], b = position[into]
        members[a] = into
        outsiders[b] = out
        position[into] = a
        position[out] = b
        inside[out] = false
        inside[into] = true
        problem.pairwise.withUnsafeBufferPointer { w in
            let rowIn = into * n, rowOut = out * n
            for j in 0..<n { gain[j] += lambda * (w[rowIn + j] - w[rowOut + j]) }
        }
    }
}

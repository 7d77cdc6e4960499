/// The adaptive schedule: after every step, keep each candidate that could
/// still belong to the best group given how much the scores are still
/// moving - never fewer than K, never more than the evaluation budget allows.
///
/// Evidence per candidate i, from this step's and the previous step's scores:
/// - its movement v_i = |Δu_i| + λ(K−1)·mean_j |Δb_ij| (how much its value to
///   a group changed in one step), and the horizon H: the movement still to
///   come, in steps of today's size - from the decay of the typical movement
///   (r = median v now / median v one step earlier, H = r/(1−r)), at most the
///   steps left;
/// - its distance to the best group G (the caller's, indices into `ids`): the loss of the best single swap that
///   brings it in, min over w ∈ G of (value_w − value_i + λb_iw).
/// i stays if that loss ≤ (v_i + v_w)·H: its value and the member's can
/// still cross. Near-duplicates of members lose their pairwise value and fall
/// early; quality differences are judged once the scores settle.
///
/// The budget is paced: at most as many survivors as a plan falling by
/// `pace` per step down to K can afford with the evaluations left, so no
/// step spends what later, better-informed steps need.
enum AdaptiveRule {
    static let pace = 0.85

    static func keepCount(step t: Int, steps: Int, groupSize k: Int, lambda: Double,
                          ids: [Int32], unary: [Double], pairwise: [Double], group: [Int], previous: StepRecord?,
                          previousMovement: Double?, spent: Int, budget: Int) -> Int {
        let n = ids.count
        if t >= steps - 1 || n <= k { return min(k, n) }
        let allowed = pacedCap(n: n, groupSize: k, stepsLeft: steps - 1 - t, evaluationsLeft: budget - spent)
        guard let previous else { return allowed } // no evidence of movement yet

        let change = perCandidateMovement(ids: ids, unary: unary, pairwise: pairwise, previous: previous,
                                          lambda: lambda, groupSize: k)
        let typical = median(change)
        let stepsLeft = Double(steps - 1 - t)
        var horizon = stepsLeft
        if let before = previousMovement, before > 0 {
            let r = typical / before
            if r < 1 { horizon = min(stepsLeft, r / (1 - r)) }
        }
        guard !group.isEmpty else { return allowed }
        var inGroup = [Bool](repeating: false, count: n)
        for g in group { inGroup[g] = true }
        // value_x = u_x + λ Σ_{g ∈ G, g ≠ x} b_xg
        let value = (0..<n).map { x in
            group.reduce(unary[x]) { $1 == x ? $0 : $0 + lambda * pairwise[x * n + $1] }
        }
        var plausible = 0
        for i in 0..<n where !inGroup[i] {
            var loss = Double.infinity, partner = group[0]
            for w in group {
                let l = value[w] - value[i] + lambda * pairwise[i * n + w]
                if l < loss { loss = l; partner = w }
            }
            if loss <= (change[i] + change[partner]) * horizon { plausible += 1 }
        }
        return min(allowed, k + plausible)
    }

    /// The most survivors a plan n, n·pace, n·pace², ... (never below K) over
    /// the steps left can keep within the evaluations left.
    static func pacedCap(n: Int, groupSize k: Int, stepsLeft: Int, evaluationsLeft: Int) -> Int {
        func cost(_ start: Int) -> Int {
            var total = 0, size = Double(start)
            for _ in 0..<stepsLeft {
                total += max(k, Int(size.rounded(.up)))
                size *= pace
            }
            return total
        }
        var low = k, high = n // cost(k) fits whenever the budget was valid
        while low < high {
            let mid = (low + high + 1) / 2
            if cost(mid) <= evaluationsLeft { low = mid } else { high = mid - 1 }
        }
        return low
    }

    /// Per candidate (in `ids` order) the movement since `previous`; candidates
    /// it did not score count as moving by the largest amount seen.
    static func perCandidateMovement(ids: [Int32], unary: [Double], pairwise: [Double], previous: StepRecord,
                                     lambda: Double, groupSize k: Int) -> [Double] {
        let n = ids.count, m = previous.ids.count
        var where_ = [Int32: Int]()
        for (a, id) in previous.ids.enumerated() { where_[id] = a }
        let at = ids.map { where_[$0] }
        var change = [Double](repeating: -1, count: n)
        for i in 0..<n {
            guard let p = at[i] else { continue }
            var drift = 0.0, common = 0
            for j in 0..<n where j != i {
                guard let q = at[j] else { continue }
                drift += abs(pairwise[i * n + j] - previous.pairwise[p * m + q])
                common += 1
            }
            let pairDrift = common > 0 ? abs(lambda) * Double(k - 1) * drift / Double(common) : 0
            change[i] = abs(unary[i] - previous.unary[p]) + pairDrift
        }
        let largest = change.max() ?? 0
        return change.map { $0 < 0 ? largest : $0 }
    }

    /// The typical movement between two detailed records of the same candidates.
    static func movement(from earlier: StepRecord, to later: StepRecord, lambda: Double, groupSize k: Int) -> Double {
        median(perCandidateMovement(ids: later.ids, unary: later.unary, pairwise: later.pairwise,
                                    previous: earlier, lambda: lambda, groupSize: k))
    }

    static func median(_ x: [Double]) -> Double {
        guard !x.isEmpty else { return 0 }
        let s = x.sorted()
        return s.count % 2 == 1 ? s[s.count / 2] : 0.5 * (s[s.count / 2 - 1] + s[s.count / 2])
    }
}

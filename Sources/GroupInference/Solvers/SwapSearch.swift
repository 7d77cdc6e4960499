/// Best-improvement swap local search: exchange one chosen item for one
/// unchosen item while that raises the objective. Never returns a worse
/// selection than it was given.
///
/// A swap of i (in) for j (out) gains value_j − value_i − λb_ij ≤
/// value_j − value_i − min λb, so scanning the members by increasing value
/// and the others by decreasing value can stop as soon as that bound cannot
/// beat the best swap found: most of the K·(n−K) pairs are never looked at.
/// Stops improving once the clock passes `deadline`.
enum SwapSearch {
    static func improve(_ p: SelectionProblem, from start: [Int], deadline: Double = .infinity) -> [Int] {
        let n = p.count, k = start.count
        guard k > 0, k < n else { return start.sorted() }
        var inSet = [Bool](repeating: false, count: n)
        for i in start { inSet[i] = true }
        var members = start
        // value[j] = u_j + λ Σ_{k∈S} b_jk, the gain of j given the current set.
        guard var value = p.marginalGains(given: members, deadline: deadline) else { return start.sorted() }
        let lambda = p.lambda
        // A swap must gain more than rounding noise, which also rules out cycling.
        let tolerance = 1e-12 * (1 + abs(p.objective(of: members)))
        var iterations = 0
        let floor = p.minWeightedPair
        while iterations < 100 * n {
            iterations += 1
            if Stopwatch.now() > deadline { break }
            var bestDelta = tolerance, bestOut = -1, bestIn = -1
            let leaving = members.indices.sorted { value[members[$0]] < value[members[$1]] }
            let entering = (0..<n).filter { !inSet[$0] }.sorted { value[$0] > value[$1] }
            p.pairwise.withUnsafeBufferPointer { b in
                for slot in leaving {
                    let i = members[slot], leave = value[i]
                    if value[entering[0]] - leave - floor <= bestDelta { break }
                    let row = i * n
                    for j in entering {
                        if value[j] - leave - floor <= bestDelta { break }
                        let delta = value[j] - lambda * b[row + j] - leave
                        if delta > bestDelta { bestDelta = delta; bestOut = slot; bestIn = j }
                    }
                }
            }
            guard bestIn >= 0 else { break }
            let out = members[bestOut]
            members[bestOut] = bestIn
            inSet[out] = false
            inSet[bestIn] = true
            p.pairwise.withUnsafeBufferPointer { b in
                for j in 0..<n { value[j] += lambda * (b[j * n + bestIn] - b[j * n + out]) }
            }
        }
        return members.sorted()
    }
}

/// Greedy insertion: repeatedly add the item with the largest marginal gain
/// `u_j + λ Σ_{k∈S} b_jk`. O(n·K). Ties go to the lower index, so the result
/// is deterministic.
enum GreedySelection {
    static func select(_ p: SelectionProblem) -> [Int] {
        let n = p.count
        var chosen = [Bool](repeating: false, count: n)
        var pairSum = [Double](repeating: 0, count: n) // Σ_{k∈S} b_jk
        var selection: [Int] = []
        selection.reserveCapacity(p.groupSize)
        for _ in 0..<p.groupSize {
            var best = -1
            var bestGain = -Double.infinity
            for j in 0..<n where !chosen[j] {
                let gain = p.unary[j] + p.lambda * pairSum[j]
                if best < 0 || gain > bestGain { bestGain = gain; best = j }
            }
            chosen[best] = true
            selection.append(best)
            p.pairwise.withUnsafeBufferPointer { b in
                let row = best * n
                for k in 0..<n { pairSum[k] += b[row + k] }
            }
        }
        return selection.sorted()
    }
}

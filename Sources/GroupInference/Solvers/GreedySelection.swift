/// Greedy insertion: repeatedly add the item with the largest marginal gain
/// `u_j + λ Σ_{k∈S} b_jk`. O(n·K). Ties go to the lower index, so the result
/// is deterministic. If the clock passes `deadline` first, the items still
/// missing are the largest gains at that moment (one step of the same rule).
enum GreedySelection {
    static func select(_ p: SelectionProblem, deadline: Double = .infinity) -> [Int] {
        let n = p.count, k = p.groupSize, lambda = p.lambda
        var chosen = [Bool](repeating: false, count: n)
        var pairSum = [Double](repeating: 0, count: n) // Σ_{k∈S} b_jk
        var selection: [Int] = []
        selection.reserveCapacity(k)
        p.pairwise.withUnsafeBufferPointer { b in
            pairSum.withUnsafeMutableBufferPointer { s in
                while selection.count < k {
                    if Stopwatch.now() > deadline {
                        var rest: [(gain: Double, item: Int)] = []
                        for j in 0..<n where !chosen[j] { rest.append((p.unary[j] + lambda * s[j], j)) }
                        rest.sort { $0.gain > $1.gain || ($0.gain == $1.gain && $0.item < $1.item) }
                        selection += rest.prefix(k - selection.count).map(\.item)
                        return
                    }
                    var best = -1
                    var bestGain = -Double.infinity
                    for j in 0..<n where !chosen[j] {
                        let gain = p.unary[j] + lambda * s[j]
                        if best < 0 || gain > bestGain { bestGain = gain; best = j }
                    }
                    chosen[best] = true
                    selection.append(best)
                    let row = best * n
                    for j in 0..<n { s[j] += b[row + j] }
                }
            }
        }
        return selection.sorted()
    }
}

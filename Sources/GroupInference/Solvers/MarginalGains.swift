extension SelectionProblem {
    /// `u_j + λ Σ_{m∈selection} b_jm` for every item j: what j adds to (or,
    /// for a member, contributes to) `selection`. Summed row by row (b is
    /// symmetric) for contiguous reads, O(n·K); nil if the clock passes
    /// `deadline` (monotonic seconds) first.
    func marginalGains(given selection: [Int], deadline: Double = .infinity) -> [Double]? {
        let n = count
        var sums = [Double](repeating: 0, count: n)
        let done = pairwise.withUnsafeBufferPointer { b in
            sums.withUnsafeMutableBufferPointer { s in
                for (a, m) in selection.enumerated() {
                    if a % 64 == 63 && Stopwatch.now() > deadline { return false }
                    let row = m * n
                    for j in 0..<n { s[j] += b[row + j] }
                }
                return true
            }
        }
        guard done else { return nil }
        for j in 0..<n { sums[j] = unary[j] + lambda * sums[j] }
        return sums
    }
}

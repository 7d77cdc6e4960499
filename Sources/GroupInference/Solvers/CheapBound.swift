/// A valid upper bound on the optimum in O(n²): in any group, item i earns at
/// most `c_i = u_i + ½ · (sum of its K−1 largest λ·b_ij)`, so the optimum is at
/// most the sum of the K largest c_i. Exact when λ = 0.
enum CheapBound {
    /// Rows longer than this bound their top sums by a threshold (one pass)
    /// rather than select them exactly: at M = 1024 exact selection would
    /// cost more than the heuristic itself.
    static let exactRows = 256

    static func bound(_ p: SelectionProblem) -> Double { bound(p, deadline: .infinity)! }

    /// Up to this many items the bound is always computed (a few ms at
    /// most): a caller with a tiny time limit still gets a bound.
    static let alwaysComputedUpTo = 1024

    /// The bound, or nil if the clock passes `deadline` (monotonic seconds)
    /// first, beyond `alwaysComputedUpTo` items: at M = 8192 it reads
    /// 512 MiB of scores, a few hundred ms.
    static func bound(_ p: SelectionProblem, deadline: Double) -> Double? {
        let n = p.count, k = p.groupSize
        var perItem = [Double](repeating: 0, count: n)
        var row = [Double](repeating: 0, count: max(n - 1, 0))
        let finished = p.pairwise.withUnsafeBufferPointer { b in
            for i in 0..<n {
                if n > alwaysComputedUpTo && i % 64 == 63 && Stopwatch.now() > deadline { return false }
                let top: Double
                if n <= exactRows {
                    var m = 0
                    for j in 0..<n where j != i { row[m] = p.lambda * b[i * n + j]; m += 1 }
                    top = TopSum.largest(k - 1, of: &row)
                } else {
                    // The top of λ·b is λ times the top of b (or of −b for λ < 0);
                    // the zero diagonal may join the row: that only loosens the bound.
                    let r = UnsafeBufferPointer(rebasing: b[(i * n)..<(i * n + n)])
                    top = abs(p.lambda) * TopSum.upperBound(k - 1, of: r, negated: p.lambda < 0)
                }
                perItem[i] = p.unary[i] + 0.5 * top
            }
            return true
        }
        return finished ? TopSum.largest(k, of: &perItem) : nil
    }
}

/// Sum of the `count` largest values, by quickselect (reorders `values`).
enum TopSum {
    static func largest(_ count: Int, of values: inout [Double]) -> Double {
        let n = values.count
        if count <= 0 { return 0 }
        if count >= n { return values.reduce(0, +) }
        // Move the `count` largest values to the front.
        values.withUnsafeMutableBufferPointer { select($0, rank: count - 1) }
        var s = 0.0
        for i in 0..<count { s += values[i] }
        return s
    }

    /// An upper bound on the sum of the `count` largest values (of the
    /// negated values if `negated`) without selecting them: for every
    /// threshold t that sum is at most count·t + Σ max(x − t, 0) (LP
    /// duality), tightest at the count-th largest value. Three thresholds
    /// near it come from a strided sample and are tried in one pass.
    static func upperBound(_ count: Int, of values: UnsafeBufferPointer<Double>, negated: Bool = false) -> Double {
        let n = values.count
        let sign = negated ? -1.0 : 1.0
        if count <= 0 { return 0 }
        if count >= n { return values.reduce(0) { $0 + sign * $1 } }
        let stride = max(1, n / 64)
        let samples = (n + stride - 1) / stride
        let t = withUnsafeTemporaryAllocation(of: Double.self, capacity: samples) { sample in
            for (q, i) in Swift.stride(from: 0, to: n, by: stride).enumerated() { sample[q] = sign * values[i] }
            let at = min(samples - 1, count * samples / n)
            return descendingRanks(sample, around: at)
        }
        let excess = positivePartSums(values, sign: sign, minus: t)
        let c = Double(count)
        return min(c * t[0] + excess[0], c * t[1] + excess[1], c * t[2] + excess[2])
    }

    /// The values of ranks at − 1, at, at + 1 (clamped) in descending order,
    /// by one quickselect and a scan of what it left below (reorders `v`).
    static func descendingRanks(_ v: UnsafeMutableBufferPointer<Double>, around at: Int) -> SIMD3<Double> {
        let first = max(at - 1, 0), last = v.count - 1
        select(v, rank: first)
        // After the selection v[first + 1...] holds the values below rank `first`.
        var second = -Double.infinity, third = -Double.infinity
        for i in (first + 1)..<v.count {
            let x = v[i]
            if x > second { third = second; second = x } else if x > third { third = x }
        }
        let atValue = at == first ? v[first] : second
        let nextValue = min(at + 1, last) == at ? atValue : (at == first ? second : third)
        return SIMD3(v[first], atValue, nextValue)
    }

    /// Moves the value of descending rank `rank` to v[rank], larger ones
    /// before it and smaller ones after it (Hoare quickselect).
    static func select(_ v: UnsafeMutableBufferPointer<Double>, rank target: Int) {
        var lo = 0, hi = v.count - 1
        while lo < hi {
            let mid = lo + (hi - lo) / 2
            let pivot = median(v[lo], v[mid], v[hi])
            var i = lo, j = hi
            while i <= j {
                while v[i] > pivot { i += 1 }
                while v[j] < pivot { j -= 1 }
                if i <= j { v.swapAt(i, j); i += 1; j -= 1 }
            }
            if target <= j { hi = j } else if target >= i { lo = i } else { return }
        }
    }

    /// Σ max(sign·x − t_q, 0) for three thresholds in one pass, four lanes
    /// at a time: branch-free, since half the values of a row may lie on
    /// either side of a threshold.
    static func positivePartSums(_ values: UnsafeBufferPointer<Double>, sign: Double,
                                 minus t: SIMD3<Double>) -> SIMD3<Double> {
        let n = values.count, blocks = n / 4
        var a0 = SIMD4<Double>(), a1 = SIMD4<Double>(), a2 = SIMD4<Double>()
        let s4 = SIMD4<Double>(repeating: sign), zero = SIMD4<Double>()
        let t0 = SIMD4<Double>(repeating: t[0]), t1 = SIMD4<Double>(repeating: t[1]), t2 = SIMD4<Double>(repeating: t[2])
        for blk in 0..<blocks {
            let b = blk * 4
            let x = SIMD4<Double>(values[b], values[b + 1], values[b + 2], values[b + 3]) * s4
            a0 += (x - t0).replacing(with: zero, where: x .< t0)
            a1 += (x - t1).replacing(with: zero, where: x .< t1)
            a2 += (x - t2).replacing(with: zero, where: x .< t2)
        }
        var total = SIMD3<Double>(a0.sum(), a1.sum(), a2.sum())
        for i in (blocks * 4)..<n {
            let x = sign * values[i]
            total += SIMD3(max(x - t[0], 0), max(x - t[1], 0), max(x - t[2], 0))
        }
        return total
    }

    private static func median(_ a: Double, _ b: Double, _ c: Double) -> Double {
        max(min(a, b), min(max(a, b), c))
    }
}

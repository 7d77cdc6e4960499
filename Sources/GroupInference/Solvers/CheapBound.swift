/// A valid upper bound on the optimum in O(n²): in any group, item i earns at
/// most `c_i = u_i + ½ · (sum of its K−1 largest λ·b_ij)`, so the optimum is at
/// most the sum of the K largest c_i. Exact when λ = 0.
enum CheapBound {
    static func bound(_ p: SelectionProblem) -> Double {
        let n = p.count, k = p.groupSize
        var perItem = [Double](repeating: 0, count: n)
        var row = [Double](repeating: 0, count: max(n - 1, 0))
        p.pairwise.withUnsafeBufferPointer { b in
            for i in 0..<n {
                var m = 0
                for j in 0..<n where j != i { row[m] = p.lambda * b[i * n + j]; m += 1 }
                perItem[i] = p.unary[i] + 0.5 * TopSum.largest(k - 1, of: &row)
            }
        }
        return TopSum.largest(k, of: &perItem)
    }
}

/// Sum of the `count` largest values, by quickselect (reorders `values`).
enum TopSum {
    static func largest(_ count: Int, of values: inout [Double]) -> Double {
        let n = values.count
        if count <= 0 { return 0 }
        if count >= n { return values.reduce(0, +) }
        values.withUnsafeMutableBufferPointer { v in
            // Move the `count` largest values to the front.
            var lo = 0, hi = n - 1
            let target = count - 1
            while lo < hi {
                let mid = lo + (hi - lo) / 2
                let pivot = median(v[lo], v[mid], v[hi])
                var i = lo, j = hi
                while i <= j {
                    while v[i] > pivot { i += 1 }
                    while v[j] < pivot { j -= 1 }
                    if i <= j { v.swapAt(i, j); i += 1; j -= 1 }
                }
                if target <= j { hi = j } else if target >= i { lo = i } else { break }
            }
        }
        var s = 0.0
        for i in 0..<count { s += values[i] }
        return s
    }

    private static func median(_ a: Double, _ b: Double, _ c: Double) -> Double {
        max(min(a, b), min(max(a, b), c))
    }
}

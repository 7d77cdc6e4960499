/// Enumerates every group: the reference the tests compare the other solvers
/// against. Only for small problems (C(n, K) groups).
public enum BruteForce {
    public static func solve(_ p: SelectionProblem) -> Solution {
        let clock = Stopwatch()
        let n = p.count, k = p.groupSize
        var current = Array(0..<k)
        var best = current, bestValue = p.objective(of: current)
        var visited = 1
        while advance(&current, n: n) {
            visited += 1
            let v = p.objective(of: current)
            if v > bestValue { bestValue = v; best = current }
        }
        return Solution(selection: best, objective: bestValue, bound: bestValue, boundKind: .trivial,
                        status: .optimal, seconds: clock.elapsed, nodes: visited)
    }

    /// Next k-combination of 0..<n in lexicographic order; false after the last.
    private static func advance(_ c: inout [Int], n: Int) -> Bool {
        let k = c.count
        var i = k - 1
        while i >= 0 && c[i] == n - k + i { i -= 1 }
        if i < 0 { return false }
        c[i] += 1
        for j in (i + 1)..<k { c[j] = c[j - 1] + 1 }
        return true
    }
}

/// Choose `groupSize` of `count` items to maximise
/// `Σ u_i y_i + λ Σ_{i<j} b_ij y_i y_j`.
///
/// ```swift
/// let p = try SelectionProblem(unary: [1, 0.5, 0.2], pairwise: b, lambda: 1, groupSize: 2)
/// let s = try solve(p, options: SolverOptions())
/// ```
public struct SelectionProblem: Sendable {
    public let count: Int
    public let unary: [Double]
    /// count × count, row-major, symmetric, zero diagonal.
    public let pairwise: [Double]
    public let lambda: Double
    public let groupSize: Int
    /// min over i ≠ j of λ·b_ij: lets local search skip swaps that cannot gain.
    let minWeightedPair: Double

    /// Validates a problem given by a caller: sizes, finiteness, and the
    /// pairwise rule (`PairwiseMatrix`: symmetric, or strictly triangular and
    /// then mirrored). The diagonal is ignored (set to zero).
    public init(unary: [Double], pairwise: [Double], lambda: Double, groupSize: Int) throws(GroupInferenceError) {
        let n = unary.count
        guard n >= 1 else { throw .argument("the problem has no items (n = 0)") }
        guard n <= Limits.maxCandidates else {
            throw .limit("n = \(n) items exceeds the limit of \(Limits.maxCandidates)")
        }
        guard pairwise.count == n * n else {
            throw .argument("the pairwise matrix has \(pairwise.count) entries; \(n) items need \(n) x \(n) = \(n * n)")
        }
        guard groupSize >= 1, groupSize <= n else {
            throw .argument("k = \(groupSize) is out of range: choose between 1 and n = \(n)")
        }
        guard lambda.isFinite else { throw .argument("lambda = \(lambda) is not finite") }
        for i in 0..<n where !unary[i].isFinite {
            throw .scores("unary[\(i)] = \(unary[i]) is not finite")
        }
        for i in 0..<n {
            for j in (i + 1)..<n where !pairwise[i * n + j].isFinite || !pairwise[j * n + i].isFinite {
                throw .scores("pairwise[\(i)][\(j)] or pairwise[\(j)][\(i)] is not finite (\(pairwise[i * n + j]), \(pairwise[j * n + i]))")
            }
        }
        let b: [Double]
        do {
            b = try pairwise.withUnsafeBufferPointer { m throws(PairwiseMatrix.Asymmetry) in
                try PairwiseMatrix.symmetric(m, count: n)
            }
        } catch {
            throw .argument(error.message { String($0) })
        }
        self.init(trusted: unary, pairwise: b, lambda: lambda, groupSize: groupSize)
        try checkMagnitude()
    }

    /// Refuses values whose sums could overflow float64 (or break GLPK): every
    /// |u_i| and |λ·b_ij| at most `Limits.maxMagnitude`. Finite inputs can
    /// still overflow once weighted; the solvers rely on this check.
    public func checkMagnitude() throws(GroupInferenceError) {
        let limit = Limits.maxMagnitude
        for (i, x) in unary.enumerated() where !(abs(x) <= limit) {
            throw .scores("unary[\(i)] = \(x) is beyond ±\(limit), where the objective could overflow; rescale the scores")
        }
        let n = count
        for i in 0..<n {
            for j in 0..<n where i != j && !(abs(lambda * pairwise[i * n + j]) <= limit) {
                throw .scores("lambda * pairwise[\(i)][\(j)] = \(lambda * pairwise[i * n + j]) is beyond ±\(limit), where the objective could overflow; rescale lambda or the scores")
            }
        }
    }

    /// For data the library assembled and already checked.
    init(trusted unary: [Double], pairwise: [Double], lambda: Double, groupSize: Int) {
        var low = Double.infinity, high = -Double.infinity
        let n = unary.count
        pairwise.withUnsafeBufferPointer { b in
            for i in 0..<n {
                for j in 0..<n where j != i { low = min(low, b[i * n + j]); high = max(high, b[i * n + j]) }
            }
        }
        self.init(trusted: unary, pairwise: pairwise, lambda: lambda, groupSize: groupSize,
                  minWeightedPair: n < 2 ? 0 : min(lambda * low, lambda * high))
    }

    /// For assembled data whose smallest λ·b_ij (or a lower bound on it) is
    /// already known: no pass over the matrix.
    init(trusted unary: [Double], pairwise: [Double], lambda: Double, groupSize: Int, minWeightedPair: Double) {
        self.count = unary.count
        self.unary = unary
        self.pairwise = pairwise
        self.lambda = lambda
        self.groupSize = groupSize
        self.minWeightedPair = minWeightedPair
    }

    /// The objective of a selection of distinct indices, in float64.
    public func objective(of selection: [Int]) -> Double {
        var unaryPart = 0.0, pairPart = 0.0
        // Indices checked once, then read unchecked: at K = 4096 this sum is
        // 8 million reads and part of every solve's time.
        for i in selection { precondition(i >= 0 && i < count, "index \(i) out of 0..<\(count)") }
        pairwise.withUnsafeBufferPointer { b in
            selection.withUnsafeBufferPointer { s in
                for a in 0..<s.count {
                    let i = s[a], row = i * count
                    unaryPart += unary[i]
                    for c in (a + 1)..<s.count { pairPart += b[row + s[c]] }
                }
            }
        }
        return unaryPart + lambda * pairPart
    }
}

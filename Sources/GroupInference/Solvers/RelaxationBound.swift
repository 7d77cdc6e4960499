/// The concave-relaxation bound of a whole problem, for problems too large
/// for the exact search: it certifies how far a selection can be from the
/// optimum. Costs one eigenvalue (O(n³), LAPACK) and `iterations` O(n²) steps.
public enum RelaxationBound {
    /// A valid upper bound on the optimum, from the relaxation started at
    /// `selection`; nil if LAPACK fails.
    public static func compute(_ p: SelectionProblem, near selection: [Int], iterations: Int = 200) -> Double? {
        let w = p.pairwise.map { $0 * p.lambda }
        guard let sigma = ConcavityShift.compute(w, count: p.count) else { return nil }
        var start = [Double](repeating: 0, count: p.count)
        for i in selection { start[i] = 1 }
        let relaxation = ConcaveRelaxation(w: w, n: p.count, sigma: sigma, free: Array(0..<p.count),
                                           remaining: p.groupSize, constant: 0, linear: p.unary)
        return relaxation.estimate(from: start, iterations: iterations, target: -.infinity).bound
    }
}


/// Upper bounds from the concave relaxation of a subproblem: some items fixed
/// in (their contribution folded into `linear` and `constant`), `free` items
/// still open, `remaining` of them to choose. With Q = W − σI concave on the
/// hyperplane, for binary y
///
///     f(y) = constant + linearᵀy + ½ yᵀQy + ½σ·remaining.
///
/// For any y on the hyperplane Σy = remaining, concavity gives the
/// Frank–Wolfe bound  max f ≤ g(y) + max_{x ∈ box, Σx = r} ∇g(y)ᵀ(x − y),
/// valid however roughly y was optimised. Accelerated projected gradient
/// ascent makes it tight.
struct ConcaveRelaxation {
    let free: [Int]
    let remaining: Int
    let sigma: Double
    let constant: Double
    /// Linear term over the free items (u_j + Σ_{i fixed in} w_ij).
    let linear: [Double]
    /// Q restricted to the free items, row-major.
    private let q: [Double]
    private let lipschitz: Double

    /// The outcome: the bound, the point it was taken at and the gradient there.
    struct Estimate {
        var bound: Double
        var point: [Double]
        var gradient: [Double]
    }

    init(w: [Double], n: Int, sigma: Double, free: [Int], remaining: Int,
         constant: Double, linear: [Double]) {
        self.free = free
        self.remaining = remaining
        self.sigma = sigma
        self.constant = constant
        self.linear = linear
        let m = free.count
        var q = [Double](repeating: 0, count: m * m)
        var rowSum = 0.0
        w.withUnsafeBufferPointer { w in
            q.withUnsafeMutableBufferPointer { q in
                for (a, i) in free.enumerated() {
                    var s = 0.0
                    for (b, j) in free.enumerated() {
                        let v = a == b ? -sigma : w[i * n + j]
                        q[a * m + b] = v
                        s += abs(v)
                    }
                    rowSum = max(rowSum, s)
                }
            }
        }
        self.q = q
        // Gershgorin: ‖Q‖₂ ≤ max row sum, a safe gradient Lipschitz constant.
        lipschitz = max(rowSum, 1e-12)
    }

    /// FISTA from `start` (nil: the uniform point), at most `iterations`
    /// steps. Stops once the bound falls to `target` (nothing better than the
    /// incumbent here), or once it is close to the relaxation's optimum
    /// relative to its distance from `target` (more steps would not change
    /// what the bound decides), or once the clock passes `deadline`: the
    /// bound is valid after any number of steps.
    func estimate(from start: [Double]?, iterations: Int, target: Double, deadline: Double = .infinity) -> Estimate {
        let m = free.count, r = Double(remaining)
        var projector = Projector(total: r)
        var y = start ?? [Double](repeating: r / Double(m), count: m)
        projector.project(&y)
        var z = y, previous = y, step = y
        var gradient = y, gradientZ = y
        var t = 1.0
        var best = Estimate(bound: .infinity, point: y, gradient: [])
        for iteration in 0..<max(iterations, 1) {
            if iteration > 0 && Stopwatch.now() > deadline { break }
            let (value, bound) = evaluate(&y, gradient: &gradient)
            if bound < best.bound { best = Estimate(bound: bound, point: y, gradient: gradient) }
            let closeness = best.bound - value
            if best.bound <= target || closeness <= 1e-9 * max(1, abs(value))
                || closeness <= 0.02 * (best.bound - target) { break }
            // A gradient step from the extrapolated point z, then projection.
            if z == y { gradientZ = gradient } else { multiply(z, into: &gradientZ) }
            for a in 0..<m { step[a] = z[a] + gradientZ[a] / lipschitz }
            swap(&previous, &y)
            y = step
            projector.project(&y)
            let tNext = 0.5 * (1 + (1 + 4 * t * t).squareRoot())
            let momentum = (t - 1) / tNext
            t = tNext
            for a in 0..<m { z[a] = y[a] + momentum * (y[a] - previous[a]) }
        }
        return best
    }

    /// out = linear + Q·y. Hand-vectorised rather than BLAS: for the few
    /// hundred items of a subproblem, OpenBLAS's thread hand-off costs more
    /// than the product.
    private func multiply(_ y: [Double], into out: inout [Double]) {
        let m = free.count, blocks = m / 4
        q.withUnsafeBufferPointer { q in
            y.withUnsafeBufferPointer { y in
                out.withUnsafeMutableBufferPointer { out in
                    for a in 0..<m {
                        let row = a * m
                        var acc = SIMD4<Double>()
                        for blk in 0..<blocks {
                            let b = blk * 4
                            let qs = SIMD4<Double>(q[row + b], q[row + b + 1], q[row + b + 2], q[row + b + 3])
                            let ys = SIMD4<Double>(y[b], y[b + 1], y[b + 2], y[b + 3])
                            acc += qs * ys
                        }
                        var s = acc.sum()
                        for b in (blocks * 4)..<m { s += q[row + b] * y[b] }
                        out[a] = linear[a] + s
                    }
                }
            }
        }
    }

    /// g(y) and the Frank–Wolfe bound at y; fills the gradient. Moves y onto
    /// the hyperplane first, as rounding leaves Σy a hair off `remaining`.
    private func evaluate(_ y: inout [Double], gradient: inout [Double]) -> (value: Double, bound: Double) {
        let m = free.count
        var sum = 0.0
        for v in y { sum += v }
        let shift = (Double(remaining) - sum) / Double(m)
        if shift != 0 { for a in 0..<m { y[a] += shift } }
        multiply(y, into: &gradient)
        var lin = 0.0, gy = 0.0
        for a in 0..<m {
            lin += linear[a] * y[a]
            gy += gradient[a] * y[a]
        }
        let value = constant + lin + 0.5 * (gy - lin) + 0.5 * sigma * Double(remaining) // yᵀQy = gy − lin
        var g = gradient
        let top = TopSum.largest(remaining, of: &g)
        return (value, value + top - gy)
    }
}

/// Euclidean projection onto {0 ≤ x ≤ 1, Σx = total}: x = clip(v − τ). The
/// sum φ(τ) = Σ clip(v_i − τ, 0, 1) is piecewise linear and decreasing, so
/// Newton steps from the last τ find it in a few passes; bisection guards them.
struct Projector {
    let total: Double
    private var tau = 0.0

    init(total: Double) { self.total = total }

    mutating func project(_ v: inout [Double]) {
        var lo = -Double.infinity, hi = Double.infinity
        var t = tau
        for _ in 0..<100 {
            var s = 0.0, slope = 0
            for x in v {
                let d = x - t
                if d >= 1 { s += 1 } else if d > 0 { s += d; slope += 1 }
            }
            let excess = s - total
            if abs(excess) <= 1e-13 * max(1, total) { break }
            if excess > 0 { lo = t } else { hi = t }
            var next = slope > 0 ? t + excess / Double(slope) : .nan
            if !(next > lo && next < hi) {
                // Newton left the bracket (a kink, or no slope): bisect, or
                // widen while one side is still unknown.
                if lo.isFinite && hi.isFinite { next = 0.5 * (lo + hi) } else if lo.isFinite { next = lo + 1 } else { next = hi - 1 }
            }
            if next == t { break }
            t = next
        }
        tau = t
        for a in v.indices { v[a] = min(max(v[a] - t, 0), 1) }
    }
}

import GroupInference

/// What one prune costs the host: scores assembled from a unary and an
/// embedding scorer (D = 768, float32, clustered like the shared instances),
/// the cosine-distance matrix through BLAS, and the QIP solved - at the
/// reference schedule's first halving step.
enum OverheadBench {
    static func run(sizes: [Int], dimension d: Int, repeats: Int) throws {
        print("Session overhead per prune (M -> M/2, K = 4, D = \(d), median of \(repeats)), microseconds")
        print("     M  solver         scoring      solving  prune total    per cand.")
        for m in sizes {
            let (problem, features) = InstanceGenerator.real(m: m, k: m / 2, seed: 1, dimension: d)
            let quality = problem.unary
            for choice in [SolverChoice.auto, .heuristic] {
                var scoring: [Double] = [], solving: [Double] = [], total: [Double] = []
                for _ in 0..<repeats {
                    var c = SessionConfiguration()
                    c.candidates = m; c.groupSize = 4; c.steps = 2; c.lambda = 1.0 / 3
                    c.solver.choice = choice
                    let s = try GroupSession(c)
                    try s.add(.unary("quality") { _, ids, out in
                        for (a, i) in ids.enumerated() { out[a] = quality[Int(i)] }
                    })
                    try s.add(.embedding("features", dimension: d) { _, ids, out in
                        for (a, i) in ids.enumerated() {
                            for t in 0..<d { out[a * d + t] = features[Int(i) * d + t] }
                        }
                    })
                    s.denoiser = { _, _ in }
                    let seconds = try medianSeconds(repeats: 1) { try s.step() }
                    let r = s.records[0]
                    scoring.append(r.secondsScoring); solving.append(r.secondsSolving); total.append(seconds)
                }
                func median(_ x: [Double]) -> Double { x.sorted()[x.count / 2] * 1e6 }
                let name = choice == .auto ? "auto     " : "heuristic"
                print(f("%6d  ", m) + name + f(" %12.0f %12.0f %12.0f %12.2f",
                        median(scoring), median(solving), median(total), median(total) / Double(m)))
            }
        }
    }
}

typealias BenchRNG = SplitMix64

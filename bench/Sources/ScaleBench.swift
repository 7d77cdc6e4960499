import GroupInference

/// Anytime selection at scale: M = 1024 with K = 32 and K = 512 on generated
/// instances. The heuristic's and auto's time, objective and reported (cheap)
/// bound; the best known objective (300 rounds of iterated local search);
/// and the concave-relaxation bound (LAPACK eigenvalue + 300 gradient steps,
/// not part of the timed solve) that certifies how close to the optimum it is.
enum ScaleBench {
    static func run(sizes: [(Int, Int)], seeds: [UInt64]) throws {
        print("Anytime at scale (generated real-like instances, D = 768); heuristic times are medians of 5 runs")
        print("     M     K  seed  solver      ms    objective  vs best known  reported gap  certified gap")
        for (m, k) in sizes {
            for seed in seeds {
                let (p, _) = InstanceGenerator.real(m: m, k: k, seed: seed)
                let best = try solve(p, options: SolverOptions(choice: .heuristic, seed: seed, restarts: 300))
                let bound = RelaxationBound.compute(p, near: best.selection, iterations: 300) ?? .nan
                for choice in [SolverChoice.heuristic, .auto] {
                    var s: Solution?
                    let t = try medianSeconds(repeats: 5) { s = try solve(p, options: SolverOptions(choice: choice)) }
                    let name = choice == .auto ? "auto     " : "heuristic"
                    print(f("%6d %5d %5d  ", m, k, Int(seed)) + name + f(" %7.2f %12.6f %14.2e %13.2e %14.2e", t * 1000,
                            s!.objective, (s!.objective - best.objective) / best.objective, s!.gap ?? .nan,
                            (bound - s!.objective) / abs(s!.objective)))
                }
            }
        }
    }
}

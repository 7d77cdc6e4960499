import GroupInference

/// Solver figures: for each shared instance, the heuristic (time, objective
/// versus the certified optimum), the exact branch and bound (time to proof),
/// and GLPK on the plain strengthened model (time to proof) with the ratio of
/// the two; then the exact search on generated instances of the same family
/// at the sizes the targets name.
enum SolverBench {
    static func run(directory: String, timeLimit: Double) throws {
        let instances = try BenchInstance.loadAll(from: directory)
        print("Solvers on the \(instances.count) shared instances (one thread each; limit \(timeLimit) s per exact solve)")
        print("rel = (objective - reference) / |reference|; reference = certified optimum (P) or best known")
        print("ratio = exact time / GLPK time to proof ('<' when GLPK did not prove within the limit)")
        print("instance             reference P  heur ms  heur rel   exact s  status      nodes  exact rel   "
              + "glpk s  glpk status   glpk gap    ratio")
        for inst in instances {
            let reference = inst.optimum ?? inst.bestKnown
            var heuristic: Solution?
            let heuristicTime = try medianSeconds(repeats: 5) {
                heuristic = try solve(inst.problem, options: SolverOptions(choice: .heuristic))
            }
            let exact = try solve(inst.problem, options: SolverOptions(choice: .exact, timeLimit: timeLimit))
            let mip = try solve(inst.problem, options: SolverOptions(choice: .mip, timeLimit: timeLimit))
            func rel(_ s: Solution) -> String { f("%9.1e", (s.objective - reference) / abs(reference)) }
            let ratio = exact.status == .optimal
                ? (mip.status == .optimal ? f("%8.4f", exact.seconds / mip.seconds) : f("<%7.4f", exact.seconds / mip.seconds))
                : "       -"
            print(pad(inst.name, 20) + f(" %9.4f ", reference) + (inst.proven ? "P" : " ")
                  + f(" %8.2f ", heuristicTime * 1000) + rel(heuristic!) + f(" %9.3f  ", exact.seconds)
                  + pad(exact.status.name, 10) + f(" %6d ", exact.nodes) + rel(exact)
                  + f(" %8.2f  ", mip.seconds) + pad(mip.status.name, 11)
                  + f(" %9.1e ", mip.gap ?? .nan) + ratio)
        }
    }

    /// The exact search on generated real-like instances: the worst time
    /// to proof per class against the targets (K ≤ 8, M ≤ 128: 1 s; halving
    /// steps: 10 s).
    static func generated(seeds: [UInt64], timeLimit: Double) throws {
        print("Exact search on generated real-like instances (seeds \(seeds.map(String.init).joined(separator: ", ")); limit \(timeLimit) s)")
        print("     M     K   proven   worst s  median s  max nodes  worst gap")
        // λ = 1/(K−1) as in the shared family; "λ=1/3" rows are the halving
        // steps of a session whose λ suits its final K = 4.
        let classes: [(Int, Int, Double?)] = [(64, 4, nil), (64, 8, nil), (128, 4, nil), (128, 8, nil), (32, 16, nil),
                                              (64, 32, nil), (128, 64, nil), (256, 128, nil), (64, 32, 1.0 / 3),
                                              (128, 64, 1.0 / 3)]
        for (m, k, lambda) in classes {
            var times: [Double] = [], nodes: [Int] = [], proven = 0, worstGap = 0.0
            for seed in seeds {
                var (p, _) = InstanceGenerator.real(m: m, k: k, seed: seed)
                if let lambda { p = try SelectionProblem(unary: p.unary, pairwise: p.pairwise, lambda: lambda, groupSize: k) }
                let s = try solve(p, options: SolverOptions(choice: .exact, timeLimit: timeLimit))
                times.append(s.seconds); nodes.append(s.nodes)
                if s.status == .optimal { proven += 1 }
                worstGap = max(worstGap, s.gap ?? .infinity)
            }
            times.sort()
            print(f("%6d %5d %5d/%-3d %8.3f %9.3f %10d %10.1e", m, k, proven, seeds.count, times.last!,
                    times[times.count / 2], nodes.max()!, worstGap) + (lambda == nil ? "" : "   λ=1/3"))
        }
    }
}

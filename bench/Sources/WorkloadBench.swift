import GroupInference

/// `auto` at its default time limit on the project's own problems: the
/// shared instances and generated halving steps. Time to return (a proof
/// ends the solve at once) and how many are proven: the figures that must
/// not change when auto learns to use its budget on hard problems.
enum WorkloadBench {
    static func run(directory: String, seeds: [UInt64], repeats: Int) throws {
        let options = SolverOptions(choice: .auto)
        print("auto (time limit \(options.timeLimit) s) on the project's own problems; median ms of \(repeats) runs")
        print("instance                 ms  status")
        var sharedTimes: [Double] = []
        for inst in try BenchInstance.loadAll(from: directory) {
            var s: Solution?
            let t = try medianSeconds(repeats: repeats) { s = try solve(inst.problem, options: options) }
            sharedTimes.append(t)
            print(pad(inst.name, 20) + f(" %8.2f  ", t * 1000) + s!.status.name)
        }
        print(f("shared instances: total %.1f ms", sharedTimes.reduce(0, +) * 1000))
        print()
        print("generated real-like halving steps and small K (seeds \(seeds.map(String.init).joined(separator: ", ")))")
        print("     M     K   proven  median ms  worst ms")
        let classes: [(Int, Int, Double?)] = [(64, 4, nil), (64, 8, nil), (128, 4, nil), (32, 16, nil), (64, 32, nil),
                                              (128, 64, nil), (256, 128, nil), (64, 32, 1.0 / 3), (128, 64, 1.0 / 3)]
        var total = 0.0
        for (m, k, lambda) in classes {
            var times: [Double] = [], proven = 0
            for seed in seeds {
                var (p, _) = InstanceGenerator.real(m: m, k: k, seed: seed)
                if let lambda { p = try SelectionProblem(unary: p.unary, pairwise: p.pairwise, lambda: lambda, groupSize: k) }
                var s: Solution?
                times.append(try medianSeconds(repeats: repeats) { s = try solve(p, options: options) })
                if s!.status == .optimal { proven += 1 }
            }
            times.sort()
            total += times.reduce(0, +)
            print(f("%6d %5d %5d/%-3d %9.2f %9.2f", m, k, proven, seeds.count, times[times.count / 2] * 1000,
                    times.last! * 1000) + (lambda == nil ? "" : "   λ=1/3"))
        }
        print(f("generated: total %.1f ms", total * 1000))
    }
}

import GroupInference

/// For each shared instance: time to optimal (or to the limit) and objective
/// versus the certified optimum, for the exact and the heuristic solver.
enum SolverBench {
    static func run(directory: String, timeLimit: Double) throws {
        let instances = try BenchInstance.loadAll(from: directory)
        print("Solver benchmark: \(instances.count) shared instances, exact time limit \(timeLimit) s, one thread")
        print("rel = (objective - reference) / |reference|; reference = certified optimum (P) or best known")
        print("instance               reference      heur ms   heur rel   exact s  exact rel  status         gap    nodes")
        for inst in instances {
            let reference = inst.optimum ?? inst.bestKnown
            var heuristic: Solution?
            let heuristicTime = try medianSeconds(repeats: 5) {
                heuristic = try solve(inst.problem, options: SolverOptions(choice: .heuristic))
            }
            let exact = try solve(inst.problem, options: SolverOptions(choice: .exact, timeLimit: timeLimit))
            func rel(_ s: Solution) -> String { f("%.1e", (s.objective - reference) / abs(reference)) }
            print(pad(inst.name, 20) + f(" %11.5f ", reference) + (inst.proven ? "P" : " ")
                  + f(" %9.2f ", heuristicTime * 1000) + lpad(rel(heuristic!), 10) + f(" %9.3f ", exact.seconds)
                  + lpad(rel(exact), 10) + "  " + pad(exact.status.name, 11) + " "
                  + lpad(exact.gap.map { f("%.1e", $0) } ?? "-", 9) + f(" %8d", exact.nodes))
        }
    }
}

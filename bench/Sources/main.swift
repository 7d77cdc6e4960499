import Foundation
import GroupInference

// groupinference-bench [solver|overhead|all] - prints figures, asserts nothing.
let here = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent()
let instances = ProcessInfo.processInfo.environment["GI_QIP_INSTANCES"]
    ?? here.appendingPathComponent("Tests/Fixtures/qip-instances").path
let what = CommandLine.arguments.dropFirst().first ?? "all"
if what == "solver" || what == "all" {
    try SolverBench.run(directory: instances, timeLimit: 10)
    print()
}
if what == "overhead" || what == "all" {
    try OverheadBench.run(sizes: [64, 128, 1024], dimension: 768, repeats: 5)
}
if what == "scale" || what == "all" {
    print()
    try ScaleBench.run(sizes: [(1024, 32), (1024, 512)], seeds: [1, 2])
}
if what == "profile-heuristic" {
    let (p, _) = InstanceGenerator.real(m: 1024, k: 512, seed: 1)
    for _ in 0..<50 { _ = try solve(p, options: SolverOptions(choice: .heuristic)) }
}
if what == "probe" {
    for m in [64, 128] {
        let (p0, _) = InstanceGenerator.real(m: m, k: m / 2, seed: 1)
        let p = try SelectionProblem(unary: p0.unary, pairwise: p0.pairwise, lambda: 1.0 / 3, groupSize: m / 2)
        for choice in [SolverChoice.exact, .mip] {
            let s = try solve(p, options: SolverOptions(choice: choice, timeLimit: 20))
            print(m, choice, s.status, s.gap ?? -1, s.seconds, s.nodes)
        }
    }
}

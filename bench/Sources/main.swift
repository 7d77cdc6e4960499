import Foundation
import GroupInference

// groupinference-bench [solver|generated|overhead|scale|prune|checks|all] - prints figures, asserts nothing.
let here = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent()
let instances = ProcessInfo.processInfo.environment["GI_QIP_INSTANCES"]
    ?? here.appendingPathComponent("Tests/Fixtures/qip-instances").path
let what = CommandLine.arguments.dropFirst().first ?? "all"
if what == "solver" || what == "all" {
    try SolverBench.run(directory: instances, timeLimit: 10)
    print()
}
if what == "solver" || what == "generated" || what == "all" {
    try SolverBench.generated(seeds: [1, 2, 3, 4, 5], timeLimit: 10)
    print()
}
if what == "overhead" || what == "all" {
    try OverheadBench.run(sizes: [64, 128, 1024], dimension: 768, repeats: 5)
}
if what == "scale" || what == "all" {
    print()
    try ScaleBench.run(sizes: [(1024, 32), (1024, 512)], seeds: [1, 2, 3, 4, 5])
}
if what == "prune" || what == "all" {
    print()
    // groupinference-bench prune [M ...]: the sizes of issue 13 by default.
    let sizes = CommandLine.arguments.dropFirst(2).compactMap { Int($0) }
    try PruneBench.run(sizes: sizes.isEmpty ? [128, 1024, 4096, 8192] : sizes, threads: [1, 2])
}
if what == "checks" || what == "all" {
    print()
    CheckBench.run(sizes: [4, 16, 64])
}

import Foundation
import GroupInference

// groupinference-bench [solver|generated|overhead|scale|prune|checks|all] - prints figures, asserts nothing.
// Issue 15, not in "all": mdp [--time-limit 0.1,2] [--sets SOM-b,...] [--seed S], memory [--seconds 120]
// [--memory-limit-mib 256] [--entry SOM-b_4], clock [--sizes ...] [--time-limit ...], workloads.
let here = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent()
let instances = ProcessInfo.processInfo.environment["GI_QIP_INSTANCES"]
    ?? here.appendingPathComponent("Tests/Fixtures/qip-instances").path
let what = CommandLine.arguments.dropFirst().first ?? "all"

/// The value after `--name` on the command line, if given.
func flag(_ name: String) -> String? {
    let args = CommandLine.arguments
    guard let i = args.firstIndex(of: "--" + name), i + 1 < args.count else { return nil }
    return args[i + 1]
}
// The MDP library sits in ../shared next to the repository (or next to the
// folder of worktrees); --instances or GI_MDP_INSTANCES name another place.
let mdpInstances = flag("instances") ?? ProcessInfo.processInfo.environment["GI_MDP_INSTANCES"]
    ?? [1, 2].map { up in
        (0..<up).reduce(here) { u, _ in u.deletingLastPathComponent() }.appendingPathComponent("shared/mdp-instances").path
    }.first { FileManager.default.fileExists(atPath: $0) } ?? "../shared/mdp-instances"
if what == "workloads" {
    try WorkloadBench.run(directory: instances, seeds: [1, 2, 3, 4, 5], repeats: 3)
}
if what == "memory" {
    // One solve per process: freed memory stays in the allocator, so a
    // second solve's peak would include the first's.
    try MemoryBench.run(directory: mdpInstances, entry: flag("entry") ?? "SOM-b_4",
                        seconds: Double(flag("seconds") ?? "120") ?? 120,
                        limit: (Int(flag("memory-limit-mib") ?? "256") ?? 256) << 20)
}
if what == "clock" {
    let sizes = (flag("sizes") ?? "64,256,1024,8192").split(separator: ",").compactMap { Int($0) }
    let limits = (flag("time-limit") ?? "0.01,0.1,1").split(separator: ",").compactMap { Double($0) }
    try ClockBench.run(sizes: sizes, limits: limits)
}
if what == "mdp" {
    let limits = (flag("time-limit") ?? "0.1,2").split(separator: ",").compactMap { Double($0) }
    try MDPBench.run(directory: mdpInstances, timeLimits: limits,
                     sets: flag("sets").map { $0.split(separator: ",").map(String.init) },
                     seed: UInt64(flag("seed") ?? "0") ?? 0)
}
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

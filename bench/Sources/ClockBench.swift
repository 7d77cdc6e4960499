import Foundation
import GroupInference

/// Does every solve return in time (issue 15, target 4)? Each solver at
/// each size and time limit on problems none of them can prove quickly
/// (uniform random integer distances 0–9, as in SOM-b, u = 0, λ = 1): wall
/// time of the `solve` call against limit · 1.01 + 50 ms.
enum ClockBench {
    static func run(sizes: [Int], limits: [Double]) throws {
        print("wall time of solve() against its time limit (uniform random distances 0-9, K = n/10 and n/2)")
        print("allowed = 1.01 * limit + 0.05 s; overrun = wall - limit")
        print("(cpu s = this thread's CPU time: on a shared machine wall time also counts time spent waiting for a core)")
        print("solver         n     K   limit s    wall s  overrun ms     cpu s  within")
        var worst: [String: Double] = [:], failures = 0, count = 0
        for n in sizes {
            for k in [max(2, n / 10), n / 2] {
                let p = uniform(n: n, k: k, seed: UInt64(n * 31 + k))
                var solvers: [SolverChoice] = [.auto, .heuristic]
                if n <= 256 { solvers += [.exact, .mip] }
                for choice in solvers {
                    for limit in limits {
                        let start = Stopwatch.now(), cpuStart = Stopwatch.cpu()
                        _ = try solve(p, options: SolverOptions(choice: choice, timeLimit: limit))
                        let wall = Stopwatch.now() - start, cpu = Stopwatch.cpu() - cpuStart
                        let ok = wall <= 1.01 * limit + 0.05
                        count += 1
                        if !ok { failures += 1 }
                        let name = f("%@ n=%d", "\(choice)", n)
                        worst[name] = max(worst[name] ?? -.infinity, wall - limit)
                        print(pad("\(choice)", 10) + f(" %5d %5d %9.3f %9.3f %11.1f %9.3f  ", n, k, limit, wall,
                                                        (wall - limit) * 1000, cpu) + (ok ? "yes" : "NO"))
                    }
                }
            }
        }
        print()
        for (name, over) in worst.sorted(by: { $0.key < $1.key }) { print(pad(name, 18) + f(" worst overrun %7.1f ms", over * 1000)) }
        print("target, every solve within 1 % + 50 ms of its limit: \(count - failures)/\(count) "
              + (failures == 0 ? "met" : "NOT MET"))
    }

    /// Integer distances 0–9 drawn uniformly: no structure to guide search or bounds.
    static func uniform(n: Int, k: Int, seed: UInt64) -> SelectionProblem {
        var rng = BenchRNG(seed: seed)
        var b = [Double](repeating: 0, count: n * n)
        for i in 0..<n {
            for j in (i + 1)..<n {
                let d = Double(Int.random(in: 0...9, using: &rng))
                b[i * n + j] = d
                b[j * n + i] = d
            }
        }
        return try! SelectionProblem(unary: [Double](repeating: 0, count: n), pairwise: b, lambda: 1, groupSize: k)
    }
}

/// Monotonic seconds, as the library measures them.
enum Stopwatch {
    static func now() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) * 1e-9
    }

    static func cpu() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) * 1e-9
    }
}

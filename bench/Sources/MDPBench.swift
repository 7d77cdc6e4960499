import Foundation
import GroupInference

/// `auto` on the public Maximum Diversity Problem library against the
/// published best-known values (issue 15, target 2): per entry the gap
/// (best known − objective) / best known at each time limit, the mean and
/// worst gap, how many entries reach the best known, and any value above
/// it, double-checked against the file's matrix.
enum MDPBench {
    static func run(directory: String, timeLimits: [Double], sets: [String]?, seed: UInt64) throws {
        let entries = try MDPEntry.loadManifest(directory: directory)
            .filter { e in sets.map { $0.contains { e.name.hasPrefix($0) } } ?? true }
        let limits = timeLimits.map { f("%g s", $0) }.joined(separator: ", ")
        print("auto on \(entries.count) MDPLIB entries (\(directory)), time limits \(limits), seed \(seed)")
        print("gap = (best known - objective) / best known, in %; '*' = proven optimum; '+' = above the best known")
        var header = pad("entry", 20) + "     n    K    best known"
        for t in timeLimits { header += lpad(f("obj @%gs", t), 14) + lpad("gap %", 8) + lpad("s", 6) }
        print(header)
        var gaps = [[Double]](repeating: [], count: timeLimits.count)
        var somGaps = [[Double]](repeating: [], count: timeLimits.count)
        var reached = [Int](repeating: 0, count: timeLimits.count)
        var nearly = [Int](repeating: 0, count: timeLimits.count)
        var above: [String] = []
        // The clock on these solves: largest wall time past the limit, and
        // the CPU time of that solve (wall time also counts waiting for a core).
        var late = [(over: Double, cpu: Double)](repeating: (-.infinity, 0), count: timeLimits.count)
        var cache: (file: String, matrix: MDPEntry.Matrix)?
        for e in entries {
            let m = try cache.flatMap { $0.file == e.data ? $0.matrix : nil } ?? MDPEntry.loadMatrix(directory: directory, file: e.data)
            cache = (e.data, m)
            let p = try e.problem(m)
            var line = pad(e.name, 20) + f(" %5d %4d %13.2f", m.n, e.k, e.bestKnown) + (e.proven ? "*" : " ")
            for (t, limit) in timeLimits.enumerated() {
                let wallStart = Stopwatch.now(), cpuStart = Stopwatch.cpu()
                let s = try solve(p, options: SolverOptions(choice: .auto, timeLimit: limit, seed: seed))
                let over = Stopwatch.now() - wallStart - limit
                if over > late[t].over { late[t] = (over, Stopwatch.cpu() - cpuStart) }
                let check = MDPEntry.diversity(s.selection, in: m)
                guard Set(s.selection).count == e.k, abs(check - s.objective) <= 1e-9 * abs(check) else {
                    throw BenchError("\(e.name): the selection's diversity \(check) differs from the objective \(s.objective)")
                }
                let gap = (e.bestKnown - check) / e.bestKnown * 100
                // Published values carry two decimals: within 0.005 counts as reaching it.
                let reachesBest = check >= e.bestKnown - 0.005
                if reachesBest { reached[t] += 1 }
                if check >= e.bestKnown * (1 - 1e-6) { nearly[t] += 1 }
                if check > e.bestKnown + 0.005 {
                    above.append(f("%@ at %g s: %.6f > %.6f (selection %@)", e.name, limit, check, e.bestKnown,
                                   s.selection.map(String.init).joined(separator: " ")))
                }
                gaps[t].append(max(gap, 0))
                if e.name.hasPrefix("SOM-b") { somGaps[t].append(max(gap, 0)) }
                line += f(" %13.2f", check) + lpad(f("%.3f", gap), 8) + (check > e.bestKnown + 0.005 ? "+" : " ")
                    + lpad(f("%.2f", s.seconds), 5)
            }
            print(line)
        }
        print()
        for (t, limit) in timeLimits.enumerated() where !gaps[t].isEmpty {
            let mean = gaps[t].reduce(0, +) / Double(gaps[t].count), worst = gaps[t].max()!
            var line = f("at %g s: mean gap %.3f %%, worst %.3f %%, best known reached on %d/%d (%d within 1e-6)",
                         limit, mean, worst, reached[t], gaps[t].count, nearly[t])
            if let w = somGaps[t].max() { line += f("; SOM-b worst %.3f %%", w) }
            print(line)
            print(f("  clock: at most %.1f ms past the limit (that solve used %.3f s of CPU)", late[t].over * 1000, late[t].cpu))
        }
        print("(reached = within 0.005 of the published value; the manifest's MDG-b values come from a table that")
        print(" is 0.06-0.27 above Wang et al. 2009's for the same instances, hence 'within 1e-6')")
        print("values above the best known: " + (above.isEmpty ? "none" : "\(above.count)"))
        for a in above { print("  " + a + " (recomputed from the file's matrix)") }
        // The issue's targets, where this run measured them.
        if let t = timeLimits.firstIndex(of: 2), gaps[t].count == 36 {
            let mean = gaps[t].reduce(0, +) / 36, worst = gaps[t].max()!
            print(f("target, 2 s over all 36: mean gap %.3f %% <= 0.05 %%: %@; worst %.3f %% <= 0.3 %%: %@", mean,
                    mean <= 0.05 ? "met" : "NOT MET", worst, worst <= 0.3 ? "met" : "NOT MET"))
        }
        if let t = timeLimits.firstIndex(of: 0.1), somGaps[t].count == 14 {
            let worst = somGaps[t].max()!
            print(f("target, 0.1 s on SOM-b: worst gap %.3f %% <= 1 %%: %@", worst, worst <= 1 ? "met" : "NOT MET"))
        }
    }
}

import COpenBLAS
import Foundation
import GroupInference

/// What one prune costs next to the BLAS work it cannot avoid (issue 13):
/// a fresh session's first prune (M -> M/2, K = 4, heuristic solver) with a
/// pushed unary scorer and pushed D = 768 embeddings, against a bare
/// `cblas_ssyrk` of the same shape timed in the same run. Every figure is the
/// best of its repeats (the run least disturbed by other load on the
/// machine, alike for BLAS and the library); the targets are ratios, so the
/// machine's speed cancels out.
enum PruneBench {
    struct Row {
        var ssyrk = 0.0, push = 0.0, scoring = 0.0, solving = 0.0, call = 0.0
        var whole: Double { push + call }
    }

    /// scoring / ssyrk and whole / ssyrk limits by size (nil: no target).
    static func targets(_ m: Int) -> (scoring: Double?, whole: Double) {
        switch m {
        case ..<512: (nil, 2.0)
        case ..<2048: (1.3, 2.0)
        default: (1.5, 2.5)
        }
    }

    static func run(sizes: [Int], threads: [Int32], dimension d: Int = 768) throws {
        print("Per prune against BLAS (issue 13): fresh session, pushed unary + D = \(d) embeddings,")
        print("heuristic solver, M -> M/2, K = 4; whole = push + prune call; ratios to a bare cblas_ssyrk")
        print("of the same shape timed in this run; best of the repeats in the last column")
        let saved = openblas_get_num_threads()
        defer { openblas_set_num_threads(saved) }
        var verdicts: [String] = [], cold: [String] = []
        for t in threads {
            openblas_set_num_threads(t)
            print("\nOpenBLAS threads = \(t)")
            print("     M   ssyrk ms    push ms  scoring ms  solving ms   whole ms   scoring/ssyrk  whole/ssyrk  reps")
            for m in sizes {
                let repeats = m <= 256 ? 101 : m <= 1024 ? 31 : m <= 4096 ? 9 : 5
                let (row, first) = try measure(m: m, dimension: d, repeats: repeats)
                if t == threads[0] {
                    cold.append(f("%6d %10.3f %11.3f %10.3f   %13.2f  %11.2f", m, first.ssyrk * 1e3, first.scoring * 1e3,
                                  first.whole * 1e3, first.scoring / first.ssyrk, first.whole / first.ssyrk))
                }
                let (scoringLimit, wholeLimit) = targets(m)
                let rs = row.scoring / row.ssyrk, rw = row.whole / row.ssyrk
                print(f("%6d %10.3f %10.3f %11.3f %11.3f %10.3f   %13.2f  %11.2f  %4d", m, row.ssyrk * 1e3,
                        row.push * 1e3, row.scoring * 1e3, row.solving * 1e3, row.whole * 1e3, rs, rw, repeats))
                var checks: [String] = []
                if let scoringLimit {
                    checks.append(f("scoring %.2f <= %.1f %@", rs, scoringLimit, rs <= scoringLimit ? "met" : "NOT met"))
                }
                checks.append(f("whole %.2f <= %.1f %@", rw, wholeLimit, rw <= wholeLimit ? "met" : "NOT met"))
                verdicts.append(f("  threads %d, M = %5d: ", t, m) + checks.joined(separator: ", "))
            }
        }
        print("\nThe first session at each size (threads = \(threads[0])): its workspace's pages are fresh")
        print("     M   ssyrk ms  scoring ms   whole ms   scoring/ssyrk  whole/ssyrk")
        cold.forEach { print($0) }
        print("\nTargets (issue 13: 1, 2, 2b)")
        verdicts.forEach { print($0) }
    }

    /// The best of `repeats` fresh sessions, and the first (rep 0): when the
    /// sizes run in ascending order, the first session at a size takes a
    /// smaller spare workspace and faults in fresh pages, as a process's
    /// first session does.
    static func measure(m: Int, dimension d: Int, repeats: Int) throws -> (best: Row, first: Row) {
        let (unary, features) = InstanceGenerator.scores(m: m, k: m / 2, seed: 1, dimension: d)
        let ids = (0..<Int32(m)).map { $0 }
        var gram = [Float](repeating: 0, count: m * m)
        var rows: [Row] = [], first = Row()
        for rep in 0...repeats {
            var row = Row()
            row.ssyrk = medianSeconds(repeats: 1) {
                cblas_ssyrk(CblasRowMajor, CblasUpper, CblasNoTrans, blasint(m), blasint(d),
                            1, features, blasint(d), 0, &gram, blasint(m))
            }
            var c = SessionConfiguration()
            c.candidates = m; c.groupSize = 4; c.steps = 2; c.lambda = 1.0 / 3
            c.solver.choice = .heuristic
            let s = try GroupSession(c)
            let quality = try s.add(.unary("quality"))
            let look = try s.add(.embedding("features", dimension: d))
            row.push = try medianSeconds(repeats: 1) {
                try ids.withUnsafeBufferPointer { i in
                    try unary.withUnsafeBufferPointer { try s.pushUnary(scorer: quality, ids: i, scores: $0) }
                    try features.withUnsafeBufferPointer {
                        try s.pushEmbeddings(scorer: look, ids: i, dimension: d, embeddings: $0)
                    }
                }
            }
            row.call = try medianSeconds(repeats: 1) { try s.prune(keep: m / 2) }
            let r = s.records[0]
            row.scoring = r.secondsScoring
            row.solving = r.secondsSolving
            if rep > 0 { rows.append(row) } else { first = row }
            if ProcessInfo.processInfo.environment["GI_PRUNE_BENCH_VERBOSE"] != nil {
                print(f("    rep %d: ssyrk %.3f push %.3f call %.3f scoring %.3f solving %.3f other %.3f", rep, row.ssyrk * 1e3,
                        row.push * 1e3, row.call * 1e3, row.scoring * 1e3, row.solving * 1e3,
                        (row.call - row.scoring - row.solving) * 1e3))
            }
        }
        func best(_ x: KeyPath<Row, Double>) -> Double { rows.map { $0[keyPath: x] }.min()! }
        return (Row(ssyrk: best(\.ssyrk), push: best(\.push), scoring: best(\.scoring),
                    solving: best(\.solving), call: best(\.call)), first)
    }
}

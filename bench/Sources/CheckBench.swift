import Foundation
import GroupInference

/// What checking a pairwise callback's matrix costs on its own (issue 13,
/// target 4): the NaN fill that catches an entry not written, and the one
/// pass over the pairs (`PairwiseMatrix.survey`) that the rule needs. The C
/// benchmark's callback overhead at n = 16 is mostly these two.
enum CheckBench {
    static func run(sizes: [Int], calls: Int = 200_000, rounds: Int = 20) {
        print("Checking a pairwise callback's n x n matrix (issue 13, target 4): ns per call, best of \(rounds) rounds of \(calls)")
        print("     n   pairs   NaN fill   survey   survey ns/pair")
        for n in sizes {
            var m = [Double](repeating: 0, count: n * n)
            for i in 0..<n { for j in 0..<n where i != j { m[i * n + j] = 0.1 * Double(abs(i - j)) } }
            var fill = Double.infinity, survey = Double.infinity, sink = 0
            for _ in 0..<rounds {
                var start = Date()
                m.withUnsafeMutableBufferPointer { p in
                    for c in 0..<calls {
                        p.update(repeating: .nan)
                        sink &+= p[c % (n * n)].isNaN ? 1 : 0
                    }
                }
                fill = min(fill, Date().timeIntervalSince(start) / Double(calls))
                for i in 0..<n { for j in 0..<n where i != j { m[i * n + j] = 0.1 * Double(abs(i - j)) } }
                start = Date()
                m.withUnsafeMutableBufferPointer { p in
                    for c in 0..<calls {
                        // A pair that changes with each call: the pass cannot be hoisted.
                        p[1] = Double(c & 7)
                        p[n] = Double(c & 7)
                        if PairwiseMatrix.survey(UnsafeBufferPointer(p), count: n).identicalTriangles { sink &+= 1 }
                    }
                }
                survey = min(survey, Date().timeIntervalSince(start) / Double(calls))
            }
            let pairs = n * (n - 1) / 2
            print(String(format: "%6d %7d %10.1f %8.1f %16.2f", n, pairs, fill * 1e9, survey * 1e9,
                         survey * 1e9 / Double(pairs)) + (sink == 42 ? " " : ""))
        }
    }
}

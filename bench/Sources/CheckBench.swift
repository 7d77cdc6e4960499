import Foundation
import GroupInference

/// What checking a pairwise callback's matrix costs on its own (issue 13,
/// target 4): the NaN fill that catches an entry not written (a Swift loop,
/// and a memset of all bits set, as the library's `fillWithNaN` does), and
/// `PairwiseMatrix.survey` of a matrix whose triangles hold the same bits
/// (its shortcut) and of one whose lower triangle differs by rounding (the
/// general pass). The C benchmark's callback overhead at n = 16 is mostly
/// the fill and the survey.
enum CheckBench {
    static func run(sizes: [Int], calls: Int = 200_000, rounds: Int = 20) {
        print("Checking a pairwise callback's n x n matrix (issue 13, target 4): ns per call, best of \(rounds) rounds of \(calls)")
        print("     n   pairs   fill loop   fill memset   survey: same bits   rounded   ns/pair: same bits   rounded")
        for n in sizes {
            var m = [Double](repeating: 0, count: n * n)
            /// Symmetric, or with the lower triangle off by a relative 1e-12 (as a GPU's
            /// two triangles of A·Aᵀ can be): the rule accepts both, by different passes.
            func fill(rounding: Double) {
                for i in 0..<n { for j in 0..<n where i != j { m[i * n + j] = 0.1 * Double(abs(i - j)) * (i > j ? rounding : 1) } }
            }
            var loop = Double.infinity, memset = Double.infinity, same = Double.infinity, rounded = Double.infinity
            var sink = 0
            /// The least seconds per call of `body` over the rounds so far and this one.
            func time(_ best: inout Double, _ body: (UnsafeMutableBufferPointer<Double>, Int) -> Void) {
                let start = Date()
                m.withUnsafeMutableBufferPointer { p in for c in 0..<calls { body(p, c) } }
                best = min(best, Date().timeIntervalSince(start) / Double(calls))
            }
            for _ in 0..<rounds {
                time(&loop) { p, c in
                    p.update(repeating: .nan)
                    sink &+= p[c % (n * n)].isNaN ? 1 : 0
                }
                time(&memset) { p, c in
                    fillWithNaN(p)
                    sink &+= p[c % (n * n)].isNaN ? 1 : 0
                }
                // A pair that changes with each call: the pass cannot be hoisted.
                func survey(_ best: inout Double, rounding: Double) {
                    fill(rounding: rounding)
                    time(&best) { p, c in
                        if n > 1 { p[1] = Double(c & 7); p[n] = Double(c & 7) * rounding }
                        if PairwiseMatrix.survey(UnsafeBufferPointer(p), count: n).identicalTriangles { sink &+= 1 }
                    }
                }
                survey(&same, rounding: 1)
                survey(&rounded, rounding: 1 + 1e-12)
            }
            let pairs = Double(n * (n - 1) / 2)
            print(String(format: "%6d %7.0f %11.1f %13.1f %19.1f %9.1f %20.2f %9.2f", n, pairs, loop * 1e9, memset * 1e9,
                         same * 1e9, rounded * 1e9, same * 1e9 / pairs, rounded * 1e9 / pairs) + (sink == 42 ? " " : ""))
        }
    }
}

/// The library's NaN fill (internal to it): all bits set, by memset.
private func fillWithNaN(_ p: UnsafeMutableBufferPointer<Double>) {
    memset(p.baseAddress!, 0xFF, p.count * MemoryLayout<Double>.stride)
}

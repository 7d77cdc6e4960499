import Foundation
import GroupInference

/// What checking a pairwise callback's matrix costs on its own (issue 13,
/// target 4): the NaN fill that catches an entry not written (a Swift loop,
/// and a memset of all bits set, as the library's `fillWithNaN` does), the fast pass that accepts a matrix
/// whose triangles hold the same bits (`isBitwiseSymmetricAndFinite`, what
/// the library runs first), and the full pass over the pairs
/// (`PairwiseMatrix.survey`) that any other matrix gets. The C benchmark's
/// callback overhead at n = 16 is mostly the fill and the first pass.
enum CheckBench {
    static func run(sizes: [Int], calls: Int = 200_000, rounds: Int = 20) {
        print("Checking a pairwise callback's n x n matrix (issue 13, target 4): ns per call, best of \(rounds) rounds of \(calls)")
        print("     n   pairs   fill loop   fill memset   fast pass   survey   fast ns/pair   survey ns/pair")
        for n in sizes {
            var m = [Double](repeating: 0, count: n * n)
            func symmetric() { for i in 0..<n { for j in 0..<n where i != j { m[i * n + j] = 0.1 * Double(abs(i - j)) } } }
            var loop = Double.infinity, memset = Double.infinity, fast = Double.infinity, survey = Double.infinity
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
                symmetric()
                // A pair that changes with each call: the pass cannot be hoisted.
                time(&fast) { p, c in
                    if n > 1 { p[1] = Double(c & 7); p[n] = Double(c & 7) }
                    if PairwiseMatrix.isBitwiseSymmetricAndFinite(UnsafeBufferPointer(p), count: n) { sink &+= 1 }
                }
                time(&survey) { p, c in
                    if n > 1 { p[1] = Double(c & 7); p[n] = Double(c & 7) }
                    if PairwiseMatrix.survey(UnsafeBufferPointer(p), count: n).identicalTriangles { sink &+= 1 }
                }
            }
            let pairs = Double(n * (n - 1) / 2)
            print(String(format: "%6d %7.0f %11.1f %13.1f %11.1f %8.1f %14.2f %16.2f", n, pairs, loop * 1e9, memset * 1e9,
                         fast * 1e9, survey * 1e9, fast * 1e9 / pairs, survey * 1e9 / pairs) + (sink == 42 ? " " : ""))
        }
    }
}

/// The library's NaN fill (internal to it): all bits set, by memset.
private func fillWithNaN(_ p: UnsafeMutableBufferPointer<Double>) {
    memset(p.baseAddress!, 0xFF, p.count * MemoryLayout<Double>.stride)
}

import Testing
@testable import GroupInference

@Suite("The cheap bound's top sums")
struct CheapBoundTests {
    /// The threshold bound as first written (sorted sample, one pass per
    /// threshold): the one-pass version must give the same value.
    static func reference(_ count: Int, of values: [Double], negated: Bool) -> Double {
        let n = values.count, sign = negated ? -1.0 : 1.0
        if count <= 0 { return 0 }
        if count >= n { return values.reduce(0) { $0 + sign * $1 } }
        let stride = max(1, n / 64)
        let sample = Swift.stride(from: 0, to: n, by: stride).map { sign * values[$0] }.sorted(by: >)
        let at = min(sample.count - 1, count * sample.count / n)
        return [max(at - 1, 0), at, min(at + 1, sample.count - 1)].map { q in
            let t = sample[q]
            return Double(count) * t + values.reduce(0) { $0 + max(sign * $1 - t, 0) }
        }.min()!
    }

    @Test func thresholdBoundIsValidAndUnchanged() {
        var rng = SplitMix(seed: 13)
        for _ in 0..<400 {
            let n = Int.random(in: 1...600, using: &rng), count = Int.random(in: 0...(n + 1), using: &rng)
            let ties = Bool.random(using: &rng), negated = Bool.random(using: &rng)
            let values = (0..<n).map { _ in
                ties ? Double(Int.random(in: 0...3, using: &rng)) : Double.random(in: -1...1, using: &rng)
            }
            let bound = values.withUnsafeBufferPointer { TopSum.upperBound(count, of: $0, negated: negated) }
            var exact = values.map { negated ? -$0 : $0 }
            let top = TopSum.largest(count, of: &exact)
            #expect(bound >= top - 1e-12 * max(1, abs(top)), "n = \(n), count = \(count)")
            let ref = Self.reference(count, of: values, negated: negated)
            #expect(abs(bound - ref) <= 1e-12 * max(1, abs(ref)), "n = \(n), count = \(count): \(bound) vs \(ref)")
        }
    }

    @Test func largestMatchesSorting() {
        var rng = SplitMix(seed: 14)
        for _ in 0..<300 {
            let n = Int.random(in: 1...80, using: &rng), count = Int.random(in: 0...n, using: &rng)
            var values = (0..<n).map { _ in Double(Int.random(in: 0...5, using: &rng)) }
            let expected = values.sorted(by: >).prefix(count).reduce(0, +)
            #expect(TopSum.largest(count, of: &values) == expected)
        }
    }
}

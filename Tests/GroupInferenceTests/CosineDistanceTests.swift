import Testing
@testable import GroupInference

@Suite("Cosine distances through BLAS")
struct CosineDistanceTests {
    /// Sizes around the Gram block (1024 rows), and rows scaled far from 1
    /// (1e±20: their float32 Gram would overflow or underflow unscaled).
    @Test(arguments: [(1, 3, 1), (2, 1, 1), (7, 5, 1), (64, 768, 1), (130, 17, 1), (1025, 2, 1),
                      (2049, 1, 1), (9, 4, 1e20), (9, 4, 1e-20)])
    func matchesPlainReference(n: Int, d: Int, scale: Float) throws {
        var rng = SplitMix(seed: UInt64(n * 1000 + d))
        let x = (0..<(n * d)).map { t in Float.random(in: -1...1, using: &rng) * (t / d % 2 == 0 ? scale : 1) }
        let b = try x.withUnsafeBufferPointer { try CosineDistance.matrix($0, count: n, dimension: d) }
        var worst = 0.0, asymmetric = 0
        for i in 0..<n {
            #expect(b[i * n + i] == 0)
            for j in 0..<n where j != i {
                var dot = 0.0, ni = 0.0, nj = 0.0
                for t in 0..<d {
                    let a = Double(x[i * d + t]), c = Double(x[j * d + t])
                    dot += a * c; ni += a * a; nj += c * c
                }
                let reference = 1 - dot / (ni.squareRoot() * nj.squareRoot())
                worst = max(worst, abs(b[i * n + j] - reference))
                if b[i * n + j] != b[j * n + i] { asymmetric += 1 }
            }
        }
        #expect(asymmetric == 0)
        #expect(worst < 1e-5, "largest deviation \(worst)")
    }

    @Test func zeroOrNonFiniteRowsAreNamed() {
        for bad in [Float(0), .nan, .infinity] {
            var x: [Float] = [1, 2, 3, 4, 5, 6]
            x[3] = bad; x[4] = bad == 0 ? 0 : 1; x[5] = bad == 0 ? 0 : 1
            #expect(throws: CosineDistance.DegenerateRow.self) {
                _ = try x.withUnsafeBufferPointer { try CosineDistance.matrix($0, count: 2, dimension: 3) }
            }
            do {
                _ = try x.withUnsafeBufferPointer { try CosineDistance.matrix($0, count: 2, dimension: 3) }
            } catch let error as CosineDistance.DegenerateRow {
                #expect(error.row == 1)
            } catch {
                Issue.record("unexpected \(error)")
            }
        }
    }
}

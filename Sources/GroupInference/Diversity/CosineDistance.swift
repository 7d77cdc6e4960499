import COpenBLAS

/// Pairwise cosine distances 1 − cos(e_i, e_j) of n embeddings of length d,
/// from one symmetric rank-d update (`cblas_ssyrk`) on row-normalised data.
public enum CosineDistance {
    /// A row whose norm is zero or not finite: its cosine is undefined.
    public struct DegenerateRow: Error, Equatable {
        public let row: Int
        public let norm: Double
    }

    /// - Parameter embeddings: n × d, row-major (at least n·d values).
    /// - Returns: n × n, row-major, symmetric, zero diagonal.
    public static func matrix(_ embeddings: UnsafeBufferPointer<Float>, count n: Int,
                              dimension d: Int) throws(DegenerateRow) -> [Double] {
        var unit = [Float](repeating: 0, count: n * d)
        var degenerate: DegenerateRow?
        unit.withUnsafeMutableBufferPointer { unit in
            for i in 0..<n {
                let row = i * d
                var sq = 0.0
                for t in 0..<d { let x = Double(embeddings[row + t]); sq += x * x }
                let norm = sq.squareRoot()
                guard norm > 0, norm.isFinite else { degenerate = DegenerateRow(row: i, norm: norm); return }
                let scale = 1 / norm
                for t in 0..<d { unit[row + t] = Float(Double(embeddings[row + t]) * scale) }
            }
        }
        if let degenerate { throw degenerate }
        var gram = [Float](repeating: 0, count: n * n)
        cblas_ssyrk(CblasRowMajor, CblasUpper, CblasNoTrans, blasint(n), blasint(d),
                    1, unit, blasint(d), 0, &gram, blasint(n))
        var distance = [Double](repeating: 0, count: n * n)
        gram.withUnsafeBufferPointer { gram in
            distance.withUnsafeMutableBufferPointer { out in
                for i in 0..<n {
                    for j in (i + 1)..<n {
                        let v = 1 - Double(gram[i * n + j])
                        out[i * n + j] = v
                        out[j * n + i] = v
                    }
                }
            }
        }
        return distance
    }
}

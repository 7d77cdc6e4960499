import COpenBLAS

/// Pairwise cosine distances 1 − cos(e_i, e_j) of n embeddings of length d.
///
/// BLAS computes the Gram matrix G = E·Eᵀ of the rows as given, in blocks of
/// rows (`cblas_ssyrk` on the diagonal block, `cblas_sgemm` right of it);
/// the distances 1 − G_ij / (‖e_i‖·‖e_j‖) then stream out one row at a time
/// while the block is still in cache. No normalised copy of the rows is
/// made: the inverse norms come in, computed when the rows were stored.
public enum CosineDistance {
    /// A row whose norm is zero or not finite: its cosine is undefined.
    public struct DegenerateRow: Error, Equatable {
        public let row: Int
        public let norm: Double
    }

    /// Rows per Gram block: the block (rows × n floats, ≤ 32 MiB at the
    /// 8192-candidate limit) is what the row pass reads back, and BLAS
    /// repacks the rows right of it once per block, so blocks must stay
    /// large for that to be negligible (measured in bench/: `prune`).
    static let blockRows = 1024

    /// Floats a Gram block of `n` rows' distances needs.
    static func gramCapacity(count n: Int) -> Int { min(n, blockRows) * n }

    /// Inverse norms beyond this range (squared norms beyond 1e±30) could
    /// overflow or underflow the float32 Gram matrix of the raw rows; such
    /// rows are scaled to unit length first.
    static let safeInverseNorms = 1e-15...1e15

    /// 1 / ‖row‖ in float64, or nil when the norm is zero or not finite.
    static func inverseNorm(_ row: UnsafeBufferPointer<Float>) -> (inverse: Double?, squared: Double) {
        let sq = squaredNorm(row)
        guard sq > 0, sq.isFinite else { return (nil, sq) }
        return (1 / sq.squareRoot(), sq)
    }

    /// ‖row‖² in float64. Four float64 lanes: the sum does not overflow for
    /// finite floats, and stays as accurate as the float32 Gram it is
    /// divided into.
    @inline(__always)
    static func squaredNorm(_ row: UnsafeBufferPointer<Float>) -> Double {
        let d = row.count, blocks = d / 4
        var acc = SIMD4<Double>()
        for b in 0..<blocks {
            let x = SIMD4<Double>(Double(row[4 * b]), Double(row[4 * b + 1]), Double(row[4 * b + 2]),
                                  Double(row[4 * b + 3]))
            acc += x * x
        }
        var sq = acc.sum()
        for t in (blocks * 4)..<d { let x = Double(row[t]); sq += x * x }
        return sq
    }

    /// Streams the distances above the diagonal: `body(i, v)` receives
    /// v[t] = 1 − cos(e_i, e_{i+1+t}) for t in 0..<(n − 1 − i), rows in order.
    ///
    /// - Parameters:
    ///   - rows: n × d floats, row-major, rows `stride` floats apart.
    ///   - inverseNorms: 1/‖e_i‖ of each row (1 for unit rows).
    ///   - gram: room for `gramCapacity(count: n)` floats.
    ///   - row: room for n − 1 doubles; `body` sees it as `v`.
    static func streamRows(_ rows: UnsafePointer<Float>, count n: Int, dimension d: Int, stride: Int,
                           inverseNorms s: UnsafePointer<Double>, gram: UnsafeMutablePointer<Float>,
                           row: UnsafeMutablePointer<Double>, _ body: (Int, UnsafeBufferPointer<Double>) -> Void) {
        var r0 = 0
        while r0 < n {
            let h = min(blockRows, n - r0), w = n - r0 // block: rows r0..<r0+h, columns r0..<n
            let block = rows + r0 * stride
            cblas_ssyrk(CblasRowMajor, CblasUpper, CblasNoTrans, blasint(h), blasint(d),
                        1, block, blasint(stride), 0, gram, blasint(w))
            if w > h {
                cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, blasint(h), blasint(w - h), blasint(d),
                            1, block, blasint(stride), block + h * stride, blasint(stride), 0, gram + h, blasint(w))
            }
            // One pass per row: Gram entries right of the diagonal → distances.
            for a in 0..<h {
                let i = r0 + a, count = n - 1 - i
                let g = gram + a * w + a + 1, si = s[i], sj = s + i + 1
                for t in 0..<count { row[t] = 1 - Double(g[t]) * si * sj[t] }
                body(i, UnsafeBufferPointer(start: row, count: count))
            }
            r0 += h
        }
    }

    /// The full matrix, for callers outside a session.
    /// - Parameter embeddings: n × d, row-major (at least n·d values).
    /// - Returns: n × n, row-major, symmetric, zero diagonal.
    public static func matrix(_ embeddings: UnsafeBufferPointer<Float>, count n: Int,
                              dimension d: Int) throws(DegenerateRow) -> [Double] {
        guard n > 0 else { return [] }
        var inverse = [Double](repeating: 1, count: n)
        var unsafeScale = false
        for i in 0..<n {
            let (s, sq) = inverseNorm(UnsafeBufferPointer(rebasing: embeddings[(i * d)..<(i * d + d)]))
            guard let s else { throw DegenerateRow(row: i, norm: sq.squareRoot()) }
            inverse[i] = s
            if !safeInverseNorms.contains(s) { unsafeScale = true }
        }
        var distance = [Double](repeating: 0, count: n * n)
        var gram = [Float](repeating: 0, count: gramCapacity(count: n))
        var row = [Double](repeating: 0, count: n)
        func fill(_ rows: UnsafePointer<Float>, _ s: UnsafePointer<Double>) {
            distance.withUnsafeMutableBufferPointer { out in
                streamRows(rows, count: n, dimension: d, stride: d, inverseNorms: s, gram: &gram, row: &row) { i, v in
                    for t in 0..<v.count {
                        out[i * n + i + 1 + t] = v[t]
                        out[(i + 1 + t) * n + i] = v[t]
                    }
                }
            }
        }
        if unsafeScale {
            let unit = normalised(embeddings, count: n, dimension: d, inverseNorms: inverse)
            let ones = [Double](repeating: 1, count: n)
            unit.withUnsafeBufferPointer { u in ones.withUnsafeBufferPointer { fill(u.baseAddress!, $0.baseAddress!) } }
        } else {
            inverse.withUnsafeBufferPointer { fill(embeddings.baseAddress!, $0.baseAddress!) }
        }
        return distance
    }

    /// Rows scaled to unit length, for rows whose inverse norms leave
    /// `safeInverseNorms`.
    static func normalised(_ rows: UnsafeBufferPointer<Float>, count n: Int, dimension d: Int,
                           inverseNorms: [Double]) -> [Float] {
        var unit = [Float](repeating: 0, count: n * d)
        for i in 0..<n {
            for t in 0..<d { unit[i * d + t] = Float(Double(rows[i * d + t]) * inverseNorms[i]) }
        }
        return unit
    }
}

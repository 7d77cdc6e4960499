/// The one rule for pairwise matrices a host gives (scorer callbacks, pushes,
/// one-shot problems): symmetric within a relative tolerance, or strictly
/// triangular. The paper's reference code builds upper-triangular matrices;
/// averaging (m_ij + m_ji)/2 would silently halve λ for them, so a
/// triangular matrix stands for the symmetric matrix it describes, and
/// anything else is refused.
public enum PairwiseMatrix {
    /// |m_ij − m_ji| may reach this share of the largest off-diagonal
    /// magnitude: float32 products on a GPU (A·Aᵀ in blocks) differ by a few
    /// ulps between the two triangles; genuinely asymmetric scores by far more.
    public static let relativeTolerance = 1e-6

    public enum Form: Equatable, Sendable {
        case symmetric
        /// Every entry below the diagonal is exactly 0.
        case upper
        /// Every entry above the diagonal is exactly 0.
        case lower
    }

    /// The first pair (row < column) that is neither symmetric nor part of a
    /// strict triangle: m[row][column] and m[column][row].
    public struct Asymmetry: Error, Equatable {
        public let row: Int, column: Int
        public let upper: Double, lower: Double

        /// Names the pair by the caller's labels (indices or candidate ids).
        public func message(_ label: (Int) -> String) -> String {
            "the pairwise matrix is neither symmetric nor strictly triangular: [\(label(row))][\(label(column))] = \(upper) but [\(label(column))][\(label(row))] = \(lower) (give a symmetric matrix, equal within a relative \(PairwiseMatrix.relativeTolerance), or a strictly upper or lower triangular one with every entry of the other triangle 0)"
        }
    }

    /// The form of an n × n matrix whose off-diagonal entries are finite.
    public static func form(_ m: UnsafeBufferPointer<Double>, count n: Int) -> Result<Form, Asymmetry> {
        var largest = 0.0
        var lowerZero = true, upperZero = true
        for i in 0..<n {
            for j in (i + 1)..<n {
                let a = m[i * n + j], b = m[j * n + i]
                largest = max(largest, abs(a), abs(b))
                if b != 0 { lowerZero = false }
                if a != 0 { upperZero = false }
            }
        }
        let slack = relativeTolerance * largest
        var first: Asymmetry?
        search: for i in 0..<n {
            for j in (i + 1)..<n where abs(m[i * n + j] - m[j * n + i]) > slack {
                first = Asymmetry(row: i, column: j, upper: m[i * n + j], lower: m[j * n + i])
                break search
            }
        }
        guard let first else { return .success(.symmetric) }
        if lowerZero { return .success(.upper) }
        if upperZero { return .success(.lower) }
        return .failure(first)
    }

    /// The symmetric matrix `m` stands for, zero diagonal, written to `out`
    /// (n × n; may not alias `m`).
    public static func symmetrize(_ m: UnsafeBufferPointer<Double>, count n: Int, form: Form,
                                  into out: UnsafeMutableBufferPointer<Double>) {
        for i in 0..<n {
            out[i * n + i] = 0
            for j in (i + 1)..<n {
                let v: Double
                switch form {
                case .symmetric: v = 0.5 * (m[i * n + j] + m[j * n + i])
                case .upper: v = m[i * n + j]
                case .lower: v = m[j * n + i]
                }
                out[i * n + j] = v
                out[j * n + i] = v
            }
        }
    }

    /// `m` checked and made symmetric; throws the first asymmetric pair.
    public static func symmetric(_ m: UnsafeBufferPointer<Double>, count n: Int) throws(Asymmetry) -> [Double] {
        let shape: Form
        switch form(m, count: n) {
        case let .success(f): shape = f
        case let .failure(a): throw a
        }
        return [Double](unsafeUninitializedCapacity: n * n) { out, initialized in
            symmetrize(m, count: n, form: shape, into: out)
            initialized = n * n
        }
    }
}

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

    /// What one pass over the pairs (i < j) of an n × n matrix learns: all
    /// that the finiteness check and `form` need, so that the callers read
    /// each pair once where they used to read the matrix four times. Only a
    /// refusal goes back over the matrix, to name the first bad entry.
    public struct Survey: Equatable, Sendable {
        /// Every entry off the diagonal is finite.
        public var isFinite = true
        /// The largest off-diagonal magnitude.
        public var largest = 0.0
        /// The largest |m_ij − m_ji|.
        public var largestGap = 0.0
        /// Every entry below (above) the diagonal is ±0.
        public var lowerZero = true, upperZero = true
        /// m_ij and m_ji are the same bits for every pair.
        public var identicalTriangles = true

        /// The matrix's form (the rule above); nil when some pair differs by
        /// more than the tolerance and both triangles hold a non-zero entry.
        /// Meaningful only when `isFinite`.
        public var form: Form? {
            if !(largestGap > relativeTolerance * largest) { return .symmetric }
            if lowerZero { return .upper }
            if upperZero { return .lower }
            return nil
        }

        /// Both triangles hold the same bits already: (m_ij + m_ji) / 2
        /// would give m_ij back (the sum cannot overflow), so nothing needs
        /// writing but the diagonal.
        var isExactlySymmetric: Bool { identicalTriangles && largest <= Double.greatestFiniteMagnitude / 2 }
    }

    /// One pass over the pairs (i < j) of an n × n matrix: all that the
    /// finiteness check and `form` need. The common case — both triangles
    /// holding the same bits, what most hosts write — in a pass over 2 × 2
    /// blocks that needs nothing more (`bitwiseSymmetricLargest`); any other
    /// matrix in the general pass.
    public static func survey(_ m: UnsafeBufferPointer<Double>, count n: Int) -> Survey {
        guard let largest = bitwiseSymmetricLargest(m, count: n) else { return generalSurvey(m, count: n) }
        return Survey(isFinite: true, largest: largest, largestGap: 0, lowerZero: largest == 0,
                      upperZero: largest == 0, identicalTriangles: true)
    }

    /// The general pass, one pair at a time and branch-free but for the
    /// loops: a non-finite entry turns `bad` into NaN (x − x is 0 only for
    /// finite x).
    static func generalSurvey(_ m: UnsafeBufferPointer<Double>, count n: Int) -> Survey {
        var gap = 0.0, bad = 0.0, lower = 0.0, upper = 0.0, differentBits: UInt64 = 0
        for i in 0..<n {
            for j in (i &+ 1)..<n {
                let a = m[i &* n &+ j], b = m[j &* n &+ i]
                bad += (a - a) + (b - b)
                let d = abs(a - b), x = abs(a), y = abs(b)
                gap = d > gap ? d : gap
                upper = x > upper ? x : upper
                lower = y > lower ? y : lower
                differentBits |= a.bitPattern ^ b.bitPattern
            }
        }
        return Survey(isFinite: bad == 0, largest: max(upper, lower), largestGap: gap, lowerZero: lower == 0,
                      upperZero: upper == 0, identicalTriangles: differentBits == 0)
    }

    /// The largest magnitude off the diagonal when both triangles hold the
    /// same bits and every entry is finite; nil otherwise. One pass over
    /// 2 × 2 blocks above the diagonal, each compared with its mirror block
    /// transposed in registers (two lanes: the x86-64 baseline's vector
    /// width); finiteness and magnitude from the upper triangle alone, which
    /// the lower one equals. Wrapping arithmetic and raw loads: checked index
    /// arithmetic cost more than the comparisons.
    private static func bitwiseSymmetricLargest(_ m: UnsafeBufferPointer<Double>, count n: Int) -> Double? {
        guard n > 1, let start = m.baseAddress else { return 0 }
        let base = UnsafeRawPointer(start), rowBytes = n &* 8
        let noSign = SIMD2<UInt64>(repeating: ~(1 << 63))
        func bits(_ x: SIMD2<Double>) -> SIMD2<UInt64> { unsafeBitCast(x, to: SIMD2<UInt64>.self) }
        func magnitude(_ x: SIMD2<Double>) -> SIMD2<Double> { unsafeBitCast(bits(x) & noSign, to: SIMD2<Double>.self) }
        // Two accumulators of each kind: independent chains (x − x is 0 only for finite x).
        var differ0 = SIMD2<UInt64>(), differ1 = SIMD2<UInt64>(), bad0 = SIMD2<Double>(), bad1 = SIMD2<Double>()
        var top0 = SIMD2<Double>(), top1 = SIMD2<Double>()
        var scalarDiffer: UInt64 = 0, scalarBad = 0.0, scalarTop = 0.0
        func pair(_ i: Int, _ j: Int) { // the single pairs: next to the diagonal, and an odd n's last column
            let a = base.load(fromByteOffset: (i &* n &+ j) &* 8, as: Double.self)
            scalarDiffer |= a.bitPattern ^ base.load(fromByteOffset: (j &* n &+ i) &* 8, as: UInt64.self)
            scalarBad += a - a
            scalarTop = max(scalarTop, abs(a))
        }
        var i = 0
        while i &+ 1 < n {
            let row0 = base + i &* rowBytes, row1 = row0 + rowBytes
            pair(i, i &+ 1)
            var j = i &+ 2
            var mirror = base + (j &* rowBytes &+ i &* 8) // (m[j][i], m[j][i+1])
            while j &+ 1 < n {
                let a0 = row0.loadUnaligned(fromByteOffset: j &* 8, as: SIMD2<Double>.self) // m[i][j], m[i][j+1]
                let a1 = row1.loadUnaligned(fromByteOffset: j &* 8, as: SIMD2<Double>.self) // m[i+1][j], m[i+1][j+1]
                let b0 = mirror.loadUnaligned(as: SIMD2<Double>.self)
                let b1 = mirror.loadUnaligned(fromByteOffset: rowBytes, as: SIMD2<Double>.self)
                differ0 |= bits(a0) ^ bits(SIMD2(b0[0], b1[0]))
                differ1 |= bits(a1) ^ bits(SIMD2(b0[1], b1[1]))
                bad0 += a0 - a0
                bad1 += a1 - a1
                let x0 = magnitude(a0), x1 = magnitude(a1)
                top0.replace(with: x0, where: x0 .> top0)
                top1.replace(with: x1, where: x1 .> top1)
                mirror += 2 &* rowBytes
                j &+= 2
            }
            if j < n { pair(i, j); pair(i &+ 1, j) }
            // A matrix this pass will refuse (rounded, triangular) leaves at its first
            // differing rows, so the general pass that follows costs little more.
            if (differ0 | differ1) != .zero || scalarDiffer != 0 { return nil }
            i &+= 2
        }
        guard (bad0 + bad1).sum() + scalarBad == 0 else { return nil }
        return max(max(max(top0[0], top0[1]), max(top1[0], top1[1])), scalarTop)
    }

    /// The form of an n × n matrix whose off-diagonal entries are finite.
    public static func form(_ m: UnsafeBufferPointer<Double>, count n: Int) -> Result<Form, Asymmetry> {
        form(m, count: n, survey: survey(m, count: n))
    }

    /// The form `survey` (of `m`, all finite) found, or the first pair
    /// (row-major over the upper triangle) that breaks the rule.
    public static func form(_ m: UnsafeBufferPointer<Double>, count n: Int, survey: Survey) -> Result<Form, Asymmetry> {
        if let form = survey.form { return .success(form) }
        let slack = relativeTolerance * survey.largest
        for i in 0..<n {
            for j in (i + 1)..<n where abs(m[i * n + j] - m[j * n + i]) > slack {
                return .failure(Asymmetry(row: i, column: j, upper: m[i * n + j], lower: m[j * n + i]))
            }
        }
        return .success(.symmetric) // not reached: the survey saw such a pair
    }

    /// The first entry off the diagonal (row-major) that is not finite.
    public static func firstNonFinite(_ m: UnsafeBufferPointer<Double>, count n: Int) -> (row: Int, column: Int)? {
        for a in 0..<n {
            for b in 0..<n where a != b && !m[a * n + b].isFinite { return (a, b) }
        }
        return nil
    }

    /// The symmetric matrix `m` stands for, zero diagonal, written to `out`
    /// (n × n). `out` may be `m` itself: each pair is read before it is
    /// written, and no other pair reads it.
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

    /// Makes a checked matrix of `survey`'s form the symmetric matrix it
    /// stands for, in place: the diagonal zeroed, and — unless both
    /// triangles are equal already — each pair read and written once.
    public static func symmetrizeInPlace(_ m: UnsafeMutableBufferPointer<Double>, count n: Int, survey: Survey,
                                         form: Form) {
        guard form != .symmetric || !survey.isExactlySymmetric else {
            for i in 0..<n { m[i &* n &+ i] = 0 }
            return
        }
        symmetrize(UnsafeBufferPointer(m), count: n, form: form, into: m)
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

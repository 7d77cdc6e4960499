extension ScoringWorkspace {
    /// Takes one scorer's differences row by row (`absorb`), through
    /// pointers taken once per scorer: each access to the workspace's array
    /// properties is checked for exclusivity at run time.
    struct DifferenceSink {
        let count: Int, target: Target
        let rowSums: UnsafeMutablePointer<Double>, matrix: UnsafeMutablePointer<Double>
        var stats = DifferenceStats()

        /// Takes row i: v[t] is the difference of candidates i and i + 1 + t.
        /// One pass over the row does all it is needed for: the scorer's row
        /// sums (both ends of each pair), its range, its z-score sums, and
        /// its entry into the upper triangle.
        mutating func absorb(row i: Int, _ v: UnsafeBufferPointer<Double>) {
            let first = i + 1, len = v.count
            guard len > 0, let x = v.baseAddress else { return }
            if stats.reference.isNaN { stats.reference = x[0] }
            // The branches on the target are the same for every element:
            // the compiler takes them out of the loop.
            var weight = 1.0, adds = false, zscored = false
            switch target {
            case let .set(w): weight = w
            case let .add(w): weight = w; adds = true
            case .raw, .scratch: zscored = true
            }
            // Four lanes: the sums are reassociated by hand so the loop vectorises.
            let reference = SIMD4<Double>(repeating: stats.reference), w4 = SIMD4<Double>(repeating: weight)
            var sum = SIMD4<Double>(), shifted = SIMD4<Double>(), squares = SIMD4<Double>()
            var low = SIMD4<Double>(repeating: stats.low), high = SIMD4<Double>(repeating: stats.high)
            let column = UnsafeMutableRawPointer(rowSums + first)
            let out = UnsafeMutableRawPointer(matrix + i * count + first)
            var t = 0
            while t + 4 <= len {
                let x4 = UnsafeRawPointer(x + t).loadUnaligned(as: SIMD4<Double>.self)
                sum += x4
                low.replace(with: x4, where: x4 .< low)
                high.replace(with: x4, where: x4 .> high)
                if zscored {
                    let d = x4 - reference
                    shifted += d
                    squares += d * d
                }
                let at = 8 * t
                column.storeBytes(of: column.loadUnaligned(fromByteOffset: at, as: SIMD4<Double>.self) + x4,
                                  toByteOffset: at, as: SIMD4<Double>.self)
                var y4 = w4 * x4
                if adds { y4 += out.loadUnaligned(fromByteOffset: at, as: SIMD4<Double>.self) }
                out.storeBytes(of: zscored ? x4 : y4, toByteOffset: at, as: SIMD4<Double>.self)
                t += 4
            }
            // The lanes' min and max by hand: SIMD's min() and max() are generic calls here.
            var rowSum = sum.sum(), lo = min(min(low[0], low[1]), min(low[2], low[3]))
            var hi = max(max(high[0], high[1]), max(high[2], high[3]))
            var sh = shifted.sum(), sq = squares.sum()
            let tail = matrix + i * count + first
            while t < len {
                let y = x[t], d = y - stats.reference
                rowSum += y; lo = min(lo, y); hi = max(hi, y)
                if zscored { sh += d; sq += d * d }
                rowSums[first + t] += y
                tail[t] = zscored ? y : weight * y + (adds ? tail[t] : 0)
                t += 1
            }
            rowSums[i] += rowSum
            stats.low = lo
            stats.high = hi
            stats.shiftedSum += sh
            stats.shiftedSquares += sq
            stats.entries += len
        }
    }
}

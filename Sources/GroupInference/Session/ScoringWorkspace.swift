/// The buffers one scoring fills, owned by the session and reused by every
/// scoring after the first.
///
/// The first scoring sizes them for the candidates it scores — the most any
/// later scoring will see, since survivors only shrink — and later scorings
/// shrink their counts without giving memory back: once a session has scored
/// once, scoring allocates nothing, and the pages are not faulted in again.
/// Fresh multi-megabyte buffers per prune used to cost as much as BLAS.
///
/// `@unchecked Sendable`: a workspace belongs to one session at a time and
/// only changes hands through `spare`, under its lock. Its arrays are
/// `@exclusivity(unchecked)`: only the session's scoring touches them, one
/// access at a time, and the run-time check of each access cost more than
/// the small loops it guarded (callbacks over a few candidates).
final class ScoringWorkspace: @unchecked Sendable {

    /// Candidates in the current scoring.
    private(set) var count = 0
    /// Their ids, ascending: what the scorers are given. A copy kept here so
    /// that callbacks see the same address from one scoring to the next (a
    /// binding caches its view of it; the survivors array is new after
    /// every selection).
    @exclusivity(unchecked) private(set) var ids: [Int32] = []
    /// Combined unary scores, Σ_s weight_s · u_s (z-scored if asked).
    @exclusivity(unchecked) var unary: [Double] = []
    /// Combined pairwise scores, count × count, row-major. Scorers fill the
    /// upper triangle; `finishPairwise()` completes the matrix.
    @exclusivity(unchecked) var pairwise: [Double] = []
    /// Per scorer: its raw unary values, or its raw differences' row sums.
    @exclusivity(unchecked) var scorerValues: [[Double]] = []

    // Scratch, sized once.
    /// One scorer's values for the ids in order (unary), or what a unary
    /// callback writes.
    @exclusivity(unchecked) var values: [Double] = []
    /// One row of a scorer's differences.
    @exclusivity(unchecked) var row: [Double] = []
    /// A Gram block (`CosineDistance.gramCapacity`).
    @exclusivity(unchecked) var gram: [Float] = []
    /// Embeddings gathered (or written by a callback) for ids that are not
    /// one run in a scorer's storage: count × the largest dimension.
    @exclusivity(unchecked) var rows: [Float] = []
    /// Inverse norms of the gathered rows.
    @exclusivity(unchecked) var scale: [Double] = []
    /// Ids a scorer still needs values for.
    @exclusivity(unchecked) var missing: [Int32] = []
    /// A second z-scored pairwise scorer's raw differences (count × count).
    @exclusivity(unchecked) var scratch: [Double] = []

    /// Pairwise scorers in `pairwise` so far.
    private var pairwiseTerms = 0
    /// Per scorer: the map its raw differences enter `pairwise` by
    /// (weight, times its z-score if asked); nil for unary scorers.
    private(set) var termMaps: [Affine?] = []
    /// The map the upper triangle still owes: a z-scored first scorer is
    /// stored raw, its map applied by the next pass over the matrix (a later
    /// scorer's or `finishPairwise`).
    private var pending = Affine.identity
    /// Bounds of the combined entries, from each term's range: what the
    /// magnitude check and local search need, without a pass of their own.
    private(set) var pairwiseRange = (low: 0.0, high: 0.0)

    /// x ↦ scale · x + shift.
    struct Affine: Equatable {
        var scale: Double, shift: Double
        static let identity = Affine(scale: 1, shift: 0)
        func callAsFunction(_ x: Double) -> Double { self == .identity ? x : scale * x + shift }
    }

    /// What the pass over one scorer's differences learns on the way.
    struct DifferenceStats {
        var low = Double.infinity, high = -Double.infinity
        /// Σ (x − reference) and Σ (x − reference)² for the z-score, shifted
        /// by the first value so that near-constant values keep their variance.
        var reference = Double.nan, shiftedSum = 0.0, shiftedSquares = 0.0
        var entries = 0

        /// (x − mean) / sd over the entries; zero when they do not vary.
        var zscore: Affine {
            guard entries > 0 else { return Affine(scale: 0, shift: 0) }
            let n = Double(entries), meanShift = shiftedSum / n
            let sd = max(0, shiftedSquares / n - meanShift * meanShift).squareRoot()
            guard sd > 0, sd.isFinite else { return Affine(scale: 0, shift: 0) }
            return Affine(scale: 1 / sd, shift: -(reference + meanShift) / sd)
        }
    }

    /// Readies the buffers for scoring the candidates `ids` with `scorers`
    /// scorers: sizes them the first time, shrinks their counts afterwards.
    func begin(ids scored: [Int32], scorers: Int, largestDimension: Int, secondZscored: Bool) {
        let n = scored.count
        count = n
        resize(&ids, to: n)
        ids.withUnsafeMutableBufferPointer { _ = $0.update(fromContentsOf: scored) }
        resize(&unary, to: n)
        resize(&values, to: n)
        resize(&row, to: n)
        resize(&scale, to: n)
        resize(&pairwise, to: n * n)
        if missing.count < n { missing = [Int32](repeating: 0, count: n) }
        if gram.count < CosineDistance.gramCapacity(count: n), largestDimension > 0 {
            gram = [Float](repeating: 0, count: CosineDistance.gramCapacity(count: n))
        }
        if rows.count < n * largestDimension { rows = [Float](repeating: 0, count: n * largestDimension) }
        if secondZscored { resize(&scratch, to: n * n) }
        while scorerValues.count < scorers { scorerValues.append([]) }
        if termMaps.count != scorers { termMaps = [Affine?](repeating: nil, count: scorers) }
        for s in 0..<scorers { termMaps[s] = nil }
        for s in 0..<scorers { resize(&scorerValues[s], to: n) }
        unary.withUnsafeMutableBufferPointer { $0.update(repeating: 0) }
        pairwiseTerms = 0
        pending = .identity
        pairwiseRange = (0, 0)
    }


    // MARK: - Pairwise terms

    /// Where a scorer's differences go: weighted straight into `pairwise`
    /// (`set` for the first scorer, `add` after it), raw into `pairwise`
    /// (a z-scored first scorer), or raw into `scratch` (a later z-scored one).
    enum Target { case set(weight: Double), add(weight: Double), raw, scratch }

    /// Feeds scorer `s`'s differences through `body` into the upper
    /// triangle, then settles the map they enter by (weight, times their
    /// z-score if asked) and the range they add to the combined entries.
    func addDifferences(scorer s: Int, weight: Double, zscored: Bool, _ body: (inout DifferenceSink) -> Void) {
        let target: Target
        switch (pairwiseTerms, zscored) {
        case (0, false): target = .set(weight: weight)
        case (_, false): target = .add(weight: weight)
        case (0, true): target = .raw
        default: target = .scratch
        }
        var stats = DifferenceStats()
        scorerValues[s].withUnsafeMutableBufferPointer { sums in
            sums.update(repeating: 0)
            func feed(_ m: inout [Double]) {
                m.withUnsafeMutableBufferPointer { m in
                    var sink = DifferenceSink(count: count, target: target, rowSums: sums.baseAddress!,
                                              matrix: m.baseAddress!)
                    body(&sink)
                    stats = sink.stats
                }
            }
            if case .scratch = target { feed(&scratch) } else { feed(&pairwise) }
        }
        var map = Affine(scale: weight, shift: 0)
        switch target {
        case .set, .add: break
        case .raw:
            map = weighted(stats.zscore, weight)
            pending = map
        case .scratch:
            map = weighted(stats.zscore, weight)
            foldScratch(map)
        }
        termMaps[s] = map
        let a = stats.entries == 0 ? map.shift : map.scale * stats.low + map.shift
        let b = stats.entries == 0 ? map.shift : map.scale * stats.high + map.shift
        let (low, high) = (min(a, b), max(a, b))
        pairwiseRange = pairwiseTerms == 0 ? (low, high) : (pairwiseRange.low + low, pairwiseRange.high + high)
        pairwiseTerms += 1
    }

    private func weighted(_ z: Affine, _ weight: Double) -> Affine {
        Affine(scale: weight * z.scale, shift: weight * z.shift)
    }

    /// pairwise ← pending(pairwise) + map(scratch), above the diagonal.
    private func foldScratch(_ map: Affine) {
        let n = count, owed = pending
        scratch.withUnsafeBufferPointer { raw in
            pairwise.withUnsafeMutableBufferPointer { m in
                for i in 0..<n {
                    for j in (i + 1)..<n { m[i * n + j] = owed(m[i * n + j]) + map(raw[i * n + j]) }
                }
            }
        }
        pending = .identity
    }

    /// Completes `pairwise`: applies what the upper triangle still owes,
    /// zeroes the diagonal and mirrors the upper triangle below it, 4 × 4
    /// entries at a time (four row loads, four row stores) in 64 × 64 tiles
    /// that stay in cache. Going one entry at a time down a column cost
    /// several times more: the rows are often a power of two apart and
    /// share cache sets.
    func finishPairwise() {
        let n = count, owed = pending, tile = 64
        pairwise.withUnsafeMutableBufferPointer { m in
            guard pairwiseTerms > 0 else {
                m.update(repeating: 0)
                return
            }
            let base = m.baseAddress!
            for i in 0..<n {
                base[i * n + i] = 0
                if owed != .identity { for j in (i + 1)..<n { base[i * n + j] = owed(base[i * n + j]) } }
            }
            // Wrapping arithmetic: every index is below n², which fits.
            let rowBytes = 8 &* n
            for i1 in Swift.stride(from: 0, to: n, by: tile) {
                let iEnd = min(i1 &+ tile, n)
                for j1 in Swift.stride(from: i1, to: n, by: tile) {
                    let jEnd = min(j1 &+ tile, n)
                    for i0 in Swift.stride(from: i1, to: iEnd, by: 4) {
                        for j0 in Swift.stride(from: j1, to: jEnd, by: 4) {
                            guard i0 &+ 4 <= iEnd, j0 &+ 4 <= jEnd, j0 >= i0 &+ 4 else {
                                // At the diagonal or an edge: entry by entry.
                                for i in i0..<min(i0 &+ 4, iEnd) {
                                    for j in max(j0, i &+ 1)..<max(min(j0 &+ 4, jEnd), i &+ 1) {
                                        base[j &* n &+ i] = base[i &* n &+ j]
                                    }
                                }
                                continue
                            }
                            let from = UnsafeRawPointer(base + (i0 &* n &+ j0))
                            let r0 = from.loadUnaligned(as: SIMD4<Double>.self)
                            let r1 = from.loadUnaligned(fromByteOffset: rowBytes, as: SIMD4<Double>.self)
                            let r2 = from.loadUnaligned(fromByteOffset: 2 &* rowBytes, as: SIMD4<Double>.self)
                            let r3 = from.loadUnaligned(fromByteOffset: 3 &* rowBytes, as: SIMD4<Double>.self)
                            let to = UnsafeMutableRawPointer(base + (j0 &* n &+ i0))
                            for k in 0..<4 {
                                to.storeBytes(of: SIMD4(r0[k], r1[k], r2[k], r3[k]), toByteOffset: k &* rowBytes,
                                              as: SIMD4<Double>.self)
                            }
                        }
                    }
                }
            }
        }
        pending = .identity
    }

    /// Each candidate's mean combined difference to the others, from the
    /// scorers' row sums and maps: no pass over the matrix.
    func meanDifferences() -> [Double] {
        let n = count
        var means = [Double](repeating: 0, count: n)
        guard n > 1 else { return means }
        for (s, map) in termMaps.enumerated() {
            guard let map else { continue }
            for i in 0..<n { means[i] += map.scale * (scorerValues[s][i] / Double(n - 1)) + map.shift }
        }
        return means
    }

    // MARK: - For the solver and the record

    /// A lower bound on every λ·b_ij (local search's floor), and whether
    /// every |λ·b_ij| and |u_i| is surely within `limit` (else the caller
    /// checks entry by entry), from the terms' ranges. One term's range is
    /// exact; sums of several may round either way, so they are widened by
    /// a relative 1e-12 per term. Written so that a NaN anywhere fails.
    func weightedRanges(lambda: Double, limit: Double) -> (floor: Double, withinLimit: Bool) {
        let unaryWithin = unary.withUnsafeBufferPointer { u in u.allSatisfy { abs($0) <= limit } }
        guard count > 1, pairwiseTerms > 0 else { return (0, unaryWithin) }
        let a = lambda * pairwiseRange.low, b = lambda * pairwiseRange.high
        let slack = pairwiseTerms > 1 ? 1e-12 * Double(pairwiseTerms) * (abs(a) + abs(b)) : 0
        let within = unaryWithin && abs(a) + slack <= limit && abs(b) + slack <= limit
        return ((a < b ? a : b) - slack, within)
    }

    /// What the record keeps of scorer `s`: its raw unary values, or each
    /// candidate's raw mean difference to the others.
    func recordedValues(scorer s: Int, unary: Bool) -> [Double] {
        if unary { return copy(scorerValues[s]) }
        let n = count
        return scorerValues[s].map { n > 1 ? $0 / Double(n - 1) : 0 }
    }
}

/// Sets an array's count, keeping its storage: grows (zero-filled) only when
/// it must, shrinks by dropping the tail. Survivors only shrink, so after the
/// first scoring this never allocates.
func resize<T: Numeric>(_ a: inout [T], to n: Int) {
    if a.count > n { a.removeLast(a.count - n) } else if a.count < n {
        a.append(contentsOf: repeatElement(0, count: n - a.count))
    }
}

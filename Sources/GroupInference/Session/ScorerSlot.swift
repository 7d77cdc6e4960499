/// A scorer and its values for the current previews, whether computed by its
/// callback or pushed by the host. Values carry the epoch (preview version)
/// they describe; values of an older epoch count as missing.
///
/// Storage is indexed by candidate id and allocated at the first value;
/// later values overwrite it in place. Its arrays are `@exclusivity(unchecked)`
/// (one access at a time, by the session) for the reason given in
/// `ScoringWorkspace`.
final class ScorerSlot {
    let scorer: Scorer
    private let candidates: Int
    @exclusivity(unchecked) private var stamp: [Int] = []            // per candidate: epoch of its value
    @exclusivity(unchecked) private var unaryValues: [Double] = []
    @exclusivity(unchecked) private var embeddingValues: [Float] = [] // candidates × dimension
    @exclusivity(unchecked) private var inverseNorms: [Double] = []   // per candidate: 1 / ‖embedding‖
    // The last pairwise matrix (from a push or the callback), symmetric, and its ids.
    @exclusivity(unchecked) private var pairIDs: [Int32] = []
    @exclusivity(unchecked) private var pairPosition: [Int32] = []    // per candidate: its row in pairMatrix, or −1
    @exclusivity(unchecked) private var pairMatrix: [Double] = []
    private var pairEpoch = -1

    /// The scorer's callback, if any, in a property of its kind: called
    /// through it, the closure is borrowed from the slot, where a copy out
    /// of `Scorer.Callback` costs a retain and a release per call.
    let unaryCallback: UnaryScoring?
    let embeddingCallback: EmbeddingScoring?
    let pairwiseCallback: PairwiseScoring?

    init(_ scorer: Scorer, candidates: Int) {
        self.scorer = scorer
        self.candidates = candidates
        (unaryCallback, embeddingCallback, pairwiseCallback) = switch scorer.callback {
        case let .unary(compute)?: (compute, nil, nil)
        case let .embedding(compute)?: (nil, compute, nil)
        case let .pairwise(compute)?: (nil, nil, compute)
        case nil: (nil, nil, nil)
        }
    }

    var dimension: Int {
        if case let .embedding(d) = scorer.kind { return d }
        return 0
    }

    private func allocateOnce() {
        guard stamp.isEmpty else { return }
        stamp = [Int](repeating: -1, count: candidates)
        switch scorer.kind {
        case .unary: unaryValues = [Double](repeating: 0, count: candidates)
        case let .embedding(d):
            embeddingValues = [Float](repeating: 0, count: candidates * d)
            inverseNorms = [Double](repeating: 0, count: candidates)
        case .pairwise: break
        }
    }

    /// Writes the ids among `ids` without a value for `epoch` (unary and
    /// embedding scorers) to the front of `buffer`; returns their count.
    func missing(_ ids: UnsafeBufferPointer<Int32>, epoch: Int, into buffer: UnsafeMutableBufferPointer<Int32>) -> Int {
        guard !stamp.isEmpty else {
            _ = buffer.initialize(from: ids)
            return ids.count
        }
        return stamp.withUnsafeBufferPointer { stamp in
            var m = 0
            for id in ids where stamp[Int(id)] != epoch {
                buffer[m] = id
                m += 1
            }
            return m
        }
    }

    /// Loops over the slot's arrays go through pointers taken once: each
    /// access to a class's array property is checked for exclusivity at run
    /// time, which per element would cost more than the work.
    private func stampValues(_ ids: UnsafeBufferPointer<Int32>, epoch: Int) {
        stamp.withUnsafeMutableBufferPointer { stamp in
            for id in ids { stamp[Int(id)] = epoch }
        }
    }

    // MARK: - Unary

    func storeUnary(_ ids: UnsafeBufferPointer<Int32>, _ values: UnsafeBufferPointer<Double>, epoch: Int) {
        allocateOnce()
        unaryValues.withUnsafeMutableBufferPointer { stored in
            for (a, id) in ids.enumerated() { stored[Int(id)] = values[a] }
        }
        stampValues(ids, epoch: epoch)
    }

    func unary(_ ids: UnsafeBufferPointer<Int32>, into out: UnsafeMutableBufferPointer<Double>) {
        unaryValues.withUnsafeBufferPointer { v in
            for (a, id) in ids.enumerated() { out[a] = v[Int(id)] }
        }
    }

    // MARK: - Embeddings

    /// What is wrong with a block of embedding rows, if anything.
    struct RowCheck {
        /// The first row holding a value that is not finite, and that value.
        var nonFinite: (row: Int, value: Float)?
        /// The first row of norm zero (all finite).
        var zeroNorm: Int?
        var isValid: Bool { nonFinite == nil && zeroNorm == nil }
    }

    /// Checks `count` rows of `dimension` floats and writes their inverse
    /// norms (`CosineDistance.inverseNorm`): one pass per row for the
    /// squared norms (a non-finite value makes its squared norm non-finite
    /// too), then the square roots and divisions in a loop of their own,
    /// which the compiler vectorises; only a bad row is read again.
    static func check(rows: UnsafePointer<Float>, count m: Int, dimension d: Int,
                      inverseNorms out: UnsafeMutablePointer<Double>) -> RowCheck {
        for a in 0..<m { out[a] = CosineDistance.squaredNorm(UnsafeBufferPointer(start: rows + a * d, count: d)) }
        var valid = true
        for a in 0..<m {
            let squared = out[a], ok = squared > 0 && squared.isFinite
            valid = valid && ok
            out[a] = ok ? 1 / squared.squareRoot() : 0
        }
        guard !valid else { return RowCheck() }
        var result = RowCheck()
        for a in 0..<m where out[a] == 0 {
            let row = UnsafeBufferPointer(start: rows + a * d, count: d)
            if let bad = row.first(where: { !$0.isFinite }) {
                if result.nonFinite == nil { result.nonFinite = (a, bad) }
            } else if result.zeroNorm == nil {
                result.zeroNorm = a
            }
        }
        return result
    }

    /// The offset, in floats, of the storage rows of `ids` when they are
    /// one run of consecutive ids (ascending), so that a callback can write
    /// them in place; nil otherwise.
    func run(of ids: UnsafeBufferPointer<Int32>) -> Int? {
        guard let first = ids.first, let last = ids.last, Int(last - first) == ids.count - 1 else { return nil }
        allocateOnce()
        return Int(first) * dimension
    }

    /// The embedding storage (candidates × dimension), for a callback that
    /// writes a run of rows in place (`run(of:)`).
    func withEmbeddingStorage<R, E: Error>(_ body: (UnsafeMutableBufferPointer<Float>) throws(E) -> R) throws(E) -> R {
        allocateOnce()
        return try embeddingValues.withUnsafeMutableBufferPointer { (storage) throws(E) -> R in try body(storage) }
    }

    /// Stores checked rows (`check`) and their inverse norms.
    func storeEmbeddings(_ ids: UnsafeBufferPointer<Int32>, rows: UnsafePointer<Float>,
                         inverseNorms norms: UnsafePointer<Double>, epoch: Int) {
        allocateOnce()
        let d = dimension
        embeddingValues.withUnsafeMutableBufferPointer { storage in
            for (a, id) in ids.enumerated() {
                (storage.baseAddress! + Int(id) * d).update(from: rows + a * d, count: d)
            }
        }
        markEmbeddings(ids, inverseNorms: norms, epoch: epoch)
    }

    /// Marks rows a callback wrote in place (`run(of:)`) and checked as
    /// current, with their inverse norms.
    func markEmbeddings(_ ids: UnsafeBufferPointer<Int32>, inverseNorms norms: UnsafePointer<Double>, epoch: Int) {
        inverseNorms.withUnsafeMutableBufferPointer { stored in
            for (a, id) in ids.enumerated() { stored[Int(id)] = norms[a] }
        }
        stampValues(ids, epoch: epoch)
    }

    /// The stored rows and inverse norms, for reading.
    func withEmbeddings<R>(_ body: (UnsafePointer<Float>, UnsafePointer<Double>) -> R) -> R {
        allocateOnce()
        return embeddingValues.withUnsafeBufferPointer { rows in
            inverseNorms.withUnsafeBufferPointer { body(rows.baseAddress!, $0.baseAddress!) }
        }
    }

    // MARK: - Pairwise

    func pairwiseCovers(_ ids: UnsafeBufferPointer<Int32>, epoch: Int) -> Bool {
        pairEpoch == epoch && pairPosition.withUnsafeBufferPointer { p in ids.allSatisfy { p[Int($0)] >= 0 } }
    }

    /// Stores a host's checked matrix over `ids`, made symmetric by its form.
    func storePairwise(_ ids: UnsafeBufferPointer<Int32>, _ matrix: UnsafeBufferPointer<Double>,
                       form: PairwiseMatrix.Form, epoch: Int) {
        let n = ids.count
        resize(&pairMatrix, to: n * n)
        pairMatrix.withUnsafeMutableBufferPointer { PairwiseMatrix.symmetrize(matrix, count: n, form: form, into: $0) }
        setPairIDs(ids, epoch: epoch)
    }

    /// Lets a callback write the matrix over `ids` in place: `body` fills,
    /// checks and symmetrises it. The old matrix is gone from the start;
    /// the new one counts only when `body` returns.
    /// Always inlined: a call through the closure context made Swift
    /// retain and release the slot and the session around every callback.
    @inline(__always)
    func fillPairwise<E: Error>(_ ids: UnsafeBufferPointer<Int32>, epoch: Int,
                                _ body: (UnsafeMutableBufferPointer<Double>) throws(E) -> Void) throws(E) {
        pairEpoch = -1
        resize(&pairMatrix, to: ids.count * ids.count)
        try pairMatrix.withUnsafeMutableBufferPointer { (m) throws(E) in try body(m) }
        setPairIDs(ids, epoch: epoch)
    }

    private func setPairIDs(_ ids: UnsafeBufferPointer<Int32>, epoch: Int) {
        if pairPosition.isEmpty { pairPosition = [Int32](repeating: -1, count: candidates) }
        pairPosition.withUnsafeMutableBufferPointer { position in
            for id in pairIDs { position[Int(id)] = -1 }
            for (a, id) in ids.enumerated() { position[Int(id)] = Int32(a) }
        }
        resize(&pairIDs, to: ids.count)
        pairIDs.withUnsafeMutableBufferPointer { _ = $0.initialize(from: ids) }
        pairEpoch = epoch
    }

    /// Streams the stored matrix restricted to `ids` (which it covers) one
    /// row at a time, as `CosineDistance.streamRows` does: `body(a, v)` gets
    /// v[t] = b(ids[a], ids[a + 1 + t]). Rows come straight from storage when
    /// the matrix is over exactly `ids`; else through `row` (n doubles).
    func streamPairwiseRows(_ ids: UnsafeBufferPointer<Int32>, row: UnsafeMutablePointer<Double>,
                            _ body: (Int, UnsafeBufferPointer<Double>) -> Void) {
        let n = ids.count, m = pairIDs.count
        let same = m == n && pairIDs.withUnsafeBufferPointer { stored in (0..<n).allSatisfy { stored[$0] == ids[$0] } }
        pairMatrix.withUnsafeBufferPointer { b in
            pairPosition.withUnsafeBufferPointer { position in
                for a in 0..<n {
                    if same {
                        body(a, UnsafeBufferPointer(rebasing: b[(a * n + a + 1)..<(a * n + n)]))
                        continue
                    }
                    let from = Int(position[Int(ids[a])]) * m
                    for t in 0..<(n - 1 - a) { row[t] = b[from + Int(position[Int(ids[a + 1 + t])])] }
                    body(a, UnsafeBufferPointer(start: row, count: n - 1 - a))
                }
            }
        }
    }
}

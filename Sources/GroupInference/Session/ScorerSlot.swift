/// A scorer and its values for the current previews, whether computed by its
/// callback or pushed by the host. Values carry the epoch (preview version)
/// they describe; values of an older epoch count as missing.
///
/// Storage is indexed by candidate id and allocated at the first value;
/// later values overwrite it in place.
final class ScorerSlot {
    let scorer: Scorer
    private let candidates: Int
    private var stamp: [Int] = []            // per candidate: epoch of its value
    private var unaryValues: [Double] = []
    private var embeddingValues: [Float] = [] // candidates × dimension
    private var inverseNorms: [Double] = []   // per candidate: 1 / ‖embedding‖
    // The last pairwise matrix (from a push or the callback), symmetric, and its ids.
    private var pairIDs: [Int32] = []
    private var pairPosition: [Int32] = []    // per candidate: its row in pairMatrix, or −1
    private var pairMatrix: [Double] = []
    private var pairEpoch = -1

    init(_ scorer: Scorer, candidates: Int) {
        self.scorer = scorer
        self.candidates = candidates
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
        var m = 0
        for id in ids where stamp.isEmpty || stamp[Int(id)] != epoch {
            buffer[m] = id
            m += 1
        }
        return m
    }

    // MARK: - Unary

    func storeUnary(_ ids: UnsafeBufferPointer<Int32>, _ values: UnsafeBufferPointer<Double>, epoch: Int) {
        allocateOnce()
        for (a, id) in ids.enumerated() {
            unaryValues[Int(id)] = values[a]
            stamp[Int(id)] = epoch
        }
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
    /// norms: one pass per row, since a non-finite value makes the squared
    /// norm non-finite too.
    static func check(rows: UnsafePointer<Float>, count m: Int, dimension d: Int,
                      inverseNorms out: UnsafeMutablePointer<Double>) -> RowCheck {
        var result = RowCheck()
        for a in 0..<m {
            let row = UnsafeBufferPointer(start: rows + a * d, count: d)
            let (inverse, squared) = CosineDistance.inverseNorm(row)
            out[a] = inverse ?? 0
            guard inverse == nil else { continue }
            if !squared.isFinite {
                if result.nonFinite == nil, let bad = row.first(where: { !$0.isFinite }) {
                    result.nonFinite = (a, bad)
                }
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
        for (a, id) in ids.enumerated() {
            inverseNorms[Int(id)] = norms[a]
            stamp[Int(id)] = epoch
        }
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
        pairEpoch == epoch && ids.allSatisfy { pairPosition[Int($0)] >= 0 }
    }

    /// Stores a host's checked matrix over `ids`, made symmetric by its form.
    func storePairwise(_ ids: UnsafeBufferPointer<Int32>, _ matrix: UnsafeBufferPointer<Double>,
                       form: PairwiseMatrix.Form, epoch: Int) {
        let n = ids.count
        resizePairMatrix(n)
        pairMatrix.withUnsafeMutableBufferPointer { PairwiseMatrix.symmetrize(matrix, count: n, form: form, into: $0) }
        setPairIDs(ids, epoch: epoch)
    }

    /// Lets a callback write the matrix over `ids` in place: `body` fills,
    /// checks and symmetrises it. The old matrix is gone from the start;
    /// the new one counts only when `body` returns.
    func fillPairwise<E: Error>(_ ids: UnsafeBufferPointer<Int32>, epoch: Int,
                                _ body: (UnsafeMutableBufferPointer<Double>) throws(E) -> Void) throws(E) {
        pairEpoch = -1
        resizePairMatrix(ids.count)
        try pairMatrix.withUnsafeMutableBufferPointer { (m) throws(E) in try body(m) }
        setPairIDs(ids, epoch: epoch)
    }

    private func resizePairMatrix(_ n: Int) {
        if pairMatrix.count > n * n {
            pairMatrix.removeLast(pairMatrix.count - n * n)
        } else if pairMatrix.count < n * n {
            pairMatrix.append(contentsOf: repeatElement(0, count: n * n - pairMatrix.count))
        }
    }

    private func setPairIDs(_ ids: UnsafeBufferPointer<Int32>, epoch: Int) {
        if pairPosition.isEmpty { pairPosition = [Int32](repeating: -1, count: candidates) }
        for id in pairIDs { pairPosition[Int(id)] = -1 }
        pairIDs.removeAll(keepingCapacity: true)
        pairIDs.append(contentsOf: ids)
        for (a, id) in ids.enumerated() { pairPosition[Int(id)] = Int32(a) }
        pairEpoch = epoch
    }

    /// Streams the stored matrix restricted to `ids` (which it covers) one
    /// row at a time, as `CosineDistance.streamRows` does: `body(a, v)` gets
    /// v[t] = b(ids[a], ids[a + 1 + t]). Rows come straight from storage when
    /// the matrix is over exactly `ids`; else through `row` (n doubles).
    func streamPairwiseRows(_ ids: UnsafeBufferPointer<Int32>, row: UnsafeMutablePointer<Double>,
                            _ body: (Int, UnsafeBufferPointer<Double>) -> Void) {
        let n = ids.count, m = pairIDs.count
        let same = m == n && pairIDs.withUnsafeBufferPointer { $0.elementsEqual(ids) }
        pairMatrix.withUnsafeBufferPointer { b in
            for a in 0..<n {
                if same {
                    body(a, UnsafeBufferPointer(rebasing: b[(a * n + a + 1)..<(a * n + n)]))
                    continue
                }
                let from = Int(pairPosition[Int(ids[a])]) * m
                for t in 0..<(n - 1 - a) { row[t] = b[from + Int(pairPosition[Int(ids[a + 1 + t])])] }
                body(a, UnsafeBufferPointer(start: row, count: n - 1 - a))
            }
        }
    }
}

/// A scorer and its values for the current previews, whether computed by its
/// callback or pushed by the host. Values carry the epoch (preview version)
/// they describe; values of an older epoch count as missing.
final class ScorerSlot {
    let scorer: Scorer
    private let candidates: Int
    private var stamp: [Int] = []            // per candidate: epoch of its value
    private var unaryValues: [Double] = []
    private var embeddingValues: [Float] = []
    // The last pairwise matrix (from a push or the callback) and its ids.
    private var pairIDs: [Int32] = []
    private var pairPosition: [Int32] = []
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

    /// Ids among `ids` without a value for `epoch` (unary and embedding).
    func missing(_ ids: [Int32], epoch: Int) -> [Int32] {
        if stamp.isEmpty { return ids }
        return ids.filter { stamp[Int($0)] != epoch }
    }

    func pairwiseCovers(_ ids: [Int32], epoch: Int) -> Bool {
        pairEpoch == epoch && ids.allSatisfy { pairPosition[Int($0)] >= 0 }
    }

    func storeUnary(_ ids: UnsafeBufferPointer<Int32>, _ values: UnsafeBufferPointer<Double>, epoch: Int) {
        if stamp.isEmpty {
            stamp = [Int](repeating: -1, count: candidates)
            unaryValues = [Double](repeating: 0, count: candidates)
        }
        for (a, id) in ids.enumerated() {
            unaryValues[Int(id)] = values[a]
            stamp[Int(id)] = epoch
        }
    }

    func storeEmbeddings(_ ids: UnsafeBufferPointer<Int32>, _ values: UnsafeBufferPointer<Float>, epoch: Int) {
        let d = dimension
        if stamp.isEmpty {
            stamp = [Int](repeating: -1, count: candidates)
            embeddingValues = [Float](repeating: 0, count: candidates * d)
        }
        embeddingValues.withUnsafeMutableBufferPointer { dst in
            guard let to = dst.baseAddress, let from = values.baseAddress else { return }
            for (a, id) in ids.enumerated() {
                (to + Int(id) * d).update(from: from + a * d, count: d)
            }
        }
        for id in ids { stamp[Int(id)] = epoch }
    }

    /// `symmetric`: the checked matrix, already symmetrised (`PairwiseMatrix`).
    func storePairwise(_ ids: UnsafeBufferPointer<Int32>, symmetric: [Double], epoch: Int) {
        if pairPosition.isEmpty { pairPosition = [Int32](repeating: -1, count: candidates) }
        for id in pairIDs { pairPosition[Int(id)] = -1 }
        pairIDs = Array(ids)
        for (a, id) in ids.enumerated() { pairPosition[Int(id)] = Int32(a) }
        pairMatrix = symmetric
        pairEpoch = epoch
    }

    func unary(for ids: [Int32]) -> [Double] { ids.map { unaryValues[Int($0)] } }

    /// The embeddings of `ids` as one n × d block.
    func embeddings(for ids: [Int32]) -> [Float] {
        let d = dimension
        var block = [Float](repeating: 0, count: ids.count * d)
        embeddingValues.withUnsafeBufferPointer { src in
            block.withUnsafeMutableBufferPointer { dst in
                guard let to = dst.baseAddress, let from = src.baseAddress else { return }
                for (a, id) in ids.enumerated() {
                    (to + a * d).update(from: from + Int(id) * d, count: d)
                }
            }
        }
        return block
    }

    /// The stored (symmetric) matrix restricted to `ids`, which it covers.
    func pairwise(for ids: [Int32]) -> [Double] {
        let n = ids.count, m = pairIDs.count
        let pos = ids.map { Int(pairPosition[Int($0)]) }
        var out = [Double](repeating: 0, count: n * n)
        for a in 0..<n {
            for b in (a + 1)..<n {
                let v = pairMatrix[pos[a] * m + pos[b]]
                out[a * n + b] = v
                out[b * n + a] = v
            }
        }
        return out
    }
}

/// A host scorer's callback: fill one value per candidate id (unary), one
/// embedding row per id (embedding), or an n × n matrix (pairwise). `step` is
/// the step whose previews are scored (−1 before the first). Throw to fail;
/// throw `CallbackFailure(code:)` to pass a status code through.
///
/// `ids` (ascending, alive) are the candidates still lacking a value for
/// these previews (pairwise: all those scored). Both buffers belong to the
/// library and are valid during the call only: the output comes pre-filled
/// with NaN (a value not written is refused as not finite) and is checked
/// when the callback returns. An embedding callback over a run of
/// consecutive ids writes straight into the scorer's own storage, a pairwise
/// callback into the scorer's matrix; nothing may keep either pointer.
public typealias UnaryScoring = (_ step: Int, _ ids: UnsafeBufferPointer<Int32>,
                                 _ scores: UnsafeMutableBufferPointer<Double>) throws -> Void
public typealias EmbeddingScoring = (_ step: Int, _ ids: UnsafeBufferPointer<Int32>,
                                     _ embeddings: UnsafeMutableBufferPointer<Float>) throws -> Void
public typealias PairwiseScoring = (_ step: Int, _ ids: UnsafeBufferPointer<Int32>,
                                    _ matrix: UnsafeMutableBufferPointer<Double>) throws -> Void

/// "Advance these candidates by one step and refresh their previews."
public typealias Denoising = (_ step: Int, _ ids: UnsafeBufferPointer<Int32>) throws -> Void

/// One weighted score source. Without a callback its values are pushed by
/// the host (`GroupSession.push`).
///
/// ```swift
/// try session.add(.unary("quality") { step, ids, out in ... })
/// try session.add(.embedding("dino", dimension: 768, weight: 2))   // pushed
/// ```
public struct Scorer {
    public enum Kind: Equatable, Sendable {
        case unary
        case embedding(dimension: Int)
        case pairwise

        var name: String {
            switch self {
            case .unary: "unary"
            case .embedding: "embedding"
            case .pairwise: "pairwise"
            }
        }
    }

    enum Callback {
        case unary(UnaryScoring)
        case embedding(EmbeddingScoring)
        case pairwise(PairwiseScoring)
    }

    public let name: String
    public let weight: Double
    public let kind: Kind
    let callback: Callback?

    public var isPushed: Bool { callback == nil }

    public static func unary(_ name: String, weight: Double = 1, _ compute: UnaryScoring? = nil) -> Scorer {
        Scorer(name: name, weight: weight, kind: .unary, callback: compute.map { .unary($0) })
    }

    public static func embedding(_ name: String, dimension: Int, weight: Double = 1,
                                 _ compute: EmbeddingScoring? = nil) -> Scorer {
        Scorer(name: name, weight: weight, kind: .embedding(dimension: dimension),
               callback: compute.map { .embedding($0) })
    }

    public static func pairwise(_ name: String, weight: Double = 1, _ compute: PairwiseScoring? = nil) -> Scorer {
        Scorer(name: name, weight: weight, kind: .pairwise, callback: compute.map { .pairwise($0) })
    }

    func validate() throws(GroupInferenceError) {
        guard !name.isEmpty, name.utf8.count <= Limits.maxScorerNameBytes else {
            throw .argument("scorer name '\(name)' must be 1..\(Limits.maxScorerNameBytes) bytes long")
        }
        guard weight.isFinite else { throw .argument("scorer '\(name)': weight = \(weight) is not finite") }
        if case let .embedding(d) = kind {
            guard d >= 1 else { throw .argument("scorer '\(name)': embedding dim = \(d) must be at least 1") }
            guard d <= Limits.maxEmbeddingDimension else {
                throw .limit("scorer '\(name)': embedding dim = \(d) exceeds the limit of \(Limits.maxEmbeddingDimension)")
            }
        }
    }
}

/// Wraps an error thrown by a host callback into the session's error.
func callbackError(_ error: any Error, _ who: String, step: Int) -> GroupInferenceError {
    if let failure = error as? CallbackFailure {
        return .init(.callbackFailed, "\(who) returned \(failure.code) at step \(step)")
    }
    return .init(.callbackFailed, "\(who) failed at step \(step): \(error)")
}

/// One scoring of the survivors: a prune, the final choice, or (with
/// `traceEveryStep`) a step that kept everyone; or a discard (`discard(_:)`),
/// which scores nothing. Enough to plot how the survivors and their scores
/// evolve.
public struct StepRecord: Sendable {
    /// Step whose previews were scored (−1: before the first step); for a
    /// discard, the last step completed.
    public let step: Int
    /// Candidates scored, ascending; for a discard, the discarded ids.
    public let ids: [Int32]
    /// Candidates kept, ascending.
    public let kept: [Int32]
    /// nil when nothing was selected (everyone kept).
    public let solveStatus: SolveStatus?
    /// Which bound `bound` is.
    public let boundKind: BoundKind
    /// Candidates removed by `discard(_:)`; 0 for a scoring.
    public let discarded: Int
    public let onDemand: Bool
    public let isFinal: Bool
    /// Model evaluations spent up to this step.
    public let evaluations: Int
    /// Objective of the kept set under this step's scores.
    public let objective: Double
    public let bound: Double?
    public let gap: Double?
    public let secondsScoring: Double
    public let secondsSolving: Double
    /// Combined unary score of each scored id, as the solver saw it.
    public let unary: [Double]
    /// Mean combined pairwise score of each scored id to the others.
    public let diversity: [Double]
    /// Per scorer: raw unary score, or raw mean difference to the others.
    public let scorerValues: [[Double]]
    /// The best group of K under this step's scores (the kept set when it
    /// has K members); empty when not computed (detail off).
    public let group: [Int32]
    /// The combined pairwise matrix (ids.count²), kept in detail mode
    /// (`traceEveryStep` or the adaptive schedule) for calibration and the
    /// adaptive rule; empty otherwise.
    public let pairwise: [Double]

    /// A discard record: nothing scored, `ids` the removed candidates.
    public var isDiscard: Bool { discarded > 0 }

    static func discard(step: Int, removed: [Int32], survivors: [Int32], evaluations: Int) -> StepRecord {
        StepRecord(step: step, ids: removed, kept: survivors, solveStatus: nil, boundKind: .none,
                   discarded: removed.count, onDemand: true, isFinal: false, evaluations: evaluations,
                   objective: .nan, bound: nil, gap: nil, secondsScoring: 0, secondsSolving: 0,
                   unary: [], diversity: [], scorerValues: [], group: [], pairwise: [])
    }
}

/// The final group with its scores.
public struct FinalGroup: Sendable {
    /// K ids, ascending.
    public let ids: [Int32]
    public let unary: [Double]
    /// K × K, row-major, zero diagonal.
    public let pairwise: [Double]
    public let objective: Double
}

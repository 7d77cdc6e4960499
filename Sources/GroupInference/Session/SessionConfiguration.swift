/// How scores of different scorers are put on one scale before weighting.
public enum Normalization: Int32, Sendable {
    /// Raw scores, as the reference method uses them.
    case none = 0
    /// Each scorer z-scored over the candidates scored at that step.
    case zscore = 1
}

/// Everything a session is created with; defaults follow the reference
/// method (K = 4, ρ = 0.5 from step 0) at M = 64, T = 20.
public struct SessionConfiguration: Sendable {
    public var candidates = 64
    public var groupSize = 4
    public var steps = 20
    public var lambda = 1.0
    public var schedule = PruneSchedule.ratio(0.5, firstStep: 0)
    public var solver = SolverOptions()
    public var normalization = Normalization.none
    /// Score the survivors after every step, also steps that do not prune.
    public var traceEveryStep = false

    public init() {}

    public func validate() throws(GroupInferenceError) {
        guard candidates >= 1 else { throw .argument("num_candidates = \(candidates) must be at least 1") }
        guard candidates <= Limits.maxCandidates else {
            throw .limit("num_candidates = \(candidates) exceeds the limit of \(Limits.maxCandidates)")
        }
        guard groupSize >= 1, groupSize <= candidates else {
            throw .argument("group_size K = \(groupSize) must be in 1..num_candidates (M = \(candidates))")
        }
        guard steps >= 1 else { throw .argument("num_steps = \(steps) must be at least 1") }
        guard steps <= Limits.maxSteps else {
            throw .limit("num_steps = \(steps) exceeds the limit of \(Limits.maxSteps)")
        }
        guard lambda.isFinite else { throw .argument("lambda = \(lambda) is not finite") }
        try schedule.validate(candidates: candidates, groupSize: groupSize, steps: steps)
        try solver.validate()
    }
}

public enum SolverChoice: Int32, Sendable {
    /// Heuristic, then an exact solve where size and time make a proof likely.
    case auto = 0
    /// Branch and bound on concave-relaxation bounds.
    case exact = 1
    /// Greedy insertion + best-improvement swaps.
    case heuristic = 2
    /// GLPK branch-and-cut on the strengthened linearisation.
    case mip = 3
}

public struct SolverOptions: Sendable {
    public var choice: SolverChoice
    /// Seconds an exact solve may take.
    public var timeLimit: Double
    /// Relative gap at which an exact solve may stop; 0 proves optimality.
    public var relativeGap: Double
    public var seed: UInt64

    public init(choice: SolverChoice = .auto, timeLimit: Double = 1.0, relativeGap: Double = 0, seed: UInt64 = 0) {
        self.choice = choice
        self.timeLimit = timeLimit
        self.relativeGap = relativeGap
        self.seed = seed
    }

    /// Checked before any GLPK call: GLPK aborts the process on bad parameters.
    public func validate() throws(GroupInferenceError) {
        guard timeLimit.isFinite, timeLimit > 0 else {
            throw .argument("time_limit = \(timeLimit) must be a finite number of seconds > 0")
        }
        guard relativeGap.isFinite, relativeGap >= 0, relativeGap < 1 else {
            throw .argument("mip_gap = \(relativeGap) must be in [0, 1)")
        }
    }
}

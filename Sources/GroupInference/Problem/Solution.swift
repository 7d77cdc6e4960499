/// How a selection was obtained, from strongest to weakest claim.
public enum SolveStatus: Int32, Sendable {
    /// Proven optimal.
    case optimal = 1
    /// Stopped once the relative gap fell to the requested `relativeGap`.
    case gapLimit = 2
    /// Stopped at the time limit before a proof; `bound` says how far off it may be.
    case timeLimit = 3
    /// Heuristic only; `bound` is a cheap valid bound, if any.
    case heuristic = 4

    public var name: String {
        switch self {
        case .optimal: "optimal"
        case .gapLimit: "gap_limit"
        case .timeLimit: "time_limit"
        case .heuristic: "heuristic"
        }
    }
}

public struct Solution: Sendable {
    /// Chosen indices, ascending.
    public let selection: [Int]
    public let objective: Double
    /// Valid upper bound on the optimum, if one is known.
    public let bound: Double?
    public let status: SolveStatus
    public let seconds: Double
    public let nodes: Int

    /// (bound − objective) / max(|objective|, 1e-12); 0 when proven optimal.
    public var gap: Double? {
        if status == .optimal { return 0 }
        guard let bound else { return nil }
        return max(0, bound - objective) / max(abs(objective), 1e-12)
    }
}

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

/// Which bound a solution reports; mirrors `gi_bound_kind`.
public enum BoundKind: Int32, Sendable {
    /// No bound is known.
    case none = 0
    /// The problem needed no search: the bound is the optimum.
    case trivial = 1
    /// The O(n²) bound: each item's unary score plus its best K−1 weighted pairs.
    case cheap = 2
    /// The branch and bound's concave relaxation.
    case relaxation = 3
    /// GLPK's LP bound.
    case mip = 4

    public var name: String {
        switch self {
        case .none: "none"
        case .trivial: "trivial"
        case .cheap: "cheap"
        case .relaxation: "relaxation"
        case .mip: "mip"
        }
    }
}

public struct Solution: Sendable {
    /// Chosen indices, ascending.
    public let selection: [Int]
    public let objective: Double
    /// Valid upper bound on the optimum, if one is known.
    public let bound: Double?
    /// Which bound `bound` is (`.none` when it is nil).
    public let boundKind: BoundKind
    public let status: SolveStatus
    public let seconds: Double
    public let nodes: Int

    public init(selection: [Int], objective: Double, bound: Double?, boundKind: BoundKind,
                status: SolveStatus, seconds: Double, nodes: Int) {
        self.selection = selection
        self.objective = objective
        self.bound = bound
        self.boundKind = bound == nil ? .none : boundKind
        self.status = status
        self.seconds = seconds
        self.nodes = nodes
    }

    /// (bound − objective) / max(|objective|, 1e-12); 0 when proven optimal.
    public var gap: Double? {
        if status == .optimal { return 0 }
        guard let bound else { return nil }
        return max(0, bound - objective) / max(abs(objective), 1e-12)
    }
}

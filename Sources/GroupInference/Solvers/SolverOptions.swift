public enum SolverChoice: Int32, Sendable {
    /// Heuristic, then search for the rest of the time limit: branch and
    /// bound interleaved with tabu search up to 256 candidates, tabu search
    /// beyond; returns as soon as a proof is done (see `AnytimeSearch`).
    case auto = 0
    /// Branch and bound on concave-relaxation bounds.
    case exact = 1
    /// Greedy insertion + best-improvement swaps.
    case heuristic = 2
    /// GLPK branch-and-cut on the strengthened linearisation.
    case mip = 3
}

extension SolverChoice {
    /// The solvers asked for a proof: a solve they stop at the time limit
    /// is reported as a warning.
    public var provesOptimality: Bool { self == .exact || self == .mip }
}

public struct SolverOptions: Sendable {
    public var choice: SolverChoice
    /// Seconds a solve may take, whatever the solver: each returns within
    /// about 1 % + 50 ms of it (`groupinference-bench clock`). `auto` uses
    /// all of it unless a proof ends the solve earlier. The default keeps a
    /// prune far below a model step (a FLUX-sized step over 64 candidates
    /// takes seconds); most prunes of real data are proven in milliseconds.
    public var timeLimit: Double
    /// Relative gap at which an exact solve may stop; 0 proves optimality.
    public var relativeGap: Double
    /// Seed of the perturbations of iterated local search and of the tabu
    /// search's random choices (ties, restarts).
    public var seed: UInt64
    /// Rounds of iterated local search after greedy + swaps (within the time
    /// limit). Measured on M = 1024 (bench/): greedy + swaps is already within
    /// 1e-5 of what 300 rounds find, so the default is none.
    public var restarts: Int
    /// Bytes the exact search may keep for open subproblems (default
    /// 256 MiB, at least 1 MiB). Beyond it the search stops adding to its
    /// open list and finishes subtrees depth-first, which needs memory in
    /// proportion to the depth only.
    public var memoryLimit: Int

    /// Smallest `memoryLimit` accepted, and the default (256 MiB).
    public static let minimumMemoryLimit = 1 << 20
    public static let defaultMemoryLimit = 256 << 20

    public init(choice: SolverChoice = .auto, timeLimit: Double = 0.1, relativeGap: Double = 0, seed: UInt64 = 0,
                restarts: Int = 0, memoryLimit: Int = SolverOptions.defaultMemoryLimit) {
        self.choice = choice
        self.timeLimit = timeLimit
        self.relativeGap = relativeGap
        self.seed = seed
        self.restarts = restarts
        self.memoryLimit = memoryLimit
    }

    /// Checked before any GLPK call: GLPK aborts the process on bad parameters.
    public func validate() throws(GroupInferenceError) {
        guard timeLimit.isFinite, timeLimit > 0 else {
            throw .argument("time_limit = \(timeLimit) must be a finite number of seconds > 0")
        }
        guard relativeGap.isFinite, relativeGap >= 0, relativeGap < 1 else {
            throw .argument("mip_gap = \(relativeGap) must be in [0, 1)")
        }
        guard restarts >= 0, restarts <= 1_000_000 else {
            throw .argument("restarts = \(restarts) must be in 0..1000000")
        }
        guard memoryLimit >= Self.minimumMemoryLimit else {
            throw .argument("memory_limit = \(memoryLimit) bytes is below the minimum of 1 MiB (\(Self.minimumMemoryLimit))")
        }
    }
}

/// A group-inference session over M candidates with stable ids 0..<M.
///
/// Each step denoises the survivors (the host's `denoiser`, or the host
/// itself between calls), and after the steps the schedule names the
/// survivors are scored — every scorer, weighted and summed — and the best
/// group of the scheduled size is kept by solving a quadratic selection
/// problem. After the last step K candidates remain: `finalGroup`.
///
/// **Errors and the retry rule.** Every driving call throws a
/// `GroupInferenceError` and leaves the session usable:
/// - a failed denoiser counts nothing; the next `step()` calls it again;
/// - a failed scoring or solve after a counted step (a callback failed or
///   gave bad values, a pushed value is missing, the solver failed) sets
///   `retryPending`; the next `step()` (or `run()`) retries only the scoring
///   and the selection, without denoising again. Values stored for these
///   previews are kept, so callbacks are called again only for what is
///   still missing, and pushes in between fill the gaps;
/// - a failed `prune(keep:)` leaves the survivors and the trace as they were.
///
/// ```swift
/// var config = SessionConfiguration()
/// config.candidates = 64; config.groupSize = 4; config.steps = 20
/// let session = try GroupSession(config)
/// try session.add(.unary("quality") { step, ids, out in ... })
/// session.denoiser = { step, ids in ... }
/// try session.run()
/// print(session.finalGroup!.ids)
/// ```
///
/// Not thread-safe: use one session from one thread at a time.
public final class GroupSession {
    /// What the session was created with (validated).
    public let configuration: SessionConfiguration
    var slots: [ScorerSlot] = []
    /// The registered scorers; a scorer's id is its index here.
    public var scorers: [Scorer] { slots.map(\.scorer) }
    /// "Advance these candidates by one step and refresh their previews."
    /// Without a denoiser the host advances the survivors itself before each
    /// `step()` (and pushes the scores that step needs, see `progress`).
    public var denoiser: Denoising?
    /// Called by `run()` after every step it completes, the last one too;
    /// returning false stops the run after that step (`run()` throws
    /// `.cancelled` unless the session is done), and `run()` or `step()`
    /// continue from there. Not called by `step()` itself.
    public var progressHandler: ((Progress) -> Bool)?

    /// Candidates still in play, ascending.
    public internal(set) var alive: [Int32]
    var isAlive: [Bool]
    /// Denoising steps completed (a step whose scoring is pending counts).
    public internal(set) var stepsDone = 0
    /// Model evaluations: candidates denoised, summed over steps.
    public internal(set) var evaluations = 0
    /// The trace: one record per scoring (every prune, the final choice, and
    /// with `traceEveryStep` every step) and per discard, in order.
    public internal(set) var records: [StepRecord] = []
    /// The result: K ids with their scores and objective, once the last
    /// step's selection is made; nil before.
    public internal(set) var finalGroup: FinalGroup?
    /// The last step was counted but its scoring or selection failed: the
    /// next `step()` retries them (see the retry rule above).
    public internal(set) var retryPending = false
    /// Candidates removed by `discard(_:)`.
    public internal(set) var discardedCount = 0
    /// Wall time of the latest completed step (denoiser, scoring, solving).
    public internal(set) var lastStepSeconds = 0.0
    /// Version of the previews: stored scores of an older epoch are stale.
    var epoch = 0
    /// The buffers every scoring reuses: taken at the first scoring, left
    /// for the next session when this one goes (`ScoringWorkspace.park`).
    private var workspaceStorage: ScoringWorkspace?
    var workspace: ScoringWorkspace {
        if let workspaceStorage { return workspaceStorage }
        let taken = ScoringWorkspace.take()
        workspaceStorage = taken
        return taken
    }

    deinit {
        if let workspaceStorage { ScoringWorkspace.park(workspaceStorage) }
    }

    /// A session with every candidate alive and no scorer yet.
    /// - Throws: `.invalidArgument` or `.limitExceeded` for a configuration
    ///   `SessionConfiguration.validate()` refuses (the message names the field).
    public init(_ configuration: SessionConfiguration) throws(GroupInferenceError) {
        try configuration.validate()
        self.configuration = configuration
        alive = (0..<Int32(configuration.candidates)).map { $0 }
        isAlive = [Bool](repeating: true, count: configuration.candidates)
    }

    /// True once the final group is chosen; every driving call then throws.
    public var isDone: Bool { finalGroup != nil }
    var hasStarted: Bool { stepsDone > 0 || !records.isEmpty || retryPending }
    /// M × T: what denoising every candidate to the end would cost.
    public var naiveEvaluations: Int { configuration.candidates * configuration.steps }

    /// Registers a scorer and returns its id (0, 1, … in order of adding).
    ///
    /// A scorer with a callback is asked for the values it lacks whenever
    /// the survivors are scored; one without takes values pushed by the
    /// host (`pushUnary`, `pushEmbeddings`, `pushPairwise`). The combined
    /// scores are Σ weight · (raw, or z-scored with `.zscore`) values.
    ///
    /// - Throws: `.invalidState` after the first step or prune;
    ///   `.invalidArgument` for an empty or too long name, a name already
    ///   used, a weight that is not finite, an embedding dimension below 1;
    ///   `.limitExceeded` beyond `Limits.maxScorers` scorers or
    ///   `Limits.maxEmbeddingDimension`. Nothing changes when it throws.
    @discardableResult
    public func add(_ scorer: Scorer) throws(GroupInferenceError) -> Int {
        try scorer.validate()
        guard !hasStarted else {
            throw .state("scorer '\(scorer.name)' comes too late: scorers must be added before the first step or prune")
        }
        guard slots.count < Limits.maxScorers else {
            throw .limit("a session holds at most \(Limits.maxScorers) scorers")
        }
        guard !slots.contains(where: { $0.scorer.name == scorer.name }) else {
            throw .argument("a scorer named '\(scorer.name)' already exists in this session")
        }
        slots.append(ScorerSlot(scorer, candidates: configuration.candidates))
        return slots.count - 1
    }

    // MARK: - Driving

    /// What a driving call achieved when it did not throw.
    public enum Completion: Equatable, Sendable {
        case complete
        /// An exact solve stopped at its time limit (only reported when the
        /// exact solver was asked for: the caller wanted proofs).
        case unproven
    }

    /// Completes one denoising step: calls the denoiser on the survivors (if
    /// set), counts their model evaluations, then — if the schedule prunes
    /// after this step or it is the last step — scores the survivors and
    /// keeps the best group of the scheduled size (K after the last step).
    /// With `retryPending` it only retries the scoring and selection of the
    /// step already counted.
    ///
    /// - Returns: `.unproven` if an exact solve (`.exact`, `.mip`) stopped at
    ///   its time limit; `.complete` otherwise.
    /// - Throws: `.invalidState` once done or without scorers;
    ///   `.callbackFailed` when the denoiser or a scorer callback fails;
    ///   `.badScores` for values that are not finite or written, a zero
    ///   embedding, a pairwise matrix neither symmetric nor triangular, a
    ///   pushed value missing, combined scores beyond ±1e150;
    ///   `.solverFailed` or `.limitExceeded` from the solver. After a failed
    ///   denoiser nothing is counted; after a failed scoring or selection
    ///   `retryPending` is set.
    @discardableResult
    public func step() throws(GroupInferenceError) -> Completion {
        guard !isDone else {
            throw .state("the session is done: all \(configuration.steps) steps ran and the final group is chosen")
        }
        guard !slots.isEmpty else {
            throw .state("the session has no scorers: add at least one before the first step")
        }
        let clock = Stopwatch()
        if retryPending {
            let completion = try scoreAfterStep(stepsDone - 1)
            lastStepSeconds = clock.elapsed
            return completion
        }
        let step = stepsDone
        if let denoiser {
            do {
                try alive.withUnsafeBufferPointer { try denoiser(step, $0) }
            } catch {
                throw callbackError(error, "the denoiser", step: step)
            }
            epoch += 1 // the previews changed
        }
        stepsDone += 1
        evaluations += alive.count
        if scoresNeeded(afterStep: step) {
            retryPending = true
            let completion = try scoreAfterStep(step)
            lastStepSeconds = clock.elapsed
            return completion
        }
        previewsConsumed()
        lastStepSeconds = clock.elapsed
        return .complete
    }

    /// Calls `step()` until done, and `progressHandler` after every step.
    ///
    /// - Returns: `.unproven` if any exact solve stopped at its time limit.
    /// - Throws: `.invalidState` once done or without a denoiser; what
    ///   `step()` throws (the run stops at that step; the retry rule applies
    ///   and a later `run()` continues); `.cancelled` when the progress
    ///   handler returned false before the last step.
    @discardableResult
    public func run() throws(GroupInferenceError) -> Completion {
        guard !isDone else {
            throw .state("the session is done: all \(configuration.steps) steps ran and the final group is chosen")
        }
        guard denoiser != nil else {
            throw .state("run needs a denoiser callback; a host-driven loop calls step() after advancing the survivors")
        }
        var result = Completion.complete
        while !isDone {
            if try step() == .unproven { result = .unproven }
            if let handler = progressHandler, !handler(progress), !isDone {
                throw .init(.cancelled, "the progress hook asked to stop after step \(stepsDone - 1) of \(configuration.steps); run() or step() continue from there")
            }
        }
        return result
    }

    /// Scores the survivors now and keeps the best `keep` of them; the
    /// schedule then continues from the smaller set. Allowed before the first
    /// step (the scores then describe the initial noises, step −1) and
    /// between steps; `keep == alive.count` does nothing.
    ///
    /// - Returns: `.unproven` if an exact solve stopped at its time limit.
    /// - Throws: `.invalidState` once done, without scorers, or while a
    ///   step's scoring is pending (`step()` retries it first);
    ///   `.invalidArgument` for `keep` outside K...alive; the scoring and
    ///   solver errors of `step()`. The survivors and the trace stay as they
    ///   were when it throws (values already computed for these previews are
    ///   kept for the next try).
    @discardableResult
    public func prune(keep: Int) throws(GroupInferenceError) -> Completion {
        guard !isDone else { throw .state("the session is done: there is nothing left to prune") }
        guard !slots.isEmpty else { throw .state("the session has no scorers: add at least one before pruning") }
        guard retryPending == false else {
            throw .state("step \(stepsDone - 1)'s scoring failed and is pending: call step() to retry it before pruning")
        }
        let k = configuration.groupSize
        guard keep >= k, keep <= alive.count else {
            throw .argument("keep = \(keep) must be in [K = \(k), alive = \(alive.count)]")
        }
        if keep == alive.count { return .complete }
        return try select(keep: .count(keep), step: stepsDone - 1, onDemand: true, isFinal: false)
    }

    private func scoreAfterStep(_ step: Int) throws(GroupInferenceError) -> Completion {
        let steps = configuration.steps, isFinal = step == steps - 1
        let keep: Keep
        if case .adaptive = configuration.schedule, !isFinal {
            keep = .adaptive
        } else {
            keep = .count(configuration.schedule.keep(afterStep: step, alive: alive.count,
                                                      groupSize: configuration.groupSize, steps: steps))
        }
        let completion = try select(keep: keep, step: step, onDemand: false, isFinal: isFinal)
        retryPending = false
        previewsConsumed()
        return completion
    }

    /// In a host-driven loop the host advances the survivors after `step()`
    /// returns, so what it pushed so far is stale from now on.
    private func previewsConsumed() {
        if denoiser == nil { epoch += 1 }
    }

    func scoresNeeded(afterStep step: Int) -> Bool {
        if step >= configuration.steps - 1 || recordsDetail { return true }
        return keepAfter(step: step) < alive.count
    }

    func keepAfter(step: Int) -> Int {
        configuration.schedule.keep(afterStep: step, alive: alive.count,
                                    groupSize: configuration.groupSize, steps: configuration.steps)
    }
}

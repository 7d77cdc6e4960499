/// A group-inference session over M candidates with stable ids 0..<M.
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
    public let configuration: SessionConfiguration
    var slots: [ScorerSlot] = []
    public var scorers: [Scorer] { slots.map(\.scorer) }
    /// Without a denoiser the host advances the survivors itself before each `step()`.
    public var denoiser: Denoising?
    /// Called by `run()` after every step it completes; returning false stops
    /// the run (it throws `.cancelled`), leaving the session ready to go on.
    public var progressHandler: ((Progress) -> Bool)?

    /// Alive candidates, ascending.
    public internal(set) var alive: [Int32]
    var isAlive: [Bool]
    public internal(set) var stepsDone = 0
    /// Model evaluations: candidates denoised, summed over steps.
    public internal(set) var evaluations = 0
    public internal(set) var records: [StepRecord] = []
    public internal(set) var finalGroup: FinalGroup?
    /// The last step was counted but its scoring or solve failed; `step()` retries it.
    public internal(set) var retryPending = false
    /// Candidates removed by `discard(_:)`.
    public internal(set) var discardedCount = 0
    /// Wall time of the latest completed step (denoiser, scoring, solving).
    public internal(set) var lastStepSeconds = 0.0
    /// Version of the previews: stored scores of an older epoch are stale.
    var epoch = 0

    public init(_ configuration: SessionConfiguration) throws(GroupInferenceError) {
        try configuration.validate()
        self.configuration = configuration
        alive = (0..<Int32(configuration.candidates)).map { $0 }
        isAlive = [Bool](repeating: true, count: configuration.candidates)
    }

    public var isDone: Bool { finalGroup != nil }
    var hasStarted: Bool { stepsDone > 0 || !records.isEmpty || retryPending }
    public var naiveEvaluations: Int { configuration.candidates * configuration.steps }

    /// Registers a scorer; returns its id. Only before the first step or prune.
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

    /// Completes one denoising step; see `gi_step` in the C header.
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

    /// Steps until done. Needs a denoiser.
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

    /// Scores the survivors now and keeps the best `keep`; the schedule then
    /// continues from the smaller set.
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

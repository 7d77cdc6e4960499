/// Where a session stands; mirrors `gi_progress` of the C header.
public struct Progress: Sendable, Equatable {
    public let stepsDone: Int
    public let steps: Int
    public let alive: Int
    public let done: Bool
    /// Survivors the schedule keeps after the next `step()`.
    public let keepAfterNext: Int
    /// Whether the next `step()` reads scores.
    public let scoresNeeded: Bool
    public let retryPending: Bool
    public let records: Int
    public let evaluations: Int
    public let naiveEvaluations: Int
    /// The final group's objective, once done.
    public let objective: Double?
    /// Of the latest scoring (discard records skipped); nil before any.
    public let lastSolveStatus: SolveStatus?
    public let lastSecondsScoring: Double
    public let lastSecondsSolving: Double
    /// Wall time of the latest completed step: denoiser, scoring, solving.
    public let lastStepSeconds: Double
    /// Candidates removed by `discard(_:)` so far.
    public let discarded: Int
}

extension GroupSession {
    /// Where the session stands: usable at any time, also from the progress
    /// handler. A host-driven loop reads `scoresNeeded` to know whether to
    /// push scores before the next `step()`.
    public var progress: Progress {
        let nextStep = retryPending ? stepsDone - 1 : stepsDone
        let scoring = records.last { !$0.isDiscard }
        return Progress(
            stepsDone: stepsDone, steps: configuration.steps, alive: alive.count, done: isDone,
            keepAfterNext: isDone ? alive.count : keepAfter(step: nextStep),
            scoresNeeded: !isDone && (retryPending || scoresNeeded(afterStep: stepsDone)),
            retryPending: retryPending, records: records.count, evaluations: evaluations,
            naiveEvaluations: naiveEvaluations, objective: finalGroup?.objective,
            lastSolveStatus: scoring?.solveStatus, lastSecondsScoring: scoring?.secondsScoring ?? 0,
            lastSecondsSolving: scoring?.secondsSolving ?? 0, lastStepSeconds: lastStepSeconds,
            discarded: discardedCount)
    }
}

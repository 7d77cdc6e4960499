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
}

extension GroupSession {
    public var progress: Progress {
        let nextStep = retryPending ? stepsDone - 1 : stepsDone
        return Progress(
            stepsDone: stepsDone, steps: configuration.steps, alive: alive.count, done: isDone,
            keepAfterNext: isDone ? alive.count : keepAfter(step: nextStep),
            scoresNeeded: !isDone && (retryPending || scoresNeeded(afterStep: stepsDone)),
            retryPending: retryPending, records: records.count, evaluations: evaluations,
            naiveEvaluations: naiveEvaluations, objective: finalGroup?.objective)
    }
}

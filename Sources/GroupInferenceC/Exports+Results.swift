import CGroupInference
import GroupInference

@_cdecl("gi_get_progress") @implementation
public func gi_get_progress(_ session: OpaquePointer?, _ progress: UnsafeMutablePointer<gi_progress>?,
                            _ size: Int) -> gi_status {
    withSession("gi_get_progress", session) { h throws(ABIError) -> gi_status in
        let out = cProgress(h.session.progress)
        try SizedStruct.write(out, to: progress, size: size, minimum: SizedStruct.minimumProgress, name: "gi_progress")
        return GI_OK
    }
}

/// The C view of a session's progress.
func cProgress(_ p: Progress) -> gi_progress {
        var out = gi_progress()
        out.steps_done = Int32(p.stepsDone)
        out.num_steps = Int32(p.steps)
        out.alive = Int32(p.alive)
        out.done = p.done ? 1 : 0
        out.keep_after_next = Int32(p.keepAfterNext)
        out.scores_needed = p.scoresNeeded ? 1 : 0
        out.retry_pending = p.retryPending ? 1 : 0
        out.num_records = Int32(p.records)
        out.evaluations = Int64(p.evaluations)
        out.naive_evaluations = Int64(p.naiveEvaluations)
        out.objective = p.objective ?? .nan
        out.last_solve_status = p.lastSolveStatus?.rawValue ?? Int32(GI_SOLVE_NONE.rawValue)
        out.discarded = Int32(p.discarded)
        out.last_seconds_scoring = p.lastSecondsScoring
        out.last_seconds_solving = p.lastSecondsSolving
        out.last_step_seconds = p.lastStepSeconds
        return out
}

@_cdecl("gi_survivors") @implementation
public func gi_survivors(_ session: OpaquePointer?, _ ids: UnsafeMutablePointer<Int32>?, _ capacity: Int,
                         _ count: UnsafeMutablePointer<Int>?) -> gi_status {
    withSession("gi_survivors", session) { h throws(ABIError) -> gi_status in
        try writeArray(h.session.alive, to: ids, capacity: capacity, count: count, what: "survivor ids")
        return GI_OK
    }
}

/// The final group, or the error that says why there is none yet.
private func finalGroup(_ h: SessionHandle) throws(ABIError) -> FinalGroup {
    guard let group = h.session.finalGroup else {
        let s = h.session
        throw .state("no results yet: \(s.stepsDone) of \(s.configuration.steps) steps done; results exist once gi_run or the last gi_step has chosen the final group")
    }
    return group
}

@_cdecl("gi_result_ids") @implementation
public func gi_result_ids(_ session: OpaquePointer?, _ ids: UnsafeMutablePointer<Int32>?, _ capacity: Int,
                          _ count: UnsafeMutablePointer<Int>?) -> gi_status {
    withSession("gi_result_ids", session) { h throws(ABIError) -> gi_status in
        try writeArray(finalGroup(h).ids, to: ids, capacity: capacity, count: count, what: "ids")
        return GI_OK
    }
}

@_cdecl("gi_result_unary") @implementation
public func gi_result_unary(_ session: OpaquePointer?, _ scores: UnsafeMutablePointer<Double>?, _ capacity: Int,
                            _ count: UnsafeMutablePointer<Int>?) -> gi_status {
    withSession("gi_result_unary", session) { h throws(ABIError) -> gi_status in
        try writeArray(finalGroup(h).unary, to: scores, capacity: capacity, count: count, what: "scores")
        return GI_OK
    }
}

@_cdecl("gi_result_pairwise") @implementation
public func gi_result_pairwise(_ session: OpaquePointer?, _ matrix: UnsafeMutablePointer<Double>?,
                               _ capacity: Int, _ count: UnsafeMutablePointer<Int>?) -> gi_status {
    withSession("gi_result_pairwise", session) { h throws(ABIError) -> gi_status in
        try writeArray(finalGroup(h).pairwise, to: matrix, capacity: capacity, count: count, what: "matrix entries")
        return GI_OK
    }
}

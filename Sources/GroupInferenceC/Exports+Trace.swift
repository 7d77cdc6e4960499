import CGroupInference
import GroupInference

/// Record `index`, or the error naming the valid range.
private func record(_ h: SessionHandle, _ index: Int) throws(ABIError) -> StepRecord {
    let records = h.session.records
    guard index.sizeT < records.count else {
        throw .argument("index = \(index.sizeT) is out of range: the trace has \(records.count) records")
    }
    return records[index]
}

/// The scores `which` selects: a scorer id, GI_TRACE_UNARY or GI_TRACE_DIVERSITY.
private func series(_ which: Int32, _ h: SessionHandle) throws(ABIError) -> ScoreSeries {
    let scorers = h.session.scorers.count
    switch which {
    case GI_TRACE_UNARY: return .unary
    case GI_TRACE_DIVERSITY: return .diversity
    case 0..<Int32(scorers): return .scorer(Int(which))
    default:
        throw .argument("which = \(which) is neither a scorer id (0..\(scorers - 1)) nor GI_TRACE_UNARY / GI_TRACE_DIVERSITY")
    }
}

@_cdecl("gi_trace_count") @implementation
public func gi_trace_count(_ session: OpaquePointer?, _ count: UnsafeMutablePointer<Int>?) -> gi_status {
    withSession("gi_trace_count", session) { h throws(ABIError) -> gi_status in
        guard let count else { throw .argument("count is NULL") }
        count.pointee = h.session.records.count
        return GI_OK
    }
}

@_cdecl("gi_trace_record") @implementation
public func gi_trace_record(_ session: OpaquePointer?, _ index: Int, _ out: UnsafeMutablePointer<gi_step_record>?,
                            _ size: Int) -> gi_status {
    withSession("gi_trace_record", session) { h throws(ABIError) -> gi_status in
        let r = try record(h, index)
        var c = gi_step_record()
        c.step = Int32(r.step)
        c.num_scored = r.isDiscard ? 0 : Int32(r.ids.count) // a discard scores nothing
        c.num_kept = Int32(r.kept.count)
        c.solve_status = r.solveStatus?.rawValue ?? Int32(GI_SOLVE_NONE.rawValue)
        c.on_demand = r.onDemand ? 1 : 0
        c.is_final = r.isFinal ? 1 : 0
        c.evaluations = Int64(r.evaluations)
        c.objective = r.objective
        c.bound = r.bound ?? .nan
        c.gap = r.gap ?? .nan
        c.seconds_scoring = r.secondsScoring
        c.seconds_solving = r.secondsSolving
        c.discarded = Int32(r.discarded)
        c.bound_kind = r.boundKind.rawValue
        try SizedStruct.write(c, to: out, size: size, minimum: SizedStruct.minimumRecord, name: "gi_step_record")
        return GI_OK
    }
}

@_cdecl("gi_trace_ids") @implementation
public func gi_trace_ids(_ session: OpaquePointer?, _ index: Int, _ ids: UnsafeMutablePointer<Int32>?,
                         _ capacity: Int, _ count: UnsafeMutablePointer<Int>?) -> gi_status {
    withSession("gi_trace_ids", session) { h throws(ABIError) -> gi_status in
        try writeArray(record(h, index).ids, to: ids, capacity: capacity, count: count, what: "ids")
        return GI_OK
    }
}

@_cdecl("gi_trace_kept") @implementation
public func gi_trace_kept(_ session: OpaquePointer?, _ index: Int, _ ids: UnsafeMutablePointer<Int32>?,
                          _ capacity: Int, _ count: UnsafeMutablePointer<Int>?) -> gi_status {
    withSession("gi_trace_kept", session) { h throws(ABIError) -> gi_status in
        try writeArray(record(h, index).kept, to: ids, capacity: capacity, count: count, what: "ids")
        return GI_OK
    }
}

@_cdecl("gi_trace_scores") @implementation
public func gi_trace_scores(_ session: OpaquePointer?, _ index: Int, _ which: Int32,
                            _ scores: UnsafeMutablePointer<Double>?, _ capacity: Int,
                            _ count: UnsafeMutablePointer<Int>?) -> gi_status {
    withSession("gi_trace_scores", session) { h throws(ABIError) -> gi_status in
        let r = try record(h, index)
        try writeArray(r.values(try series(which, h)), to: scores, capacity: capacity, count: count, what: "scores")
        return GI_OK
    }
}

@_cdecl("gi_trace_group") @implementation
public func gi_trace_group(_ session: OpaquePointer?, _ index: Int, _ ids: UnsafeMutablePointer<Int32>?,
                           _ capacity: Int, _ count: UnsafeMutablePointer<Int>?) -> gi_status {
    withSession("gi_trace_group", session) { h throws(ABIError) -> gi_status in
        try writeArray(record(h, index).group, to: ids, capacity: capacity, count: count, what: "ids")
        return GI_OK
    }
}

@_cdecl("gi_trace_diagnostics") @implementation
public func gi_trace_diagnostics(_ session: OpaquePointer?, _ index: Int, _ which: Int32,
                                 _ out: UnsafeMutablePointer<gi_diagnostics>?, _ size: Int) -> gi_status {
    withSession("gi_trace_diagnostics", session) { h throws(ABIError) -> gi_status in
        _ = try record(h, index)
        guard let d = h.session.diagnostics(record: index, series: try series(which, h)) else {
            throw ABIError(status: GI_ERR_INTERNAL, message: "no diagnostics for record \(index)")
        }
        var c = gi_diagnostics()
        c.spearman_previous = d.spearmanPrevious ?? .nan
        c.spearman_final = d.spearmanFinal ?? .nan
        c.group_overlap_previous = d.groupOverlapPrevious ?? .nan
        c.group_overlap_final = d.groupOverlapFinal ?? .nan
        c.movement = d.movement ?? .nan
        c.common_previous = Int32(d.commonPrevious)
        c.common_final = Int32(d.commonFinal)
        try SizedStruct.write(c, to: out, size: size, minimum: SizedStruct.minimumDiagnostics, name: "gi_diagnostics")
        return GI_OK
    }
}

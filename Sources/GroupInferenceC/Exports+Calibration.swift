import CGroupInference
import GroupInference

@_cdecl("gi_calibrate") @implementation
public func gi_calibrate(_ runs: UnsafePointer<OpaquePointer?>?, _ num_runs: Int,
                         _ goal: UnsafePointer<gi_calibration_goal>?, _ survivor_counts: UnsafeMutablePointer<Int32>?,
                         _ capacity: Int, _ step_retention: UnsafeMutablePointer<Double>?,
                         _ step_overlap: UnsafeMutablePointer<Double>?,
                         _ report: UnsafeMutablePointer<gi_calibration_report>?, _ report_size: Int) -> gi_status {
    guarded("gi_calibrate") { () throws(ABIError) -> gi_status in
        guard let runs else { throw .argument("runs is NULL") }
        guard num_runs.sizeT >= 1, num_runs.sizeT <= 10_000 else {
            throw .argument("num_runs = \(num_runs.sizeT) must be in 1..10000")
        }
        guard let goal else { throw .argument("goal is NULL") }
        guard let survivor_counts else { throw .argument("survivor_counts is NULL") }
        if report != nil && report_size.sizeT < SizedStruct.minimumReport {
            throw .version("report_size = \(report_size.sizeT) is not supported: pass sizeof(gi_calibration_report)")
        }
        var defaults = gi_calibration_goal()
        defaults.struct_size = MemoryLayout<gi_calibration_goal>.size
        let g = try SizedStruct.read(goal, declaredSize: goal.pointee.struct_size, minimum: SizedStruct.minimumGoal,
                                     defaults: defaults, name: "gi_calibration_goal")
        let byBudget = g.budget != 0
        guard (g.budget == 0) != (g.retention == 0) else {
            throw .argument("goal: set exactly one of budget (\(g.budget)) and retention (\(g.retention)); the other must be 0")
        }
        guard byBudget ? (g.budget.isFinite && g.budget > 0 && g.budget <= 1)
                       : (g.retention.isFinite && g.retention > 0 && g.retention <= 1) else {
            throw .argument(byBudget ? "goal: budget = \(g.budget) must be in (0, 1]"
                                     : "goal: retention = \(g.retention) must be in (0, 1]")
        }
        // Hold every run for the whole call, each once.
        var handles: [SessionHandle] = []
        defer { for h in handles { h.leave() } }
        for i in 0..<num_runs {
            guard let pointer = runs[i] else { throw .argument("runs[\(i)] is NULL") }
            guard let h = SessionRegistry.lookup(pointer) else {
                throw ABIError(status: GI_ERR_HANDLE, message: "runs[\(i)] = \(pointer) is not a live session")
            }
            if handles.contains(where: { $0 === h }) { throw .argument("runs[\(i)] repeats an earlier run") }
            guard h.enter() else { throw .state("runs[\(i)] is in a call on another thread or in a callback") }
            handles.append(h)
        }
        let t = handles[0].session.configuration.steps
        guard capacity.sizeT >= t else { throw .argument("capacity = \(capacity.sizeT) is less than num_steps = \(t)") }
        let calibration = try core { () throws(GroupInferenceError) in
            try Calibration(runs: handles.map(\.session))
        }
        guard let result = byBudget ? calibration.derive(budget: g.budget) : calibration.derive(retention: g.retention) else {
            let m = calibration.candidates, k = calibration.groupSize
            throw .argument(byBudget
                ? "no schedule fits budget = \(g.budget) (\(PruneSchedule.budgetEvaluations(g.budget, candidates: m, steps: t)) of M·T = \(m * t) evaluations; denoising all M once and then K per step needs \(m + k * (t - 1)))"
                : "no schedule of the family keeps retention = \(g.retention) on these runs")
        }
        for (i, c) in result.counts.enumerated() { survivor_counts[i] = Int32(c) }
        if step_retention != nil || step_overlap != nil {
            for a in calibration.stepAgreement() {
                step_retention?[a.step] = a.retention
                step_overlap?[a.step] = a.overlap
            }
        }
        if let report {
            let r = calibrationReport(result, candidates: calibration.candidates, steps: t, runs: num_runs)
            try SizedStruct.write(r, to: report, size: report_size, minimum: SizedStruct.minimumReport,
                                  name: "gi_calibration_report")
        }
        return GI_OK
    }
}

func calibrationReport(_ e: Calibration.Evaluation, candidates m: Int, steps t: Int, runs: Int) -> gi_calibration_report {
    var r = gi_calibration_report()
    r.evaluations = Int64(e.evaluations)
    r.evaluations_fraction = Double(e.evaluations) / Double(m * t)
    r.retention = e.retention
    r.retention_min = e.minimumRetention
    r.first_prune_step = Int32(e.counts.firstIndex { $0 < m } ?? t - 1)
    r.num_runs = Int32(runs)
    return r
}

@_cdecl("gi_schedule_save") @implementation
public func gi_schedule_save(_ path: UnsafePointer<CChar>?, _ num_candidates: Int32, _ group_size: Int32,
                             _ num_steps: Int32, _ lambda: Double, _ survivor_counts: UnsafePointer<Int32>?,
                             _ report: UnsafePointer<gi_calibration_report>?, _ report_size: Int) -> gi_status {
    guarded("gi_schedule_save") { () throws(ABIError) -> gi_status in
        guard let path else { throw .argument("path is NULL") }
        guard let survivor_counts else { throw .argument("survivor_counts is NULL") }
        let m = Int(num_candidates), k = Int(group_size), t = Int(num_steps)
        guard m <= Limits.maxCandidates, t <= Limits.maxSteps else {
            throw .limit("num_candidates = \(m) or num_steps = \(t) exceeds the limits (\(Limits.maxCandidates), \(Limits.maxSteps))")
        }
        guard m >= 1, k >= 1, k <= m, t >= 1 else {
            throw .argument("num_candidates = \(m), group_size = \(k), num_steps = \(t) are out of range")
        }
        let counts = (0..<t).map { Int(survivor_counts[$0]) }
        try core { () throws(GroupInferenceError) in
            try PruneSchedule.counts(counts).validate(candidates: m, groupSize: k, steps: t)
        }
        var r: gi_calibration_report?
        if let report {
            guard report_size.sizeT >= SizedStruct.minimumReport else {
                throw .version("report_size = \(report_size.sizeT) is not supported: pass sizeof(gi_calibration_report)")
            }
            r = report.pointee
        }
        guard lambda.isFinite || lambda.isNaN else { throw .argument("lambda = \(lambda) must be finite, or NaN for unrecorded") }
        let schedule = CalibratedSchedule(
            candidates: m, groupSize: k, steps: t, lambda: lambda.isNaN ? nil : lambda, counts: counts,
            evaluations: m + counts.dropLast().reduce(0, +),
            retention: r.map(\.retention).flatMap { $0.isFinite ? $0 : nil },
            minimumRetention: r.map(\.retention_min).flatMap { $0.isFinite ? $0 : nil }, runs: Int(r?.num_runs ?? 0))
        try core { () throws(GroupInferenceError) in try schedule.save(to: String(cString: path)) }
        return GI_OK
    }
}

@_cdecl("gi_schedule_load") @implementation
public func gi_schedule_load(_ path: UnsafePointer<CChar>?, _ num_candidates: UnsafeMutablePointer<Int32>?,
                             _ group_size: UnsafeMutablePointer<Int32>?, _ num_steps: UnsafeMutablePointer<Int32>?,
                             _ lambda: UnsafeMutablePointer<Double>?, _ survivor_counts: UnsafeMutablePointer<Int32>?, _ capacity: Int,
                             _ count: UnsafeMutablePointer<Int>?) -> gi_status {
    guarded("gi_schedule_load") { () throws(ABIError) -> gi_status in
        guard let path else { throw .argument("path is NULL") }
        let s = try core { () throws(GroupInferenceError) in try CalibratedSchedule.load(from: String(cString: path)) }
        num_candidates?.pointee = Int32(s.candidates)
        group_size?.pointee = Int32(s.groupSize)
        num_steps?.pointee = Int32(s.steps)
        lambda?.pointee = s.lambda ?? .nan
        try writeArray(s.counts.map { Int32($0) }, to: survivor_counts, capacity: capacity, count: count, what: "counts")
        return GI_OK
    }
}

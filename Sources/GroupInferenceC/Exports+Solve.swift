import CGroupInference
import GroupInference

@_cdecl("gi_solve_qip") @implementation
public func gi_solve_qip(_ n: Int, _ unary: UnsafePointer<Double>?, _ pairwise: UnsafePointer<Double>?,
                         _ lambda: Double, _ k: Int32, _ options: UnsafePointer<gi_options>?,
                         _ selection: UnsafeMutablePointer<Int32>?, _ result: UnsafeMutablePointer<gi_solve_result>?,
                         _ result_size: Int) -> gi_status {
    guarded("gi_solve_qip") { () throws(ABIError) -> gi_status in
        guard n != 0 else { throw .argument("n = 0 must be at least 1") }
        guard n.sizeT <= Limits.maxCandidates else {
            throw .limit("n = \(n.sizeT) exceeds the limit of \(Limits.maxCandidates) items")
        }
        guard let unary else { throw .argument("unary is NULL") }
        guard let pairwise else { throw .argument("pairwise is NULL") }
        guard let selection else { throw .argument("selection is NULL") }
        if result != nil && result_size.sizeT < SizedStruct.minimumSolveResult {
            throw .version("result_size = \(result_size.sizeT) is not supported: pass sizeof(gi_solve_result)")
        }
        let settings = try solverOptions(readOptions(options))
        let problem = try core { () throws(GroupInferenceError) in
            try SelectionProblem(unary: Array(UnsafeBufferPointer(start: unary, count: n)),
                                 pairwise: Array(UnsafeBufferPointer(start: pairwise, count: n * n)),
                                 lambda: lambda, groupSize: Int(k))
        }
        let solution = try core { () throws(GroupInferenceError) in try solve(problem, options: settings) }
        for (a, i) in solution.selection.enumerated() { selection[a] = Int32(i) }
        if let result {
            var r = gi_solve_result()
            r.objective = solution.objective
            r.bound = solution.bound ?? .nan
            r.gap = solution.gap ?? .nan
            r.seconds = solution.seconds
            r.status = solution.status.rawValue
            r.nodes = Int64(solution.nodes)
            r.bound_kind = solution.boundKind.rawValue
            try SizedStruct.write(r, to: result, size: result_size, minimum: SizedStruct.minimumSolveResult,
                                  name: "gi_solve_result")
        }
        let wantedProof = settings.choice.provesOptimality && solution.status == .timeLimit
        return completionStatus(wantedProof ? .unproven : .complete)
    }
}

import CGLPK

/// Exact selection with GLPK on the linearisation z_ij = y_i·y_j, strengthened
/// by the cardinality row multiplied by each y_i:
///
///     z_ij ≤ y_i,  z_ij ≤ y_j,  Σ_{j≠i} z_ij = (K−1)·y_i,  Σ y_i = K
///
/// With the equalities, z is forced to y_i·y_j for integer y whatever the sign
/// of b, and the LP bound is far tighter than the plain linearisation's.
/// Every parameter is validated before GLPK sees it: GLPK aborts the process
/// on invalid input.
///
/// The clock: GLPK's simplex and branch-and-cut read their time limits only
/// now and then - at n = 256 the simplex ran 120-200 ms past a limit, about
/// 1-2 times what building the model took. Each GLPK call therefore gets
/// what is left of `deadline` minus twice the build time, and is not started
/// without a millisecond of that; the branch-and-cut callback also stops the
/// search once the deadline passes.
enum ExactMIP {
    static func solve(_ p: SelectionProblem, incumbent: [Int], cheapBound: Double?, deadline: Double,
                      relativeGap: Double) throws(GroupInferenceError) -> Solution {
        let clock = Stopwatch()
        let n = p.count, k = p.groupSize
        let incumbentValue = p.objective(of: incumbent)
        // No LP bound in time: the incumbent with the cheap bound.
        let outOfTime = Solution(selection: incumbent, objective: incumbentValue, bound: cheapBound,
                                 boundKind: .cheap, status: .timeLimit, seconds: 0, nodes: 0)
        GLPKThreadEnvironment.noteUse()
        guard let model = GLPKModel(p, deadline: deadline) else { return outOfTime.timed(clock.elapsed) }
        defer { model.free() }
        let margin = 2 * clock.elapsed
        /// What GLPK may spend from now on, in ms; nil if less than 1 ms.
        func allowance() -> Int32? {
            let left = deadline - Stopwatch.now() - margin
            return left >= 0.001 ? milliseconds(left) : nil
        }
        guard let lpTime = allowance() else { return outOfTime.timed(clock.elapsed) }

        let context = SearchContext(warmStart: model.columnValues(for: incumbent), deadline: deadline)

        var smcp = glp_smcp()
        glp_init_smcp(&smcp)
        smcp.msg_lev = GLP_MSG_OFF
        smcp.tm_lim = lpTime
        let lpCode = glp_simplex(model.prob, &smcp)
        if lpCode == GLP_ETMLIM || glp_get_status(model.prob) != GLP_OPT {
            guard lpCode == GLP_ETMLIM || lpCode == 0 else {
                throw .solver("GLPK's simplex failed on the LP relaxation (code \(lpCode)) for \(n) candidates, K = \(k)")
            }
            return outOfTime.timed(clock.elapsed)
        }
        guard let mipTime = allowance() else {
            // The LP optimum bounds every integer solution.
            let lpBound = max(glp_get_obj_val(model.prob), incumbentValue)
            return Solution(selection: incumbent, objective: incumbentValue, bound: lpBound, boundKind: .mip,
                            status: .timeLimit, seconds: clock.elapsed, nodes: 0)
        }

        var iocp = glp_iocp()
        glp_init_iocp(&iocp)
        iocp.msg_lev = GLP_MSG_OFF
        iocp.presolve = GLP_OFF // the warm start is given in the original columns
        iocp.mip_gap = relativeGap
        iocp.tm_lim = mipTime
        let unmanaged = Unmanaged.passRetained(context)
        defer { unmanaged.release() }
        iocp.cb_info = unmanaged.toOpaque()
        iocp.cb_func = { tree, info in
            guard let tree, let info else { return }
            Unmanaged<SearchContext>.fromOpaque(info).takeUnretainedValue().visit(tree)
        }
        let mipCode = glp_intopt(model.prob, &iocp)
        let mipStatus = glp_mip_status(model.prob)

        let status: SolveStatus
        switch (mipCode, mipStatus) {
        case (0, GLP_OPT): status = .optimal
        case (GLP_EMIPGAP, _): status = .gapLimit
        case (GLP_ETMLIM, _), (GLP_ESTOP, _): status = .timeLimit
        default:
            throw .solver("GLPK's branch-and-cut failed (code \(mipCode), status \(mipStatus)) for \(n) candidates, K = \(k)")
        }
        var selection = incumbent, value = incumbentValue
        if mipStatus == GLP_OPT || mipStatus == GLP_FEAS {
            let found = model.selection()
            if found.count == k {
                let v = p.objective(of: found)
                if v > value { selection = found; value = v }
            }
        }
        let bound: Double? = status == .optimal ? value : context.bound.map { max($0, value) }
        return Solution(selection: selection, objective: value, bound: bound, boundKind: .mip, status: status,
                        seconds: clock.elapsed, nodes: context.nodes)
    }

    /// GLPK wants a positive int of milliseconds.
    private static func milliseconds(_ seconds: Double) -> Int32 {
        let ms = (seconds * 1000).rounded(.up)
        guard ms.isFinite else { return Int32.max }
        return Int32(min(max(ms, 1), Double(Int32.max)))
    }
}

/// State the branch-and-cut callback reads and writes.
private final class SearchContext {
    let warmStart: [Double]
    let deadline: Double
    var warmStartGiven = false
    var bound: Double?
    var nodes = 0

    init(warmStart: [Double], deadline: Double) {
        self.warmStart = warmStart
        self.deadline = deadline
    }

    func visit(_ tree: OpaquePointer) {
        // glp_intopt may work past its tm_lim between checks (cut rounds,
        // a long node LP); the callback comes often enough to stop it.
        if Stopwatch.now() > deadline { glp_ios_terminate(tree) }
        if glp_ios_reason(tree) == GLP_IHEUR && !warmStartGiven {
            warmStartGiven = true
            _ = warmStart.withUnsafeBufferPointer { glp_ios_heur_sol(tree, $0.baseAddress) }
        }
        var active: Int32 = 0, total: Int32 = 0
        glp_ios_tree_size(tree, &active, nil, &total)
        nodes = Int(total)
        // The best active node's bound holds for every node still open; each
        // reading is a valid bound, so keep the tightest.
        let best = glp_ios_best_node(tree)
        if best != 0 {
            let b = glp_ios_node_bound(tree, best)
            if b.isFinite { bound = min(bound ?? .infinity, b) }
        }
    }
}

/// Exact selection by branch and bound on concave-relaxation bounds
/// (`ConcaveRelaxation`), with reduced-cost fixing against the incumbent and
/// rounding + swap search for new incumbents.
///
/// Node order is best-first with plunging: take the open subproblem with the
/// largest bound, then follow its preferred child down until it is pruned,
/// leaving the other children open. Plunging finds incumbents early;
/// best-first makes the largest open bound - the reported bound when the
/// clock or the gap stops the search - fall steadily.
///
/// A subtree is pruned when its bound does not exceed the incumbent by more
/// than `Solution.proofTolerance`, so "optimal" means optimal to a relative
/// 1e-11.
struct BranchAndBound {
    let problem: SelectionProblem
    let sigma: Double
    private let w: [Double] // λB
    private var best: [Int]
    private var bestValue: Double
    private(set) var nodes = 0

    /// A subproblem: per item 1 in, −1 out, 0 free; a warm start for the
    /// relaxation; the parent's bound, valid for the whole subtree.
    private struct Node {
        var state: [Int8]
        var warm: [Double]
        var bound: Double
    }

    init(_ p: SelectionProblem, sigma: Double, incumbent: [Int]) {
        problem = p
        self.sigma = sigma
        w = p.pairwise.map { $0 * p.lambda }
        best = incumbent
        bestValue = p.objective(of: incumbent)
    }

    mutating func run(timeLimit: Double, relativeGap: Double) -> Solution {
        let clock = Stopwatch()
        let n = problem.count
        var open = NodeHeap()
        open.push(Node(state: [Int8](repeating: 0, count: n), warm: [], bound: .infinity))
        var stopped: SolveStatus?
        search: while var node = open.popMax() {
            while true {
                let bound = max(node.bound, open.maxBound ?? -.infinity)
                if clock.elapsed > timeLimit || (relativeGap > 0 && gap(bound) <= relativeGap) {
                    stopped = clock.elapsed > timeLimit ? .timeLimit : .gapLimit
                    open.push(node)
                    break search
                }
                nodes += 1
                guard let (preferred, other) = process(node, firstNode: nodes == 1) else { break }
                open.push(other)
                node = preferred
            }
        }
        let bound = stopped == nil ? bestValue : max(open.maxBound ?? bestValue, bestValue)
        return Solution(selection: best.sorted(), objective: bestValue, bound: bound, boundKind: .relaxation,
                        status: stopped ?? .optimal, seconds: clock.elapsed, nodes: nodes)
    }

    private func gap(_ bound: Double) -> Double {
        max(0, bound - bestValue) / max(abs(bestValue), 1e-12)
    }

    private func tolerance() -> Double { Solution.proofTolerance(bestValue) }

    /// Bounds a subproblem, fixes what the bound decides, and either prunes
    /// it, closes it (nil), or branches: the child to explore first, and the other.
    private mutating func process(_ node: Node, firstNode: Bool) -> (Node, Node)? {
        let n = problem.count, k = problem.groupSize
        var state = node.state
        var warm = node.warm
        var parentBound = node.bound
        while true {
            var chosen: [Int] = [], free: [Int] = []
            for i in 0..<n {
                if state[i] == 1 { chosen.append(i) } else if state[i] == 0 { free.append(i) }
            }
            let remaining = k - chosen.count
            if remaining < 0 || free.count < remaining { return nil }
            if remaining == 0 || free.count == remaining {
                consider(remaining == 0 ? chosen : chosen + free)
                return nil
            }
            // With one or two items to go, or three among few, enumerating the
            // completions is exact and cheaper than bounding them.
            if remaining <= 2 || (remaining == 3 && free.count <= 96) {
                consider(chosen + bestCompletion(chosen: chosen, free: free, remaining: remaining))
                return nil
            }
            let relaxation = makeRelaxation(chosen: chosen, free: free, remaining: remaining)
            let start = warm.isEmpty ? nil : free.map { warm[$0] }
            let estimate = relaxation.estimate(from: start, iterations: firstNode ? 400 : 10,
                                               target: bestValue + tolerance())
            let bound = min(estimate.bound, parentBound)
            if bound <= bestValue + tolerance() { return nil }
            parentBound = bound
            if warm.isEmpty { warm = [Double](repeating: 0, count: n) }
            for (a, i) in free.enumerated() { warm[i] = estimate.point[a] }

            if fixByReducedCosts(estimate, free: free, remaining: remaining, state: &state) { continue }

            // A rounded relaxation point, improved by swaps, may be a better
            // incumbent. The heuristic's start is usually optimal already, so
            // only every eighth node pays for the swaps.
            if nodes % 8 == 1 {
                let order = free.indices.sorted { estimate.point[$0] > estimate.point[$1] }
                consider(SwapSearch.improve(problem, from: chosen + order.prefix(remaining).map { free[$0] }))
                if bound <= bestValue + tolerance() { return nil }
            }

            // Branch on the most promising fractional item (largest y): its
            // "in" side finds good groups early and its "out" side is pruned
            // soonest; explore the side it leans to first.
            var pick = 0, largest = -Double.infinity
            for (a, y) in estimate.point.enumerated() where y < 1 - 1e-6 && y > largest {
                largest = y
                pick = a
            }
            let item = free[pick]
            var inside = state, outside = state
            inside[item] = 1
            outside[item] = -1
            let leansIn = estimate.point[pick] >= 0.5
            let first = Node(state: leansIn ? inside : outside, warm: warm, bound: bound)
            let second = Node(state: leansIn ? outside : inside, warm: warm, bound: bound)
            return (first, second)
        }
    }

    /// The best `remaining` (1...3) of `free` to add to `chosen`, by enumeration.
    private func bestCompletion(chosen: [Int], free: [Int], remaining: Int) -> [Int] {
        let n = problem.count
        let gain = free.map { j in chosen.reduce(problem.unary[j]) { $0 + w[j * n + $1] } }
        var best: [Int] = [], bestValue = -Double.infinity
        let m = free.count
        w.withUnsafeBufferPointer { w in
            for a in 0..<m {
                if remaining == 1 {
                    if gain[a] > bestValue { bestValue = gain[a]; best = [free[a]] }
                    continue
                }
                let i = free[a]
                for b in (a + 1)..<m {
                    let j = free[b]
                    let pair = gain[a] + gain[b] + w[i * n + j]
                    if remaining == 2 {
                        if pair > bestValue { bestValue = pair; best = [i, j] }
                        continue
                    }
                    for c in (b + 1)..<m {
                        let l = free[c]
                        let triple = pair + gain[c] + w[i * n + l] + w[j * n + l]
                        if triple > bestValue { bestValue = triple; best = [i, j, l] }
                    }
                }
            }
        }
        return best
    }

    /// The relaxation of the subproblem with `chosen` fixed in.
    private func makeRelaxation(chosen: [Int], free: [Int], remaining: Int) -> ConcaveRelaxation {
        let n = problem.count
        var constant = 0.0
        for (a, i) in chosen.enumerated() {
            constant += problem.unary[i]
            for j in chosen[(a + 1)...] { constant += w[i * n + j] }
        }
        let linear = free.map { j in chosen.reduce(problem.unary[j]) { $0 + w[j * n + $1] } }
        return ConcaveRelaxation(w: w, n: n, sigma: sigma, free: free, remaining: remaining,
                                 constant: constant, linear: linear)
    }

    /// Reduced-cost fixing: the bound with item j forced in (or out) follows
    /// from the linearisation by swapping j against the r-th (or r+1-th)
    /// largest gradient entry. Returns whether anything was fixed.
    private func fixByReducedCosts(_ e: ConcaveRelaxation.Estimate, free: [Int], remaining r: Int,
                                   state: inout [Int8]) -> Bool {
        let order = e.gradient.indices.sorted { e.gradient[$0] > e.gradient[$1] }
        let rth = e.gradient[order[r - 1]], next = e.gradient[order[r]]
        let cutoff = bestValue + tolerance()
        var fixed = false
        for (rank, a) in order.enumerated() {
            if rank < r {
                if e.bound - (e.gradient[a] - next) <= cutoff { state[free[a]] = 1; fixed = true }
            } else if e.bound - (rth - e.gradient[a]) <= cutoff {
                state[free[a]] = -1
                fixed = true
            }
        }
        return fixed
    }

    /// Open subproblems, largest bound on top (a binary max-heap).
    private struct NodeHeap {
        private var items: [Node] = []

        var maxBound: Double? { items.first?.bound }

        mutating func push(_ node: Node) {
            items.append(node)
            var i = items.count - 1
            while i > 0 {
                let parent = (i - 1) / 2
                guard items[parent].bound < items[i].bound else { break }
                items.swapAt(parent, i)
                i = parent
            }
        }

        mutating func popMax() -> Node? {
            guard !items.isEmpty else { return nil }
            items.swapAt(0, items.count - 1)
            let top = items.removeLast()
            var i = 0
            while true {
                let l = 2 * i + 1, r = l + 1
                var largest = i
                if l < items.count && items[l].bound > items[largest].bound { largest = l }
                if r < items.count && items[r].bound > items[largest].bound { largest = r }
                if largest == i { break }
                items.swapAt(i, largest)
                i = largest
            }
            return top
        }
    }

    private mutating func consider(_ selection: [Int]) {
        guard selection.count == problem.groupSize else { return }
        let v = problem.objective(of: selection)
        if v > bestValue { bestValue = v; best = selection }
    }
}

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
    /// Open subproblems, largest bound first, while they fit in `memoryLimit`:
    /// their bounds in a heap, their fixings and warm starts in `store`.
    private var open = NodeHeap()
    private var store: NodeStore
    /// Subproblems beyond the memory limit, finished depth-first (last in,
    /// first out) before the heap is touched again: at most two per level.
    private var dive: [Node] = []
    private var openBytes = 0
    private let memoryLimit: Int
    /// How the search ended, once it has.
    private var finished: SolveStatus?
    /// When the current call to `search` must return.
    private var deadline = Double.infinity

    /// A subproblem: per item 1 in, −1 out, 0 free; a warm start for the
    /// relaxation (float32 halves the open list; FISTA only starts there);
    /// the parent's bound, valid for the whole subtree.
    private struct Node {
        var state: [Int8]
        var warm: [Float]
        var bound: Double
    }

    init(_ p: SelectionProblem, sigma: Double, incumbent: [Int], memoryLimit: Int = SolverOptions.defaultMemoryLimit) {
        problem = p
        self.sigma = sigma
        self.memoryLimit = memoryLimit
        w = p.pairwise.map { $0 * p.lambda }
        best = incumbent
        bestValue = p.objective(of: incumbent)
        store = NodeStore(n: p.count)
        keep(Node(state: [Int8](repeating: 0, count: p.count), warm: [], bound: .infinity), evenBeyondLimit: true)
    }

    /// Searches until `deadline` (monotonic seconds); resumable. Returns
    /// whether the search is over (optimal, or within `relativeGap`).
    mutating func search(until deadline: Double, relativeGap: Double) -> Bool {
        if finished != nil { return true }
        self.deadline = deadline
        while var node = next() {
            while true {
                if relativeGap > 0 && gap(max(node.bound, openBound())) <= relativeGap {
                    keep(node, evenBeyondLimit: true)
                    finished = .gapLimit
                    return true
                }
                if Stopwatch.now() > deadline {
                    keep(node, evenBeyondLimit: true)
                    return false
                }
                nodes += 1
                switch process(node, firstNode: nodes == 1) {
                case .closed:
                    break
                case let .branched(preferred, other):
                    keep(other, evenBeyondLimit: false)
                    node = preferred
                    continue
                case let .interrupted(rest):
                    keep(rest, evenBeyondLimit: true)
                    return false
                }
                break
            }
        }
        finished = .optimal
        return true
    }

    /// A better selection found elsewhere (e.g. by tabu search) prunes more.
    mutating func offer(_ selection: [Int]) { consider(selection) }

    var incumbentValue: Double { bestValue }

    /// The best selection so far with the honest bound: the largest bound
    /// still open, or the objective itself once the search is complete.
    func solution(seconds: Double) -> Solution {
        let status = finished ?? .timeLimit
        let bound = status == .optimal ? bestValue : max(openBound(), bestValue)
        return Solution(selection: best.sorted(), objective: bestValue, bound: bound, boundKind: .relaxation,
                        status: status, seconds: seconds, nodes: nodes)
    }

    /// What one open subproblem costs: its slot in the store, its heap
    /// entry, and its place in the free list once released.
    private var nodeBytes: Int {
        NodeStore.bytesPerSlot(problem.count) + MemoryLayout<HeapEntry>.stride + MemoryLayout<Int32>.stride
    }

    private mutating func next() -> Node? {
        if let node = dive.popLast() { return node }
        guard let entry = open.popMax() else { return nil }
        openBytes -= nodeBytes
        return store.take(entry.slot, bound: entry.bound)
    }

    private mutating func keep(_ node: Node, evenBeyondLimit: Bool) {
        if dive.isEmpty && (evenBeyondLimit || openBytes + nodeBytes <= memoryLimit) {
            open.push(HeapEntry(bound: node.bound, slot: store.put(node)))
            openBytes += nodeBytes
        } else {
            dive.append(node)
        }
    }

    /// The largest bound of any open subproblem (−∞ if none).
    private func openBound() -> Double {
        dive.reduce(open.maxBound ?? -.infinity) { max($0, $1.bound) }
    }

    private func gap(_ bound: Double) -> Double {
        max(0, bound - bestValue) / max(abs(bestValue), 1e-12)
    }

    private func tolerance() -> Double { Solution.proofTolerance(bestValue) }

    /// What processing a subproblem came to.
    private enum Outcome {
        /// Pruned, or solved by enumeration.
        case closed
        /// The child to explore first, and the other.
        case branched(Node, Node)
        /// The clock ran out between two rounds of fixing: the subproblem
        /// as far as it got, still open.
        case interrupted(Node)
    }

    /// Bounds a subproblem, fixes what the bound decides, and either prunes
    /// it, closes it, or branches.
    private mutating func process(_ node: Node, firstNode: Bool) -> Outcome {
        let n = problem.count, k = problem.groupSize
        var state = node.state
        var warm = node.warm
        var parentBound = node.bound
        var round = 0
        while true {
            if round > 0 && Stopwatch.now() > deadline {
                return .interrupted(Node(state: state, warm: warm, bound: parentBound))
            }
            round += 1
            var chosen: [Int] = [], free: [Int] = []
            for i in 0..<n {
                if state[i] == 1 { chosen.append(i) } else if state[i] == 0 { free.append(i) }
            }
            let remaining = k - chosen.count
            if remaining < 0 || free.count < remaining { return .closed }
            if remaining == 0 || free.count == remaining {
                consider(remaining == 0 ? chosen : chosen + free)
                return .closed
            }
            // With one or two items to go, or three among few, enumerating the
            // completions is exact and cheaper than bounding them.
            if remaining <= Tuning.enumeratedRemaining
                || (remaining == 3 && free.count <= Tuning.enumeratedTriplesAmong) {
                consider(chosen + bestCompletion(chosen: chosen, free: free, remaining: remaining))
                return .closed
            }
            let relaxation = makeRelaxation(chosen: chosen, free: free, remaining: remaining)
            let start = warm.isEmpty ? nil : free.map { Double(warm[$0]) }
            let steps = firstNode ? Tuning.rootRelaxationSteps : Tuning.nodeRelaxationSteps
            let estimate = relaxation.estimate(from: start, iterations: steps,
                                               target: bestValue + tolerance(), deadline: deadline)
            let bound = min(estimate.bound, parentBound)
            if bound <= bestValue + tolerance() { return .closed }
            parentBound = bound
            if warm.isEmpty { warm = [Float](repeating: 0, count: n) }
            for (a, i) in free.enumerated() { warm[i] = Float(estimate.point[a]) }

            if fixByReducedCosts(estimate, free: free, remaining: remaining, state: &state) { continue }

            // A rounded relaxation point, improved by swaps, may be a better
            // incumbent. The heuristic's start is usually optimal already, so
            // only one node in `swapPeriod` pays for the swaps.
            if nodes % Tuning.swapPeriod == 1 {
                let order = free.indices.sorted { estimate.point[$0] > estimate.point[$1] }
                consider(SwapSearch.improve(problem, from: chosen + order.prefix(remaining).map { free[$0] },
                                            deadline: deadline))
                if bound <= bestValue + tolerance() { return .closed }
            }

            // Branch on the most promising fractional item (largest y): its
            // "in" side finds good groups early and its "out" side is pruned
            // soonest; explore the side it leans to first.
            var pick = 0, largest = -Double.infinity
            for (a, y) in estimate.point.enumerated() where y < 1 - Tuning.fractionalTolerance && y > largest {
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
            return .branched(first, second)
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

    /// An open subproblem in the heap: its bound, and where the rest is stored.
    private struct HeapEntry {
        var bound: Double
        var slot: Int32
    }

    /// Open subproblems, largest bound on top (a binary max-heap).
    private struct NodeHeap {
        private var items: [HeapEntry] = []

        var maxBound: Double? { items.first?.bound }

        mutating func push(_ node: HeapEntry) {
            items.append(node)
            var i = items.count - 1
            while i > 0 {
                let parent = (i - 1) / 2
                guard items[parent].bound < items[i].bound else { break }
                items.swapAt(parent, i)
                i = parent
            }
        }

        mutating func popMax() -> HeapEntry? {
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

    /// The open subproblems' fixings and warm starts, n bytes and n floats
    /// per slot, in chunks of `chunkSlots` slots; released slots are reused.
    /// Two small arrays per open node would cost allocator overhead, and
    /// freeing a million of them at the end of a long solve took tens of
    /// milliseconds past the time limit; chunks free at once.
    private struct NodeStore {
        let n: Int
        static let chunkSlots = 256
        private var states: [[Int8]] = []
        private var warms: [[Float]] = []
        private var hasWarm: [Bool] = []
        private var released: [Int32] = []

        static func bytesPerSlot(_ n: Int) -> Int { 5 * n + 1 }

        init(n: Int) { self.n = n }

        mutating func put(_ node: Node) -> Int32 {
            let slot: Int
            if let reused = released.popLast() {
                slot = Int(reused)
            } else {
                slot = hasWarm.count
                hasWarm.append(false)
                if slot % Self.chunkSlots == 0 {
                    states.append([Int8](repeating: 0, count: Self.chunkSlots * n))
                    warms.append([Float](repeating: 0, count: Self.chunkSlots * n))
                }
            }
            let chunk = slot / Self.chunkSlots, offset = (slot % Self.chunkSlots) * n
            states[chunk].withUnsafeMutableBufferPointer { s in
                for i in 0..<n { s[offset + i] = node.state[i] }
            }
            hasWarm[slot] = !node.warm.isEmpty
            if !node.warm.isEmpty {
                warms[chunk].withUnsafeMutableBufferPointer { w in
                    for i in 0..<n { w[offset + i] = node.warm[i] }
                }
            }
            return Int32(slot)
        }

        /// The subproblem in `slot`, which becomes free.
        mutating func take(_ slot: Int32, bound: Double) -> Node {
            let s = Int(slot), chunk = s / Self.chunkSlots, offset = (s % Self.chunkSlots) * n
            let state = Array(states[chunk][offset..<(offset + n)])
            let warm = hasWarm[s] ? Array(warms[chunk][offset..<(offset + n)]) : []
            released.append(slot)
            return Node(state: state, warm: warm, bound: bound)
        }
    }

    private mutating func consider(_ selection: [Int]) {
        guard selection.count == problem.groupSize else { return }
        let v = problem.objective(of: selection)
        if v > bestValue { bestValue = v; best = selection }
    }
}

extension BranchAndBound {
    /// The search's tuning constants, each with the reason for its value.
    enum Tuning {
        /// Gradient steps for the root's relaxation: every node inherits the
        /// root's bound and warm start, so a tight root pays for itself once.
        static let rootRelaxationSteps = 400
        /// Gradient steps at every other node: warm-started from the parent's
        /// point, a few steps settle whether the node is pruned, and the
        /// relaxation stops earlier once the bound decides (see `estimate`).
        static let nodeRelaxationSteps = 10
        /// Items still to choose at or below which the completions are
        /// enumerated: C(free, 2) pair sums cost less than one relaxation,
        /// whose matrix alone has free² entries.
        static let enumeratedRemaining = 2
        /// With three items to go, enumerate when at most this many are free:
        /// C(96, 3) ≈ 143 000 triples, about what bounding the node costs
        /// (K = 4 of 128: worst time to proof 8.9 s -> 0.16 s, commit 7eeba9e).
        static let enumeratedTriplesAmong = 96
        /// One node in this many rounds its relaxation point and improves it
        /// by swaps: the heuristic's incumbent is usually optimal already, so
        /// swaps at every node cost more than the pruning they add (with the
        /// branching rule below, K = 8 of 128: worst 3.2 s -> 1.5 s, f312fa5).
        static let swapPeriod = 8
        /// A relaxed value above 1 − this counts as chosen, not fractional,
        /// when picking the branching item: projected points reach 1 only up
        /// to rounding, and branching on an item already at 1 gains nothing.
        static let fractionalTolerance = 1e-6
    }
}

import Testing
@testable import GroupInference

@Suite("Exact and heuristic solvers against brute force")
struct BruteForceTests {
    /// Families: b ≥ 0, b of any sign, ties, near-duplicates, λ = 0, huge λ, negative λ.
    static let families: [(name: String, negative: Bool, ties: Bool, duplicates: Bool, lambda: ClosedRange<Double>)] = [
        ("nonnegative", false, false, false, 0.05...2),
        ("negative b", true, false, false, 0.05...2),
        ("ties", false, true, false, 0.5...1),
        ("duplicates", false, false, true, 0.05...1),
        ("lambda 0", false, false, false, 0...0),
        ("huge lambda", true, false, false, 1000...1000),
        ("negative lambda", false, false, false, -1 ... -0.1),
    ]

    static func problem(_ f: Int, _ rng: inout SplitMix, sizes: ClosedRange<Int>) -> SelectionProblem {
        let family = families[f]
        let n = Int.random(in: sizes, using: &rng), k = Int.random(in: 1...n, using: &rng)
        return randomProblem(n: n, k: k, lambda: Double.random(in: family.lambda, using: &rng),
                             negative: family.negative, ties: family.ties, duplicates: family.duplicates, rng: &rng)
    }

    /// Thousands of instances in all: every solver that says optimal is, and
    /// the exact ones always say so on problems this small.
    @Test("exact and MIP are optimal and say so", arguments: 0..<families.count)
    func exactEqualsBruteForce(family: Int) throws {
        var rng = SplitMix(seed: UInt64(1000 + family))
        for trial in 0..<400 {
            let p = Self.problem(family, &rng, sizes: 2...12)
            let reference = BruteForce.solve(p)
            let what = "\(Self.families[family].name) #\(trial) n=\(p.count) k=\(p.groupSize)"
            let s = try solve(p, options: SolverOptions(choice: .exact, timeLimit: 30))
            #expect(s.status == .optimal, "\(what)")
            #expect(relativeDifference(s.objective, reference.objective) <= 1e-9,
                    "\(what): \(s.objective) vs brute force \(reference.objective)")
            #expect(relativeDifference(s.objective, p.objective(of: s.selection)) <= 1e-12)
            if trial % 8 == 0 { // GLPK is slower; a sample keeps the suite quick
                let mip = try solve(p, options: SolverOptions(choice: .mip, timeLimit: 30))
                #expect(mip.status == .optimal && relativeDifference(mip.objective, reference.objective) <= 1e-9,
                        "MIP \(what): \(mip.objective) vs \(reference.objective)")
            }
        }
    }

    @Test("a search stopped early reports a valid bound", arguments: 0..<families.count)
    func stoppedSearchBoundIsValid(family: Int) throws {
        var rng = SplitMix(seed: UInt64(3000 + family))
        for _ in 0..<60 {
            let p = Self.problem(family, &rng, sizes: 14...18)
            let reference = BruteForce.solve(p).objective
            for limit in [1e-6, 1e-3] {
                let s = try solve(p, options: SolverOptions(choice: .exact, timeLimit: limit))
                #expect(s.objective <= reference + 1e-9 * max(1, abs(reference)))
                let bound = try #require(s.bound)
                #expect(bound >= reference - 1e-9 * max(1, abs(reference)), "bound \(bound) < optimum \(reference)")
                if s.status == .optimal { #expect(relativeDifference(s.objective, reference) <= 1e-9) }
            }
        }
    }

    @Test("no solver claims optimality it does not have", arguments: 0..<families.count)
    func certificatesAreTrue(family: Int) throws {
        let f = Self.families[family]
        var rng = SplitMix(seed: UInt64(2000 + family))
        for _ in 0..<150 {
            let p = Self.problem(family, &rng, sizes: 2...12)
            let n = p.count, k = p.groupSize
            let reference = BruteForce.solve(p).objective
            for choice in [SolverChoice.heuristic, .auto] {
                let s = try solve(p, options: SolverOptions(choice: choice, timeLimit: 5))
                #expect(s.objective <= reference + 1e-9 * max(1, abs(reference)))
                if s.status == .optimal {
                    #expect(relativeDifference(s.objective, reference) <= 1e-9, "\(f.name) \(choice) n=\(n) k=\(k)")
                }
                if let bound = s.bound {
                    #expect(bound >= reference - 1e-9 * max(1, abs(reference)), "invalid bound, \(f.name) n=\(n) k=\(k)")
                }
            }
        }
    }

    @Test func cheapBoundIsValid() {
        var rng = SplitMix(seed: 7)
        for _ in 0..<300 {
            let n = Int.random(in: 2...11, using: &rng), k = Int.random(in: 1...n, using: &rng)
            let p = randomProblem(n: n, k: k, lambda: Double.random(in: -2...2, using: &rng), negative: true, rng: &rng)
            #expect(CheapBound.bound(p) >= BruteForce.solve(p).objective - 1e-12)
        }
    }

    @Test func iteratedLocalSearchKeepsKDistinctItems() throws {
        var rng = SplitMix(seed: 21)
        for _ in 0..<300 {
            let n = Int.random(in: 2...9, using: &rng), k = Int.random(in: 1...n, using: &rng)
            let p = randomProblem(n: n, k: k, lambda: Double.random(in: -1...2, using: &rng), negative: true, rng: &rng)
            let s = try solve(p, options: SolverOptions(choice: .heuristic, seed: rng.next(), restarts: 5))
            #expect(s.selection.count == k && Set(s.selection).count == k, "n=\(n) k=\(k): \(s.selection)")
            #expect(s.objective <= BruteForce.solve(p).objective + 1e-9)
        }
    }

    @Test func heuristicNeverWorseThanGreedy() {
        var rng = SplitMix(seed: 11)
        for _ in 0..<300 {
            let n = Int.random(in: 2...60, using: &rng), k = Int.random(in: 1...n, using: &rng)
            let p = randomProblem(n: n, k: k, lambda: Double.random(in: -1...3, using: &rng),
                                  negative: Bool.random(using: &rng), rng: &rng)
            let greedy = GreedySelection.select(p)
            let improved = SwapSearch.improve(p, from: greedy)
            #expect(Set(improved).count == k)
            #expect(p.objective(of: improved) >= p.objective(of: greedy) - 1e-12)
        }
    }

    @Test func topSumMatchesSorting() {
        var rng = SplitMix(seed: 3)
        for _ in 0..<500 {
            let n = Int.random(in: 1...40, using: &rng), k = Int.random(in: 0...n, using: &rng)
            var v = (0..<n).map { _ in Double(Int.random(in: -5...5, using: &rng)) }
            let expected = v.sorted(by: >).prefix(k).reduce(0, +)
            #expect(TopSum.largest(k, of: &v) == expected)
        }
    }
}

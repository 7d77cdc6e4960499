import Testing
@testable import GroupInference

@Suite("Solvers on the certified shared instances")
struct SharedInstanceTests {
    @Test func instancesArePresent() {
        #expect(SharedInstance.all.count >= 19, "expected the shared instances under Tests/Fixtures/qip-instances")
    }

    @Test("auto solver reaches every certified optimum, never beats it", arguments: SharedInstance.all)
    func autoMatchesCertifiedOptimum(_ instance: SharedInstance) throws {
        let s = try solve(instance.problem, options: SolverOptions(choice: .auto, timeLimit: 1))
        #expect(s.selection.count == instance.problem.groupSize)
        #expect(Set(s.selection).count == s.selection.count)
        #expect(relativeDifference(s.objective, instance.problem.objective(of: s.selection)) < 1e-12)
        if instance.proven, let optimum = instance.optimum {
            #expect(relativeDifference(s.objective, optimum) <= 1e-9,
                    "\(instance.name): \(s.objective) vs certified \(optimum)")
        }
        if let upper = instance.upperBound {
            #expect(s.objective <= upper * (1 + 1e-9) + 1e-12, "\(instance.name) beats its upper bound")
        }
        // Whatever bound the solver reports must be valid against the certificate.
        if let bound = s.bound, instance.proven, let optimum = instance.optimum {
            #expect(bound >= optimum * (1 - 1e-9) - 1e-12, "\(instance.name): bound \(bound) below optimum \(optimum)")
        }
    }

    @Test("heuristic matches the best known objective", arguments: SharedInstance.all)
    func heuristicNearBestKnown(_ instance: SharedInstance) throws {
        let s = try solve(instance.problem, options: SolverOptions(choice: .heuristic))
        #expect(s.objective >= instance.bestKnown * (1 - 1e-4), "\(instance.name): \(s.objective) vs \(instance.bestKnown)")
    }

    @Test("exact solver proves the small-K instances", arguments: SharedInstance.all.filter {
        $0.proven && $0.problem.groupSize <= 4 && $0.problem.count <= 64
    })
    func exactProvesSmallK(_ instance: SharedInstance) throws {
        let s = try solve(instance.problem, options: SolverOptions(choice: .exact, timeLimit: 30))
        #expect(s.status == .optimal)
        #expect(relativeDifference(s.objective, instance.optimum!) <= 1e-9)
    }
}

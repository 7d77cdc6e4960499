import Testing
@testable import GroupInference

@Suite("Pairwise matrix rule")
struct PairwiseMatrixTests {
    func form(_ m: [Double], _ n: Int) -> Result<PairwiseMatrix.Form, PairwiseMatrix.Asymmetry> {
        m.withUnsafeBufferPointer { PairwiseMatrix.form($0, count: n) }
    }

    @Test func formsAreRecognised() {
        var rng = SplitMix(seed: 3)
        let n = 7
        var sym = [Double](repeating: 0, count: n * n), upper = sym, lower = sym
        for i in 0..<n {
            for j in (i + 1)..<n {
                let v = Double.random(in: -1...1, using: &rng)
                sym[i * n + j] = v; sym[j * n + i] = v
                upper[i * n + j] = v
                lower[j * n + i] = v
            }
            sym[i * n + i] = 9; upper[i * n + i] = 9 // the diagonal is ignored
        }
        #expect(form(sym, n) == .success(.symmetric))
        #expect(form(upper, n) == .success(.upper))
        #expect(form(lower, n) == .success(.lower))
        #expect(form([Double](repeating: 0, count: n * n), n) == .success(.symmetric))
        let a = sym.withUnsafeBufferPointer { try! PairwiseMatrix.symmetric($0, count: n) }
        let b = upper.withUnsafeBufferPointer { try! PairwiseMatrix.symmetric($0, count: n) }
        let c = lower.withUnsafeBufferPointer { try! PairwiseMatrix.symmetric($0, count: n) }
        #expect(a == b && b == c)
        #expect(a[0] == 0 && a[n + 1] == 0)

        // float32-sized rounding stays symmetric, and is averaged.
        var rounded = sym
        rounded[0 * n + 1] += 1e-8
        #expect(form(rounded, n) == .success(.symmetric))
        // Beyond the tolerance, or one stray entry in a triangle: refused, naming the pair.
        rounded[0 * n + 1] += 1e-3
        guard case let .failure(asym) = form(rounded, n) else { Issue.record("accepted"); return }
        #expect(asym.row == 0 && asym.column == 1)
        var stray = upper
        stray[5 * n + 2] = 0.25
        guard case let .failure(s) = form(stray, n) else { Issue.record("accepted"); return }
        #expect(s.message { "#\($0)" }.contains("neither symmetric nor strictly triangular"))
    }

    @Test func triangularProblemEqualsItsSymmetricForm() throws {
        var rng = SplitMix(seed: 11)
        for _ in 0..<20 {
            let p = randomProblem(n: 10, k: 4, lambda: 1.5, negative: true, rng: &rng)
            var upper = p.pairwise
            for i in 0..<10 { for j in 0...i { upper[i * 10 + j] = 0 } }
            let q = try SelectionProblem(unary: p.unary, pairwise: upper, lambda: 1.5, groupSize: 4)
            #expect(q.pairwise == p.pairwise)
            let exact = try solve(q, options: SolverOptions(choice: .exact)).objective
            #expect(relativeDifference(exact, BruteForce.solve(p).objective) < 1e-12)
        }
    }
}

@Suite("Discard and progress")
struct DiscardProgressTests {
    func session(_ host: ToyHost, t: Int = 5) throws -> GroupSession {
        let s = try GroupSession(configuration(m: 16, k: 3, t: t))
        try s.add(host.unary)
        try s.add(host.embedding)
        s.denoiser = host.denoiser
        return s
    }

    @Test func discardedCandidatesNeverComeBack() throws {
        let host = ToyHost(m: 16)
        let s = try session(host)
        try s.step() // 16 -> 8
        let spent = s.evaluations
        let lost = Array(s.alive.prefix(3))
        try s.discard(lost)
        #expect(s.alive.count == 5 && s.evaluations == spent && s.discardedCount == 3)
        let r = try #require(s.records.last)
        #expect(r.isDiscard && r.ids == lost.sorted() && r.kept == s.alive && r.solveStatus == nil)
        #expect(s.progress.discarded == 3 && s.progress.lastSolveStatus != nil)
        try s.run()
        for id in lost { #expect(host.denoised[Int(id)] == 1 && !s.finalGroup!.ids.contains(id)) }
        // Diagnostics skip the discard record.
        let d = try #require(s.diagnostics(record: s.records.count - 1, series: .unary))
        #expect(d.commonPrevious > 0)
        #expect(errorOf { try s.discard([s.finalGroup!.ids[0]]) }?.kind == .invalidState)
    }

    @Test func refusedDiscardsChangeNothing() throws {
        let host = ToyHost(m: 16)
        let s = try session(host)
        let before = s.alive
        #expect(errorOf { try s.discard(Array(before.prefix(14))) }?.message.contains("fewer than K = 3") == true)
        #expect(errorOf { try s.discard([2, 2]) }?.message.contains("twice") == true)
        #expect(errorOf { try s.discard([16]) }?.message.contains("out of range") == true)
        #expect(s.alive == before && s.records.isEmpty)
        try s.discard([])
        #expect(s.records.isEmpty)
    }

    @Test func discardWhileARetryIsPending() throws {
        let host = ToyHost(m: 16)
        host.failScorerAtStep = 0
        let s = try session(host)
        #expect(errorOf { try s.step() }?.kind == .callbackFailed)
        #expect(s.retryPending)
        try s.discard([0, 1])
        try s.step() // the retry scores the other 14
        let scoring = try #require(s.records.last)
        #expect(!scoring.isDiscard && scoring.ids.count == 14 && !scoring.ids.contains(0))
    }

    @Test func progressHandlerCancelsAndRunResumes() throws {
        let host = ToyHost(m: 16)
        let s = try session(host)
        var seen: [Int] = []
        s.progressHandler = { p in seen.append(p.stepsDone); return p.stepsDone != 2 }
        let error = errorOf { try s.run() }
        #expect(error?.kind == .cancelled)
        #expect(seen == [1, 2] && s.stepsDone == 2 && !s.isDone && s.progress.lastStepSeconds > 0)
        try s.run()
        #expect(seen == [1, 2, 3, 4, 5] && s.isDone)
        // Same group as a run that was never interrupted.
        let otherHost = ToyHost(m: 16)
        let other = try session(otherHost)
        try other.run()
        #expect(other.finalGroup!.ids == s.finalGroup!.ids)
        withExtendedLifetime(otherHost) {}
    }
}

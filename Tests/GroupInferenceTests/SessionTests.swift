import Testing
@testable import GroupInference

/// A toy host: candidate i's "quality" is fixed, its embedding a fixed random
/// vector; previews do not change with the step, which keeps checks exact.
final class ToyHost {
    let m: Int, d = 6
    var quality: [Double]
    var features: [Float]
    var denoised: [Int]
    var failDenoiseAtStep: Int?
    var failScorerAtStep: Int?
    var nanForCandidate: Int32?

    init(m: Int, seed: UInt64 = 1) {
        self.m = m
        var rng = SplitMix(seed: seed)
        quality = (0..<m).map { _ in Double.random(in: 0...1, using: &rng) }
        features = (0..<(m * 6)).map { _ in Float.random(in: -1...1, using: &rng) }
        denoised = [Int](repeating: 0, count: m)
    }

    var unary: Scorer {
        .unary("quality") { [unowned self] step, ids, out in
            if step == failScorerAtStep { failScorerAtStep = nil; throw CallbackFailure(code: 7) }
            for (a, i) in ids.enumerated() { out[a] = i == nanForCandidate ? .nan : quality[Int(i)] }
        }
    }

    var embedding: Scorer {
        .embedding("look", dimension: d) { [unowned self] _, ids, out in
            for (a, i) in ids.enumerated() { for t in 0..<d { out[a * d + t] = features[Int(i) * d + t] } }
        }
    }

    var denoiser: Denoising {
        { [unowned self] step, ids in
            if step == failDenoiseAtStep { failDenoiseAtStep = nil; throw CallbackFailure(code: 3) }
            for i in ids { denoised[Int(i)] += 1 }
        }
    }
}

func configuration(m: Int = 16, k: Int = 3, t: Int = 5, lambda: Double = 0.5) -> SessionConfiguration {
    var c = SessionConfiguration()
    c.candidates = m; c.groupSize = k; c.steps = t; c.lambda = lambda
    return c
}

func errorOf(_ body: () throws -> Void) -> GroupInferenceError? {
    do {
        try body()
        return nil
    } catch let error as GroupInferenceError {
        return error
    } catch {
        Issue.record("unexpected error \(error)")
        return nil
    }
}

@Suite("Session state machine")
struct SessionTests {
    @Test func runChoosesKAndCountsEvaluations() throws {
        let host = ToyHost(m: 16)
        let s = try GroupSession(configuration())
        try s.add(host.unary)
        try s.add(host.embedding)
        s.denoiser = host.denoiser
        try s.run()
        let group = try #require(s.finalGroup)
        #expect(group.ids.count == 3)
        #expect(s.evaluations == PruneSchedule.ratio(0.5, firstStep: 0).evaluations(candidates: 16, groupSize: 3, steps: 5))
        #expect(s.evaluations == host.denoised.reduce(0, +))
        for id in group.ids { #expect(host.denoised[Int(id)] == 5) }
        #expect(s.records.map(\.kept.count) == [8, 4, 3, 3])
        #expect(s.records.last!.isFinal)
        // The final objective is the QIP objective of the group under the final scores.
        let pairSum: Double = group.pairwise[1] + group.pairwise[2] + group.pairwise[5]
        #expect(abs(group.objective - (group.unary.reduce(0, +) + 0.5 * pairSum)) < 1e-12)
        #expect(group.unary == group.ids.map { host.quality[Int($0)] })
    }

    @Test func groupIsTheBestOfTheSurvivorsUnderTheScores() throws {
        // With λ = 0 the group must be the top-K quality among the last record's candidates.
        let host = ToyHost(m: 12)
        let s = try GroupSession(configuration(m: 12, k: 3, t: 3, lambda: 0))
        try s.add(host.unary)
        s.denoiser = host.denoiser
        try s.run()
        let first = s.records[0]
        let top = first.ids.sorted { host.quality[Int($0)] > host.quality[Int($1)] }.prefix(first.kept.count)
        #expect(Set(first.kept) == Set(top))
    }

    @Test func outOfOrderCallsAreRefused() throws {
        let host = ToyHost(m: 8)
        let s = try GroupSession(configuration(m: 8, k: 2, t: 2))
        #expect(errorOf { try s.step() }?.kind == .invalidState) // no scorers yet
        try s.add(host.unary)
        #expect(errorOf { try s.run() }?.kind == .invalidState) // no denoiser
        #expect(s.finalGroup == nil) // results before run
        s.denoiser = host.denoiser
        #expect(errorOf { try s.prune(keep: 9) }?.kind == .invalidArgument)
        #expect(errorOf { try s.prune(keep: 1) }?.kind == .invalidArgument)
        try s.step()
        #expect(errorOf { try s.add(host.embedding) }?.kind == .invalidState) // too late
        try s.step()
        #expect(s.isDone)
        let after = errorOf { try s.step() }
        #expect(after?.kind == .invalidState)
        #expect(after?.message.contains("done") == true)
        #expect(errorOf { try s.prune(keep: 2) }?.kind == .invalidState)
    }

    @Test func invalidConfigurationsAreNamed() {
        func message(_ c: SessionConfiguration) -> String? { errorOf { _ = try GroupSession(c) }?.message }
        #expect(message(configuration(m: 4, k: 5))?.contains("K = 5") == true)
        #expect(message(configuration(m: 4, k: 0))?.contains("K = 0") == true)
        #expect(message(configuration(m: 0, k: 1))?.contains("num_candidates = 0") == true)
        #expect(message(configuration(t: 0))?.contains("num_steps = 0") == true)
        #expect(message(configuration(lambda: .nan))?.contains("lambda") == true)
        #expect(errorOf { _ = try GroupSession(configuration(m: Limits.maxCandidates + 1, k: 1)) }?.kind == .limitExceeded)
        var c = configuration(); c.solver.timeLimit = 0
        #expect(message(c)?.contains("time_limit") == true)
        c = configuration(); c.solver.relativeGap = 1
        #expect(message(c)?.contains("mip_gap") == true)
    }

    @Test func failingScorerLeavesSessionUsable() throws {
        let host = ToyHost(m: 16)
        host.failScorerAtStep = 1
        let s = try GroupSession(configuration())
        try s.add(host.unary)
        s.denoiser = host.denoiser
        try s.step()
        let e = errorOf { try s.step() }
        #expect(e?.kind == .callbackFailed)
        #expect(e?.message.contains("scorer 'quality' returned 7 at step 1") == true)
        #expect(s.retryPending && s.stepsDone == 2)
        let evaluations = s.evaluations
        try s.step() // retries the scoring only
        #expect(!s.retryPending && s.stepsDone == 2 && s.evaluations == evaluations)
        try s.run()
        #expect(s.finalGroup?.ids.count == 3)
    }

    @Test func failingDenoiserCountsNothing() throws {
        let host = ToyHost(m: 16)
        host.failDenoiseAtStep = 0
        let s = try GroupSession(configuration())
        try s.add(host.unary)
        s.denoiser = host.denoiser
        let e = errorOf { try s.step() }
        #expect(e?.message.contains("the denoiser returned 3 at step 0") == true)
        #expect(s.stepsDone == 0 && s.evaluations == 0 && !s.retryPending)
        try s.run()
        #expect(s.evaluations == host.denoised.reduce(0, +))
    }

    @Test func nonFiniteScoresAreNamed() throws {
        let host = ToyHost(m: 16)
        host.nanForCandidate = 5
        let s = try GroupSession(configuration())
        try s.add(host.unary)
        s.denoiser = host.denoiser
        let e = errorOf { try s.step() }
        #expect(e?.kind == .badScores)
        #expect(e?.message.contains("candidate 5") == true)
        host.nanForCandidate = nil
        try s.run() // the retry succeeds once the scorer behaves
        #expect(s.isDone)
    }

    @Test func zeroEmbeddingIsNamed() throws {
        let host = ToyHost(m: 8)
        for t in 0..<host.d { host.features[3 * host.d + t] = 0 }
        let s = try GroupSession(configuration(m: 8, k: 2, t: 2))
        try s.add(host.embedding)
        s.denoiser = host.denoiser
        let e = errorOf { try s.step() }
        #expect(e?.kind == .badScores)
        #expect(e?.message.contains("candidate 3") == true)
    }

    @Test func hostDrivenLoopWithPushedScores() throws {
        let host = ToyHost(m: 10)
        var c = configuration(m: 10, k: 2, t: 3)
        c.schedule = .counts([5, 5, 2])
        let s = try GroupSession(c)
        let q = try s.add(.unary("quality"))
        let look = try s.add(.embedding("look", dimension: host.d))
        func push() throws {
            let ids = s.alive
            let u = ids.map { host.quality[Int($0)] }
            var e: [Float] = []
            for i in ids { e += host.features[(Int(i) * host.d)..<(Int(i) * host.d + host.d)] }
            try ids.withUnsafeBufferPointer { i in
                try u.withUnsafeBufferPointer { v in try s.pushUnary(scorer: q, ids: i, scores: v) }
                try e.withUnsafeBufferPointer { v in
                    try s.pushEmbeddings(scorer: look, ids: i, dimension: host.d, embeddings: v)
                }
            }
        }
        #expect(s.progress.scoresNeeded)
        // Forgetting to push is an error naming the scorer, and retryable.
        let e = errorOf { try s.step() }
        #expect(e?.kind == .badScores && e?.message.contains("'quality'") == true)
        #expect(s.progress.retryPending)
        try push()
        try s.step()
        #expect(s.alive.count == 5)
        #expect(!s.progress.scoresNeeded) // step 1 keeps 5 of 5
        try s.step()
        // The pushes of the previous step are stale now.
        #expect(errorOf { try s.step() }?.kind == .badScores)
        try push()
        try s.step()
        #expect(s.isDone && s.finalGroup?.ids.count == 2)
        #expect(s.evaluations == 10 + 5 + 5)
    }

    @Test func pushesAreChecked() throws {
        let s = try GroupSession(configuration(m: 6, k: 2, t: 2))
        let q = try s.add(.unary("quality"))
        let callback = try s.add(ToyHost(m: 6).unary.renamed("q2"))
        func push(_ scorer: Int, _ ids: [Int32], _ v: [Double]) -> GroupInferenceError? {
            errorOf {
                try ids.withUnsafeBufferPointer { i in
                    try v.withUnsafeBufferPointer { x in try s.pushUnary(scorer: scorer, ids: i, scores: x) }
                }
            }
        }
        #expect(push(q, [0, 9], [1, 2])?.message.contains("out of range") == true)
        #expect(push(q, [1, 1], [1, 2])?.message.contains("twice") == true)
        #expect(push(q, [1], [.infinity])?.kind == .badScores)
        #expect(push(5, [1], [1])?.message.contains("scorer id 5") == true)
        #expect(push(callback, [1], [1])?.message.contains("has a callback") == true)
        #expect(push(q, [0, 1], [1, 2]) == nil)
    }

    @Test func onDemandPruneAndTrace() throws {
        let host = ToyHost(m: 20)
        var c = configuration(m: 20, k: 2, t: 4)
        c.schedule = .ratio(0.5, firstStep: 3)
        c.traceEveryStep = true
        let s = try GroupSession(c)
        try s.add(host.unary)
        try s.add(host.embedding)
        s.denoiser = host.denoiser
        try s.prune(keep: 10) // before any step: scores the initial noises
        #expect(s.records[0].step == -1 && s.records[0].onDemand && s.alive.count == 10)
        try s.run()
        #expect(s.records.map(\.kept.count) == [10, 10, 10, 10, 2])
        #expect(s.evaluations == 40)
        let r = s.records[1]
        #expect(r.solveStatus == nil && r.scorerValues.count == 2 && r.unary.count == 10)
        #expect(r.unary == r.ids.map { host.quality[Int($0)] })
    }

    @Test func zscoreNormalisesEachScorer() throws {
        let host = ToyHost(m: 8)
        var c = configuration(m: 8, k: 2, t: 1)
        c.normalization = .zscore
        let s = try GroupSession(c)
        try s.add(host.unary)
        try s.add(host.embedding)
        s.denoiser = host.denoiser
        try s.run()
        let u = s.records[0].unary
        let mean = u.reduce(0, +) / 8
        let variance = u.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / 8
        #expect(abs(mean) < 1e-12 && abs(variance - 1) < 1e-9)
    }
}

extension Scorer {
    func renamed(_ name: String) -> Scorer {
        Scorer(name: name, weight: weight, kind: kind, callback: callback)
    }
}

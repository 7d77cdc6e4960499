import Testing
@testable import GroupInference

/// A host whose previews converge: candidate i's preview at step t is its
/// final state plus noise that shrinks to zero at the last step.
final class ConvergingHost {
    let m: Int, steps: Int, d = 8
    var finalQuality: [Double], finalFeatures: [Float]
    var noise: [[Double]]
    var denoised: [Int]

    init(m: Int, steps: Int, seed: UInt64) {
        self.m = m; self.steps = steps
        var rng = SplitMix(seed: seed)
        finalQuality = (0..<m).map { _ in Double.random(in: 0...1, using: &rng) }
        let width = 8
        finalFeatures = (0..<(m * width)).map { _ in Float.random(in: -1...1, using: &rng) }
        noise = (0..<steps).map { _ in (0..<(m * (width + 1))).map { _ in Double.random(in: -1...1, using: &rng) } }
        denoised = [Int](repeating: 0, count: m)
    }

    func weight(_ step: Int) -> Double { step < 0 ? 1 : 1 - Double(step + 1) / Double(steps) }

    func scorers() -> [Scorer] {
        [.unary("quality") { [unowned self] step, ids, out in
            for (a, i) in ids.enumerated() {
                out[a] = finalQuality[Int(i)] + 0.6 * weight(step) * noise[max(step, 0)][Int(i) * (d + 1)]
            }
        },
         .embedding("look", dimension: d) { [unowned self] step, ids, out in
            for (a, i) in ids.enumerated() {
                for t in 0..<d {
                    out[a * d + t] = finalFeatures[Int(i) * d + t]
                        + Float(0.8 * weight(step) * noise[max(step, 0)][Int(i) * (d + 1) + 1 + t])
                }
            }
        }]
    }

    func session(_ configure: (inout SessionConfiguration) -> Void) throws -> GroupSession {
        var c = SessionConfiguration()
        c.candidates = m; c.groupSize = 3; c.steps = steps; c.lambda = 0.5
        c.solver.choice = .heuristic
        configure(&c)
        let s = try GroupSession(c)
        for scorer in scorers() { try s.add(scorer) }
        s.denoiser = { [unowned self] _, ids in for i in ids { denoised[Int(i)] += 1 } }
        return s
    }

    /// Denoises everyone to the end, scoring every step.
    func fullRun() throws -> GroupSession {
        let s = try session { c in
            c.traceEveryStep = true
            c.schedule = .ratio(0.5, firstStep: steps - 1)
        }
        try s.run()
        return s
    }
}

@Suite("Diagnostics, adaptive and calibrated schedules")
struct ScheduleCalibrationTests {
    @Test func ranksShareTiesAndSpearmanIsRankCorrelation() {
        #expect(ranks([3, 1, 2, 1]) == [4, 1.5, 3, 1.5])
        #expect(spearman([1, 2, 3, 4], [10, 20, 30, 41]) == 1)
        #expect(spearman([1, 2, 3, 4], [4, 3, 2, 1]) == -1)
        #expect(spearman([1, 2], [1, 2]) == nil)
        #expect(spearman([1, 1, 1], [1, 2, 3]) == nil)
        let r = spearman([1, 2, 3, 4, 5], [2, 1, 4, 3, 5])!
        #expect(abs(r - 0.8) < 1e-12)
    }

    @Test func diagnosticsFollowTheTrace() throws {
        let host = ConvergingHost(m: 16, steps: 6, seed: 5)
        let s = try host.fullRun()
        #expect(s.records.count == 6)
        let first = try #require(s.diagnostics(record: 0, series: .unary))
        #expect(first.spearmanPrevious == nil && first.commonPrevious == 0)
        let last = try #require(s.diagnostics(record: 5, series: .unary))
        #expect(last.spearmanFinal == 1 && last.commonFinal == 16 && last.groupOverlapFinal == 1)
        // Previews converge: the correlation with the final scores rises.
        let early = s.diagnostics(record: 0, series: .unary)!.spearmanFinal!
        let late = s.diagnostics(record: 4, series: .unary)!.spearmanFinal!
        #expect(late > early)
        #expect(s.records.allSatisfy { $0.group.count == 3 && $0.pairwise.count == 256 })
        #expect(s.diagnostics(record: 2, series: .scorer(1))?.movement != nil)
        #expect(s.diagnostics(record: 9, series: .unary) == nil)
        #expect(s.diagnostics(record: 1, series: .scorer(2)) == nil)
    }

    @Test func adaptiveStaysWithinBudgetAndEndsWithK() throws {
        for budget in [0.25, 0.35, 0.6, 1.0] {
            let host = ConvergingHost(m: 24, steps: 10, seed: 9)
            let s = try host.session { $0.schedule = .adaptive(budget: budget) }
            try s.run()
            #expect(s.evaluations <= Int(budget * 240), "budget \(budget): \(s.evaluations)")
            #expect(s.finalGroup?.ids.count == 3)
            #expect(s.records.count == 10) // scores every step
            #expect(s.evaluations == host.denoised.reduce(0, +))
        }
        // A budget too small for M + K(T−1) is refused with the minimum it needs.
        var c = SessionConfiguration()
        c.candidates = 24; c.groupSize = 3; c.steps = 10; c.schedule = .adaptive(budget: 0.1)
        let e = errorOf { _ = try GroupSession(c) }
        #expect(e?.message.contains("needs 51") == true)
    }

    @Test func calibrationReplaysSchedulesOnFullRuns() throws {
        let runs = try (1...3).map { try ConvergingHost(m: 20, steps: 8, seed: $0).fullRun() }
        let calibration = try Calibration(runs: runs)
        let agreement = calibration.stepAgreement()
        #expect(agreement.count == 8)
        #expect(agreement[7].retention > 0.98 && agreement[7].overlap > 0.9) // the final step is full selection
        #expect(agreement[7].retention >= agreement[0].retention)
        // Never pruning before the end reproduces full selection.
        let none = calibration.evaluate([20, 20, 20, 20, 20, 20, 20, 3])
        #expect(none.evaluations == 20 * 8 && none.retention > 0.98)
        // Budget goals are met, and more budget never retains less.
        var previous = -Double.infinity
        for budget in [0.3, 0.5, 0.8] {
            let e = try #require(calibration.derive(budget: budget))
            #expect(e.evaluations <= Int(budget * 160))
            #expect(e.counts.last == 3 && e.counts.count == 8)
            #expect(e.retention >= previous - 1e-12)
            previous = e.retention
        }
        // A retention goal gets the cheapest schedule reaching it.
        let cheap = try #require(calibration.derive(retention: 0.9))
        #expect(cheap.retention >= 0.9)
        #expect(calibration.derive(budget: 0.05) == nil) // below M + K(T−1)
    }

    @Test func calibrationRefusesRunsThatPruned() throws {
        let host = ConvergingHost(m: 12, steps: 5, seed: 2)
        let pruned = try host.session { $0.traceEveryStep = true }
        try pruned.run()
        let e = errorOf { _ = try Calibration(runs: [pruned]) }
        #expect(e?.message.contains("scores of all 12 candidates at step 1") == true)
        let unfinished = try host.session { $0.traceEveryStep = true; $0.schedule = .ratio(0.5, firstStep: 4) }
        try unfinished.step()
        #expect(errorOf { _ = try Calibration(runs: [unfinished]) }?.kind == .invalidState)
        #expect(errorOf { _ = try Calibration(runs: []) }?.kind == .invalidArgument)
    }

    @Test func scheduleFilesRoundTripAndBadOnesAreNamed() throws {
        let s = CalibratedSchedule(candidates: 8, groupSize: 2, steps: 4, lambda: 0.5, counts: [8, 4, 4, 2], evaluations: 24,
                                   retention: 0.93, minimumRetention: 0.8, runs: 3)
        #expect(try CalibratedSchedule.parse(s.json) == s)
        func message(_ text: String) -> String? {
            do { _ = try CalibratedSchedule.parse(text); return nil } catch { return error.message }
        }
        #expect(message("{") != nil)
        #expect(message("{}")?.contains("format") == true)
        let valid = s.json
        #expect(message(valid.replacingFirst("\"group_size\": 2", "\"group_size\": 2.5"))?.contains("group_size") == true)
        #expect(message(valid.replacingFirst("[8, 4, 4, 2]", "[8, 4, 5, 2]"))?.contains("survivor_counts[2] = 5") == true)
        #expect(message(valid.replacingFirst("[8, 4, 4, 2]", "[8, 4, 2]"))?.contains("num_steps = 4") == true)
        #expect(message(valid.replacingFirst("[8, 4, 4, 2]", "[8, 4, \"x\", 2]"))?.contains("survivor_counts[2]") == true)
        #expect(errorOf { _ = try CalibratedSchedule.load(from: "/nonexistent/schedule.json") }?.message.contains("cannot read") == true)
    }

    @Test func jsonReaderCoversTheValues() throws {
        let v = try JSONValue.parse(#" {"a": [1, -2.5e3, true, false, null], "b": {"c": "x\"\u00e9"}} "#)
        #expect(v["a"] == .array([.number(1), .number(-2500), .bool(true), .bool(false), .null]))
        #expect(v["b"]?["c"] == .string("x\"é"))
        for bad in ["", "[1,", "{\"a\" 1}", "[1] 2", "nul", "\"open", "1e999", String(repeating: "[", count: 100)] {
            #expect(throws: JSONValue.SyntaxError.self) { _ = try JSONValue.parse(bad) }
        }
    }
}

extension String {
    func replacingFirst(_ a: String, _ b: String) -> String {
        guard let r = range(of: a) else { return self }
        return replacingCharacters(in: r, with: b)
    }
}

import Testing
@testable import GroupInference

@Suite("Pruning schedules")
struct ScheduleTests {
    func survivors(_ s: PruneSchedule, m: Int, k: Int, t: Int) -> [Int] {
        var alive = m, out: [Int] = []
        for step in 0..<t {
            alive = s.keep(afterStep: step, alive: alive, groupSize: k, steps: t)
            out.append(alive)
        }
        return out
    }

    @Test func referenceScheduleHalvesFromStepZero() {
        let s = PruneSchedule.ratio(0.5, firstStep: 0)
        #expect(survivors(s, m: 64, k: 4, t: 20) == [32, 16, 8, 4] + Array(repeating: 4, count: 16))
        // 64 + 32 + 16 + 8 + 16·4 evaluations instead of 64·20.
        #expect(s.evaluations(candidates: 64, groupSize: 4, steps: 20) == 184)
    }

    @Test func ratioRoundsUpAndStopsAtK() {
        #expect(survivors(.ratio(0.5, firstStep: 0), m: 5, k: 2, t: 4) == [3, 2, 2, 2])
        #expect(survivors(.ratio(0.9, firstStep: 0), m: 64, k: 4, t: 4) == [7, 4, 4, 4])
        #expect(survivors(.ratio(0, firstStep: 0), m: 8, k: 2, t: 3) == [8, 8, 2])
    }

    @Test func firstPruneStepDelaysPruning() {
        #expect(survivors(.ratio(0.5, firstStep: 2), m: 16, k: 2, t: 6) == [16, 16, 8, 4, 2, 2])
        #expect(PruneSchedule.ratio(0.5, firstStep: 2).evaluations(candidates: 16, groupSize: 2, steps: 6)
            == 16 + 16 + 16 + 8 + 4 + 2)
    }

    @Test func lastStepAlwaysChoosesK() {
        #expect(survivors(.ratio(0.1, firstStep: 0), m: 10, k: 3, t: 2) == [9, 3])
        #expect(survivors(.ratio(0.5, firstStep: 0), m: 10, k: 3, t: 1) == [3])
    }

    @Test func explicitCounts() throws {
        let s = PruneSchedule.counts([16, 16, 8, 4])
        try s.validate(candidates: 32, groupSize: 4, steps: 4)
        #expect(survivors(s, m: 32, k: 4, t: 4) == [16, 16, 8, 4])
    }

    @Test func invalidSchedulesAreNamed() {
        func message(_ s: PruneSchedule, m: Int = 32, k: Int = 4, t: Int = 4) -> String {
            do { try s.validate(candidates: m, groupSize: k, steps: t); return "" } catch { return error.message }
        }
        #expect(message(.counts([16, 8])).contains("num_steps = 4"))
        #expect(message(.counts([16, 20, 8, 4])).contains("survivor_counts[1] = 20"))
        #expect(message(.counts([16, 8, 4, 3])).contains("survivor_counts[3] = 3"))
        #expect(message(.counts([16, 8, 8, 5])).contains("must equal K = 4"))
        #expect(message(.counts([40, 8, 8, 4])).contains("survivor_counts[0] = 40"))
        #expect(message(.ratio(1, firstStep: 0)).contains("prune_ratio"))
        #expect(message(.ratio(.nan, firstStep: 0)).contains("prune_ratio"))
        #expect(message(.ratio(0.5, firstStep: 4)).contains("first_prune_step = 4"))
        #expect(message(.ratio(0.5, firstStep: -1)).contains("first_prune_step = -1"))
    }
}

// SwiftHost - a complete Swift host of GroupInference, end to end.
//
// It plays an image generator, as examples/c/toy_host.c does: M candidates,
// each heading for a point in a small feature space; a quality scorer
// (unary) and a look scorer (embedding: the library turns the features into
// 1 - cos distances); a denoiser that advances the candidates the session
// keeps. Only K of them are denoised to the end. A progress handler sees
// every step.
//
//   swift run --package-path examples/swift      (make test runs it)
import Foundation  // exit
import GroupInference

let m = 32, k = 4, t = 12, dim = 8

/// The host's side: candidates, their features, and what the "model" did.
final class Host {
    var quality: [Double] = []
    var features: [Float] = []
    var stepsDone: [Int]
    var modelCalls = 0

    init(seed: UInt64) {
        var state = seed
        func next() -> Double {  // xorshift64: the same numbers on every run
            state ^= state << 13; state ^= state >> 7; state ^= state << 17
            return Double(state >> 11) / 9007199254740992.0
        }
        for _ in 0..<m { quality.append(next()) }
        for _ in 0..<(m * dim) { features.append(Float(2 * next() - 1)) }
        stepsDone = [Int](repeating: 0, count: m)
    }

    func advance(step: Int, ids: UnsafeBufferPointer<Int32>) {
        for id in ids { stepsDone[Int(id)] += 1 }
        modelCalls += ids.count
    }
}

func main() throws -> Int32 {
    let host = Host(seed: 0x9E37_79B9_7F4A_7C15)
    var configuration = SessionConfiguration()
    configuration.candidates = m
    configuration.groupSize = k
    configuration.steps = t
    configuration.lambda = 0.5

    let session = try GroupSession(configuration)
    try session.add(.unary("quality") { _, ids, scores in
        for (a, id) in ids.enumerated() { scores[a] = host.quality[Int(id)] }
    })
    try session.add(.embedding("look", dimension: dim) { _, ids, rows in
        for (a, id) in ids.enumerated() {
            for j in 0..<dim { rows[a * dim + j] = host.features[Int(id) * dim + j] }
        }
    })
    session.denoiser = { step, ids in host.advance(step: step, ids: ids) }
    var reports: [Int] = []  // steps done, after each step: return false to cancel the run
    session.progressHandler = { progress in reports.append(progress.stepsDone); return true }
    try session.run()

    guard let group = session.finalGroup else {
        print("SwiftHost: the session finished without a group")
        return 1
    }
    print("GroupInference (Swift): \(m) candidates, group of \(k), \(t) steps")
    print("survivors per prune: " + session.records.map { "\($0.ids.count)->\($0.kept.count)" }.joined(separator: " "))
    print("chosen group: " + group.ids.map { "#\($0)" }.joined(separator: " "))
    print("objective: \(group.objective)")
    let saved = 100 * (1 - Double(session.evaluations) / Double(session.naiveEvaluations))
    print("model evaluations: \(session.evaluations) of \(session.naiveEvaluations) for denoising all (\(Int(saved.rounded()))% saved)")

    // What the host can check on its own side.
    var problems: [String] = []
    if group.ids.count != k { problems.append("the group has \(group.ids.count) ids, not \(k)") }
    if session.evaluations != host.modelCalls {
        problems.append("the session counted \(session.evaluations) evaluations, the host \(host.modelCalls)")
    }
    for id in group.ids where host.stepsDone[Int(id)] != t {
        problems.append("#\(id) was denoised \(host.stepsDone[Int(id)]) times, not \(t)")
    }
    if group.unary != group.ids.map({ host.quality[Int($0)] }) { problems.append("the group's quality scores differ") }
    if reports != Array(1...t) { problems.append("progress reported steps \(reports), not 1...\(t)") }
    for problem in problems { print("SwiftHost: \(problem)") }
    return problems.isEmpty ? 0 : 1
}

do {
    exit(try main())
} catch {
    print("SwiftHost: \(error)")
    exit(2)
}

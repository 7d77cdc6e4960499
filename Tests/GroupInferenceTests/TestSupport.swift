import Foundation
import Testing
@testable import GroupInference

/// Deterministic pseudo-random numbers for reproducible random instances.
typealias SplitMix = SplitMix64

/// A random problem; `negative` allows b < 0, `ties` draws from few values,
/// `duplicates` makes the second half near-copies of the first half.
func randomProblem(n: Int, k: Int, lambda: Double, negative: Bool = false, ties: Bool = false,
                   duplicates: Bool = false, rng: inout SplitMix) -> SelectionProblem {
    func draw() -> Double {
        if ties { return Double(Int.random(in: 0...2, using: &rng)) * 0.5 }
        return Double.random(in: (negative ? -1 : 0)...1, using: &rng)
    }
    var u = (0..<n).map { _ in draw() }
    var b = [Double](repeating: 0, count: n * n)
    for i in 0..<n {
        for j in (i + 1)..<n { let v = draw(); b[i * n + j] = v; b[j * n + i] = v }
    }
    if duplicates {
        let half = n / 2
        for c in half..<(2 * half) {
            let o = c - half
            u[c] = u[o] + Double.random(in: -1e-4...1e-4, using: &rng)
            for j in 0..<n where j != c && j != o {
                let v = b[o * n + j] + Double.random(in: -1e-6...1e-6, using: &rng)
                b[c * n + j] = v; b[j * n + c] = v
            }
            b[c * n + o] = 5e-7; b[o * n + c] = 5e-7
        }
    }
    return try! SelectionProblem(unary: u, pairwise: b, lambda: lambda, groupSize: k)
}

func relativeDifference(_ a: Double, _ b: Double) -> Double {
    abs(a - b) / max(1, abs(b))
}

/// The shared QIP instances with certified optima, copied from ../shared.
struct SharedInstance: CustomTestStringConvertible, Sendable {
    let name: String
    let problem: SelectionProblem
    let optimum: Double?
    let proven: Bool
    let bestKnown: Double
    let upperBound: Double?

    var testDescription: String { name }

    static let directory: URL = {
        if let env = ProcessInfo.processInfo.environment["GI_QIP_INSTANCES"] { return URL(fileURLWithPath: env) }
        return URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Fixtures/qip-instances")
    }()

    static let all: [SharedInstance] = {
        let files = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
        return files.filter { $0.hasSuffix(".json") }.sorted().map { load(directory.appendingPathComponent($0)) }
    }()

    static func load(_ url: URL) -> SharedInstance {
        let object = try! JSONSerialization.jsonObject(with: Data(contentsOf: url)) as! [String: Any]
        let unary = object["unary"] as! [Double]
        let binary = (object["binary"] as! [[Double]]).flatMap { $0 }
        let problem = try! SelectionProblem(unary: unary, pairwise: binary, lambda: object["lambda"] as! Double,
                                            groupSize: object["K"] as! Int)
        return SharedInstance(name: object["name"] as! String, problem: problem,
                              optimum: object["optimum"] as? Double, proven: object["proven"] as! Bool,
                              bestKnown: object["best_known"] as! Double,
                              upperBound: object["upper_bound"] as? Double)
    }
}

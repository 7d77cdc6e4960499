import Foundation
import GroupInference

/// A shared QIP instance with its certificate, as the benchmarks read it.
struct BenchInstance {
    let name: String
    let problem: SelectionProblem
    let optimum: Double?
    let proven: Bool
    let bestKnown: Double
    let upperBound: Double?

    private struct Raw: Decodable {
        let name: String
        let K: Int
        let lambda: Double
        let unary: [Double]
        let binary: [[Double]]
        let optimum: Double?
        let proven: Bool
        let best_known: Double
        let upper_bound: Double?
    }

    static func loadAll(from directory: String) throws -> [BenchInstance] {
        let files = try FileManager.default.contentsOfDirectory(atPath: directory)
            .filter { $0.hasSuffix(".json") }.sorted()
        return try files.map { file in
            let data = FileManager.default.contents(atPath: directory + "/" + file) ?? Data()
            let raw = try JSONDecoder().decode(Raw.self, from: data)
            let p = try SelectionProblem(unary: raw.unary, pairwise: raw.binary.flatMap { $0 },
                                         lambda: raw.lambda, groupSize: raw.K)
            return BenchInstance(name: raw.name, problem: p, optimum: raw.optimum, proven: raw.proven,
                                 bestKnown: raw.best_known, upperBound: raw.upper_bound)
        }
    }
}

/// Median wall time of `body` over `repeats` runs, in seconds.
func medianSeconds(repeats: Int, _ body: () throws -> Void) rethrows -> Double {
    var times: [Double] = []
    for _ in 0..<repeats {
        let start = ContinuousClock.now
        try body()
        let d = ContinuousClock.now - start
        times.append(Double(d.components.seconds) + Double(d.components.attoseconds) * 1e-18)
    }
    return times.sorted()[times.count / 2]
}

/// printf-style formatting for the tables.
func f(_ format: String, _ args: CVarArg...) -> String { String(format: format, arguments: args) }

func pad(_ s: String, _ width: Int) -> String {
    s.count >= width ? s : s + String(repeating: " ", count: width - s.count)
}

func lpad(_ s: String, _ width: Int) -> String {
    s.count >= width ? s : String(repeating: " ", count: width - s.count) + s
}

import Foundation
import GroupInference

/// An entry of the public Maximum Diversity Problem library
/// (`../shared/mdp-instances`): a matrix with its K and the published
/// best-known value (proven for some GKD-c entries).
struct MDPEntry {
    let name: String
    let set: String
    let k: Int
    let bestKnown: Double
    let proven: Bool
    let data: String

    /// The matrix as given (row-major, zero diagonal).
    struct Matrix {
        let n: Int
        let distances: [Double]
    }

    static func loadManifest(directory: String) throws -> [MDPEntry] {
        let url = URL(fileURLWithPath: directory).appendingPathComponent("manifest.json")
        guard let list = try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [[String: Any]] else {
            throw BenchError("\(url.path) is not a list of entries")
        }
        return try list.map { e in
            guard let name = e["name"] as? String, let set = e["set"] as? String, let k = e["K"] as? Int,
                  let best = e["best_known"] as? Double, let data = e["data"] as? String else {
                throw BenchError("manifest entry \(e["name"] ?? "?") lacks name, set, K, best_known or data")
            }
            return MDPEntry(name: name, set: set, k: k, bestKnown: best, proven: e["proven"] as? Bool ?? false,
                            data: data)
        }
    }

    /// Reads a gzipped matrix file (the qip JSON format) through `gzip -dc`.
    static func loadMatrix(directory: String, file: String) throws -> Matrix {
        let gzip = Process()
        gzip.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        gzip.arguments = ["gzip", "-dc", directory + "/" + file]
        let pipe = Pipe()
        gzip.standardOutput = pipe
        try gzip.run()
        let bytes = pipe.fileHandleForReading.readDataToEndOfFile()
        gzip.waitUntilExit()
        guard gzip.terminationStatus == 0,
              let object = try JSONSerialization.jsonObject(with: bytes) as? [String: Any],
              let rows = object["binary"] as? [[Double]] else {
            throw BenchError("could not read the matrix of \(file)")
        }
        let n = rows.count
        guard rows.allSatisfy({ $0.count == n }) else { throw BenchError("\(file): the matrix is not square") }
        return Matrix(n: n, distances: rows.flatMap { $0 })
    }

    /// The MDP as a selection problem: u = 0, λ = 1, b = d.
    func problem(_ m: Matrix) throws -> SelectionProblem {
        try SelectionProblem(unary: [Double](repeating: 0, count: m.n), pairwise: m.distances, lambda: 1, groupSize: k)
    }

    /// Σ_{i<j ∈ S} d_ij straight from the file's matrix: a check of the
    /// library's objective that shares no code with it.
    static func diversity(_ selection: [Int], in m: Matrix) -> Double {
        var total = 0.0
        for (a, i) in selection.enumerated() {
            for j in selection[(a + 1)...] { total += m.distances[i * m.n + j] }
        }
        return total
    }
}

struct BenchError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

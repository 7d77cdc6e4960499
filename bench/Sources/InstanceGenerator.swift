import Foundation
import GroupInference

/// Instances like the shared `real_*` family, at any size: clustered unit
/// features (D = 768; 3 to 8 modes of different sizes plus outliers),
/// b = 1 − cos, unary ≈ CLIP-like scores depending on the mode plus noise,
/// λ = 1/(K − 1). Calibrated to the shared real_M256 instance: within-mode
/// b ≈ 0.1–0.3, between modes ≈ 0.7–0.95, u ∈ [0.18, 0.33].
enum InstanceGenerator {
    static func real(m: Int, k: Int, seed: UInt64, dimension d: Int = 768) -> (SelectionProblem, features: [Float]) {
        let (unary, features) = scores(m: m, k: k, seed: seed, dimension: d)
        // b in float64 from the float32 features, as a host would compute it.
        var b = [Double](repeating: 0, count: m * m)
        for i in 0..<m {
            for j in (i + 1)..<m {
                var dot = 0.0
                for t in 0..<d { dot += Double(features[i * d + t]) * Double(features[j * d + t]) }
                b[i * m + j] = 1 - dot
                b[j * m + i] = 1 - dot
            }
        }
        let p = try! SelectionProblem(unary: unary, pairwise: b, lambda: 1 / Double(max(k - 1, 1)), groupSize: k)
        return (p, features)
    }

    /// The unary scores and the m × d unit features alone (no O(m²·d) matrix).
    static func scores(m: Int, k: Int, seed: UInt64, dimension d: Int = 768) -> (unary: [Double], features: [Float]) {
        var rng = BenchRNG(seed: seed &* 7919 &+ UInt64(m * 31 + k))
        func gaussian() -> Double {
            let u1 = Double.random(in: Double.ulpOfOne...1, using: &rng), u2 = Double.random(in: 0...1, using: &rng)
            return (-2 * log(u1)).squareRoot() * cos(2 * Double.pi * u2)
        }
        func direction() -> [Double] { (0..<d).map { _ in gaussian() / Double(d).squareRoot() } }
        let modes = Int.random(in: 3...8, using: &rng)
        let common = direction()
        let centres = (0..<modes).map { _ in direction() }
        let modeQuality = (0..<modes).map { _ in Double.random(in: 0.21...0.31, using: &rng) }
        let weights = (0..<modes).map { _ in Double.random(in: 0.2...1, using: &rng) }
        let total = weights.reduce(0, +)
        var features = [Float](repeating: 0, count: m * d)
        var unary = [Double](repeating: 0, count: m)
        for i in 0..<m {
            let outlier = Double.random(in: 0...1, using: &rng) < 0.05
            var pick = Double.random(in: 0..<total, using: &rng), mode = 0
            while pick > weights[mode] && mode < modes - 1 { pick -= weights[mode]; mode += 1 }
            let noise = direction()
            var v = [Double](repeating: 0, count: d)
            for t in 0..<d {
                v[t] = 0.45 * common[t] + (outlier ? 0.9 * noise[t] : 0.8 * centres[mode][t] + 0.4 * noise[t])
            }
            let norm = v.reduce(0) { $0 + $1 * $1 }.squareRoot()
            for t in 0..<d { features[i * d + t] = Float(v[t] / norm) }
            unary[i] = min(0.38, max(0.18, (outlier ? 0.22 : modeQuality[mode]) + 0.012 * gaussian()))
        }
        return (unary, features)
    }
}

import Foundation
import Testing
@testable import GroupInference

/// The session's scoring (workspace, fused passes, in-place callbacks)
/// against a plain reference computed from the same values: every record's
/// combined unary scores, pairwise matrix, mean differences and per-scorer
/// values, through contiguous and gathered ids, z-scoring, several scorers of
/// each kind, pushed and computed values, and rows whose float32 Gram matrix
/// would overflow without scaling.
@Suite("Scoring against a plain reference")
struct ScoringTests {
    final class Host {
        let m: Int, d = 5
        var quality: [Double], features: [Float], pushedFeatures: [Float]
        init(m: Int, seed: UInt64) {
            self.m = m
            var rng = SplitMix(seed: seed)
            quality = (0..<m).map { _ in Double.random(in: 0...1, using: &rng) }
            // Some rows far from unit length: 1e±18 (squared norms beyond 1e±30).
            features = (0..<(m * 5)).map { t in
                Float.random(in: -1...1, using: &rng) * (t / 5 % 7 == 3 ? 1e18 : t / 5 % 7 == 5 ? 1e-18 : 1)
            }
            pushedFeatures = (0..<(m * 5)).map { _ in Float.random(in: -1...1, using: &rng) + 0.5 }
        }

        func difference(_ i: Int32, _ j: Int32) -> Double { Double((Int(i) * 7 + Int(j) * 7) % 13) / 13 + 0.1 }

        func scorers() -> [Scorer] {
            [
                .unary("quality") { [unowned self] _, ids, out in
                    for (a, i) in ids.enumerated() { out[a] = quality[Int(i)] }
                },
                .embedding("look", dimension: d, weight: 0.7) { [unowned self] _, ids, out in
                    for (a, i) in ids.enumerated() { for t in 0..<d { out[a * d + t] = features[Int(i) * d + t] } }
                },
                .unary("pushed quality", weight: -0.5),
                .embedding("pushed look", dimension: d, weight: 1.3),
                // Upper triangular, as the paper's code builds it: stands for its mirror.
                .pairwise("pairs", weight: 0.4) { [unowned self] _, ids, out in
                    let n = ids.count
                    for a in 0..<n { for b in 0..<n { out[a * n + b] = b > a ? difference(ids[a], ids[b]) : 0 } }
                },
            ]
        }

        func push(_ s: GroupSession) throws {
            let ids = s.alive
            try ids.withUnsafeBufferPointer { i in
                let u = ids.map { 1 - quality[Int($0)] * quality[Int($0)] }
                try u.withUnsafeBufferPointer { try s.pushUnary(scorer: 2, ids: i, scores: $0) }
                let rows = ids.flatMap { id in (0..<d).map { pushedFeatures[Int(id) * d + $0] } }
                try rows.withUnsafeBufferPointer { try s.pushEmbeddings(scorer: 3, ids: i, dimension: d, embeddings: $0) }
            }
        }

        /// Raw values of each scorer over `ids`: unary vectors, or n × n
        /// difference matrices (zero diagonal).
        func raw(_ ids: [Int32]) -> [[Double]] {
            let n = ids.count
            func cosine(_ x: [Float]) -> [Double] {
                var out = [Double](repeating: 0, count: n * n)
                for a in 0..<n {
                    for b in 0..<n where a != b {
                        var dot = 0.0, na = 0.0, nb = 0.0
                        for t in 0..<d {
                            let p = Double(x[Int(ids[a]) * d + t]), q = Double(x[Int(ids[b]) * d + t])
                            dot += p * q; na += p * p; nb += q * q
                        }
                        out[a * n + b] = 1 - dot / (na.squareRoot() * nb.squareRoot())
                    }
                }
                return out
            }
            var pairs = [Double](repeating: 0, count: n * n)
            for a in 0..<n { for b in 0..<n where a != b { pairs[a * n + b] = difference(min(ids[a], ids[b]), max(ids[a], ids[b])) } }
            return [ids.map { quality[Int($0)] }, cosine(features),
                    ids.map { 1 - quality[Int($0)] * quality[Int($0)] }, cosine(pushedFeatures), pairs]
        }
    }

    static func zscore(_ x: [Double]) -> [Double] {
        let n = Double(x.count), mean = x.reduce(0, +) / n
        let sd = (x.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / n).squareRoot()
        return sd > 0 ? x.map { ($0 - mean) / sd } : x.map { _ in 0 }
    }

    /// z-scores the entries above the diagonal, mirrored; zero diagonal.
    static func zscoreOffDiagonal(_ m: [Double], _ n: Int) -> [Double] {
        var upper: [Double] = []
        for i in 0..<n { for j in (i + 1)..<n { upper.append(m[i * n + j]) } }
        let z = zscore(upper)
        var out = [Double](repeating: 0, count: n * n), t = 0
        for i in 0..<n { for j in (i + 1)..<n { out[i * n + j] = z[t]; out[j * n + i] = z[t]; t += 1 } }
        return out
    }

    /// 150 candidates: several 64 × 64 tiles of the mirror pass, and edges.
    @Test(arguments: [(40, Normalization.none), (40, .zscore), (150, .none)])
    func recordsMatchTheReference(m: Int, normalization: Normalization) throws {
        let host = Host(m: m, seed: 5)
        var c = configuration(m: m, k: 4, t: 3, lambda: 0.6)
        c.normalization = normalization
        c.traceEveryStep = true // records keep the pairwise matrix
        c.solver.choice = .heuristic
        let s = try GroupSession(c)
        for scorer in host.scorers() { try s.add(scorer) }
        for step in 0..<3 {
            try host.push(s)
            try s.step()
            if step == 0 { try s.discard([s.alive[1], s.alive[4]]) } // later ids are not one run
        }
        let kinds = host.scorers().map(\.kind)
        for r in s.records where !r.isDiscard {
            let n = r.ids.count
            let raw = host.raw(r.ids)
            var unary = [Double](repeating: 0, count: n), pairwise = [Double](repeating: 0, count: n * n)
            for (sc, scorer) in host.scorers().enumerated() {
                if kinds[sc] == .unary {
                    let v = normalization == .zscore ? Self.zscore(raw[sc]) : raw[sc]
                    for i in 0..<n { unary[i] += scorer.weight * v[i] }
                    #expect(r.scorerValues[sc] == raw[sc])
                } else {
                    let v = normalization == .zscore ? Self.zscoreOffDiagonal(raw[sc], n) : raw[sc]
                    for i in 0..<(n * n) { pairwise[i] += scorer.weight * v[i] }
                    for i in 0..<n {
                        let mean = (0..<n).filter { $0 != i }.reduce(0) { $0 + raw[sc][i * n + $1] } / Double(n - 1)
                        #expect(abs(r.scorerValues[sc][i] - mean) < 1e-5, "scorer \(sc), row \(i)")
                    }
                }
            }
            let worstUnary = zip(r.unary, unary).map { abs($0 - $1) }.max()!
            let worstPair = zip(r.pairwise, pairwise).map { abs($0 - $1) }.max()!
            #expect(worstUnary < 1e-12, "step \(r.step): unary off by \(worstUnary)")
            #expect(worstPair < 1e-4, "step \(r.step): pairwise off by \(worstPair)")
            for i in 0..<n {
                #expect(r.pairwise[i * n + i] == 0)
                for j in 0..<n where r.pairwise[i * n + j] != r.pairwise[j * n + i] {
                    Issue.record("step \(r.step): not symmetric at (\(i), \(j))")
                }
                let mean = (0..<n).filter { $0 != i }.reduce(0) { $0 + r.pairwise[i * n + $1] } / Double(n - 1)
                #expect(abs(r.diversity[i] - mean) < 1e-9, "step \(r.step): mean difference of row \(i)")
            }
            // The objective the record reports is the kept set's under these scores.
            let kept = r.kept.map { id in r.ids.firstIndex(of: id)! }
            let p = try SelectionProblem(unary: r.unary, pairwise: r.pairwise, lambda: c.lambda, groupSize: kept.count)
            #expect(relativeDifference(p.objective(of: kept), r.objective) < 1e-9)
        }
        #expect(s.isDone && s.finalGroup?.ids.count == 4)
    }

    /// A session scores into its workspace and leaves it to the next one:
    /// records keep copies of their own, untouched by later scorings.
    @Test func recordsOwnTheirScores() throws {
        let host = Host(m: 24, seed: 9)
        var c = configuration(m: 24, k: 3, t: 2, lambda: 0.5)
        c.traceEveryStep = true
        let first = try GroupSession(c)
        for scorer in host.scorers() { try first.add(scorer) }
        try host.push(first)
        try first.step()
        let snapshot = (first.records[0].unary, first.records[0].pairwise, first.records[0].diversity)
        try host.push(first)
        try first.step()
        #expect(first.records[0].unary == snapshot.0 && first.records[0].pairwise == snapshot.1
                && first.records[0].diversity == snapshot.2)
        let kept = first.records
        // The next session takes the first one's workspace when it goes.
        withExtendedLifetime(first) {}
        let second = try GroupSession(c)
        for scorer in host.scorers() { try second.add(scorer) }
        try host.push(second)
        try second.step()
        #expect(kept[0].pairwise == snapshot.1 && second.records[0].pairwise == snapshot.1)
    }
}

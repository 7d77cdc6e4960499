import Testing
@testable import GroupInference

/// The one-pass survey against the rule as it was written before it
/// (a finiteness scan, then the largest magnitude, then the first pair
/// beyond the tolerance): same verdict, same pair named, same symmetric
/// matrix, on matrices built to sit on every edge of the rule.
@Suite("Pairwise survey against the two-pass rule")
struct PairwiseSurveyTests {
    /// The rule's reference: nil when some entry off the diagonal is not finite.
    func reference(_ m: [Double], _ n: Int) -> Result<PairwiseMatrix.Form, PairwiseMatrix.Asymmetry>? {
        for a in 0..<n { for b in 0..<n where a != b && !m[a * n + b].isFinite { return nil } }
        var largest = 0.0, lowerZero = true, upperZero = true
        for i in 0..<n {
            for j in (i + 1)..<n {
                largest = max(largest, abs(m[i * n + j]), abs(m[j * n + i]))
                if m[j * n + i] != 0 { lowerZero = false }
                if m[i * n + j] != 0 { upperZero = false }
            }
        }
        let slack = PairwiseMatrix.relativeTolerance * largest
        for i in 0..<n {
            for j in (i + 1)..<n where abs(m[i * n + j] - m[j * n + i]) > slack {
                if lowerZero { return .success(.upper) }
                if upperZero { return .success(.lower) }
                return .failure(.init(row: i, column: j, upper: m[i * n + j], lower: m[j * n + i]))
            }
        }
        return .success(.symmetric)
    }

    /// A matrix of one of the shapes hosts write, then perhaps one entry spoilt.
    func matrix(_ n: Int, _ rng: inout SplitMix) -> [Double] {
        let values: [Double] = [0, -0.0, 1, -2.5, 1e-300, 5e-324, 1e300, .greatestFiniteMagnitude, 0.75]
        var m = [Double](repeating: .nan, count: n * n) // the diagonal stays NaN: it is ignored
        let shape = Int.random(in: 0..<4, using: &rng)
        let pool = Bool.random(using: &rng)
        for i in 0..<n {
            for j in (i + 1)..<n {
                let v = pool ? values.randomElement(using: &rng)! : Double.random(in: -1...1, using: &rng)
                switch shape {
                case 0: m[i * n + j] = v; m[j * n + i] = v                            // symmetric
                case 1: m[i * n + j] = v; m[j * n + i] = v * (1 + 1e-9)               // up to rounding
                case 2: m[i * n + j] = v; m[j * n + i] = 0                            // upper
                default: m[i * n + j] = Bool.random(using: &rng) ? 0 : -0.0; m[j * n + i] = v // lower
                }
            }
        }
        if n > 1, Int.random(in: 0..<3, using: &rng) == 0 {
            var i = Int.random(in: 0..<n, using: &rng), j = Int.random(in: 0..<n, using: &rng)
            if i == j { (i, j) = (0, 1) }
            m[i * n + j] = [Double.nan, .infinity, -.infinity, 0.5, 0, 1e-7, -0.0].randomElement(using: &rng)!
        }
        return m
    }

    @Test func surveyAgreesWithTheTwoPassRule() {
        var rng = SplitMix(seed: 29)
        for trial in 0..<4000 {
            let n = trial % 13
            let m = matrix(n, &rng)
            m.withUnsafeBufferPointer { p in
                let survey = PairwiseMatrix.survey(p, count: n)
                let expected = reference(m, n)
                #expect(survey.isFinite == (expected != nil))
                guard let expected, survey.isFinite else { return }
                #expect(PairwiseMatrix.form(p, count: n, survey: survey) == expected)
                guard case let .success(form) = expected else { return }
                // In place, as a callback's matrix is made symmetric: what the copying form gives.
                var inPlace = m
                inPlace.withUnsafeMutableBufferPointer {
                    PairwiseMatrix.symmetrizeInPlace($0, count: n, survey: survey, form: form)
                }
                var copied = [Double](repeating: 0, count: n * n)
                copied.withUnsafeMutableBufferPointer { PairwiseMatrix.symmetrize(p, count: n, form: form, into: $0) }
                #expect(inPlace.map(\.bitPattern) == copied.map(\.bitPattern))
            }
        }
    }

    /// The survey's shortcut for bit-identical triangles gives exactly the
    /// general pass's survey, on matrices of every shape (half of them
    /// copied to both triangles, so that it is taken often), odd and even n,
    /// one 2 × 2 block and many.
    @Test func shortcutGivesTheGeneralSurvey() {
        var rng = SplitMix(seed: 31)
        var shortcuts = 0
        for trial in 0..<4000 {
            let n = trial % 10 == 9 ? 13 + trial % 24 : trial % 13
            var m = matrix(n, &rng)
            if trial % 2 == 0 { for i in 0..<n { for j in (i + 1)..<n { m[j * n + i] = m[i * n + j] } } }
            m.withUnsafeBufferPointer { p in
                let general = PairwiseMatrix.generalSurvey(p, count: n)
                #expect(PairwiseMatrix.survey(p, count: n) == general, "n = \(n), trial \(trial)")
                if general.isFinite && general.identicalTriangles && n > 1 { shortcuts += 1 }
            }
        }
        #expect(shortcuts > 1000) // the shortcut was exercised, not only the general pass
    }
}

import COpenBLAS

/// The shift σ that makes the selection objective concave on the cardinality
/// hyperplane. For binary y with Σy = K, yᵀWy = yᵀ(W − σI)y + σK, and
/// W − σI is negative semidefinite on {v : Σv = 0} once σ ≥ λ_max(PWP)
/// (P projects onto that subspace). The concave function then bounds the
/// objective on the whole hyperplane, which is what the relaxation needs.
///
/// For W = λ(11ᵀ − G) with G a Gram matrix (cosine distances) σ ≤ 0.
enum ConcavityShift {
    /// Largest eigenvalue of PWP on 1⊥ from LAPACK, plus a margin covering
    /// its rounding error, so the shift is a certificate; nil if LAPACK fails.
    static func compute(_ w: [Double], count n: Int) -> Double? {
        if n <= 1 { return 0 }
        // M = PWP − c·11ᵀ/n with c large pushes the 1-direction (eigenvalue 0
        // of PWP) below every other eigenvalue, so the largest eigenvalue of M
        // is the largest on 1⊥.
        var rowMean = [Double](repeating: 0, count: n)
        var total = 0.0, frobenius = 0.0
        for i in 0..<n {
            var s = 0.0
            for j in 0..<n { let x = w[i * n + j]; s += x; frobenius += x * x }
            rowMean[i] = s / Double(n)
            total += s
        }
        let mean = total / Double(n * n)
        frobenius = frobenius.squareRoot()
        let push = 2 * frobenius + 1
        var m = [Double](repeating: 0, count: n * n)
        for i in 0..<n {
            for j in 0..<n {
                m[i * n + j] = w[i * n + j] - rowMean[i] - rowMean[j] + mean - push / Double(n)
            }
        }
        guard let largest = largestEigenvalue(&m, count: n) else { return nil }
        // dsyevr's eigenvalues are exact for a matrix within O(n·ε·‖M‖) of M.
        let margin = 16 * Double(n) * Double.ulpOfOne * (frobenius + push) + 1e-300
        return largest + margin
    }

    /// The largest eigenvalue of a symmetric matrix (overwritten), by LAPACK's dsyevr.
    private static func largestEigenvalue(_ a: inout [Double], count n: Int) -> Double? {
        var nn = Int32(n), lda = Int32(n), il = Int32(n), iu = Int32(n), ldz = Int32(1)
        var vl = 0.0, vu = 0.0, abstol = 0.0
        var found: Int32 = 0, info: Int32 = 0
        var eigenvalues = [Double](repeating: 0, count: n)
        var z = [Double](repeating: 0, count: 1)
        var isuppz = [Int32](repeating: 0, count: 2 * n)
        var lwork: Int32 = -1, liwork: Int32 = -1
        var workQuery = 0.0
        var iworkQuery: Int32 = 0
        let jobz: CChar = 78, range: CChar = 73, uplo: CChar = 85 // "N", "I", "U"
        var jz = jobz, rg = range, up = uplo
        dsyevr_(&jz, &rg, &up, &nn, &a, &lda, &vl, &vu, &il, &iu, &abstol, &found, &eigenvalues,
                &z, &ldz, &isuppz, &workQuery, &lwork, &iworkQuery, &liwork, &info, 1, 1, 1)
        guard info == 0 else { return nil }
        lwork = Int32(workQuery)
        liwork = iworkQuery
        var work = [Double](repeating: 0, count: Int(lwork))
        var iwork = [Int32](repeating: 0, count: Int(liwork))
        dsyevr_(&jz, &rg, &up, &nn, &a, &lda, &vl, &vu, &il, &iu, &abstol, &found, &eigenvalues,
                &z, &ldz, &isuppz, &work, &lwork, &iwork, &liwork, &info, 1, 1, 1)
        guard info == 0, found == 1, eigenvalues[0].isFinite else { return nil }
        return eigenvalues[0]
    }
}

import CGLPK

/// The strengthened linearisation as a GLPK problem. Columns 1...n are y,
/// then one z column per pair i < j.
struct GLPKModel {
    let prob: OpaquePointer
    let n: Int

    /// nil if the clock passes `deadline` while building (at n = 256 the
    /// model has 33 000 columns and 66 000 rows: tens of milliseconds).
    init?(_ p: SelectionProblem, deadline: Double = .infinity) {
        let n = p.count, k = p.groupSize
        self.n = n
        prob = glp_create_prob()
        glp_set_obj_dir(prob, GLP_MAX)
        let pairs = n * (n - 1) / 2
        glp_add_cols(prob, Int32(n + pairs))
        for i in 0..<n {
            glp_set_col_kind(prob, Int32(i + 1), GLP_BV)
            glp_set_obj_coef(prob, Int32(i + 1), p.unary[i])
        }
        // Rows: 1 cardinality, 2 per pair (z ≤ y_i, z ≤ y_j), n equalities.
        glp_add_rows(prob, Int32(1 + 2 * pairs + n))
        glp_set_row_bnds(prob, 1, GLP_FX, Double(k), Double(k))
        var ia: [Int32] = [0], ja: [Int32] = [0], ar: [Double] = [0]
        ia.reserveCapacity(1 + n + 4 * pairs + n * n)
        ja.reserveCapacity(ia.capacity)
        ar.reserveCapacity(ia.capacity)
        func entry(_ row: Int, _ col: Int, _ value: Double) {
            ia.append(Int32(row)); ja.append(Int32(col)); ar.append(value)
        }
        for i in 0..<n { entry(1, i + 1, 1) }
        let equalityRow0 = 2 + 2 * pairs // row of item 0's equality
        var col = n + 1, row = 2
        for i in 0..<n {
            if Stopwatch.now() > deadline {
                glp_delete_prob(prob)
                return nil
            }
            for j in (i + 1)..<n {
                glp_set_col_bnds(prob, Int32(col), GLP_DB, 0, 1)
                glp_set_obj_coef(prob, Int32(col), p.lambda * p.pairwise[i * n + j])
                glp_set_row_bnds(prob, Int32(row), GLP_UP, 0, 0)
                entry(row, col, 1); entry(row, i + 1, -1)
                glp_set_row_bnds(prob, Int32(row + 1), GLP_UP, 0, 0)
                entry(row + 1, col, 1); entry(row + 1, j + 1, -1)
                row += 2
                entry(equalityRow0 + i, col, 1)
                entry(equalityRow0 + j, col, 1)
                col += 1
            }
        }
        for i in 0..<n {
            glp_set_row_bnds(prob, Int32(equalityRow0 + i), GLP_FX, 0, 0)
            entry(equalityRow0 + i, i + 1, -Double(k - 1))
        }
        glp_load_matrix(prob, Int32(ia.count - 1), ia, ja, ar)
    }

    /// GLPK's 1-based column vector (index 0 unused) for a selection.
    func columnValues(for selection: [Int]) -> [Double] {
        var chosen = [Bool](repeating: false, count: n)
        for i in selection { chosen[i] = true }
        var x = [Double](repeating: 0, count: 1 + n + n * (n - 1) / 2)
        for i in 0..<n where chosen[i] { x[i + 1] = 1 }
        var col = n + 1
        for i in 0..<n {
            for j in (i + 1)..<n {
                if chosen[i] && chosen[j] { x[col] = 1 }
                col += 1
            }
        }
        return x
    }

    /// The y part of the MIP solution.
    func selection() -> [Int] {
        (0..<n).filter { glp_mip_col_val(prob, Int32($0 + 1)) > 0.5 }
    }

    func free() { glp_delete_prob(prob) }
}

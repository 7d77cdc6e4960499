//! One-shot selection: a single QIP from arrays.

use std::mem::size_of;

use crate::error::{check, Error, Status};
use crate::options::SolveOptions;
use crate::results::{known, BoundKind, Outcome, QipSolution, SolveStatus};
use crate::{check_version, sys};

/// Chooses `k` of `n = unary.len()` items maximising
/// `Σ_i u_i y_i + λ Σ_{i<j} b_ij y_i y_j` (`gi_solve_qip`).
///
/// `pairwise` is `n × n` row-major and finite; its diagonal is ignored. It
/// is symmetric (`|b_ij − b_ji|` at most 1e-6 × its largest entry;
/// `(b_ij + b_ji) / 2` is used) or
/// strictly triangular (every entry below the diagonal exactly 0, or every
/// entry above it: the other triangle is mirrored, λ is not halved);
/// anything else is refused with [`Status::Argument`] naming the first pair
/// that breaks symmetry.
///
/// An exact solve that hits its time limit is not an error: the solution
/// has `status == SolveStatus::TimeLimit` and `outcome == Outcome::Unproven`,
/// with the bound and gap it reached.
///
/// ```
/// use groupinference::{solve_qip, SolveOptions, Solver};
/// let u = [0.9, 0.8, 0.7];
/// let b = [0.0, 0.1, 0.9,
///          0.1, 0.0, 0.2,
///          0.9, 0.2, 0.0];
/// let s = solve_qip(&u, &b, 2, 1.0, &SolveOptions::default().solver(Solver::Exact))?;
/// assert_eq!(s.selection, vec![0, 2]);
/// # Ok::<(), groupinference::Error>(())
/// ```
pub fn solve_qip(
    unary: &[f64],
    pairwise: &[f64],
    k: usize,
    lambda: f64,
    options: &SolveOptions,
) -> Result<QipSolution, Error> {
    check_version()?;
    let n = unary.len();
    if n.checked_mul(n) != Some(pairwise.len()) {
        return Err(Error::binding(
            Status::Argument,
            format!("gi_solve_qip: pairwise has {} values for n = {n} items; give an n x n matrix", pairwise.len()),
        ));
    }
    // The library refuses k outside 1..=n before writing the selection; the
    // buffer has room for n anyway, since a selection is a subset of the n.
    let k_raw = i32::try_from(k).unwrap_or(i32::MAX);
    let mut selection = vec![0i32; n.max(1)];
    let mut result = sys::gi_solve_result::default();
    let raw_options = options.to_raw();
    // SAFETY: unary holds n values, pairwise n², selection n (≥ k, which the
    // library checks before writing); result is a valid struct of its size.
    let warning = check(unsafe {
        sys::gi_solve_qip(
            n,
            unary.as_ptr(),
            pairwise.as_ptr(),
            lambda,
            k_raw,
            &raw_options,
            selection.as_mut_ptr(),
            &mut result,
            size_of::<sys::gi_solve_result>(),
        )
    })?;
    selection.truncate(k);
    Ok(QipSolution {
        selection: selection.into_iter().map(|i| i as usize).collect(),
        objective: result.objective,
        bound: known(result.bound),
        bound_kind: BoundKind::from_code(result.bound_kind),
        gap: known(result.gap),
        seconds: result.seconds,
        status: SolveStatus::from_code(result.status),
        nodes: result.nodes,
        outcome: Outcome::from_warning(warning),
    })
}

//! The pairwise matrices the library accepts (C API 0.3): symmetric within a
//! relative 1e-6, or strictly triangular standing for its symmetric form
//! with λ not halved; anything else is refused. In solve_qip and pushed into
//! a session. And which bound a solve reports.

mod common;

use common::{brute_force, objective, quality, relative_difference, Rng};
use groupinference::{solve_qip, BoundKind, Error, Options, Session, SolveOptions, SolveStatus, Solver, Status};

#[track_caller]
fn expect_err<T: std::fmt::Debug>(r: Result<T, Error>, status: Status, text: &str) -> Error {
    let e = r.expect_err("expected an error");
    assert_eq!(e.status(), status, "{e}");
    assert!(e.message().contains(text), "message '{}' lacks '{text}'", e.message());
    e
}

/// A symmetric n × n matrix with values in [0.05, 1), zero diagonal.
fn symmetric(rng: &mut Rng, n: usize) -> Vec<f64> {
    let mut m = vec![0.0; n * n];
    for i in 0..n {
        for j in 0..i {
            let v = 0.05 + 0.95 * rng.uniform();
            m[i * n + j] = v;
            m[j * n + i] = v;
        }
    }
    m
}

/// The entries above the diagonal (upper) or below it, the rest 0.
fn triangle(m: &[f64], n: usize, upper: bool) -> Vec<f64> {
    (0..n * n).map(|at| if (at % n > at / n) == upper { m[at] } else { 0.0 }).collect()
}

#[test]
fn solve_qip_reads_a_triangular_matrix_as_its_symmetric_form() {
    let mut rng = Rng(2024);
    for trial in 0..12 {
        let n = 6 + trial % 5;
        let k = 2 + trial % 3;
        let lambda = [1.0, 2.5, 0.4][trial % 3];
        let unary: Vec<f64> = (0..n).map(|_| rng.uniform()).collect();
        let sym = symmetric(&mut rng, n);
        let best = brute_force(&unary, &sym, lambda, k);
        for solver in [Solver::Exact, Solver::Mip, Solver::Heuristic] {
            let opts = SolveOptions::default().solver(solver).time_limit(10.0);
            let want = solve_qip(&unary, &sym, k, lambda, &opts).unwrap();
            for upper in [true, false] {
                let got = solve_qip(&unary, &triangle(&sym, n, upper), k, lambda, &opts).unwrap();
                assert_eq!(got.selection, want.selection, "trial {trial} {solver:?} upper={upper}");
                assert!(relative_difference(got.objective, want.objective) < 1e-12);
                // λ counts in full: the objective is the symmetric form's.
                let full = objective(&unary, &sym, lambda, &got.selection);
                assert!(relative_difference(got.objective, full) < 1e-12, "{} vs {full}", got.objective);
                if solver != Solver::Heuristic {
                    assert!(relative_difference(got.objective, best) < 1e-9, "{} vs optimum {best}", got.objective);
                }
            }
        }
    }
}

#[test]
fn solve_qip_refuses_an_asymmetric_matrix_and_names_the_pair() {
    let mut rng = Rng(5);
    let n = 6;
    let unary = vec![0.5; n];
    let mut m = symmetric(&mut rng, n);
    m[2 * n + 4] += 0.25; // (2, 4) differs from (4, 2)
    let e = expect_err(solve_qip(&unary, &m, 3, 1.0, &SolveOptions::default()), Status::Argument, "[2][4] = ");
    let text = e.message();
    assert!(text.contains("but [4][2] = "), "names the pair: {text}");
    assert!(text.contains("symmetric") && text.contains("triangular"), "names both accepted forms: {text}");

    // A triangular matrix with one stray entry in the other triangle is
    // neither form.
    let mut t = triangle(&symmetric(&mut rng, n), n, true);
    t[5 * n] = 0.5;
    expect_err(solve_qip(&unary, &t, 3, 1.0, &SolveOptions::default()), Status::Argument, "nor strictly triangular");

    // Float32 rounding stays inside the tolerance.
    let mut near = symmetric(&mut rng, n);
    near[n + 3] *= 1.0 + 1e-8;
    solve_qip(&unary, &near, 3, 1.0, &SolveOptions::default()).unwrap();
}

/// Runs a two-step host-driven session with one pushed unary and one pushed
/// pairwise scorer, the matrix made by `form` from the ids' symmetric one.
fn pushed_run(form: impl Fn(&[f64], usize) -> Vec<f64>) -> Result<groupinference::GroupResult, Error> {
    const M: usize = 10;
    const K: usize = 3;
    let mut s = Session::new(&Options::default().candidates(M as i32).group_size(K as i32).steps(2).lambda(0.5))?;
    let q = s.add_pushed_unary_scorer("q", 1.0)?;
    let p = s.add_pushed_pairwise_scorer("p", 1.0)?;
    while !s.progress()?.done {
        let ids = s.survivors()?;
        let n = ids.len();
        let u: Vec<f64> = ids.iter().map(|&i| quality(i)).collect();
        // Symmetric by construction: a function of the unordered pair.
        let sym: Vec<f64> = (0..n * n)
            .map(|at| {
                let (a, b) = (ids[at / n], ids[at % n]);
                if a == b {
                    0.0
                } else {
                    0.1 + f64::from((a * b + a + b) % 7) / 7.0
                }
            })
            .collect();
        s.push_unary(q, &ids, &u)?;
        s.push_pairwise(p, &ids, &form(&sym, n))?;
        s.step()?;
    }
    s.result()
}

#[test]
fn a_pushed_triangular_matrix_equals_its_symmetric_form() {
    let want = pushed_run(|m, _| m.to_vec()).unwrap();
    for upper in [true, false] {
        let got = pushed_run(|m, n| triangle(m, n, upper)).unwrap();
        assert_eq!(got, want, "upper={upper}");
    }
    // λ counts in full: the objective is Σ unary + λ Σ_{i<j} b_ij of the
    // symmetric form (0.5 is the sessions' λ).
    let k = want.ids.len();
    let pairs: f64 = (0..k).flat_map(|i| (i + 1..k).map(move |j| (i, j))).map(|(i, j)| want.pair(i, j)).sum();
    let expected = want.unary.iter().sum::<f64>() + 0.5 * pairs;
    assert!(relative_difference(want.objective, expected) < 1e-12, "{} vs {expected}", want.objective);
    assert!(pairs > 0.0);
}

#[test]
fn a_pushed_asymmetric_matrix_is_refused_with_scores() {
    let r = pushed_run(|m, _| {
        let mut m = m.to_vec();
        m[1] += 0.3; // (0, 1) only
        m
    });
    let e = expect_err(r, Status::Scores, "[id 0][id 1] = ");
    assert!(e.message().contains("symmetric") && e.message().contains("triangular"), "{}", e.message());
}

#[test]
fn solves_report_which_bound_they_give() {
    let mut rng = Rng(99);
    let n = 12;
    let unary: Vec<f64> = (0..n).map(|_| rng.uniform()).collect();
    let sym = symmetric(&mut rng, n);
    let solve = |k: usize, lambda: f64, solver: Solver| {
        solve_qip(&unary, &sym, k, lambda, &SolveOptions::default().solver(solver).time_limit(10.0)).unwrap()
    };
    // No search needed: the bound is the optimum.
    for (k, lambda) in [(n, 1.0), (1, 1.0), (4, 0.0)] {
        let s = solve(k, lambda, Solver::Exact);
        assert_eq!(s.bound_kind, BoundKind::Trivial, "k = {k}, lambda = {lambda}");
        assert_eq!(s.bound, Some(s.objective));
    }
    let exact = solve(4, 1.0, Solver::Exact);
    assert_eq!((exact.status, exact.bound_kind), (SolveStatus::Optimal, BoundKind::Relaxation));
    assert_eq!(solve(4, 1.0, Solver::Mip).bound_kind, BoundKind::Mip);
    let heuristic = solve(4, 1.0, Solver::Heuristic);
    assert_eq!(heuristic.bound_kind, BoundKind::Cheap);
    assert!(heuristic.bound.unwrap() >= heuristic.objective);
    for kind in [BoundKind::None, BoundKind::Trivial, BoundKind::Cheap, BoundKind::Relaxation, BoundKind::Mip] {
        assert_eq!(BoundKind::from_code(kind.code()), kind);
    }
}

//! solve_qip: against brute force on small random problems, on the proven
//! shared instances (Tests/Fixtures/qip-instances), and its error paths.

mod common;

use common::{brute_force, objective, relative_difference, Json, Rng};
use groupinference::{solve_qip, Error, Outcome, SolveOptions, SolveStatus, Solver, Status};

#[track_caller]
fn expect_err<T: std::fmt::Debug>(r: Result<T, Error>, status: Status, text: &str) {
    let e = r.expect_err("expected an error");
    assert_eq!(e.status(), status, "{e}");
    assert!(e.message().contains(text), "message '{}' lacks '{text}'", e.message());
}

/// A random symmetric problem: unary in [0, 1), pairwise in [-1, 1).
fn random_problem(rng: &mut Rng, n: usize) -> (Vec<f64>, Vec<f64>) {
    let unary: Vec<f64> = (0..n).map(|_| rng.uniform()).collect();
    let mut pairwise = vec![0.0; n * n];
    for i in 0..n {
        for j in 0..i {
            let v = 2.0 * rng.uniform() - 1.0;
            pairwise[i * n + j] = v;
            pairwise[j * n + i] = v;
        }
    }
    (unary, pairwise)
}

#[test]
fn matches_brute_force_on_small_random_problems() {
    let mut rng = Rng(12345);
    for trial in 0..60 {
        let n = 4 + trial % 9; // 4..=12
        let k = 1 + trial % (n - 1);
        let lambda = [1.5, -0.5, 0.0, 3.0][trial % 4];
        let (u, b) = random_problem(&mut rng, n);
        let best = brute_force(&u, &b, lambda, k);
        for solver in [Solver::Auto, Solver::Exact, Solver::Heuristic] {
            let opts = SolveOptions::default().solver(solver).time_limit(10.0);
            let s = solve_qip(&u, &b, k, lambda, &opts).unwrap();
            assert_eq!(s.selection.len(), k);
            assert!(s.selection.windows(2).all(|w| w[0] < w[1]), "ascending, distinct");
            assert!(s.selection.iter().all(|&i| i < n));
            let own = objective(&u, &b, lambda, &s.selection);
            assert!(relative_difference(s.objective, own) < 1e-12, "reported {} vs {own}", s.objective);
            assert!(s.objective <= best + 1e-9 * best.abs().max(1.0), "beats brute force?");
            assert!(s.seconds >= 0.0);
            assert_eq!(s.outcome, Outcome::Complete);
            if solver == Solver::Heuristic {
                // Proven only where it is trivial (k = 1, lambda = 0, ...).
                assert!(matches!(s.status, SolveStatus::Heuristic | SolveStatus::Optimal), "{:?}", s.status);
                assert_eq!(s.nodes, 0);
            } else {
                assert_eq!(s.status, SolveStatus::Optimal, "trial {trial} {solver:?}");
            }
            if s.status == SolveStatus::Optimal {
                assert!(
                    relative_difference(s.objective, best) <= 1e-9,
                    "trial {trial} {solver:?}: {} vs {best}",
                    s.objective
                );
            }
        }
    }
}

#[test]
fn defaults_and_error_paths() {
    const N: usize = 10;
    let mut rng = Rng(7);
    let (mut u, mut b) = random_problem(&mut rng, N);
    let d = SolveOptions::default();
    assert_eq!((d.solver, d.time_limit, d.mip_gap, d.seed), (Solver::Auto, 0.1, 0.0, 0));
    assert_eq!(d.memory_limit, 256 << 20);
    solve_qip(&u, &b, 2, 1.0, &d).unwrap();
    solve_qip(&u, &b, 2, 1.0, &d.clone().solver(Solver::Exact).memory_limit(1 << 20)).unwrap();
    expect_err(solve_qip(&u, &b, 2, 1.0, &d.clone().memory_limit(1000)), Status::Argument, "memory_limit");

    expect_err(solve_qip(&[], &[], 1, 1.0, &d), Status::Argument, "n = 0");
    expect_err(solve_qip(&u, &b[1..], 2, 1.0, &d), Status::Argument, "n x n");
    expect_err(solve_qip(&u, &b, 0, 1.0, &d), Status::Argument, "k = 0");
    expect_err(solve_qip(&u, &b, N + 1, 1.0, &d), Status::Argument, "k = 11");
    expect_err(solve_qip(&u, &b, usize::MAX, 1.0, &d), Status::Argument, "k = ");
    expect_err(solve_qip(&u, &b, 2, f64::NAN, &d), Status::Argument, "lambda");
    b[1] += 0.5;
    expect_err(solve_qip(&u, &b, 2, 1.0, &d), Status::Argument, "neither symmetric nor strictly triangular");
    b[1] = b[N];
    u[3] = f64::INFINITY;
    expect_err(solve_qip(&u, &b, 2, 1.0, &d), Status::Scores, "unary[3]");
    u[3] = 0.5;
    b[2 * N + 5] = f64::NAN;
    b[5 * N + 2] = f64::NAN;
    expect_err(solve_qip(&u, &b, 2, 1.0, &d), Status::Scores, "not finite");
    b[2 * N + 5] = 0.25;
    b[5 * N + 2] = 0.25;
    expect_err(solve_qip(&u, &b, 4, 1.0, &d.clone().mip_gap(-0.1)), Status::Argument, "mip_gap");
    expect_err(solve_qip(&u, &b, 4, 1.0, &d.clone().time_limit(0.0)), Status::Argument, "time_limit");
    // Extreme but valid GLPK settings are clamped, not passed on to abort.
    solve_qip(&u, &b, 4, 1.0, &d.clone().solver(Solver::Exact).time_limit(1e300).mip_gap(0.999)).unwrap();
}

/// The halving step of tests/c/api_test.c: exact cannot prove it in 1 ms and
/// says so through `outcome` and `status`, without an error.
#[test]
fn an_unproven_solve_is_ok_with_its_gap() {
    const BIG: usize = 40;
    let u = vec![0.3; BIG];
    let mut b = vec![0.0; BIG * BIG];
    for i in 0..BIG {
        for j in 0..BIG {
            if i != j {
                let (lo, hi) = (i.min(j) as f64, i.max(j) as f64);
                b[i * BIG + j] = 0.5 + 0.4 * ((lo * 31.0 + hi * 17.0) * (lo + hi)).sin();
            }
        }
    }
    let opts = SolveOptions::default().solver(Solver::Exact).time_limit(0.001);
    let s = solve_qip(&u, &b, BIG / 2, 1.0, &opts).unwrap();
    assert_eq!(s.outcome, Outcome::Unproven);
    assert_eq!(s.status, SolveStatus::TimeLimit);
    assert!(s.bound.unwrap() >= s.objective);
    assert!(s.gap.unwrap() > 0.0);
    let h = solve_qip(&u, &b, BIG / 2, 1.0, &opts.clone().solver(Solver::Heuristic)).unwrap();
    assert_eq!((h.status, h.nodes, h.outcome), (SolveStatus::Heuristic, 0, Outcome::Complete));
}

struct Instance {
    name: String,
    k: usize,
    lambda: f64,
    unary: Vec<f64>,
    binary: Vec<f64>,
    optimum: Option<f64>,
    proven: bool,
    best_known: f64,
    upper_bound: Option<f64>,
}

fn instances() -> Vec<Instance> {
    let dir = common::repo().join("Tests/Fixtures/qip-instances");
    let mut paths: Vec<_> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    paths.sort();
    paths
        .iter()
        .map(|p| {
            let j =
                Json::parse(&std::fs::read_to_string(p).unwrap()).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
            let m = j.get("M").num().unwrap() as usize;
            let inst = Instance {
                name: j.get("name").str().unwrap().to_owned(),
                k: j.get("K").num().unwrap() as usize,
                lambda: j.get("lambda").num().unwrap(),
                unary: j.get("unary").numbers(),
                binary: j.get("binary").numbers(),
                optimum: j.get("optimum").num(),
                proven: j.get("proven").bool().unwrap(),
                best_known: j.get("best_known").num().unwrap(),
                upper_bound: j.get("upper_bound").num(),
            };
            assert_eq!(inst.unary.len(), m, "{}", inst.name);
            assert_eq!(inst.binary.len(), m * m, "{}", inst.name);
            inst
        })
        .collect()
}

#[test]
fn the_shared_instances() {
    let all = instances();
    assert!(all.len() >= 19, "expected the shared instances, found {}", all.len());
    let mut proven = 0;
    for inst in &all {
        let auto = solve_qip(&inst.unary, &inst.binary, inst.k, inst.lambda, &SolveOptions::default().time_limit(1.0))
            .unwrap_or_else(|e| panic!("{}: {e}", inst.name));
        assert_eq!(auto.selection.len(), inst.k);
        let own = objective(&inst.unary, &inst.binary, inst.lambda, &auto.selection);
        assert!(relative_difference(auto.objective, own) < 1e-12, "{}", inst.name);
        if let Some(upper) = inst.upper_bound {
            assert!(auto.objective <= upper * (1.0 + 1e-9) + 1e-12, "{} beats its upper bound", inst.name);
        }
        if inst.proven {
            proven += 1;
            let optimum = inst.optimum.unwrap();
            assert!(
                relative_difference(auto.objective, optimum) <= 1e-9,
                "{}: {} vs certified {optimum}",
                inst.name,
                auto.objective
            );
            if let Some(bound) = auto.bound {
                assert!(bound >= optimum * (1.0 - 1e-9) - 1e-12, "{}: bound {bound} below the optimum", inst.name);
            }
        }
        let heuristic = solve_qip(
            &inst.unary,
            &inst.binary,
            inst.k,
            inst.lambda,
            &SolveOptions::default().solver(Solver::Heuristic),
        )
        .unwrap();
        assert!(
            heuristic.objective >= inst.best_known * (1.0 - 1e-4),
            "{}: heuristic {}",
            inst.name,
            heuristic.objective
        );

        // Exact proves the small-K proven instances.
        if inst.proven && inst.k <= 4 && inst.unary.len() <= 64 {
            let exact = solve_qip(
                &inst.unary,
                &inst.binary,
                inst.k,
                inst.lambda,
                &SolveOptions::default().solver(Solver::Exact).time_limit(30.0),
            )
            .unwrap();
            assert_eq!(exact.status, SolveStatus::Optimal, "{}", inst.name);
            assert!(relative_difference(exact.objective, inst.optimum.unwrap()) <= 1e-9, "{}", inst.name);
        }
    }
    assert!(proven >= 13, "only {proven} proven instances");
}

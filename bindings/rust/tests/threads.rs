//! Sessions on several threads at once give the serial results; a session
//! moves between threads; `Session` is `Send` and not `Sync`.

mod common;

use std::sync::{Arc, Mutex};
use std::thread;

use common::{look, pair, quality, Rng, DIM};
use groupinference::{solve_qip, Options, Record, Session, SolveOptions, Solver};

const K: usize = 4;
const T: usize = 6;

/// A trace record without its timings: step, ids, kept, scores, unary, diversity, objective.
type RecordSummary = (i32, Vec<i32>, Vec<i32>, Vec<Vec<f64>>, Vec<f64>, Vec<f64>, f64);

/// Everything a run reports except timings.
#[derive(Debug, PartialEq)]
struct Summary {
    ids: Vec<i32>,
    unary: Vec<f64>,
    pairwise: Vec<f64>,
    objective: f64,
    evaluations: i64,
    records: Vec<RecordSummary>,
}

fn summarise(s: &Session<'_>) -> Summary {
    let r = s.result().unwrap();
    let records = s
        .records()
        .unwrap()
        .into_iter()
        .map(|r: Record| (r.step, r.ids, r.kept, r.scores, r.unary, r.diversity, r.objective))
        .collect();
    Summary {
        ids: r.ids,
        unary: r.unary,
        pairwise: r.pairwise,
        objective: r.objective,
        evaluations: r.evaluations,
        records,
    }
}

/// A deterministic session whose scores depend on `seed` and the step. Even
/// seeds use the heuristic on 48 candidates, odd ones the exact solver on 16,
/// which proves every prune in milliseconds: no result depends on a time
/// limit, so a loaded machine gives the same answers.
fn make(seed: u64) -> Session<'static> {
    let (m, solver) = if seed % 2 == 0 { (48, Solver::Heuristic) } else { (16, Solver::Exact) };
    const MAX_M: usize = 48;
    let opts = Options::default()
        .candidates(m)
        .group_size(K as i32)
        .steps(T as i32)
        .lambda(0.7)
        .seed(seed)
        .solver(solver)
        .time_limit(60.0);
    let mut s = Session::new(&opts).unwrap();
    let noise: Vec<f64> = {
        let mut rng = Rng(seed);
        (0..MAX_M * T).map(|_| rng.uniform()).collect()
    };
    s.add_unary_scorer("quality", 1.0, move |step, ids, out| {
        for (o, &id) in out.iter_mut().zip(ids) {
            *o = quality(id % 12) + 0.3 * noise[step.max(0) as usize * MAX_M + id as usize];
        }
        Ok(())
    })
    .unwrap();
    s.add_embedding_scorer("look", 1.0, DIM, move |step, ids, out| {
        for (row, &id) in out.chunks_exact_mut(DIM).zip(ids) {
            row.copy_from_slice(&look(id + step));
        }
        Ok(())
    })
    .unwrap();
    s.add_pairwise_scorer("pairs", 0.25, |_, ids, out| {
        let n = ids.len();
        for a in 0..n {
            for b in 0..n {
                out[a * n + b] = pair(ids[a] % 12, ids[b] % 12);
            }
        }
        Ok(())
    })
    .unwrap();
    s.set_denoiser(|_, _| Ok(())).unwrap();
    s
}

fn run(seed: u64) -> Summary {
    let mut s = make(seed);
    s.run().unwrap();
    summarise(&s)
}

#[test]
fn concurrent_sessions_match_serial_runs() {
    const SESSIONS: u64 = 6;
    let serial: Vec<Summary> = (0..SESSIONS).map(run).collect();
    // Results differ between seeds, so a mix-up between threads would show.
    assert_ne!(serial[0], serial[1]);
    for _round in 0..3 {
        let handles: Vec<_> = (0..SESSIONS).map(|seed| thread::spawn(move || run(seed))).collect();
        let parallel: Vec<Summary> = handles.into_iter().map(|h| h.join().unwrap()).collect();
        assert_eq!(parallel, serial);
    }
}

#[test]
fn errors_stay_on_their_thread() {
    // Failing and succeeding sessions interleaved on several threads: each
    // thread sees its own last-error text.
    let handles: Vec<_> = (0..4)
        .map(|t| {
            thread::spawn(move || {
                for i in 0..20 {
                    let k = if (t + i) % 2 == 0 { 5 } else { 6 };
                    let r = Session::new(&Options::default().candidates(5).group_size(k));
                    if k == 6 {
                        let e = r.unwrap_err();
                        assert!(e.message().contains("K = 6"), "{}", e.message());
                    } else {
                        r.unwrap();
                    }
                }
            })
        })
        .collect();
    for h in handles {
        h.join().unwrap();
    }
}

#[test]
fn a_session_moves_between_threads() {
    let expected = run(3);
    let mut s = make(3);
    s.step().unwrap();
    let s = thread::spawn(move || {
        let mut s = s;
        s.step().unwrap();
        s
    })
    .join()
    .unwrap();
    let shared = Arc::new(Mutex::new(Some(s)));
    let other = shared.clone();
    thread::spawn(move || {
        other.lock().unwrap().as_mut().unwrap().run().unwrap();
    })
    .join()
    .unwrap();
    let s = shared.lock().unwrap().take().unwrap();
    assert_eq!(summarise(&s), expected);
}

#[test]
fn one_shot_solves_in_parallel_match_serial() {
    let problems: Vec<(Vec<f64>, Vec<f64>)> = (0..8)
        .map(|seed| {
            let mut rng = Rng(seed);
            let n = 24;
            let u: Vec<f64> = (0..n).map(|_| rng.uniform()).collect();
            let mut b = vec![0.0; n * n];
            for i in 0..n {
                for j in 0..i {
                    let v = rng.uniform();
                    b[i * n + j] = v;
                    b[j * n + i] = v;
                }
            }
            (u, b)
        })
        .collect();
    let opts = SolveOptions::default().solver(Solver::Exact).time_limit(30.0);
    let serial: Vec<Vec<usize>> =
        problems.iter().map(|(u, b)| solve_qip(u, b, 5, 0.5, &opts).unwrap().selection).collect();
    let problems = Arc::new(problems);
    let handles: Vec<_> = (0..problems.len())
        .map(|i| {
            let (p, o) = (problems.clone(), opts.clone());
            thread::spawn(move || solve_qip(&p[i].0, &p[i].1, 5, 0.5, &o).unwrap().selection)
        })
        .collect();
    let parallel: Vec<Vec<usize>> = handles.into_iter().map(|h| h.join().unwrap()).collect();
    assert_eq!(parallel, serial);
}

/// Compiles only if `Session` is not `Sync` (the two impls would be
/// ambiguous otherwise), and only if it is `Send`.
#[test]
fn session_is_send_not_sync() {
    trait AmbiguousIfSync<A> {
        fn check() {}
    }
    impl<T: ?Sized> AmbiguousIfSync<()> for T {}
    #[allow(dead_code)]
    struct Invalid;
    impl<T: ?Sized + Sync> AmbiguousIfSync<Invalid> for T {}
    <Session<'static> as AmbiguousIfSync<_>>::check();

    fn assert_send<T: Send>() {}
    assert_send::<Session<'static>>();
}

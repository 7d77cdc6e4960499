//! Sessions against the real library: options, every method, the schedule,
//! pushed values, results and trace, and the out-of-order error paths.

mod common;

use std::sync::{Arc, Mutex};

use common::{full_session, look, options, pair, quality, DIM, K, M, T};
use groupinference::{sys, Error, Normalize, Options, Outcome, Schedule, Session, SolveStatus, Solver, Status};

/// The call failed with `status` and a message containing `text`.
#[track_caller]
fn expect_err<T: std::fmt::Debug>(r: Result<T, Error>, status: Status, text: &str) -> Error {
    match r {
        Ok(v) => panic!("expected {status:?} with '{text}', got Ok({v:?})"),
        Err(e) => {
            assert_eq!(e.status(), status, "{e}");
            assert!(e.message().contains(text), "message '{}' lacks '{text}'", e.message());
            assert!(e.to_string().contains(text));
            e
        }
    }
}

fn counter() -> Arc<Mutex<Vec<usize>>> {
    Arc::new(Mutex::new(vec![0; M]))
}

#[test]
fn version_matches_the_header() {
    assert_eq!(groupinference::version(), sys::GI_VERSION_STRING);
    assert_eq!(groupinference::version_number(), sys::GI_VERSION_NUMBER);
}

#[test]
fn status_codes_and_texts() {
    for code in -9..=-1 {
        let s = Status::from_code(code);
        assert_eq!(s.code(), code);
        assert!(!matches!(s, Status::Unknown(_)));
        assert_ne!(s.to_string(), "unknown status");
    }
    assert_eq!(Status::from_code(-99), Status::Unknown(-99));
    assert_eq!(Status::Unknown(-99).to_string(), "unknown status");
    assert_eq!(Status::Argument.to_string(), "invalid argument");
    for code in 0..=4 {
        assert_eq!(SolveStatus::from_code(code).code(), code);
    }
}

#[test]
fn options_default_to_the_library_defaults() {
    let o = Options::default();
    assert_eq!((o.candidates, o.group_size, o.steps), (64, 4, 20));
    assert_eq!(o.lambda, 1.0);
    assert_eq!(o.schedule, Schedule::Ratio { ratio: 0.5, first_step: 0 });
    assert_eq!(o.solver, Solver::Auto);
    assert_eq!((o.time_limit, o.mip_gap), (0.1, 0.0));
    assert_eq!(o.normalize, Normalize::None);
    assert!(!o.trace_every_step);
    assert_eq!(o.seed, 0);
    assert_eq!(o.memory_limit, 256 << 20);

    let o = o
        .candidates(32)
        .group_size(5)
        .steps(7)
        .lambda(0.25)
        .schedule(Schedule::Ratio { ratio: 0.9, first_step: 2 })
        .solver(Solver::Heuristic)
        .time_limit(3.0)
        .mip_gap(0.01)
        .normalize(Normalize::ZScore)
        .trace_every_step(true)
        .seed(99)
        .memory_limit(1 << 20);
    assert_eq!((o.candidates, o.group_size, o.steps, o.lambda), (32, 5, 7, 0.25));
    assert_eq!(o.schedule, Schedule::Ratio { ratio: 0.9, first_step: 2 });
    assert_eq!((o.solver, o.time_limit, o.mip_gap), (Solver::Heuristic, 3.0, 0.01));
    assert_eq!((o.normalize, o.trace_every_step, o.seed), (Normalize::ZScore, true, 99));
    assert_eq!(o.memory_limit, 1 << 20);
    Session::new(&o).expect("valid options");
    Session::new(&Options::default()).expect("defaults");
}

#[test]
fn bad_options_are_refused_with_the_library_message() {
    let base = options(5, 2, T);
    expect_err(Session::new(&base.clone().group_size(6)), Status::Argument, "K = 6");
    expect_err(Session::new(&base.clone().group_size(0)), Status::Argument, "K = 0");
    expect_err(Session::new(&base.clone().candidates(sys::GI_MAX_CANDIDATES + 1)), Status::Limit, "num_candidates");
    expect_err(Session::new(&base.clone().steps(sys::GI_MAX_STEPS + 1)), Status::Limit, "num_steps");
    expect_err(Session::new(&base.clone().lambda(f64::NAN)), Status::Argument, "lambda");
    expect_err(
        Session::new(&base.clone().schedule(Schedule::Ratio { ratio: 1.0, first_step: 0 })),
        Status::Argument,
        "prune_ratio",
    );
    expect_err(
        Session::new(&base.clone().schedule(Schedule::Ratio { ratio: 0.5, first_step: T as i32 })),
        Status::Argument,
        "first_prune_step",
    );
    expect_err(Session::new(&base.clone().time_limit(-1.0)), Status::Argument, "time_limit");
    expect_err(Session::new(&base.clone().time_limit(f64::INFINITY)), Status::Argument, "time_limit");
    expect_err(Session::new(&base.clone().mip_gap(1.0)), Status::Argument, "mip_gap");
    expect_err(Session::new(&base.clone().memory_limit((1 << 20) - 1)), Status::Argument, "memory_limit");
    // Survivor counts: the binding checks the length (the library would read
    // `steps` entries), the library the values.
    let counts = |c: Vec<i32>| options(M, K, T).schedule(Schedule::Counts(c));
    expect_err(Session::new(&counts(vec![8, 4, 3])), Status::Argument, "Schedule::Counts has 3 entries");
    expect_err(Session::new(&counts(vec![8, 4, 3, 3, 3])), Status::Argument, "one per step");
    expect_err(Session::new(&counts(vec![8, 9, 4, 3])), Status::Argument, "survivor_counts[1] = 9");
    Session::new(&counts(vec![8, 8, 4, 3])).expect("valid counts");
}

#[test]
fn a_full_run_gives_results_and_trace() {
    let denoised = counter();
    let opts = options(M, K, T);
    let mut s = full_session(&opts, denoised.clone());
    assert_eq!(s.num_scorers(), 3);
    let p = s.progress().unwrap();
    assert_eq!((p.steps_done, p.num_steps, p.alive, p.done), (0, T as i32, M as i32, false));
    assert_eq!(p.objective, None);
    assert_eq!(p.naive_evaluations, (M * T) as i64);
    expect_err(s.result(), Status::State, "no results yet");

    assert_eq!(s.run().unwrap(), Outcome::Complete);
    let p = s.progress().unwrap();
    assert!(p.done);
    assert_eq!(p.alive, K as i32);

    let r = s.result().unwrap();
    assert_eq!(r.ids.len(), K);
    assert!(r.ids.windows(2).all(|w| w[0] < w[1]));
    let d = denoised.lock().unwrap().clone();
    for &id in &r.ids {
        assert_eq!(d[id as usize], T, "chosen candidate {id} denoised to the end");
    }
    assert_eq!(r.evaluations, d.iter().sum::<usize>() as i64);
    assert_eq!(r.evaluations, p.evaluations);
    assert_eq!(r.naive_evaluations, (M * T) as i64);
    assert!(r.evaluations < r.naive_evaluations);
    for (u, &id) in r.unary.iter().zip(&r.ids) {
        assert_eq!(*u, quality(id));
    }
    assert_eq!(r.pairwise.len(), K * K);
    let mut pairs = 0.0;
    for i in 0..K {
        assert_eq!(r.pair(i, i), 0.0);
        for j in 0..K {
            assert_eq!(r.pair(i, j), r.pair(j, i));
            if i < j {
                pairs += r.pair(i, j);
            }
        }
    }
    let expected = r.unary.iter().sum::<f64>() + opts.lambda * pairs;
    assert!((r.objective - expected).abs() < 1e-9, "{} vs {expected}", r.objective);
    assert_eq!(Some(r.objective), p.objective);
    assert_eq!(s.survivors().unwrap(), r.ids);

    let records = s.records().unwrap();
    assert_eq!(records.len(), p.num_records as usize);
    assert_eq!(records.len(), s.trace_len().unwrap());
    assert!(records.len() >= 2);
    for rec in &records {
        assert_eq!(rec.scores.len(), 3);
        assert_eq!(rec.unary.len(), rec.ids.len());
        assert_eq!(rec.diversity.len(), rec.ids.len());
        assert!(rec.kept.iter().all(|k| rec.ids.contains(k)));
        for (score, &id) in rec.scores[0].iter().zip(&rec.ids) {
            assert_eq!(*score, quality(id));
        }
        for per in &rec.scores {
            assert_eq!(per.len(), rec.ids.len());
        }
        assert!(rec.seconds_scoring >= 0.0 && rec.seconds_solving >= 0.0);
        if rec.kept.len() < rec.ids.len() {
            assert_ne!(rec.status, SolveStatus::None);
        }
        assert!(!rec.on_demand);
    }
    let last = records.last().unwrap();
    assert!(last.is_final);
    assert_eq!(last.step, T as i32 - 1);
    assert_eq!(last.kept, r.ids);
    assert_eq!(last.evaluations, r.evaluations);
    assert!(records[..records.len() - 1].iter().all(|r| !r.is_final));
    expect_err(s.record(records.len()), Status::Argument, "out of range");

    // Done: driving again is out of order.
    expect_err(s.run(), Status::State, "done");
    expect_err(s.step(), Status::State, "done");
    expect_err(s.prune(K as i32), Status::State, "done");
}

#[test]
fn prune_on_demand_and_step_by_step() {
    let denoised = counter();
    let mut s = full_session(&options(M, K, T), denoised.clone());
    expect_err(s.prune(M as i32 + 1), Status::Argument, "keep = 13");
    expect_err(s.prune(K as i32 - 1), Status::Argument, "keep = 2");
    assert_eq!(s.prune(M as i32).unwrap(), Outcome::Complete); // keeps everyone: nothing happens
    assert_eq!(s.trace_len().unwrap(), 0);
    s.prune(M as i32 - 2).unwrap(); // before the first step: scores of the noises
    let p = s.progress().unwrap();
    assert_eq!((p.alive, p.num_records, p.steps_done), (M as i32 - 2, 1, 0));
    let rec = s.record(0).unwrap();
    assert_eq!((rec.step, rec.on_demand, rec.kept.len()), (-1, true, M - 2));
    assert_eq!(s.survivors().unwrap(), rec.kept);
    expect_err(s.prune(M as i32 - 1), Status::Argument, "keep = 11"); // more than alive

    // Ratio 0.5 from step 0: 10 -> 5 -> 3 (K) -> 3 -> 3.
    let mut alive = M - 2;
    for t in 0..T {
        let before = s.survivors().unwrap();
        let p = s.progress().unwrap();
        assert_eq!(p.steps_done, t as i32);
        s.step().unwrap();
        let after = s.survivors().unwrap();
        assert_eq!(after.len() as i32, p.keep_after_next, "step {t}");
        assert!(after.iter().all(|id| before.contains(id)));
        let d = denoised.lock().unwrap();
        assert!(before.iter().all(|&id| d[id as usize] == t + 1), "every survivor denoised at step {t}");
        alive = after.len();
    }
    assert_eq!(alive, K);
    assert!(s.progress().unwrap().done);
    s.result().unwrap();
}

#[test]
fn counts_schedule_is_followed() {
    let counts = vec![8, 8, 4, K as i32];
    let mut s = full_session(&options(M, K, T).schedule(Schedule::Counts(counts.clone())), counter());
    for c in &counts {
        s.step().unwrap();
        assert_eq!(s.survivors().unwrap().len() as i32, *c);
    }
    assert!(s.progress().unwrap().done);
}

#[test]
fn trace_every_step_records_each_step() {
    let opts = options(M, K, T).schedule(Schedule::Counts(vec![M as i32, 8, 8, K as i32])).trace_every_step(true);
    let mut s = full_session(&opts, counter());
    s.run().unwrap();
    let records = s.records().unwrap();
    assert_eq!(records.iter().map(|r| r.step).collect::<Vec<_>>(), vec![0, 1, 2, 3]);
    assert_eq!(records[0].status, SolveStatus::None);
    assert_eq!(records[0].kept.len(), M);
}

#[test]
fn every_solver_and_normalisation_runs() {
    for solver in [Solver::Auto, Solver::Exact, Solver::Heuristic] {
        for normalize in [Normalize::None, Normalize::ZScore] {
            let mut s = full_session(&options(M, K, T).solver(solver).normalize(normalize).seed(7), counter());
            s.run().unwrap();
            let r = s.result().unwrap();
            assert_eq!(r.ids.len(), K, "{solver:?} {normalize:?}");
            let statuses: Vec<_> = s.records().unwrap().iter().map(|r| r.status).collect();
            match solver {
                Solver::Heuristic => assert!(statuses.contains(&SolveStatus::Heuristic)),
                Solver::Exact => assert!(statuses.contains(&SolveStatus::Optimal)),
                _ => {}
            }
        }
    }
}

#[test]
fn out_of_order_calls_fail_with_state() {
    let mut s = Session::new(&options(M, K, T)).unwrap();
    expect_err(s.step(), Status::State, "no scorers");
    expect_err(s.prune(K as i32), Status::State, "no scorers");
    s.add_unary_scorer("quality", 1.0, |_, ids, out| {
        for (o, &id) in out.iter_mut().zip(ids) {
            *o = quality(id);
        }
        Ok(())
    })
    .unwrap();
    expect_err(s.run(), Status::State, "needs a denoiser");
    expect_err(s.result(), Status::State, "no results yet");
    s.set_denoiser(|_, _| Ok(())).unwrap();
    s.clear_denoiser().unwrap();
    expect_err(s.run(), Status::State, "needs a denoiser");
    s.set_denoiser(|_, _| Ok(())).unwrap();
    s.step().unwrap();
    expect_err(s.add_unary_scorer("late", 1.0, |_, _, _| Ok(())), Status::State, "too late");
    expect_err(s.add_pushed_pairwise_scorer("late2", 1.0), Status::State, "too late");
    assert_eq!(s.num_scorers(), 1);
    s.run().unwrap();
    s.result().unwrap();
}

#[test]
fn bad_scorer_registrations() {
    let mut s = Session::new(&options(M, K, T)).unwrap();
    expect_err(s.add_unary_scorer("", 1.0, |_, _, _| Ok(())), Status::Argument, "name");
    expect_err(s.add_unary_scorer("a\0b", 1.0, |_, _, _| Ok(())), Status::Argument, "NUL byte at 1");
    expect_err(s.add_unary_scorer("w", f64::NAN, |_, _, _| Ok(())), Status::Argument, "weight");
    expect_err(s.add_embedding_scorer("e", 1.0, 0, |_, _, _| Ok(())), Status::Argument, "dim = 0");
    expect_err(
        s.add_embedding_scorer("e", 1.0, sys::GI_MAX_EMBEDDING_DIM as usize + 1, |_, _, _| Ok(())),
        Status::Limit,
        "dim",
    );
    let q = s.add_unary_scorer("q", 1.0, |_, _, _| Ok(())).unwrap();
    assert_eq!(q.index(), 0);
    expect_err(s.add_pushed_unary_scorer("q", 1.0), Status::Argument, "already exists");
    let e = s.add_pushed_embedding_scorer("e", 1.0, DIM).unwrap();
    assert_eq!((e.index(), e.raw()), (1, 1));
    assert_eq!(s.num_scorers(), 2);
}

#[test]
fn too_many_scorers_hit_the_limit() {
    let mut s = Session::new(&options(M, K, T)).unwrap();
    for i in 0..sys::GI_MAX_SCORERS {
        s.add_pushed_unary_scorer(&format!("s{i}"), 1.0).unwrap();
    }
    expect_err(s.add_pushed_unary_scorer("one-too-many", 1.0), Status::Limit, "");
}

/// The host-driven loop of tests/c/api_test.c: pushed values, no denoiser.
#[test]
fn pushed_values_drive_the_loop() {
    let mut s = Session::new(&options(M, K, 2)).unwrap();
    let q = s.add_pushed_unary_scorer("q", 1.0).unwrap();
    let e = s.add_pushed_embedding_scorer("e", 1.0, DIM).unwrap();
    let pw = s.add_pushed_pairwise_scorer("p", 1.0).unwrap();
    let cb = s
        .add_unary_scorer("cb", 1.0, |_, ids, out| {
            for (o, &id) in out.iter_mut().zip(ids) {
                *o = quality(id);
            }
            Ok(())
        })
        .unwrap();

    let ids = s.survivors().unwrap();
    assert_eq!(ids, (0..M as i32).collect::<Vec<_>>());
    let u: Vec<f64> = ids.iter().map(|&i| quality(i)).collect();
    let emb: Vec<f32> = ids.iter().flat_map(|&i| look(i)).collect();
    let mat: Vec<f64> = ids.iter().flat_map(|&a| ids.iter().map(move |&b| pair(a, b))).collect();
    let p = s.progress().unwrap();
    assert!(p.scores_needed);
    assert_eq!(p.keep_after_next, M as i32 / 2);

    expect_err(s.step(), Status::Scores, "scorer 'q' has no pushed value");
    // Checked by the binding (the C call would read out of bounds):
    expect_err(s.push_unary(q, &ids, &u[..3]), Status::Argument, "3 scores for 12 ids");
    expect_err(s.push_embeddings(e, &ids, DIM, &emb[1..]), Status::Argument, "ids.len() * dim");
    expect_err(s.push_pairwise(pw, &ids, &mat[..M]), Status::Argument, "n x n");
    // Checked by the library:
    expect_err(s.push_unary(q, &[], &[]), Status::Argument, "n = 0");
    expect_err(s.push_unary(e, &ids, &u), Status::Argument, "not unary");
    expect_err(s.push_unary(cb, &ids, &u), Status::Argument, "has a callback");
    expect_err(s.push_unary(q, &[0, 0], &u[..2]), Status::Argument, "twice");
    expect_err(s.push_unary(q, &[0], &[f64::NAN]), Status::Scores, "not finite");
    expect_err(s.push_unary(q, &[M as i32], &[0.5]), Status::Argument, "");
    expect_err(s.push_embeddings(e, &ids, DIM + 1, &vec![1.0; M * (DIM + 1)]), Status::Argument, "dim");
    expect_err(s.push_embeddings(e, &[0], DIM, &[0.0; DIM]), Status::Scores, "zero norm");
    let other = {
        let mut o = Session::new(&options(M, K, 2)).unwrap();
        for i in 0..10 {
            o.add_pushed_unary_scorer(&format!("x{i}"), 1.0).unwrap();
        }
        o.add_pushed_unary_scorer("x10", 1.0).unwrap()
    };
    expect_err(s.push_unary(other, &ids, &u), Status::Argument, "scorer id 10");

    let half = M / 2;
    s.push_unary(q, &ids[..half], &u[..half]).unwrap(); // in two batches
    s.push_unary(q, &ids[half..], &u[half..]).unwrap();
    s.push_embeddings(e, &ids, DIM, &emb).unwrap();
    s.push_pairwise(pw, &ids, &mat).unwrap();
    assert_eq!(s.step().unwrap(), Outcome::Complete);
    assert_eq!(s.progress().unwrap().evaluations, M as i64);

    let alive = s.survivors().unwrap();
    assert_eq!(alive.len(), M / 2);
    let pruned = (0..M as i32).find(|i| !alive.contains(i)).unwrap();
    expect_err(s.push_unary(q, &[pruned], &[0.5]), Status::Argument, "was pruned");
    // Last step: the pushes of step 0 are stale.
    expect_err(s.step(), Status::Scores, "no pushed");
    let u: Vec<f64> = alive.iter().map(|&i| quality(i)).collect();
    let emb: Vec<f32> = alive.iter().flat_map(|&i| look(i)).collect();
    let mat: Vec<f64> =
        alive.iter().flat_map(|&a| alive.iter().map(move |&b| if a == b { 0.0 } else { 1.0 })).collect();
    s.push_unary(q, &alive, &u).unwrap();
    s.push_embeddings(e, &alive, DIM, &emb).unwrap();
    s.push_pairwise(pw, &alive, &mat).unwrap();
    s.step().unwrap();
    let p = s.progress().unwrap();
    assert!(p.done);
    assert_eq!((p.alive, p.evaluations, p.naive_evaluations), (K as i32, (M + M / 2) as i64, 2 * M as i64));
    expect_err(s.push_unary(q, &alive[..1], &u[..1]), Status::State, "done");
    assert_eq!(s.result().unwrap().ids.len(), K);
}

/// A halving step the exact solver cannot prove within 1 ms: GI_WARNING
/// becomes Ok(Outcome::Unproven), and the record says TimeLimit.
#[test]
fn an_unproven_exact_solve_is_ok_but_flagged() {
    const BIG: usize = 40;
    let opts = Options::default()
        .candidates(BIG as i32)
        .group_size(BIG as i32 / 2)
        .steps(1)
        .lambda(1.0)
        .solver(Solver::Exact)
        .time_limit(0.001);
    let mut s = Session::new(&opts).unwrap();
    s.add_unary_scorer("flat", 1.0, |_, _, out| {
        out.fill(0.3);
        Ok(())
    })
    .unwrap();
    s.add_pairwise_scorer("wavy", 1.0, |_, ids, out| {
        let n = ids.len();
        for a in 0..n {
            for b in 0..n {
                let (i, j) = (ids[a].min(ids[b]) as f64, ids[a].max(ids[b]) as f64);
                out[a * n + b] = if a == b { 0.0 } else { 0.5 + 0.4 * ((i * 31.0 + j * 17.0) * (i + j)).sin() };
            }
        }
        Ok(())
    })
    .unwrap();
    s.set_denoiser(|_, _| Ok(())).unwrap();
    let outcome = s.run().unwrap();
    assert_eq!(outcome, Outcome::Unproven);
    assert!(outcome.is_unproven());
    let rec = s.records().unwrap().pop().unwrap();
    assert_eq!(rec.status, SolveStatus::TimeLimit);
    assert!(rec.bound.unwrap() >= rec.objective);
    assert!(rec.gap.unwrap() > 0.0);
    assert_eq!(s.result().unwrap().ids.len(), BIG / 2);
}

#[test]
fn sessions_are_send_and_debug() {
    fn assert_send<T: Send>() {}
    assert_send::<Session<'static>>();
    let s = Session::new(&Options::default()).unwrap();
    assert!(format!("{s:?}").starts_with("Session"));
    assert!(!s.as_ptr().is_null());
}

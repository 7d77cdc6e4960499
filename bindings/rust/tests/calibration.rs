//! The 0.2 additions against the real library: the adaptive schedule,
//! per-record best groups and diagnostics, calibration from full runs, and
//! schedule files.

mod common;

use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use common::Rng;
use groupinference::{
    calibrate, load_schedule, save_schedule, Error, Goal, Options, Schedule, ScheduleFile, ScorerId, Series, Session,
    Status,
};

const M: usize = 16;
const K: usize = 3;
const T: usize = 6;
const DIM: usize = 4;

/// The call failed with `status` and a message containing every one of `texts`.
#[track_caller]
fn expect_err<V: std::fmt::Debug>(r: Result<V, Error>, status: Status, texts: &[&str]) -> Error {
    match r {
        Ok(v) => panic!("expected {status:?} with {texts:?}, got Ok({v:?})"),
        Err(e) => {
            assert_eq!(e.status(), status, "{e}");
            for text in texts {
                assert!(e.message().contains(text), "message '{}' lacks '{text}'", e.message());
            }
            e
        }
    }
}

/// A file in this test binary's scratch directory.
fn scratch(name: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("calibration");
    std::fs::create_dir_all(&dir).unwrap();
    dir.join(name)
}

/// A toy generator for one prompt (`seed`): each candidate has a final
/// quality and look; its preview at step t is that plus noise that shrinks
/// to nothing at the last step, so early scores rank candidates roughly and
/// late ones exactly.
#[derive(Clone)]
struct Toy {
    quality: Vec<f64>,
    look: Vec<[f32; DIM]>,
    seed: u64,
}

impl Toy {
    fn new(seed: u64) -> Toy {
        let mut rng = Rng(seed);
        let quality = (0..M).map(|_| rng.uniform()).collect();
        let look = (0..M)
            .map(|_| {
                let mut v = [0.0f32; DIM];
                v[0] = 1.0; // never all zeros
                for x in &mut v[1..] {
                    *x = rng.uniform() as f32;
                }
                v
            })
            .collect();
        Toy { quality, look, seed }
    }

    /// Deterministic noise in [-1, 1) for (candidate, step, channel).
    fn noise(&self, id: i32, step: i32, channel: u64) -> f64 {
        let mut rng = Rng(self.seed ^ (id as u64) << 20 ^ (step as u64 + 1) << 40 ^ channel << 8);
        2.0 * rng.uniform() - 1.0
    }

    /// How much noise is left in the preview of `step` (0 at the last).
    fn left(step: i32) -> f64 {
        1.0 - f64::from(step + 1) / T as f64
    }

    fn quality_at(&self, id: i32, step: i32) -> f64 {
        self.quality[id as usize] + 0.6 * Self::left(step) * self.noise(id, step, 0)
    }

    fn look_at(&self, id: i32, step: i32) -> [f32; DIM] {
        let mut v = self.look[id as usize];
        for (d, x) in v.iter_mut().enumerate().skip(1) {
            *x += (0.5 * Self::left(step) * self.noise(id, step, 1 + d as u64)) as f32;
        }
        v
    }
}

fn options() -> Options {
    Options::default().candidates(M as i32).group_size(K as i32).steps(T as i32).lambda(0.5)
}

/// Options of a full run: everyone denoised to the end, every step scored.
fn full_options() -> Options {
    options().trace_every_step(true).schedule(Schedule::Ratio { ratio: 0.5, first_step: T as i32 - 1 })
}

/// A session of the toy host for prompt `seed`, its quality scorer's id, and
/// the model evaluations its denoiser counts.
fn toy_session(opts: &Options, seed: u64) -> (Session<'static>, ScorerId, Arc<Mutex<i64>>) {
    let toy = Toy::new(seed);
    let calls = Arc::new(Mutex::new(0i64));
    let mut s = Session::new(opts).expect("create");
    let t = toy.clone();
    let q = s
        .add_unary_scorer("quality", 1.0, move |step, ids, out| {
            for (o, &id) in out.iter_mut().zip(ids) {
                *o = t.quality_at(id, step);
            }
            Ok(())
        })
        .unwrap();
    s.add_embedding_scorer("look", 1.0, DIM, move |step, ids, out| {
        for (row, &id) in out.chunks_exact_mut(DIM).zip(ids) {
            row.copy_from_slice(&toy.look_at(id, step));
        }
        Ok(())
    })
    .unwrap();
    let counter = calls.clone();
    s.set_denoiser(move |_step, ids| {
        *counter.lock().unwrap() += ids.len() as i64;
        Ok(())
    })
    .unwrap();
    (s, q, calls)
}

/// A finished full run of prompt `seed`.
fn full_run(seed: u64) -> Session<'static> {
    let (mut s, _, _) = toy_session(&full_options(), seed);
    s.run().expect("full run");
    s
}

#[test]
fn options_carry_restarts_and_the_new_schedules() {
    let o = Options::default();
    assert_eq!(o.restarts, 0);
    let o = o.restarts(5).schedule(Schedule::Adaptive { budget: 0.5 });
    assert_eq!((o.restarts, &o.schedule), (5, &Schedule::Adaptive { budget: 0.5 }));
    Session::new(&o).expect("restarts and adaptive");
    expect_err(Session::new(&options().restarts(2_000_000)), Status::Argument, &["restarts = 2000000"]);
    expect_err(Session::new(&options().restarts(u32::MAX)), Status::Argument, &["does not fit"]);
    let (mut s, _, _) = toy_session(&options().restarts(20).seed(3), 1);
    s.run().unwrap();
    assert_eq!(s.result().unwrap().ids.len(), K);
}

#[test]
fn the_adaptive_schedule_stays_within_its_budget() {
    for budget in [0.45, 0.7, 1.0] {
        let allowed = (budget * (M * T) as f64).floor() as i64;
        let (mut s, _, calls) = toy_session(&options().schedule(Schedule::Adaptive { budget }), 7);
        let mut alive = vec![M];
        while !s.progress().unwrap().done {
            s.step().unwrap();
            alive.push(s.survivors().unwrap().len());
        }
        let p = s.progress().unwrap();
        assert!(p.evaluations <= allowed, "budget {budget}: {} evaluations > {allowed}", p.evaluations);
        assert_eq!(p.evaluations, *calls.lock().unwrap());
        assert_eq!(*alive.last().unwrap(), K, "budget {budget}: ends with K");
        assert!(alive.windows(2).all(|w| w[1] <= w[0]), "budget {budget}: {alive:?}");
        assert_eq!(s.result().unwrap().ids.len(), K);
        // Every step is scored, and each record knows its best group.
        let records = s.records().unwrap();
        assert_eq!(records.len(), T);
        for r in &records {
            assert_eq!(r.group.len(), K, "step {}", r.step);
            assert!(r.group.iter().all(|id| r.ids.contains(id)));
        }
    }
    // M + K(T-1) = 31 evaluations is the least any schedule spends.
    expect_err(
        Session::new(&options().schedule(Schedule::Adaptive { budget: 0.1 })),
        Status::Argument,
        &["budget = 0.1", "raise budget"],
    );
    expect_err(Session::new(&options().schedule(Schedule::Adaptive { budget: 1.5 })), Status::Argument, &["budget"]);
    expect_err(
        Session::new(&options().schedule(Schedule::Adaptive { budget: f64::NAN })),
        Status::Argument,
        &["budget"],
    );
}

#[test]
fn records_carry_their_best_group() {
    // Outside detail mode a record that keeps more than K has no group.
    let (mut s, _, _) = toy_session(&options().schedule(Schedule::Ratio { ratio: 0.5, first_step: 0 }), 3);
    s.run().unwrap();
    let records = s.records().unwrap();
    assert!(records.len() >= 2);
    for r in &records {
        if r.kept.len() == K {
            assert_eq!(r.group, r.kept);
        } else {
            assert!(r.group.is_empty(), "step {}: {:?}", r.step, r.group);
        }
    }
    assert_eq!(records.last().unwrap().group, s.result().unwrap().ids);
}

#[test]
fn diagnostics_of_a_full_run() {
    let (mut s, q, _) = toy_session(&full_options(), 11);
    // Before the end nothing is known about the final record.
    s.step().unwrap();
    let d = s.diagnostics(0, Series::Unary).unwrap();
    assert_eq!((d.spearman_final, d.group_overlap_final, d.common_final), (None, None, 0));
    s.run().unwrap();

    let records = s.records().unwrap();
    assert_eq!(records.len(), T);
    for series in [Series::Unary, Series::Diversity, Series::Scorer(q), q.into()] {
        let first = s.diagnostics(0, series).unwrap();
        assert_eq!(first.spearman_previous, None, "{series:?}");
        assert_eq!((first.group_overlap_previous, first.movement, first.common_previous), (None, None, 0));
        assert_eq!(first.common_final, M as i32);
        assert!(first.spearman_final.is_some_and(|r| (-1.0..=1.0).contains(&r)), "{first:?}");

        let last = s.diagnostics(T - 1, series).unwrap();
        let rho = last.spearman_final.expect("the final record against itself");
        assert!((rho - 1.0).abs() < 1e-12, "{series:?}: {rho}");
        assert_eq!(last.group_overlap_final, Some(1.0));
        assert_eq!((last.common_previous, last.common_final), (M as i32, M as i32));

        let middle = s.diagnostics(T / 2, series).unwrap();
        assert!(middle.spearman_previous.is_some());
        assert!(middle.movement.is_some_and(|m| m >= 0.0));
        assert!(middle.group_overlap_previous.is_some_and(|o| (0.0..=1.0).contains(&o)));
    }
    // Early scores are noisy: the first record ranks worse than the last.
    let first = s.diagnostics(0, Series::Scorer(q)).unwrap().spearman_final.unwrap();
    assert!(first < 1.0, "{first}");

    expect_err(s.diagnostics(T, Series::Unary), Status::Argument, &["index = 6", "out of range"]);
    let foreign = {
        let mut o = Session::new(&options()).unwrap();
        (0..5).map(|i| o.add_pushed_unary_scorer(&format!("x{i}"), 1.0).unwrap()).last().unwrap()
    };
    expect_err(s.diagnostics(0, Series::Scorer(foreign)), Status::Argument, &["which = 4"]);
}

#[test]
fn calibration_from_two_full_runs() {
    let runs = [full_run(1), full_run(2)];
    let refs: Vec<&Session> = runs.iter().collect();
    let budget = 0.6;
    let c = calibrate(&refs, Goal::Budget(budget)).unwrap();
    assert_eq!((c.candidates, c.group_size, c.steps, c.num_runs), (M as i32, K as i32, T as i32, 2));
    assert_eq!(c.counts.len(), T);
    assert!(c.counts.windows(2).all(|w| w[1] <= w[0]), "{:?}", c.counts);
    assert!(c.counts[0] <= M as i32);
    assert_eq!(*c.counts.last().unwrap(), K as i32);
    assert!(c.evaluations <= (budget * (M * T) as f64).floor() as i64, "{c:?}");
    assert_eq!(c.evaluations, M as i64 + c.counts[..T - 1].iter().map(|&n| i64::from(n)).sum::<i64>());
    assert!((c.evaluations_fraction - c.evaluations as f64 / (M * T) as f64).abs() < 1e-12);
    let first_prune = c.counts.iter().position(|&n| n < M as i32).unwrap_or(T - 1);
    assert_eq!(c.first_prune_step, first_prune as i32);
    assert!(c.retention >= c.retention_min && c.retention <= 1.0 + 1e-9, "{c:?}");
    assert_eq!((c.step_retention.len(), c.step_overlap.len()), (T, T));
    assert!((c.step_retention[T - 1] - 1.0).abs() < 1e-2, "{:?}", c.step_retention);
    assert!(c.step_overlap[T - 1] > 0.99, "{:?}", c.step_overlap);
    assert!(c.step_retention.iter().chain(&c.step_overlap).all(|x| x.is_finite()));
    assert_eq!(c.schedule(), Schedule::Counts(c.counts.clone()));

    // The fewest evaluations that keep 90%.
    let r = calibrate(&refs, Goal::Retention(0.9)).unwrap();
    assert!(r.retention >= 0.9, "{r:?}");
    assert_eq!(*r.counts.last().unwrap(), K as i32);

    // The runs were only read.
    for s in &runs {
        assert_eq!(s.result().unwrap().ids.len(), K);
    }
}

#[test]
fn a_saved_schedule_round_trips_and_runs_exactly() {
    let runs = [full_run(4), full_run(5)];
    let c = calibrate(&[&runs[0], &runs[1]], Goal::Budget(0.5)).unwrap();
    let path = scratch("calibrated.json");
    c.save(&path).unwrap();
    let loaded = load_schedule(&path).unwrap();
    assert_eq!(loaded, c.schedule_file());
    assert_eq!((loaded.candidates, loaded.group_size, loaded.steps), (M as i32, K as i32, T as i32));
    assert_eq!(loaded.counts, c.counts);
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(text.contains("\"retention\"") && !text.contains("\"retention\": null"), "{text}");

    // A session from the file follows the counts and spends exactly the report's evaluations.
    let (mut s, _, calls) = toy_session(&options().schedule(Schedule::File(path.clone())), 9);
    for (t, &n) in c.counts.iter().enumerate() {
        s.step().unwrap();
        assert_eq!(s.survivors().unwrap().len() as i32, n, "after step {t}");
    }
    let p = s.progress().unwrap();
    assert!(p.done);
    assert_eq!(p.evaluations, c.evaluations);
    assert_eq!(*calls.lock().unwrap(), c.evaluations);
    // The same from the counts in memory.
    let (mut s, _, _) = toy_session(&options().schedule(loaded.schedule()), 9);
    s.run().unwrap();
    assert_eq!(s.progress().unwrap().evaluations, c.evaluations);

    // The file is read at creation: its M, K, T must be the options'.
    expect_err(
        Session::new(&options().candidates(M as i32 + 1).schedule(Schedule::File(path.clone()))),
        Status::Argument,
        &["is for M = 16"],
    );
    expect_err(
        Session::new(&options().steps(T as i32 + 1).schedule(Schedule::File(path.clone()))),
        Status::Argument,
        &["T = 6"],
    );
    // ... and its λ, which the saved calibration recorded.
    assert_eq!(load_schedule(&path).unwrap().lambda, Some(c.lambda));
    expect_err(
        Session::new(&options().lambda(c.lambda * 2.0 + 1.0).schedule(Schedule::File(path))),
        Status::Argument,
        &["calibrated for lambda"],
    );

    // A hand-made schedule, without a report.
    let hand = ScheduleFile::new(M as i32, K as i32, T as i32, vec![12, 8, 8, 5, 3, 3]);
    let path = scratch("hand.json");
    save_schedule(&path, &hand).unwrap();
    assert_eq!(load_schedule(&path).unwrap(), hand);
    assert!(std::fs::read_to_string(&path).unwrap().contains("\"retention\": null"));
}

#[test]
fn calibration_error_paths() {
    let a = full_run(1);
    let b = full_run(2);
    expect_err(calibrate(&[], Goal::Budget(0.5)), Status::Argument, &["runs is empty"]);

    // A run that pruned before the last step: the message names the run and the step.
    let (mut pruned, _, _) =
        toy_session(&options().trace_every_step(true).schedule(Schedule::Ratio { ratio: 0.5, first_step: 0 }), 3);
    pruned.run().unwrap();
    expect_err(
        calibrate(&[&a, &pruned], Goal::Budget(0.5)),
        Status::Argument,
        &["run 1", "at step 1", "first_prune_step = T-1"],
    );
    // One that did not score every step.
    let (mut sparse, _, _) =
        toy_session(&options().schedule(Schedule::Ratio { ratio: 0.5, first_step: T as i32 - 1 }), 3);
    sparse.run().unwrap();
    expect_err(calibrate(&[&sparse], Goal::Budget(0.5)), Status::Argument, &["run 0", "at step 0", "trace_every_step"]);
    // One not finished.
    let (mut unfinished, _, _) = toy_session(&full_options(), 3);
    unfinished.step().unwrap();
    expect_err(calibrate(&[&a, &unfinished], Goal::Budget(0.5)), Status::State, &["run 1 is not done"]);
    // Different M, K, T or lambda.
    let other = {
        let (mut s, _, _) = toy_session(&full_options().lambda(0.25), 3);
        s.run().unwrap();
        s
    };
    expect_err(calibrate(&[&a, &other], Goal::Budget(0.5)), Status::Argument, &["run 1", "different from run 0"]);
    expect_err(calibrate(&[&a, &a], Goal::Budget(0.5)), Status::Argument, &["repeats"]);

    // Goals out of range or out of reach. The cheapest schedule (M, then K
    // per step) costs 31 of 96 evaluations.
    expect_err(calibrate(&[&a, &b], Goal::Budget(0.3)), Status::Argument, &["no schedule fits budget = 0.3"]);
    expect_err(calibrate(&[&a, &b], Goal::Budget(1.5)), Status::Argument, &["budget = 1.5"]);
    expect_err(calibrate(&[&a, &b], Goal::Budget(0.0)), Status::Argument, &["set exactly one"]);
    expect_err(calibrate(&[&a, &b], Goal::Retention(0.0)), Status::Argument, &["set exactly one"]);
    expect_err(calibrate(&[&a, &b], Goal::Retention(f64::NAN)), Status::Argument, &["retention"]);
    // The cheapest schedule itself is fine.
    let cheapest = calibrate(&[&a, &b], Goal::Budget(31.0 / 96.0 + 1e-9)).unwrap();
    assert_eq!(cheapest.counts, vec![K as i32; T]);
    assert_eq!(cheapest.evaluations, 31);
}

#[test]
fn schedule_file_error_paths() {
    let missing = scratch("does-not-exist.json");
    expect_err(load_schedule(&missing), Status::Argument, &["cannot read", "does-not-exist.json"]);
    expect_err(
        Session::new(&options().schedule(Schedule::File(missing))),
        Status::Argument,
        &["cannot read", "does-not-exist.json"],
    );
    let good = ScheduleFile::new(M as i32, K as i32, T as i32, vec![8, 8, 4, 4, 3, 3]);
    expect_err(save_schedule(scratch("no-such-dir/s.json"), &good), Status::Argument, &["cannot write"]);
    expect_err(save_schedule("bad\0name.json", &good), Status::Argument, &["NUL byte at 3"]);
    expect_err(load_schedule("bad\0name.json"), Status::Argument, &["NUL byte at 3"]);
    expect_err(
        Session::new(&options().schedule(Schedule::File("bad\0name.json".into()))),
        Status::Argument,
        &["Schedule::File", "NUL byte"],
    );
    // Counts: their number is checked here (the library reads `steps` of them), their values by the library.
    let short = ScheduleFile::new(M as i32, K as i32, T as i32, vec![8, 3]);
    expect_err(save_schedule(scratch("short.json"), &short), Status::Argument, &["2 entries", "one per step"]);
    let rising = ScheduleFile::new(M as i32, K as i32, T as i32, vec![8, 9, 4, 4, 3, 3]);
    expect_err(save_schedule(scratch("rising.json"), &rising), Status::Argument, &["survivor_counts[1] = 9"]);
    // Not a schedule file.
    let path = scratch("not-a-schedule.json");
    std::fs::write(&path, "{\"hello\": 1}").unwrap();
    expect_err(load_schedule(&path), Status::Argument, &["format"]);
    std::fs::write(&path, "not json").unwrap();
    expect_err(load_schedule(&path), Status::Argument, &["not valid JSON"]);
}

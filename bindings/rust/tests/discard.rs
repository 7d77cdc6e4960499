//! Session::discard (C API 0.3): survivors removed without scoring, the
//! discard record, the schedule going on, and every error path.

mod common;

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use common::{full_session, options, quality, K, M, T};
use groupinference::{BoundKind, Error, Session, SolveStatus, Status};

#[track_caller]
fn expect_err<T: std::fmt::Debug>(r: Result<T, Error>, status: Status, text: &str) {
    let e = r.expect_err("expected an error");
    assert_eq!(e.status(), status, "{e}");
    assert!(e.message().contains(text), "message '{}' lacks '{text}'", e.message());
}

fn counter() -> Arc<Mutex<Vec<usize>>> {
    Arc::new(Mutex::new(vec![0; M]))
}

#[test]
fn discarded_candidates_leave_a_record_and_are_never_denoised() {
    let denoised = counter();
    let mut s = full_session(&options(M, K, T), denoised.clone());
    s.discard(&[]).unwrap();
    assert_eq!(s.trace_len().unwrap(), 0, "an empty discard does nothing");

    s.discard(&[7, 3]).unwrap();
    let p = s.progress().unwrap();
    assert_eq!((p.alive, p.discarded, p.evaluations), (M as i32 - 2, 2, 0));
    let alive = s.survivors().unwrap();
    assert_eq!(alive, (0..M as i32).filter(|&i| i != 3 && i != 7).collect::<Vec<_>>());

    let r = s.record(0).unwrap();
    assert_eq!(r.discarded, 2);
    assert_eq!(r.ids, vec![3, 7]);
    assert_eq!(r.kept, alive);
    assert_eq!(r.status, SolveStatus::None);
    assert_eq!(r.bound_kind, BoundKind::None);
    assert!(r.objective.is_nan());
    assert_eq!((r.bound, r.gap), (None, None));
    assert!(r.scores.iter().all(Vec::is_empty) && r.unary.is_empty() && r.diversity.is_empty());
    assert!(r.group.is_empty());

    s.run().unwrap();
    let d = denoised.lock().unwrap().clone();
    assert_eq!((d[3], d[7]), (0, 0));
    let result = s.result().unwrap();
    assert!(!result.ids.contains(&3) && !result.ids.contains(&7));
    assert_eq!(result.evaluations, d.iter().sum::<usize>() as i64);
    let records = s.records().unwrap();
    assert!(records[1..].iter().all(|r| r.discarded == 0 && !r.ids.contains(&3) && !r.ids.contains(&7)));
    assert_eq!(s.progress().unwrap().discarded, 2);
}

#[test]
fn a_pending_retry_scores_the_others() {
    let fail = Arc::new(AtomicBool::new(false));
    let mut s = Session::new(&options(M, K, T)).unwrap();
    let f = fail.clone();
    s.add_unary_scorer("quality", 1.0, move |_, ids, out| {
        if f.load(Ordering::SeqCst) {
            return Err("worker died".into());
        }
        out.iter_mut().zip(ids).for_each(|(o, &id)| *o = quality(id));
        Ok(())
    })
    .unwrap();
    s.set_denoiser(|_, _| Ok(())).unwrap();
    fail.store(true, Ordering::SeqCst);
    assert!(matches!(s.step(), Err(Error::Callback { .. })));
    assert!(s.progress().unwrap().retry_pending);

    let gone = s.survivors().unwrap()[0];
    s.discard(&[gone]).unwrap();
    fail.store(false, Ordering::SeqCst);
    s.step().unwrap();
    let scored = s.records().unwrap().into_iter().find(|r| r.discarded == 0).unwrap();
    assert_eq!(scored.ids.len(), M - 1);
    assert!(!scored.ids.contains(&gone));
    s.run().unwrap();
}

#[test]
fn discard_error_paths() {
    let mut s = full_session(&options(M, K, T), counter());
    // Fewer than K would remain: refused, nothing removed.
    let too_many: Vec<i32> = (0..(M - K + 1) as i32).collect();
    expect_err(s.discard(&too_many), Status::Argument, "would leave 2, fewer than K = 3");
    assert_eq!(s.progress().unwrap().alive, M as i32);
    expect_err(s.discard(&[M as i32]), Status::Argument, "candidate id 12 is out of range");
    expect_err(s.discard(&[-1]), Status::Argument, "candidate id -1 is out of range");
    expect_err(s.discard(&[1, 2, 1]), Status::Argument, "candidate 1 appears twice");
    assert_eq!(s.progress().unwrap().alive, M as i32, "a refused discard removes none of its ids");
    assert_eq!(s.trace_len().unwrap(), 0);

    s.step().unwrap(); // the ratio schedule halves
    let alive = s.survivors().unwrap();
    let pruned = (0..M as i32).find(|i| !alive.contains(i)).unwrap();
    expect_err(s.discard(&[pruned]), Status::Argument, &format!("candidate {pruned} was already pruned"));
    s.discard(&alive[..1]).unwrap();
    expect_err(s.discard(&alive[..1]), Status::Argument, "was already pruned or discarded");
    // Exactly K left is allowed.
    let left = s.survivors().unwrap();
    s.discard(&left[K..]).unwrap();
    assert_eq!(s.progress().unwrap().alive, K as i32);
    expect_err(s.discard(&left[..1]), Status::Argument, "fewer than K = 3");

    s.run().unwrap();
    expect_err(s.discard(&left[..1]), Status::State, "the session is done");
}

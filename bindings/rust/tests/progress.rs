//! The progress hook (C API 0.3): what it sees, cancel and resume, a panic in
//! it, and its box dropped exactly once.

mod common;

use std::ops::ControlFlow;
use std::sync::atomic::{AtomicI32, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use common::{full_session, options, DropCounter, K, M, T};
use groupinference::{Error, Progress, SolveStatus, Status};

fn counter() -> Arc<Mutex<Vec<usize>>> {
    Arc::new(Mutex::new(vec![0; M]))
}

#[test]
fn run_calls_the_hook_after_every_step() {
    let mut s = full_session(&options(M, K, T), counter());
    let before = s.progress().unwrap();
    assert_eq!(before.last_solve_status, SolveStatus::None);
    assert_eq!((before.discarded, before.last_step_seconds, before.last_seconds_scoring), (0, 0.0, 0.0));

    let seen = Arc::new(Mutex::new(Vec::<Progress>::new()));
    let log = seen.clone();
    s.set_progress(move |p| {
        log.lock().unwrap().push(p.clone());
        ControlFlow::Continue(())
    })
    .unwrap();
    s.run().unwrap();

    let seen = seen.lock().unwrap();
    assert_eq!(seen.len(), T, "one call per step, the last one too");
    for (i, p) in seen.iter().enumerate() {
        assert_eq!(p.steps_done, i as i32 + 1);
        assert_eq!(p.num_steps, T as i32);
        assert!(p.last_step_seconds > 0.0, "step {i}: {}", p.last_step_seconds);
        assert_eq!(p.done, i == T - 1);
    }
    assert!(seen.windows(2).all(|w| w[0].evaluations < w[1].evaluations));
    // The last call saw what progress() says afterwards.
    assert_eq!(seen.last().unwrap(), &s.progress().unwrap());
    // The latest record's status and times, as the trace has them.
    let records = s.records().unwrap();
    for p in seen.iter() {
        let latest = &records[p.num_records as usize - 1];
        assert_eq!(p.last_solve_status, latest.status);
        assert_eq!((p.last_seconds_scoring, p.last_seconds_solving), (latest.seconds_scoring, latest.seconds_solving));
    }
    assert_ne!(seen[0].last_solve_status, SolveStatus::None, "step 0 halved the candidates");
}

#[test]
fn step_and_prune_do_not_call_the_hook() {
    let mut s = full_session(&options(M, K, T), counter());
    let calls = Arc::new(AtomicUsize::new(0));
    let c = calls.clone();
    s.set_progress(move |_| {
        c.fetch_add(1, Ordering::SeqCst);
        ControlFlow::Continue(())
    })
    .unwrap();
    s.prune(M as i32 - 2).unwrap();
    s.step().unwrap();
    assert_eq!(calls.load(Ordering::SeqCst), 0);
    s.run().unwrap();
    assert_eq!(calls.load(Ordering::SeqCst), T - 1);
}

#[test]
fn a_cancelled_run_resumes_and_ends_as_an_uninterrupted_one() {
    let opts = options(M, K, T);
    let mut reference = full_session(&opts, counter());
    reference.run().unwrap();
    let want = reference.result().unwrap();

    let denoised = counter();
    let mut s = full_session(&opts, denoised.clone());
    let stop_at = Arc::new(AtomicI32::new(1));
    let stop = stop_at.clone();
    s.set_progress(move |p| {
        if p.steps_done == stop.load(Ordering::SeqCst) {
            ControlFlow::Break(())
        } else {
            ControlFlow::Continue(())
        }
    })
    .unwrap();

    let e = s.run().unwrap_err();
    assert!(matches!(e, Error::Cancelled { .. }), "{e:?}");
    assert_eq!(e.status(), Status::Cancelled);
    assert!(e.message().contains("progress hook asked to stop after step 0"), "{}", e.message());
    let p = s.progress().unwrap();
    assert_eq!(p.steps_done, 1, "stopped after the step the hook saw");
    assert!(!p.done && !p.retry_pending);
    // Nothing half done: every survivor was denoised once per completed step.
    let d = denoised.lock().unwrap().clone();
    for id in s.survivors().unwrap() {
        assert_eq!(d[id as usize], 1, "candidate {id}");
    }
    assert_eq!(p.evaluations, d.iter().sum::<usize>() as i64);

    // Resumable by step and by run; the hook is called again by run.
    s.step().unwrap();
    assert_eq!(s.progress().unwrap().steps_done, 2);
    stop_at.store(T as i32 - 1, Ordering::SeqCst);
    assert!(matches!(s.run(), Err(Error::Cancelled { .. })));
    assert_eq!(s.progress().unwrap().steps_done, T as i32 - 1);
    s.run().unwrap();

    let got = s.result().unwrap();
    assert_eq!(got, want, "same group, scores and evaluations as without the cancels");
    assert_eq!(got.evaluations, denoised.lock().unwrap().iter().sum::<usize>() as i64);
}

#[test]
fn a_break_after_the_last_step_is_ignored() {
    let mut s = full_session(&options(M, K, 1), counter());
    s.set_progress(|_| ControlFlow::Break(())).unwrap();
    s.run().unwrap();
    assert!(s.progress().unwrap().done);
    assert_eq!(s.result().unwrap().ids.len(), K);
}

#[test]
fn a_panicking_hook_stops_the_run_and_is_poisoned() {
    let mut s = full_session(&options(M, K, T), counter());
    s.set_progress(|p| {
        if p.steps_done == 1 {
            panic!("hook broke at {}", p.steps_done);
        }
        ControlFlow::Continue(())
    })
    .unwrap();
    let e = s.run().unwrap_err();
    assert!(matches!(e, Error::Panic { .. }), "{e:?}");
    assert_eq!(e.panic_message(), Some("hook broke at 1"));
    assert!(e.to_string().ends_with("the closure panicked: hook broke at 1"), "{e}");
    assert_eq!(s.progress().unwrap().steps_done, 1);

    let e = s.run().unwrap_err();
    assert!(matches!(e, Error::Poisoned { .. }), "{e:?}");
    assert_eq!(s.progress().unwrap().steps_done, 2, "one more step, then the poisoned hook stopped it");

    s.clear_progress().unwrap();
    s.run().unwrap();
    assert!(s.progress().unwrap().done);
}

#[test]
fn hooks_are_dropped_exactly_once() {
    let c = DropCounter::new();
    let mut s = full_session(&options(M, K, T), counter());
    let hook = |t: common::DropToken| {
        move |_: &Progress| {
            let _ = &t;
            ControlFlow::Continue(())
        }
    };
    s.set_progress(hook(c.token())).unwrap();
    s.set_progress(hook(c.token())).unwrap();
    assert_eq!(c.drops(), 1, "the replaced hook");
    s.clear_progress().unwrap();
    assert_eq!(c.drops(), 2, "the cleared hook");
    s.set_progress(hook(c.token())).unwrap();
    s.run().unwrap();
    assert_eq!(c.drops(), 2);
    drop(s);
    assert_eq!(c.drops(), 3, "the last hook, with the session");
}

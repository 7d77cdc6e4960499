//! Closures as callbacks: errors, panics, bad values, the slices they get,
//! borrowing, and destroy hooks that run exactly once.

mod common;

use std::panic::panic_any;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use common::{look, options, quality, DropCounter, DIM, K, M, T};
use groupinference::{Error, Session, Status};

fn unary_quality() -> impl FnMut(i32, &[i32], &mut [f64]) -> groupinference::CallbackResult + Send + 'static {
    |_, ids, out| {
        for (o, &id) in out.iter_mut().zip(ids) {
            *o = quality(id);
        }
        Ok(())
    }
}

#[test]
fn a_closure_error_fails_the_call_and_the_retry_works() {
    let fail_at = Arc::new(AtomicUsize::new(1));
    let mut s = Session::new(&options(M, K, T)).unwrap();
    let f = fail_at.clone();
    s.add_unary_scorer("quality", 1.0, move |step, ids, out| {
        if step as usize == f.load(Ordering::SeqCst) {
            return Err(format!("model server down at step {step}").into());
        }
        for (o, &id) in out.iter_mut().zip(ids) {
            *o = quality(id);
        }
        Ok(())
    })
    .unwrap();
    s.set_denoiser(|_, _| Ok(())).unwrap();
    s.step().unwrap();
    let e = s.step().unwrap_err();
    assert_eq!(e.status(), Status::Callback);
    assert!(e.message().contains("scorer 'quality' returned 1 at step 1"), "{}", e.message());
    match &e {
        Error::Callback { source, .. } => assert_eq!(source.to_string(), "model server down at step 1"),
        other => panic!("expected Error::Callback, got {other:?}"),
    }
    assert_eq!(std::error::Error::source(&e).unwrap().to_string(), "model server down at step 1");
    assert!(e.to_string().ends_with(": model server down at step 1"), "{e}");
    assert!(e.panic_message().is_none());
    let p = s.progress().unwrap();
    assert!(p.retry_pending);
    assert_eq!(p.steps_done, 2);
    fail_at.store(usize::MAX, Ordering::SeqCst);
    s.step().unwrap(); // retries the scoring only
    let p = s.progress().unwrap();
    assert!(!p.retry_pending);
    assert_eq!(p.evaluations, (M + M / 2) as i64);
    s.run().unwrap();
}

#[test]
fn a_denoiser_error_counts_nothing_and_is_retried() {
    let calls = Arc::new(AtomicUsize::new(0));
    let mut s = Session::new(&options(M, K, T)).unwrap();
    s.add_unary_scorer("quality", 1.0, unary_quality()).unwrap();
    let c = calls.clone();
    s.set_denoiser(move |step, _| {
        if c.fetch_add(1, Ordering::SeqCst) == 0 {
            return Err(std::io::Error::other(format!("GPU lost at step {step}")).into());
        }
        Ok(())
    })
    .unwrap();
    let e = s.step().unwrap_err();
    assert!(matches!(e, Error::Callback { .. }));
    assert!(e.message().contains("the denoiser returned 1 at step 0"), "{}", e.message());
    assert!(e.to_string().contains("GPU lost at step 0"));
    let p = s.progress().unwrap();
    assert_eq!((p.steps_done, p.evaluations), (0, 0));
    s.step().unwrap(); // the same step again
    assert_eq!(calls.load(Ordering::SeqCst), 2);
    assert_eq!(s.progress().unwrap().steps_done, 1);
}

#[test]
fn a_panicking_scorer_becomes_an_error_and_is_poisoned() {
    let mut s = Session::new(&options(M, K, T)).unwrap();
    let calls = Arc::new(AtomicUsize::new(0));
    let c = calls.clone();
    s.add_unary_scorer("quality", 1.0, move |step, ids, out| {
        c.fetch_add(1, Ordering::SeqCst);
        if step == 1 {
            panic!("index out of range in the scorer at step {step}");
        }
        for (o, &id) in out.iter_mut().zip(ids) {
            *o = quality(id);
        }
        Ok(())
    })
    .unwrap();
    s.set_denoiser(|_, _| Ok(())).unwrap();
    s.step().unwrap();
    let e = s.step().unwrap_err();
    assert_eq!(e.status(), Status::Callback);
    match &e {
        Error::Panic { message, panic } => {
            assert!(message.contains("scorer 'quality' returned 2 at step 1"), "{message}");
            assert_eq!(panic, "index out of range in the scorer at step 1");
        }
        other => panic!("expected Error::Panic, got {other:?}"),
    }
    assert_eq!(e.panic_message(), Some("index out of range in the scorer at step 1"));
    assert!(e.to_string().contains("panicked"));
    // The process lives on and the session is readable.
    let p = s.progress().unwrap();
    assert!(p.retry_pending);
    assert_eq!(s.survivors().unwrap().len(), M / 2);
    assert_eq!(s.trace_len().unwrap(), 1);
    // A retry does not run the poisoned closure again: it fails cleanly.
    let before = calls.load(Ordering::SeqCst);
    let e = s.step().unwrap_err();
    assert!(matches!(e, Error::Poisoned { .. }), "{e:?}");
    assert!(e.message().contains("returned 3"), "{}", e.message());
    assert_eq!(e.panic_message(), Some("index out of range in the scorer at step 1"));
    assert_eq!(calls.load(Ordering::SeqCst), before);
    // Other sessions are unaffected.
    let mut other = Session::new(&options(M, K, T)).unwrap();
    other.add_unary_scorer("quality", 1.0, unary_quality()).unwrap();
    other.set_denoiser(|_, _| Ok(())).unwrap();
    other.run().unwrap();
}

#[test]
fn panics_in_every_kind_of_closure_are_caught() {
    // Embedding scorer, with a non-string payload.
    let mut s = Session::new(&options(M, K, T)).unwrap();
    s.add_embedding_scorer("look", 1.0, DIM, |_, _, _| panic_any(42u8)).unwrap();
    s.set_denoiser(|_, _| Ok(())).unwrap();
    let e = s.run().unwrap_err();
    assert!(e.message().contains("scorer 'look' returned 2 at step 0"), "{}", e.message());
    assert_eq!(e.panic_message(), Some("a panic with a payload that is not a string"));

    // Pairwise scorer, with a String payload.
    let mut s = Session::new(&options(M, K, T)).unwrap();
    s.add_pairwise_scorer("pairs", 1.0, |step, _, _| panic!("{}", format!("pairs broke at {step}"))).unwrap();
    let e = s.prune(M as i32 - 1).unwrap_err();
    assert!(e.message().contains("scorer 'pairs' returned 2 at step -1"), "{}", e.message());
    assert_eq!(e.panic_message(), Some("pairs broke at -1"));

    // Denoiser.
    let mut s = Session::new(&options(M, K, T)).unwrap();
    s.add_unary_scorer("quality", 1.0, unary_quality()).unwrap();
    s.set_denoiser(|_, ids| {
        let latents: Vec<i32> = Vec::new();
        let _ = latents[ids.len()]; // an out-of-bounds index panics
        Ok(())
    })
    .unwrap();
    let e = s.run().unwrap_err();
    assert!(matches!(e, Error::Panic { .. }), "{e:?}");
    assert!(e.message().contains("the denoiser returned 2 at step 0"), "{}", e.message());
    assert!(e.panic_message().unwrap().contains("index out of bounds"));
    // Replacing the poisoned denoiser makes the session usable again.
    s.set_denoiser(|_, _| Ok(())).unwrap();
    s.run().unwrap();
    assert_eq!(s.result().unwrap().ids.len(), K);
}

#[test]
fn bad_values_from_closures_fail_with_scores() {
    // NaN for one candidate.
    let mut s = Session::new(&options(M, K, T)).unwrap();
    s.add_unary_scorer("quality", 1.0, |_, ids, out| {
        for (o, &id) in out.iter_mut().zip(ids) {
            *o = if id == 5 { f64::NAN } else { quality(id) };
        }
        Ok(())
    })
    .unwrap();
    s.set_denoiser(|_, _| Ok(())).unwrap();
    let e = s.step().unwrap_err();
    assert_eq!(e.status(), Status::Scores);
    assert!(matches!(e, Error::Library { .. }));
    assert!(e.message().contains("candidate 5"), "{}", e.message());

    // Values left unwritten (the slice comes pre-filled with NaN).
    let mut s = Session::new(&options(M, K, T)).unwrap();
    s.add_unary_scorer("lazy", 1.0, |_, _, out| {
        let half = out.len() / 2;
        out[..half].fill(1.0);
        Ok(())
    })
    .unwrap();
    s.set_denoiser(|_, _| Ok(())).unwrap();
    let e = s.step().unwrap_err();
    assert_eq!(e.status(), Status::Scores);
    assert!(e.message().contains("written"), "{}", e.message());

    // An all-zero embedding row.
    let mut s = Session::new(&options(M, K, T)).unwrap();
    s.add_embedding_scorer("look", 1.0, DIM, |_, ids, out| {
        for (row, &id) in out.chunks_exact_mut(DIM).zip(ids) {
            row.copy_from_slice(&if id == 3 { [0.0; DIM] } else { look(id) });
        }
        Ok(())
    })
    .unwrap();
    s.set_denoiser(|_, _| Ok(())).unwrap();
    let e = s.run().unwrap_err();
    assert_eq!(e.status(), Status::Scores);
    assert!(e.message().contains("candidate 3"), "{}", e.message());

    // An infinite pairwise entry.
    let mut s = Session::new(&options(M, K, T)).unwrap();
    s.add_pairwise_scorer("pairs", 1.0, |_, ids, out| {
        out.fill(0.5);
        out[1.min(ids.len() * ids.len() - 1)] = f64::INFINITY;
        Ok(())
    })
    .unwrap();
    s.set_denoiser(|_, _| Ok(())).unwrap();
    let e = s.run().unwrap_err();
    assert_eq!(e.status(), Status::Scores);
    assert!(e.message().contains("pair"), "{}", e.message());
}

#[test]
fn closures_get_slices_of_the_right_length() {
    let seen = Arc::new(Mutex::new(Vec::<(char, i32, usize, usize)>::new()));
    let mut s = Session::new(&options(M, K, T)).unwrap();
    let v = seen.clone();
    s.add_unary_scorer("u", 1.0, move |step, ids, out| {
        v.lock().unwrap().push(('u', step, ids.len(), out.len()));
        assert!(ids.windows(2).all(|w| w[0] < w[1]));
        out.iter_mut().zip(ids).for_each(|(o, &id)| *o = quality(id));
        Ok(())
    })
    .unwrap();
    let v = seen.clone();
    s.add_embedding_scorer("e", 1.0, DIM, move |step, ids, out| {
        v.lock().unwrap().push(('e', step, ids.len(), out.len()));
        out.chunks_exact_mut(DIM).zip(ids).for_each(|(row, &id)| row.copy_from_slice(&look(id)));
        Ok(())
    })
    .unwrap();
    let v = seen.clone();
    s.add_pairwise_scorer("p", 1.0, move |step, ids, out| {
        v.lock().unwrap().push(('p', step, ids.len(), out.len()));
        out.fill(0.25);
        Ok(())
    })
    .unwrap();
    let v = seen.clone();
    s.set_denoiser(move |step, ids| {
        v.lock().unwrap().push(('d', step, ids.len(), 0));
        Ok(())
    })
    .unwrap();
    s.run().unwrap();
    let seen = seen.lock().unwrap();
    assert!(seen.iter().filter(|c| c.0 == 'd').count() == T);
    for &(kind, step, n, len) in seen.iter() {
        match kind {
            'u' => assert_eq!(len, n, "unary at step {step}"),
            'e' => assert_eq!(len, n * DIM, "embedding at step {step}"),
            'p' => assert_eq!(len, n * n, "pairwise at step {step}"),
            _ => {}
        }
    }
}

#[test]
fn closures_may_borrow_from_the_environment() {
    let mut denoised = [0usize; M];
    let scores: Vec<f64> = (0..M as i32).map(quality).collect();
    {
        let mut s = Session::new(&options(M, K, T)).unwrap();
        s.add_unary_scorer("borrowed", 1.0, |_, ids, out| {
            for (o, &id) in out.iter_mut().zip(ids) {
                *o = scores[id as usize];
            }
            Ok(())
        })
        .unwrap();
        s.set_denoiser(|_, ids| {
            for &id in ids {
                denoised[id as usize] += 1;
            }
            Ok(())
        })
        .unwrap();
        s.run().unwrap();
    } // the session, and with it the closures' borrows, end here
    assert_eq!(denoised.iter().filter(|&&d| d == T).count(), K);
}

#[test]
fn destroy_hooks_drop_each_closure_exactly_once() {
    let c = DropCounter::new();
    let mut s = Session::new(&options(M, K, T)).unwrap();

    // Registered: dropped with the session.
    let t = c.token();
    s.add_unary_scorer("quality", 1.0, move |_, ids, out| {
        let _ = &t;
        out.iter_mut().zip(ids).for_each(|(o, &id)| *o = quality(id));
        Ok(())
    })
    .unwrap();
    let t = c.token();
    s.add_embedding_scorer("look", 1.0, DIM, move |_, ids, out| {
        let _ = &t;
        out.chunks_exact_mut(DIM).zip(ids).for_each(|(row, &id)| row.copy_from_slice(&look(id)));
        Ok(())
    })
    .unwrap();
    let t = c.token();
    s.add_pairwise_scorer("pairs", 0.5, move |_, _, out| {
        let _ = &t;
        out.fill(0.5);
        Ok(())
    })
    .unwrap();
    assert_eq!(c.drops(), 0);

    // Failed registrations: the library drops the closure at once.
    let t = c.token();
    assert!(s
        .add_unary_scorer("quality", 1.0, move |_, _, _| {
            let _ = &t;
            Ok(())
        })
        .is_err());
    assert_eq!(c.drops(), 1);
    let t = c.token();
    assert!(s
        .add_embedding_scorer("bad-dim", 1.0, 0, move |_, _, _| {
            let _ = &t;
            Ok(())
        })
        .is_err());
    assert_eq!(c.drops(), 2);
    // Refused by the binding before C saw it: dropped by Rust, also once.
    let t = c.token();
    assert!(s
        .add_pairwise_scorer("nul\0", 1.0, move |_, _, _| {
            let _ = &t;
            Ok(())
        })
        .is_err());
    assert_eq!(c.drops(), 3);

    // Denoisers: a replaced one is dropped at once, a cleared one too.
    let t = c.token();
    s.set_denoiser(move |_, _| {
        let _ = &t;
        Ok(())
    })
    .unwrap();
    let t = c.token();
    s.set_denoiser(move |_, _| {
        let _ = &t;
        Ok(())
    })
    .unwrap();
    assert_eq!(c.drops(), 4);
    s.clear_denoiser().unwrap();
    assert_eq!(c.drops(), 5);
    let t = c.token();
    s.set_denoiser(move |_, _| {
        let _ = &t;
        Ok(())
    })
    .unwrap();

    s.run().unwrap();
    // Too late to register: dropped at once.
    let t = c.token();
    assert!(s
        .add_unary_scorer("late", 1.0, move |_, _, _| {
            let _ = &t;
            Ok(())
        })
        .is_err());
    assert_eq!(c.drops(), 6);

    drop(s);
    // 3 scorers + the last denoiser, once each: 6 + 4.
    assert_eq!(c.drops(), 10);
}

#[test]
fn a_poisoned_closure_is_still_dropped_once() {
    let c = DropCounter::new();
    {
        let mut s = Session::new(&options(M, K, T)).unwrap();
        let t = c.token();
        s.add_unary_scorer("boom", 1.0, move |_, _, _| {
            let _ = &t;
            panic!("boom")
        })
        .unwrap();
        s.set_denoiser(|_, _| Ok(())).unwrap();
        assert!(s.run().unwrap_err().panic_message() == Some("boom"));
        assert_eq!(c.drops(), 0);
    }
    assert_eq!(c.drops(), 1);
}

struct PanicOnDrop(Arc<AtomicUsize>);

impl Drop for PanicOnDrop {
    fn drop(&mut self) {
        self.0.fetch_add(1, Ordering::SeqCst);
        panic!("panic while the library destroys the closure");
    }
}

#[test]
fn a_panic_while_dropping_a_closure_does_not_reach_c() {
    let dropped = Arc::new(AtomicUsize::new(0));
    {
        let mut s = Session::new(&options(M, K, T)).unwrap();
        let guard = PanicOnDrop(dropped.clone());
        s.add_unary_scorer("q", 1.0, move |_, _, out| {
            let _ = &guard;
            out.fill(1.0);
            Ok(())
        })
        .unwrap();
    }
    assert_eq!(dropped.load(Ordering::SeqCst), 1);
    // The library is fine afterwards.
    let mut s = Session::new(&options(M, K, T)).unwrap();
    s.add_unary_scorer("quality", 1.0, unary_quality()).unwrap();
    s.set_denoiser(|_, _| Ok(())).unwrap();
    s.run().unwrap();
}

/// A closure may own another session, drive it from inside a callback, and
/// have it destroyed by the outer session's destroy hook.
#[test]
fn a_closure_may_own_and_drive_another_session() {
    let mut inner = Session::new(&options(M, K, T)).unwrap();
    inner.add_unary_scorer("quality", 1.0, unary_quality()).unwrap();
    inner.set_denoiser(|_, _| Ok(())).unwrap();
    let c = DropCounter::new();
    let t = c.token();
    inner
        .add_pairwise_scorer("pairs", 0.1, move |_, _, out| {
            let _ = &t;
            out.fill(0.5);
            Ok(())
        })
        .unwrap();

    let mut outer = Session::new(&options(M, K, T)).unwrap();
    outer
        .add_unary_scorer("delegating", 1.0, move |_, ids, out| {
            if !inner.progress()?.done {
                inner.step()?; // a different session: allowed from a callback
            }
            for (o, &id) in out.iter_mut().zip(ids) {
                *o = quality(id);
            }
            Ok(())
        })
        .unwrap();
    outer.set_denoiser(|_, _| Ok(())).unwrap();
    outer.run().unwrap();
    assert_eq!(c.drops(), 0);
    drop(outer); // drops the closure, which drops `inner`, which drops its closures
    assert_eq!(c.drops(), 1);
}

#[test]
fn errors_are_send_sync_and_boxable() {
    fn assert_error<E: std::error::Error + Send + Sync + 'static>() {}
    assert_error::<Error>();
    let mut s = Session::new(&options(M, K, T)).unwrap();
    let e: Box<dyn std::error::Error + Send + Sync> = Box::new(s.step().unwrap_err());
    assert!(e.to_string().contains("no scorers"));
}

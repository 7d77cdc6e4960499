//! Closures as C callbacks: the box that travels as `user`, one generic
//! `extern "C"` trampoline per callback kind, and the destroy hook that frees
//! the box.
//!
//! A closure is boxed together with a handle on its session's failure slot
//! ([`UserData`]); `Box::into_raw` becomes the `user` pointer and the library
//! owns it from then on: it calls [`destroy`] exactly once (when the session
//! is destroyed, when a callback is replaced, or at once if registration
//! fails), which turns the pointer back into the box and drops it.
//!
//! The trampolines catch every panic (`catch_unwind`), so no unwinding ever
//! crosses into C. A closure's `Err` or panic is parked in the failure slot and
//! the trampoline returns a non-zero code; the library then fails the driving
//! call with GI_ERR_CALLBACK, and the session turns that into
//! [`Error::Callback`](crate::Error::Callback) / [`Error::Panic`](crate::Error::Panic).

use std::any::Any;
use std::ffi::{c_int, c_void};
use std::ops::ControlFlow;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::{Arc, Mutex};

use crate::error::{BoxError, CallbackResult};
use crate::results::Progress;
use crate::sys;

/// Codes the trampolines return to C; the library quotes them in its message
/// ("scorer 'q' returned 2 at step 3").
pub(crate) const RC_ERR: c_int = 1;
pub(crate) const RC_PANIC: c_int = 2;
pub(crate) const RC_POISONED: c_int = 3;
pub(crate) const RC_SIZE: c_int = 4;
/// The progress closure asked to stop.
pub(crate) const RC_STOP: c_int = 5;

/// What went wrong inside a closure during one driving call.
#[derive(Debug)]
pub(crate) enum Failure {
    Err(BoxError),
    Panic(String),
    Poisoned(String),
}

/// Shared by a session and the boxes of its closures. A `Mutex`, not a
/// `Cell`, so that a session whose closures are `Send` is `Send` itself; it is
/// never contended (the library calls one callback at a time, on the thread
/// that made the driving call).
pub(crate) type FailureSlot = Arc<Mutex<Option<Failure>>>;

pub(crate) fn park(slot: &FailureSlot, failure: Failure) {
    let mut guard = slot.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
    // Keep the first failure of a call: it is the one the library reports.
    if guard.is_none() {
        *guard = Some(failure);
    }
}

pub(crate) fn take(slot: &FailureSlot) -> Option<Failure> {
    slot.lock().unwrap_or_else(|poisoned| poisoned.into_inner()).take()
}

/// The `user` box: a closure, its session's failure slot, and whether it
/// panicked before.
pub(crate) struct Callback<F> {
    f: F,
    slot: FailureSlot,
    poisoned: Option<String>,
}

/// A closure boxed for C and not yet handed over. Dropping it frees the box
/// (a registration that fails before reaching C); [`UserData::into_raw`]
/// gives it to the library, which frees it through the destroy hook.
pub(crate) struct UserData {
    user: *mut c_void,
    destroy: unsafe extern "C" fn(*mut c_void),
}

impl UserData {
    /// Boxes `f` with its session's failure slot; the box is freed by
    /// [`destroy::<F>`].
    pub(crate) fn new<F>(f: F, slot: FailureSlot) -> UserData {
        let user = Box::into_raw(Box::new(Callback { f, slot, poisoned: None })).cast();
        UserData { user, destroy: destroy::<F> }
    }

    /// The `user` pointer and destroy hook for a registration call. From here
    /// on the library owns the box: it calls the hook exactly once (when the
    /// session is destroyed, when the callback is replaced, or at once if the
    /// registration fails).
    pub(crate) fn into_raw(self) -> (*mut c_void, sys::gi_destroy_fn) {
        let raw = (self.user, Some(self.destroy));
        std::mem::forget(self);
        raw
    }
}

impl Drop for UserData {
    fn drop(&mut self) {
        // SAFETY: the box was made by `new` with this hook and never handed over.
        unsafe { (self.destroy)(self.user) }
    }
}

/// Runs `call` on the closure behind `user`, catching panics.
///
/// # Safety
/// `user` comes from `UserData::new::<F>` and is still owned by the
/// library; no other reference to the box is live (the library calls one
/// callback at a time and refuses re-entrant calls).
unsafe fn invoke<F>(user: *mut c_void, call: impl FnOnce(&mut F) -> Result<CallbackResult, c_int>) -> c_int {
    let cb = &mut *user.cast::<Callback<F>>();
    if let Some(panic) = &cb.poisoned {
        park(&cb.slot, Failure::Poisoned(panic.clone()));
        return RC_POISONED;
    }
    // AssertUnwindSafe: after a panic the closure is poisoned and never run
    // again, so no one observes state the panic left half-updated.
    match catch_unwind(AssertUnwindSafe(|| call(&mut cb.f))) {
        Ok(Ok(Ok(()))) => 0,
        Ok(Ok(Err(e))) => {
            park(&cb.slot, Failure::Err(e));
            RC_ERR
        }
        Ok(Err(rc)) => rc,
        Err(payload) => {
            let text = panic_text(payload);
            cb.poisoned = Some(text.clone());
            park(&cb.slot, Failure::Panic(text));
            RC_PANIC
        }
    }
}

/// The message of a panic payload; the payload is dropped without letting a
/// panic in its own `Drop` escape.
fn panic_text(payload: Box<dyn Any + Send>) -> String {
    let text = if let Some(s) = payload.downcast_ref::<&'static str>() {
        (*s).to_owned()
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s.clone()
    } else {
        "a panic with a payload that is not a string".to_owned()
    };
    if let Err(again) = catch_unwind(AssertUnwindSafe(move || drop(payload))) {
        std::mem::forget(again);
    }
    text
}

/// `&[T]` over a C array that may be NULL when empty.
unsafe fn slice<'a, T>(p: *const T, n: usize) -> &'a [T] {
    if n == 0 || p.is_null() {
        &[]
    } else {
        std::slice::from_raw_parts(p, n)
    }
}

unsafe fn slice_mut<'a, T>(p: *mut T, n: usize) -> &'a mut [T] {
    if n == 0 || p.is_null() {
        &mut []
    } else {
        std::slice::from_raw_parts_mut(p, n)
    }
}

/// The one caller of every scorer closure: `f(step, ids, out)` fills `len`
/// values for `n` ids (`len` is `None` when `n × width` overflowed).
unsafe fn fill<F, T>(user: *mut c_void, step: i32, ids: *const i32, n: usize, out: *mut T, len: Option<usize>) -> c_int
where
    F: FnMut(i32, &[i32], &mut [T]) -> CallbackResult,
{
    invoke::<F>(user, |f| {
        let len = len.ok_or(RC_SIZE)?;
        Ok(f(step, slice(ids, n), slice_mut(out, len)))
    })
}

/// `gi_embedding_fn` for a closure `F`: a row of `dim` floats per id.
pub(crate) unsafe extern "C" fn embedding<F>(
    user: *mut c_void,
    step: i32,
    ids: *const i32,
    n: usize,
    dim: usize,
    out: *mut f32,
) -> c_int
where
    F: FnMut(i32, &[i32], &mut [f32]) -> CallbackResult,
{
    fill::<F, f32>(user, step, ids, n, out, n.checked_mul(dim))
}

/// `gi_unary_fn` and `gi_pairwise_fn` (the same C signature) for a closure
/// `F`: one score per id (`MATRIX = false`) or an `n × n` matrix
/// (`MATRIX = true`).
pub(crate) unsafe extern "C" fn scores<F, const MATRIX: bool>(
    user: *mut c_void,
    step: i32,
    ids: *const i32,
    n: usize,
    out: *mut f64,
) -> c_int
where
    F: FnMut(i32, &[i32], &mut [f64]) -> CallbackResult,
{
    fill::<F, f64>(user, step, ids, n, out, if MATRIX { n.checked_mul(n) } else { Some(n) })
}

/// `gi_denoise_fn` for a closure `F`.
pub(crate) unsafe extern "C" fn denoise<F>(user: *mut c_void, step: i32, ids: *const i32, n: usize) -> c_int
where
    F: FnMut(i32, &[i32]) -> CallbackResult,
{
    invoke::<F>(user, |f| Ok(f(step, slice(ids, n))))
}

/// `gi_progress_fn` for a closure `F`: `Break` makes `gi_run` stop after
/// this step (a non-zero return), as does a panic (parked like any other).
pub(crate) unsafe extern "C" fn progress<F>(user: *mut c_void, progress: *const sys::gi_progress) -> c_int
where
    F: FnMut(&Progress) -> ControlFlow<()>,
{
    invoke::<F>(user, |f| {
        // The library passes its own struct, at least as large as this
        // binding's (check_version: its minor is not older).
        let p = progress.as_ref().ok_or(RC_SIZE)?;
        match f(&Progress::from(*p)) {
            ControlFlow::Continue(()) => Ok(Ok(())),
            ControlFlow::Break(()) => Err(RC_STOP),
        }
    })
}

/// `gi_destroy_fn`: frees the box made by `UserData::new::<F>`. The
/// library calls it exactly once per registration.
pub(crate) unsafe extern "C" fn destroy<F>(user: *mut c_void) {
    if user.is_null() {
        return;
    }
    // A panic in the closure's captured values' Drop must not unwind into C.
    let dropped = catch_unwind(AssertUnwindSafe(|| drop(Box::from_raw(user.cast::<Callback<F>>()))));
    if let Err(payload) = dropped {
        std::mem::forget(payload);
    }
}

//! The callbacks a session keeps besides its scorers: the denoiser and the
//! progress hook. Like the scorers, both go through one private path
//! ([`Session::set_hook`]) given a row of [`Hook`].

use std::ops::ControlFlow;
use std::ptr;

use super::Session;
use crate::callbacks::{self, UserData};
use crate::error::{check, CallbackResult, Error};
use crate::results::Progress;
use crate::sys;

/// The hooks and their C setters; `None` clears.
enum Hook {
    Denoiser(sys::gi_denoise_fn),
    Progress(sys::gi_progress_fn),
}

impl<'env> Session<'env> {
    /// Sets or clears a hook. The box, if any, belongs to the library from
    /// here on; the hook it replaces is dropped during this call.
    fn set_hook(&mut self, hook: Hook, user: Option<UserData>) -> Result<(), Error> {
        let (user, destroy) = user.map_or((ptr::null_mut(), None), UserData::into_raw);
        let s = self.raw.as_ptr();
        // SAFETY: a live handle; `user` is NULL or a box for this hook's
        // trampoline (see the callers), which the library frees with
        // `destroy` exactly once, also if this call fails.
        check(unsafe {
            match hook {
                Hook::Denoiser(f) => sys::gi_set_denoiser(s, f, user, destroy),
                Hook::Progress(f) => sys::gi_set_progress(s, f, user, destroy),
            }
        })?;
        Ok(())
    }

    /// Sets the denoiser (`gi_set_denoiser`): `f(step, ids)` advances `ids`
    /// by one denoising step and refreshes their previews. A previous
    /// denoiser is dropped at once.
    pub fn set_denoiser<F>(&mut self, f: F) -> Result<(), Error>
    where
        F: FnMut(i32, &[i32]) -> CallbackResult + Send + 'env,
    {
        let user = UserData::new(f, self.failures.clone());
        self.set_hook(Hook::Denoiser(Some(callbacks::denoise::<F>)), Some(user))
    }

    /// Removes the denoiser (and drops it): the host drives the loop itself.
    pub fn clear_denoiser(&mut self) -> Result<(), Error> {
        self.set_hook(Hook::Denoiser(None), None)
    }

    /// Sets the progress hook (`gi_set_progress`): [`run`](Session::run)
    /// calls `f` after every step it completes, the last one too, with where
    /// the session stands. `ControlFlow::Continue(())` goes on;
    /// `ControlFlow::Break(())` makes `run` return [`Error::Cancelled`] after
    /// that step (ignored after the last step: the run is then complete).
    /// Nothing is lost by a cancel: `run` or `step` continue where it stopped.
    ///
    /// Only `run` calls the hook (`step` and `prune` return after one step
    /// anyway). A panic in `f` stops the run too, as [`Error::Panic`]; the
    /// hook is then poisoned (later runs stop after their first step with
    /// [`Error::Poisoned`]) until it is replaced or cleared. A previous hook
    /// is dropped at once.
    ///
    /// ```no_run
    /// # use groupinference::{Error, Options, Session};
    /// use std::ops::ControlFlow;
    /// # let mut s = Session::new(&Options::default())?;
    /// let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    /// s.set_progress(move |p| {
    ///     eprintln!("step {}/{}: {} alive", p.steps_done, p.num_steps, p.alive);
    ///     if std::time::Instant::now() < deadline { ControlFlow::Continue(()) } else { ControlFlow::Break(()) }
    /// })?;
    /// match s.run() {
    ///     Err(Error::Cancelled { .. }) => { /* s.run() again later continues */ }
    ///     other => { other?; }
    /// }
    /// # Ok::<(), groupinference::Error>(())
    /// ```
    pub fn set_progress<F>(&mut self, f: F) -> Result<(), Error>
    where
        F: FnMut(&Progress) -> ControlFlow<()> + Send + 'env,
    {
        let user = UserData::new(f, self.failures.clone());
        self.set_hook(Hook::Progress(Some(callbacks::progress::<F>)), Some(user))
    }

    /// Removes the progress hook (and drops it).
    pub fn clear_progress(&mut self) -> Result<(), Error> {
        self.set_hook(Hook::Progress(None), None)
    }
}

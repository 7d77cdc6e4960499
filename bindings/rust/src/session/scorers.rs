//! Scorer registration and pushed values: every scorer kind, with a closure
//! or pushed by the host, goes through one private path
//! ([`Session::add_scorer`]) that differs only by the row of [`Kind`] it is
//! given (rusqlite's model: one generic caller per closure kind, one
//! registration path).

use std::ffi::{c_char, c_void, CString};
use std::ptr;

use super::Session;
use crate::callbacks::{self, UserData};
use crate::error::{check, CallbackResult, Error, Status};
use crate::ids::ScorerId;
use crate::sys;

/// The table of scorer kinds: the C registrar each calls and, for a closure,
/// its trampoline (`None`: the host pushes the values).
enum Kind {
    Unary(sys::gi_unary_fn),
    Embedding(usize, sys::gi_embedding_fn),
    Pairwise(sys::gi_pairwise_fn),
}

impl Kind {
    fn function(&self) -> &'static str {
        match self {
            Kind::Unary(_) => "gi_add_unary_scorer",
            Kind::Embedding(..) => "gi_add_embedding_scorer",
            Kind::Pairwise(_) => "gi_add_pairwise_scorer",
        }
    }

    /// Calls the kind's registrar.
    ///
    /// # Safety
    /// A live session; `user` is NULL (no trampoline) or a box made for this
    /// kind's trampoline, which the library owns from this call on.
    #[rustfmt::skip]
    unsafe fn register(&self, s: *mut sys::gi_session, name: *const c_char, weight: f64, user: *mut c_void,
                       destroy: sys::gi_destroy_fn, id: &mut i32) -> sys::gi_status {
        match *self {
            Kind::Unary(f) => sys::gi_add_unary_scorer(s, name, weight, f, user, destroy, id),
            Kind::Embedding(dim, f) => sys::gi_add_embedding_scorer(s, name, weight, dim, f, user, destroy, id),
            Kind::Pairwise(f) => sys::gi_add_pairwise_scorer(s, name, weight, f, user, destroy, id),
        }
    }
}

impl<'env> Session<'env> {
    /// The one registration path: every `add_*` method is a row of [`Kind`]
    /// and, for a closure, its box.
    fn add_scorer(&mut self, name: &str, weight: f64, kind: Kind, user: Option<UserData>) -> Result<ScorerId, Error> {
        // A bad name returns here and drops `user`, which frees the box.
        let name = CString::new(name).map_err(|e| {
            Error::binding(
                Status::Argument,
                format!("{}: name contains a NUL byte at {}", kind.function(), e.nul_position()),
            )
        })?;
        let (user, destroy) = user.map_or((ptr::null_mut(), None), UserData::into_raw);
        let mut id = -1;
        // SAFETY: a live handle and a NUL-terminated name; `user` is NULL or
        // a box for this kind's trampoline (see the callers), which the
        // library frees with `destroy` exactly once, also if this call fails.
        check(unsafe { kind.register(self.raw.as_ptr(), name.as_ptr(), weight, user, destroy, &mut id) })?;
        self.scorers += 1;
        Ok(ScorerId(id))
    }

    fn boxed<F: Send + 'env>(&self, f: F) -> Option<UserData> {
        Some(UserData::new(f, self.failures.clone()))
    }

    /// Registers a unary scorer (`gi_add_unary_scorer`): `f(step, ids, scores)`
    /// writes one score per id into `scores` (`ids.len()` values). Scorers can
    /// be added only before the first step or prune; names are unique.
    pub fn add_unary_scorer<F>(&mut self, name: &str, weight: f64, f: F) -> Result<ScorerId, Error>
    where
        F: FnMut(i32, &[i32], &mut [f64]) -> CallbackResult + Send + 'env,
    {
        let user = self.boxed(f);
        self.add_scorer(name, weight, Kind::Unary(Some(callbacks::scores::<F, false>)), user)
    }

    /// Registers an embedding scorer (`gi_add_embedding_scorer`):
    /// `f(step, ids, embeddings)` writes `ids.len() * dim` floats, one
    /// row of `dim` per id; the library computes `1 - cos` between rows. No
    /// row may be all zeros.
    pub fn add_embedding_scorer<F>(&mut self, name: &str, weight: f64, dim: usize, f: F) -> Result<ScorerId, Error>
    where
        F: FnMut(i32, &[i32], &mut [f32]) -> CallbackResult + Send + 'env,
    {
        let user = self.boxed(f);
        self.add_scorer(name, weight, Kind::Embedding(dim, Some(callbacks::embedding::<F>)), user)
    }

    /// Registers a pairwise scorer (`gi_add_pairwise_scorer`):
    /// `f(step, ids, matrix)` writes an `n × n` row-major matrix of
    /// differences (`n = ids.len()`); the diagonal is ignored. The matrix is
    /// symmetric (`|m_ij − m_ji|` at most 1e-6 × its largest entry) or
    /// strictly triangular (the other
    /// triangle exactly 0: it is mirrored, λ is not halved); anything else
    /// fails the step with [`Status::Scores`] naming the first pair that
    /// breaks symmetry.
    pub fn add_pairwise_scorer<F>(&mut self, name: &str, weight: f64, f: F) -> Result<ScorerId, Error>
    where
        F: FnMut(i32, &[i32], &mut [f64]) -> CallbackResult + Send + 'env,
    {
        let user = self.boxed(f);
        self.add_scorer(name, weight, Kind::Pairwise(Some(callbacks::scores::<F, true>)), user)
    }

    /// Registers a unary scorer whose values the host pushes with
    /// [`push_unary`](Session::push_unary) (host-driven loops).
    pub fn add_pushed_unary_scorer(&mut self, name: &str, weight: f64) -> Result<ScorerId, Error> {
        self.add_scorer(name, weight, Kind::Unary(None), None)
    }

    /// Registers an embedding scorer whose values the host pushes with
    /// [`push_embeddings`](Session::push_embeddings).
    pub fn add_pushed_embedding_scorer(&mut self, name: &str, weight: f64, dim: usize) -> Result<ScorerId, Error> {
        self.add_scorer(name, weight, Kind::Embedding(dim, None), None)
    }

    /// Registers a pairwise scorer whose matrix the host pushes with
    /// [`push_pairwise`](Session::push_pairwise).
    pub fn add_pushed_pairwise_scorer(&mut self, name: &str, weight: f64) -> Result<ScorerId, Error> {
        self.add_scorer(name, weight, Kind::Pairwise(None), None)
    }

    /// Pushes unary scores of a pushed scorer for some alive candidates
    /// (`gi_push_unary`): `scores[a]` belongs to `ids[a]`. Pushed values
    /// describe the current previews and are forgotten when a step completes.
    pub fn push_unary(&mut self, scorer: ScorerId, ids: &[i32], scores: &[f64]) -> Result<(), Error> {
        if scores.len() != ids.len() {
            return Err(Error::binding(
                Status::Argument,
                format!("gi_push_unary: {} scores for {} ids; give one score per id", scores.len(), ids.len()),
            ));
        }
        // SAFETY: both slices hold ids.len() values.
        check(unsafe { sys::gi_push_unary(self.raw.as_ptr(), scorer.0, ids.as_ptr(), ids.len(), scores.as_ptr()) })?;
        Ok(())
    }

    /// Pushes embeddings (`gi_push_embeddings`): `ids.len() * dim` floats,
    /// row `a` for `ids[a]`. `dim` must be the scorer's.
    pub fn push_embeddings(
        &mut self,
        scorer: ScorerId,
        ids: &[i32],
        dim: usize,
        embeddings: &[f32],
    ) -> Result<(), Error> {
        if ids.len().checked_mul(dim) != Some(embeddings.len()) {
            return Err(Error::binding(
                Status::Argument,
                format!(
                    "gi_push_embeddings: {} values for {} ids of dim = {}; give ids.len() * dim",
                    embeddings.len(),
                    ids.len(),
                    dim
                ),
            ));
        }
        // SAFETY: embeddings holds ids.len() * dim values.
        check(unsafe {
            sys::gi_push_embeddings(self.raw.as_ptr(), scorer.0, ids.as_ptr(), ids.len(), dim, embeddings.as_ptr())
        })?;
        Ok(())
    }

    /// Pushes a pairwise matrix (`gi_push_pairwise`): `n × n` row-major over
    /// `ids` (`n = ids.len()`). It covers the pairs among `ids` and replaces
    /// this scorer's previous push. Symmetric or strictly triangular, as in
    /// [`add_pairwise_scorer`](Session::add_pairwise_scorer).
    pub fn push_pairwise(&mut self, scorer: ScorerId, ids: &[i32], matrix: &[f64]) -> Result<(), Error> {
        if ids.len().checked_mul(ids.len()) != Some(matrix.len()) {
            return Err(Error::binding(
                Status::Argument,
                format!("gi_push_pairwise: {} values for {} ids; give an n x n matrix", matrix.len(), ids.len()),
            ));
        }
        // SAFETY: matrix holds ids.len()² values.
        check(unsafe { sys::gi_push_pairwise(self.raw.as_ptr(), scorer.0, ids.as_ptr(), ids.len(), matrix.as_ptr()) })?;
        Ok(())
    }
}

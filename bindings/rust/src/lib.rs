//! Rust binding of **groupinference**: choose a diverse, high-quality group
//! of K of M candidate noises during diffusion sampling.
//!
//! The host draws M candidates and keeps its model, latents and scorers; the
//! library decides after each denoising step which candidates are worth
//! denoising further, by solving the quadratic integer program
//!
//! ```text
//! maximize   Σ_i u_i y_i + λ Σ_{i<j} b_ij y_i y_j   subject to  Σ_i y_i = K',  y ∈ {0,1}^n
//! ```
//!
//! so that only K are denoised to the end: about M + K·T model evaluations
//! instead of M·T.
//!
//! ## Stable core
//!
//! - [`Session`]: the run, with scorers and a denoiser as closures, or values
//!   the host pushes; [`step`](Session::step), [`prune`](Session::prune),
//!   [`run`](Session::run), [`result`](Session::result) and the trace
//!   [`Record`]s. [`Options`] configures it; [`Schedule`] says how the
//!   survivors shrink (`Ratio` or `Counts` in the core).
//! - [`solve_qip`]: a single selection from arrays.
//! - [`sys`]: the raw C declarations of `group_inference.h`.
//!
//! The core changes during 0.x only by additions (appended struct fields, new
//! functions, new enum values): code written against 0.y works with a 0.z
//! library, z ≥ y.
//!
//! ## Experimental
//!
//! These may still change during 0.x, as the header's "Experimental" section
//! says: they are tested and behave as documented, but a 0.x minor release
//! may rename them, change their fields or their meaning (each change is
//! named in its release notes). Code that must not follow such changes
//! should keep to the stable core.
//!
//! - calibration: [`calibrate`], [`Calibration`], schedule files
//!   ([`Schedule::File`], [`load_schedule`], [`save_schedule`]);
//! - diagnostics: [`Session::diagnostics`], [`Diagnostics`], [`Series`];
//! - trace groups: [`Record::group`];
//! - the adaptive schedule: [`Schedule::Adaptive`].
//!
//! Errors are [`Error`]: the library's status and message, or a closure's
//! error or panic. `GI_WARNING` (an exact solve that stopped at its time
//! limit) is not an error but [`Outcome::Unproven`].
//!
//! The crate links `libgroupinference.so`, found by `build.rs` in
//! `GROUPINFERENCE_LIB_DIR`, the repository's release build, pkg-config's
//! `libdir` or the standard system directories, in that order. A dependent
//! crate needs nothing for a library installed into a system prefix; for one
//! elsewhere its `build.rs` adds the rpath in `DEP_GROUPINFERENCE_RPATH` (see
//! the README).

mod calibration;
mod callbacks;
mod error;
mod ids;
mod options;
mod results;
mod session;
mod solve;
pub mod sys;

use std::ffi::CStr;
use std::sync::OnceLock;

pub use calibration::{calibrate, load_schedule, save_schedule, Calibration, Goal, ScheduleFile};
pub use error::{BoxError, CallbackResult, Error, Status};
pub use ids::ScorerId;
pub use options::{Normalize, Options, Schedule, SolveOptions, Solver};
pub use results::{BoundKind, Diagnostics, GroupResult, Outcome, Progress, QipSolution, Record, Series, SolveStatus};
pub use session::Session;
pub use solve::solve_qip;

/// The version of the loaded library as text, e.g. `"0.3.0"`.
pub fn version() -> &'static str {
    // SAFETY: static storage, never NULL.
    let text = unsafe { CStr::from_ptr(sys::gi_version_string()) };
    text.to_str().unwrap_or("?")
}

/// The loaded library's `GI_VERSION_NUMBER` (major·10000 + minor·100 + patch).
pub fn version_number() -> i32 {
    // SAFETY: no arguments, no state.
    unsafe { sys::gi_version_number() }
}

/// Checks once per process that the loaded library fits the header this
/// binding was written against (`sys::GI_VERSION_*`, 0.3.0): same major,
/// minor not older. A 0.2 library would not know the 0.3 fields of
/// `gi_options` and `gi_progress` nor the 0.3 functions.
pub(crate) fn check_version() -> Result<(), Error> {
    static CHECKED: OnceLock<Result<(), String>> = OnceLock::new();
    let checked = CHECKED.get_or_init(|| {
        let lib = version_number();
        if lib / 10000 == sys::GI_VERSION_MAJOR && lib / 100 % 100 >= sys::GI_VERSION_MINOR {
            Ok(())
        } else {
            Err(format!(
                "libgroupinference {} does not fit this binding, written for {}: the major versions must match \
                 and the library's minor must not be older",
                version(),
                sys::GI_VERSION_STRING
            ))
        }
    });
    checked.clone().map_err(|message| Error::binding(Status::Version, message))
}

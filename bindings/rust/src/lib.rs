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
//! - [`Session`]: the run, with scorers and a denoiser as closures, or values
//!   the host pushes; [`Options`] configures it, [`Schedule`] says how the
//!   survivors shrink (a ratio, fixed counts, adaptive within a budget, or a
//!   schedule file).
//! - The trace: a [`Record`] per scoring, and [`Session::diagnostics`] - how
//!   settled each record's scores are.
//! - [`calibrate`]: a schedule derived from full runs, saved with
//!   [`Calibration::save`] and read back by [`Schedule::File`] or
//!   [`load_schedule`].
//! - [`solve_qip`]: a single selection from arrays.
//! - [`sys`]: the raw C declarations of `group_inference.h`.
//!
//! Errors are [`Error`]: the library's status and message, or a closure's
//! error or panic. `GI_WARNING` (an exact solve that stopped at its time
//! limit) is not an error but [`Outcome::Unproven`].
//!
//! The crate links `libgroupinference.so`; see `build.rs` for where it is
//! found (`GROUPINFERENCE_LIB_DIR`, else the repository's release build).

mod calibration;
mod callbacks;
mod error;
mod options;
mod results;
mod session;
mod solve;
pub mod sys;

use std::ffi::CStr;
use std::sync::OnceLock;

pub use calibration::{calibrate, load_schedule, save_schedule, Calibration, Goal, ScheduleFile};
pub use error::{BoxError, CallbackResult, Error, Status};
pub use options::{Normalize, Options, Schedule, SolveOptions, Solver};
pub use results::{Diagnostics, GroupResult, Outcome, Progress, QipSolution, Record, Series, SolveStatus};
pub use session::{ScorerId, Session};
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
/// minor not older. A 0.1 library would not know the 0.2 fields of
/// `gi_options` nor the 0.2 functions.
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

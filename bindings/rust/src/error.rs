//! Errors: the library's status codes and messages, and failures of the
//! closures a session calls.

use std::ffi::CStr;
use std::fmt;

use crate::sys;

/// What a closure (scorer or denoiser) returns: `Ok(())`, or any error that
/// converts into a boxed error (`Err("text".into())`, or `?` on an
/// `io::Error`, ...). The error comes back from the driving call
/// ([`Session::step`](crate::Session::step), [`run`](crate::Session::run),
/// [`prune`](crate::Session::prune)) as [`Error::Callback`].
pub type CallbackResult = Result<(), BoxError>;

/// A boxed error that can cross threads.
pub type BoxError = Box<dyn std::error::Error + Send + Sync + 'static>;

/// The library's error codes (`gi_status` values below zero).
#[non_exhaustive]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Status {
    /// `GI_ERR_ARGUMENT`: a value out of range, a wrong size.
    Argument,
    /// `GI_ERR_HANDLE`: not a live session (cannot happen through the safe API).
    Handle,
    /// `GI_ERR_STATE`: a call out of order (step after the last, results
    /// before the end, scorers added too late).
    State,
    /// `GI_ERR_SCORES`: a NaN/Inf score, a zero embedding, scores missing.
    Scores,
    /// `GI_ERR_CALLBACK`: a scorer or the denoiser failed.
    Callback,
    /// `GI_ERR_SOLVER`: the MIP solver reported a failure.
    Solver,
    /// `GI_ERR_LIMIT`: a size beyond the library's limits.
    Limit,
    /// `GI_ERR_VERSION`: a struct size or library version that does not fit.
    Version,
    /// `GI_ERR_INTERNAL`: a bug in the library.
    Internal,
    /// `GI_ERR_CANCELLED`: the progress hook asked [`run`](crate::Session::run)
    /// to stop; the session is intact and resumable. Since 0.3.
    Cancelled,
    /// A code this binding does not know (a newer library).
    Unknown(i32),
}

impl Status {
    /// Maps a negative `gi_status`.
    pub fn from_code(code: i32) -> Status {
        match code {
            sys::GI_ERR_ARGUMENT => Status::Argument,
            sys::GI_ERR_HANDLE => Status::Handle,
            sys::GI_ERR_STATE => Status::State,
            sys::GI_ERR_SCORES => Status::Scores,
            sys::GI_ERR_CALLBACK => Status::Callback,
            sys::GI_ERR_SOLVER => Status::Solver,
            sys::GI_ERR_LIMIT => Status::Limit,
            sys::GI_ERR_VERSION => Status::Version,
            sys::GI_ERR_INTERNAL => Status::Internal,
            sys::GI_ERR_CANCELLED => Status::Cancelled,
            other => Status::Unknown(other),
        }
    }

    /// The `gi_status` value.
    pub fn code(self) -> i32 {
        match self {
            Status::Argument => sys::GI_ERR_ARGUMENT,
            Status::Handle => sys::GI_ERR_HANDLE,
            Status::State => sys::GI_ERR_STATE,
            Status::Scores => sys::GI_ERR_SCORES,
            Status::Callback => sys::GI_ERR_CALLBACK,
            Status::Solver => sys::GI_ERR_SOLVER,
            Status::Limit => sys::GI_ERR_LIMIT,
            Status::Version => sys::GI_ERR_VERSION,
            Status::Internal => sys::GI_ERR_INTERNAL,
            Status::Cancelled => sys::GI_ERR_CANCELLED,
            Status::Unknown(code) => code,
        }
    }
}

impl fmt::Display for Status {
    /// The library's short description (`gi_status_string`).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // SAFETY: gi_status_string returns static storage, never NULL, and
        // leaves this thread's last-error text alone.
        let text = unsafe { CStr::from_ptr(sys::gi_status_string(self.code())) };
        f.write_str(&text.to_string_lossy())
    }
}

/// An error from the library or from a closure it called.
///
/// Every variant has a [`status`](Error::status) (the C status code it stands
/// for) and a [`message`](Error::message): the library's `gi_last_error()`
/// text, copied right after the failing call on the same thread, which names
/// the function, argument, scorer, candidate or step; or, for the few checks
/// the binding makes before calling C (slice lengths, NUL bytes in names, the
/// library version), a message of the same kind.
#[non_exhaustive]
#[derive(Debug)]
pub enum Error {
    /// The library refused the call.
    Library { status: Status, message: String },
    /// A closure returned `Err`. `message` is the library's (it names the
    /// scorer or the denoiser and the step); `source` is the closure's error.
    Callback { message: String, source: BoxError },
    /// A closure panicked. The panic was caught before it reached C; the
    /// closure is poisoned: later calls to it fail at once with
    /// [`Error::Poisoned`] instead of running it on state the panic may have
    /// left half-updated. `panic` is the panic's message.
    Panic { message: String, panic: String },
    /// A closure that panicked earlier was called again. `message` is the
    /// library's; `panic` is the original panic's message.
    Poisoned { message: String, panic: String },
    /// The progress hook ([`Session::set_progress`](crate::Session::set_progress))
    /// returned `ControlFlow::Break`: [`run`](crate::Session::run) stopped
    /// after a completed step. Nothing is lost: the session is as that step
    /// left it, and `run` or `step` continue from there. Since 0.3.
    Cancelled { message: String },
}

impl Error {
    /// The status code this error stands for (`Callback` for the closure
    /// variants).
    pub fn status(&self) -> Status {
        match self {
            Error::Library { status, .. } => *status,
            Error::Cancelled { .. } => Status::Cancelled,
            Error::Callback { .. } | Error::Panic { .. } | Error::Poisoned { .. } => Status::Callback,
        }
    }

    /// The library's message (what `gi_last_error()` said), or the binding's
    /// own for checks made before calling C.
    pub fn message(&self) -> &str {
        match self {
            Error::Library { message, .. }
            | Error::Callback { message, .. }
            | Error::Panic { message, .. }
            | Error::Poisoned { message, .. }
            | Error::Cancelled { message } => message,
        }
    }

    /// The panic message if a closure panicked (now or earlier).
    pub fn panic_message(&self) -> Option<&str> {
        match self {
            Error::Panic { panic, .. } | Error::Poisoned { panic, .. } => Some(panic),
            _ => None,
        }
    }

    pub(crate) fn binding(status: Status, message: impl Into<String>) -> Error {
        Error::Library { status, message: message.into() }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Library { status, message } => {
                if message.is_empty() {
                    write!(f, "{status}")
                } else {
                    f.write_str(message)
                }
            }
            Error::Callback { message, source } => write!(f, "{message}: {source}"),
            Error::Panic { message, panic } => write!(f, "{message}: the closure panicked: {panic}"),
            Error::Poisoned { message, panic } => {
                write!(f, "{message}: the closure panicked earlier ({panic}) and is not called again")
            }
            Error::Cancelled { message } => f.write_str(message),
        }
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Error::Callback { source, .. } => Some(&**source),
            _ => None,
        }
    }
}

/// This thread's `gi_last_error()` text, copied.
pub(crate) fn last_error() -> String {
    // SAFETY: never NULL; valid until the next call into the library on this
    // thread, and it is copied before anything else is called.
    unsafe { CStr::from_ptr(sys::gi_last_error()) }.to_string_lossy().into_owned()
}

/// `Ok(true)` for GI_WARNING, `Ok(false)` for GI_OK (or any other
/// non-negative code), the library's error otherwise. Call it right after
/// the C call, before anything else touches the library on this thread.
pub(crate) fn check(status: sys::gi_status) -> Result<bool, Error> {
    if status >= 0 {
        return Ok(status == sys::GI_WARNING);
    }
    let message = last_error();
    Err(match status {
        sys::GI_ERR_CANCELLED => Error::Cancelled { message },
        _ => Error::Library { status: Status::from_code(status), message },
    })
}

//! Calibration: a survivor schedule derived from full runs, and the schedule
//! files that carry it to later sessions.

use std::mem::size_of;
use std::path::Path;
use std::ptr;

use crate::error::{check, Error, Status};
use crate::options::{c_path, Schedule};
use crate::session::Session;
use crate::{check_version, sys};

/// What [`calibrate`] aims for.
///
/// *Experimental*: may change during 0.x (see [the crate docs](crate#experimental)).
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Goal {
    /// The most retention within this many model evaluations, as a fraction
    /// of M·T in `(0, 1]`.
    Budget(f64),
    /// The fewest model evaluations that keep at least this share, in
    /// `(0, 1]`, of full selection's gain over i.i.d. sampling.
    Retention(f64),
}

impl Goal {
    fn to_raw(self) -> sys::gi_calibration_goal {
        // The C struct tells the two goals apart by budget = 0.
        let (budget, retention) = match self {
            Goal::Budget(b) => (b, 0.0),
            Goal::Retention(r) => (0.0, r),
        };
        sys::gi_calibration_goal { struct_size: size_of::<sys::gi_calibration_goal>(), budget, retention }
    }
}

/// A schedule derived by [`calibrate`], with what it was measured to keep on
/// the runs.
///
/// Retention is `(f(schedule) − f(i.i.d.)) / (f(full) − f(i.i.d.))` under the
/// final scores: 1 means the schedule found the group that denoising every
/// candidate to the end finds, 0 means no better than K random candidates.
///
/// *Experimental*: may change during 0.x (see [the crate docs](crate#experimental)).
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq)]
pub struct Calibration {
    /// M of the runs.
    pub candidates: i32,
    /// K of the runs.
    pub group_size: i32,
    /// T of the runs.
    pub steps: i32,
    /// λ of the runs: saved files record it, and sessions with another λ
    /// refuse them (retention depends on λ).
    pub lambda: f64,
    /// Survivors after each step: T entries, non-increasing, the last K.
    pub counts: Vec<i32>,
    /// Per step `t` (T values): mean retention when the final group is chosen
    /// directly with step `t`'s scores. The last is (close to) 1.
    pub step_retention: Vec<f64>,
    /// Per step `t` (T values): mean share of that group which is in full
    /// selection's group.
    pub step_overlap: Vec<f64>,
    /// Model evaluations the schedule spends: M + Σ_{t<T−1} counts\[t\].
    pub evaluations: i64,
    /// `evaluations` as a fraction of M·T.
    pub evaluations_fraction: f64,
    /// Mean retention of the schedule over the runs.
    pub retention: f64,
    /// The worst run's retention.
    pub retention_min: f64,
    /// The first step that prunes (T−1 if only the last one does).
    pub first_prune_step: i32,
    /// Runs it was derived from.
    pub num_runs: i32,
}

impl Calibration {
    /// The schedule to run it with: [`Schedule::Counts`] of `counts` (for
    /// sessions of the same M, K and T).
    pub fn schedule(&self) -> Schedule {
        Schedule::Counts(self.counts.clone())
    }

    /// M, K, T, λ and the counts, as a schedule file holds them.
    pub fn schedule_file(&self) -> ScheduleFile {
        ScheduleFile::new(self.candidates, self.group_size, self.steps, self.counts.clone()).with_lambda(self.lambda)
    }

    /// Writes the schedule with its measured retention as a small JSON file
    /// (`gi_schedule_save`), for [`Schedule::File`] and [`load_schedule`].
    pub fn save(&self, path: impl AsRef<Path>) -> Result<(), Error> {
        let report = sys::gi_calibration_report {
            evaluations: self.evaluations,
            evaluations_fraction: self.evaluations_fraction,
            retention: self.retention,
            retention_min: self.retention_min,
            first_prune_step: self.first_prune_step,
            num_runs: self.num_runs,
        };
        save(path.as_ref(), &self.schedule_file(), Some(&report))
    }
}

/// The content of a schedule file (`gi_schedule_save` / `gi_schedule_load`):
/// M, K, T, the λ it suits (if recorded) and the survivor counts.
///
/// *Experimental*: may change during 0.x (see [the crate docs](crate#experimental)).
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq)]
pub struct ScheduleFile {
    /// M.
    pub candidates: i32,
    /// K.
    pub group_size: i32,
    /// T.
    pub steps: i32,
    /// The λ it was calibrated for; a session with another λ refuses the
    /// file. `None`: not recorded.
    pub lambda: Option<f64>,
    /// Survivors after each step: `steps` entries, non-increasing, each in
    /// `[K, M]`, the last K.
    pub counts: Vec<i32>,
}

impl ScheduleFile {
    pub fn new(candidates: i32, group_size: i32, steps: i32, counts: Vec<i32>) -> ScheduleFile {
        ScheduleFile { candidates, group_size, steps, lambda: None, counts }
    }

    /// Records the λ the schedule suits.
    pub fn with_lambda(mut self, lambda: f64) -> ScheduleFile {
        self.lambda = Some(lambda);
        self
    }

    /// The schedule to run it with: [`Schedule::Counts`] of `counts`.
    pub fn schedule(&self) -> Schedule {
        Schedule::Counts(self.counts.clone())
    }
}

/// Derives a survivor schedule from full runs (`gi_calibrate`).
///
/// Each run must be a **finished full run**: a session that denoised every
/// candidate to the end and scored every step - created with
/// `trace_every_step(true)` and `Schedule::Ratio { first_step: T − 1, .. }`
/// (nothing pruned before the last step), then [`run`](Session::run) to the
/// end. All runs have the same M, K, T and λ, and none appears twice. The
/// sessions are only read: they stay usable afterwards.
///
/// Every schedule of a family (keep all M until step f, then fall
/// geometrically to K by step g) is replayed on the runs - their previews are
/// what a pruned run would have seen, since candidates are denoised
/// independently - and the one that best meets `goal` is returned. A goal no
/// schedule of the family meets is an error ([`Status::Argument`]), as is a
/// run that pruned early (the message names the run and the step); a run not
/// finished is [`Status::State`].
///
/// ```no_run
/// use groupinference::{calibrate, Goal, Options, Schedule, Session};
/// let full = Options::default().candidates(64).group_size(4).steps(20).trace_every_step(true)
///     .schedule(Schedule::Ratio { ratio: 0.5, first_step: 19 });
/// # let (mut a, mut b) = (Session::new(&full)?, Session::new(&full)?);
/// // ... scorers and denoiser on a and b (two prompts), then:
/// a.run()?;
/// b.run()?;
/// let c = calibrate(&[&a, &b], Goal::Budget(0.3))?;
/// println!("{:?}: {} evaluations, retention {:.3}", c.counts, c.evaluations, c.retention);
/// c.save("schedule.json")?;
/// let fast = Options::default().candidates(64).group_size(4).steps(20)
///     .schedule(Schedule::File("schedule.json".into()));
/// # Ok::<(), groupinference::Error>(())
/// ```
///
/// *Experimental*: may change during 0.x (see [the crate docs](crate#experimental)).
pub fn calibrate(runs: &[&Session<'_>], goal: Goal) -> Result<Calibration, Error> {
    check_version()?;
    let Some(first) = runs.first() else {
        return Err(Error::binding(Status::Argument, "gi_calibrate: runs is empty; give at least one full run"));
    };
    // gi_calibrate writes T values into each array: T of run 0, which every
    // other run must match (the library checks).
    let steps = first.progress()?.num_steps;
    let t = usize::try_from(steps).unwrap_or(0);
    let handles: Vec<*const sys::gi_session> = runs.iter().map(|s| s.as_ptr().cast_const()).collect();
    let raw_goal = goal.to_raw();
    let mut counts = vec![0i32; t];
    let mut step_retention = vec![f64::NAN; t];
    let mut step_overlap = vec![f64::NAN; t];
    let mut report = sys::gi_calibration_report::default();
    // SAFETY: `handles` holds runs.len() live sessions, borrowed for the call;
    // each output array has room for T values, as many as the library writes;
    // the goal and report are valid structs of the sizes passed.
    check(unsafe {
        sys::gi_calibrate(
            handles.as_ptr(),
            handles.len(),
            &raw_goal,
            counts.as_mut_ptr(),
            counts.len(),
            step_retention.as_mut_ptr(),
            step_overlap.as_mut_ptr(),
            &mut report,
            size_of::<sys::gi_calibration_report>(),
        )
    })?;
    // Run 0 is done now (the library checked): M from M·T, K from its group.
    let progress = first.progress()?;
    let candidates = if steps > 0 { progress.naive_evaluations / i64::from(steps) } else { 0 };
    let mut group_size = 0usize;
    // SAFETY: a live handle; NULL asks only for the count.
    check(unsafe { sys::gi_result_ids(first.as_ptr(), ptr::null_mut(), 0, &mut group_size) })?;
    Ok(Calibration {
        candidates: i32::try_from(candidates).unwrap_or(i32::MAX),
        group_size: i32::try_from(group_size).unwrap_or(i32::MAX),
        steps,
        lambda: first.lambda(),
        counts,
        step_retention,
        step_overlap,
        evaluations: report.evaluations,
        evaluations_fraction: report.evaluations_fraction,
        retention: report.retention,
        retention_min: report.retention_min,
        first_prune_step: report.first_prune_step,
        num_runs: report.num_runs,
    })
}

/// Writes a schedule as a small JSON file (`gi_schedule_save`) that
/// [`Schedule::File`] and [`load_schedule`] read. The library checks the
/// counts against M, K and T. [`Calibration::save`] also records the
/// measured retention.
///
/// *Experimental*: may change during 0.x (see [the crate docs](crate#experimental)).
pub fn save_schedule(path: impl AsRef<Path>, schedule: &ScheduleFile) -> Result<(), Error> {
    save(path.as_ref(), schedule, None)
}

fn save(path: &Path, schedule: &ScheduleFile, report: Option<&sys::gi_calibration_report>) -> Result<(), Error> {
    check_version()?;
    // The library reads `steps` counts: a shorter Vec would be read out of bounds.
    if i64::try_from(schedule.counts.len()).ok() != Some(i64::from(schedule.steps)) {
        return Err(Error::binding(
            Status::Argument,
            format!(
                "gi_schedule_save: counts has {} entries; it needs one per step (steps = {})",
                schedule.counts.len(),
                schedule.steps
            ),
        ));
    }
    let c_path = c_path("gi_schedule_save", "path", path)?;
    let (report, report_size) = match report {
        Some(r) => (r as *const sys::gi_calibration_report, size_of::<sys::gi_calibration_report>()),
        None => (ptr::null(), 0),
    };
    // SAFETY: a NUL-terminated path; counts holds `steps` values (checked
    // above); report is NULL or a valid struct of the size passed.
    check(unsafe {
        sys::gi_schedule_save(
            c_path.as_ptr(),
            schedule.candidates,
            schedule.group_size,
            schedule.steps,
            schedule.lambda.unwrap_or(f64::NAN),
            schedule.counts.as_ptr(),
            report,
            report_size,
        )
    })?;
    Ok(())
}

/// Reads a schedule file (`gi_schedule_load`): M, K, T and the counts. A
/// missing, unreadable or malformed file is [`Status::Argument`] with a
/// message naming the path and what is wrong.
///
/// *Experimental*: may change during 0.x (see [the crate docs](crate#experimental)).
pub fn load_schedule(path: impl AsRef<Path>) -> Result<ScheduleFile, Error> {
    check_version()?;
    let c_path = c_path("gi_schedule_load", "path", path.as_ref())?;
    let (mut m, mut k, mut t) = (0i32, 0i32, 0i32);
    let mut lambda = f64::NAN;
    let mut count = 0usize;
    // SAFETY: a NUL-terminated path and valid out-pointers; NULL counts asks
    // only for their number.
    check(unsafe {
        sys::gi_schedule_load(c_path.as_ptr(), &mut m, &mut k, &mut t, &mut lambda, ptr::null_mut(), 0, &mut count)
    })?;
    let mut counts = vec![0i32; count];
    // SAFETY: as above, with room for `count` values. The file is read again:
    // if it changed in between, the library refuses a larger count
    // (capacity) and reports a smaller one.
    check(unsafe {
        sys::gi_schedule_load(
            c_path.as_ptr(),
            &mut m,
            &mut k,
            &mut t,
            &mut lambda,
            counts.as_mut_ptr(),
            counts.len(),
            &mut count,
        )
    })?;
    counts.truncate(count);
    Ok(ScheduleFile { candidates: m, group_size: k, steps: t, lambda: (!lambda.is_nan()).then_some(lambda), counts })
}

//! toy_host - a complete host of groupinference in Rust, the twin of
//! examples/c/toy_host.c.
//!
//! It plays the part of an image generator: M candidates, each a point in a
//! small feature space, start as noise and move toward their final state over
//! T denoising steps; the "preview" of a candidate is its current state. The
//! library decides after each step which candidates are worth denoising
//! further, so that only K reach the end.
//!
//! Scorers: quality (unary) rewards candidates whose preview lies near one of
//! a few "good" modes, as a CLIP score would; diversity (embedding) hands the
//! previews to the library, which turns them into 1 - cos distances.
//!
//! Run: cargo run --offline --example toy_host

use std::process::ExitCode;
use std::sync::Mutex;

use groupinference::{Options, Schedule, Session};

const M: usize = 32;
const K: usize = 4;
const T: usize = 12;
const DIM: usize = 8;
const MODES: usize = 4;

/// A small deterministic generator (xorshift64), so every run prints the same.
struct Rng(u64);

impl Rng {
    fn uniform(&mut self) -> f64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 >> 11) as f64 / 9007199254740992.0
    }

    fn gaussian(&mut self) -> f64 {
        let u = self.uniform() + 1e-12;
        let v = self.uniform();
        (-2.0 * u.ln()).sqrt() * (std::f64::consts::TAU * v).cos()
    }
}

struct Host {
    target: [[f32; DIM]; M], // where each candidate ends up
    state: [[f32; DIM]; M],  // its latent now
    steps_done: [usize; M],
    model_calls: i64,
    modes: [[f32; DIM]; MODES],
}

impl Host {
    fn new() -> Host {
        let mut rng = Rng(0x9E3779B97F4A7C15);
        let mut h = Host {
            target: [[0.0; DIM]; M],
            state: [[0.0; DIM]; M],
            steps_done: [0; M],
            model_calls: 0,
            modes: [[0.0; DIM]; MODES],
        };
        for mode in h.modes.iter_mut() {
            for x in mode.iter_mut() {
                *x = rng.gaussian() as f32;
            }
        }
        for i in 0..M {
            // Most candidates fall near a mode (mode 0 more often), some nowhere.
            let m = (rng.uniform() * MODES as f64 * 1.5) as usize;
            for d in 0..DIM {
                let centre = if m < MODES { f64::from(h.modes[m][d]) } else { 0.0 };
                h.target[i][d] = (centre + 0.35 * rng.gaussian()) as f32;
                h.state[i][d] = rng.gaussian() as f32; // pure noise
            }
        }
        h
    }

    /// One model evaluation per candidate moves it 1/(T - step) of the
    /// remaining way to its target.
    fn denoise(&mut self, step: i32, ids: &[i32]) {
        let frac = 1.0 / (T as f32 - step as f32);
        for &id in ids {
            let i = id as usize;
            for d in 0..DIM {
                self.state[i][d] += frac * (self.target[i][d] - self.state[i][d]);
            }
            self.steps_done[i] = step as usize + 1;
            self.model_calls += 1;
        }
    }

    /// The preview after the candidate's last step: its state. Early previews
    /// are still mostly noise, as real x0_hat estimates are blurry.
    fn preview(&self, id: i32) -> &[f32; DIM] {
        &self.state[id as usize]
    }

    /// Closeness of the preview to the nearest mode.
    fn quality(&self, id: i32) -> f64 {
        let p = self.preview(id);
        let best = self
            .modes
            .iter()
            .map(|mode| p.iter().zip(mode).map(|(a, b)| f64::from(a - b).powi(2)).sum::<f64>())
            .fold(f64::INFINITY, f64::min);
        (-0.5 * best / DIM as f64).exp()
    }
}

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("toy_host: {e}");
            ExitCode::FAILURE
        }
    }
}

fn run() -> Result<(), Box<dyn std::error::Error>> {
    // The denoiser writes the host's state and the scorers read it; the
    // closures borrow it through a Mutex (the session may move between
    // threads, so what its closures hold must be Send).
    let host = Mutex::new(Host::new());

    let options = Options::default()
        .candidates(M as i32)
        .group_size(K as i32)
        .steps(T as i32)
        .lambda(0.5)
        .schedule(Schedule::Ratio { ratio: 0.5, first_step: 0 }); // halve after every step
    let mut session = Session::new(&options)?;
    session.add_unary_scorer("quality", 1.0, |_step, ids, scores| {
        let h = host.lock().unwrap();
        for (score, &id) in scores.iter_mut().zip(ids) {
            *score = h.quality(id);
        }
        Ok(())
    })?;
    session.add_embedding_scorer("diversity", 1.0, DIM, |_step, ids, rows| {
        let h = host.lock().unwrap();
        for (row, &id) in rows.chunks_exact_mut(DIM).zip(ids) {
            row.copy_from_slice(h.preview(id));
        }
        Ok(())
    })?;
    session.set_denoiser(|step, ids| {
        host.lock().unwrap().denoise(step, ids);
        Ok(())
    })?;

    let outcome = session.run()?;
    let group = session.result()?;

    println!("groupinference {}: {M} candidates, group of {K}, {T} steps", groupinference::version());
    let prunes: Vec<String> = session.records()?.iter().map(|r| format!("{}->{}", r.ids.len(), r.kept.len())).collect();
    println!("survivors per prune: {}", prunes.join(" "));
    let chosen: Vec<String> =
        group.ids.iter().zip(&group.unary).map(|(id, u)| format!("#{id} (quality {u:.3})")).collect();
    println!("chosen group: {}", chosen.join(" "));
    println!(
        "objective: {:.4}{}",
        group.objective,
        if outcome.is_unproven() { " (an exact solve hit its time limit)" } else { "" }
    );
    println!(
        "model evaluations: {} of {} for denoising all ({:.1}% saved)",
        group.evaluations,
        group.naive_evaluations,
        100.0 * (1.0 - group.evaluations as f64 / group.naive_evaluations as f64)
    );

    let h = host.lock().unwrap();
    if group.evaluations != h.model_calls {
        return Err(format!("library counted {} evaluations, host {}", group.evaluations, h.model_calls).into());
    }
    if let Some(id) = group.ids.iter().find(|&&id| h.steps_done[id as usize] != T) {
        return Err(format!("candidate {id} was not denoised to the end").into());
    }
    Ok(())
}

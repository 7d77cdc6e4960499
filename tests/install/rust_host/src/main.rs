//! rust_host - a small host of groupinference from outside the binding: a
//! session end to end with closures (quality, look, denoiser, progress), then
//! what it chose and which library file the process loaded.

use std::ops::ControlFlow;
use std::process::ExitCode;

use groupinference::{Options, Session};

const M: i32 = 16;
const K: i32 = 3;
const T: i32 = 6;

/// The path of the groupinference library this process mapped.
fn loaded_library() -> Option<String> {
    let maps = std::fs::read_to_string("/proc/self/maps").ok()?;
    maps.lines()
        .filter_map(|l| l.split_whitespace().nth(5))
        .find(|p| p.contains("libgroupinference"))
        .map(str::to_owned)
}

fn run() -> Result<(), Box<dyn std::error::Error>> {
    // Before the session: its closures borrow them.
    let mut denoised = 0i64;
    let mut reports = 0;
    let mut s = Session::new(&Options::default().candidates(M).group_size(K).steps(T).lambda(0.5))?;
    s.add_unary_scorer("quality", 1.0, |_step, ids, out| {
        for (o, &id) in out.iter_mut().zip(ids) {
            *o = f64::from((id * 7) % M) / f64::from(M);
        }
        Ok(())
    })?;
    s.add_embedding_scorer("look", 1.0, 3, |_step, ids, out| {
        for (row, &id) in out.chunks_exact_mut(3).zip(ids) {
            row.copy_from_slice(&[1.0 + (id % 4) as f32, 1.0 + (id % 3) as f32, 1.0]);
        }
        Ok(())
    })?;
    s.set_denoiser(|_step, ids| {
        denoised += ids.len() as i64;
        Ok(())
    })?;
    s.set_progress(|_| {
        reports += 1;
        ControlFlow::Continue(())
    })?;
    s.run()?;
    let group = s.result()?;
    drop(s); // ends the closures' borrows
    if group.ids.len() != K as usize || denoised != group.evaluations || reports != T {
        let (n, e) = (group.ids.len(), group.evaluations);
        return Err(format!("a group of {n} ids; {denoised} denoised for {e} evaluations; {reports} reports").into());
    }
    println!("groupinference {}: group {:?}, objective {:.4}", groupinference::version(), group.ids, group.objective);
    println!("model evaluations: {} of {}", group.evaluations, group.naive_evaluations);
    Ok(())
}

fn main() -> ExitCode {
    let outcome = run();
    println!("loaded: {}", loaded_library().unwrap_or_else(|| "unknown".into()));
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("rust_host: {e}");
            ExitCode::FAILURE
        }
    }
}

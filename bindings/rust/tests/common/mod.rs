//! Shared by the integration tests: a small deterministic host, a PRNG, brute
//! force, and a minimal JSON reader for the shared QIP instances.
#![allow(dead_code)]

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use groupinference::{Options, Session};

pub const M: usize = 12;
pub const K: usize = 3;
pub const T: usize = 4;
pub const DIM: usize = 4;

/// The repository root (the crate lives in bindings/rust).
pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// Quality of candidate i, as in tests/c/api_test.c.
pub fn quality(i: i32) -> f64 {
    0.1 + 0.8 * ((i as usize * 7) % M) as f64 / M as f64
}

/// Look (embedding) of candidate i, as in tests/c/api_test.c.
pub fn look(i: i32) -> [f32; DIM] {
    let mut v = [0.0f32; DIM];
    for (d, x) in v.iter_mut().enumerate() {
        *x = (1 + ((i as usize * 5 + d * 3) % 7)) as f32;
    }
    v
}

pub fn pair(a: i32, b: i32) -> f64 {
    if a == b {
        0.0
    } else {
        f64::from((a - b).abs()) / M as f64
    }
}

pub fn options(m: usize, k: usize, t: usize) -> Options {
    Options::default().candidates(m as i32).group_size(k as i32).steps(t as i32).lambda(0.5)
}

/// A session with the api_test scorers (quality, look, pairs) and a denoiser
/// that counts calls per candidate into `denoised`.
pub fn full_session(opts: &Options, denoised: Arc<std::sync::Mutex<Vec<usize>>>) -> Session<'static> {
    let mut s = Session::new(opts).expect("create");
    s.add_unary_scorer("quality", 1.0, |_step, ids, out| {
        for (o, &id) in out.iter_mut().zip(ids) {
            *o = quality(id);
        }
        Ok(())
    })
    .expect("unary");
    s.add_embedding_scorer("look", 1.0, DIM, |_step, ids, out| {
        for (row, &id) in out.chunks_exact_mut(DIM).zip(ids) {
            row.copy_from_slice(&look(id));
        }
        Ok(())
    })
    .expect("embedding");
    s.add_pairwise_scorer("pairs", 0.5, |_step, ids, out| {
        let n = ids.len();
        for a in 0..n {
            for b in 0..n {
                out[a * n + b] = pair(ids[a], ids[b]);
            }
        }
        Ok(())
    })
    .expect("pairwise");
    s.set_denoiser(move |_step, ids| {
        let mut d = denoised.lock().unwrap();
        for &id in ids {
            d[id as usize] += 1;
        }
        Ok(())
    })
    .expect("denoiser");
    s
}

/// Counts drops: clone it into a closure; each clone adds one when dropped.
#[derive(Clone)]
pub struct DropCounter(pub Arc<AtomicUsize>);

impl DropCounter {
    pub fn new() -> DropCounter {
        DropCounter(Arc::new(AtomicUsize::new(0)))
    }
    pub fn drops(&self) -> usize {
        self.0.load(Ordering::SeqCst)
    }
    /// A token whose drop is counted.
    pub fn token(&self) -> DropToken {
        DropToken(self.0.clone())
    }
}

pub struct DropToken(Arc<AtomicUsize>);

impl Drop for DropToken {
    fn drop(&mut self) {
        self.0.fetch_add(1, Ordering::SeqCst);
    }
}

/// splitmix64: a tiny deterministic PRNG.
pub struct Rng(pub u64);

impl Rng {
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E3779B97F4A7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58476D1CE4E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D049BB133111EB);
        z ^ (z >> 31)
    }
    /// Uniform in [0, 1).
    pub fn uniform(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }
}

/// The objective of `selection` (indices into `unary`).
pub fn objective(unary: &[f64], pairwise: &[f64], lambda: f64, selection: &[usize]) -> f64 {
    let n = unary.len();
    let mut v = 0.0;
    for (a, &i) in selection.iter().enumerate() {
        v += unary[i];
        for &j in &selection[a + 1..] {
            v += lambda * pairwise[i * n + j];
        }
    }
    v
}

/// The best objective over all k-subsets (small n).
pub fn brute_force(unary: &[f64], pairwise: &[f64], lambda: f64, k: usize) -> f64 {
    let n = unary.len();
    let mut best = f64::NEG_INFINITY;
    for mask in 0u32..(1 << n) {
        if mask.count_ones() as usize != k {
            continue;
        }
        let sel: Vec<usize> = (0..n).filter(|i| mask >> i & 1 == 1).collect();
        best = best.max(objective(unary, pairwise, lambda, &sel));
    }
    best
}

pub fn relative_difference(a: f64, b: f64) -> f64 {
    (a - b).abs() / a.abs().max(b.abs()).max(1.0)
}

/// A JSON value: enough of JSON for the instance files.
#[derive(Debug, Clone, PartialEq)]
pub enum Json {
    Null,
    Bool(bool),
    Number(f64),
    String(String),
    Array(Vec<Json>),
    Object(BTreeMap<String, Json>),
}

impl Json {
    pub fn parse(text: &str) -> Result<Json, String> {
        let mut p = JsonParser { s: text.as_bytes(), i: 0 };
        let v = p.value()?;
        p.ws();
        if p.i != p.s.len() {
            return Err(format!("trailing text at byte {}", p.i));
        }
        Ok(v)
    }
    pub fn get(&self, key: &str) -> &Json {
        match self {
            Json::Object(m) => m.get(key).unwrap_or(&Json::Null),
            _ => &Json::Null,
        }
    }
    pub fn num(&self) -> Option<f64> {
        match self {
            Json::Number(x) => Some(*x),
            _ => None,
        }
    }
    pub fn bool(&self) -> Option<bool> {
        match self {
            Json::Bool(b) => Some(*b),
            _ => None,
        }
    }
    pub fn str(&self) -> Option<&str> {
        match self {
            Json::String(s) => Some(s),
            _ => None,
        }
    }
    /// Every number of a (nested) array, flattened in order.
    pub fn numbers(&self) -> Vec<f64> {
        let mut out = Vec::new();
        fn walk(v: &Json, out: &mut Vec<f64>) {
            match v {
                Json::Number(x) => out.push(*x),
                Json::Array(a) => a.iter().for_each(|x| walk(x, out)),
                _ => {}
            }
        }
        walk(self, &mut out);
        out
    }
}

struct JsonParser<'a> {
    s: &'a [u8],
    i: usize,
}

impl JsonParser<'_> {
    fn ws(&mut self) {
        while self.i < self.s.len() && self.s[self.i].is_ascii_whitespace() {
            self.i += 1;
        }
    }
    fn eat(&mut self, c: u8) -> Result<(), String> {
        self.ws();
        if self.s.get(self.i) == Some(&c) {
            self.i += 1;
            Ok(())
        } else {
            Err(format!("expected '{}' at byte {}", c as char, self.i))
        }
    }
    fn literal(&mut self, word: &str, v: Json) -> Result<Json, String> {
        if self.s[self.i..].starts_with(word.as_bytes()) {
            self.i += word.len();
            Ok(v)
        } else {
            Err(format!("bad literal at byte {}", self.i))
        }
    }
    fn value(&mut self) -> Result<Json, String> {
        self.ws();
        match self.s.get(self.i).copied() {
            Some(b'{') => {
                self.i += 1;
                let mut m = BTreeMap::new();
                self.ws();
                if self.s.get(self.i) == Some(&b'}') {
                    self.i += 1;
                    return Ok(Json::Object(m));
                }
                loop {
                    self.ws();
                    let key = match self.value()? {
                        Json::String(k) => k,
                        _ => return Err(format!("object key expected at byte {}", self.i)),
                    };
                    self.eat(b':')?;
                    let v = self.value()?;
                    m.insert(key, v);
                    self.ws();
                    match self.s.get(self.i) {
                        Some(b',') => self.i += 1,
                        Some(b'}') => {
                            self.i += 1;
                            return Ok(Json::Object(m));
                        }
                        _ => return Err(format!("',' or '}}' expected at byte {}", self.i)),
                    }
                }
            }
            Some(b'[') => {
                self.i += 1;
                let mut a = Vec::new();
                self.ws();
                if self.s.get(self.i) == Some(&b']') {
                    self.i += 1;
                    return Ok(Json::Array(a));
                }
                loop {
                    a.push(self.value()?);
                    self.ws();
                    match self.s.get(self.i) {
                        Some(b',') => self.i += 1,
                        Some(b']') => {
                            self.i += 1;
                            return Ok(Json::Array(a));
                        }
                        _ => return Err(format!("',' or ']' expected at byte {}", self.i)),
                    }
                }
            }
            Some(b'"') => {
                self.i += 1;
                let start = self.i;
                // The instance files use no escapes; refuse them rather than misread.
                while self.i < self.s.len() && self.s[self.i] != b'"' {
                    if self.s[self.i] == b'\\' {
                        return Err(format!("string escapes are not supported (byte {})", self.i));
                    }
                    self.i += 1;
                }
                let text = std::str::from_utf8(&self.s[start..self.i]).map_err(|e| e.to_string())?.to_owned();
                self.eat(b'"')?;
                Ok(Json::String(text))
            }
            Some(b't') => self.literal("true", Json::Bool(true)),
            Some(b'f') => self.literal("false", Json::Bool(false)),
            Some(b'n') => self.literal("null", Json::Null),
            Some(_) => {
                let start = self.i;
                while self.i < self.s.len() && matches!(self.s[self.i], b'0'..=b'9' | b'-' | b'+' | b'.' | b'e' | b'E')
                {
                    self.i += 1;
                }
                let text = std::str::from_utf8(&self.s[start..self.i]).unwrap();
                text.parse::<f64>().map(Json::Number).map_err(|e| format!("number '{text}' at byte {start}: {e}"))
            }
            None => Err("unexpected end".into()),
        }
    }
}

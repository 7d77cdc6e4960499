// What a crate that depends on groupinference adds so that its binaries find
// the library where the loader would not (the repository build, a private
// prefix): the binding exports that directory as DEP_GROUPINFERENCE_RPATH. For
// a library the loader finds by itself (installed into a system prefix) it is
// not set and nothing is added.
fn main() {
    if let Ok(dir) = std::env::var("DEP_GROUPINFERENCE_RPATH") {
        println!("cargo:rustc-link-arg=-Wl,-rpath,{dir}");
    }
}

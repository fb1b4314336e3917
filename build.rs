//! Builds the seed files (`seeds/**/*.toml`, `seeds/**/*.csv`) into the binary, so it serves its plans from
//! any directory (`GDH_SEEDS_DIR` still reads a folder instead): writes
//! `$OUT_DIR/embedded_seeds.rs`, a list of (path under `seeds/`, text), and asks to be run
//! again whenever anything under `seeds/` changes.

use std::path::{Path, PathBuf};

fn main() {
    println!("cargo:rerun-if-changed=seeds");
    let root = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR")).join("seeds");
    let mut files = Vec::new();
    collect(&root, &root, &mut files);
    files.sort();
    let mut out = String::from("/// The seed files as they were at build time: (path under `seeds/`, text).\n");
    out.push_str("pub const EMBEDDED: &[(&str, &str)] = &[\n");
    for (relative, absolute) in &files {
        out.push_str(&format!("    ({relative:?}, include_str!({absolute:?})),\n"));
    }
    out.push_str("];\n");
    let target = PathBuf::from(std::env::var("OUT_DIR").expect("cargo sets OUT_DIR")).join("embedded_seeds.rs");
    std::fs::write(target, out).expect("write embedded_seeds.rs");
}

/// Every `.toml` and `.csv` file below `dir`, as (its path from `root` with `/`, its absolute path).
fn collect(root: &Path, dir: &Path, files: &mut Vec<(String, String)>) {
    let entries = std::fs::read_dir(dir).unwrap_or_else(|e| panic!("cannot read {}: {e}", dir.display()));
    for entry in entries {
        let path = entry.unwrap_or_else(|e| panic!("cannot read {}: {e}", dir.display())).path();
        if path.is_dir() {
            collect(root, &path, files);
        } else if path.extension().is_some_and(|e| e == "toml" || e == "csv") {
            let relative = path.strip_prefix(root).expect("below the root");
            let relative: Vec<String> =
                relative.components().map(|c| c.as_os_str().to_string_lossy().into_owned()).collect();
            files.push((relative.join("/"), path.display().to_string()));
        }
    }
}

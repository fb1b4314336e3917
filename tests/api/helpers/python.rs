//! Python for the client examples of `clients/`: an interpreter with
//! `clients/requirements.txt` installed, and scripts run with it as their users run them.
//!
//! The interpreter is `GDH_TEST_PYTHON` if set (it must have the requirements installed),
//! else a virtual environment this helper makes once with `python3 -m venv` and `pip install
//! -r clients/requirements.txt` in the target directory (`$CARGO_TARGET_DIR/clients-venv`,
//! else `target/clients-venv`), kept while it holds a copy of the requirements file as it is
//! and made again when the file changes. Without python3, its venv module or PyPI the tests
//! that need it fail, naming what to install.

use std::path::{Path, PathBuf};
use std::process::{Command, ExitStatus, Output};
use std::sync::OnceLock;
use std::time::Instant;

/// The requirements copy a venv keeps, to tell whether it is still the one asked for.
const INSTALLED: &str = "installed-requirements.txt";

const HOW: &str = "install Python 3 with its venv module and pip (Debian: apt-get install python3 python3-venv \
                   python3-pip), or set GDH_TEST_PYTHON to an interpreter with clients/requirements.txt installed";

/// The repository's root.
pub fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// A Python interpreter with `clients/requirements.txt` installed, set up once per test
/// binary (concurrent callers wait for the first). Blocking: call it off the runtime.
pub fn python() -> &'static Path {
    static PYTHON: OnceLock<PathBuf> = OnceLock::new();
    PYTHON.get_or_init(|| match std::env::var_os("GDH_TEST_PYTHON") {
        Some(python) => PathBuf::from(python),
        None => venv(),
    })
}

fn target_dir() -> PathBuf {
    match std::env::var_os("CARGO_TARGET_DIR") {
        Some(dir) => root().join(dir), // a relative one is relative to the package, as cargo reads it
        None => root().join("target"),
    }
}

/// Runs a setup step; its output, or a panic quoting it and saying what to install.
fn step(what: &str, command: &mut Command) -> Output {
    let output = command.output().unwrap_or_else(|e| panic!("cannot run {what}: {e}; {HOW}"));
    assert!(
        output.status.success(),
        "{what} failed ({}); {HOW}\n{}{}",
        output.status,
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    output
}

/// `target/clients-venv`, made or remade unless it holds the requirements as they are now.
/// Made beside it and moved into place, so that two test processes at once (SQLite and
/// PostgreSQL runs) never use a half-installed one.
fn venv() -> PathBuf {
    let requirements = root().join("clients/requirements.txt");
    let wanted = std::fs::read(&requirements).unwrap_or_else(|e| panic!("{}: {e}", requirements.display()));
    let target = target_dir();
    let venv = target.join("clients-venv");
    let current = |dir: &Path| std::fs::read(dir.join(INSTALLED)).is_ok_and(|had| had == wanted);
    if current(&venv) {
        return venv.join("bin/python");
    }
    let started = Instant::now();
    std::fs::create_dir_all(&target).unwrap_or_else(|e| panic!("{}: {e}", target.display()));
    let fresh = target.join(format!("clients-venv.new-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&fresh);
    step("python3 -m venv", Command::new("python3").arg("-m").arg("venv").arg(&fresh));
    step(
        "pip install -r clients/requirements.txt (it needs PyPI)",
        Command::new(fresh.join("bin/python"))
            .args(["-m", "pip", "install", "--quiet", "--disable-pip-version-check", "-r"])
            .arg(&requirements),
    );
    std::fs::write(fresh.join(INSTALLED), &wanted).expect("keep the requirements installed");
    let old = target.join(format!("clients-venv.old-{}", std::process::id()));
    let _ = std::fs::rename(&venv, &old);
    if std::fs::rename(&fresh, &venv).is_err() {
        // Another process moved its own into place meanwhile.
        assert!(current(&venv), "cannot move {} to {}", fresh.display(), venv.display());
        let _ = std::fs::remove_dir_all(&fresh);
    }
    let _ = std::fs::remove_dir_all(&old);
    eprintln!("set up {} in {:.0?}", venv.display(), started.elapsed());
    venv.join("bin/python")
}

/// Runs `script` (a path from the repository's root) with the Python of [`python`], `args`,
/// in `dir`, its environment plus `env`: its exit status, standard output and standard error.
pub async fn run_python(script: &str, args: &[&str], env: &[(&str, &str)], dir: &Path) -> (ExitStatus, String, String) {
    // A panic setting it up is this test's, with its message: what to install.
    let python = tokio::task::spawn_blocking(|| python().to_path_buf())
        .await
        .unwrap_or_else(|e| std::panic::resume_unwind(e.into_panic()));
    // UTF-8 whatever the locale (names are Vietnamese); no __pycache__ in the work tree.
    let env = [&[("PYTHONUTF8", "1"), ("PYTHONDONTWRITEBYTECODE", "1")][..], env].concat();
    run(&python, script, args, &env, dir).await
}

/// Runs `program` on `script` (a path from the repository's root) with `args`, in `dir`, its
/// environment plus `env`: its exit status, standard output and standard error. Off the
/// runtime, so that a server the test serves on the same runtime answers meanwhile.
pub async fn run(
    program: &Path,
    script: &str,
    args: &[&str],
    env: &[(&str, &str)],
    dir: &Path,
) -> (ExitStatus, String, String) {
    let mut command = Command::new(program);
    command.arg(root().join(script)).args(args).envs(env.iter().copied()).current_dir(dir);
    let shown = program.display().to_string();
    let output = tokio::task::spawn_blocking(move || command.output())
        .await
        .unwrap_or_else(|e| std::panic::resume_unwind(e.into_panic()))
        .unwrap_or_else(|e| panic!("cannot run {shown}: {e}"));
    let text = |bytes: &[u8]| String::from_utf8_lossy(bytes).into_owned();
    (output.status, text(&output.stdout), text(&output.stderr))
}

//! The real binary, started as operators start it, on the test app's database.

use std::process::{Child, Command, ExitStatus, Stdio};
use std::time::Duration;

use super::base::SECRET;
use super::http::raw_http;

pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).map(|a| a.port()).expect("a free port")
}

/// The real binary on `database_url`, signing with the tests' secret, logging warnings only.
pub fn hub_command(database_url: &str) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_gender-data-hub"));
    command
        .env("DATABASE_URL", database_url)
        .env("GDH_JWT_SECRET", String::from_utf8_lossy(SECRET).as_ref())
        .env("RUST_LOG", "warn");
    command
}

/// The real binary serving `database_url` on `port`, once `/healthz` answers; `env` adds to
/// or overrides its environment.
pub async fn start_server(database_url: &str, port: u16, env: &[(&str, &str)]) -> Child {
    let mut command = hub_command(database_url);
    command.args(["serve", "--bind", &format!("127.0.0.1:{port}")]).stdout(Stdio::null()).stderr(Stdio::null());
    for (name, value) in env {
        command.env(name, value);
    }
    let mut child = command.spawn().expect("start the server");
    for _ in 0..100 {
        if raw_http(port, "GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
            .await
            .is_ok_and(|answer| answer.starts_with("HTTP/1.1 200"))
        {
            return child;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let _ = child.kill();
    let _ = child.wait();
    panic!("the server did not start");
}

/// SIGTERM, as an orchestrator stops the server.
pub fn terminate(server: &Child) {
    let status = Command::new("kill").args(["-TERM", &server.id().to_string()]).status().expect("kill");
    assert!(status.success(), "kill -TERM failed");
}

/// Waits for the process to end, up to `limit`; its exit status, or None if still running.
pub async fn exit_within(server: &mut Child, limit: Duration) -> Option<ExitStatus> {
    let started = std::time::Instant::now();
    while started.elapsed() < limit {
        if let Some(status) = server.try_wait().expect("wait") {
            return Some(status);
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    None
}

//! The `gender-data-hub` binary: parses the command line and runs it (see `cli`).

use clap::Parser;

#[tokio::main]
async fn main() -> std::process::ExitCode {
    let cli = gender_data_hub::cli::Cli::parse();
    match gender_data_hub::cli::run(cli).await {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            std::process::ExitCode::FAILURE
        }
    }
}

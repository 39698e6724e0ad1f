//! `st`: the ServiceTitan API from the command line (see `st --help`).

use std::process::ExitCode;

#[tokio::main]
async fn main() -> ExitCode {
    let matches = servicetitan_cli::app::command().get_matches();
    match servicetitan_cli::app::run(&matches).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            // `st … | head` closing the pipe early is not a failure.
            if e.downcast_ref::<std::io::Error>()
                .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
            {
                return ExitCode::SUCCESS;
            }
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

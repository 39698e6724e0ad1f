// Enum filters take the enum: a string (here a typo of `Completed`) does not compile.
use servicetitan::prelude::*;

fn completed(client: &Client) {
    let _ = client.jpm().jobs_get_list().job_status("Complete");
}

fn main() {}

// `Jobs_Get` needs the job id: it is positional, so forgetting it does not compile.
use servicetitan::prelude::*;

fn job(client: &Client) {
    let _ = client.jpm().jobs_get();
}

fn main() {}

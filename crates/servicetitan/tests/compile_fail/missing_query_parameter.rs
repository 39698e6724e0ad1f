// A required query parameter (`ids` of `Jobs_GetCancelReasons`) is positional too.
use servicetitan::prelude::*;

fn reasons(client: &Client) {
    let _ = client.jpm().jobs_get_cancel_reasons();
}

fn main() {}

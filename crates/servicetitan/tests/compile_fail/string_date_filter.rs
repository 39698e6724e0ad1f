// Date filters take chrono date-times, not strings.
use servicetitan::prelude::*;

fn recent(client: &Client) {
    let _ = client.jpm().jobs_get_list().created_on_or_after("2024-01-01");
}

fn main() {}

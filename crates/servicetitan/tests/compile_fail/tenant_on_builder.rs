// A builder from a tenant-bound `Api` cannot be pointed at another tenant.
use servicetitan::prelude::*;

fn other_tenant(client: &Client) {
    let _ = client.jpm().jobs_get(5).tenant(999);
}

fn main() {}

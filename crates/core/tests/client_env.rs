//! `Client::from_env` reads the process environment. Alone in its test binary because it sets
//! process-wide variables.

use servicetitan_core::Client;

#[test]
fn from_env_reads_servicetitan_variables() {
    let vars = [
        ("SERVICETITAN_CLIENT_ID", "cid.from-env"),
        ("SERVICETITAN_CLIENT_SECRET", "cs2.from-env-secret"),
        ("SERVICETITAN_APP_KEY", "ak1.from-env-key"),
        ("SERVICETITAN_TENANT_ID", "31337"),
        ("SERVICETITAN_API_ENVIRONMENT", "integration"),
    ];
    for (name, value) in vars {
        std::env::set_var(name, value);
    }
    let client = Client::from_env().unwrap();
    for (name, _) in vars {
        std::env::remove_var(name);
    }
    assert_eq!(client.tenant_id(), 31337);
    assert_eq!(client.config().client_id(), "cid.from-env");
    assert_eq!(
        client.domain("jpm/v2").base_url,
        "https://api-integration.servicetitan.io/jpm/v2"
    );
    let shown = format!("{client:?}");
    assert!(
        !shown.contains("cs2.from-env-secret") && !shown.contains("ak1.from-env-key"),
        "{shown}"
    );
}

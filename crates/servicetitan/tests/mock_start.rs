//! `servicetitan::mock::start_with` on a port that is taken: the mock's own error, naming the
//! port, not one of the SDK's API errors.
#![cfg(feature = "mock")]

use servicetitan::mock::{MockConfig, StartError};

#[tokio::test]
async fn a_taken_port_is_a_listen_error_naming_it() {
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = taken.local_addr().unwrap().port();
    let config = MockConfig {
        port,
        ..MockConfig::default()
    };
    let err = servicetitan::mock::start_with(config).await.unwrap_err();
    let StartError::Listen { port: p, .. } = &err else {
        panic!("expected Listen, got {err:?}")
    };
    assert_eq!(*p, port);
    let text = err.to_string();
    assert!(text.contains(&format!("127.0.0.1:{port}")), "{text}");
    assert!(text.contains("MockConfig::port"), "{text}");
    assert!(std::error::Error::source(&err).is_some());
}

//! Misuse that must not compile: a missing required body field or one of the wrong type, a
//! missing required path parameter, same-typed path values passed positionally or one left out
//! of their `…Params` literal, a string where an enum filter or a date is expected, and changing
//! the tenant of a builder that came from a tenant-bound `Api`. Each case is a file in `compile_fail/`
//! with the compiler's expected message beside it (`TRYBUILD=overwrite` rewrites them).
//!
//! trybuild builds the cases in its own target directory with this crate's enabled features,
//! so the test runs only with `jpm` alone (`cargo test -p servicetitan --features jpm --test
//! compile_fail`, a step of its own in `.ci/run`): with `--all-features` it would build all 25
//! modules a second time.
#![cfg(all(feature = "jpm", not(feature = "full")))]

#[test]
fn misuse_does_not_compile() {
    let cases = trybuild::TestCases::new();
    cases.compile_fail("tests/compile_fail/*.rs");
}

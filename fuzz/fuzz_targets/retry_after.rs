#![no_main]
//! Fuzz target: `servicetitan_core::fuzzing::retry_after` (see that function).

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    servicetitan_core::fuzzing::retry_after(data);
});

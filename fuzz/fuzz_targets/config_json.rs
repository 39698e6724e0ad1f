#![no_main]
//! Fuzz target: `servicetitan_core::fuzzing::config_json` (see that function).

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    servicetitan_core::fuzzing::config_json(data);
});

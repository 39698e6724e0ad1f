// `JobCreateRequest::new` takes every required field; leaving out `priority` does not compile.
use servicetitan::jpm::types::JobCreateRequest;

fn main() {
    let _ = JobCreateRequest::new(Vec::new(), 1, 2, 3, 4, 5);
}

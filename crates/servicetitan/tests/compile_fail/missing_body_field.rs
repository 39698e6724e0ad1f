// A body's required fields are named in `JobCreateRequestRequired`; leaving out `priority`
// does not compile.
use servicetitan::jpm::types::{JobCreateRequest, JobCreateRequestRequired};

fn main() {
    let _ = JobCreateRequest::new(JobCreateRequestRequired {
        appointments: Vec::new(),
        business_unit_id: 1,
        campaign_id: 2,
        customer_id: 3,
        job_type_id: 4,
        location_id: 5,
    });
}

// A required body field of the wrong type does not compile: a customer id given as a string.
use servicetitan::jpm::types::{JobCreateRequest, JobCreateRequestRequired};

fn main() {
    let _ = JobCreateRequest::new(JobCreateRequestRequired {
        appointments: Vec::new(),
        business_unit_id: 1,
        campaign_id: 2,
        customer_id: "3",
        job_type_id: 4,
        location_id: 5,
        priority: "Normal".into(),
    });
}

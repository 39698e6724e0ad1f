//! The default success-body cap against the largest realistic page: 5,000 jobs
//! (`jpm/v2/tenant/{t}/jobs?pageSize=5000`) with every field of the spec's `JobResponse` filled,
//! a paragraph of HTML summary, six custom fields and two external-data entries per job. That
//! page measures about 9.8 MB (≈1.95 KB per job); the default cap must take it with a wide
//! margin, and a page over a configured cap must fail with the cap named.

#![recursion_limit = "256"]

use serde_json::{json, Value};
use servicetitan_core::body::DEFAULT_MAX_RESPONSE_BYTES;
use servicetitan_core::Error;
use servicetitan_test_support::*;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

fn job(i: i64) -> Value {
    json!({
        "id": 100_000_000 + i, "jobNumber": (200_000 + i).to_string(), "projectId": 55_000_000 + i,
        "customerId": 31_000_000 + i, "locationId": 31_000_500 + i, "jobStatus": "Completed",
        "completedOn": "2026-11-03T17:42:13.1234567Z", "businessUnitId": 1_234_567,
        "jobTypeId": 7_654_321, "priority": "Normal", "campaignId": 8_765_432,
        "appointmentCount": 2, "firstAppointmentId": 90_000_000 + i,
        "lastAppointmentId": 90_000_001 + i, "recallForId": null, "warrantyId": null,
        "jobGeneratedLeadSource": {"jobId": 99_000_000 + i, "employeeId": 4_400_000 + i},
        "noCharge": false, "notificationsEnabled": true,
        "createdOn": "2026-10-28T14:05:59.5550000Z", "createdById": 44_001_234,
        "modifiedOn": "2026-11-04T09:12:44.9876543Z", "tagTypeIds": [1_100_001, 1_100_002, 1_100_003],
        "leadCallId": 77_000_000 + i, "partnerLeadCallId": null, "bookingId": 66_000_000 + i,
        "soldById": 44_005_678, "customerPo": format!("PO-2026-{i:05}"), "invoiceId": 88_000_000 + i,
        "membershipId": 12_000_000 + i, "total": 1234.56, "createdFromEstimateId": null,
        "estimateIds": [3_300_000 + i, 3_300_001 + i], "equipmentIds": [2_200_000 + i, 2_200_001 + i],
        "isAutoDispatched": false,
        "summary": "<p>Customer reports the upstairs AC unit is blowing warm air and making a rattling noise. Technician to inspect condenser, check refrigerant levels, clean coils and replace the capacitor if needed. Gate code 4821, dog in the back yard, please call 30 minutes before arrival.</p><p>Previous visit noted a worn contactor; quote replacement.</p>",
        "summaryOfWork": "Replaced run capacitor (45/5 uF), cleaned condenser coil, verified refrigerant charge, system cooling normally.",
        "customFields": (0..6).map(|k| json!({"typeId": 5_500_000 + k, "name": format!("Custom field {k}"), "value": format!("Value {k} for job")})).collect::<Vec<_>>(),
        "externalData": [{"key": "crm-id", "value": format!("crm-{i:08}")}, {"key": "sync-batch", "value": "2026-11-04-0912"}],
    })
}

fn page() -> Vec<u8> {
    let data: Vec<Value> = (0..5000).map(job).collect();
    serde_json::to_vec(&json!({"page": 1, "pageSize": 5000, "hasMore": true, "data": data}))
        .unwrap()
}

#[tokio::test]
async fn the_default_cap_takes_a_5000_job_page_with_room_to_spare() {
    let body = page();
    assert!(
        body.len() > 9_000_000 && body.len() < 11_000_000,
        "{}",
        body.len()
    );
    assert!((body.len() as u64) * 4 < DEFAULT_MAX_RESPONSE_BYTES);

    let server = MockServer::start().await;
    mount_token(&server, TOKEN, 900).await;
    Mock::given(method("GET"))
        .and(path("/jpm/v2/tenant/42/jobs/1"))
        .respond_with(ResponseTemplate::new(200).set_body_raw(body.clone(), "application/json"))
        .mount(&server)
        .await;
    let response = get_job(&client(&server), 1).await.unwrap();
    assert_eq!(response.bytes().await.unwrap().len(), body.len());

    let capped = builder(&server)
        .max_response_bytes(4_000_000)
        .build()
        .unwrap();
    let err = get_job(&capped, 1).await.unwrap_err();
    assert!(
        matches!(
            err,
            Error::TooLarge {
                limit: 4_000_000,
                ..
            }
        ),
        "{err:?}"
    );
    assert!(err.to_string().contains("max_response_bytes"), "{err}");
}

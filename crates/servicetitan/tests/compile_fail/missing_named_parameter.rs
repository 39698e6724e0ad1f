// A named required path value left out of `JobEquipmentDetachParams` does not compile.
use servicetitan::jpm::JobEquipmentDetachParams;
use servicetitan::prelude::*;

fn detach(client: &Client) {
    let _ = client.jpm().job_equipment_detach(JobEquipmentDetachParams { id: 1 });
}

fn main() {}

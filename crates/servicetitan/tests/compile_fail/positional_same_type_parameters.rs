// `JobEquipment_Detach` has two required `i64` path values (job id, equipment id): they are
// named in `JobEquipmentDetachParams`, so passing them positionally does not compile.
use servicetitan::prelude::*;

fn detach(client: &Client) {
    let _ = client.jpm().job_equipment_detach(1, 2);
}

fn main() {}

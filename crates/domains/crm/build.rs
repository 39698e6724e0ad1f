fn main() {
    servicetitan_codegen::build::domain("tenant-crm-v2");
}

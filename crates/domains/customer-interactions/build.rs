fn main() {
    servicetitan_codegen::build::domain("tenant-customer-interactions-v2");
}

fn main() {
    servicetitan_codegen::build::domain("tenant-inventory-v2");
}

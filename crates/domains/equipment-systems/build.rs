fn main() {
    servicetitan_codegen::build::domain("tenant-equipment-systems-v2");
}

fn main() {
    servicetitan_codegen::build::domain("tenant-salestech-v2");
}

fn main() {
    servicetitan_codegen::build::domain("tenant-reporting-v2");
}

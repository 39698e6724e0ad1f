fn main() {
    servicetitan_codegen::build::domain("tenant-scheduling-pro-v2");
}
